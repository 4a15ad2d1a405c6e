/**
 * A cheap phone in the room (issue 18 §4): the citizen's page at 360×740 with Chromium's CPU slowed 6× (CDP
 * `Emulation.setCPUThrottlingRate`, the main thread of that page's renderer), admitted into a room with three
 * officials whose cameras it must decode. What must hold: the citizen keeps hearing each official and keeps
 * decoding each official's picture, and the clerk keeps hearing the citizen.
 *
 * "Keeps hearing" is judged against a control in the same room at the same time, not against the clock: the share
 * of concealed audio samples (getStats) at the throttled page may exceed, by at most a few points, what an
 * unthrottled page conceals of the same sender over the same stretch, and stays under a loose absolute bound. On a
 * shared 2-core machine the load raises every page's concealment alike (this test once failed at load ≈ 20 with a
 * fixed 10 % bound: 9–14 %); what the throttle alone would break shows as the difference. Stretches are counted in
 * received audio samples and decoded frames, never in wall-clock rates.
 *
 * One Chromium process for all four, one fake camera (640×360 at 15 fps, a connection point's picture in a mesh)
 * and microphone: the participants need not be told apart here, only received.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
// @ts-expect-error: plain ESM helpers without types.
import { startDemo } from '../../examples/demo.mjs';
import { mintJoinToken, mintToken } from '../../packages/server/dist/index.js';
import { launchWithMedia, makeFakeMedia } from './fake-media.js';
import { acknowledgeAndJoin, diagnostics, openRoom, point, until, view } from './room-pages.js';

const SECRET = 'e2e-cheap-phone-secret-0123456789-abcdefgh';
const UNIT = 'dongthap.sadec';
const THROTTLE = 6;
/** Past this share of concealed samples speech breaks up whatever the cause: the loose absolute bound. */
const MAX_CONCEALED_SHARE = 0.25;
/** How much more the throttled page may conceal than an unthrottled one of the same sender at the same time. */
const MARGIN = 0.05;
/** Seconds of received audio per stretch; in it at least one decoded frame per second of audio from each official. */
const STRETCH_S = 10;

let browser: Browser;
let demo: { siteUrl: string; close(): Promise<void> };
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-e2e-cheap-'));
  browser = await launchWithMedia(makeFakeMedia(dataDir, 'everyone', [120, 120, 120], 700, { width: 640, height: 360, fps: 15 }));
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
  const of = (all: PeerFigures[], id: string) => all.find((p) => p.participantId === id);
  const end = await until(`${who}: ${seconds} s more audio from everyone`, () => peers(page), (all) => start.every((s) => (of(all, s.participantId)?.totalSamples ?? 0) - s.totalSamples >= seconds * 48_000), timeoutMs, 500);
  return new Map(start.map((s) => {
    const e = of(end, s.participantId)!;
    return [s.participantId, { concealedShare: (e.concealedSamples - s.concealedSamples) / (e.totalSamples - s.totalSamples), frames: e.framesDecoded - s.framesDecoded, energy: e.audioEnergy - s.audioEnergy }];
  }));
}

const participantId = (page: Page) => page.evaluate(() => (document.querySelector('tiepdan-room') as unknown as { participantId: string }).participantId);
const pct = (share: number) => `${(share * 100).toFixed(1)} %`;

test('at 6× CPU throttle on a 360×740 phone the citizen keeps hearing and decoding three officials as well as an unthrottled page does, and is heard', async (t) => {
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
  const [citizen, clerk, chair, official] = await Promise.all([joinCitizen(), ...roles.map(joinOfficial)]) as [Page, Page, Page, Page];
  await clerk.locator('tiepdan-room ol.queue li').filter({ hasText: 'Nguyễn Văn An' }).getByRole('button', { name: /Mời vào/u }).click();
  const admittedAt = Date.now();

  const pages = [citizen, clerk, chair, official];
  const flowing = (all: PeerFigures[]) => all.length === 3 && all.every((p) => p.framesDecoded > 10 && p.totalSamples > 48_000);
  for (const [page, who] of [[citizen, 'the throttled citizen'], [clerk, 'the clerk'], [chair, 'the chair'], [official, 'the official']] as const) {
    await until(`${who} receives the three others`, () => peers(page), flowing, 90_000).catch(async (error: Error) => {
      throw new Error(`${error.message}; peer connections: ${await diagnostics(pages)}`);
    });
  }
  t.diagnostic(`6× throttle: admitted → media both ways between all four in ${Date.now() - admittedAt} ms`);
  const [citizenId, clerkId, chairId, officialId] = await Promise.all(pages.map(participantId));

  // Settle 3 s, then one stretch measured on every page at once: what the citizen receives and, as the control,
  // what an unthrottled page receives from the same sender.
  await stretch(citizen, 'citizen', 3, 60_000);
  const [atCitizen, atClerk, atChair, atOfficial] = await Promise.all([stretch(citizen, 'citizen', STRETCH_S, 90_000), stretch(clerk, 'clerk', STRETCH_S, 90_000), stretch(chair, 'chair', STRETCH_S, 90_000), stretch(official, 'official', STRETCH_S, 90_000)]);
  const controls = [['clerk', clerkId, atChair], ['chair', chairId, atOfficial], ['official', officialId, atClerk]] as const;
  for (const [sender, id, control] of controls) {
    const got = atCitizen.get(id!)!;
    const unthrottled = control.get(id!)!;
    t.diagnostic(`from the ${sender}: the throttled citizen concealed ${pct(got.concealedShare)} of the audio (an unthrottled page ${pct(unthrottled.concealedShare)}), decoded ${got.frames} frames (unthrottled ${unthrottled.frames})`);
    assert.ok(got.concealedShare <= unthrottled.concealedShare + MARGIN, `the citizen hears the ${sender} as well as an unthrottled page: ${pct(got.concealedShare)} concealed against ${pct(unthrottled.concealedShare)}`);
    assert.ok(got.concealedShare < MAX_CONCEALED_SHARE, `the citizen hears the ${sender}: ${pct(got.concealedShare)} concealed`);
    assert.ok(got.energy > 0, `the citizen receives sound from the ${sender}`);
    assert.ok(got.frames >= STRETCH_S, `the citizen decodes the ${sender}'s picture: ${got.frames} frames in ${STRETCH_S} s of audio`);
  }
  // The citizen's voice at the clerk, against the chair's (unthrottled) voice at the clerk.
  const heard = atClerk.get(citizenId!)!;
  const chairAtClerk = atClerk.get(chairId!)!;
  t.diagnostic(`at the clerk: the throttled citizen's audio concealed ${pct(heard.concealedShare)}, the chair's ${pct(chairAtClerk.concealedShare)}; the citizen's picture ${heard.frames} frames`);
  assert.ok(heard.concealedShare <= chairAtClerk.concealedShare + MARGIN, `the clerk hears the throttled citizen as well as the chair: ${pct(heard.concealedShare)} against ${pct(chairAtClerk.concealedShare)}`);
  assert.ok(heard.concealedShare < MAX_CONCEALED_SHARE, `the clerk hears the throttled citizen: ${pct(heard.concealedShare)} concealed`);
  assert.ok(heard.energy > 0, 'the clerk receives the citizen’s sound');
  assert.equal(await view(citizen), 'room');
  for (const page of pages) await page.context().close();
});
