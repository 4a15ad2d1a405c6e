/**
 * A finalization on a node that stalled past its lock (issue 13, fencing). Two `tiepdan-server` processes on one
 * real Redis and one store (a shared SQLite folder, or PostgreSQL with both nodes on one recordings folder), with
 * a stand-in RFC 3161 authority (tsa-helpers.ts) that holds node A's request:
 *
 * A starts finalizing (it runs the room and the watchdog, and takes the finalization lock) and waits for the TSA.
 * A is then stopped (SIGSTOP: a long GC pause, a frozen VM) past the lock's lease. B takes the watchdog over, finds
 * the finalization left behind, takes the lapsed lock under a higher epoch, gets its own token and finalizes. Then
 * A resumes and gets its TSA answer: it still believes it holds the lock, and without the fence it would write its
 * manifest over B's and its hash into the row. With the fence it is refused before the bundle's writes and inside
 * `finalized`'s transaction: B's files and row stand, A writes nothing and logs why.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { SignalingClient, type WebSocketConstructor } from '@tiepdan/core/browser';
import type { ConfigInput } from '../src/index.js';
import { jobLeaseKey, lockKey } from '../src/cluster/redis.js';
import { MANIFEST_FILE, SIGNATURE_FILE, TIMESTAMP_FILE } from '../src/recording/manifest/manifest.js';
import { removeDir, tempDir } from './helpers.js';
import { chunks, makeWebm, Recorder } from './recording-helpers.js';
import { redisUnavailable, startRedis, type RedisServer } from './redis-server.js';
import { ROOM_STORES, stopRoomStores } from './room-stores.js';
import { TEST_NOTICE, until } from './rooms-helpers.js';
import { bearer, send, startServerProcess, writeConfig, type ServerProcess } from './server-process.js';
import { startTsa, type TestTsa } from './tsa-helpers.js';

const LEASE_MS = 1500;
const RECORDING = { leaseMs: 3000, heartbeatMs: 300, drainMs: 500 };
const ROOMS = { resumeWindowMs: 30_000, heartbeatIntervalMs: 300, authTimeoutMs: 10_000, messagesPerSecond: 10_000, messageBurst: 10_000 };
const WAIT = 30_000;
const REFUSED = 'recording finalization refused: another node took its lock over';
const WATCHING = 'recording watchdog runs on this node';

type Name = 'a' | 'b';


after(stopRoomStores);

for (const store of ROOM_STORES) describe(`a finalization on a node stalled past its lock, store ${store.name}`, { skip: redisUnavailable ?? store.unavailable }, () => {
  const root = tempDir('tiepdan-recording-fence-');
  // Both nodes on one data folder: the recordings (fs storage) and, on SQLite, the store.
  const shared = join(root, 'data');
  let redis: RedisServer;
  let tsa: TestTsa;
  let closeStore = async () => {};
  const nodes = new Map<Name, ServerProcess>();
  const clients: SignalingClient[] = [];
  const alive = (name: Name) => nodes.get(name)!.child.exitCode === null && nodes.get(name)!.child.signalCode === null;
  const logged = (name: Name, msg: string) => nodes.get(name)!.logs.filter((l) => l.msg === msg);
  const api = (name: Name) => `${nodes.get(name)!.url}/api/v1`;

  before(async () => {
    redis = await startRedis();
    tsa = await startTsa();
    const opened = await store.open(shared);
    closeStore = opened.close;
    // A long TSA timeout: A's request must still be waiting when A resumes, not time out while it is stopped.
    const recording: ConfigInput['recording'] = { ...RECORDING, timestamping: { url: tsa.url, caCertificates: tsa.caPem, timeoutMs: 120_000 } };
    for (const name of ['a', 'b'] as const) {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      nodes.set(name, await startServerProcess(writeConfig(dir, { ...opened.values, dataDir: shared, rooms: ROOMS, recording, bus: { kind: 'redis', url: redis.url, leaseMs: LEASE_MS, nodeId: `node-${name}` } })));
      // One after the other: A applies the migrations and takes the jobs.
      if (name === 'a') await until(() => logged('a', WATCHING).length === 1, WAIT, 'node A runs the watchdog');
    }
  });
  after(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    for (const name of nodes.keys()) {
      if (!alive(name)) continue;
      nodes.get(name)!.child.kill('SIGCONT');
      nodes.get(name)!.child.kill('SIGKILL');
    }
    await Promise.all([...nodes.values()].map((n) => n.exited));
    await tsa?.close();
    await closeStore();
    await redis?.stop();
    removeDir(root);
  });

  test("the stale node's manifest never replaces the one the node that took over wrote", async () => {
    const sessionId = `rec-fence-${store.name}-${process.pid}`;
    const operator = await bearer('operator', 'operator.fence');
    const waiting = await send(api('a'), operator, 'POST', `/recordings/sessions/${sessionId}/recorders`, { recorderId: 'rec-f', pointId: 'sadec-ubnd' });
    assert.equal(waiting.status, 200, JSON.stringify(waiting.body));
    const chair = new SignalingClient({ url: `${nodes.get('a')!.url.replace(/^http/u, 'ws')}/ws`, sessionId, auth: { kind: 'official', token: await bearer('chair', 'chair.fence') }, WebSocket: WebSocket as unknown as WebSocketConstructor, backoff: { initialMs: 100, maxMs: 400 }, onlineTarget: undefined, requestTimeoutMs: WAIT, notice: TEST_NOTICE });
    clients.push(chair);
    await chair.connect();
    // On a loaded machine the chair's socket may drop (300 ms heartbeats) and resume: a request that could not
    // reach the server is sent again once the client is back; one that did and was answered with an error is not.
    const ask = async (type: 'room.open' | 'room.end') => {
      for (const deadline = Date.now() + WAIT; ; ) {
        try {
          return await chair.request(type, {});
        } catch (error) {
          if ((error as { body?: { error?: { code?: string } } }).body?.error?.code !== 'network' || Date.now() > deadline) throw error;
          await until(() => chair.state === 'connected' || chair.state === 'resumed', WAIT, 'the chair is back');
        }
      }
    };
    await ask('room.open');
    const opened = await send(api('a'), operator, 'GET', `/recordings/by-session/${sessionId}`);
    assert.equal(opened.status, 200, JSON.stringify(opened.body));
    const recordingId = opened.body.recording.id as string;
    const recorder = new Recorder(api('a'), operator, recordingId, 'rec-f');
    assert.equal((await recorder.heartbeat()).role, 'active');
    const parts = chunks(makeWebm(2), 8000);
    for (const [seq, part] of parts.entries()) {
      const ack = await recorder.send(seq, part, { last: seq === parts.length - 1 });
      assert.equal(ack.status, 200, JSON.stringify(ack.body));
    }

    // A (the room's node) finalizes when the session ends, and waits for the TSA, which holds A's request.
    const heldForA = tsa.hold();
    await ask('room.end');
    await heldForA.arrived;
    assert.equal(await redis.client().get(lockKey(`recording:${recordingId}:finalize`)), 'node-a', 'A holds the finalization lock while it waits');

    nodes.get('a')!.child.kill('SIGSTOP');
    // B takes the watchdog, then the finalization A left (its lock lapsed), and finishes with its own token.
    let final: any;
    await until(async () => ((final = (await send(api('b'), operator, 'GET', `/recordings/${recordingId}`)).body?.recording), final?.state === 'finalized'), WAIT, 'B finalizes');
    assert.equal(await redis.client().get(jobLeaseKey('recording-watchdog')), 'node-b');
    const dir = join(shared, 'recordings', recordingId);
    const files = () => [MANIFEST_FILE, SIGNATURE_FILE, TIMESTAMP_FILE].map((f) => readFileSync(join(dir, f)));
    const written = files();
    assert.equal(tsa.answered, 1, "only B's request was answered so far");

    // A resumes and its TSA answer comes: it still believes it holds the lock.
    nodes.get('a')!.child.kill('SIGCONT');
    heldForA.release();
    await until(async () => {
      if (logged('a', REFUSED).length > 0) return true;
      const now = (await send(api('b'), operator, 'GET', `/recordings/${recordingId}`)).body?.recording;
      // Without the fence: A's own manifest (another finalizedAt, another token) lands on B's.
      return now?.manifestSha256 !== final.manifestSha256 || !readFileSync(join(dir, MANIFEST_FILE)).equals(written[0]!);
    }, WAIT, "A's finalization ends (refused, or writing over B's)");
    assert.equal(tsa.answered, 2, "A's request was answered");
    // Asked through A, the recording is B's: row and files.
    const after = (await send(api('a'), operator, 'GET', `/recordings/${recordingId}`)).body.recording;
    assert.deepEqual([after.state, after.manifestSha256, after.lastError], ['finalized', final.manifestSha256, null], "the row keeps B's manifest hash, and no failure is noted");
    const now = files();
    for (const [i, name] of [MANIFEST_FILE, SIGNATURE_FILE, TIMESTAMP_FILE].entries()) assert.ok(now[i]!.equals(written[i]!), `${name} is still B's`);
    assert.equal(logged('a', REFUSED).length, 1, `A says why it wrote nothing: ${JSON.stringify(nodes.get('a')!.logs.filter((l) => String(l.msg).includes('finaliz')))}`);
    const refusal = logged('a', REFUSED)[0] as { err?: { message?: string }; recordingId?: string };
    assert.equal(refusal.recordingId, recordingId);
    assert.match(refusal.err?.message ?? '', /later holder/u);
    assert.equal(logged('a', 'recording finalization failed; it will be tried again').length, 0, 'a refusal is not a failure to retry');
  });
});
