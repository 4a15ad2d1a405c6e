/**
 * The rooms' host (rooms/host.ts) with a store whose read is a round trip, as PostgreSQL's is: hellos that arrive
 * while a new room is being looked up must all land in one room. Before, each found "no such room" and created
 * its own, so two officials opening one new room at once (one per node, issue 13) never saw each other.
 * A real SQLite file, its reads held back until both hellos wait on them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { InProcessRoomBus, migrate } from '../src/index.js';
import { RoomHost } from '../src/rooms/host.js';
import { SqliteRoomStore } from '../src/store/room-sqlite.js';
import { removeDir, tempDir } from './helpers.js';
import { HOST_SETTINGS } from './rooms-helpers.js';

const settings = HOST_SETTINGS;

/** Reads wait until `open()`: the time a database round trip takes, made long enough to be sure of. */
class SlowStore extends SqliteRoomStore {
  reads = 0;
  private release: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));
  open(): void {
    this.release();
  }
  override async load(sessionId: string) {
    this.reads += 1;
    await this.gate;
    return super.load(sessionId);
  }
}

test('two hellos for one new room while the store is read: one room, each sees the other', async () => {
  const dir = tempDir();
  const db = new Database(join(dir, 'rooms.sqlite'));
  migrate(db);
  const store = new SlowStore(db, settings.eventLogSize);
  const bus = new InProcessRoomBus();
  const host = new RoomHost(settings, bus, store);
  try {
    await host.start();
    const official = (sub: string, role: 'chair' | 'clerk') => ({ kind: 'official' as const, sub, role, unit: 'dongthap.sadec' });
    const hellos = [
      host.handle('race-1', { kind: 'hello', connectionId: 'c-chair', identity: official('chair.race', 'chair') }),
      host.handle('race-1', { kind: 'hello', connectionId: 'c-clerk', identity: official('clerk.race', 'clerk') }),
    ];
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(store.reads >= 1, 'the hellos wait for the store');
    store.open();
    const replies = await Promise.all(hellos);
    const ids = replies.map((r) => (assert.ok(r.ok), (r.result as { participantId: string }).participantId));
    const roster = await host.handle('race-1', { kind: 'request', connectionId: 'c-chair', participantId: ids[0]!, message: { v: 1, id: 'r1', type: 'roster.get' } });
    assert.ok(roster.ok, JSON.stringify(roster));
    const participants = (roster.result as { participants: { participantId: string }[] }).participants.map((p) => p.participantId).sort();
    assert.deepEqual(participants, [...ids].sort(), 'both officials are in the one room');
  } finally {
    await host.close();
    db.close();
    removeDir(dir);
  }
});
