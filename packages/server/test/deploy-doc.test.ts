/**
 * docs/deploy.md as printed: each whole configuration it shows (a ```json block that is one object) is loaded by
 * the server's own loader, with the secrets given the way the page says (environment) and what it says stays as
 * for one ward (units, privacy notice, notice channels), and each shell line it
 * shows (```sh) is one the README shows too, which test/e2e/readme-commands.test.ts runs, or an npm script that
 * exists. Fragments (`"turn": { … }`) are not configurations on their own and are left out.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../src/index.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const DEPLOY = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = (text: string, lang: string) => [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'gu'))].map((m) => m[1]!);
const shellLines = (text: string) =>
  blocks(text, 'sh')
    .flatMap((b) => b.split('\n'))
    .map((line) => line.replace(/\s+#.*$/u, '').trim())
    .filter(Boolean);

test('every whole configuration on docs/deploy.md loads, with the secrets from the environment', () => {
  const configs = blocks(DEPLOY, 'json').filter((b) => b.trimStart().startsWith('{'));
  assert.ok(configs.length >= 1, 'the page shows a whole configuration');
  const dir = mkdtempSync(join(tmpdir(), 'tiepdan-deploy-doc-'));
  try {
    for (const [i, text] of configs.entries()) {
      const file = join(dir, `config-${i}.json`);
      writeFileSync(file, text);
      const env = { TIEPDAN_AUTH_SECRET: 'x'.repeat(48), TIEPDAN_DATA_KEY: Buffer.alloc(32, 1).toString('base64'), TIEPDAN_REDIS_URL: 'redis://redis.tinh.example.gov.vn:6379' };
      // What the page says stays as for one ward (units, privacy notice, notice channels) is added as values.
      const ward = {
        units: [{ code: 'dongthap.sadec', name: 'UBND phường Sa Đéc', provinceCode: '82' }],
        privacyNotice: { version: 'v1', text: { vi: 'Thông báo', en: 'Notice' } },
        notices: { channels: [{ type: 'smtp' as const, host: 'mail.sadec.dongthap.gov.vn', from: 'tiepcongdan@sadec.dongthap.gov.vn' }] },
      };
      const config = loadConfig({ file, env, values: ward, warn: () => undefined });
      assert.equal(config.mode, 'production');
      assert.equal(config.bus.kind, 'redis');
      // TIEPDAN_REDIS_URL keeps the file's other bus settings.
      if (config.bus.kind === 'redis') assert.equal(config.bus.nodeId, 'node-1');
      assert.equal(config.recording.storage.kind, 's3');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every shell line on docs/deploy.md is run elsewhere as printed (README commands) or is an npm script', () => {
  const lines = shellLines(DEPLOY);
  assert.ok(lines.length >= 1);
  const readme = new Set(shellLines(README));
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  for (const line of lines) {
    const script = /^npm run ([\w:-]+)$/u.exec(line)?.[1];
    assert.ok(readme.has(line) || (script !== undefined && scripts[script] !== undefined), `"${line}" is neither a README command nor an npm script`);
  }
  // The prose mentions the bench by name: it must exist.
  assert.ok(scripts['bench:cluster'], 'npm run bench:cluster exists');
});
