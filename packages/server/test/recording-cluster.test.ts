/**
 * The recording on a 2-node cluster (issue 13 §5): two `tiepdan-server start` processes, one real Redis, and one
 * store: PostgreSQL with the recordings in S3-compatible storage (each node its own data folder, as a province
 * deploys it), or one shared SQLite folder with the recordings in it. The chair is in the room, the recorder at
 * its connection point uploads chunks over HTTP, both through a load balancer (test/forwarder.ts) that prefers the
 * node that runs the room and the recording watchdog; that node is killed with SIGKILL in the middle.
 *
 * - The recorder that keeps beating through the balancer keeps its lease on the other node (any node takes its
 *   heartbeats and chunks), resends from where the store says, and the finalized recording holds every chunk that
 *   was acknowledged, byte for byte, with no gap: nothing was lost, so nothing is said to be.
 * - The recorder that is cut off past its lease (it was talking to the dead node): the watchdog, now on the other
 *   node, ends the lease once, the chair (whose room moved there) hears the alarm, the recorder comes back under
 *   the next epoch with a new stream, and the manifest records the interruption as a failover gap. Both pass
 *   `tiepdan-server verify` against the key history the cluster publishes.
 * - On PostgreSQL, a node that would keep recordings in its own data folder says at start-up that the folder must
 *   be shared (or the storage S3): each node would otherwise hold only the chunks it took.
 *
 * The S3 server is s3rver (a local S3 API in Node, as in recording-s3.test.ts): none ships in Debian 12.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { WebSocket } from 'ws';
import { SignalingClient, type WebSocketConstructor } from '@tiepdan/core/browser';
import type { ConfigInput } from '../src/index.js';
import { jobLeaseKey } from '../src/cluster/redis.js';
import { leaseKey } from '../src/rooms/bus-redis.js';
import { Forwarders } from './forwarder.js';
import { freePort, removeDir, tempDir } from './helpers.js';
import { chunks, makeWebm, Recorder, runVerify, sha256, waitFor } from './recording-helpers.js';
import { redisUnavailable, startRedis, type RedisServer } from './redis-server.js';
import { ROOM_STORES, stopRoomStores } from './room-stores.js';
import { TEST_NOTICE, until } from './rooms-helpers.js';
import { bearer, send, startServerProcess, writeConfig, type ServerProcess } from './server-process.js';

const LEASE_MS = 1500;
/** Heartbeats every 300 ms keep a 3 s lease on a loaded machine; the lapse below is waited for, not slept. */
const RECORDING = { leaseMs: 3000, heartbeatMs: 300, drainMs: 500 };
const ROOMS = { resumeWindowMs: 30_000, heartbeatIntervalMs: 300, authTimeoutMs: 10_000, messagesPerSecond: 10_000, messageBurst: 10_000 };
const WAIT = 30_000;
const BUCKET = 'tiepdan-recordings';
const PREFIX = 'cluster/';
const S3_KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const FOLDER_WARNING = "recordings are kept in this node's data folder: every node must share that folder, or set recording.storage to s3";

type Name = 'a' | 'b';


/**
 * What a recorder does with a chunk: send it until it is acknowledged, through whatever node the balancer gives
 * (a request to a node that dies fails, or answers 5xx; the chunk is kept and sent again).
 */
