/**
 * Configuration and the CLI: validation messages that name each bad field, exit code 2 from the real CLI,
 * production refusing to run without secrets, `token` minting a JWT the API accepts, and `migrate`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/index.js';
import { getJson, removeDir, startServer, submitJson, tempDir, testConfig, validRegistration } from './helpers.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function runCli(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Only what the CLI needs: no TIEPDAN_* or NODE_ENV leaking in from the developer's shell.
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('loadConfig', () => {
  test('defaults, env and file merge in that order', () => {
    const dir = tempDir();
    const file = join(dir, 'tiepdan.json');
    writeFileSync(file, JSON.stringify({ port: 9000, host: '0.0.0.0', rules: { attachments: { maxCount: 4 } }, rateLimits: { lookupPerMinute: 5 } }));
    const config = loadConfig({ file, env: { TIEPDAN_PORT: '9100', TIEPDAN_DATA_DIR: dir, TIEPDAN_ALLOWED_ORIGINS: 'https://a.gov.vn, https://b.gov.vn' }, warn: () => {} });
    assert.equal(config.port, 9100, 'env over file');
    assert.equal(config.host, '0.0.0.0', 'file over default');
    assert.equal(config.rules.attachments.maxCount, 4);
    assert.equal(config.rules.attachments.maxBytes, 10 * 1024 * 1024, 'partial rules merged over DEFAULT_RULES');
    assert.equal(config.rateLimits.lookupPerMinute, 5);
    assert.equal(config.rateLimits.submitPerMinute, 30);
    assert.deepEqual(config.allowedOrigins, ['https://a.gov.vn', 'https://b.gov.vn']);
    assert.equal(config.units[0]?.code, 'dongthap.sadec', 'the demo unit when none is configured in development');
    removeDir(dir);
  });

  test('every bad field is named in one message', () => {
    const dir = tempDir();
    assert.throws(
      () =>
        loadConfig({
          env: { TIEPDAN_PORT: '70000' },
          values: { dataDir: dir, authSecret: 'short', dataKey: 'AAAA', units: [{ code: 'x', name: 'X', provinceCode: '820' }] as never, allowedOrigins: ['https://a.gov.vn/path'], colour: 'red' } as never,
          warn: () => {},
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        for (const field of ['port', 'authSecret', 'dataKey', 'units.0.provinceCode', 'allowedOrigins.0', 'colour']) assert.match(error.message, new RegExp(`^  - ${field.replace('.', '\\.')}`, 'mu'), field);
        assert.match(error.message, /TIEPDAN_PORT/u, 'says which variable it came from');
        return true;
      },
    );
    removeDir(dir);
  });

  test('a restart hint longer than the resume window is refused, naming the field', () => {
    const dir = tempDir();
    assert.throws(
      () => loadConfig({ values: { dataDir: dir, rooms: { resumeWindowMs: 5000, reconnectAfterMs: 5000 } }, env: {}, warn: () => {} }),
      (error: unknown) => error instanceof ConfigError && /^  - rooms\.reconnectAfterMs: must be shorter than resumeWindowMs/mu.test(error.message),
    );
    assert.equal(loadConfig({ values: { dataDir: dir, rooms: { resumeWindowMs: 5000, reconnectAfterMs: 4000 } }, env: {}, warn: () => {} }).rooms.reconnectAfterMs, 4000);
    removeDir(dir);
  });

  test('production without secrets, units or notice refuses to start; with them it starts', () => {
    const dir = tempDir();
    assert.throws(
      () => loadConfig({ env: { NODE_ENV: 'production', TIEPDAN_DATA_DIR: dir }, warn: () => {} }),
      (error: unknown) => error instanceof ConfigError && /authSecret/u.test(error.message) && /dataKey/u.test(error.message) && /units/u.test(error.message) && /notices\.channels: production needs a delivering channel/u.test(error.message),
    );
    assert.throws(() => loadConfig({ env: { NODE_ENV: 'production' }, demo: true, warn: () => {} }), ConfigError);
    const ok = loadConfig({
      env: { NODE_ENV: 'production', TIEPDAN_DATA_DIR: dir, TIEPDAN_AUTH_SECRET: 'x'.repeat(40), TIEPDAN_DATA_KEY: randomBytes(32).toString('base64') },
      values: {
        units: [{ code: 'dongthap.sadec', name: 'UBND phường Sa Đéc', provinceCode: '82' }],
        privacyNotice: { version: 'v1', text: { vi: 'Thông báo', en: 'Notice' } },
        notices: { channels: [{ type: 'smtp', host: 'mail.sadec.dongthap.gov.vn', from: 'tiepcongdan@sadec.dongthap.gov.vn' }] },
      },
      warn: () => assert.fail('no warning in production'),
    });
    assert.equal(ok.mode, 'production');
    removeDir(dir);
  });
});

describe('CLI', () => {
  test('start --demo answers healthz and meta, and SIGTERM closes it cleanly (exit 0, database closed)', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start', '--demo'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', TIEPDAN_DATA_DIR: dir, TIEPDAN_PORT: '0' },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const url = await new Promise<string>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      child.stdout.on('data', (d) => {
        stdout += d;
        const match = /"url":"(http:\/\/[^"]+)"/u.exec(stdout);
        if (match) resolve(match[1]!);
      });
    });
    assert.match(stderr, /generated authSecret and dataKey/u, 'demo mode warns about generated secrets');
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const meta = (await (await fetch(`${url}/api/v1/meta`)).json()) as { unit: { code: string; provinceCode: string } };
    assert.deepEqual(meta.unit, { code: 'dongthap.sadec', name: 'UBND phường Sa Đéc', provinceCode: '82' });
    const cors = await fetch(`${url}/api/v1/meta`, { headers: { origin: 'http://localhost:8000' } });
    assert.equal(cors.headers.get('access-control-allow-origin'), 'http://localhost:8000');
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
    assert.ok(!existsSync(join(dir, 'tiepdan.sqlite-wal')), 'the WAL was checkpointed and removed on close');
    assert.ok(existsSync(join(dir, 'tiepdan.sqlite')));
    removeDir(dir);
  });

  test('a bad config file → a clear multi-line message and exit code 2', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ port: 'eighty', dataDir: dir, units: [{ code: 'sadec', name: '', provinceCode: '82', communes: [{ code: '1', name: 'A' }] }] }));
    const result = await runCli(['start', '--config', file]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /Invalid tiepdan configuration/u);
    assert.match(result.stderr, /- port:/u);
    assert.match(result.stderr, /- units\.0\.name:/u);
    assert.match(result.stderr, /- units\.0\.communes\.0\.code: a commune code has 5 digits/u);
    const notJson = join(dir, 'broken.json');
    writeFileSync(notJson, '{ "port": ');
    const broken = await runCli(['start', '--config', notJson]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /cannot be read as JSON/u);
    const production = await runCli(['start'], { NODE_ENV: 'production', TIEPDAN_DATA_DIR: dir });
    assert.equal(production.code, 2);
    assert.match(production.stderr, /authSecret: required in production/u);
    removeDir(dir);
  });

  test('token → a JWT the API accepts for that role and unit; migrate → up to date', async () => {
    const config = testConfig();
    const t = await startServer({}, config);
    try {
      const created = await submitJson(t.api, validRegistration());
      const { reference } = (await created.json()) as { reference: string };
      const env = { TIEPDAN_AUTH_SECRET: config.authSecret, TIEPDAN_DATA_KEY: config.dataKey.toString('base64'), TIEPDAN_DATA_DIR: config.dataDir };
      const clerk = await runCli(['token', '--role', 'clerk', '--unit', 'dongthap.sadec', '--sub', 'le.van.c', '--name', 'Lê Văn C', '--ttl', '30m'], env);
      assert.equal(clerk.code, 0, clerk.stderr);
      const jwt = clerk.stdout.trim();
      assert.match(jwt, /^[\w-]+\.[\w-]+\.[\w-]+$/u);
      const payload = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { exp: number; iat: number; name: string };
      assert.equal(payload.exp - payload.iat, 1800);
      assert.equal(payload.name, 'Lê Văn C');
      const res = await getJson(`${t.api}/registrations/${reference}`, jwt);
      assert.equal(res.status, 200);
      const observer = await runCli(['token', '--role', 'observer', '--unit', 'dongthap.sadec', '--sub', 'obs'], env);
      assert.equal((await getJson(`${t.api}/registrations/${reference}`, observer.stdout.trim())).status, 403);
      const tooLong = await runCli(['token', '--role', 'clerk', '--unit', 'x', '--sub', 'y', '--ttl', '13h'], env);
      assert.notEqual(tooLong.code, 0);
      assert.match(tooLong.stderr, /12 hours/u);
      const badRole = await runCli(['token', '--role', 'mayor', '--unit', 'x', '--sub', 'y'], env);
      assert.equal(badRole.code, 64);
      const migrate = await runCli(['migrate'], env);
      assert.equal(migrate.code, 0, migrate.stderr);
      assert.match(migrate.stdout, /up to date/u);
    } finally {
      await t.close();
      removeDir(config.dataDir);
    }
    const fresh = tempDir();
    const first = await runCli(['migrate'], { TIEPDAN_DATA_DIR: fresh });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /applied migrations: 1/u);
    removeDir(fresh);
  });
});
