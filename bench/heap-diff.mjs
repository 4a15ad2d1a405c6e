#!/usr/bin/env node
// What each further idle connection costs on the heap, by kind of object: the self sizes of two heap snapshots
// (bench/signaling.mjs with BENCH_HEAPSNAP, at N and 2N connections) summed per node type and constructor or
// closure name, their difference divided by the connections added. Usage:
//   node bench/heap-diff.mjs <at N.heapsnapshot> <at 2N.heapsnapshot> <connections added> [rows]
import { readFileSync } from 'node:fs';

function totals(path) {
  const { snapshot, nodes, strings } = JSON.parse(readFileSync(path, 'utf8'));
  const fields = snapshot.meta.node_fields;
  const types = snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const out = new Map();
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]];
    // Strings and numbers are named by their value: one row per type instead.
    const key = ['string', 'concatenated string', 'sliced string', 'number', 'heap number'].includes(type) ? `(${type})` : `${type}: ${String(strings[nodes[i + nameAt]]).slice(0, 80)}`;
    const row = out.get(key) ?? { count: 0, bytes: 0 };
    row.count += 1;
    row.bytes += nodes[i + sizeAt];
    out.set(key, row);
  }
  return out;
}

const [a, b, added, rows = 40] = process.argv.slice(2);
const [before, after] = [totals(a), totals(b)];
const n = Number(added);
const diff = [];
for (const [key, row] of after) {
  const was = before.get(key) ?? { count: 0, bytes: 0 };
  diff.push({ key, perConnCount: (row.count - was.count) / n, perConnBytes: (row.bytes - was.bytes) / n });
}
diff.sort((x, y) => y.perConnBytes - x.perConnBytes);
const total = diff.reduce((sum, d) => sum + d.perConnBytes, 0);
console.log(`self size per added connection: ${total.toFixed(0)} B (${(total / 1024).toFixed(2)} KiB)`);
for (const d of diff.slice(0, Number(rows))) console.log(`${d.perConnBytes.toFixed(1).padStart(8)} B  ${d.perConnCount.toFixed(2).padStart(6)} ×  ${d.key}`);
