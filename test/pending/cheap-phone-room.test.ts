/**
 * A cheap phone in the room (issue 18 §4): the citizen's page at 360×740 with Chromium's CPU slowed 6× (CDP
 * `Emulation.setCPUThrottlingRate`, the main thread of that page's renderer), admitted into a room with three
 * officials whose cameras it must decode. What must hold: the citizen keeps hearing each official (the share of
 * concealed audio samples under a bound, sound energy received), keeps decoding each official's picture, and the
 * clerk keeps hearing the citizen. The figures (concealment, frames decoded per peer) go to the test's diagnostics.
 *
 * One Chromium process for all four (Chrome's default fake camera and beeping microphone): the participants need
 * not be told apart here, only received.
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
import { mintJoinToken, mintToken } from '../../packages/signaling/dist/index.js';
import { acknowledgeAndJoin, diagnostics, openRoom, point, until, view } from '../e2e/room-pages.js';

const SECRET = 'e2e-cheap-phone-secret-0123456789-abcdefgh';
const UNIT = 'dongthap.sadec';
const THROTTLE = 6;
/** As on 3G (field-network.test.ts): a tenth of the samples concealed is where speech starts to break up. */
const MAX_CONCEALED_SHARE = 0.1;
/** Decoding, not frozen: at least 2 frames a second from each official over the stretch. */
const MIN_FPS = 2;
const STRETCH_S = 10;

let browser: Browser;
let demo: { siteUrl: string; close(): Promise<void> };
let dataDir: string;

