/**
 * The desk on a 2-node cluster (issue 13 §5): two `tiepdan-server start` processes, one real Redis, one store
 * (PostgreSQL with each node its own data folder, or one shared SQLite folder; room-stores.ts). The citizen comes
 * in through node A, so the room runs there; the clerk and the chair are on node B. The clerk's desk steps are HTTP
 * requests to whichever node the officer's browser reached:
 *
 * - admitted on A's room, the citizen's case is opened by the desk (the room's node), and a step sent to node B
 *   reaches the room on A (the `case` bus command) as `case.updated` for the citizen on A and the clerk on B;
 * - `kill -9` of node A, and a step sent to B at once (A's room lease has normally not lapsed yet; the test logs
 *   the holder): committed, and once the room moved to B (the command waits for the lease, then takes the room)
 *   the nudge reaches everyone, once, who are back in the room, still admitted in that case;
 * - A comes back, and a step sent to it reaches the room that now runs on B; the case is one line in the register.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import type { OfficialRole } from '@tiepdan/core';
import { SignalingClient, type SignalingState, type WebSocketConstructor } from '@tiepdan/core/browser';
import { mintJoinToken, mintToken, type ConfigInput } from '../src/index.js';
import { leaseKey } from '../src/rooms/bus-redis.js';
import { BODIES } from './desk-helpers.js';
import { Forwarders } from './forwarder.js';
import { removeDir, submitJson, tempDir, UNIT, uuidv7, validRegistration } from './helpers.js';
import { redisUnavailable, startRedis, type RedisServer } from './redis-server.js';
import { ROOM_STORES, stopRoomStores } from './room-stores.js';
import { TEST_NOTICE, until } from './rooms-helpers.js';
import { CHILD_SECRET, startServerProcess, writeConfig, type ServerProcess } from './server-process.js';

const LEASE_MS = 1500;
const ROOMS = { resumeWindowMs: 30_000, heartbeatIntervalMs: 300, authTimeoutMs: 10_000, messagesPerSecond: 10_000, messageBurst: 10_000 };
const WAIT = 30_000;

type Name = 'a' | 'b';
const official = (role: OfficialRole, sub: string) => mintToken(CHILD_SECRET, { sub, role, unit: UNIT, name: `Cán bộ ${role}` });

interface Tracked {
  client: SignalingClient;
  states: SignalingState[];
  events: any[];
}

after(stopRoomStores);

for (const store of ROOM_STORES) describe(`the desk on two nodes through Redis, store ${store.name}`, { skip: redisUnavailable ?? store.unavailable }, () => {
  const root = tempDir('tiepdan-desk-cluster-');
  const shared = join(root, 'data');
  let redis: RedisServer;
  let storeValues: Partial<ConfigInput> = {};
  let closeStore = async () => {};
  const nodes = new Map<Name, ServerProcess>();
  const forwarders = new Forwarders();
  const clients: SignalingClient[] = [];
  const ws: Record<Name, string> = { a: '', b: '' };

  const alive = (name: Name) => nodes.get(name)!.child.exitCode === null && nodes.get(name)!.child.signalCode === null;
  const api = (name: Name) => `${nodes.get(name)!.url}/api/v1`;

  async function startNode(name: Name): Promise<ServerProcess> {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    const dataDir = store.name === 'sqlite' ? shared : join(dir, 'data');
    const node = await startServerProcess(writeConfig(dir, { ...storeValues, dataDir, rooms: ROOMS, bus: { kind: 'redis', url: redis.url, leaseMs: LEASE_MS, nodeId: `node-${name}` } }));
    nodes.set(name, node);
    return node;
  }

  function track(name: Name, sessionId: string, auth: { kind: 'official' | 'citizen'; token: string }): Tracked {
    const client = new SignalingClient({ url: ws[name], sessionId, auth, WebSocket: WebSocket as unknown as WebSocketConstructor, backoff: { initialMs: 100, maxMs: 400 }, onlineTarget: undefined, requestTimeoutMs: WAIT, notice: TEST_NOTICE });
    clients.push(client);
    const t: Tracked = { client, states: [], events: [] };
    client.onState((state) => t.states.push(state));
    client.onEvent((event) => t.events.push(event));
    return t;
  }

  /** A desk step as the clerk, sent to node `name` directly (the officer's browser reached that node). */
  async function step(name: Name, caseId: string, path: string, body: unknown): Promise<any> {
    const res = await fetch(`${api(name)}/desk/cases/${caseId}/${path}`, { method: 'POST', headers: { authorization: `Bearer ${await official('clerk', 'clerk.desk')}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    assert.equal(res.status, 200, `${path} on node ${name}: ${text}`);
    return (JSON.parse(text) as { case: any }).case;
  }

  const heard = (t: Tracked, caseId: string, stepName: string) => until(() => t.events.some((e) => e.type === 'case.updated' && e.caseId === caseId && e.step === stepName), WAIT, `case.updated ${stepName}`);

  before(async () => {
    redis = await startRedis();
    const opened = await store.open(shared);
    storeValues = opened.values;
    closeStore = opened.close;
    await startNode('a');
    await startNode('b');
    const ports = (...order: Name[]) => order.flatMap((n) => (nodes.get(n) && alive(n) ? [Number(new URL(nodes.get(n)!.url).port)] : []));
    ws.a = `ws://127.0.0.1:${await forwarders.open(() => ports('a', 'b'))}/ws`;
    ws.b = `ws://127.0.0.1:${await forwarders.open(() => ports('b', 'a'))}/ws`;
  });
  after(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await forwarders.close();
    for (const name of nodes.keys()) if (alive(name)) nodes.get(name)!.child.kill('SIGKILL');
    await Promise.all([...nodes.values()].map((n) => n.exited));
    await closeStore();
    await redis?.stop();
    removeDir(root);
  });

  test("desk steps on either node reach the room wherever it runs, through kill -9 of the room's node", async () => {
    const submitted = await submitJson(api('a'), validRegistration(), uuidv7());
    assert.equal(submitted.status, 201, await submitted.clone().text());
    const reference = ((await submitted.json()) as { reference: string }).reference;
    const sessionId = `desk-cluster-${process.pid}`;

    const ward = track('a', sessionId, { kind: 'citizen', token: await mintJoinToken(CHILD_SECRET, { sessionId, reference, name: 'Nguyễn Thị Hoa' }) });
    assert.equal((await ward.client.connect()).status, 'lobby');
    assert.equal(await redis.client().get(leaseKey(sessionId)), 'node-a', 'the room runs where the citizen came in');
    const clerk = track('b', sessionId, { kind: 'official', token: await official('clerk', 'clerk.desk') });
    const chair = track('b', sessionId, { kind: 'official', token: await official('chair', 'chair.desk') });
    await clerk.client.connect();
    await chair.client.connect();
    await chair.client.request('room.open', {});
    const admitted = new Promise<any>((resolve) => ward.client.onEvent((e) => e.type === 'lobby.admitted' && resolve(e)));
    await clerk.client.request('lobby.admit', { participantId: ward.client.participantId! });
    const caseId: string = (await admitted).caseId;
    assert.match(caseId, /^[0-9a-f-]{36}$/u, 'the desk opened the registration\'s case on admission');

    // A step on B for the room on A: the `case` command crosses, the citizen on A and the clerk on B read it.
    await step('b', caseId, 'identity', BODIES.identity);
    await Promise.all([heard(ward, caseId, 'identity'), heard(clerk, caseId, 'identity')]);

    // A dies; the clerk's next step goes to B straight away, before A's room lease lapsed.
    nodes.get('a')!.child.kill('SIGKILL');
    await nodes.get('a')!.exited;
    const everyone = [ward, clerk, chair];
    for (const t of everyone) t.states.length = 0;
    const holder = await redis.client().get(leaseKey(sessionId));
    const written = await step('b', caseId, 'content', BODIES.content);
    console.log(`# the content step was committed on B while the room's lease named ${holder}`);
    // The citizen's socket died with A and resumes through its forwarder to B; B's own sockets stay open (B rejoins
    // the room for them), so they are back when the roster shows everyone connected.
    await until(() => ward.states.includes('resumed') && ward.client.state === 'resumed', WAIT, 'the citizen resumed on B');
    await until(
      async () => (await chair.client.request('roster.get', {})).participants.every((p: any) => p.connected),
      WAIT,
      'everyone connected in the room on B',
    );
    for (const t of [clerk, chair]) assert.deepEqual(t.states, [], 'a client of the living node did not reconnect');
    assert.equal(await redis.client().get(leaseKey(sessionId)), 'node-b');
    await Promise.all([heard(ward, caseId, 'content'), heard(clerk, caseId, 'content')]);
    const roster = await chair.client.request('roster.get', {});
    assert.equal(roster.participants.find((p: any) => p.participantId === ward.client.participantId)?.status, 'admitted', 'the admission is kept');
    assert.equal(roster.caseId, caseId, 'the room is still bound to the case');

    // A comes back; a step sent to it reaches the room that runs on B now.
    await startNode('a');
    await step('a', caseId, 'confirmations/aloud', { version: written.content.version, sha256: written.content.sha256 });
    await Promise.all([heard(ward, caseId, 'confirm.aloud'), heard(clerk, caseId, 'confirm.aloud')]);
    assert.equal(await redis.client().get(leaseKey(sessionId)), 'node-b', 'the room stayed where it runs');
    await step('a', caseId, 'receipt', BODIES.receipt);
    await step('b', caseId, 'handling', BODIES.handling);
    const closed = await step('a', caseId, 'close', BODIES.close);
    assert.equal(closed.state, 'closed');
    await heard(ward, caseId, 'close');
    for (const name of ['identity', 'content', 'confirm.aloud', 'close']) {
      assert.equal(ward.events.filter((e) => e.type === 'case.updated' && e.step === name).length, 1, `the citizen told of ${name} once`);
    }

    const res = await fetch(`${api('b')}/register`, { headers: { authorization: `Bearer ${await official('clerk', 'clerk.desk')}` } });
    const lines = ((await res.json()) as { entries: any[] }).entries.filter((e) => e.caseId === caseId);
    assert.equal(lines.length, 1, 'one line in the register');
  });
});
