/**
 * The rooms' event tail on disk (store/room-sqlite.ts) is trimmed in steps, not in every commit: it never holds
 * fewer than the log's size (a resume after a restart must find what the room kept) nor more than twice it, and
 * every chat line stays in room_chat. A real SQLite file, migrated as the server does.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { InProcessRoomBus, migrate, type CommandReply } from '../src/index.js';
import { RoomHost } from '../src/rooms/host.js';
import type { RoomSettings } from '../src/rooms/room.js';
import { SqliteRoomStore } from '../src/store/room-sqlite.js';
import { removeDir, tempDir } from './helpers.js';

test('room_events keeps between eventLogSize and twice it; chat keeps everything', () => {
  const dir = tempDir();
  const db = new Database(join(dir, 'rooms.sqlite'));
  try {
    migrate(db);
    const size = 10;
    const store = new SqliteRoomStore(db, size);
    const count = db.prepare<[string], number>('SELECT COUNT(*) FROM room_events WHERE session_id = ?').pluck();
    const lowest = db.prepare<[string], number>('SELECT MIN(seq) FROM room_events WHERE session_id = ?').pluck();
    const sizes: number[] = [];
    for (let seq = 1; seq <= 95; seq += 1) {
      const at = new Date(Date.UTC(2026, 0, 1, 8, 0, seq)).toISOString();
      store.appendEvent('s1', { seq, at, recipients: ['a', 'b'], frame: JSON.stringify({ seq }) });
      store.appendChat({ sessionId: 's1', seq, messageId: `m${seq}`, participantId: 'a', name: 'An', text: `tin ${seq}`, at });
      store.flush();
      sizes.push(count.get('s1')!);
      // Everything from seq - size + 1 on is still there to replay.
      assert.ok(lowest.get('s1')! <= Math.max(1, seq - size + 1), `after ${seq}: the last ${size} events are kept`);
    }
    assert.ok(Math.max(...sizes) <= 2 * size, `at most twice the log's size on disk (saw ${Math.max(...sizes)})`);
    assert.ok(sizes.at(-1)! >= size);
    assert.ok(new Set(sizes.slice(20)).size > 1, 'trimmed more than once');
    assert.equal(store.chat('s1').length, 95);
    assert.deepEqual(store.load('s1'), undefined, 'no room row was written, so nothing to load');
  } finally {
    db.close();
    removeDir(dir);
  }
});

/**
 * Issue 17: a restart brings every client back at once, and a resume must not cost a commit (an fsync) of its
 * own: 2,000 resumes at one commit each took 14 s. Presence (a socket coming back or going) rides with a shared
 * commit. The guarantees stay: every delivered event was on disk when it left, the replay is exactly what the
 * room logged for the participant, and sequence numbers go on.
 */
