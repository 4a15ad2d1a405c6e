/**
 * The size budgets of bench/sizes.mjs, enforced on every `npm test` (which builds first), not only printed by
 * `npm run bench`: each element's bundle (what a page downloads before the element can show its first screen,
 * gzip) stays within its budget, and every element the build produces has one.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';

type Row = { name: string; initialGzip?: number; totalGzip?: number; budget: number; ok: boolean; missing?: boolean };
type LoaderRow = { name: string; gzip?: number; files?: number; budget?: number; ok?: boolean; missing?: boolean };
const sizes = (await import(new URL('../../bench/sizes.mjs', import.meta.url).href)) as {
  BUDGETS: Record<string, number>;
  LOADER_BUDGETS: Record<string, number>;
  benchSizes(): Row[];
  loaderSizes(): LoaderRow[];
};
const ELEMENTS = 'packages/components/dist/bundle/elements';

test('every element built has a budget, and every budget has its element built', () => {
  const built = readdirSync(ELEMENTS).sort();
  const budgeted = Object.keys(sizes.BUDGETS).filter((name) => name !== 'tiepdan').sort();
  assert.deepEqual(built, budgeted, 'rollup.config.mjs entries and bench/sizes.mjs BUDGETS name the same elements');
});

test('each element is within its gzip budget (initial download)', (t) => {
  for (const row of sizes.benchSizes()) {
    assert.ok(!row.missing, `${row.name}: not built`);
    t.diagnostic(`${row.name}: ${row.initialGzip} B initial, ${row.totalGzip} B with lazy chunks, budget ${row.budget} B`);
    assert.ok(row.ok, `${row.name}: ${row.initialGzip} B gzip, budget ${row.budget} B`);
  }
});

test('through the loader (sdk/tiepdan.js, as a ward page downloads it), registration and room are within budget', (t) => {
  const rows = sizes.loaderSizes();
  assert.deepEqual(rows.map((row) => row.name), Object.keys(sizes.LOADER_BUDGETS));
  for (const row of rows) {
    assert.ok(!row.missing, `${row.name}: the loader does not import it`);
    t.diagnostic(`${row.name} through the loader: ${row.gzip} B gzip in ${row.files} files, budget ${row.budget} B`);
    assert.ok(row.ok, `${row.name}: ${row.gzip} B gzip through the loader, budget ${row.budget} B`);
  }
});
