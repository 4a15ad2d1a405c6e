// <tiepdan-register> on a page with a strict Content-Security-Policy: loaded by the SDK entry, it lists the
// register from the server the policy lists (connect-src), styled, without a single violation.
import { expect, waitUntil } from '@open-wc/testing';
import { cspFrame, strictPolicy } from '../../test/csp-frame.js';
import type { TiepdanRegister } from './register.component.js';

const server = window.TIEPDAN_TEST_SERVER!;
const tokens = window.TIEPDAN_TEST_TOKENS!;

describe('strict Content-Security-Policy: <tiepdan-register>', () => {
  it('lists the register without unsafe-inline or unsafe-eval', async () => {
    const page = await cspFrame(`<tiepdan-register server="${server}"></tiepdan-register>`, strictPolicy(server), { width: 420, height: 800 });
    try {
      await waitUntil(() => page.win.customElements.get('tiepdan-register'), 'not defined under CSP', { timeout: 15_000 });
      const el = page.element<TiepdanRegister>('tiepdan-register');
      el.token = tokens.official!;
      await waitUntil(() => el.entries !== undefined, 'the register did not load under CSP', { timeout: 15_000 });
      const apply = el.shadowRoot!.querySelector<HTMLButtonElement>('#apply')!;
      expect(parseFloat(page.win.getComputedStyle(apply).minHeight)).to.be.at.least(44);
      expect(page.win.cspViolations).to.deep.equal([]);
    } finally {
      page.remove();
    }
  });
});
