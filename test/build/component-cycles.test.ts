/**
 * The elements' sources have no import cycles, type-only imports and tests included (issue 14), as core's have
 * none (packages/core/test/import-cycles.test.ts, whose walk this shares): the room's views and controllers take
 * what they show and do as a view model instead of importing the element that imports them.
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { cycles, sources } from '../../packages/core/test/import-graph.js';

const SRC = resolve('packages/components/src');

test('the walk finds a cycle among the elements when there is one (so an empty answer means something)', () => {
  const element = join(SRC, 'room', 'room.component.ts');
  const panels = join(SRC, 'room', 'panels.ts');
  assert.deepEqual(cycles(SRC, [element, panels]), [], 'room.component.ts imports panels.ts, not the other way');
  assert.deepEqual(cycles(SRC, [element, panels], [[panels, element]]), ['room/room.component.ts -> room/panels.ts -> room/room.component.ts']);
});

test('no module of @tiepdan/components imports itself through others, not even for types', () => {
  const files = sources(SRC);
  assert.ok(files.length > 50, `only ${files.length} source files found under ${SRC}`);
  assert.deepEqual(cycles(SRC, files), []);
});
