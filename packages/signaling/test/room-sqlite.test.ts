/**
 * The rooms' event tail on disk (store/room-sqlite.ts) is trimmed in steps, not in every commit: it never holds
 * fewer than the log's size (a resume after a restart must find what the room kept) nor more than twice it, and
 * every chat line stays in room_chat. A real SQLite file, migrated as the server does.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { migrate } from '../src/index.js';
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
