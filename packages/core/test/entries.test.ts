/**
 * The package's two entries keep to their sides (issue 14): `@tiepdan/core` (src/index.ts) is the contract and
 * reaches no browser runtime module, no IndexedDB and no id generator, so the server, which imports only it, loads
 * nothing a browser needs; `@tiepdan/core/browser` (src/browser.ts) holds the runtime. Every source module is
 * reachable from one of the package's entries, so splitting did not leave a module unexported.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { localImports, SRC, sources, specifiers } from './import-graph.js';

const files = sources(SRC);
const known = new Set(files);

/** Every source file `entry` loads, itself included. */
function closure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of localImports(file, known)) visit(next);
  };
  visit(entry);
  return seen;
}

const packageJson = JSON.parse(readFileSync(resolve(SRC, '../package.json'), 'utf8')) as { exports: Record<string, string | { default: string }> };
/** The source file behind each subpath of the exports map ("./browser" → src/browser.ts). */
const entries = Object.fromEntries(
  Object.entries(packageJson.exports)
    .filter(([, target]) => typeof target !== 'string')
    .map(([subpath, target]) => [subpath, join(SRC, (target as { default: string }).default.replace(/^\.\/dist\//u, '').replace(/\.js$/u, '.ts'))]),
);
const rel = (paths: Iterable<string>) => [...paths].map((p) => relative(SRC, p)).sort();

test('the exports map names the contract, the browser runtime and the two entries loaded on demand, and each exists', () => {
  assert.deepEqual(Object.keys(entries).sort(), ['.', './browser', './media/jitsi', './registration/validate']);
  for (const [subpath, file] of Object.entries(entries)) assert.ok(known.has(file), `${subpath} points at ${relative(SRC, file)}, which is not a source file`);
});

test('the contract entry loads no browser runtime module and imports only zod from outside', () => {
  const contract = closure(entries['.']!);
  const runtime = new Set(localImports(entries['./browser']!, known));
  assert.ok(runtime.size >= 10, `browser.ts re-exports only ${runtime.size} modules`);
  assert.deepEqual(rel([...contract].filter((file) => runtime.has(file))), []);
  assert.deepEqual(rel([...contract].filter((file) => /\/(local|media)\//u.test(file))), [], 'IndexedDB and media code belong to the runtime');
  const bare = new Set([...contract].flatMap((file) => specifiers(file).filter((name) => !name.startsWith('.'))));
  assert.deepEqual([...bare].sort(), ['zod/mini']);
});

test('the walk follows re-exports into the runtime (so an empty answer above means something)', () => {
  const reached = closure(join(SRC, 'recording', 'room-source.ts'));
  assert.ok(reached.has(join(SRC, 'signaling', 'client.ts')) && reached.has(join(SRC, 'media', 'mesh.ts')));
});

test('every source module is reachable from an entry', () => {
  const reachable = new Set(Object.values(entries).flatMap((entry) => [...closure(entry)]));
  assert.deepEqual(rel(files.filter((file) => !reachable.has(file) && !file.endsWith('.browser.test.ts'))), []);
});
