/**
 * Two server processes (`tiepdan-server start`) on one real Redis (`bus: { kind: 'redis' }`) and one SQLite data
 * folder (the rooms, the recording and the desk are not on PostgreSQL yet; see docs/deploy.md): the background jobs
 * run once, and the recording is coordinated across the nodes.
 *
 * - The notice dispatcher and the recording watchdog (with its file sweeps) run on one node, the holder of each
 *   job's lease in Redis; a notice queued through the other node is sent by the holder at once (the kick crosses),
 *   never by both; `kill -9` of the holder → the other node takes both jobs and sends what is queued next.
 * - A recorder that waits for a session on node A is found by node B, which runs the room: opening the room
 *   there creates the recording and elects that recorder.
 * - Chunks of one stream go to A and B in turn (and one chunk to both at once): every one is acknowledged once,
 *   and no node reports a chunk missing that the other stored.
 * - The recorder goes silent: the watchdog (on whichever node) ends its lease and the chair, on the room's node,
 *   hears the alarm; the recorder comes back, a new epoch is granted and the alarm is cleared. The head ends the
 *   session and the recording is finalized with every chunk.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { SignalingClient, type WebSocketConstructor } from '@tiepdan/core/browser';
import { jobLeaseKey } from '../src/cluster/redis.js';
import { leaseKey } from '../src/rooms/bus-redis.js';
import { PROVISIONAL_OFF, removeDir, tempDir, postJson, submitJson, uuidv7, validRegistration } from './helpers.js';
import { chunks, makeWebm, Recorder } from './recording-helpers.js';
import { redisUnavailable, startRedis, type RedisServer } from './redis-server.js';
import { until } from './rooms-helpers.js';
import { sessionInput } from './schedule-helpers.js';
import { bearer, send, startServerProcess, writeConfig, type ServerProcess } from './server-process.js';

const LEASE_MS = 1500;
/** Long enough that heartbeats every 300 ms keep it on a loaded machine; the alarm below waits for its lapse. */
const RECORDING = { leaseMs: 3000, heartbeatMs: 300, drainMs: 500 };
const WAIT = 30_000;

const root = tempDir('tiepdan-cluster-jobs-');
const shared = join(root, 'data');
let redis: RedisServer;
const nodes = new Map<'a' | 'b', ServerProcess>();
const clients: SignalingClient[] = [];

async function startNode(name: 'a' | 'b'): Promise<ServerProcess> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const node = await startServerProcess(writeConfig(dir, { dataDir: shared, recording: RECORDING, schedule: PROVISIONAL_OFF, bus: { kind: 'redis', url: redis.url, leaseMs: LEASE_MS, nodeId: `node-${name}` } }));
  nodes.set(name, node);
  return node;
}

const api = (name: 'a' | 'b') => `${nodes.get(name)!.url}/api/v1`;
const logged = (name: 'a' | 'b', msg: string) => nodes.get(name)!.logs.filter((l) => l.msg === msg);
const DISPATCHING = 'notice dispatch runs on this node';
const WATCHING = 'recording watchdog runs on this node';
const WRITTEN = 'notice written to the log only (not delivered)';

/** A session on `node` with `count` booked citizens, cancelled there: `count` notices queued. */
async function cancelledWithBookings(node: 'a' | 'b', count: number, day: number): Promise<string[]> {
  const clerk = await bearer('clerk', 'clerk.jobs');
  const created = await send(api(node), clerk, 'POST', '/sessions', sessionInput({ startsAt: `2030-04-${day}T08:00:00+07:00`, endsAt: `2030-04-${day}T10:00:00+07:00` }));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.session.id as string;
  assert.equal((await send(api(node), clerk, 'POST', `/sessions/${id}/publish`, {})).status, 200);
  const references: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const submitted = await submitJson(api(node), validRegistration(), uuidv7());
    const reference = ((await submitted.json()) as { reference: string }).reference;
    const booked = await postJson(`${api(node)}/bookings`, { reference, phone: '0912 345 678', sessionId: id });
    assert.equal(booked.status, 201, await booked.text());
    references.push(reference);
  }
  const cancelled = await send(api(node), clerk, 'POST', `/sessions/${id}/cancel`, { reason: 'Chủ tịch đi công tác', notice: { vi: 'Hủy buổi tiếp.', en: 'Session cancelled.' } });
  assert.equal(cancelled.body.noticesQueued, count);
  return references;
}