async function sendAcked(recorder: Recorder, seq: number, chunk: Buffer, options: { last?: boolean } = {}): Promise<{ sha256: string; duplicate: boolean }> {
  const deadline = Date.now() + WAIT;
  for (;;) {
    const res = await recorder.send(seq, chunk, { capturedAt: Date.now(), ...options }).catch((error: unknown) => ({ status: 0, body: String(error) }));
    if (res.status === 200) return { sha256: res.body.ack.sha256, duplicate: res.body.ack.duplicate };
    if (res.status !== 0 && res.status < 500) throw new Error(`chunk ${seq}: ${res.status} ${JSON.stringify(res.body)}`);
    if (Date.now() > deadline) throw new Error(`chunk ${seq} never acknowledged: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The same for a heartbeat: the reply of the first node that answers. */
async function beatAcked(recorder: Recorder) {
  return waitFor(() => recorder.heartbeat().catch(() => undefined), WAIT, 'a heartbeat answered');
}

after(stopRoomStores);

for (const store of ROOM_STORES) describe(`recording on two nodes through Redis, store ${store.name}`, { skip: redisUnavailable ?? store.unavailable }, () => {
  const root = tempDir('tiepdan-recording-cluster-');
  const shared = join(root, 'data');
  const s3dir = join(root, 's3');
  let redis: RedisServer;
  let s3server: S3rver | undefined;
  let s3: S3Client | undefined;
  let storeValues: Partial<ConfigInput> = {};
  let recording: ConfigInput['recording'] = RECORDING;
  let closeStore = async () => {};
  const nodes = new Map<Name, ServerProcess>();
  const forwarders = new Forwarders();
  const clients: SignalingClient[] = [];
  const beating: Recorder[] = [];
  /** Through the balancer, preferring node A (then B), and preferring node B (then A). */
  const via: Record<Name, { http: string; ws: string }> = { a: { http: '', ws: '' }, b: { http: '', ws: '' } };

  const alive = (name: Name) => nodes.get(name)!.child.exitCode === null && nodes.get(name)!.child.signalCode === null;
  const logged = (name: Name, msg: string) => nodes.get(name)!.logs.filter((l) => l.msg === msg);

  async function startNode(name: Name): Promise<ServerProcess> {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    // SQLite: the shared folder holds the store and the recordings. PostgreSQL: the database and the bucket do.
    const dataDir = store.name === 'sqlite' ? shared : join(dir, 'data');
    const node = await startServerProcess(writeConfig(dir, { ...storeValues, dataDir, rooms: ROOMS, recording, bus: { kind: 'redis', url: redis.url, leaseMs: LEASE_MS, nodeId: `node-${name}` } }));
    nodes.set(name, node);
    return node;
  }

  function chairIn(sessionId: string, name: Name, token: string) {
    const client = new SignalingClient({ url: via[name].ws, sessionId, auth: { kind: 'official', token }, WebSocket: WebSocket as unknown as WebSocketConstructor, backoff: { initialMs: 100, maxMs: 400 }, onlineTarget: undefined, requestTimeoutMs: WAIT, notice: TEST_NOTICE });
    clients.push(client);
    const seen: any[] = [];
    const states: string[] = [];
    client.onEvent((event) => seen.push(event));
    client.onState((state) => states.push(state));
    return { client, seen, states };
  }

  /** The finalized recording's files: the shared folder (SQLite), or the bucket's objects downloaded (PostgreSQL). */
  async function bundle(recordingId: string): Promise<string> {
    if (!s3) return join(shared, 'recordings', recordingId);
    const dir = join(root, 'bundles', recordingId);
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${PREFIX}${recordingId}/` }));
    for (const object of page.Contents ?? []) {
      const target = join(dir, object.Key!.slice(`${PREFIX}${recordingId}/`.length));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: object.Key! }))).Body!.transformToByteArray()));
    }
    return dir;
  }

  /** `tiepdan-server verify` on the bundle, trusting the key history the cluster publishes (GET /recordings/keys). */
  async function verify(dir: string, api: string): Promise<{ code: number; stdout: string }> {
    const keys = join(root, `keys-${Date.now()}.json`);
    const res = await fetch(`${api}/recordings/keys`);
    assert.equal(res.status, 200);
    writeFileSync(keys, await res.text());
    return runVerify([dir, '--keys', keys]);
  }

  /** Opens the session's room on the node `name` (the chair comes in through it): the waiting recorder is elected. */
  async function openSession(sessionId: string, name: Name, recorderId: string) {
    const operator = await bearer('operator', `operator.${recorderId}`);
    const waiting = await send(via[name].http, operator, 'POST', `/recordings/sessions/${sessionId}/recorders`, { recorderId, pointId: 'sadec-ubnd' });
    assert.deepEqual([waiting.status, waiting.body.recordingId], [200, null], JSON.stringify(waiting.body));
    const chair = chairIn(sessionId, name, await bearer('chair', `chair.${sessionId}`));
    await chair.client.connect();
    assert.equal(await redis.client().get(leaseKey(sessionId)), `node-${name}`, 'the room runs on the node the chair came in through');
    await chair.client.request('room.open', {});
    const status = await send(via[name].http, operator, 'GET', `/recordings/by-session/${sessionId}`);
    assert.equal(status.status, 200, 'opening the room created the recording');
    assert.equal(status.body.recording.holder?.recorderId, recorderId, 'the waiting recorder holds the lease');
    const recorder = new Recorder(via[name].http, operator, status.body.recording.id as string, recorderId);
    const beat = await recorder.heartbeat();
    assert.deepEqual([beat.role, beat.epoch], ['active', 1]);
    return { chair, recorder, operator };
  }

  /** The chair ends the session (on whichever node runs the room now); resolves with the finalized status. */
  async function endAndFinalized(chair: ReturnType<typeof chairIn>, recorder: Recorder, api: string): Promise<any> {
    await chair.client.request('room.end', {});
    let final: any;
    await until(async () => ((final = (await send(api, recorder.bearer, 'GET', `/recordings/${recorder.recordingId}`)).body?.recording), final?.state === 'finalized'), WAIT, 'finalized');
    recorder.stopBeating();
    return final;
  }

  function manifestOf(dir: string): any {
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  }

  /** Every acknowledged chunk is in the manifest under its place, and its file holds those bytes. */
  function assertAcked(dir: string, manifest: any, acked: Map<string, string>): void {
    for (const [place, hash] of acked) {
      const [epoch, seq] = place.split(':').map(Number);
      const segment = manifest.segments.find((s: any) => s.epoch === epoch && s.seq === seq);
      assert.equal(segment?.sha256, hash, `acknowledged chunk ${place} is in the recording`);
      assert.equal(sha256(readFileSync(join(dir, segment.file))), hash, `the file of chunk ${place} holds what was acknowledged`);
    }
  }

  before(async () => {
    redis = await startRedis();
    const opened = await store.open(shared);
    storeValues = opened.values;
    closeStore = opened.close;
    if (store.name !== 'sqlite') {
      const port = await freePort();
      mkdirSync(s3dir, { recursive: true });
      s3server = new S3rver({ port, address: '127.0.0.1', silent: true, directory: s3dir, configureBuckets: [{ name: BUCKET, configs: [] }] });
      await s3server.run();
      const endpoint = `http://127.0.0.1:${port}`;
      s3 = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: S3_KEYS });
      recording = { ...RECORDING, storage: { kind: 's3', endpoint, bucket: BUCKET, prefix: PREFIX, ...S3_KEYS } };
    }
    await startNode('a');
    // One after the other: the first applies the migrations, and takes the jobs (the recording watchdog).
    await until(() => logged('a', 'recording watchdog runs on this node').length === 1, WAIT, 'node A runs the watchdog');
    await startNode('b');
    const ports = (...order: Name[]) => order.flatMap((n) => (nodes.get(n) && alive(n) ? [Number(new URL(nodes.get(n)!.url).port)] : []));
    for (const [name, order] of [['a', ['a', 'b']], ['b', ['b', 'a']]] as const) {
      const port = await forwarders.open(() => ports(...order));
      via[name] = { http: `http://127.0.0.1:${port}/api/v1`, ws: `ws://127.0.0.1:${port}/ws` };
    }
  });
  after(async () => {
    for (const r of beating) r.stopBeating();
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await forwarders.close();
    for (const name of nodes.keys()) if (alive(name)) nodes.get(name)!.child.kill('SIGKILL');
    await Promise.all([...nodes.values()].map((n) => n.exited));
    s3?.destroy();
    await s3server?.close();
    await closeStore();
    await redis?.stop();
    removeDir(root);
  });

  test('kill -9 of the room and watchdog node mid-upload: the recorder keeps its lease through the other node; every acknowledged chunk, no gap', async () => {
    const sessionId = `rec-cluster-1-${process.pid}`;
    assert.equal(await redis.client().get(jobLeaseKey('recording-watchdog')), 'node-a');
    const { chair, recorder } = await openSession(sessionId, 'a', 'rec-1');
    recorder.beat(RECORDING.heartbeatMs);
    beating.push(recorder);
    const source = makeWebm(6);
    const parts = chunks(source, 8000);
    const acked = new Map<string, string>();
    const before = 4;
    for (let seq = 0; seq < before; seq += 1) acked.set(`1:${seq}`, (await sendAcked(recorder, seq, parts[seq]!)).sha256);

    // A chunk in flight when the node dies: acknowledged or not, the recorder will know from the store.
    const inflight = recorder.send(before, parts[before]!).then(
      (res) => (res.status === 200 ? acked.set(`1:${before}`, res.body.ack.sha256) : undefined),
      () => undefined,
    );
    nodes.get('a')!.child.kill('SIGKILL');
    await nodes.get('a')!.exited;
    chair.states.length = 0;
    await inflight;

    // The next heartbeat goes through the balancer to B: the lease is in the store, so it is still the recorder's.
    const beat = await beatAcked(recorder);
    assert.deepEqual([beat.role, beat.epoch], ['active', 1], 'the lease survived its node');
    assert.ok(beat.resume!.nextSeq >= acked.size, `resume at ${beat.resume!.nextSeq}, ${acked.size} acknowledged`);
    for (let seq = beat.resume!.nextSeq; seq < parts.length; seq += 1) acked.set(`1:${seq}`, (await sendAcked(recorder, seq, parts[seq]!, { last: seq === parts.length - 1 })).sha256);
    // The watchdog passed to B, and the room did (the chair is back in it there).
    await until(async () => (await redis.client().get(jobLeaseKey('recording-watchdog'))) === 'node-b', WAIT, 'node B runs the watchdog');
    await until(() => chair.states.includes('resumed') && chair.client.state === 'resumed', WAIT, 'the chair is back in the room');
    assert.equal(await redis.client().get(leaseKey(sessionId)), 'node-b');
    assert.equal(chair.seen.filter((e) => e.type === 'recording.alarm').length, 0, 'no alarm: the recorder never lost its lease');

    const final = await endAndFinalized(chair, recorder, via.b.http);
    assert.equal(final.segments.count, parts.length, 'every chunk is in the recording, once');
    assert.deepEqual(final.missing, []);
    assert.deepEqual(final.leases.map((l: any) => [l.epoch, l.endReason]), [[1, 'ended']]);
    const dir = await bundle(recorder.recordingId);
    const manifest = manifestOf(dir);
    assert.deepEqual(manifest.gaps, [], 'nothing was lost, so no gap is claimed');
    assertAcked(dir, manifest, acked);
    const joined = Buffer.concat(manifest.segments.map((s: any) => readFileSync(join(dir, s.file))));
    assert.ok(joined.equals(source), 'the stored stream is the recorded stream, byte for byte');
    const verified = await verify(dir, via.b.http);
    assert.equal(verified.code, 0, verified.stdout);
  });

  test('kill -9 of the room and watchdog node with the recorder cut off past its lease: alarm once, next epoch, the gap in the manifest', async () => {
    // Two nodes again: A comes back as a new process; B kept the room's jobs, so B is the one to die now.
    await startNode('a');
    assert.equal(await redis.client().get(jobLeaseKey('recording-watchdog')), 'node-b');
    const sessionId = `rec-cluster-2-${process.pid}`;
    const { chair, recorder } = await openSession(sessionId, 'b', 'rec-2');
    const first = chunks(makeWebm(6), 8000);
    const second = chunks(makeWebm(4, 'smptebars'), 8000);
    const acked = new Map<string, string>();
    const before = 4;
    for (let seq = 0; seq < before; seq += 1) acked.set(`1:${seq}`, (await sendAcked(recorder, seq, first[seq]!)).sha256);

    // The recorder was talking to B: with B gone it hears nothing for longer than its lease.
    const killedAt = Date.now();
    nodes.get('b')!.child.kill('SIGKILL');
    await nodes.get('b')!.exited;
    // What the chair's client went through before (a reconnect under load) does not count: only a resume after the kill.
    chair.states.length = 0;
    await until(() => chair.client.state === 'resumed' && chair.states.includes('resumed'), WAIT, 'the chair is back in the room on A');
    assert.equal(await redis.client().get(leaseKey(sessionId)), 'node-a');
    // The watchdog, now on A, ends the lapsed lease; the alarm reaches the chair in the room that moved to A.
    await until(() => chair.seen.some((e) => e.type === 'recording.alarm'), WAIT, 'the chair hears the alarm');
    const lapsedAfterMs = Date.now() - killedAt;
    console.log(`# the alarm reached the chair ${lapsedAfterMs} ms after kill -9 of the room's node (recorder lease ${RECORDING.leaseMs} ms)`);
    assert.ok(lapsedAfterMs >= RECORDING.leaseMs - 100, `not before the lease lapsed (${lapsedAfterMs} ms)`);
    assert.equal(await redis.client().get(jobLeaseKey('recording-watchdog')), 'node-a');
    assert.ok(chair.seen.some((e) => e.type === 'recorder.lost' || e.type === 'recording.alarm'));

    // The recorder reaches A through the balancer: elected again under the next epoch, it starts a new stream.
    const beat = await beatAcked(recorder);
    assert.deepEqual([beat.role, beat.epoch], ['active', 2]);
    assert.deepEqual(beat.resume, { epoch: 2, nextSeq: 0, storedAbove: [], missing: [] });
    recorder.beat(RECORDING.heartbeatMs);
    beating.push(recorder);
    await until(() => chair.seen.some((e) => e.type === 'recording.alarm_cleared'), WAIT, 'the alarm is cleared at the chair');
    for (const [seq, part] of second.entries()) acked.set(`2:${seq}`, (await sendAcked(recorder, seq, part, { last: seq === second.length - 1 })).sha256);
    // A chunk of the lost lease, sent late, is fenced: it cannot interleave with the new stream.
    const stale = await recorder.send(before, first[before]!, { epoch: 1 });
    assert.deepEqual([stale.status, stale.body.error?.code], [409, 'lease_lost']);
    assert.equal(chair.seen.filter((e) => e.type === 'recording.alarm').length, 1, 'one alarm for one loss, not one per node');

    const final = await endAndFinalized(chair, recorder, via.a.http);
    assert.equal(final.segments.count, before + second.length);
    assert.deepEqual(final.leases.map((l: any) => [l.epoch, l.endReason]), [[1, 'lapsed'], [2, 'ended']]);
    const dir = await bundle(recorder.recordingId);
    const manifest = manifestOf(dir);
    assertAcked(dir, manifest, acked);
    assert.equal(manifest.segments.length, acked.size, 'nothing but the acknowledged chunks');
    const gap = manifest.gaps.find((g: any) => g.kind === 'failover');
    assert.ok(gap, `the interruption is a gap in the manifest: ${JSON.stringify(manifest.gaps)}`);
    assert.deepEqual([gap.fromEpoch, gap.toEpoch], [1, 2]);
    assert.ok(gap.durationMs >= RECORDING.leaseMs - 100, `gap ${gap.durationMs} ms`);
    assert.deepEqual(manifest.failovers.map((f: any) => [f.fromEpoch, f.toEpoch, f.endReason]), [[1, 2, 'lapsed']]);
    const verified = await verify(dir, via.a.http);
    assert.equal(verified.code, 0, verified.stdout);
    assert.match(verified.stdout, /decode lease 1/u);
    assert.match(verified.stdout, /decode lease 2/u);
  });

  test("a node on PostgreSQL keeping recordings in its own data folder says at start-up that the folder must be shared", { skip: store.name === 'sqlite' ? 'on SQLite the nodes share one data folder, recordings included' : false }, async () => {
    assert.deepEqual([...nodes.keys()].flatMap((n) => logged(n, FOLDER_WARNING)), [], 'the nodes with S3 storage do not warn');
    const dir = join(root, 'c');
    mkdirSync(dir, { recursive: true });
    const node = await startServerProcess(writeConfig(dir, { ...storeValues, dataDir: join(dir, 'data'), recording: RECORDING, bus: { kind: 'redis', url: redis.url, leaseMs: LEASE_MS, nodeId: 'node-c' } }));
    try {
      assert.equal(node.logs.filter((l) => l.msg === FOLDER_WARNING).length, 1);
    } finally {
      node.child.kill('SIGKILL');
      await node.exited;
    }
  });
});
