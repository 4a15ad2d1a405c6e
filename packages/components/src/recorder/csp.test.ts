// <tiepdan-recorder> on a connection point's page with a strict Content-Security-Policy: the compositor's tick
// worker comes from 'self' (worker-src), uploads go to the server the policy lists, and the recorder is elected
// and has chunks acknowledged without a single violation.
import { expect, waitUntil } from '@open-wc/testing';
import type { RecorderStatus } from '@tiepdan/core/browser';
import { cspFrame, strictPolicy } from '../../test/csp-frame.js';
import type { TiepdanRecorder } from './recorder.component.js';

const server = window.TIEPDAN_TEST_SERVER!;
const tokens = window.TIEPDAN_TEST_TOKENS!;

describe('strict Content-Security-Policy: <tiepdan-recorder>', () => {
  it('records and uploads without unsafe-inline or unsafe-eval', async () => {
    const session = `wtr-csp-rec-${Date.now()}`;
    // The session's recording is opened by hand (no room here), as in recorder.test.ts: a recorder waits as a
    // standby until it exists, then is elected.
    const opened = await fetch(`${server}/api/v1/recordings`, { method: 'POST', headers: { authorization: `Bearer ${tokens['chair']}`, 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: session }) });
    expect(opened.status).to.be.oneOf([200, 201]);
    const page = await cspFrame(
      `<tiepdan-recorder lang="vi" capture="device" point="sadec-ubnd" recorder-id="csp-${session}" server="${server}" session="${session}"></tiepdan-recorder>`,
      strictPolicy(server),
      { width: 700, height: 600 },
    );
    try {
      const el = page.element<TiepdanRecorder>('tiepdan-recorder');
      // The tick worker from this origin ('self'), as the ward site serves it next to the bundle.
      el.workerUrl = new URL('./recorder-tick.ts', import.meta.url);
      el.token = tokens['clerk']!;
      const status = () => el.status ?? ({} as RecorderStatus);
      await waitUntil(() => status().role === 'active' && (status().acked ?? 0) >= 1, `not recording under CSP: ${JSON.stringify(el.status)} ${(el as unknown as { failure?: string }).failure ?? ''}`, { timeout: 20_000 });
      expect(el.compositor!.tickKind).to.equal('worker');
      expect(page.win.cspViolations).to.deep.equal([]);
      await el.stop();
    } finally {
      page.remove();
    }
  });
});
