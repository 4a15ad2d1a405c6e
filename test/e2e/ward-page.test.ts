/**
 * The ward's home page as a citizen first sees it: the elements arrive after the page (one small loader, then each
 * element's module) and must not push the page around when they upgrade. Cumulative layout shift is read from the
 * browser's own `layout-shift` entries, at phones' widths and desktops', until every element has rendered its
 * first screen with the server's data. (`npm run bench:lighthouse` gives Lighthouse's own figures for the page.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startE2e } from './browser.js';

let env: Awaited<ReturnType<typeof startE2e>>;
before(async () => {
  env = await startE2e();
});
after(async () => {
  await env?.stop();
});

const TAGS = ['tiepdan-registration', 'tiepdan-lookup', 'tiepdan-schedule'];
/** Lighthouse's "good" threshold is 0.1; the issue asks for 0.05. */
const CLS_BOUND = 0.05;

/**
 * Phones (320 px, a common 360 px, Lighthouse's mobile 412 px), the two-column layout where the schedule is narrow
 * again (900 px) and a desktop: each element's first screen has a different height at each.
 */
const VIEWPORTS = [{ width: 320, height: 640 }, { width: 360, height: 740 }, { width: 412, height: 823 }, { width: 900, height: 800 }, { width: 1280, height: 800 }];

for (const viewport of VIEWPORTS) {
  test(`the ward page does not shift while the elements load (${viewport.width} px)`, async () => {
    const context = await env.browser.newContext({ viewport, locale: 'vi-VN' });
    const page = await context.newPage();
    await page.addInitScript(() => {
      const w = window as unknown as { tiepdanShift: number };
      w.tiepdanShift = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) if (!entry.hadRecentInput) w.tiepdanShift += entry.value;
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto(env.demo.siteUrl);
    await page.waitForFunction((tags) => tags.every((tag) => customElements.get(tag)), TAGS);
    // Every element has rendered, and the schedule has its sessions (its status line is empty once loaded).
    await page.evaluate(async (tags) => {
      for (const tag of tags) await (document.querySelector(tag) as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    }, TAGS);
    await page.locator('tiepdan-schedule [role="status"]').filter({ hasText: /^$/u }).first().waitFor({ state: 'attached' });
    await page.locator('tiepdan-registration').getByRole('heading', { level: 2 }).first().waitFor();
    // Two frames, so a shift caused by the last render is reported before it is read.
    const shift = await page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve((window as unknown as { tiepdanShift: number }).tiepdanShift)))));
    assert.ok(shift <= CLS_BOUND, `cumulative layout shift ${shift.toFixed(3)} > ${CLS_BOUND}`);
    await context.close();
  });
}
