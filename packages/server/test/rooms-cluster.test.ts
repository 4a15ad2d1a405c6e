/**
 * Two server processes (`tiepdan-server start`) on one real Redis (`bus: { kind: 'redis' }`) serve one room:
 * the citizen is on node A, the clerk and the chair on node B; they see each other, the citizen is admitted,
 * signals and chat cross nodes, exactly one node holds the room's lease; `kill -9` of that node → every client is
 * back in the room on the other node within 5 s (issue 13 §5; the lease passes): the dead node's clients resume, the
 * other node's stay connected (their node rejoins the room for them), the admission is kept, chat goes on. Requests
 * sent while the dead node's lease has not lapsed yet are carried out once, not lost and not doubled. The guess budget and the route rate limits are counted in the same Redis, so they hold across the nodes.
 *
 * It runs on each store the rooms' process tests use (room-stores.ts): on PostgreSQL, as a province deploys it, each
 * node has its own data folder and both use one database; on SQLite the nodes share one data folder (WAL, busy
 * timeout), which is what lets two processes on one machine see the same rooms without a database server. Each
 * client reaches its node through a small TCP forwarder that tries its node first and the other one when its node
 * refuses: the load balancer of a real deployment.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import type { OfficialRole } from '@tiepdan/core';
import { SignalingClient, type SignalingState, type WebSocketConstructor } from '@tiepdan/core/browser';
import { mintJoinToken, mintToken, type ConfigInput } from '../src/index.js';
import { leaseKey } from '../src/rooms/bus-redis.js';
import { Forwarders } from './forwarder.js';
import { removeDir, tempDir, UNIT } from './helpers.js';
import { redisUnavailable, startRedis, type RedisServer } from './redis-server.js';
import { ROOM_STORES, stopRoomStores, type Rows } from './room-stores.js';
import { TEST_NOTICE, until } from './rooms-helpers.js';
import { CHILD_SECRET, startServerProcess, writeConfig, type ServerProcess } from './server-process.js';

const LEASE_MS = 1500;
const ROOMS = { resumeWindowMs: 30_000, heartbeatIntervalMs: 300, authTimeoutMs: 10_000, messagesPerSecond: 10_000, messageBurst: 10_000 };
const WAIT = 30_000;
/** Issue 13 §5: after `kill -9` of the room's node every client is back in the room within this. */
const BACK_WITHIN_MS = 5_000;
/** Small budgets, so that spending them alternately on both nodes shows one budget, not one per node. */
const GUESSES = 3;
const SUBMITS = 2;

const forwarders = new Forwarders();
const clients: SignalingClient[] = [];
/** A WebSocket address through the load balancer that tries the nodes in `ports()`'s order. */
const forwarder = (ports: () => number[]) => forwarders.open(ports).then((port) => `ws://127.0.0.1:${port}/ws`);

const portOf = (node: ServerProcess) => Number(new URL(node.url).port);

interface Tracked {
  client: SignalingClient;
  states: SignalingState[];
}

function track(url: string, sessionId: string, auth: { kind: 'official' | 'citizen'; token: string }): Tracked {
  const client = new SignalingClient({ url, sessionId, auth, WebSocket: WebSocket as unknown as WebSocketConstructor, backoff: { initialMs: 100, maxMs: 400 }, onlineTarget: undefined, requestTimeoutMs: WAIT, notice: TEST_NOTICE });
  clients.push(client);
  const t: Tracked = { client, states: [] };
  client.onState((state) => t.states.push(state));
  return t;
}

const official = (role: OfficialRole, sub: string) => mintToken(CHILD_SECRET, { sub, role, unit: UNIT, name: `Cán bộ ${role}` }).then((token) => ({ kind: 'official' as const, token }));
const citizen = (sessionId: string, reference: string) => mintJoinToken(CHILD_SECRET, { sessionId, reference, name: 'Nguyễn Văn Bình' }).then((token) => ({ kind: 'citizen' as const, token }));

function nextEvent(t: Tracked, type: string, match: (event: any) => boolean = () => true): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`timed out waiting for ${type}`))), WAIT);
    const off = t.client.onEvent((event) => {
      if (event.type === type && match(event)) (clearTimeout(timer), off(), resolve(event));
    });
  });
}

after(stopRoomStores);

