/**
 * Core has no import cycles, type-only imports included (issue 14): each module can be read, bundled and split out
 * (the shared contract apart from the browser runtime) without loading another first. The imports are read with
 * TypeScript's own pre-processor, so `import type`, `export … from` and side-effect imports all count.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import ts from 'typescript';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every cycle found by a depth-first walk, as "a.ts -> b.ts -> a.ts" (paths under src). */
function cycles(files: string[], extraEdges: [string, string][] = []): string[] {
  const known = new Set(files);
  const graph = new Map(
    files.map((file) => {
      const imports = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((i) => i.fileName).filter((name) => name.startsWith('.'));
      return [file, imports.map((name) => resolve(dirname(file), name.replace(/\.js$/u, '.ts'))).filter((path) => known.has(path))];
    }),
  );
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
