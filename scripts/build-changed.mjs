#!/usr/bin/env node
// `npm start`'s build: `tsc -b` (incremental already), then rollup only when a bundle is older than what it is
// made from. Rollup has no cache of its own here and takes minutes on a small machine; a second `npm start` with
// nothing changed should start at once. `npm run build` (CI, `npm test`, benches) always bundles again.
// Inputs: the TypeScript output the bundles are made from, the rollup config and plugins, and the installed
// packages (a changed dependency changes the bundles: npm writes a package's package.json when it installs it;
// not package-lock.json, which every `npm install` rewrites even when nothing changed). Outputs: each rollup build's manifest.json (written by every build;
// old chunks are never removed by rollup, so the folder's other files say nothing about freshness).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const BUNDLE = 'packages/components/dist/bundle';

/** Newest modification time under a path (a file or a folder), skipping `skip`. */
function newest(path, skip) {
  if (!existsSync(path) || path === skip) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name), skip)));
}

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(process.execPath, ['node_modules/typescript/bin/tsc', '-b']);

/** The package.json of every package installed at the top of node_modules (scoped ones too). */
function installedPackages() {
  const out = [];
  for (const name of readdirSync('node_modules')) {
    if (name.startsWith('.')) continue;
    const names = name.startsWith('@') ? readdirSync(join('node_modules', name)).map((inner) => join(name, inner)) : [name];
    for (const pkg of names) out.push(join('node_modules', pkg, 'package.json'));
  }
  return out;
}

const inputs = Math.max(
  ...['packages/components/dist', 'packages/core/dist', 'rollup.config.mjs', 'scripts/rollup-precompress.mjs', 'scripts/rollup-worker-files.mjs', ...installedPackages()].map((path) => newest(path, BUNDLE)),
);
// The builds the config makes now (read after tsc, since the config lists the entries whose input exists).
const builds = (await import(new URL('../rollup.config.mjs', import.meta.url).href)).default;
const fresh = builds.every(({ output }) => {
  const manifest = join(output.dir, 'manifest.json');
  return existsSync(manifest) && statSync(manifest).mtimeMs > inputs;
});
if (fresh) {
  process.stdout.write('bundles are up to date (nothing changed since the last build); not bundling again\n');
} else {
  run(process.execPath, ['node_modules/rollup/dist/bin/rollup', '-c', 'rollup.config.mjs']);
}
