/**
 * Issue 12 item 4: one sender must not be able to fill a session. A place taken before screening (the form's
 * preferred session, or the citizen's own /bookings) is provisional: one phone holds at most one such place,
 * such places fill at most half of a session (config schedule.provisionalShare / provisionalPerPhone), and
 * the rest stays for the board's invitations. Screening confirms a place; answering gives it back. Past and
 * started sessions take no citizen booking.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../src/index.js';
import { postJson, removeDir, submitJson, uuidv7, validRegistration } from './helpers.js';
import { STORE_FIXTURES, startServerOn } from './store-fixtures.js';
import { book, official, openSession } from './schedule-helpers.js';

const DEFAULTS = loadConfig({ env: {}, warn: () => {}, values: { dataDir: '/tmp/unused-tiepdan-defaults' } }).schedule;

test('defaults: half of a session for unscreened registrations, one provisional place per phone', () => {
  assert.equal(DEFAULTS.provisionalShare, 0.5);
  assert.equal(DEFAULTS.provisionalPerPhone, 1);
});

// On each store: SQLite, and a real PostgreSQL when its binaries are here (else skipped with the reason).
for (const fixture of STORE_FIXTURES) describe(`provisional places on ${fixture.name}`, { skip: fixture.unavailable }, () => {
test('five junk submissions naming a session cannot fill it; a screened citizen is still invited', async () => {
  const t = await startServerOn(fixture, { schedule: { provisionalShare: DEFAULTS.provisionalShare, provisionalPerPhone: DEFAULTS.provisionalPerPhone } });
  try {
    const sessionId = await openSession(t, { capacity: 4 });
    const submit = async (phone: string) => {
      const res = await submitJson(t.api, validRegistration({ preferredSessionId: sessionId, contact: { phone } }), uuidv7());
      return (await res.json()) as { reference: string; booking: { status: string } };
    };
    // One sender, one phone: the first holds a place, the others do not.
    const same = [];
    for (let i = 0; i < 5; i += 1) same.push(await submit('0911 000 001'));
    assert.deepEqual(same.map((r) => r.booking.status), ['booked', 'limit', 'limit', 'limit', 'limit']);
    // Many phones: unscreened registrations fill at most half (2 of 4).
    const many = [];
    for (let i = 2; i <= 5; i += 1) many.push(await submit(`0911 000 00${i}`));
    assert.deepEqual(many.map((r) => r.booking.status), ['booked', 'full', 'full', 'full']);
    // The citizen's own booking route follows the same rule.
    const own = await book(t, many[1]!.reference, sessionId, '0911 000 003');
    assert.equal(own.status, 409);

    // The board screens a citizen and invites them: the places kept for invitations are there.
    const clerk = await official(t, 'clerk');
    for (const reference of [many[1]!.reference, many[2]!.reference]) {
      assert.equal((await clerk.post(`/registrations/${reference}/transitions`, { to: 'screened', reason: 'Đúng thẩm quyền' })).status, 200);
      const invited = await clerk.post(`/sessions/${sessionId}/invitations`, { reference, slotAt: '2030-03-15T09:00:00+07:00' });
      assert.equal(invited.status, 201, await invited.text());
    }
    // provisional is an integer on SQLite and a boolean on PostgreSQL: read as 0/1 on both.
    const places = async () =>
      (await t.sql("SELECT CASE WHEN provisional THEN 1 ELSE 0 END AS provisional, COUNT(*) AS n FROM bookings WHERE session_id = ? AND status = 'booked' GROUP BY 1 ORDER BY 1", [sessionId])).map((r) => ({ provisional: Number(r.provisional), n: Number(r.n) }));
    assert.deepEqual(await places(), [{ provisional: 0, n: 2 }, { provisional: 1, n: 2 }]);

    // Screening confirms a held place; answering another way gives it back.
    assert.equal((await clerk.post(`/registrations/${same[0]!.reference}/transitions`, { to: 'screened', reason: 'Đúng thẩm quyền' })).status, 200);
    assert.equal((await clerk.post(`/registrations/${many[0]!.reference}/transitions`, { to: 'answered', reason: 'Không thuộc thẩm quyền', outcome: 'guided' })).status, 200);
    assert.deepEqual(await places(), [{ provisional: 0, n: 3 }]);
    const lookup = await postJson(`${t.api}/lookup`, { reference: same[1]!.reference, phone: '0911000001' });
    assert.equal(((await lookup.json()) as { booking?: unknown }).booking, undefined, 'a refused hold leaves no booking');
  } finally {
    await t.close();
    removeDir(t.dataDir);
  }
});

test('a session that has started or is past takes no booking from a citizen', async () => {
  const t = await startServerOn(fixture);
  try {
    const started = new Date(Date.now() - 3_600_000).toISOString();
    const ends = new Date(Date.now() + 3_600_000).toISOString();
    const sessionId = await openSession(t, { startsAt: started, endsAt: ends });
    const res = await submitJson(t.api, validRegistration({ preferredSessionId: sessionId }), uuidv7());
    assert.equal(((await res.json()) as { booking: { status: string } }).booking.status, 'not_open');
    const [reference] = [((await (await submitJson(t.api, validRegistration(), uuidv7())).json()) as { reference: string }).reference];
    const booked = await book(t, reference!, sessionId);
    assert.equal(booked.status, 409);
    assert.equal(((await booked.json()) as { error: { code: string } }).error.code, 'session_not_open');
    // The board may still fit a screened citizen into the session under way, but not at a time already gone.
    const clerk = await official(t, 'clerk');
    assert.equal((await clerk.post(`/registrations/${reference}/transitions`, { to: 'screened', reason: 'Đúng thẩm quyền' })).status, 200);
    const past = await clerk.post(`/sessions/${sessionId}/invitations`, { reference, slotAt: started });
    assert.equal(past.status, 422);
    const refused = (await past.json()) as { error: { fields: { path: string; code: string; message: { vi: string; en: string } }[] } };
    assert.deepEqual(refused.error.fields.map((f) => [f.path, f.code]), [['slotAt', 'slot_past']]);
    assert.match(refused.error.fields[0]!.message.en, /has passed/u);
    const ahead = new Date(Date.now() + 30 * 60_000).toISOString();
    assert.equal((await clerk.post(`/sessions/${sessionId}/invitations`, { reference, slotAt: ahead })).status, 201);
  } finally {
    await t.close();
    removeDir(t.dataDir);
  }
});
});
