// <tiepdan-desk> on a page with a strict Content-Security-Policy: loaded by the SDK entry, it reads the case
// from the server the policy lists (connect-src) and renders styled, without a single violation.
import { expect, waitUntil } from '@open-wc/testing';
import type { ReceptionCase } from '@tiepdan/core';
import { apiCall } from '@tiepdan/core/browser';
import { cspFrame, strictPolicy } from '../../test/csp-frame.js';
import type { TiepdanDesk } from './desk.component.js';

const server = window.TIEPDAN_TEST_SERVER!;
const tokens = window.TIEPDAN_TEST_TOKENS!;

describe('strict Content-Security-Policy: <tiepdan-desk>', () => {
  it('renders the case without unsafe-inline or unsafe-eval', async () => {
    const { case: c } = await apiCall<{ case: ReceptionCase }>({ baseUrl: server, token: tokens.clerk }, 'POST', '/api/v1/desk/cases', {
      kind: 'phan_anh',
      citizen: { fullName: 'Võ Văn Mười' },
      summary: 'Phản ánh tiếng ồn.',
    });
    const page = await cspFrame(`<tiepdan-desk server="${server}" case="${c.id}"></tiepdan-desk>`, strictPolicy(server), { width: 420, height: 800 });
    try {
      await waitUntil(() => page.win.customElements.get('tiepdan-desk'), 'not defined under CSP', { timeout: 15_000 });
      const el = page.element<TiepdanDesk>('tiepdan-desk');
      el.token = tokens.clerk!;
      await waitUntil(() => el.shadowRoot?.querySelector('#identity-save'), 'the desk did not render under CSP', { timeout: 15_000 });
      const button = el.shadowRoot!.querySelector<HTMLButtonElement>('#identity-save')!;
      expect(parseFloat(page.win.getComputedStyle(button).minHeight)).to.be.at.least(44);
      expect(page.win.cspViolations).to.deep.equal([]);
    } finally {
      page.remove();
    }
  });
});
