// A cheap phone (issue 18 §4): the registration form at 360×740 with Chromium's CPU slowed 6× (CDP
// Emulation.setCPUThrottlingRate, as Lighthouse's "mobile" does 4×), driven step by step as a citizen would (typing,
// ticking, tapping "Tiếp tục"). For each step: its interaction to next paint — the longest `event` timing entry of
// the step's interactions (the browser's own Event Timing API, what INP is made of) — against a 200 ms budget.
// A benchmark, not a test: figures depend on the machine; run it on an idle one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startDemo } from '../examples/demo.mjs';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';

const THROTTLE = 6;
const BUDGET_MS = 200;

export async function benchCheapPhone() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-bench-phone-'));
  const demo = await startDemo({ port: 0, sitePort: 0, dataDir, env: {}, logLevel: 'silent', warn: () => {} });
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs() });
  try {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: 'vi-VN' });
    const page = await context.newPage();
    await page.addInitScript(() => {
      window.tiepdanEvents = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (e.interactionId) window.tiepdanEvents.push({ name: e.name, duration: e.duration, id: e.interactionId });
      }).observe({ type: 'event', durationThreshold: 16, buffered: true });
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
    await page.goto(demo.siteUrl);
    const f = page.locator('tiepdan-registration');
    const next = () => f.getByRole('button', { name: 'Tiếp tục' }).tap();
    const steps = [
      ['privacy', async () => { await f.getByLabel('Tôi đã đọc và hiểu thông báo trên').tap(); await next(); }],
      ['kind', async () => { await f.getByRole('radio', { name: /Khiếu nại/u }).tap(); await next(); }],
      ['identity', async () => {
        await f.getByLabel('Họ và tên').tap();
        await page.keyboard.type('Nguyễn Văn An');
        await f.getByLabel('Loại giấy tờ tùy thân').selectOption('cccd');
        await f.getByLabel('Số giấy tờ').tap();
        await page.keyboard.type('087085123456');
        await f.getByLabel(/^Ngày sinh/u).fill('02/03/1985');
        await f.getByRole('radio', { name: 'Nam', exact: true }).tap();
        await next();
      }],
      ['address', async () => { await f.getByLabel('Xã, phường, đặc khu').selectOption({ label: 'Phường Sa Đéc' }); await f.getByLabel('Số nhà, đường, ấp/khóm/tổ').tap(); await page.keyboard.type('Số 12, khóm 3'); await next(); }],
      ['contact', async () => { await f.getByLabel('Số điện thoại').tap(); await page.keyboard.type('0912345678'); await next(); }],
      ['content', async () => { await f.getByLabel('Trình bày nội dung').tap(); await page.keyboard.type('Khiếu nại Quyết định số 123/QĐ-UBND về việc thu hồi đất.'); await next(); }],
      ['group', async () => { await next(); }],
      ['attachments', async () => { await next(); }],
      ['attendance', async () => { await f.getByRole('radio', { name: /điểm cầu/u }).first().tap(); await next(); }],
    ];
    await f.getByRole('heading', { name: 'Thông báo xử lý dữ liệu cá nhân' }).waitFor({ timeout: 60_000 });
    const rows = [];
    for (const [name, act] of steps) {
      await page.evaluate(() => { window.tiepdanEvents = []; });
      const heading = await f.getByRole('heading', { level: 2 }).first().innerText();
      await act();
      // The next step is on screen: its heading changed.
      await page.waitForFunction((before) => document.querySelector('tiepdan-registration').shadowRoot.querySelector('h2')?.textContent !== before, heading, { timeout: 60_000 });
      // Two frames, so the last interaction's entry is reported.
      const events = await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => resolve(window.tiepdanEvents), 50)))));
      const byInteraction = new Map();
      for (const e of events) byInteraction.set(e.id, Math.max(byInteraction.get(e.id) ?? 0, e.duration));
      const inp = Math.max(0, ...byInteraction.values());
      const worst = events.reduce((a, e) => (e.duration > (a?.duration ?? -1) ? e : a), undefined);
      rows.push({ step: name, interactions: byInteraction.size, inpMs: Math.round(inp), worstEvent: worst?.name, ok: inp <= BUDGET_MS });
    }
    return { throttle: `${THROTTLE}x`, viewport: '360x740', budgetMs: BUDGET_MS, steps: rows, worstMs: Math.max(...rows.map((r) => r.inpMs)), ok: rows.every((r) => r.ok) };
  } finally {
    await browser.close();
    await demo.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchCheapPhone();
  console.log(JSON.stringify(result, null, 2));
  if (!result.ok) process.exitCode = 1;
}
