/**
 * Cross-cutting HTTP behaviour: CORS allowlist, security headers, request ids, the error shape for fastify's
 * own errors, the SDK folder, and persistence across a restart on the same data dir.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { countRows, getJson, healthy, submitMultipart, postJson, removeDir, startServer, submitJson, tempDir, testConfig, token, uuidv7, validRegistration, type TestServer } from './helpers.js';
import { MIGRATIONS } from '../src/store/migrations.js';

type ErrorShape = { error: { code: string; message: { vi: string; en: string }; requestId?: string } };

describe('http layer', () => {
  let t: TestServer;
  let sdkDir: string;
  before(async () => {
    sdkDir = tempDir('tiepdan-sdk-');
    writeFileSync(join(sdkDir, 'tiepdan.js'), 'export const version = "0.1.0";\n');
    t = await startServer({ sdkDir });
  });
  after(async () => {
    await t.close();
    removeDir(t.dataDir);
    removeDir(sdkDir);
  });

  test('CORS: an allowed ward site gets the headers, preflight allows Authorization and Idempotency-Key', async () => {
    const origin = 'https://sadec.dongthap.gov.vn';
    const preflight = await fetch(`${t.api}/registrations`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key,authorization' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), origin);
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const header of ['authorization', 'idempotency-key', 'content-type']) assert.ok(allowed.includes(header), header);
    const res = await submitJson(t.api, validRegistration(), uuidv7(), { origin });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('access-control-allow-origin'), origin);
    assert.match(res.headers.get('access-control-expose-headers') ?? '', /Idempotent-Replayed/iu);
    // A dev pattern with a port wildcard.
    const dev = await getJson(`${t.api}/meta?unit=dongthap.sadec`, undefined, { origin: 'http://127.0.0.1:5173' });
    assert.equal(dev.headers.get('access-control-allow-origin'), 'http://127.0.0.1:5173');
  });

  test('CORS: an unknown site is refused with 403 origin_not_allowed and no CORS headers, nothing stored', async () => {
    const before = t.db.prepare('SELECT COUNT(*) FROM registrations').pluck().get();
    for (const origin of ['https://evil.example', 'https://sadec.dongthap.gov.vn.evil.example', 'http://localhost:3000']) {
      const res = await submitJson(t.api, validRegistration(), uuidv7(), { origin });
      assert.equal(res.status, 403, origin);
      assert.equal(((await res.json()) as ErrorShape).error.code, 'origin_not_allowed');
      assert.equal(res.headers.get('access-control-allow-origin'), null);
      const preflight = await fetch(`${t.api}/registrations`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
      assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    }
    assert.equal(t.db.prepare('SELECT COUNT(*) FROM registrations').pluck().get(), before);
  });

  test('security headers on API responses', async () => {
    const res = await getJson(`${t.api}/meta?unit=dongthap.sadec`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/u);
    assert.equal(res.headers.get('cross-origin-resource-policy'), 'same-origin');
    assert.equal(res.headers.get('x-powered-by'), null);
  });

  test('the SDK folder is loadable from any site', async () => {
    const res = await fetch(`${t.url}/sdk/tiepdan.js`, { headers: { origin: 'https://any-ward.gov.vn' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.match(await res.text(), /version/u);
  });

  test('the SDK goes out pre-compressed as the build wrote it; hashed chunks are immutable, the loader is not', async () => {
    // The real build's output, as a ward page downloads it.
    const bundle = fileURLToPath(new URL('../../components/dist/bundle/', import.meta.url));
    const real = await startServer({ sdkDir: bundle });
    try {
      const plain = readFileSync(join(bundle, 'tiepdan.js'));
      for (const [accept, encoding] of [['br', 'br'], ['gzip', 'gzip'], ['identity', null]] as const) {
        const res = await fetch(`${real.url}/sdk/tiepdan.js`, { headers: { 'accept-encoding': accept } });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-encoding'), encoding, accept);
        assert.match(res.headers.get('content-type') ?? '', /javascript/u);
        assert.match(res.headers.get('vary') ?? '', /accept-encoding/iu);
        assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
        assert.deepEqual(Buffer.from(await res.arrayBuffer()), plain); // fetch decodes: the same bytes
      }
      // The largest hashed chunk: a chunk of a few hundred bytes (shared strings) does not halve under brotli.
      const chunk = readdirSync(join(bundle, 'chunks'))
        .filter((name) => /-[A-Za-z0-9_-]{8}\.js$/u.test(name))
        .sort((a, b) => statSync(join(bundle, 'chunks', b)).size - statSync(join(bundle, 'chunks', a)).size)[0];
      assert.ok(chunk, 'the build has hashed chunks');
      const res = await fetch(`${real.url}/sdk/chunks/${chunk}`, { headers: { 'accept-encoding': 'br' } });
      assert.equal(res.headers.get('content-encoding'), 'br');
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      const compressed = statSync(join(bundle, 'chunks', `${chunk}.br`)).size;
      assert.ok(compressed < statSync(join(bundle, 'chunks', chunk)).size / 2, 'brotli at least halves a script');
    } finally {
      await real.close();
      removeDir(real.dataDir);
    }
  });

  test('request ids: echoed when given, generated otherwise, and in error bodies', async () => {
    const given = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'ward-abc-123' } });
    assert.equal(given.headers.get('x-request-id'), 'ward-abc-123');
    const made = await fetch(`${t.api}/nope`);
    const id = made.headers.get('x-request-id');
    assert.ok(id && id.length >= 16);
    const body = (await made.json()) as ErrorShape;
    assert.equal(made.status, 404);
    assert.equal(body.error.code, 'not_found');
    assert.equal(body.error.requestId, id);
    const hostile = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'x'.repeat(500) } });
    assert.notEqual(hostile.headers.get('x-request-id'), 'x'.repeat(500));
  });

  test('fastify errors in the error shape: broken JSON, wrong type, unknown route, wrong method', async () => {
    const broken = await fetch(`${t.api}/lookup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reference":' });
    assert.equal(broken.status, 400);
    assert.equal(((await broken.json()) as ErrorShape).error.code, 'bad_json');
    const empty = await fetch(`${t.api}/lookup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '' });
    assert.equal(empty.status, 400);
    assert.equal(((await empty.json()) as ErrorShape).error.code, 'bad_json');
    const xml = await fetch(`${t.api}/lookup`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' });
    assert.equal(xml.status, 415);
    assert.equal(((await xml.json()) as ErrorShape).error.code, 'unsupported_media_type');
    const method = await fetch(`${t.api}/meta`, { method: 'DELETE' });
    assert.equal(method.status, 404);
    assert.equal(((await method.json()) as ErrorShape).error.code, 'not_found');
    assert.ok(await healthy(t));
  });

  test('deeply nested JSON (100,000 levels) is refused with 400 json_too_deep before anything walks it; nothing stored', async () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    const rows = countRows(t.db);
    const bodies = [
      `{"unit":"dongthap.sadec","content":${deep(100_000)}}`,
      `{"a":${'{"a":'.repeat(30_000)}1${'}'.repeat(30_000)}}`,
      JSON.stringify(validRegistration({ content: { summary: 'x', previousHandling: JSON.parse(deep(40)) } })),
    ];
    for (const body of bodies) {
      for (const path of ['/registrations', '/lookup']) {
        const res = await fetch(`${t.api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': uuidv7() }, body });
        const error = (await res.json()) as ErrorShape;
        assert.equal(res.status, 400, `${path} ${body.slice(0, 30)}: ${res.status} ${error.error.code}`);
        assert.equal(error.error.code, 'json_too_deep');
        assert.ok(error.error.message.vi && error.error.message.en);
      }
    }
    // The same registration sent as the multipart form's JSON field.
    const multipart = await submitMultipart(t.api, undefined, [], uuidv7(), bodies[0]);
    assert.equal(multipart.status, 400);
    const fields = ((await multipart.json()) as ErrorShape & { error: { fields: { path: string }[] } }).error;
    assert.equal(fields.code, 'json_too_deep');
    assert.deepEqual(fields.fields.map((f) => f.path), ['registration']);
    // Ordinary nesting still passes, and the server is up.
    assert.equal((await submitJson(t.api, validRegistration())).status, 201);
    assert.equal(countRows(t.db), rows + 1);
    assert.ok(await healthy(t));
  });

  test('an unexpected failure is a 500 internal without details', async () => {
    t.server.app.log.level = 'silent';
    const store = t.server.store as { findByReference: (r: string) => Promise<unknown> };
    const original = store.findByReference;
    store.findByReference = async () => {
      throw new Error('SQLITE_CORRUPT: secret path /var/lib/tiepdan');
    };
    try {
      const res = await getJson(`${t.api}/registrations/TD-0000-0000`, await token(t, 'clerk'));
      const text = await res.text();
      assert.equal(res.status, 500);
      assert.equal((JSON.parse(text) as ErrorShape).error.code, 'internal');
      assert.ok(!text.includes('SQLITE') && !text.includes('/var/lib'));
    } finally {
      store.findByReference = original;
    }
    assert.ok(await healthy(t));
  });
});

describe('restart', () => {
  test('registrations, files and secrets survive closing and reopening the same data dir', async () => {
    const config = testConfig();
    const first = await startServer({}, config);
    const res = await submitJson(first.api, validRegistration());
    const { reference } = (await res.json()) as { reference: string };
    const clerk = await token(first, 'clerk');
    await first.close();

    const second = await startServer({}, { ...config, port: 0 });
    try {
      const record = await getJson(`${second.api}/registrations/${reference}`, clerk);
      assert.equal(record.status, 200, 'a token minted before the restart still works');
      assert.equal(((await record.json()) as { reference: string }).reference, reference);
      const lookup = await postJson(`${second.api}/lookup`, { reference, phone: '0912345678' });
      assert.equal(lookup.status, 200);
      assert.equal(second.db.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get(), MIGRATIONS.length, 'migrations are not re-applied');
    } finally {
      await second.close();
      removeDir(config.dataDir);
    }
  });

  test('dev mode generates secrets once into dataDir/secrets.json (0600) and reuses them', async () => {
    const dataDir = tempDir();
    mkdirSync(dataDir, { recursive: true });
    const { loadConfig } = await import('../src/index.js');
    const warnings: string[] = [];
    const a = loadConfig({ env: {}, values: { dataDir }, warn: (m) => warnings.push(m) });
    const b = loadConfig({ env: {}, values: { dataDir }, warn: (m) => warnings.push(m) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /secrets\.json/u);
    assert.equal(a.authSecret, b.authSecret);
    assert.ok(a.dataKey.equals(b.dataKey));
    const { statSync } = await import('node:fs');
    assert.equal(statSync(join(dataDir, 'secrets.json')).mode & 0o777, 0o600);
    removeDir(dataDir);
  });
});
