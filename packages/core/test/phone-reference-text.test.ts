import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  formatDate,
  formatDateTime,
  formatPhoneVi,
  jsonDepthWithin,
  MAX_JSON_DEPTH,
  newReference,
  nfc,
  normalizeReference,
  REFERENCE_PATTERN,
  toE164,
  viDateToIso,
} from '../src/index.js';

test('Vietnamese mobile numbers become E.164', () => {
  assert.equal(toE164('0912 345 678'), '+84912345678');
  assert.equal(toE164('+84 912.345.678'), '+84912345678');
  assert.equal(toE164('(035) 123-4567'), '+84351234567');
  for (const bad of ['0212345678', '091234567', '09123456789', '+1 912345678', 'abc']) assert.equal(toE164(bad), undefined, bad);
  assert.equal(formatPhoneVi('+84912345678'), '0912 345 678');
});

test('reference codes: made in the published pattern, and read back through typing mistakes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (bytes) => {
      const code = newReference(() => bytes);
      assert.match(code, REFERENCE_PATTERN);
      assert.equal(normalizeReference(code.toLowerCase().replace(/-/g, ' ')), code);
    }),
  );
  assert.equal(normalizeReference('td-7k3q-9pxo'), 'TD-7K3Q-9PX0', 'O read as zero');
  assert.equal(normalizeReference('TD-7K3Q-9PX'), undefined);
  assert.equal(normalizeReference('TD-UUUU-UUUU'), undefined, 'U is not in the alphabet');
});

test('nfc normalises nested strings and keys', () => {
  const nfd = 'Nguyễn Thị Ánh'.normalize('NFD');
  assert.notEqual(nfd, 'Nguyễn Thị Ánh');
  const out = nfc({ a: [nfd, { b: nfd }], [nfd]: 1, n: 3 });
  assert.deepEqual(out, { a: ['Nguyễn Thị Ánh', { b: 'Nguyễn Thị Ánh' }], 'Nguyễn Thị Ánh': 1, n: 3 });
});

test('JSON depth: counted on the text, brackets inside strings and escaped quotes ignored; agrees with a real walk', () => {
  assert.equal(jsonDepthWithin('{"a":[[1]]}', 3), true);
  assert.equal(jsonDepthWithin('{"a":[[[1]]]}', 3), false);
  assert.equal(jsonDepthWithin('{"a":"[[[[[[\\"[[[["}', 1), true);
  assert.equal(jsonDepthWithin(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), false);
  const depth = (value: unknown): number => (value !== null && typeof value === 'object' ? 1 + Math.max(0, ...Object.values(value).map(depth)) : 0);
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 8 }), (value, max) => {
      assert.equal(jsonDepthWithin(JSON.stringify(value), max), depth(value) <= max);
    }),
  );
  assert.equal(jsonDepthWithin(JSON.stringify({ a: [[[[1]]]] })), true, 'a registration-like depth passes the default');
  assert.equal(jsonDepthWithin('['.repeat(MAX_JSON_DEPTH + 1)), false);
});

test('times show in Hanoi (UTC+7) and dates as dd/mm/yyyy whatever the process zone', () => {
  // 2026-01-31T18:30Z is already 01:30 on 1 February in Hanoi.
  assert.equal(formatDate('2026-01-31T18:30:00Z'), '01/02/2026');
  assert.equal(formatDateTime('2026-01-31T18:30:00Z'), '01:30 01/02/2026');
  assert.equal(viDateToIso('2/3/1985'), '1985-03-02');
  assert.equal(viDateToIso('31/02/1985'), undefined);
});
