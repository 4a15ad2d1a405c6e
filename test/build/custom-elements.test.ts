/**
 * packages/components/custom-elements.json (editors and docs read it) says what the elements' code says: the
 * analyzer runs on a copy of the package and its output must equal the committed file. An element added or
 * changed without `npm run analyze -w @tiepdan/components` fails here with that command in the message.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const PACKAGE = resolve('packages/components');
const CEM = resolve('node_modules/@custom-elements-manifest/analyzer/cem.js');

test('custom-elements.json is what the analyzer makes of the elements today', async () => {
  // A copy, because the analyzer also rewrites package.json's "customElements" when told another outdir.
  const copy = mkdtempSync(join(tmpdir(), 'tiepdan-cem-'));
  try {
    for (const entry of ['src', 'package.json', 'custom-elements-manifest.config.mjs']) cpSync(join(PACKAGE, entry), join(copy, entry), { recursive: true });
    await promisify(execFile)(process.execPath, [CEM, 'analyze', '--config', 'custom-elements-manifest.config.mjs'], { cwd: copy, timeout: 120_000 });
    const fresh = JSON.parse(readFileSync(join(copy, 'custom-elements.json'), 'utf8')) as unknown;
    const committed = JSON.parse(readFileSync(join(PACKAGE, 'custom-elements.json'), 'utf8')) as unknown;
    assert.deepEqual(committed, fresh, 'custom-elements.json is stale: run `npm run analyze -w @tiepdan/components` and commit it');
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});
