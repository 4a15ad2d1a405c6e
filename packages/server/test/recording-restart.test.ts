/**
 * The server killed (SIGKILL, no clean shutdown) in the middle of an upload, then started again on the same data
 * folder: the recorder keeps its lease, learns from its heartbeat where to resume, sends again from its first
 * unacknowledged chunk, and every chunk that was acknowledged before the kill is there, byte for byte.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { mintToken } from '../src/index.js';
import { removeDir, tempDir, UNIT } from './helpers.js';
import { call, chunks, durationOf, ffprobeDuration, makeWebm, Recorder, sha256, waitFor } from './recording-helpers.js';

const CLI = resolve(import.meta.dirname, '../src/cli.ts');
const SECRET = 'restart-secret-restart-secret-0123456789';
const dataDir = tempDir('tiepdan-restart-');
const configFile = join(dataDir, 'config.json');
writeFileSync(
  configFile,
  JSON.stringify({
    mode: 'development',
    port: 0,
    dataDir,
    logLevel: 'info',
    authSecret: SECRET,
    dataKey: randomBytes(32).toString('base64'),
    rateLimits: { enabled: false },
    units: [{ code: UNIT, name: 'UBND phường Sa Đéc', provinceCode: '82', connectionPoints: [{ id: 'sadec-ubnd', name: 'Trụ sở' }] }],
    recording: { leaseMs: 1500, heartbeatMs: 300, drainMs: 200 },
  }),
);
const children: ChildProcess[] = [];

after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  removeDir(dataDir);
});

/** Starts the real CLI server; resolves with its API base once it logs that it listens. */
function startChild(): Promise<{ child: ChildProcess; api: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start', '--config', configFile], { cwd: resolve(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((done, fail) => {
    child.once('exit', (code) => fail(new Error(`server exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'tiepdan server listening' && entry.url) done({ child, api: `${entry.url}/api/v1` });
      } catch {
        // not a log line
      }
    });
  });
}

describe('server restarted mid-upload', () => {
  it('loses nothing acknowledged: the recorder resumes from the last ack and the finalized media is whole', async () => {
    const source = makeWebm(6);
    const parts = chunks(source, 6000);
    let server = await startChild();
    const clerk = await mintToken(SECRET, { sub: 'clerk.test', role: 'clerk', unit: UNIT });
    const chair = await mintToken(SECRET, { sub: 'chair.test', role: 'chair', unit: UNIT });
    const opened = await call(server.api, clerk, 'POST', '/recordings', { sessionId: 'restart-1', unit: UNIT });
    assert.equal(opened.status, 201);
    const id = opened.body.recording.id as string;
    const rec = new Recorder(server.api, await mintToken(SECRET, { sub: 'operator.a', role: 'operator', unit: UNIT }), id, 'a');
    await rec.register();
    assert.equal(rec.epoch, 1);

    const acked = new Map<number, string>();
    for (let seq = 0; seq < 5; seq += 1) {
      const res = await rec.send(seq, parts[seq]!);
      assert.equal(res.status, 200);
      acked.set(seq, res.body.ack.sha256);
    }
    // Chunk 5 in flight when the server is killed.
    const inflight = rec.send(5, parts[5]!).then(
      (res) => (res.status === 200 ? acked.set(5, res.body.ack.sha256) : undefined),
      () => undefined,
    );
    server.child.kill('SIGKILL');
    await inflight;
    if (server.child.exitCode === null && server.child.signalCode === null) await new Promise((r) => server.child.once('exit', r));
    // What a crash mid-write leaves behind: a torn temporary file, never acknowledged.
    writeFileSync(join(dataDir, 'recordings', id, 'segments', '.e000001-s00000006.chunk.torn.tmp'), parts[6]!.subarray(0, 100));

    server = await startChild();
    rec.api = server.api;
    const beat = await rec.heartbeat();
    assert.equal(beat.role, 'active', 'the lease survived the restart');
    assert.equal(beat.epoch, 1);
    assert.ok(beat.resume!.nextSeq >= acked.size, `resume at ${beat.resume!.nextSeq}, ${acked.size} acknowledged`);
    for (let seq = beat.resume!.nextSeq; seq < parts.length; seq += 1) {
      const res = await rec.send(seq, parts[seq]!, { last: seq === parts.length - 1 });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      acked.set(seq, res.body.ack.sha256);
    }
    // A retry of a chunk acknowledged before the kill is answered as a duplicate, not stored twice.
    const again = await rec.send(2, parts[2]!);
    assert.equal(again.body.ack.duplicate, true);

    assert.equal((await call(server.api, chair, 'POST', `/recordings/${id}/end`)).status, 202);
    await waitFor(async () => ((await call(server.api, chair, 'GET', `/recordings/${id}`)).body.recording.state === 'finalized' ? true : undefined), 20_000, 'finalized');

    const dir = join(dataDir, 'recordings', id);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.deepEqual(manifest.gaps, []);
    assert.equal(manifest.segments.length, parts.length);
    for (const [seq, hash] of acked) {
      const segment = manifest.segments.find((s: any) => s.seq === seq);
      assert.equal(segment?.sha256, hash, `acknowledged chunk ${seq}`);
      assert.equal(sha256(readFileSync(join(dir, segment.file))), hash);
    }
    const joined = Buffer.concat(manifest.segments.map((s: any) => readFileSync(join(dir, s.file))));
    assert.ok(joined.equals(source), 'the stored stream is the recorded stream, byte for byte');
    assert.ok(Math.abs(ffprobeDuration(join(dir, 'recording.webm')) - durationOf(source)) < 1);
    assert.equal(readFileSync(join(dir, 'segments', '..', 'manifest.json')).length > 0, true);
    const leftovers = (await import('node:fs')).readdirSync(join(dir, 'segments')).filter((n) => n.endsWith('.tmp'));
    assert.deepEqual(leftovers, [], 'the torn temporary file was swept');
    server.child.kill('SIGTERM');
  });
});
