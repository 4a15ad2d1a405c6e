// Gzip size of each browser bundle, with its budget. The registration element carries Lit, zod/mini and idb.
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export const BUDGETS = { registration: 25_000, lookup: 25_000, tiepdan: 40_000 };

export function benchSizes(dir = 'packages/components/dist/bundle') {
  const rows = [];
  for (const [name, budget] of Object.entries(BUDGETS)) {
    const file = `${dir}/${name}.js`;
    if (!existsSync(file)) {
      rows.push({ name, missing: true, budget, ok: false });
      continue;
    }
    const raw = readFileSync(file);
    const gzip = gzipSync(raw, { level: 9 }).length;
    rows.push({ name, bytes: raw.length, gzip, budget, ok: gzip <= budget });
  }
  return rows;
}
