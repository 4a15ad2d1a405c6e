// <tiepdan-room> on a ward page with a strict Content-Security-Policy: pre-join renders styled, and an official
// joins the room over the WebSocket the policy lists (connect-src), without a single violation.
import { expect, waitUntil } from '@open-wc/testing';
import { cspFrame, strictPolicy } from '../../test/csp-frame.js';
import type { TiepdanRoom } from './room.component.js';

const server = window.TIEPDAN_TEST_SERVER!;
const tokens = window.TIEPDAN_TEST_TOKENS!;

describe('strict Content-Security-Policy: <tiepdan-room>', () => {
  it('pre-join and the room work without unsafe-inline or unsafe-eval', async () => {
    const session = `wtr-csp-room-${Date.now()}`;
    const page = await cspFrame(`<tiepdan-room server="${server}" session="${session}"></tiepdan-room>`, strictPolicy(server), { width: 420, height: 800 });
    try {
      const el = page.element<TiepdanRoom>('tiepdan-room');
      el.token = tokens['clerk']!;
      await waitUntil(() => el.shadowRoot?.querySelector('#join'), 'pre-join did not render under CSP', { timeout: 15_000 });
      const join = el.shadowRoot!.querySelector<HTMLButtonElement>('#join')!;
      expect(parseFloat(page.win.getComputedStyle(join).minHeight)).to.be.at.least(44);
      el.acknowledged = true;
      await el.join();
      await waitUntil(() => el.view === 'room', `not in the room under CSP: ${el.view}`, { timeout: 15_000 });
      expect(page.win.cspViolations).to.deep.equal([]);
    } finally {
      page.remove();
    }
  });
});
