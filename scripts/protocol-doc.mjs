#!/usr/bin/env node
// Writes docs/protocol.md from the protocol's schemas (packages/core/src/signaling), or with --check exits 1
// when the committed file is stale. Needs a build (`npm run docs:protocol` builds first).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderProtocolDoc } from '../packages/server/dist/rooms/protocol-doc.js';

const target = fileURLToPath(new URL('../docs/protocol.md', import.meta.url));
const rendered = renderProtocolDoc();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== rendered) {
    console.error('docs/protocol.md is stale: run npm run docs:protocol');
    process.exit(1);
  }
  console.log('docs/protocol.md is up to date');
} else {
  writeFileSync(target, rendered);
  console.log(`wrote ${target}`);
}
