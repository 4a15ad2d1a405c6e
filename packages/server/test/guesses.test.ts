/**
 * Issue 12 item 5: one guess budget per client and per reference across /lookup, /bookings, /bookings/move,
 * /bookings/cancel and /bookings/calendar (it was 10 a minute on each route, five budgets), and every wrong
 * pair gets the same answer whichever route it is tried on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { postJson, removeDir, startServer, type TestServer } from './helpers.js';
import { openSession, registrations } from './schedule-helpers.js';

const ROUTES = ['/lookup', '/bookings', '/bookings/move', '/bookings/cancel', '/bookings/calendar'];

describe('one guess budget across the reference + phone routes', () => {
  let t: TestServer;
  let sessionId: string;
  let reference: string;
  before(async () => {
    t = await startServer({ trustProxy: true, rateLimits: { enabled: true, lookupPerMinute: 10, submitPerMinute: 100 } });
    sessionId = await openSession(t);
    [reference] = (await registrations(t, 1)) as [string];
  });
  after(async () => {
    await t.close();
    removeDir(t.dataDir);
  });

  const attempt = (route: string, body: Record<string, unknown>, client: string) =>
    fetch(`${t.api}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': client }, body: JSON.stringify({ ...body, ...(route.endsWith('/cancel') || route.endsWith('/calendar') || route === '/lookup' ? {} : { sessionId }) }) });

  test('per client: 10 wrong pairs spread over five routes spend the budget; the 11th is 429 on any route', async () => {
    const statuses: number[] = [];
    const bodies: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const res = await attempt(ROUTES[i % 5]!, { reference: `TD-0000-00${String(i).padStart(2, '0')}`, phone: '0987654321' }, '203.0.113.7');
      statuses.push(res.status);
      const { error } = (await res.json()) as { error: { code: string; message: unknown; fields?: unknown } };
      bodies.push(JSON.stringify([error.code, error.message, error.fields]));
    }
    assert.deepEqual(statuses, Array(10).fill(404), 'every wrong pair is the same 404 on every route');
    assert.equal(new Set(bodies).size, 1, 'with the same code, message and fields (only the request id differs)');
    for (const route of ROUTES) {
      const res = await attempt(route, { reference: 'TD-0000-0099', phone: '0987654321' }, '203.0.113.7');
      assert.equal(res.status, 429, route);
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
    }
    assert.equal((await attempt('/lookup', { reference: 'TD-0000-0099', phone: '0987654321' }, '203.0.113.8')).status, 404, 'another client has its own budget');
  });

  test('per reference: wrong phones from many clients spend one budget; the right pair was not spent', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) statuses.push((await attempt(ROUTES[i % 5]!, { reference, phone: `09876543${String(i).padStart(2, '0')}` }, `198.51.100.${i + 1}`)).status);
    assert.deepEqual(statuses, Array(10).fill(404));
    const next = await attempt('/bookings', { reference, phone: '0987654399' }, '198.51.100.200');
    assert.equal(next.status, 429, 'a fresh client gets no fresh guesses at this reference');
    // A right pair from a fresh client is refused too while the reference's budget is spent (the price of
    // not telling right from wrong), and an unknown reference spends its own budget the same way.
    assert.equal((await attempt('/lookup', { reference, phone: '0912345678' }, '198.51.100.201')).status, 429);
  });

  test('a right pair is given back to the reference budget', async () => {
    const [other] = (await registrations(t, 1)) as [string];
    for (let i = 0; i < 15; i += 1) assert.equal((await postJson(`${t.api}/lookup`, { reference: other, phone: '0912345678' }, { 'x-forwarded-for': `192.0.2.${i + 1}` })).status, 200);
  });
});
