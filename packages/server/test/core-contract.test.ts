/**
 * The server imports only @tiepdan/core's contract, never its browser runtime (`@tiepdan/core/browser`, the Jitsi
 * adapter, or a dist path around the exports map): the runtime brings IndexedDB, DOM media and client retry logic
 * that have no business in a Node process, and a server that needed one of them would mean the contract is
 * missing a piece (issue 14). Read with TypeScript's pre-processor, so `import type` and `export … from` count.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const ALLOWED = new Set(['@tiepdan/core']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.[cm]?[jt]s$/u.test(path) && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** The @tiepdan/core specifiers in one file's text that are not the contract entry. */
function outsideContract(text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((i) => i.fileName)
    .filter((name) => /^@tiepdan\/core(\/|$)/u.test(name) && !ALLOWED.has(name));
}

test('the check catches a runtime import, a type-only one and a re-export', () => {
  assert.deepEqual(outsideContract(`import { ApiClient } from '@tiepdan/core/browser';`), ['@tiepdan/core/browser']);
  assert.deepEqual(outsideContract(`import type { MeshTransport } from '@tiepdan/core/media/jitsi';`), ['@tiepdan/core/media/jitsi']);
  assert.deepEqual(outsideContract(`export { SignalingClient } from '@tiepdan/core/browser';`), ['@tiepdan/core/browser']);
  assert.deepEqual(outsideContract(`import { ERROR_CODES } from '@tiepdan/core';`), []);
});

test('packages/server/src imports @tiepdan/core only through its contract entry', () => {
  const files = sources(SRC);
  assert.ok(files.length > 50, `only ${files.length} source files under ${SRC}`);
  const found = files.flatMap((file) => outsideContract(readFileSync(file, 'utf8')).map((name) => `${relative(SRC, file)}: ${name}`));
  assert.deepEqual(found, []);
  assert.ok(files.some((file) => readFileSync(file, 'utf8').includes(`from '@tiepdan/core'`)), 'the server imports the contract somewhere');
});
