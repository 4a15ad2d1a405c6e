/**
 * The recording holds the session (issue 9 §4): four participants, each in its own Chromium process with its own
 * fake camera (a plain colour) and microphone (a beeping tone), and the ward's recorder page in its default mode
 * (`capture="room"`: the room's hidden, receive-only recorder). About 30 s are recorded with everyone in; then,
 * in the finalized file, a frame from the middle of that stretch shows each participant's colour in a tile, the
 * sound carries each participant's tone (its band's energy well above a band nobody uses), and
 * `tiepdan-server verify --public-key` exits 0.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { Browser, Page } from 'playwright-core';
// @ts-expect-error: plain ESM helpers without types.
import { startDemo } from '../../examples/demo.mjs';
import { mintJoinToken, mintToken } from '../../packages/signaling/dist/index.js';
import { colourOf, launchWithMedia, makeFakeMedia, type FakeMedia } from '../e2e/fake-media.js';
import { acknowledgeAndJoin, openRoom, point, until, view } from '../e2e/room-pages.js';

const SECRET = 'e2e-recording-room-secret-0123456789-abcdef';
const SESSION = `e2e-rec-room-${process.pid}`;
const UNIT = 'dongthap.sadec';
const WARD = point('sadec-ubnd', 'UBND phường Sa Đéc');
const OTHER = point('dongthap-tinh', 'Trụ sở Tiếp công dân tỉnh Đồng Tháp');
/** Seconds recorded once all four are in the recorder's picture. */
const WITH_EVERYONE_S = 30;
/** A band no participant's tone is in: the floor the tones are measured against. */
const CONTROL_HZ = 2300;
const CLI = resolve(import.meta.dirname, '../../packages/signaling/dist/cli.js');

let demo: { siteUrl: string; apiUrl: string; close(): Promise<void> };
let dataDir: string;
const browsers: Browser[] = [];

interface RecorderState {
  acked: number;
  role?: string;
  state?: string;
  /** Tiles that have a picture playing in the recorder's compositor. */
  live: string[];
}

const recorderState = (page: Page): Promise<RecorderState> =>
  page.evaluate(() => {
    const el = document.querySelector('tiepdan-recorder') as unknown as {
      status?: { acked: number; role: string; recordingState: string };
      roomSource?: { tiles(): { id: string; name: string; stream: MediaStream | null }[] };
    };
    const tiles = el.roomSource?.tiles() ?? [];
    return { acked: el.status?.acked ?? 0, role: el.status?.role, state: el.status?.recordingState, live: tiles.filter((t) => t.stream?.getVideoTracks().some((v) => v.readyState === 'live')).map((t) => t.name) };
  });

/** The mean volume (dB) of one frequency band of the file's sound from `from` for `seconds`. */
function bandVolume(file: string, hz: number, from: number, seconds: number): number {
  const out = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-ss', String(from), '-t', String(seconds), '-i', file, '-vn', '-af', `bandpass=f=${hz}:width_type=q:w=8,bandpass=f=${hz}:width_type=q:w=8,volumedetect`, '-f', 'null', '-'], { encoding: 'utf8' });
  const mean = /mean_volume: (-?[\d.]+) dB/u.exec(out.stderr);
  assert.ok(mean, out.stderr.slice(-500));
  return Number(mean[1]);
}