before(async () => {
  browser = await chromium.launch({ executablePath: chromiumPath() as string, args: chromiumArgs() as string[] });
  dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-e2e-cheap-'));
  demo = await startDemo({ port: 0, sitePort: 0, dataDir, env: {}, logLevel: 'silent', warn: () => {}, values: { authSecret: SECRET } });
});
after(async () => {
  await browser?.close();
  await demo?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

interface PeerFigures {
  participantId: string;
  framesDecoded: number;
  concealedSamples: number;
  totalSamples: number;
  audioEnergy: number;
}

const peers = (page: Page) => page.evaluate(() => (document.querySelector('tiepdan-room') as unknown as { mediaStats(): Promise<unknown[]> }).mediaStats()) as Promise<PeerFigures[]>;

/** Per peer, what this page received over at least `seconds` of audio from every peer (awaited on the audio clock). */
async function stretch(page: Page, who: string, seconds: number, timeoutMs: number) {
  const start = await peers(page);
  const startedAt = Date.now();
  const of = (all: PeerFigures[], id: string) => all.find((p) => p.participantId === id);
  const end = await until(`${who}: ${seconds} s more audio from everyone`, () => peers(page), (all) => start.every((s) => (of(all, s.participantId)?.totalSamples ?? 0) - s.totalSamples >= seconds * 48_000), timeoutMs, 500);
  const elapsedS = (Date.now() - startedAt) / 1000;
  return start.map((s) => {
    const e = of(end, s.participantId)!;
    return {
      participantId: s.participantId,
      concealedShare: (e.concealedSamples - s.concealedSamples) / (e.totalSamples - s.totalSamples),
      fps: (e.framesDecoded - s.framesDecoded) / elapsedS,
      energy: e.audioEnergy - s.audioEnergy,
    };
  });
}

test('at 6× CPU throttle on a 360×740 phone the citizen keeps hearing and decoding three officials, and is heard', async (t) => {
  const session = `e2e-cheap-${process.pid}`;
  const ward = point('sadec-ubnd', 'UBND phường Sa Đéc');
  // Everyone opens their page at once (the machine has 2 cores: the steps overlap instead of queueing).
  const roles = [['clerk', 'Trần Thị Bình', ward], ['chair', 'Lê Văn Cường', ward], ['official', 'Võ Thị Thu', point('dongthap-tinh', 'Trụ sở Tiếp công dân tỉnh Đồng Tháp')]] as const;
  const joinOfficial = async ([role, name, where]: (typeof roles)[number]) => {
    const page = await openRoom(browser, demo.siteUrl, session, await mintToken(SECRET, { sub: `e2e-${role}`, role, unit: UNIT, name }), role, where, { width: 640, height: 480 });
    await acknowledgeAndJoin(page);
    await until(`${role} in the room`, () => view(page), (v) => v === 'room', 60_000);
    if (role === 'clerk') {
      await page.locator('tiepdan-room #open-room').click();
      await until('room open', () => page.locator('tiepdan-room #open-room').count(), (n) => n === 0);
    }
    return page;
  };
  const joinCitizen = async () => {
    const page = await openRoom(browser, demo.siteUrl, session, await mintJoinToken(SECRET, { reference: 'TCD-PHONE', sessionId: session, name: 'Nguyễn Văn An' }), 'citizen', '', { width: 360, height: 740 });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
    await acknowledgeAndJoin(page);
    await until('citizen in the lobby', () => view(page), (v) => v === 'lobby', 60_000);
    return page;
  };
  const [citizen, ...officials] = await Promise.all([joinCitizen(), ...roles.map(joinOfficial)]);
  const clerk = officials[0]!;
  await clerk.locator('tiepdan-room ol.queue li').filter({ hasText: 'Nguyễn Văn An' }).getByRole('button', { name: /Mời vào/u }).click();
  const admittedAt = Date.now();

  const flowing = (all: PeerFigures[], count: number) => all.length === count && all.every((p) => p.framesDecoded > 10 && p.totalSamples > 48_000);
  await until('the throttled citizen receives the three officials', () => peers(citizen), (all) => flowing(all, 3), 90_000).catch(async (error: Error) => {
    throw new Error(`${error.message}; peer connections: ${await diagnostics([citizen, ...officials])}`);
  });
  t.diagnostic(`6× throttle: admitted → media from all three officials at the citizen in ${Date.now() - admittedAt} ms`);

  // Settle 3 s, then measure at the citizen and, at the same time, the citizen's voice at the clerk.
  await stretch(citizen, 'citizen', 3, 60_000);
  const citizenId = await citizen.evaluate(() => (document.querySelector('tiepdan-room') as unknown as { participantId: string }).participantId);
  const [atCitizen, atClerk] = await Promise.all([stretch(citizen, 'citizen', STRETCH_S, 90_000), stretch(clerk, 'clerk', STRETCH_S, 90_000)]);
  for (const p of atCitizen) {
    t.diagnostic(`at the citizen, from ${p.participantId}: concealed ${(p.concealedShare * 100).toFixed(1)} % of audio, video ${p.fps.toFixed(1)} frames/s decoded`);
    assert.ok(p.concealedShare < MAX_CONCEALED_SHARE, `the citizen hears ${p.participantId}: ${(p.concealedShare * 100).toFixed(1)} % concealed`);
    assert.ok(p.energy > 0, `the citizen receives sound from ${p.participantId}`);
    assert.ok(p.fps >= MIN_FPS, `the citizen decodes ${p.participantId}'s picture: ${p.fps.toFixed(1)} frames/s`);
  }
  const heard = atClerk.find((p) => p.participantId === citizenId);
  assert.ok(heard, 'the clerk has the citizen as a peer');
  t.diagnostic(`at the clerk, from the citizen: concealed ${(heard.concealedShare * 100).toFixed(1)} % of audio, video ${heard.fps.toFixed(1)} frames/s`);
  assert.ok(heard.concealedShare < MAX_CONCEALED_SHARE, `the clerk hears the throttled citizen: ${(heard.concealedShare * 100).toFixed(1)} % concealed`);
  assert.ok(heard.energy > 0, 'the clerk receives the citizen’s sound');
  assert.equal(await view(citizen), 'room');
  for (const page of [citizen, ...officials]) await page.context().close();
});
