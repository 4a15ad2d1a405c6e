// The elements must work on a ward page with a strict Content-Security-Policy (no 'unsafe-inline' styles or
// scripts, no 'unsafe-eval'): styles go through adoptedStyleSheets, validation is zod's jitless mode, and no
// inline event attributes exist. The page under test is an iframe whose CSP meta tag applies to everything in it,
// with the violation listener attached before the elements load (test/csp-frame.ts).
import { DEFAULT_RULES } from '@tiepdan/core';
import { openLocalDatabase } from '@tiepdan/core/browser';
import { expect, waitUntil } from '@open-wc/testing';
import { cspFrame, strictPolicy } from '../../test/csp-frame.js';
import { metaCacheKey } from './registration.component.js';

describe('strict Content-Security-Policy: <tiepdan-registration>', () => {
  it('renders styled and working without unsafe-inline or unsafe-eval', async () => {
    const unit = `csp${Date.now()}`;
    const { db } = await openLocalDatabase(`registration:${unit}`);
    await db.putValue(metaCacheKey(unit), {
      unit: { code: unit, name: 'UBND phường Thử', provinceCode: '82' },
      communes: [{ code: '29869', name: 'Phường Sa Đéc' }],
      privacyNotice: { version: 'v1', text: { vi: 'Thông báo thử.', en: 'Test notice.' } },
      rules: DEFAULT_RULES,
      remoteAttendanceAllowed: false,
      connectionPoints: [],
    });
    db.close();

    // The second form speaks English, whose words are a module loaded on demand (shared/strings.ts).
    const page = await cspFrame(
      `<tiepdan-registration unit="${unit}"></tiepdan-registration><tiepdan-registration id="en" lang="en" unit="${unit}" draft-id="en"></tiepdan-registration>`,
      strictPolicy(window.TIEPDAN_TEST_SERVER!),
      { width: 400, height: 600 },
    );
    try {
      const el = page.element('tiepdan-registration');
      const english = page.element('#en');
      await waitUntil(() => english.shadowRoot?.querySelector('h2')?.textContent === 'How we use your personal data', 'English did not load under CSP', { timeout: 10_000 });
      await waitUntil(() => el.shadowRoot?.querySelector('h2'), 'element did not render under CSP', { timeout: 10_000 });
      const button = el.shadowRoot!.querySelector<HTMLButtonElement>('button[type="submit"]')!;
      expect(page.win.getComputedStyle(button).backgroundColor).to.equal('rgb(0, 94, 165)');
      expect(parseFloat(page.win.getComputedStyle(button).minHeight)).to.be.at.least(44);
      button.click();
      await waitUntil(() => el.shadowRoot!.querySelector('.error-summary'), 'validation did not run under CSP');
      expect(page.win.cspViolations).to.deep.equal([]);
    } finally {
      page.remove();
    }
  });

  it('the probe does see a violation (the check can fail)', async () => {
    // An inline style attribute is exactly what the policy forbids: the listener must catch it.
    const page = await cspFrame('<p id="x"></p>', strictPolicy(window.TIEPDAN_TEST_SERVER!));
    try {
      page.win.document.getElementById('x')!.setAttribute('onclick', 'void 0');
      page.win.document.getElementById('x')!.click();
      await waitUntil(() => page.win.cspViolations.length > 0, 'no violation reported', { timeout: 5000 });
      expect(page.win.cspViolations[0]).to.contain('script-src');
    } finally {
      page.remove();
    }
  });
});