describe('the recording holds the session', () => {
  const people: Record<'clerk' | 'chair' | 'official' | 'citizen', { name: string; media: FakeMedia }> = {} as never;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-e2e-rec-room-'));
    demo = await startDemo({ port: 0, sitePort: 0, dataDir, env: {}, logLevel: 'silent', warn: () => {}, values: { authSecret: SECRET, recording: { leaseMs: 5000, heartbeatMs: 500, drainMs: 15_000 } } });
    people.clerk = { name: 'Trần Thị Bình', media: makeFakeMedia(dataDir, 'clerk', [220, 30, 30], 500) };
    people.chair = { name: 'Lê Văn Cường', media: makeFakeMedia(dataDir, 'chair', [30, 200, 40], 900) };
    people.official = { name: 'Phạm Minh Đức', media: makeFakeMedia(dataDir, 'official', [40, 60, 220], 1700) };
    people.citizen = { name: 'Nguyễn Văn An', media: makeFakeMedia(dataDir, 'citizen', [230, 220, 40], 3100) };
  });
  after(async () => {
    for (const b of browsers) await b.close().catch(() => undefined);
    await demo?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test(`four participants, ${WITH_EVERYONE_S} s: every colour in a tile of the middle frame, every tone in the sound, verify passes`, async (t) => {
    const token = (sub: string, role: 'chair' | 'clerk' | 'official' | 'operator', name: string) => mintToken(SECRET, { sub, role, unit: UNIT, name });
    const all = Object.values(people).map((p) => p.media);
    const open = async (who: keyof typeof people, tok: string, extra: string) => {
      const browser = await launchWithMedia(people[who].media);
      browsers.push(browser);
      const page = await openRoom(browser, demo.siteUrl, SESSION, tok, who, extra);
      await acknowledgeAndJoin(page);
      return { browser, page };
    };

    // The point's recorder page waits first (in the clerk's browser process: it captures nothing of its own).
    const clerk = await open('clerk', await token('e2e-clerk', 'clerk', people.clerk.name), WARD);
    const recorderContext = await clerk.browser.newContext({ viewport: { width: 1000, height: 700 } });
    const recorder = await recorderContext.newPage();
    await recorder.goto(`${demo.siteUrl}/recorder.html#session=${SESSION}&token=${await token('e2e-operator', 'operator', 'Kỹ thuật điểm cầu')}&recorderId=rec-room`);
    await until('recorder waiting', () => recorder.evaluate(() => (document.querySelector('tiepdan-recorder') as unknown as { phase: string }).phase), (p) => p === 'waiting', 30_000);

    await until('clerk in the room', () => view(clerk.page), (v) => v === 'room', 30_000);
    await clerk.page.locator('tiepdan-room #open-room').click();
    await until('recording', () => recorderState(recorder), (s) => s.role === 'active' && s.state === 'recording', 30_000);
    const { page: chair } = await open('chair', await token('e2e-chair', 'chair', people.chair.name), WARD);
    const { page: official } = await open('official', await token('e2e-official', 'official', people.official.name), OTHER);
    const { page: citizen } = await open('citizen', await mintJoinToken(SECRET, { reference: 'TCD-E2E-5555', sessionId: SESSION, name: people.citizen.name }), '');
    await until('officials in the room', async () => [await view(chair), await view(official)], (v) => v.every((x) => x === 'room'), 30_000);
    await until('citizen in the lobby', () => view(citizen), (v) => v === 'lobby', 30_000);
    await clerk.page.locator('tiepdan-room ol.queue li').filter({ hasText: people.citizen.name }).getByRole('button', { name: /Mời vào/u }).click();
    await until('citizen admitted', () => view(citizen), (v) => v === 'room', 30_000);

    // Everyone's picture arrives at the recorder; from then on, WITH_EVERYONE_S seconds of acknowledged chunks.
    const names = Object.values(people).map((p) => p.name);
    const everyone = await until('all four live at the recorder', () => recorderState(recorder), (s) => names.every((n) => s.live.includes(n)), 60_000);
    const from = everyone.acked;
    await until(`${WITH_EVERYONE_S} s recorded with everyone`, () => recorderState(recorder), (s) => s.acked >= from + WITH_EVERYONE_S, (WITH_EVERYONE_S + 60) * 1000, 500);

    // The chair ends the session (over its own socket: a second identity, so the chair's page stays as it is).
    const ws = new WebSocket(`${demo.apiUrl.replace(/^http/u, 'ws')}/ws`);
    await new Promise((ok, fail) => (ws.once('open', ok), ws.once('error', fail)));
    const replies = new Map<string, (f: any) => void>();
    ws.on('message', (d) => {
      const f = JSON.parse(String(d));
      if (f.id) replies.get(f.id)?.(f);
    });
    const request = (id: string, body: object) => new Promise<any>((ok) => (replies.set(id, ok), ws.send(JSON.stringify({ v: 1, id, ...body }))));
    assert.equal((await request('h', { type: 'hello', sessionId: SESSION, auth: { kind: 'official', token: await token('e2e-chair-end', 'chair', 'Chủ tịch') } })).type, 'result');
    assert.equal((await request('e', { type: 'room.end' })).type, 'result');
    ws.close();

    const headers = { authorization: `Bearer ${await token('e2e-chair-end', 'chair', 'Chủ tịch')}` };
    const recordingId = ((await (await fetch(`${demo.apiUrl}/api/v1/recordings/by-session/${SESSION}`, { headers })).json()) as { recording: { id: string } }).recording.id;
    const rec = await until('finalized', async () => ((await (await fetch(`${demo.apiUrl}/api/v1/recordings/${recordingId}`, { headers })).json()) as { recording: any }).recording, (r) => r.state === 'finalized' || Boolean(r.lastError), 60_000, 500);
    assert.equal(rec.lastError, null);
    const dir = join(dataDir, 'recordings', recordingId);
    const file = join(dir, 'recording.webm');
    const duration = Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file]).toString().trim());
    // The stretch with everyone is the file's last WITH_EVERYONE_S seconds or so (chunks are about a second).
    const everyoneFrom = Math.max(0, duration - WITH_EVERYONE_S);
    const middle = everyoneFrom + (duration - everyoneFrom) / 2;
    t.diagnostic(`file ${duration.toFixed(1)} s, everyone from ${everyoneFrom.toFixed(1)} s, frame at ${middle.toFixed(1)} s`);

    // The middle frame, as RGB: every participant's colour covers a tile's worth of it.
    const [width, height] = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file]).toString().trim().split(',').map(Number) as [number, number];
    const frame = execFileSync('ffmpeg', ['-v', 'error', '-ss', middle.toFixed(2), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 64 * 1024 * 1024 });
    assert.equal(frame.length, width * height * 3);
    const share: Record<string, number> = {};
    for (let i = 0; i < frame.length; i += 3 * 7) {
      const who = colourOf([frame[i]!, frame[i + 1]!, frame[i + 2]!], all, 60);
      if (who) share[who] = (share[who] ?? 0) + 1;
    }
    const samples = frame.length / (3 * 7);
    t.diagnostic(`colour share of the frame: ${Object.entries(share).map(([k, v]) => `${k} ${((100 * v) / samples).toFixed(1)} %`).join(', ')}`);
    // Four tiles in a 2×2 grid, each picture letterboxed: well over 5 % of the frame each.
    for (const m of all) assert.ok((share[m.name] ?? 0) / samples > 0.05, `${m.name}'s colour covers ${(((share[m.name] ?? 0) / samples) * 100).toFixed(1)} % of the middle frame`);

    // The sound: each tone's band well above the control band, over the stretch with everyone.
    const control = bandVolume(file, CONTROL_HZ, everyoneFrom, duration - everyoneFrom);
    const bands = Object.fromEntries(all.map((m) => [m.name, bandVolume(file, m.tone, everyoneFrom, duration - everyoneFrom)]));
    t.diagnostic(`band mean volume: control ${CONTROL_HZ} Hz ${control} dB; ${all.map((m) => `${m.name} ${m.tone} Hz ${bands[m.name]} dB`).join(', ')}`);
    for (const m of all) assert.ok(bands[m.name]! > control + 10, `${m.name}'s ${m.tone} Hz: ${bands[m.name]} dB against ${control} dB in the control band`);

    // verify, pinned to the key the server publishes.
    const keys = (await (await fetch(`${demo.apiUrl}/api/v1/recordings/keys`)).json()) as { keys: { publicKey: string; validUntil: string | null }[] };
    const pem = join(dataDir, 'recording-key.pem');
    writeFileSync(pem, keys.keys.find((k) => k.validUntil === null)!.publicKey);
    const verified = await new Promise<{ code: number; out: string }>((done) =>
      execFile(process.execPath, [CLI, 'verify', dir, '--public-key', pem], (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` })),
    );
    assert.equal(verified.code, 0, verified.out);
  });
});
