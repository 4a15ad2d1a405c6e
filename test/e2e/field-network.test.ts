/**
 * A reception on a citizen's 3G line (issue 18 §2): the clerk on a good line, the citizen (phone viewport) behind a
 * user-space emulation of a mobile link (`impaired-link.ts`: ≈ 750 kbit/s down, 250 up, 200 ms RTT, 2 % loss,
 * a 400 ms buffer) and then a 10 s outage. Media is relay-only through a real coturn so every packet of the
 * citizen's crosses the emulated link. This stands in for `tc netem`, which this machine's kernel does not have;
 * what it emulates is the same (rate, queue, delay, loss on the citizen's packets) but in user space.
 *
 * What must hold: the citizen's voice at the clerk stays continuous (the share of concealed audio samples under
 * a bound), the citizen's picture keeps moving at a stepped-down size or rate instead of freezing, and after the
 * outage both directions come back by themselves within a bound, the citizen still in the room.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
// @ts-expect-error: plain ESM helpers without types.
import { startDemo } from '../../examples/demo.mjs';
// @ts-expect-error: plain ESM helpers without types.
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import { mintJoinToken, mintToken } from '../../packages/server/dist/index.js';
import { startCoturn, type Coturn } from './coturn.js';
import { startImpairedLink, THREE_G, type ImpairedLink } from './impaired-link.js';
import { acknowledgeAndJoin, openRoom, point, until, view } from './room-pages.js';

const SECRET = 'e2e-field-network-secret-0123456789-abcdef';
const UNIT = 'dongthap.sadec';
/** Opus concealment on 2 % random loss plus jitter: a tenth of the samples is where speech starts to break up. */
const MAX_CONCEALED_SHARE = 0.1;
/** After a 10 s outage: consent checks resume at once; an ICE restart (if the mesh chose one) takes a few seconds. */
const MAX_RECOVERY_MS = 15_000;

let coturn: Coturn;
let link: ImpairedLink;
let browser: Browser;
let demo: { siteUrl: string; close(): Promise<void> };
let dataDir: string;

