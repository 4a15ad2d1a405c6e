/**
 * Core has no import cycles, type-only imports included (issue 14): each module can be read, bundled and split out
 * (the shared contract apart from the browser runtime) without loading another first.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cycles as cyclesUnder, SRC, sources } from './import-graph.js';

const cycles = (files: string[], extraEdges: [string, string][] = []) => cyclesUnder(SRC, files, extraEdges);

test('the walk finds a cycle when there is one (so an empty answer means something)', () => {
  const message = join(SRC, 'i18n', 'message.ts');
  const fieldMessages = join(SRC, 'i18n', 'field-messages.ts');
  assert.deepEqual(cycles([message, fieldMessages]), [], 'field-messages.ts imports message.ts, not the other way');
  // With the edge back from message.ts, the walk must report the loop.
  assert.deepEqual(cycles([message, fieldMessages], [[message, fieldMessages]]), ['i18n/message.ts -> i18n/field-messages.ts -> i18n/message.ts']);
});

test('no module of @tiepdan/core imports itself through others, not even for types', () => {
  const files = sources(SRC);
  assert.ok(files.length > 50, `only ${files.length} source files found under ${SRC}`);
  assert.deepEqual(cycles(files), []);
});
