// The elements must work on a ward page with a strict Content-Security-Policy (no 'unsafe-inline' styles or
// scripts, no 'unsafe-eval'): styles go through adoptedStyleSheets, validation is zod's jitless mode, and no
// inline event attributes exist. The page under test is an iframe whose CSP meta tag applies to everything in it.
import { DEFAULT_RULES, openLocalDatabase } from '@tiepdan/core';
import { expect, waitUntil } from '@open-wc/testing';
import { metaCacheKey } from './registration.component.js';

describe('strict Content-Security-Policy', () => {
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

    const entry = new URL('../tiepdan.ts', import.meta.url).pathname;
    const frame = document.createElement('iframe');
    frame.style.width = '400px';
    frame.style.height = '600px';
    frame.srcdoc = `<!doctype html><html lang="vi"><head><meta charset="utf-8">
      <meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'">
      <script type="module" src="${entry}"></script></head>
      <body><tiepdan-registration unit="${unit}"></tiepdan-registration></body></html>`;
    const violations: string[] = [];
    document.body.append(frame);
    try {
      await new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
      const win = frame.contentWindow!;
      win.document.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.violatedDirective} ${event.blockedURI}`));
      const el = win.document.querySelector('tiepdan-registration')!;
      await waitUntil(() => el.shadowRoot?.querySelector('h2'), 'element did not render under CSP', { timeout: 10_000 });
      const button = el.shadowRoot!.querySelector<HTMLButtonElement>('button[type="submit"]')!;
      expect(win.getComputedStyle(button).backgroundColor).to.equal('rgb(0, 94, 165)');
      expect(parseFloat(win.getComputedStyle(button).minHeight)).to.be.at.least(44);
      button.click();
      await waitUntil(() => el.shadowRoot!.querySelector('.error-summary'), 'validation did not run under CSP');
      expect(violations).to.deep.equal([]);
    } finally {
      frame.remove();
    }
  });
});
