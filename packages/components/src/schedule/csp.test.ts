// <tiepdan-schedule> on a ward page with a strict Content-Security-Policy: loads the unit's sessions from the
// server the policy lists and renders the month, styled, without a single violation.
import { expect, waitUntil } from '@open-wc/testing';
import { cspFrame, strictPolicy } from '../../test/csp-frame.js';

const server = window.TIEPDAN_TEST_SERVER!;

describe('strict Content-Security-Policy: <tiepdan-schedule>', () => {
  it('renders the month from the server without unsafe-inline or unsafe-eval', async () => {
    const page = await cspFrame(`<tiepdan-schedule server="${server}" unit="dongthap.sadec"></tiepdan-schedule>`, strictPolicy(server), { width: 420, height: 800 });
    try {
      const el = page.element('tiepdan-schedule');
      await waitUntil(() => el.shadowRoot?.querySelector('button.secondary'), 'the schedule did not render under CSP', { timeout: 15_000 });
      const button = el.shadowRoot!.querySelector<HTMLButtonElement>('button.secondary')!;
      expect(parseFloat(page.win.getComputedStyle(button).minHeight)).to.be.at.least(44);
      button.click();
      await waitUntil(() => el.shadowRoot!.querySelector('[aria-busy="true"]') === null, 'the next month did not load', { timeout: 15_000 });
      expect(page.win.cspViolations).to.deep.equal([]);
    } finally {
      page.remove();
    }
  });
});
