/**
 * The pre-join network check's probe: a download of incompressible bytes of the asked size, never cached, an
 * upload that is read and dropped, bounds on both (422 naming the field, 413 past the upload limit), and the rate
 * limit that keeps it from being a free bandwidth sink.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { removeDir, startServer, type TestServer } from './helpers.js';
import { PROBE_DOWNLOAD_MAX, PROBE_UPLOAD_MAX } from '../src/meta/probe.js';

describe('network probe', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(async () => {
    await t.close();
    removeDir(t.dataDir);
  });

  test('download: the asked number of bytes, incompressible, not cacheable; out-of-range sizes are a 422 on "bytes"', async () => {
    const res = await fetch(`${t.api}/meta/probe?bytes=100000`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(body.length, 100_000);
    assert.ok(gzipSync(body).length > body.length * 0.99, 'random bytes do not compress');
    for (const bad of ['0', String(PROBE_DOWNLOAD_MAX + 1), 'abc', '1.5']) {
      const refused = await fetch(`${t.api}/meta/probe?bytes=${bad}`);
      assert.equal(refused.status, 422, bad);
      const error = (await refused.json()) as { error: { fields: { path: string; message: { vi: string; en: string } }[] } };
      assert.equal(error.error.fields[0]!.path, 'bytes');
      assert.match(error.error.fields[0]!.message.vi, /byte/u);
    }
  });

  test('upload: up to the limit is taken and dropped (204); more is a 413; another type is refused', async () => {
    const ok = await fetch(`${t.api}/meta/probe`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(PROBE_UPLOAD_MAX) });
    assert.equal(ok.status, 204);
    const big = await fetch(`${t.api}/meta/probe`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(PROBE_UPLOAD_MAX + 1) });
    assert.equal(big.status, 413);
    const json = await fetch(`${t.api}/meta/probe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(json.status, 415);
    const health = await fetch(`${t.url}/healthz`);
    assert.equal(health.status, 200, 'the server stays up');
  });

  test('rate-limited per client', async () => {
    const limited = await startServer({ rateLimits: { enabled: true, lookupPerMinute: 10, submitPerMinute: 30 } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 32; i++) codes.push((await fetch(`${limited.api}/meta/probe?bytes=16`)).status);
      assert.deepEqual(codes.slice(0, 30), Array(30).fill(200));
      assert.equal(codes[31], 429);
    } finally {
      await limited.close();
      removeDir(limited.dataDir);
    }
  });
});
