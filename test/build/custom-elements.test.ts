/**
 * packages/components/custom-elements.json (editors and docs read it) says what the elements' code says: the
 * analyzer runs on a copy of the package and its output must equal the committed file. An element added or
 * changed without `npm run analyze -w @tiepdan/components` fails here with that command in the message.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
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
    // The analyzer follows imports (a base class from another module or package): the copy resolves them as here.
    symlinkSync(resolve('node_modules'), join(copy, 'node_modules'), 'dir');
    await promisify(execFile)(process.execPath, [CEM, 'analyze', '--config', 'custom-elements-manifest.config.mjs'], { cwd: copy, timeout: 120_000 });
    // Modules come in the order the file system lists them, which differs between copies: compare by path.
    const read = (dir: string) => {
      const manifest = JSON.parse(readFileSync(join(dir, 'custom-elements.json'), 'utf8')) as { modules: { path: string }[] };
      return { ...manifest, modules: [...manifest.modules].sort((a, b) => a.path.localeCompare(b.path)) };
    };
    const fresh = read(copy);
    const committed = read(PACKAGE);
    assert.deepEqual(committed, fresh, 'custom-elements.json is stale: run `npm run analyze -w @tiepdan/components` and commit it');
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});
