#!/usr/bin/env node
// Reads a V8 CPU profile (.cpuprofile, from --cpu-prof) and prints where the time went: self time per function
// (top N) and per source (our packages by file, dependencies by package, Node's internals, native/GC), and the
// total time of a few call sites we watch (token checks, SQLite, JSON, zod). `--window <fromUs>-<toUs>` keeps only
// the samples in that span of the profiler's clock (CLOCK_MONOTONIC µs; bench/restart.mjs prints the resume
// window in it), so a profile of a whole run can be read for one phase.
//   node bench/profile-top.mjs <file.cpuprofile> [--window from-to] [--top 25]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { window: { type: 'string' }, top: { type: 'string', default: '25' } } });
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/profile-top.mjs <file.cpuprofile> [--window fromUs-toUs] [--top N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const [from, to] = values.window ? values.window.split('-').map(Number) : [-Infinity, Infinity];

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** Where a frame's code lives: our package file, a dependency's package, Node's internals, or V8's own. */
function source(frame) {
  const url = frame.url ?? '';
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/u.exec(url);
  if (dep) return `dep ${dep[1]}`;
  const ours = /packages\/([^/]+)\/(?:dist|src)\/(.+)$/u.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

// Sample times: startTime plus the running sum of timeDeltas (µs); each sample's weight is the gap to the next.
const selfUs = new Map();
const totalUs = new Map();
let windowUs = 0;
let t = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  const next = i + 1 < profile.samples.length ? profile.timeDeltas[i + 1] : 0;
  if (t < from || t > to) continue;
  windowUs += next;
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + next);
  // Total (inclusive) time per function name, counted once per sample however deep it recurses.
  const seen = new Set();
  for (let n = id; n !== undefined; n = parent.get(n)) {
    const f = nodes.get(n).callFrame;
    const key = `${f.functionName || '(anonymous)'} ${source(f)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    totalUs.set(key, (totalUs.get(key) ?? 0) + next);
  }
}

const byFunction = new Map();
const bySource = new Map();
for (const [id, us] of selfUs) {
  const f = nodes.get(id).callFrame;
  const key = `${f.functionName || '(anonymous)'}  ${source(f)}${f.lineNumber >= 0 ? `:${f.lineNumber + 1}` : ''}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  const src = source(f);
  bySource.set(src, (bySource.get(src) ?? 0) + us);
}
const busy = windowUs - (bySource.get('(idle)') ?? 0);
const pct = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
const ms = (us) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const top = Number(values.top);

console.log(`window ${ms(windowUs)}, busy (not idle) ${ms(busy)}; percentages are of busy time`);
console.log('\nself time by function:');
for (const [key, us] of [...byFunction].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ${pct(us)}  ${key}`);
console.log('\nself time by source:');
for (const [key, us] of [...bySource].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ${pct(us)}  ${key}`);
console.log('\ntotal (inclusive) time, top functions:');
for (const [key, us] of [...totalUs].filter(([k]) => !/^\((root|idle|program)\)/u.test(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ${pct(us)}  ${key}`);
