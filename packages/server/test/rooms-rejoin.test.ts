/**
 * A room whose node died after committing a request but before its reply left (issue 13 §3): the room's next
 * node, over the same store, knows the participant but not the socket. The socket's node is told to rejoin on its
 * behalf (reply `rejoin`), and the same request (same connection, same id) sent again is answered from the room's
 * record, not carried out a second time: one admission in the audit chain, one chat line.
 * Two hosts over one real SQLite file, each with a bus that spreads rooms (as the Redis bus does); the first host
 * is simply abandoned, as a killed process would be.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { InProcessRoomBus, migrate } from '../src/index.js';
import type { RoomBus } from '../src/rooms/bus.js';
import type { RoomCommand } from '../src/rooms/commands.js';
import { RoomHost } from '../src/rooms/host.js';
import { SqliteRoomStore } from '../src/store/room-sqlite.js';
import { removeDir, tempDir } from './helpers.js';
import { HOST_SETTINGS } from './rooms-helpers.js';

const settings = HOST_SETTINGS;

/** One node's bus in a cluster: rooms are loaded by the node that is asked, not all at start (hostsEveryRoom false). */
function spreadBus(): RoomBus {
  const bus = new InProcessRoomBus();
  return {
    hostsEveryRoom: false,
    request: (sessionId, command) => bus.request(sessionId, command),
    serve: (handler) => bus.serve(handler),
    release: () => undefined,
    publish: (sessionId, delivery) => bus.publish(sessionId, delivery),
    subscribe: (sessionId, listener) => bus.subscribe(sessionId, listener),
    subscribeAll: (listener) => bus.subscribeAll(listener),
  };
}

const SESSION = 'moved-1';
const chair = { kind: 'official' as const, sub: 'chair.moved', role: 'chair' as const, unit: 'dongthap.sadec' };
const citizen = { kind: 'citizen' as const, sessionId: SESSION, reference: 'TD-MOVED-1', name: 'Nguyễn Văn A' };