test('a storm of drops and resumes after a restart shares a few commits; deliveries still wait for the disk', async () => {
  const dir = tempDir();
  const db = new Database(join(dir, 'rooms.sqlite'));
  const sessionId = 'storm-1';
  const N = 40;
  migrate(db);
  const settings: RoomSettings = {
    resumeWindowMs: 60_000,
    hideObserversFromCitizens: true,
    eventLogSize: 1000,
    heartbeatIntervalMs: 2500,
    heartbeatTimeoutMs: 6000,
    maxFrameBytes: 65_536,
    messagesPerSecond: 100,
    connectionPoints: new Map(),
  };
  const onDisk = db.prepare<[string, number], number>('SELECT COUNT(*) FROM room_events WHERE session_id = ? AND seq = ?').pluck();
  const undurable: number[] = [];
  /** One process's rooms: a store, a bus that checks every delivery against the disk, a host. */
  const boot = () => {
    const store = new SqliteRoomStore(db, settings.eventLogSize);
    const bus = new InProcessRoomBus();
    bus.subscribe(sessionId, (d) => {
      if (d.kind === 'event' && onDisk.get(sessionId, d.seq) !== 1) undurable.push(d.seq);
    });
    const host = new RoomHost(settings, bus, store);
    host.start();
    return { store, bus, host };
  };
  /** Sends each command in its own turn of the event loop, as sockets' frames arrive, and awaits all replies. */
  const storm = async (send: (i: number) => Promise<CommandReply>) => {
    const replies: Promise<CommandReply>[] = [];
    for (let i = 0; i < N; i += 1) {
      replies.push(send(i));
      await new Promise((resolve) => setImmediate(resolve));
    }
    return Promise.all(replies);
  };
  const identity = (i: number) => ({ kind: 'official' as const, sub: `official.${i}`, role: 'official' as const, unit: 'dongthap.sadec' });
  try {
    let p = boot();
    const joined: { participantId: string; connectionId: string; seq: number }[] = [];
    for (let i = 0; i < N; i += 1) {
      const reply = await p.bus.request(sessionId, { kind: 'hello', connectionId: `c${i}`, identity: identity(i) });
      assert.ok(reply.ok);
      const result = reply.result as { participantId: string; room: { seq: number } };
      joined.push({ participantId: result.participantId, connectionId: `c${i}`, seq: result.room.seq });
    }

    // Everyone drops at once (a cut link, a Wi-Fi that went away).
    let before = p.store.commits;
    const detached = await storm((i) => p.bus.request(sessionId, { kind: 'detach', participantId: joined[i]!.participantId, connectionId: joined[i]!.connectionId }));
    assert.ok(detached.every((r) => r.ok));
    const dropCommits = p.store.commits - before;
    assert.ok(dropCommits <= N / 4, `${N} drops took ${dropCommits} commits; presence must share them`);

    // The server restarts on the same database; every place is restored, everyone resumes in their own turn.
    p.host.close();
    p = boot();
    before = p.store.commits;
    const resumed = await storm((i) =>
      p.bus.request(sessionId, { kind: 'hello', connectionId: `r${i}`, identity: identity(i), resume: { participantId: joined[i]!.participantId, lastSeq: joined[i]!.seq } }),
    );
    const resumeCommits = p.store.commits - before;
    assert.ok(resumeCommits <= N / 4, `${N} resumes took ${resumeCommits} commits; a resume must not commit on its own`);

    // Nothing was given up for it: every reply is a resume with the exact replay of what the room logged for
    // that participant after what it had seen, every delivery was on disk first, and numbers never went back.
    const logged = db.prepare<[string], { seq: number; recipients: string; frame: string }>('SELECT seq, recipients, frame FROM room_events WHERE session_id = ? ORDER BY seq').all(sessionId);
    resumed.forEach((reply, i) => {
      assert.ok(reply.ok);
      const result = reply.result as { resumed: boolean; replay: boolean; participantId: string; room: { seq: number } };
      assert.equal(result.resumed, true);
      assert.equal(result.replay, true);
      assert.equal(result.participantId, joined[i]!.participantId);
      // Everything logged for it after what it had seen, in order, up to its snapshot at least (and what left
      // while its reply waited for the commit); what comes after reaches its socket as live events.
      const replay = reply.replay ?? [];
      const forIt = logged.filter((e) => e.seq > joined[i]!.seq && (JSON.parse(e.recipients) as string[]).includes(joined[i]!.participantId));
      const seqOf = (frame: string) => (JSON.parse(frame) as { seq: number }).seq;
      assert.deepEqual(replay.map(seqOf), forIt.slice(0, replay.length).map((e) => e.seq), `participant ${i}'s replay: what was logged for it, in order, no gap`);
      assert.ok(replay.every((frame, k) => frame === forIt[k]!.frame), `participant ${i}'s replay frames are the stored ones`);
      assert.ok(replay.length >= forIt.filter((e) => e.seq <= result.room.seq).length, `participant ${i}'s replay reaches its snapshot`);
    });
    assert.deepEqual(undurable, [], 'every delivered event was in room_events when it left');
    const updates = logged.filter((e) => (JSON.parse(e.frame) as { event: { type: string } }).event.type === 'participant.updated');
    assert.equal(updates.length, 2 * N, 'one stored notice per drop and per resume');
    const seqs = logged.map((e) => e.seq);
    assert.deepEqual(seqs, [...new Set(seqs)].sort((a, b) => a - b), 'sequence numbers only go up');
    p.host.close();
  } finally {
    db.close();
    removeDir(dir);
  }
});
