/**
 * POST /api/v1/lookup and GET /api/v1/meta: the citizen's public reads. A miss never says which half was
 * wrong, and the per-IP rate limit answers 429 in the error shape with retryAfter.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_RULES } from '@tiepdan/core';
import { getJson, healthy, postJson, removeDir, startServer, submitJson, validRegistration, type TestServer } from './helpers.js';

type ErrorShape = { error: { code: string; retryAfter?: number; fields?: { path: string }[] } };

describe('lookup', () => {
  let t: TestServer;
  let reference: string;
  before(async () => {
    t = await startServer({ rateLimits: { enabled: true, lookupPerMinute: 6, submitPerMinute: 100 } });
    const res = await submitJson(t.api, validRegistration());
    reference = ((await res.json()) as { reference: string }).reference;
  });
  after(async () => {
    await t.close();
    removeDir(t.dataDir);
  });

  test('right reference and phone (typed loosely) → state and public history; misses are all the same 404; then 429', async () => {
    const ip = { 'x-forwarded-for': '203.0.113.7' }; // ignored: trustProxy is off, the limit counts the socket
    const typed = reference.toLowerCase().replace(/-/gu, ' ').replace(/0/gu, 'o');
    const ok = await postJson(`${t.api}/lookup`, { reference: typed, phone: '+84 912 345 678' }, ip);
    const body = (await ok.json()) as Record<string, any>;
    assert.equal(ok.status, 200, JSON.stringify(body));
    assert.equal(body.reference, reference);
    assert.equal(body.state, 'received');
    assert.equal(body.kind, 'kien_nghi');
    assert.deepEqual(body.history.map((h: { state: string }) => h.state), ['received']);
    assert.ok(body.next.vi);
    assert.ok(!JSON.stringify(body).includes('Nguyễn Thị Hoa'), 'no personal data in the lookup');

    const misses = [
      { reference, phone: '0912345679' },
      { reference: 'TD-0000-0000', phone: '0912345678' },
      { reference: 'not a code', phone: '0912345678' },
      { reference, phone: 'abc' },
    ];
    const bodies: string[] = [];
    for (const miss of misses) {
      const res = await postJson(`${t.api}/lookup`, miss);
      assert.equal(res.status, 404);
      const error = (await res.json()) as ErrorShape & { error: { requestId?: string } };
      delete error.error.requestId;
      bodies.push(JSON.stringify(error));
    }
    assert.equal(new Set(bodies).size, 1, 'wrong phone and unknown code look the same');
    assert.equal(JSON.parse(bodies[0]!).error.code, 'not_found');

    // 1 + 4 requests so far, limit 6: the 6th passes, the 7th is refused.
    assert.equal((await postJson(`${t.api}/lookup`, { reference, phone: '0912345678' })).status, 200);
    const limited = await postJson(`${t.api}/lookup`, { reference, phone: '0912345678' });
    assert.equal(limited.status, 429);
    const error = (await limited.json()) as ErrorShape;
    assert.equal(error.error.code, 'rate_limited');
    assert.ok(typeof error.error.retryAfter === 'number' && error.error.retryAfter > 0 && error.error.retryAfter <= 60);
    assert.equal(limited.headers.get('retry-after'), String(error.error.retryAfter));
    assert.ok(await healthy(t), 'healthz is not rate limited');
  });

  test('past the limit a malformed body is refused 429 too: a bad request is no way around the guess budget', async () => {
    // The test above used up the budget; the 422 for a malformed body is checked without a limit below.
    const res = await postJson(`${t.api}/lookup`, { reference: 'TD-0000-0000' });
    assert.equal(res.status, 429);
    assert.equal(((await res.json()) as ErrorShape).error.code, 'rate_limited');
  });
});

describe('lookup validation (no rate limit)', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(async () => {
    await t.close();
    removeDir(t.dataDir);
  });

  test('missing phone, unknown fields → 422 naming them', async () => {
    const res = await postJson(`${t.api}/lookup`, { reference: 'TD-0000-0000' });
    assert.equal(res.status, 422);
    assert.equal(((await res.json()) as ErrorShape).error.fields?.[0]?.path, 'phone');
    const extra = await postJson(`${t.api}/lookup`, { reference: 'TD-0000-0000', phone: '0912345678', name: 'x' });
    assert.equal(extra.status, 422);
    assert.equal(((await extra.json()) as ErrorShape).error.fields?.[0]?.path, 'name');
  });

  test('meta: the unit, its communes and connection points, the notice, the rules', async () => {
    const res = await getJson(`${t.api}/meta?unit=dongthap.sadec`);
    const body = (await res.json()) as Record<string, any>;
    assert.equal(res.status, 200);
    assert.deepEqual(body.unit, { code: 'dongthap.sadec', name: 'UBND phường Sa Đéc', provinceCode: '82' });
    assert.equal(body.communes[0].code, '29869');
    assert.equal(body.connectionPoints[0].id, 'sadec-ubnd');
    assert.equal(body.privacyNotice.version, '2025-07-01');
    assert.deepEqual(body.rules, DEFAULT_RULES);
    assert.equal(body.remoteAttendanceAllowed, false);
    assert.equal((await getJson(`${t.api}/meta?unit=hanoi.hoankiem`)).status, 404);
    // Two units configured: the unit must be named.
    assert.equal((await getJson(`${t.api}/meta`)).status, 404);
  });
});