const noticeFiles = () => {
  try {
    return readdirSync(join(shared, 'notices')).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
};

function room(node: 'a' | 'b', sessionId: string, token: string) {
  const client = new SignalingClient({ url: `${nodes.get(node)!.url.replace(/^http/u, 'ws')}/ws`, sessionId, auth: { kind: 'official', token }, WebSocket: WebSocket as unknown as WebSocketConstructor, backoff: { initialMs: 100, maxMs: 400 }, onlineTarget: undefined, requestTimeoutMs: WAIT });
  clients.push(client);
  const seen: any[] = [];
  client.onEvent((event) => seen.push(event));
  return { client, seen };
}

describe('background jobs and the recording on two nodes through Redis', { skip: redisUnavailable }, () => {
  before(async () => {
    redis = await startRedis();
    await startNode('a');
    // One after the other: the first applies the migrations to the shared file, and takes the jobs.
    await until(() => logged('a', DISPATCHING).length === 1 && logged('a', WATCHING).length === 1, WAIT, 'node A runs the jobs');
    await startNode('b');
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    for (const node of nodes.values()) if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
    await Promise.all([...nodes.values()].map((n) => n.exited));
    await redis?.stop();
    removeDir(root);
  });

  test('one node dispatches notices and runs the watchdog; a notice queued on the other is sent by it, once', async () => {
    const probe = redis.client();
    assert.equal(await probe.get(jobLeaseKey('notices')), 'node-a');
    assert.equal(await probe.get(jobLeaseKey('recording-watchdog')), 'node-a');
    const queuedAt = Date.now();
    const references = await cancelledWithBookings('b', 3, 10);
    // The safety timer is 60 s (noticeRetrySeconds): sent within seconds means B's kick reached A.
    await until(() => logged('a', WRITTEN).length === 3, 10_000, 'node A sent the three notices');
    console.log(`# three notices queued on node B were sent by node A ${Date.now() - queuedAt} ms after the first was queued`);
    assert.deepEqual(logged('b', DISPATCHING), [], 'node B never dispatched');
    assert.deepEqual(logged('b', WATCHING), [], 'node B never ran the watchdog');
    assert.deepEqual(logged('b', WRITTEN), [], 'node B sent nothing');
    for (const reference of references) assert.equal(noticeFiles().filter((f) => f.includes(reference)).length, 1, `one notice for ${reference}`);
    assert.equal(new Set(logged('a', WRITTEN).map((l) => l.notice)).size, 3, 'each notice sent once');
  });

  test('a recorder waiting on A is elected when B opens the room; chunks on A and B; the alarm crosses to the room; finalized', async () => {
    const sessionId = `cluster-rec-${process.pid}`;
    const operator = await bearer('operator', 'operator.jobs');
    const waiting = await send(api('a'), operator, 'POST', `/recordings/sessions/${sessionId}/recorders`, { recorderId: 'rec-a', pointId: 'sadec-ubnd' });
    assert.deepEqual([waiting.status, waiting.body.recordingId], [200, null]);

    // The chair opens the room on B (B takes the room's lease): B finds the recorder that waits on A.
    const chair = room('b', sessionId, await bearer('chair', 'chair.jobs'));
    await chair.client.connect();
    assert.equal(await redis.client().get(leaseKey(sessionId)), 'node-b');
    await chair.client.request('room.open', {});
    const status = await send(api('a'), operator, 'GET', `/recordings/by-session/${sessionId}`);
    assert.equal(status.status, 200, 'the room opened on B created the recording');
    assert.equal(status.body.recording.state, 'recording');
    assert.equal(status.body.recording.holder?.recorderId, 'rec-a', 'the recorder that waited on A holds the lease');
    const recordingId = status.body.recording.id as string;

    const recorder = new Recorder(api('a'), operator, recordingId, 'rec-a');
    await recorder.heartbeat();
    assert.equal(recorder.role, 'active');
    recorder.beat(RECORDING.heartbeatMs);
    const parts = chunks(makeWebm(4), 16 * 1024);
    const firstHalf = Math.min(6, parts.length - 2);
    for (let seq = 0; seq < firstHalf; seq += 1) {
      recorder.api = api(seq % 2 === 0 ? 'a' : 'b');
      const ack = await recorder.send(seq, parts[seq]!);
      assert.equal(ack.status, 200, JSON.stringify(ack.body));
      assert.deepEqual(ack.body.missing, [], `chunk ${seq} on node ${seq % 2 === 0 ? 'A' : 'B'}: nothing missing (the other node's chunks are seen)`);
    }
    // The same chunk through both nodes at once (a retry that raced its first try): stored once.
    const both = await Promise.all(['a', 'b'].map((n) => new Recorder(api(n as 'a' | 'b'), operator, recordingId, 'rec-a')).map((r) => ((r.epoch = recorder.epoch), r.send(firstHalf, parts[firstHalf]!))));
    assert.deepEqual(both.map((r) => r.status), [200, 200], JSON.stringify(both.map((r) => r.body)));
    assert.deepEqual(both.map((r) => r.body.ack.duplicate).sort(), [false, true]);

    // Silence: the lease lapses wherever the watchdog runs, and the chair on B hears the alarm.
    recorder.stopBeating();
    await until(() => chair.seen.some((e) => e.type === 'recording.alarm'), RECORDING.leaseMs * 4, 'the chair on B hears the alarm');
    assert.equal(chair.seen.filter((e) => e.type === 'recording.alarm').length, 1, 'one alarm for one loss, not one per node');
    recorder.api = api('b');
    await recorder.heartbeat();
    assert.equal(recorder.role, 'active');
    assert.equal(recorder.epoch, 2, 'a new epoch after the lapse');
    await until(() => chair.seen.some((e) => e.type === 'recording.alarm_cleared'), WAIT, 'the alarm is cleared at the chair');
    recorder.beat(RECORDING.heartbeatMs);
    for (let seq = 0; seq + firstHalf + 1 < parts.length; seq += 1) {
      recorder.api = api(seq % 2 === 0 ? 'b' : 'a');
      const ack = await recorder.send(seq, parts[seq + firstHalf + 1]!);
      assert.equal(ack.status, 200, JSON.stringify(ack.body));
      assert.deepEqual(ack.body.missing, []);
    }

    await chair.client.request('room.end', {});
    recorder.stopBeating();
    let final: any;
    await until(async () => ((final = (await send(api('a'), operator, 'GET', `/recordings/${recordingId}`)).body.recording), final.state === 'finalized'), WAIT, 'finalized');
    assert.equal(final.segments.count, parts.length, 'every chunk is in the recording');
    assert.deepEqual(final.missing, []);
    assert.deepEqual(final.leases.map((l: any) => [l.epoch, l.endReason]), [[1, 'lapsed'], [2, 'ended']]);
  });

  test('kill -9 of the node that runs the jobs: the other takes them within a lease and sends what is queued next', async () => {
    const killedAt = Date.now();
    nodes.get('a')!.child.kill('SIGKILL');
    await nodes.get('a')!.exited;
    await until(() => logged('b', DISPATCHING).length === 1 && logged('b', WATCHING).length === 1, WAIT, 'node B runs the jobs');
    const tookMs = Date.now() - killedAt;
    console.log(`# node B took the notice and watchdog jobs ${tookMs} ms after kill -9 of node A (lease ${LEASE_MS} ms)`);
    assert.ok(tookMs < LEASE_MS * 3, `taken within the lease and a renewal period (${tookMs} ms)`);
    const probe = redis.client();
    assert.equal(await probe.get(jobLeaseKey('notices')), 'node-b');
    await cancelledWithBookings('b', 2, 11);
    await until(() => logged('b', WRITTEN).length === 2, 10_000, 'node B sent the two notices');
  });
});