for (const store of ROOM_STORES) describe(`rooms on two nodes through Redis, store ${store.name}`, { skip: redisUnavailable ?? store.unavailable }, () => {
  const root = tempDir('tiepdan-cluster-');
  const shared = join(root, 'data');
  let redis: RedisServer;
  let storeValues: Partial<ConfigInput> = {};
  let rows: Rows = async () => [];
  let closeStore = async () => {};
  const nodes = new Map<'a' | 'b', ServerProcess>();
  let viaA: string;
  let viaB: string;

  async function startNode(name: 'a' | 'b'): Promise<ServerProcess> {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    // SQLite: the shared folder holds the store. PostgreSQL: the database does, and each node keeps its own folder.
    const dataDir = store.name === 'sqlite' ? shared : join(dir, 'data');
    const node = await startServerProcess(writeConfig(dir, { ...storeValues, dataDir, rooms: ROOMS, rateLimits: { enabled: true, lookupPerMinute: GUESSES, submitPerMinute: SUBMITS }, bus: { kind: 'redis', url: redis.url, leaseMs: LEASE_MS, nodeId: `node-${name}` } }));
    nodes.set(name, node);
    return node;
  }

  before(async () => {
    redis = await startRedis();
    const opened = await store.open(shared);
    storeValues = opened.values;
    rows = opened.rows;
    closeStore = opened.close;
    await startNode('a');
    // One after the other: the first applies the migrations.
    await startNode('b');
    const ports = (...order: ('a' | 'b')[]) => order.flatMap((n) => (nodes.get(n) && nodes.get(n)!.child.exitCode === null && nodes.get(n)!.child.signalCode === null ? [portOf(nodes.get(n)!)] : []));
    viaA = await forwarder(() => ports('a', 'b'));
    viaB = await forwarder(() => ports('b', 'a'));
  });
  after(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await forwarders.close();
    for (const node of nodes.values()) if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
    await Promise.all([...nodes.values()].map((n) => n.exited));
    await closeStore();
    await redis?.stop();
    removeDir(root);
  });

  test('two officials joining one new room at once on two nodes: one lease, one room, both see each other', async () => {
    const sessionId = `cluster-race-${process.pid}`;
    const [x, y] = [track(viaA, sessionId, await official('chair', 'chair.race')), track(viaB, sessionId, await official('clerk', 'clerk.race'))];
    await Promise.all([x.client.connect(), y.client.connect()]);
    const holder = await redis.client().get(leaseKey(sessionId));
    assert.ok(holder === 'node-a' || holder === 'node-b', `one node holds the lease (got ${holder})`);
    await until(async () => (await x.client.request('roster.get', {})).participants.length === 2, WAIT, 'the chair sees the clerk');
    assert.equal((await y.client.request('roster.get', {})).participants.length, 2);
  });

  test('the guess budget and the route limits are one budget across nodes, not one per node', async () => {
    const api = (node: 'a' | 'b', path: string, body: unknown) =>
      fetch(`${nodes.get(node)!.url}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() }, body: JSON.stringify(body) });
    // Wrong pairs on A, B, A spend the three guesses; the fourth, on B and on another route of the same budget, is refused.
    const misses = [await api('a', '/lookup', { reference: 'TD-0000-0001', phone: '0912345678' }), await api('b', '/lookup', { reference: 'TD-0000-0002', phone: '0912345678' }), await api('a', '/lookup', { reference: 'TD-0000-0003', phone: '0912345678' })];
    assert.deepEqual(misses.map((r) => r.status), [404, 404, 404]);
    const spent = await api('b', '/bookings/cancel', { reference: 'TD-0000-0004', phone: '0912345678' });
    assert.equal(spent.status, 429);
    assert.equal(((await spent.json()) as any).error.code, 'rate_limited');
    assert.ok(Number(spent.headers.get('retry-after')) >= 1);
    // Submissions: two on two nodes, the third refused before its body is even read.
    const submits = [await api('a', '/registrations', {}), await api('b', '/registrations', {})];
    assert.deepEqual(submits.map((r) => r.status), [422, 422], 'two invalid bodies answered, one on each node');
    assert.equal((await api('a', '/registrations', {})).status, 429);
  });

  test('citizen on node A, clerk and chair on node B: admitted, signals and chat cross; kill -9 of the room node → all resume on B', async () => {
    const sessionId = `cluster-${process.pid}`;
    const ward = track(viaA, sessionId, await citizen(sessionId, 'TD-CLUSTER-1'));
    const joined = await ward.client.connect();
    assert.equal(joined.status, 'lobby');
    assert.equal(await redis.client().get(leaseKey(sessionId)), 'node-a', 'the room runs where its first participant came in');

    const clerk = track(viaB, sessionId, await official('clerk', 'clerk.cluster'));
    const chair = track(viaB, sessionId, await official('chair', 'chair.cluster'));
    await clerk.client.connect();
    await chair.client.connect();
    // The clerk on B sees the citizen who waits on A.
    const lobby = (await clerk.client.request('roster.get', {})).lobby ?? [];
    assert.deepEqual(lobby.map((q: any) => q.participantId), [ward.client.participantId]);

    const opened = nextEvent(ward, 'room.state', (e) => e.state === 'open');
    await chair.client.request('room.open', {});
    await opened;
    const admitted = nextEvent(ward, 'lobby.admitted');
    await clerk.client.request('lobby.admit', { participantId: ward.client.participantId!, caseId: 'case-cluster' });
    assert.equal((await admitted).caseId, 'case-cluster');

    const offer = nextEvent(ward, 'signal');
    await chair.client.request('signal', { to: ward.client.participantId!, data: { kind: 'offer', sdp: 'v=0 offer' } });
    assert.deepEqual((await offer).data, { kind: 'offer', sdp: 'v=0 offer' });
    const answer = nextEvent(chair, 'signal');
    await ward.client.request('signal', { to: chair.client.participantId!, data: { kind: 'answer', sdp: 'v=0 answer' } });
    assert.equal((await answer).from, ward.client.participantId);

    const heard = nextEvent(chair, 'chat.message', (e) => e.text === 'Tôi xin trình bày.');
    const sent = await ward.client.request('chat.send', { text: 'Tôi xin trình bày.' });
    assert.equal((await heard).messageId, sent.messageId);

    // The room's node dies. Its lease lapses, B takes the room from the store; B rejoins the room on behalf of its
    // own sockets (they stay open), and the citizen's client comes back through its forwarder to B and resumes.
    const killedAt = Date.now();
    nodes.get('a')!.child.kill('SIGKILL');
    await nodes.get('a')!.exited;
    const everyone = [ward, clerk, chair];
    for (const t of everyone) t.states.length = 0;
    await until(() => ward.states.includes('resumed') && ward.client.state === 'resumed', BACK_WITHIN_MS, `the citizen resumed on node B within ${BACK_WITHIN_MS} ms`);
    assert.equal(ward.client.hello!.resumed, true, 'the same place, not a new participant');
    await until(
      async () => (await chair.client.request('roster.get', {})).participants.every((p: any) => p.connected),
      BACK_WITHIN_MS,
      `everyone is connected in the room on node B within ${BACK_WITHIN_MS} ms`,
    );
    const backAfterMs = Date.now() - killedAt;
    console.log(`# all three clients back in the room ${backAfterMs} ms after kill -9 of the room's node (lease ${LEASE_MS} ms)`);
    assert.equal(await redis.client().get(leaseKey(sessionId)), 'node-b');
    for (const t of [clerk, chair]) assert.deepEqual(t.states, [], 'a client of the living node did not even reconnect');

    // Nothing of the admission is lost: the citizen is still admitted in case-cluster, and chat goes on.
    const roster = await chair.client.request('roster.get', {});
    const me = roster.participants.find((p: any) => p.participantId === ward.client.participantId);
    assert.equal(me?.status, 'admitted');
    assert.equal(roster.caseId, 'case-cluster');
    const later = nextEvent(ward, 'chat.message', (e) => e.text === 'Mời công dân trình bày tiếp.');
    await chair.client.request('chat.send', { text: 'Mời công dân trình bày tiếp.' });
    await later;
  });

  test('kill -9 of the room node, then the chair on B admits and writes before its lease lapses: done once, not lost', async () => {
    if (nodes.get('a')!.child.exitCode !== null || nodes.get('a')!.child.signalCode !== null) await startNode('a');
    const sessionId = `cluster-inflight-${process.pid}`;
    const ward = track(viaA, sessionId, await citizen(sessionId, 'TD-CLUSTER-2'));
    assert.equal((await ward.client.connect()).status, 'lobby');
    assert.equal(await redis.client().get(leaseKey(sessionId)), 'node-a');
    const chair = track(viaB, sessionId, await official('chair', 'chair.inflight'));
    await chair.client.connect();
    const opened = nextEvent(ward, 'room.state', (e) => e.state === 'open');
    await chair.client.request('room.open', {});
    await opened;

    const killedAt = Date.now();
    nodes.get('a')!.child.kill('SIGKILL');
    await nodes.get('a')!.exited;
    chair.states.length = 0;
    // The dead node still holds the lease: these wait on B until it lapses, then reach the room B restored.
    const stillHeld = await redis.client().get(leaseKey(sessionId));
    const admit = chair.client.request('lobby.admit', { participantId: ward.client.participantId!, caseId: 'case-inflight' });
    const chat = chair.client.request('chat.send', { text: 'Mời công dân vào phiên.' });
    const [admitted, sent] = await Promise.all([admit, chat]);
    console.log(`# admit and chat sent while ${stillHeld} held the lease, answered ${Date.now() - killedAt} ms after kill -9 (lease ${LEASE_MS} ms)`);
    assert.deepEqual(admitted, {});
    assert.ok(sent.messageId);
    assert.deepEqual(chair.states, [], "the chair's client did not notice the move");
    assert.equal(await redis.client().get(leaseKey(sessionId)), 'node-b');

    await until(() => ward.client.state === 'resumed', BACK_WITHIN_MS, 'the citizen resumed on node B');
    const roster = await chair.client.request('roster.get', {});
    assert.equal(roster.participants.find((p: any) => p.participantId === ward.client.participantId)?.status, 'admitted');
    const admits = await rows(`SELECT id FROM room_audit WHERE session_id = '${sessionId}' AND action = 'lobby.admit'`);
    assert.equal(admits.length, 1, 'one admission in the audit chain');
    const lines = await rows(`SELECT message_id FROM room_chat WHERE session_id = '${sessionId}'`);
    assert.deepEqual(lines.map((r) => r.message_id), [sent.messageId], 'one chat line');
  });
});
