/**
 * docs/protocol.md is generated from the protocol's schemas; this fails when someone changes a schema, a limit,
 * a close code or the role table without regenerating it (`npm run docs:protocol`), or edits the file by hand.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CLOSE_CODES, EVENT_TYPES, REQUEST_TYPES, ROOM_PERMISSION_NAMES } from '@tiepdan/core';
import { renderProtocolDoc } from '../src/rooms/protocol-doc.js';

const DOC = new URL('../../../docs/protocol.md', import.meta.url);

test('docs/protocol.md is what the schemas render (run npm run docs:protocol after changing the protocol)', () => {
  const committed = readFileSync(DOC, 'utf8');
  const rendered = renderProtocolDoc();
  if (committed !== rendered) {
    const a = committed.split('\n');
    const b = rendered.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    assert.fail(`docs/protocol.md is stale from line ${line + 1}: ${JSON.stringify(a[line])} vs ${JSON.stringify(b[line])}`);
  }
});

test('the document names every request, event, close code and permission', () => {
  const doc = renderProtocolDoc();
  for (const type of REQUEST_TYPES) assert.ok(doc.includes(`### \`${type}\`\n`), type);
  for (const type of EVENT_TYPES) assert.ok(doc.includes(`### \`${type}\` (event)`), type);
  for (const [name, code] of Object.entries(CLOSE_CODES)) assert.ok(doc.includes(`| ${code} | ${name} |`), name);
  for (const permission of ROOM_PERMISSION_NAMES) assert.ok(doc.includes(`| \`${permission}\` |`), permission);
});
