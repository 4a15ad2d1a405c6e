/**
 * The rooms' store contract (rooms/room-store.ts), run by store-contract.test.ts against every store that provides
 * rooms, through the interface only (plus the database's own answers, read as an operator's session would): a room
 * restored after a restart or a crash, sequence numbers reserved ahead, the event tail in order and trimmed in steps,
 * chat lines kept as the record, the audit chain verified and its rows refused changes by the database, and two
 * stores (two nodes) writing at once without forking the chain, and the lease fence refusing a node that lost a room. Each "node" is a second `openRooms` on the same
 * database: on PostgreSQL that is other connections, so a read there sees only what was committed.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { RoomData } from '../src/rooms/room-data.js';
import type { RoomStore, StoredEvent } from '../src/rooms/room-store.js';
import { SEQ_BLOCK } from '../src/store/room-queue.js';
import type { EngineStore } from '../src/store/store.js';

export interface RoomContractContext {
  store: EngineStore;
  /** Rows of a query on the store's database, outside the store (its own connection on PostgreSQL). */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  raw(sql: string): Promise<void>;
  /** SQL that takes room_audit's UPDATE guard away and puts it back, as a database owner could. */
  auditGuard: { off: string; on: string };
}

const at = (s: number) => new Date(Date.UTC(2026, 11, 2, 8, 0, s)).toISOString();

function roomData(sessionId: string, seq: number, state: RoomData['state'] = 'open'): RoomData {
  return { sessionId, state, seq, caseId: null, floor: null, participants: [], lobby: ['p-citizen'], points: [], denied: [] };
}

function event(seq: number, chat = false): StoredEvent {
  if (!chat) return { seq, at: at(seq), recipients: ['p1', 'p2'], frame: JSON.stringify({ v: 1, type: 'event', seq, at: at(seq), event: { type: 'hand.changed', participantId: 'p1', raised: true } }) };
  // The frame shows a denouncer redacted; `author` is their own name, the record's.
  const e = { type: 'chat.message', messageId: `m${seq}`, from: 'p1', name: 'Người tố cáo', text: `tin nhắn ${seq}`, at: at(seq) };
  return { seq, at: at(seq), recipients: ['p1', 'p2'], frame: JSON.stringify({ v: 1, type: 'event', seq, at: at(seq), event: e }), author: 'Nguyễn Văn An' };
}

