/**
 * Recording end to end: the ward site's recorder page (<tiepdan-recorder>, the fake camera and microphone, strict
 * CSP, the tick worker served by the ward site) against the real demo server with short leases. The chair opens
 * the room over the signaling WebSocket (refused until a recorder is active), ends it with `room.end`, and the
 * recording is finalized: the file passes ffprobe with the session's duration and `tiepdan-server verify`
 * exits 0. Then a recorder page is closed mid-session with a standby page open: the standby takes over within
 * the lease goal, the manifest shows the gap, and no acknowledged chunk is missing.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
// @ts-expect-error: plain ESM helpers without types.
import { startDemo } from '../../examples/demo.mjs';
// @ts-expect-error: plain ESM helpers without types.
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import { mintToken } from '../../packages/signaling/dist/index.js';

const SECRET = 'e2e-recording-auth-secret-0123456789-abcdefgh';
const UNIT = 'dongthap.sadec';
/** Short leases so a failover fits in the test: worst case ≈ lease + lease/5 + heartbeat ≈ 2.7 s. */
const RECORDING = { leaseMs: 2000, heartbeatMs: 300, drainMs: 2000 };
const FAILOVER_GOAL_MS = 5000;
const SESSION_SECONDS = 30;
const CLI = resolve(import.meta.dirname, '../../packages/signaling/dist/cli.js');

let demo: { siteUrl: string; apiUrl: string; close(): Promise<void> };
let browser: Browser;
let dataDir: string;
const contexts: BrowserContext[] = [];
const tokens: Record<string, string> = {};

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-e2e-rec-'));
  demo = await startDemo({ port: 0, sitePort: 0, dataDir, env: {}, logLevel: 'silent', warn: () => {}, values: { authSecret: SECRET, recording: RECORDING } });
  browser = await chromium.launch({ executablePath: chromiumPath() as string, args: chromiumArgs() as string[] });
  for (const role of ['chair', 'clerk', 'operator'] as const) tokens[role] = await mintToken(SECRET, { sub: `e2e-${role}`, role, unit: UNIT, name: `Cán bộ ${role}` });
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await demo?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function api(method: string, path: string, token = tokens.chair!): Promise<any> {
  const res = await fetch(`${demo.apiUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

interface PageStatus {
  role?: string;
  epoch?: number;
  capturing?: boolean;
  acked?: number;
  pending?: number;
  orphaned?: number;
  tick?: string;
  audio?: boolean;
  text?: string;
}

async function openRecorder(session: string, recorderId: string, token: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  await context.grantPermissions(['camera', 'microphone']);
  contexts.push(context);
  const page = await context.newPage();
  if (process.env.RECORDING_DEBUG) page.on('console', (m) => console.log(recorderId, m.type(), m.text()));
  await page.goto(`${demo.siteUrl}/recorder.html#session=${session}&token=${token}&recorderId=${recorderId}&point=sadec-ubnd&pointName=${encodeURIComponent('UBND phường Sa Đéc')}&label=${encodeURIComponent('Máy ghi ' + recorderId)}`);
  return page;
}

const statusOf = (page: Page): Promise<PageStatus> =>
  page.evaluate(() => {
    const el = document.querySelector('tiepdan-recorder') as unknown as { status?: PageStatus; compositor?: { tickKind: string; audioRunning: boolean }; shadowRoot: ShadowRoot | null } | null;
    return { ...(el?.status ?? {}), tick: el?.compositor?.tickKind, audio: el?.compositor?.audioRunning, text: el?.shadowRoot?.querySelector('#state')?.textContent ?? '' };
  });

/** The chair in the room, over the signaling WebSocket. */
async function chairInRoom(session: string): Promise<{ request(type: string): Promise<any>; close(): void }> {
  const ws = new WebSocket(`${demo.apiUrl.replace(/^http/u, 'ws')}/ws`);
  await new Promise((ok, fail) => (ws.once('open', ok), ws.once('error', fail)));
  let next = 1;
  const waiting = new Map<string, (frame: any) => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    if (frame.id && waiting.has(frame.id)) waiting.get(frame.id)!(frame);
  });
  const request = (type: string, params: Record<string, unknown> = {}) =>
    new Promise<any>((ok) => {
      const id = `r${next++}`;
      waiting.set(id, ok);
      ws.send(JSON.stringify({ v: 1, id, type, ...params }));
    });
  const hello = await request('hello', { sessionId: session, auth: { kind: 'official', token: tokens.chair } });
  assert.equal(hello.type, 'result', JSON.stringify(hello.error));
  return { request: (type) => request(type), close: () => ws.close() };
}

