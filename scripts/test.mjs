#!/usr/bin/env node
// Runs every test: node's test runner (core, server, end to end) then @web/test-runner (browser tests), and ends
// with one line "N passed, N failed" that adds both up, because CI reads that line. Node 20's --test does not
// expand globs, so the files are listed here. Usage: node scripts/test.mjs [--node-only|--browser-only] [filter]
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const nodeOnly = args.includes('--node-only');
const browserOnly = args.includes('--browser-only');
const filter = args.find((arg) => !arg.startsWith('--'));

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'browser') walk(path, out);
    } else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

function run(command, argv, onLine) {
  return new Promise((resolve) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FORCE_COLOR: '0' } });
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop();
      lines.forEach(onLine);
    });
    child.on('close', (code) => {
      if (buffer) onLine(buffer);
      resolve(code ?? 1);
    });
  });
}

const totals = { passed: 0, failed: 0, skipped: 0 };
let exitCode = 0;

if (!browserOnly) {
  const files = ['packages/core/test', 'packages/server/test', 'test/build', 'test/e2e']
    .flatMap((dir) => walk(dir))
    .filter((file) => !filter || file.includes(filter))
    .sort();
  const counts = { pass: 0, fail: 0, skipped: 0, cancelled: 0 };
  const code = await run(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
    (line) => {
      const match = /^ℹ (pass|fail|skipped|cancelled) (\d+)/u.exec(line.trim());
      if (match) counts[match[1]] = Number(match[2]);
    },
  );
  totals.passed += counts.pass;
  totals.failed += counts.fail + counts.cancelled;
  totals.skipped += counts.skipped;
  if (code !== 0) exitCode = 1;
}

if (!nodeOnly) {
  rmSync('.tmp/wtr-counts.json', { force: true });
  const wtrArgs = ['node_modules/@web/test-runner/dist/bin.js', '--config', 'web-test-runner.config.mjs'];
  // Only browser test files: a filter that also names a node test (lookup, schedule) must not hand it to Chromium.
  if (filter) wtrArgs.push('--files', `packages/components/src/**/*${filter}*.test.ts`, `packages/*/test/browser/**/*${filter}*.test.ts`);
  const code = await run(process.execPath, wtrArgs, () => {});
  if (existsSync('.tmp/wtr-counts.json')) {
    const browser = JSON.parse(readFileSync('.tmp/wtr-counts.json', 'utf8'));
    totals.passed += browser.passed;
    totals.failed += browser.failed;
    totals.skipped += browser.skipped;
  } else {
    totals.failed += 1; // the browser run never finished: count it, so it cannot pass silently
  }
  if (code !== 0) exitCode = 1;
}

if (totals.failed > 0) exitCode = 1;
console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(exitCode);
