/**
 * The headless recorder, `tiepdan-server record --session ID`, as a deployment runs it: the built CLI in its own
 * process, Debian's Chromium through playwright-core, and the device credential a connection point's operator is
 * issued at sign-in (docs/sign-in.md), read from a file. Before anything is opened it waits for the session as a
 * standby; the chair's `room.open` (over the signaling WebSocket) creates the recording and elects it; `room.end`
 * finalizes the recording, the process exits 0 by itself, and `verify` passes. A second run is stopped with
 * SIGTERM mid-session: it sends what it has, leaves the election (its lease ends `left`, not lapsed) and exits 0.
 */
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
// @ts-expect-error: plain ESM helpers without types.
import { startDemo } from '../../examples/demo.mjs';
import { mintToken } from '../../packages/server/dist/index.js';
import { CLI, deviceCredentialFile, runHeadlessRecorder } from './headless-recorder.js';
import { officialInRoom } from './room-pages.js';

const SECRET = 'e2e-headless-recorder-secret-0123456789-abcdef';
const UNIT = 'dongthap.sadec';
/** Short leases (a failover fits in the test); a long drain costs nothing (finalized at the last chunk). */
const RECORDING = { leaseMs: 3000, heartbeatMs: 300, drainMs: 15_000 };

let demo: { siteUrl: string; apiUrl: string; demoAccounts: { username: string; role: string; password: string }[]; close(): Promise<void> };
let dataDir: string;
let tokenFile: string;
let chairToken: string;
const children: ChildProcess[] = [];

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-e2e-headless-'));
  demo = await startDemo({ port: 0, sitePort: 0, dataDir, env: {}, logLevel: 'silent', warn: () => {}, values: { authSecret: SECRET, recording: RECORDING } });
  chairToken = await mintToken(SECRET, { sub: 'e2e-chair', role: 'chair', unit: UNIT, name: 'Chủ tịch UBND phường' });
  tokenFile = await deviceCredentialFile(demo, dataDir);
});

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await demo?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function api(path: string): Promise<any> {
  const res = await fetch(`${demo.apiUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${chairToken}` } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Runs the CLI; collects its report lines and lets a test await one. */
function record(session: string, recorderId: string) {
  const recorder = runHeadlessRecorder({ apiUrl: demo.apiUrl, session, tokenFile, recorderId, profileDir: join(dataDir, `profile-${recorderId}`) });
  children.push(recorder.child);
  return recorder;
}

/** The chair in the room, over the signaling WebSocket. */
const chairInRoom = (session: string) => officialInRoom(demo.apiUrl, session, chairToken);

async function finalized(recordingId: string): Promise<any> {
  const deadline = Date.now() + 40_000;
  for (;;) {
    const rec = (await api(`/recordings/${recordingId}`)).recording;
    if (rec.state === 'finalized' || rec.lastError) return rec;
    if (Date.now() > deadline) throw new Error(`not finalized: ${JSON.stringify(rec)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('tiepdan-server record (headless recorder)', () => {
  test('waits for the session, is elected when the chair opens the room, records until the end, exits 0; the bundle verifies', async (t) => {
    const session = `e2e-headless-${process.pid}-1`;
    const chair = await chairInRoom(session);
    const recorder = record(session, 'headless-a');
    await recorder.until('waiting for the chair', (r) => r.phase === 'waiting' && /chờ chủ trì mở phòng/u.test(r.text), 60_000);
    assert.equal((await fetch(`${demo.apiUrl}/api/v1/recordings/by-session/${session}`, { headers: { authorization: `Bearer ${chairToken}` } })).status, 404, 'nothing exists before the room is opened');

    const opened = await chair.request('room.open');
    assert.equal(opened.type, 'result', JSON.stringify(opened.error));
    const openedAt = Date.now();
    const recordingId = (await api(`/recordings/by-session/${session}`)).recording.id as string;
    const active = await recorder.until('elected and recording', (r) => r.role === 'active' && r.epoch === 1, 30_000);
    t.diagnostic(`room open → headless recorder active ${Date.now() - openedAt} ms`);
    assert.match(active.text, /Đang ghi hình/u);
    const server = (await api(`/recordings/${recordingId}`)).recording;
    assert.equal(server.holder?.recorderId, 'headless-a');
    await recorder.until('four chunks acknowledged', (r) => (r.acked ?? 0) >= 4, 30_000);

    assert.equal((await chair.request('room.end')).type, 'result');
    chair.close();
    assert.equal(await recorder.exited, 0, 'exits by itself once the session is over');
    const rec = await finalized(recordingId);
    assert.equal(rec.lastError, null);
    assert.deepEqual(rec.missing, []);
    const last = recorder.lines.at(-1)!;
    assert.equal(last.role, 'stopped');
    assert.equal(rec.segments.count, last.acked, 'every chunk it sent is in the recording');

    const dir = join(dataDir, 'recordings', recordingId);
    const keys = join(dataDir, 'published-keys.json');
    writeFileSync(keys, await (await fetch(`${demo.apiUrl}/api/v1/recordings/keys`)).text());
    const verified = await new Promise<{ code: number; out: string }>((done) =>
      execFile(process.execPath, [CLI, 'verify', dir, '--keys', keys], (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` })),
    );
    assert.equal(verified.code, 0, verified.out);
  });

  test('SIGTERM mid-session: sends what it has, leaves the election (lease ended "left"), exits 0', async () => {
    const session = `e2e-headless-${process.pid}-2`;
    const chair = await chairInRoom(session);
    const recorder = record(session, 'headless-b');
    await recorder.until('waiting for the chair', (r) => r.phase === 'waiting', 60_000);
    assert.equal((await chair.request('room.open')).type, 'result');
    const recordingId = (await api(`/recordings/by-session/${session}`)).recording.id as string;
    const before = await recorder.until('two chunks acknowledged', (r) => r.role === 'active' && (r.acked ?? 0) >= 2, 30_000);

    recorder.child.kill('SIGTERM');
    assert.equal(await recorder.exited, 0);
    const rec = (await api(`/recordings/${recordingId}`)).recording;
    assert.equal(rec.holder, null, 'no lease left to lapse: a standby would be elected at once');
    assert.equal(rec.leases[0].endReason, 'left');
    assert.ok(rec.segments.count >= before.acked!, `${rec.segments.count} segments stored, ${before.acked} acknowledged before the signal`);
    assert.deepEqual(rec.missing, []);
    assert.equal((await chair.request('room.end')).type, 'result');
    chair.close();
  });
});