/** `tiepdan-server verify`, pinned to the key history the server publishes (GET /recordings/keys). */
async function verify(dir: string): Promise<{ code: number; out: string }> {
  const keys = join(dataDir, 'published-keys.json');
  writeFileSync(keys, await (await fetch(`${demo.apiUrl}/api/v1/recordings/keys`)).text());
  return new Promise((done) => {
    execFile(process.execPath, [CLI, 'verify', dir, '--keys', keys], (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }));
  });
}

function duration(file: string): number {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file]).toString().trim());
}

function streams(file: string): string[] {
  return execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'default=nw=1:nk=1', file]).toString().trim().split('\n');
}

async function finalized(recordingId: string): Promise<any> {
  return until('finalized', async () => (await api('GET', `/recordings/${recordingId}`)).recording, (r) => r.state === 'finalized' || Boolean(r.lastError), 30_000, 250);
}

describe('recording end to end', () => {
  test(`records a ${SESSION_SECONDS} s session in one page; the chair's room.end finalizes it; ffprobe and verify pass`, async (t) => {
    const session = `e2e-rec-${process.pid}-1`;
    const chair = await chairInRoom(session);
    const page = await openRecorder(session, 'rec-one', tokens.clerk!);
    // The recorder opens the session's recording (the clerk may) and is elected.
    const active = await until('recorder active', () => statusOf(page), (s) => s.role === 'active' && s.capturing === true, 20_000, 50);
    assert.equal(active.epoch, 1);
    assert.equal(active.tick, 'worker', 'the compositor ticks from the worker the ward site serves');
    assert.match(active.text ?? '', /Đang ghi hình/u);
    assert.equal(active.audio, true, 'the audio mix runs without a click (the page captures the microphone)');

    const opened = await chair.request('room.open');
    assert.equal(opened.type, 'result', JSON.stringify(opened.error));
    const openedAt = Date.now();
    const recordingId = (await api('GET', `/recordings/by-session/${session}`)).recording.id as string;
    assert.equal((await api('GET', `/recordings/${recordingId}`)).recording.state, 'recording');

    await new Promise((r) => setTimeout(r, SESSION_SECONDS * 1000));
    const beforeEnd = await statusOf(page);
    // About one chunk a second (MediaRecorder's timeslice is not exact under load), and uploads keep up.
    assert.ok((beforeEnd.acked ?? 0) >= SESSION_SECONDS * 0.6, `acked ${beforeEnd.acked}`);
    assert.ok((beforeEnd.pending ?? 99) <= 3, `pending ${beforeEnd.pending}`);

    const ended = await chair.request('room.end');
    assert.equal(ended.type, 'result');
    const endedAt = Date.now();
    chair.close();
    const rec = await finalized(recordingId);
    assert.equal(rec.lastError, null);
    assert.deepEqual(rec.missing, []);
    const after = await until('recorder stopped', () => statusOf(page), (s) => s.role === 'stopped');
    assert.equal(after.pending, 0);
    assert.equal(rec.segments.count, after.acked);

    const dir = join(dataDir, 'recordings', recordingId);
    const file = join(dir, 'recording.webm');
    const seconds = duration(file);
    const sessionSeconds = (endedAt - openedAt) / 1000;
    t.diagnostic(`file ${seconds.toFixed(2)} s, session ${sessionSeconds.toFixed(2)} s, ${rec.segments.count} segments`);
    assert.ok(Math.abs(seconds - sessionSeconds) <= 1, `file ${seconds.toFixed(2)} s, session ${sessionSeconds.toFixed(2)} s`);
    assert.deepEqual(streams(file).sort(), ['opus', 'vp8'].sort());
    // The mix carries sound (the fake microphone's beeps), not a silent track from a suspended AudioContext.
    const probe = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-af', 'volumedetect', '-vn', '-f', 'null', '-'], { encoding: 'utf8' });
    const max = /max_volume: (-?[\d.]+) dB/u.exec(probe.stderr);
    t.diagnostic(`max volume ${max?.[1]} dB`);
    assert.ok(max && Number(max[1]) > -40, `audio max volume ${max?.[1]} dB`);
    const verified = await verify(dir);
    assert.equal(verified.code, 0, verified.out);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const captured = (manifest.segments as { capturedAt: string | null }[]).map((seg) => Date.parse(seg.capturedAt ?? ''));
    t.diagnostic(`first chunk ${((captured[0]! - openedAt) / 1000).toFixed(2)} s from the opening, last chunk starts ${((captured.at(-1)! - endedAt) / 1000).toFixed(2)} s from the end; streams ${execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,duration:stream_tags=DURATION', '-of', 'csv=p=0', file]).toString().trim().replace(/\n/gu, ' | ')}`);
    assert.deepEqual(manifest.gaps, []);
  });

  test('a recorder page closed mid-session: the standby takes over within the lease goal, the gap is in the manifest, no acknowledged chunk is missing', async (t) => {
    const session = `e2e-rec-${process.pid}-2`;
    const chair = await chairInRoom(session);
    const first = await openRecorder(session, 'rec-a', tokens.clerk!);
    await until('first active', () => statusOf(first), (s) => s.role === 'active' && s.capturing === true, 20_000, 50);
    const second = await openRecorder(session, 'rec-b', tokens.operator!);
    await until('second standby', () => statusOf(second), (s) => s.role === 'standby');
    assert.equal((await chair.request('room.open')).type, 'result');
    const recordingId = (await api('GET', `/recordings/by-session/${session}`)).recording.id as string;

    // Until the first page has had four chunks acknowledged (the leases say why, if it never does).
    const lastSeen = await until('four chunks acknowledged by the first recorder', () => statusOf(first), (s) => (s.acked ?? 0) >= 4, 30_000).catch(async (error: Error) => {
      throw new Error(`${error.message}; server: ${JSON.stringify((await api('GET', `/recordings/${recordingId}`)).recording.leases)}`);
    });
    const ackedByFirst = lastSeen.acked ?? 0;
    const closedAt = Date.now();
    await first.close();

    const takeover = await until('standby elected and capturing', () => statusOf(second), (s) => s.role === 'active' && s.capturing === true && (s.epoch ?? 0) >= 2, 10_000, 50);
    const failoverMs = Date.now() - closedAt;
    t.diagnostic(`failover ${failoverMs} ms`);
    assert.ok(failoverMs <= FAILOVER_GOAL_MS, `failover took ${failoverMs} ms`);
    assert.match(takeover.text ?? '', /Đang ghi hình/u);

    await until('four chunks acknowledged by the standby', () => statusOf(second), (s) => (s.acked ?? 0) >= 4, 30_000);
    assert.equal((await chair.request('room.end')).type, 'result');
    chair.close();
    const rec = await finalized(recordingId);
    assert.equal(rec.lastError, null);

    const dir = join(dataDir, 'recordings', recordingId);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const epoch1 = (manifest.segments as { epoch: number; seq: number }[]).filter((s) => s.epoch === 1).map((s) => s.seq);
    // The standby's epoch (2, or later if its own lease ever lapsed under load: each lease is its own stream from seq 0).
    const epoch2 = (manifest.segments as { epoch: number; seq: number }[]).filter((s) => s.epoch === takeover.epoch).map((s) => s.seq);
    // Every chunk the first page saw acknowledged is in the manifest, in order from seq 0.
    assert.ok(epoch1.length >= ackedByFirst, `epoch 1 has ${epoch1.length}, ${ackedByFirst} were acknowledged`);
    assert.deepEqual(epoch1.slice(0, ackedByFirst), [...Array(ackedByFirst).keys()]);
    assert.ok(epoch2.length >= 4 && epoch2[0] === 0, `epoch 2: ${epoch2.join(',')}`);
    const failover = (manifest.gaps as { kind: string; fromEpoch?: number; toEpoch?: number }[]).filter((g) => g.kind === 'failover');
    assert.equal(failover.length, takeover.epoch! - 1, JSON.stringify(manifest.gaps));
    assert.deepEqual([failover[0]!.fromEpoch, failover[0]!.toEpoch], [1, 2]);
    const verified = await verify(dir);
    assert.equal(verified.code, 0, verified.out);
  });
});