before(async () => {
  coturn = await startCoturn();
  link = await startImpairedLink({ host: '127.0.0.1', port: coturn.port });
  browser = await chromium.launch({ executablePath: chromiumPath() as string, args: chromiumArgs() as string[] });
  dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-e2e-field-'));
  demo = await startDemo({ port: 0, sitePort: 0, dataDir, env: {}, logLevel: 'silent', warn: () => {}, values: { authSecret: SECRET, turn: { urls: [link.url], secret: coturn.secret, ttl: 600, relayOnly: true } } });
});
after(async () => {
  await browser?.close();
  await demo?.close();
  await link?.close();
  await coturn?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

interface PeerFigures {
  participantId: string;
  bytesReceived: number;
  bytesSent: number;
  framesDecoded: number;
  concealedSamples: number;
  totalSamples: number;
  audioEnergy: number;
  video?: { width: number; height: number; fps: number };
  route?: { local: string };
}

/** The one remote peer's figures as this page's mesh reports them. */
async function peer(page: Page): Promise<PeerFigures | undefined> {
  const all = await page.evaluate(() => (document.querySelector('tiepdan-room') as unknown as { mediaStats(): Promise<unknown[]> }).mediaStats());
  return (all as PeerFigures[])[0];
}

/** Figures over a stretch of at least `seconds` of received audio (a condition on the audio clock, not a sleep). */
async function over(page: Page, who: string, seconds: number, timeoutMs: number) {
  const start = (await peer(page))!;
  const startedAt = Date.now();
  const end = (await until(`${who}: ${seconds} s more audio received`, () => peer(page), (p) => Boolean(p && p.totalSamples - start.totalSamples >= seconds * 48_000), timeoutMs, 500))!;
  const samples = end.totalSamples - start.totalSamples;
  return {
    concealedShare: (end.concealedSamples - start.concealedSamples) / samples,
    frames: end.framesDecoded - start.framesDecoded,
    energy: end.audioEnergy - start.audioEnergy,
    video: end.video,
    /** What this page sent to its peer over the stretch, in kbit/s (measured before the link, at the sender). */
    sentKbps: ((end.bytesSent - start.bytesSent) * 8) / (Date.now() - startedAt),
  };
}

test('on 3G the citizen stays audible and moving, and after a 10 s outage the call comes back by itself', async (t) => {
  const session = `e2e-field-${process.pid}`;
  const clerk = await openRoom(browser, demo.siteUrl, session, await mintToken(SECRET, { sub: 'e2e-clerk', role: 'clerk', unit: UNIT, name: 'Trần Thị Bình' }), 'clerk', point('sadec-ubnd', 'UBND phường Sa Đéc'));
  await acknowledgeAndJoin(clerk);
  await until('clerk in the room', () => view(clerk), (v) => v === 'room', 30_000);
  await clerk.locator('tiepdan-room #open-room').click();
  await until('room open', () => clerk.locator('tiepdan-room #open-room').count(), (n) => n === 0);

  const citizen = await openRoom(browser, demo.siteUrl, session, await mintJoinToken(SECRET, { reference: 'TCD-3G', sessionId: session, name: 'Nguyễn Văn An' }), 'citizen', '', { width: 360, height: 740 });
  await acknowledgeAndJoin(citizen);
  await until('citizen in the lobby', () => view(citizen), (v) => v === 'lobby', 30_000);
  // The citizen's TURN username is `expiry:participantId`: from here on every flow of theirs crosses the 3G link.
  const citizenId = await citizen.evaluate(() => (document.querySelector('tiepdan-room') as unknown as { participantId: string }).participantId);
  link.impair(citizenId, THREE_G);
  const admittedAt = Date.now();
  await clerk.locator('tiepdan-room ol.queue li').filter({ hasText: 'Nguyễn Văn An' }).getByRole('button', { name: /Mời vào/u }).click();

  const flowing = (p: PeerFigures | undefined) => Boolean(p && p.route?.local === 'relay' && p.framesDecoded > 10 && p.totalSamples > 48_000);
  await Promise.all([until('clerk receives the citizen over 3G', () => peer(clerk), flowing, 60_000), until('citizen receives the clerk over 3G', () => peer(citizen), flowing, 60_000)]);
  t.diagnostic(`3G: admitted → media both ways in ${Date.now() - admittedAt} ms`);
  assert.ok(link.counts().impairedFlows >= 1, 'the citizen’s media really crosses the emulated link');

  // Settle 5 s (the bandwidth estimate ramps to the line), then measure 15 s.
  await over(clerk, 'clerk', 5, 30_000);
  const [atClerk, atCitizen] = await Promise.all([over(clerk, 'clerk', 15, 60_000), over(citizen, 'citizen', 15, 60_000)]);
  const { dropped, forwarded } = link.counts();
  t.diagnostic(`3G, citizen → clerk: concealed ${(atClerk.concealedShare * 100).toFixed(1)} % of audio, video ${JSON.stringify(atClerk.video)}, ${atClerk.frames} frames in 15 s`);
  t.diagnostic(`3G, clerk → citizen: concealed ${(atCitizen.concealedShare * 100).toFixed(1)} % of audio, video ${JSON.stringify(atCitizen.video)}, ${atCitizen.frames} frames in 15 s`);
  t.diagnostic(`emulated link: ${dropped} packets dropped (loss + full buffer) of ${dropped + forwarded}`);
  for (const [who, m] of [['citizen → clerk', atClerk], ['clerk → citizen', atCitizen]] as const) {
    assert.ok(m.concealedShare < MAX_CONCEALED_SHARE, `${who}: ${(m.concealedShare * 100).toFixed(1)} % of the audio concealed`);
    assert.ok(m.energy > 0, `${who}: the voice carries sound`);
    // Moving, not frozen: at least 3 frames a second over the stretch.
    assert.ok(m.frames >= 45, `${who}: ${m.frames} frames decoded in 15 s`);
  }
  // 250 kbit/s up cannot carry the camera at full rate: the citizen's sender must fit its rate to the line (a
  // sender that did not adapt would keep pushing its unconstrained ~1 Mbit/s into the link's queue and lose most
  // of it). Measured at the sender, before the link: picture size or frame rate alone are Chrome's choice (it may
  // lower quality first), the rate is what the line dictates.
  t.diagnostic(`citizen sends ${atCitizen.sentKbps.toFixed(0)} kbit/s into a ${THREE_G.upBps / 1000} kbit/s line`);
  assert.ok(atCitizen.sentKbps > 20 && atCitizen.sentKbps < (THREE_G.upBps / 1000) * 1.2, `the citizen's sender fits the 3G line: ${atCitizen.sentKbps.toFixed(0)} kbit/s`);
  assert.ok(dropped > 0, 'the link did lose packets');

  // A 10 s outage of the citizen's line; the signalling WebSocket is not on it, so nobody leaves the room.
  const before = (await peer(clerk))!;
  await link.outage(10_000);
  // Nothing came through while the line was down (a few packets were already in flight when it went).
  const restored = Date.now();
  // Frames and bytes, not audio samples: the jitter buffer keeps producing (concealed) samples through an outage.
  const back = (p: PeerFigures | undefined, was: PeerFigures) => Boolean(p && p.framesDecoded > was.framesDecoded + 10 && p.bytesReceived > was.bytesReceived + 20_000);
  const duringAtClerk = (await peer(clerk))!;
  const duringAtCitizen = (await peer(citizen))!;
  assert.ok(duringAtClerk.framesDecoded - before.framesDecoded < 30, `the outage stopped the citizen's picture: ${duringAtClerk.framesDecoded - before.framesDecoded} frames`);
  await Promise.all([
    until('clerk hears and sees the citizen again', () => peer(clerk), (p) => back(p, duringAtClerk), MAX_RECOVERY_MS, 250),
    until('citizen hears and sees the clerk again', () => peer(citizen), (p) => back(p, duringAtCitizen), MAX_RECOVERY_MS, 250),
  ]);
  t.diagnostic(`outage of 10 s: both directions back ${Date.now() - restored} ms after the line returned (frames before it: ${before.framesDecoded})`);
  assert.equal(await view(citizen), 'room', 'the citizen is still in the room');
  await clerk.context().close();
  await citizen.context().close();
});
