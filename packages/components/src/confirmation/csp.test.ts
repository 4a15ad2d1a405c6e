// <tiepdan-confirmation> on a page with a strict Content-Security-Policy: loaded by the SDK entry, it asks the
// server the policy lists (connect-src) with the citizen's join token, styled, without a single violation.
import { expect, waitUntil } from '@open-wc/testing';
import { cspFrame, strictPolicy } from '../../test/csp-frame.js';
import type { TiepdanConfirmation } from './confirmation.component.js';

const server = window.TIEPDAN_TEST_SERVER!;
const tokens = window.TIEPDAN_TEST_TOKENS! as Record<string, string>;

describe('strict Content-Security-Policy: <tiepdan-confirmation>', () => {
  it('loads the citizen view without unsafe-inline or unsafe-eval', async () => {
    const page = await cspFrame(`<tiepdan-confirmation server="${server}"></tiepdan-confirmation>`, strictPolicy(server), { width: 320, height: 700 });
    try {
      await waitUntil(() => page.win.customElements.get('tiepdan-confirmation'), 'not defined under CSP', { timeout: 15_000 });
      const el = page.element<TiepdanConfirmation>('tiepdan-confirmation');
      el.token = tokens.citizenConfirmation!;
      await waitUntil(() => el.pending !== undefined, 'nothing loaded under CSP', { timeout: 15_000 });
      const refresh = el.shadowRoot!.querySelector<HTMLButtonElement>('#refresh')!;
      expect(parseFloat(page.win.getComputedStyle(refresh).minHeight)).to.be.at.least(44);
      expect(page.win.cspViolations).to.deep.equal([]);
    } finally {
      page.remove();
    }
  });
});