test('a request the dead node committed is answered from the record on the next node after rejoin, not done twice', async () => {
  const dir = tempDir();
  const file = join(dir, 'rooms.sqlite');
  const db1 = new Database(file);
  migrate(db1);
  const store1 = new SqliteRoomStore(db1, settings.eventLogSize);
  const host1 = new RoomHost(settings, spreadBus(), store1);
  const db2 = new Database(file);
  const store2 = new SqliteRoomStore(db2, settings.eventLogSize);
  const bus2 = spreadBus();
  const host2 = new RoomHost(settings, bus2, store2);
  try {
    await host1.start();
    const hello = await host1.handle(SESSION, { kind: 'hello', connectionId: 'c-chair', identity: chair });
    assert.ok(hello.ok, JSON.stringify(hello));
    const chairId = (hello.result as { participantId: string }).participantId;
    const helloCitizen = await host1.handle(SESSION, { kind: 'hello', connectionId: 'c-citizen', identity: citizen, notice: { version: 'v1', acknowledgedAt: new Date().toISOString() } });
    assert.ok(helloCitizen.ok, JSON.stringify(helloCitizen));
    const citizenId = (helloCitizen.result as { participantId: string }).participantId;
    const asChair = (message: Extract<RoomCommand, { kind: 'request' }>['message']): Extract<RoomCommand, { kind: 'request' }> => ({ kind: 'request', connectionId: 'c-chair', participantId: chairId, message });
    assert.ok((await host1.handle(SESSION, asChair({ v: 1, id: 'open', type: 'room.open' }))).ok);

    // The dead node carried these out and committed them (handle waits for the commit); their replies never left.
    const admit = asChair({ v: 1, id: 'admit-1', type: 'lobby.admit', participantId: citizenId });
    const chat = asChair({ v: 1, id: 'chat-1', type: 'chat.send', text: 'Xin chào' });
    const admitted = await host1.handle(SESSION, admit);
    assert.ok(admitted.ok, JSON.stringify(admitted));
    const chatted = await host1.handle(SESSION, chat);
    assert.ok(chatted.ok, JSON.stringify(chatted));
    const seqBefore = (chatted.result as { seq: number }).seq;

    // The next node takes the room over: it tells the nodes of the sockets it had (moved), and the chair's socket
    // finds it does not know the socket (rejoin), not that the chair is a stranger.
    await host2.start();
    const moved: unknown[] = [];
    bus2.subscribe(SESSION, (delivery) => moved.push(delivery));
    const first = await host2.handle(SESSION, admit);
    assert.deepEqual(first.ok ? first : { ok: false, rejoin: first.rejoin }, { ok: false, rejoin: true }, JSON.stringify(first));
    assert.ok(
      moved.some((d) => (d as { kind: string }).kind === 'moved' && (d as { connections: string[] }).connections.includes('c-chair')),
      `the chair's socket is told the room moved: ${JSON.stringify(moved)}`,
    );
    const rejoined = await host2.handle(SESSION, { kind: 'hello', connectionId: 'c-chair', identity: chair, resume: { participantId: chairId, lastSeq: seqBefore }, rejoin: true });
    assert.ok(rejoined.ok, JSON.stringify(rejoined));
    assert.equal((rejoined.result as { participantId: string; resumed: boolean }).participantId, chairId);
    assert.equal((rejoined.result as { resumed: boolean }).resumed, true);

    // Sent again: answered from the record, with the dead node's results.
    const again = await host2.handle(SESSION, admit);
    assert.deepEqual(again, admitted, 'the admission is answered from the record');
    const chatAgain = await host2.handle(SESSION, chat);
    assert.deepEqual(chatAgain, chatted, 'the chat line is answered from the record');

    const audit = await store2.audit.entries(SESSION);
    assert.equal(audit.filter((e) => e.action === 'lobby.admit').length, 1, 'one admission in the audit chain');
    const rows = db2.prepare('SELECT count(*) AS n FROM room_chat WHERE session_id = ?').get(SESSION) as { n: number };
    assert.equal(rows.n, 1, 'one chat line');
    const roster = await host2.handle(SESSION, asChair({ v: 1, id: 'roster', type: 'roster.get' }));
    assert.ok(roster.ok, JSON.stringify(roster));
    const seen = (roster.result as { participants: { participantId: string; status: string }[] }).participants.find((p) => p.participantId === citizenId);
    assert.equal(seen?.status, 'admitted');

    // A new request from the rejoined socket is carried out as usual.
    const next = await host2.handle(SESSION, asChair({ v: 1, id: 'chat-2', type: 'chat.send', text: 'Mời anh trình bày' }));
    assert.ok(next.ok, JSON.stringify(next));
    assert.equal((db2.prepare('SELECT count(*) AS n FROM room_chat WHERE session_id = ?').get(SESSION) as { n: number }).n, 2);
  } finally {
    await host2.close();
    db2.close();
    db1.close();
    removeDir(dir);
  }
});

test('a rejoin takes back only the socket\'s own place: another socket\'s rejoin is refused once the place is held', async () => {
  const dir = tempDir();
  const file = join(dir, 'rooms.sqlite');
  const db1 = new Database(file);
  migrate(db1);
  const host1 = new RoomHost(settings, spreadBus(), new SqliteRoomStore(db1, settings.eventLogSize));
  const db2 = new Database(file);
  const host2 = new RoomHost(settings, spreadBus(), new SqliteRoomStore(db2, settings.eventLogSize));
  try {
    await host1.start();
    const hello = await host1.handle(SESSION, { kind: 'hello', connectionId: 'c-chair', identity: chair });
    assert.ok(hello.ok);
    const chairId = (hello.result as { participantId: string }).participantId;
    await host2.start();
    // The chair reconnected (new socket) and resumed on the new node first.
    const resumed = await host2.handle(SESSION, { kind: 'hello', connectionId: 'c-chair-2', identity: chair, resume: { participantId: chairId, lastSeq: 0 } });
    assert.ok(resumed.ok, JSON.stringify(resumed));
    const late = await host2.handle(SESSION, { kind: 'hello', connectionId: 'c-chair', identity: chair, resume: { participantId: chairId, lastSeq: 0 }, rejoin: true });
    assert.equal(late.ok, false, 'the old socket does not take the place back from the newer one');
    const request = await host2.handle(SESSION, { kind: 'request', connectionId: 'c-chair', participantId: chairId, message: { v: 1, id: 'r', type: 'roster.get' } });
    assert.deepEqual(request.ok ? request : { ok: false, rejoin: request.rejoin ?? false }, { ok: false, rejoin: false }, 'a place held by another socket is plainly refused');
  } finally {
    await host2.close();
    db2.close();
    db1.close();
    removeDir(dir);
  }
});