/** A turn of the event loop: what a room queues in one turn goes in one batch. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

export function roomStoreContract(context: () => RoomContractContext): void {
  const open = (eventLogSize = 100, onError?: (error: unknown) => void): RoomStore => context().store.openRooms!({ eventLogSize, ...(onError ? { onError } : {}) });
  const count = async (sql: string) => Number((await context().rows(sql))[0]!.n);

  describe('rooms', () => {
    test('a room closed gracefully comes back after a restart with its exact number, its tail in order and its chat author', async () => {
      const sessionId = `room-${randomUUID()}`;
      const node = open();
      for (let seq = 1; seq <= 5; seq += 1) {
        node.appendEvent(sessionId, event(seq, seq === 4));
        node.sequenced(sessionId, seq);
      }
      node.markDirty(sessionId, () => roomData(sessionId, 5));
      await node.close();
      const restarted = open();
      const loaded = await restarted.load(sessionId);
      assert.equal(loaded?.data.seq, 5, 'a graceful close writes the exact number: numbering goes on without a jump');
      assert.deepEqual(loaded.data.lobby, ['p-citizen']);
      assert.deepEqual(loaded.events.map((e) => e.seq), [1, 2, 3, 4, 5]);
      assert.deepEqual(loaded.events[3], event(4, true), 'the stored event, frame as sent, with its author');
      assert.equal(loaded.events[0]!.author, undefined);
      assert.ok((await restarted.activeSessions()).includes(sessionId));
      restarted.markDirty(sessionId, () => roomData(sessionId, 5, 'ended'));
      await restarted.flush();
      assert.ok(!(await open().activeSessions()).includes(sessionId), 'an ended room is not restored');
      assert.equal(await open().load(`room-${randomUUID()}`), undefined);
    });

    test('a close behind a commit in flight writes the exact number, even when a commit called for before it runs first', async () => {
      const sessionId = `room-${randomUUID()}`;
      const node = open();
      node.markDirty(sessionId, () => roomData(sessionId, 1));
      node.sequenced(sessionId, 1);
      await node.flush();
      // A presence write is being committed (a round trip on PostgreSQL)…
      node.appendEvent(sessionId, event(2));
      node.sequenced(sessionId, 2);
      const inFlight = node.flush();
      // …a presence commit comes due meanwhile and waits its turn (its timer's flush)…
      const presence = node.flush();
      // …and the server closes: the host marks every room, the store writes them. The commit called for first runs
      // first; it must not write the room with its reservation and leave the close nothing to write.
      node.markDirty(sessionId, () => roomData(sessionId, 2));
      await Promise.all([inFlight, presence, node.close()]);
      const loaded = await open().load(sessionId);
      assert.equal(loaded?.data.seq, 2, `the next process numbers on from 2, not from the reservation (${1 + SEQ_BLOCK})`);
    });

    test('after a crash (no close) a room numbers on above everything it could have sent: the reservation', async () => {
      const sessionId = `room-${randomUUID()}`;
      const node = open();
      node.markDirty(sessionId, () => roomData(sessionId, 0));
      await node.flush();
      // Numbers handed out (a signal, not stored) wait for a reservation that covers them.
      node.sequenced(sessionId, 1);
      node.sequenced(sessionId, 2);
      let released = false;
      node.afterCommit(() => (released = true));
      assert.equal(released, false, 'a number above the reservation does not leave before one is committed');
      await node.durable();
      assert.equal(released, true);
      const crashed = await open().load(sessionId);
      assert.equal(crashed?.data.seq, 2 + SEQ_BLOCK);
      // Within the reservation nothing is written for a number handed out.
      node.sequenced(sessionId, 3);
      let next = false;
      node.afterCommit(() => (next = true));
      assert.equal(next, true, 'within the committed reservation a delivery leaves at once');
    });

    test('a delivery waits for its commit: when it leaves, another node already reads what it announces', async () => {
      const sessionId = `room-${randomUUID()}`;
      const node = open();
      const other = open();
      const seen: Promise<number[] | undefined>[] = [];
      for (let seq = 1; seq <= 3; seq += 1) {
        node.appendEvent(sessionId, event(seq));
        node.sequenced(sessionId, seq);
        node.markDirty(sessionId, () => roomData(sessionId, seq));
        node.afterCommit(() => seen.push(other.load(sessionId).then((r) => r?.events.map((e) => e.seq))));
        await turn();
      }
      await node.durable();
      const views = await Promise.all(seen);
      assert.equal(views.length, 3);
      views.forEach((view, i) => assert.deepEqual(view?.slice(0, i + 1), [1, 2, 3].slice(0, i + 1), `delivery ${i + 1} left after its event was committed`));
    });

    test('the tail on disk keeps between the log size and twice it; every chat line stays; a room loads the last log size of numbers', async () => {
      const sessionId = `room-${randomUUID()}`;
      const size = 10;
      const node = open(size);
      const onDisk: number[] = [];
      for (let seq = 1; seq <= 90; seq += 1) {
        node.appendEvent(sessionId, event(seq, seq % 2 === 0));
        node.sequenced(sessionId, seq);
        if (seq === 1) node.markDirty(sessionId, () => roomData(sessionId, seq));
        await node.flush();
        onDisk.push(await count(`SELECT COUNT(*) AS n FROM room_events WHERE session_id = '${sessionId}' AND author IS NULL`));
        assert.equal(await count(`SELECT COUNT(*) AS n FROM room_events WHERE session_id = '${sessionId}' AND seq > ${seq - size}`), Math.min(size, seq), `after ${seq}: the last ${size} numbers are there to replay`);
      }
      assert.ok(Math.max(...onDisk) <= size, `half the numbers are chat lines: at most twice the log's size on disk (saw ${Math.max(...onDisk)} other events)`);
      assert.ok(new Set(onDisk.slice(30)).size > 1, 'trimmed more than once');
      const chat = await open(size).chat(sessionId);
      assert.equal(chat.length, 45, 'every chat line stays');
      assert.deepEqual(chat[0], { sessionId, seq: 2, messageId: 'm2', participantId: 'p1', name: 'Nguyễn Văn An', text: 'tin nhắn 2', at: at(2) });
      assert.deepEqual(chat.map((c) => c.seq), Array.from({ length: 45 }, (_, i) => 2 * (i + 1)), 'in order');
      const loaded = await open(size).load(sessionId);
      assert.deepEqual(loaded?.events.map((e) => e.seq), Array.from({ length: size }, (_, i) => 90 - size + 1 + i));
    });

    test('the audit chain rides with the room: appended in order, verified, listed per session', async () => {
      const sessionId = `room-${randomUUID()}`;
      const node = open();
      node.markDirty(sessionId, () => roomData(sessionId, 1));
      node.audit.append({ sessionId, at: at(1), actor: 'official:clerk-1', role: 'clerk', action: 'lobby.admit', target: 'p-citizen', detail: { caseId: null } });
      node.audit.append({ sessionId, at: at(2), actor: 'official:chair-1', role: 'chair', action: 'floor.give', target: 'p-citizen' });
      let released = false;
      node.afterCommit(() => (released = true));
      await node.durable();
      assert.equal(released, true);
      const entries = await open().audit.entries(sessionId);
      assert.deepEqual(entries.map((e) => [e.action, e.actor, e.target, e.detail]), [
        ['lobby.admit', 'official:clerk-1', 'p-citizen', { caseId: null }],
        ['floor.give', 'official:chair-1', 'p-citizen', {}],
      ]);
      assert.equal(entries[1]!.id, entries[0]!.id + 1);
      const verified = await open().audit.verify();
      assert.equal(verified.ok, true);
      assert.ok(verified.count >= 2);
    });

    test('two nodes writing at once do not fork the chain; each batch is all or nothing', async () => {
      const failed: unknown[] = [];
      const nodes = [open(100, (error) => failed.push(error)), open(100, (error) => failed.push(error))];
      const sessions = nodes.map(() => `room-${randomUUID()}`);
      const before = (await open().audit.verify()).count;
      const PER_NODE = 40;
      // Both nodes append in the same turns: their commits overlap on PostgreSQL (other connections).
      for (let i = 1; i <= PER_NODE; i += 1) {
        nodes.forEach((node, n) => {
          node.appendEvent(sessions[n]!, event(i));
          node.sequenced(sessions[n]!, i);
          node.markDirty(sessions[n]!, () => roomData(sessions[n]!, i));
          node.audit.append({ sessionId: sessions[n]!, at: at(i), actor: `official:clerk-${n}`, role: 'clerk', action: 'lobby.admit', target: `p${i}` });
        });
        if (i % 2 === 0) await turn();
      }
      await Promise.all(nodes.map((node) => node.durable()));
      assert.deepEqual(failed, [], 'no commit failed: the writers of the chain wait their turn instead of colliding');
      const verified = await open().audit.verify();
      assert.deepEqual(verified, { ok: true, count: before + 2 * PER_NODE }, 'one chain, every entry in it once');
      for (const [n, sessionId] of sessions.entries()) {
        const entries = await open().audit.entries(sessionId);
        assert.deepEqual(entries.map((e) => e.target), Array.from({ length: PER_NODE }, (_, i) => `p${i + 1}`), `node ${n}'s entries in the order appended`);
        const loaded = await open().load(sessionId);
        assert.deepEqual(loaded?.events.map((e) => e.seq), Array.from({ length: PER_NODE }, (_, i) => i + 1));
      }
    });

    test('the lease fence: a lower epoch writes nothing of its room and is reported refused; an equal or higher one writes and raises it', async () => {
      const sessionId = `room-${randomUUID()}`;
      const other = `room-${randomUUID()}`;
      const epochOf = async (id: string) => Number((await context().rows(`SELECT lease_epoch AS e FROM rooms WHERE session_id = '${id}'`))[0]?.e);
      const events = async (id: string) => (await open().load(id))?.events.map((e) => e.seq);
      // The node that took the room over (epoch 2) writes first; a room with no row yet takes its epoch on insert.
      const taker = open();
      const takerRefused: string[][] = [];
      taker.onRefused((ids) => takerRefused.push(ids));
      taker.leaseEpoch(sessionId, 2);
      taker.appendEvent(sessionId, event(1));
      taker.sequenced(sessionId, 1);
      taker.markDirty(sessionId, () => roomData(sessionId, 1));
      await taker.durable();
      assert.equal(await epochOf(sessionId), 2);
      const reservedBefore = (await open().load(sessionId))?.data.seq;

      // The node that lost it (epoch 1) comes back with a batch for it, and for another room it still holds.
      const stale = open();
      const staleRefused: string[][] = [];
      stale.onRefused((ids) => staleRefused.push(ids));
      stale.leaseEpoch(sessionId, 1);
      stale.leaseEpoch(other, 1);
      stale.appendEvent(sessionId, event(2, true));
      stale.sequenced(sessionId, 2);
      stale.markDirty(sessionId, () => ({ ...roomData(sessionId, 2, 'ended'), lobby: [] }));
      stale.appendEvent(other, event(1));
      stale.sequenced(other, 1);
      stale.markDirty(other, () => roomData(other, 1));
      await stale.durable();
      assert.deepEqual(staleRefused, [[sessionId]], 'the commit reports the fenced room, and only it');
      const kept = await open().load(sessionId);
      assert.deepEqual(kept?.events.map((e) => e.seq), [1], "none of the refused room's events");
      assert.equal(kept?.data.state, 'open', "nor its state");
      assert.deepEqual(kept?.data.lobby, ['p-citizen']);
      assert.equal(kept?.data.seq, reservedBefore, 'nor its reservation');
      assert.equal(await count(`SELECT COUNT(*) AS n FROM room_events WHERE session_id = '${sessionId}' AND author IS NOT NULL`), 0, 'nor its chat line');
      assert.equal(await epochOf(sessionId), 2, 'the fence is not lowered');
      assert.deepEqual(await events(other), [1], 'the room the stale node still holds is written in the same commit');
      assert.equal(await epochOf(other), 1);

      // Equal: the holder's own next batch goes through.
      taker.appendEvent(sessionId, event(2));
      taker.sequenced(sessionId, 2);
      taker.markDirty(sessionId, () => roomData(sessionId, 2));
      await taker.durable();
      assert.deepEqual(await events(sessionId), [1, 2]);
      assert.deepEqual(takerRefused, []);

      // Higher: a third holder writes and raises the fence, after which the second is refused in turn.
      const third = open();
      third.leaseEpoch(sessionId, 3);
      third.appendEvent(sessionId, event(3));
      third.sequenced(sessionId, 3);
      third.markDirty(sessionId, () => roomData(sessionId, 3));
      await third.durable();
      assert.equal(await epochOf(sessionId), 3);
      assert.deepEqual(await events(sessionId), [1, 2, 3]);
      taker.appendEvent(sessionId, event(4));
      taker.sequenced(sessionId, 4);
      taker.markDirty(sessionId, () => roomData(sessionId, 4, 'ended'));
      await taker.durable();
      assert.deepEqual(takerRefused, [[sessionId]]);
      assert.deepEqual(await events(sessionId), [1, 2, 3]);
      assert.equal((await open().load(sessionId))?.data.state, 'open');
    });

    test("the chain's rows are refused changes by the database, and a change made around that is found by verify", async () => {
      const sessionId = `room-${randomUUID()}`;
      const node = open();
      node.audit.append({ sessionId, at: at(1), actor: 'official:clerk-1', role: 'clerk', action: 'lobby.deny', target: 'p-citizen', detail: { reason: 'not_invited' } });
      await node.durable();
      const [entry] = await node.audit.entries(sessionId);
      await assert.rejects(context().raw(`UPDATE room_audit SET action = 'lobby.admit' WHERE id = ${entry!.id}`), /room_audit is append-only/u);
      await assert.rejects(context().raw(`DELETE FROM room_audit WHERE id = ${entry!.id}`), /room_audit is append-only/u);
      await context().raw(context().auditGuard.off);
      try {
        await context().raw(`UPDATE room_audit SET action = 'lobby.admit' WHERE id = ${entry!.id}`);
        const broken = await node.audit.verify();
        assert.equal(broken.ok, false);
        assert.deepEqual(broken.ok === false && [broken.brokenAt, broken.reason], [entry!.id, 'entry was changed']);
        await context().raw(`UPDATE room_audit SET action = 'lobby.deny' WHERE id = ${entry!.id}`);
      } finally {
        await context().raw(context().auditGuard.on);
      }
      assert.equal((await node.audit.verify()).ok, true, 'the row put back, the chain holds again');
      await assert.rejects(context().raw(`UPDATE room_audit SET actor = 'x' WHERE id = ${entry!.id}`), /room_audit is append-only/u, 'the guard is back');
    });
  });
}
