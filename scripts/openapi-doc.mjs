#!/usr/bin/env node
// Writes docs/openapi.json from the server's route schemas, or with --check exits 1 when the committed file is
// stale. Needs a build (`npm run docs:openapi` builds first).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderOpenApiDoc } from '../packages/server/dist/http/openapi-doc.js';

const target = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
const rendered = await renderOpenApiDoc();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== rendered) {
    console.error('docs/openapi.json is stale: run npm run docs:openapi');
    process.exit(1);
  }
  console.log('docs/openapi.json is up to date');
} else {
  writeFileSync(target, rendered);
  console.log(`wrote ${target}`);
}
