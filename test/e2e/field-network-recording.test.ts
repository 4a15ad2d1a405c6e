/**
 * The recording of a reception on a citizen's 3G line (issue 18 §2, "the recording still carries the citizen's
 * voice"): the same emulated line as field-network.test.ts (`impaired-link.ts`, user space because this kernel has
 * no `sch_netem`; ≈ 750 kbit/s down, 250 up, 200 ms RTT, 2 % loss, shared by all the citizen's connections) and a
 * 10 s outage, relay-only through a real coturn, with the connection point's headless recorder
 * (`tiepdan-server record`, its own Chromium, on a good line) recording the session. Each participant's
 * microphone beeps at its own tone (fake-media.ts).
 *
 * What must hold, read from the finalized file second by second (ffmpeg band levels): the citizen's tone is in the
 * recording through the 3G stretch and again after the outage; the outage itself is recorded as a gap in the
 * citizen's sound while the recording goes on (the clerk's tone carries on through it), not cut out of the file
 * and not the end of the citizen's sound; every chunk the recorder sent is in the recording, which verifies.
 */
import assert from 'node:assert/strict';
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
// @ts-expect-error: plain ESM helpers without types.
import { startDemo } from '../../examples/demo.mjs';
import { mintJoinToken, mintToken } from '../../packages/server/dist/index.js';
import { startCoturn, type Coturn } from './coturn.js';
import { launchWithMedia, makeFakeMedia, type FakeMedia } from './fake-media.js';
import { deviceCredentialFile, runHeadlessRecorder } from './headless-recorder.js';
import { startImpairedLink, THREE_G, type ImpairedLink } from './impaired-link.js';
import { bandLevelsPerSecond, durationOf, verifyWithPublishedKey } from './recording-analysis.js';
import { acknowledgeAndJoin, officialInRoom, openRoom, point, until, view } from './room-pages.js';

const SECRET = 'e2e-field-recording-secret-0123456789-abcdef';
const UNIT = 'dongthap.sadec';
/** Seconds recorded with the citizen on 3G before the outage, and after the citizen is back. */
const ON_3G_S = 20;
const AFTER_S = 15;
const OUTAGE_MS = 10_000;
/** As in field-network.test.ts. */
const MAX_RECOVERY_MS = 15_000;
/** A band nobody's tone is in: a tone is "in" a second of the file when it is this far above it. */
const CONTROL_HZ = 2300;
const ABOVE_CONTROL_DB = 10;
/** Of the seconds of a stretch, the share in which a tone must be heard (2 % loss is concealed, not silent). */
const MIN_PRESENT_SHARE = 0.8;

let coturn: Coturn;
let link: ImpairedLink;
let demo: { apiUrl: string; siteUrl: string; demoAccounts: { username: string; role: string; password: string }[]; close(): Promise<void> };
let dataDir: string;
const browsers: Browser[] = [];
const children: ChildProcess[] = [];
let media: { citizen: FakeMedia; clerk: FakeMedia };

before(async () => {
  coturn = await startCoturn();
  link = await startImpairedLink({ host: '127.0.0.1', port: coturn.port });
  dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-e2e-field-rec-'));
  demo = await startDemo({
    port: 0, sitePort: 0, dataDir, env: {}, logLevel: 'silent', warn: () => {},
    values: {
      authSecret: SECRET,
      turn: { urls: [link.url], secret: coturn.secret, ttl: 600, relayOnly: true },
      // As in reception-day: a 10 s lease holds on a loaded 2-core machine; the drain ends at the last chunk.
      recording: { leaseMs: 10_000, drainMs: 30_000 },
    },
  });
  media = { citizen: makeFakeMedia(dataDir, 'citizen', [230, 220, 40], 3100), clerk: makeFakeMedia(dataDir, 'clerk', [220, 30, 30], 500) };
  browsers.push(...(await Promise.all([launchWithMedia(media.citizen), launchWithMedia(media.clerk)])));
});
after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const b of browsers) await b.close().catch(() => undefined);
  await demo?.close();
  await link?.close();
  await coturn?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

interface PeerFigures {
  participantId: string;
  bytesReceived: number;
  framesDecoded: number;
  concealedSamples: number;
  totalSamples: number;
  route?: { local: string };
}

/** This page's figures for one remote participant (the recorder is a peer too, receive-only). */
async function peer(page: Page, id: string): Promise<PeerFigures | undefined> {
  const all = (await page.evaluate(() => (document.querySelector('tiepdan-room') as unknown as { mediaStats(): Promise<unknown[]> }).mediaStats())) as PeerFigures[];
  return all.find((p) => p.participantId === id);
}

const participantId = (page: Page) => page.evaluate(() => (document.querySelector('tiepdan-room') as unknown as { participantId: string }).participantId);

/** Runs of one kind in a boolean timeline: [from, length, value]. */
function runs(timeline: boolean[]): { from: number; length: number; on: boolean }[] {
  const out: { from: number; length: number; on: boolean }[] = [];
  timeline.forEach((on, i) => (out.at(-1)?.on === on ? (out.at(-1)!.length += 1) : out.push({ from: i, length: 1, on })));
  return out;
}

