/**
 * The rooms' event tail on disk (store/room-sqlite.ts) is trimmed in steps, not in every commit: it never holds
 * fewer than the log's size (a resume after a restart must find what the room kept) nor more than twice it, and
 * every chat line stays (it is stored once, as its event: room_chat is a view). A real SQLite file, migrated as
 * the server does.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { InProcessRoomBus, MIGRATIONS, migrate, type CommandReply } from '../src/index.js';
import { RoomHost } from '../src/rooms/host.js';
import { SqliteRoomStore } from '../src/store/room-sqlite.js';
import { removeDir, tempDir } from './helpers.js';
import { HOST_SETTINGS } from './rooms-helpers.js';

test('room_events keeps between eventLogSize and twice it; chat keeps everything', async () => {
  const dir = tempDir();
  const db = new Database(join(dir, 'rooms.sqlite'));
  try {
    migrate(db);
    const size = 10;
    const store = new SqliteRoomStore(db, size);
    // The tail (events that are not chat lines) is what gets trimmed; chat lines are the record and stay.
    const count = db.prepare<[string], number>('SELECT COUNT(*) FROM room_events WHERE session_id = ? AND author IS NULL').pluck();
    const kept = db.prepare<[string, number], number>('SELECT COUNT(*) FROM room_events WHERE session_id = ? AND seq > ?').pluck();
    const sizes: number[] = [];
    for (let seq = 1; seq <= 190; seq += 1) {
      const at = new Date(Date.UTC(2026, 0, 1, 8, 0, seq)).toISOString();
      if (seq % 2 === 0) {
        const event = { type: 'chat.message', messageId: `m${seq}`, from: 'a', name: 'Người tố cáo', text: `tin ${seq}`, at };
        store.appendEvent('s1', { seq, at, recipients: ['a', 'b'], frame: JSON.stringify({ v: 1, type: 'event', seq, at, event }), author: 'An' });
      } else store.appendEvent('s1', { seq, at, recipients: ['a', 'b'], frame: JSON.stringify({ seq }) });
      await store.flush();
      sizes.push(count.get('s1')!);
      // Everything from seq - size + 1 on is still there to replay.
      assert.equal(kept.get('s1', seq - size), Math.min(size, seq), `after ${seq}: the last ${size} events are kept`);
    }
    // Half the numbers are chat lines: the other events on disk stay between half the log's size and the log's size.
    assert.ok(Math.max(...sizes) <= size, `at most twice the log's size of numbers on disk (saw ${Math.max(...sizes)} events besides chat)`);
    assert.ok(sizes.at(-1)! >= size / 2);
    assert.ok(new Set(sizes.slice(40)).size > 1, 'trimmed more than once');
    const chat = await store.chat('s1');
    assert.equal(chat.length, 95, 'every chat line stays');
    assert.deepEqual(chat[0], { sessionId: 's1', seq: 2, messageId: 'm2', participantId: 'a', name: 'An', text: 'tin 2', at: new Date(Date.UTC(2026, 0, 1, 8, 0, 2)).toISOString() });
    // The rows a restarted room loads are the last `size` numbers, without the chat lines of older ones.
    db.prepare("INSERT INTO rooms (session_id, state, data, updated_at) VALUES ('s1', 'open', ?, '')").run(JSON.stringify({ sessionId: 's1', seq: 190 }));
    assert.deepEqual((await store.load('s1'))!.events.map((e) => e.seq), Array.from({ length: size }, (_, i) => 190 - size + 1 + i));
    assert.equal((await store.load('s1'))!.events.at(-1)!.author, 'An');
    db.prepare("DELETE FROM rooms WHERE session_id = 's1'").run();
    assert.deepEqual(await store.load('s1'), undefined, 'no room row was written, so nothing to load');
  } finally {
    db.close();
    removeDir(dir);
  }
});

test('migration 11 keeps every chat line of a database written with room_chat, and the tail a room loads', async () => {
  const dir = tempDir();
  const db = new Database(join(dir, 'rooms.sqlite'));
  try {
    migrate(db, MIGRATIONS.filter((m) => m.version < 11));
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 8, 0, s)).toISOString();
    const frame = (seq: number, event: object) => JSON.stringify({ v: 1, type: 'event', seq, at: at(seq), event });
    // Line 1 was trimmed from the tail long ago (only room_chat has it); lines 30 and 31 are in both tables.
    const chat = db.prepare('INSERT INTO room_chat (session_id, seq, message_id, participant_id, name, text, at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const event = db.prepare("INSERT INTO room_events (session_id, seq, at, recipients, frame) VALUES ('s1', ?, ?, '[\"a\"]', ?)");
    chat.run('s1', 1, 'm1', 'a', 'An', 'tin đầu', at(1));
    for (let seq = 25; seq <= 31; seq += 1) {
      if (seq >= 30) {
        chat.run('s1', seq, `m${seq}`, 'a', 'An', `tin ${seq}`, at(seq));
        event.run(seq, at(seq), frame(seq, { type: 'chat.message', messageId: `m${seq}`, from: 'a', name: 'Người tố cáo', text: `tin ${seq}`, at: at(seq) }));
      } else event.run(seq, at(seq), frame(seq, { type: 'hand.changed', participantId: 'a', raised: true }));
    }
    db.prepare("INSERT INTO rooms (session_id, state, data, updated_at) VALUES ('s1', 'open', ?, '')").run(JSON.stringify({ sessionId: 's1', seq: 31 }));
    // 11 and every later migration (whichever have landed), in order.
    assert.deepEqual(migrate(db), MIGRATIONS.map((m) => m.version).filter((v) => v >= 11).sort((x, y) => x - y));
    const store = new SqliteRoomStore(db, 10);
    assert.deepEqual(
      (await store.chat('s1')).map((c) => [c.seq, c.messageId, c.name, c.text, c.at]),
      [
        [1, 'm1', 'An', 'tin đầu', at(1)],
        [30, 'm30', 'An', 'tin 30', at(30)],
        [31, 'm31', 'An', 'tin 31', at(31)],
      ],
    );
    const loaded = (await store.load('s1'))!.events;
    assert.deepEqual(loaded.map((e) => e.seq), [25, 26, 27, 28, 29, 30, 31], 'the old line is not in the tail');
    assert.equal(loaded.at(-1)!.frame, frame(31, { type: 'chat.message', messageId: 'm31', from: 'a', name: 'Người tố cáo', text: 'tin 31', at: at(31) }), 'the frame as it was sent');
    assert.equal(loaded.at(-1)!.author, 'An');
    assert.deepEqual(loaded.at(-1)!.recipients, ['a']);
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
  const settings = HOST_SETTINGS;
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
    return { store, bus, host, started: host.start() };
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
    await p.started;
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
    await p.host.close();
    p = boot();
    await p.started;
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
    await p.host.close();
  } finally {
    db.close();
    removeDir(dir);
  }
});
