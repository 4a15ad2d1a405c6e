/**
 * Core has no import cycles, type-only imports included (issue 14): each module can be read, bundled and split out
 * (the shared contract apart from the browser runtime) without loading another first.
 */
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { localImports, SRC, sources } from './import-graph.js';

/** Every cycle found by a depth-first walk, as "a.ts -> b.ts -> a.ts" (paths under src). */
function cycles(files: string[], extraEdges: [string, string][] = []): string[] {
  const known = new Set(files);
  const graph = new Map<string, string[]>(files.map((file) => [file, localImports(file, known)]));
  for (const [from, to] of extraEdges) graph.get(from)!.push(to);
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file)!) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next].map((p) => relative(SRC, p)).join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return found;
}

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