const share = (timeline: boolean[], from: number, to: number) => timeline.slice(from, to).filter(Boolean).length / Math.max(1, to - from);

test('on 3G with a 10 s outage the recording carries the citizen\'s voice before and after it, and records the outage as a gap', { timeout: 600_000 }, async (t) => {
  const session = `e2e-field-rec-${process.pid}`;
  const recorder = runHeadlessRecorder({ apiUrl: demo.apiUrl, session, tokenFile: await deviceCredentialFile(demo, dataDir), recorderId: 'sadec-ubnd-headless', profileDir: join(dataDir, 'recorder-profile') });
  children.push(recorder.child);

  const clerk = await openRoom(browsers[1]!, demo.siteUrl, session, await mintToken(SECRET, { sub: 'e2e-clerk', role: 'clerk', unit: UNIT, name: 'Trần Thị Bình' }), 'clerk', point('sadec-ubnd', 'UBND phường Sa Đéc'));
  await acknowledgeAndJoin(clerk);
  await until('clerk in the room', () => view(clerk), (v) => v === 'room', 30_000);
  await recorder.until('the recorder waiting for the session', (r) => r.phase === 'waiting', 90_000);
  await clerk.locator('tiepdan-room #open-room').click();
  await until('room open', () => clerk.locator('tiepdan-room #open-room').count(), (n) => n === 0, 30_000);
  await recorder.until('the recorder elected and recording', (r) => r.role === 'active' && r.state === 'recording', 60_000);

  const citizen = await openRoom(browsers[0]!, demo.siteUrl, session, await mintJoinToken(SECRET, { reference: 'TCD-3G-REC', sessionId: session, name: 'Nguyễn Văn An' }), 'citizen', '', { width: 360, height: 740 });
  await acknowledgeAndJoin(citizen);
  await until('citizen in the lobby', () => view(citizen), (v) => v === 'lobby', 30_000);
  const citizenId = await participantId(citizen);
  // From here on every flow of the citizen's (to the clerk and to the recorder) crosses the one 3G line.
  link.impair(citizenId, THREE_G);
  await clerk.locator('tiepdan-room ol.queue li').filter({ hasText: 'Nguyễn Văn An' }).getByRole('button', { name: /Mời vào/u }).click();
  await until('citizen admitted', () => view(citizen), (v) => v === 'room', 30_000);
  const flowing = (p: PeerFigures | undefined) => Boolean(p && p.route?.local === 'relay' && p.framesDecoded > 10 && p.totalSamples > 48_000);
  await until('clerk receives the citizen over 3G', () => peer(clerk, citizenId), flowing, 60_000);
  const both = await recorder.until('both pictured at the recorder', (r) => r.tiles === 2 && r.pictured === 2, 90_000);
  assert.ok(link.counts().impairedFlows >= 2, `the citizen's media to the clerk and to the recorder crosses the emulated line: ${link.counts().impairedFlows} flows`);

  // ON_3G_S seconds recorded with the citizen on 3G (chunks of a second, acknowledged by the server).
  const onLine = await peer(clerk, citizenId);
  const beforeOutage = await recorder.until(`${ON_3G_S} s recorded on 3G`, (r) => (r.acked ?? 0) >= (both.acked ?? 0) + ON_3G_S, (ON_3G_S + 60) * 1000);
  const atClerk = (await peer(clerk, citizenId))!;
  t.diagnostic(`3G, citizen → clerk while recorded: concealed ${(((atClerk.concealedSamples - onLine!.concealedSamples) / (atClerk.totalSamples - onLine!.totalSamples)) * 100).toFixed(1)} % of audio`);

  await link.outage(OUTAGE_MS);
  const restored = Date.now();
  const lineBack = recorder.lines.at(-1)!;
  const back = (p: PeerFigures | undefined) => Boolean(p && p.framesDecoded > atClerk.framesDecoded + 10 && p.bytesReceived > atClerk.bytesReceived + 20_000);
  await until('clerk hears and sees the citizen again', () => peer(clerk, citizenId), back, MAX_RECOVERY_MS, 250);
  t.diagnostic(`outage: citizen back at the clerk ${Date.now() - restored} ms after the line returned`);
  const recovered = recorder.lines.at(-1)!;
  await recorder.until(`${AFTER_S} s recorded after the outage`, (r) => (r.acked ?? 0) >= (recovered.acked ?? 0) + AFTER_S, (AFTER_S + 60) * 1000);
  t.diagnostic(`chunks acknowledged: both pictured ${both.acked}, outage from ${beforeOutage.acked}, line back ${lineBack.acked}, citizen back ${recovered.acked}`);

  // The chair ends the session (over the signalling socket); the recorder exits by itself, the file is made.
  const chair = await officialInRoom(demo.apiUrl, session, await mintToken(SECRET, { sub: 'e2e-chair', role: 'chair', unit: UNIT, name: 'Lê Văn Cường' }));
  const ended = await chair.request('room.end');
  assert.equal(ended.type, 'result', JSON.stringify(ended.error));
  chair.close();
  assert.equal(await recorder.exited, 0, 'the recorder exits 0 once the session is over and everything is sent');
  const headers = { authorization: `Bearer ${await mintToken(SECRET, { sub: 'e2e-chair', role: 'chair', unit: UNIT, name: 'Lê Văn Cường' })}` };
  const { recording } = (await (await fetch(`${demo.apiUrl}/api/v1/recordings/by-session/${session}`, { headers })).json()) as { recording: { id: string } };
  const rec = await until('the recording finalized', async () => ((await (await fetch(`${demo.apiUrl}/api/v1/recordings/${recording.id}`, { headers })).json()) as { recording: any }).recording, (r) => r.state === 'finalized' || Boolean(r.lastError), 60_000, 500);
  assert.equal(rec.lastError, null);
  assert.deepEqual(rec.missing, []);
  assert.equal(rec.segments.count, recorder.lines.at(-1)!.acked, 'every chunk the recorder sent is in the recording');

  // Second by second: is the citizen's tone, is the clerk's tone in the sound?
  const dir = join(dataDir, 'recordings', recording.id);
  const file = join(dir, 'recording.webm');
  const [control, citizenLevels, clerkLevels] = bandLevelsPerSecond(file, [CONTROL_HZ, media.citizen.tone, media.clerk.tone]) as [number[], number[], number[]];
  const heard = (levels: number[]) => levels.map((l, i) => l > (control[i] ?? -Infinity) + ABOVE_CONTROL_DB);
  const [citizenIn, clerkIn] = [heard(citizenLevels), heard(clerkLevels)];
  const line = (timeline: boolean[], mark: string) => timeline.map((on) => (on ? mark : '.')).join('');
  t.diagnostic(`file ${durationOf(file).toFixed(1)} s; each second, citizen's ${media.citizen.tone} Hz: ${line(citizenIn, 'c')}`);
  t.diagnostic(`file, each second, clerk's ${media.clerk.tone} Hz:   ${line(clerkIn, 'k')}`);

  // From the citizen's first second in the file to the last: the longest silence of theirs in between is the outage.
  const first = citizenIn.indexOf(true);
  const last = citizenIn.lastIndexOf(true);
  assert.ok(first >= 0, `the citizen's tone is in the recording: ${line(citizenIn, 'c')}`);
  const gap = runs(citizenIn.slice(first, last + 1)).filter((r) => !r.on).sort((a, b) => b.length - a.length)[0];
  assert.ok(gap, `the outage left a gap in the citizen's sound: ${line(citizenIn, 'c')}`);
  const [gapFrom, gapTo] = [first + gap.from, first + gap.from + gap.length];
  t.diagnostic(`citizen's sound: from ${first} s, gap ${gapFrom}–${gapTo} s (${gap.length} s), to ${last} s; in ${(share(citizenIn, first, gapFrom) * 100).toFixed(0)} % of the seconds before the gap, ${(share(citizenIn, gapTo, last + 1) * 100).toFixed(0)} % after; clerk's in ${(share(clerkIn, gapFrom, gapTo) * 100).toFixed(0)} % of the gap`);
  // The 3G stretch: recorded (ON_3G_S s were acknowledged after both were pictured) and the citizen heard in it.
  assert.ok(gapFrom - first >= ON_3G_S / 2, `the citizen is heard for ${gapFrom - first} s before the outage`);
  assert.ok(share(citizenIn, first, gapFrom) >= MIN_PRESENT_SHARE, `the citizen is heard on 3G: ${line(citizenIn.slice(first, gapFrom), 'c')}`);
  // The outage is in the file as a gap as long as the outage give or take the recovery: recorded, not cut out.
  assert.ok(gap.length >= OUTAGE_MS / 2000 && gap.length <= (OUTAGE_MS + MAX_RECOVERY_MS) / 1000 + 5, `a gap of ${gap.length} s for a ${OUTAGE_MS / 1000} s outage`);
  assert.ok(share(clerkIn, gapFrom, gapTo) >= MIN_PRESENT_SHARE, `the recording goes on through the outage (the clerk is heard): ${line(clerkIn.slice(gapFrom, gapTo), 'k')}`);
  // And the citizen's voice is back in the recording after it.
  assert.ok(last + 1 - gapTo >= AFTER_S / 2, `the citizen is heard for ${last + 1 - gapTo} s after the outage`);
  assert.ok(share(citizenIn, gapTo, last + 1) >= MIN_PRESENT_SHARE, `the citizen is heard after the outage: ${line(citizenIn.slice(gapTo), 'c')}`);

  const verified = await verifyWithPublishedKey(demo.apiUrl, dir, dataDir);
  assert.equal(verified.code, 0, verified.out);
  for (const b of [clerk, citizen]) await b.context().close();
});
