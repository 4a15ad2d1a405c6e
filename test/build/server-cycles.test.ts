/**
 * The server's sources have no import cycles, type-only imports included (issue 14), as core's and the elements'
 * have none (packages/core/test/import-cycles.test.ts, test/build/component-cycles.test.ts, whose walk this
 * shares): a module's types live beside what they describe (rooms/room-data.ts, store/migration.ts), so the
 * store reads the room's data without importing the room, and a migration its type without the migration list.
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { cycles, sources } from '../../packages/core/test/import-graph.js';

const SRC = resolve('packages/server/src');

test('the walk finds a cycle among the server modules when there is one (so an empty answer means something)', () => {
  const room = join(SRC, 'rooms', 'room.ts');
  const refusal = join(SRC, 'rooms', 'refusal.ts');
  assert.deepEqual(cycles(SRC, [room, refusal]), [], 'room.ts imports refusal.ts, not the other way');
  assert.deepEqual(cycles(SRC, [room, refusal], [[refusal, room]]), ['rooms/room.ts -> rooms/refusal.ts -> rooms/room.ts']);
});

test('no module of @tiepdan/server imports itself through others, not even for types', () => {
  const files = sources(SRC);
  assert.ok(files.length > 100, `only ${files.length} source files found under ${SRC}`);
  assert.deepEqual(cycles(SRC, files), []);
});
