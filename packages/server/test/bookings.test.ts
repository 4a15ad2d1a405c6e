/**
 * Bookings over real HTTP: capacity holds under 200 parallel requests, a booking rides in the registration's
 * idempotent submission (once, even when replayed), move and cancel by reference + phone, and the officials'
 * invitation with a join token returned once and stored only as a hash.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { healthy, postJson, removeDir, startServer, submitJson, uuidv7, validRegistration, type TestServer } from './helpers.js';
import { STORE_FIXTURES, startServerOn } from './store-fixtures.js';
import { book, official, openSession, registrations, sessionInput, type ErrorShape } from './schedule-helpers.js';

// On each store: SQLite, and a real PostgreSQL when its binaries are here (else skipped with the reason).
for (const fixture of STORE_FIXTURES) describe(`bookings on ${fixture.name}`, { skip: fixture.unavailable }, () => {
  let t: TestServer;
  before(async () => {
    t = await startServerOn(fixture);
  });
  after(async () => {
    await t.close();
    removeDir(t.dataDir);
  });

  test('200 parallel bookings against capacity 20 → exactly 20 places, the rest a clear "full"', async () => {
    const id = await openSession(t, { capacity: 20 });
    const references = await registrations(t, 200);
    const responses = await Promise.all(references.map((reference) => book(t, reference, id)));
    const statuses = responses.map((r) => r.status);
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as (ErrorShape & { status?: string })[];
    assert.equal(statuses.filter((s) => s === 201).length, 20);
    assert.equal(statuses.filter((s) => s === 409).length, 180, JSON.stringify([...new Set(statuses)]));
    const refused = bodies.filter((b) => b.error);
    assert.ok(refused.every((b) => b.error.code === 'session_full' && b.error.message.vi.includes('đủ chỗ') && b.error.message.en.includes('full')));
    assert.equal((await t.count("SELECT COUNT(*) FROM bookings WHERE session_id = ? AND status = 'booked'", [id])), 20);
    const session = (await (await fetch(`${t.api}/sessions/${id}`)).json()) as { placesLeft: number };
    assert.equal(session.placesLeft, 0);
    assert.ok(await healthy(t));
  });

  test('preferredSessionId is booked with the submission, once, even when replayed; full and draft sessions are reported', async () => {
    const id = await openSession(t, { capacity: 1, startsAt: '2030-05-05T08:00:00+07:00', endsAt: '2030-05-05T10:00:00+07:00' });
    const key = uuidv7();
    const registration = validRegistration({ preferredSessionId: id });
    const replies = await Promise.all([submitJson(t.api, registration, key), submitJson(t.api, registration, key), submitJson(t.api, registration, key)]);
    const bodies = (await Promise.all(replies.map((r) => r.json()))) as { reference: string; booking?: { sessionId: string; status: string } }[];
    assert.deepEqual(replies.map((r) => r.status), [201, 201, 201]);
    assert.deepEqual(bodies[0]!.booking, { sessionId: id, status: 'booked', startsAt: '2030-05-05T01:00:00.000Z', endsAt: '2030-05-05T03:00:00.000Z' });
    assert.deepEqual(bodies[1], bodies[0], 'a replay answers the same');
    assert.deepEqual(bodies[2], bodies[0]);
    assert.equal(replies.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 2);
    assert.equal((await t.count('SELECT COUNT(*) FROM bookings WHERE session_id = ?', [id])), 1);

    // The session is now full: the next registration is stored all the same, its booking refused.
    const full = await submitJson(t.api, validRegistration({ preferredSessionId: id }));
    const fullBody = (await full.json()) as { reference: string; booking: { status: string } };
    assert.equal(full.status, 201);
    assert.equal(fullBody.booking.status, 'full');
    assert.equal((await t.count('SELECT COUNT(*) FROM registrations WHERE reference = ?', [fullBody.reference])), 1);

    const clerk = await official(t, 'clerk');
    const draft = ((await (await clerk.post('/sessions', sessionInput())).json()) as { session: { id: string } }).session.id;
    const notOpen = await submitJson(t.api, validRegistration({ preferredSessionId: draft }));
    assert.equal(((await notOpen.json()) as { booking: { status: string } }).booking.status, 'not_open');
    const unknown = await submitJson(t.api, validRegistration({ preferredSessionId: 's_doesnotexist' }));
    assert.equal(((await unknown.json()) as { booking: { status: string } }).booking.status, 'not_open');
    const none = await submitJson(t.api, validRegistration());
    assert.equal('booking' in ((await none.json()) as object), false);
  });

  test('book, move, cancel by reference + phone; misses are one 404; one place per registration', async () => {
    const first = await openSession(t, { startsAt: '2030-06-03T08:00:00+07:00', endsAt: '2030-06-03T10:00:00+07:00' });
    const second = await openSession(t, { startsAt: '2030-06-10T08:00:00+07:00', endsAt: '2030-06-10T10:00:00+07:00' });
    const [reference] = await registrations(t, 1);
    const typed = reference!.toLowerCase();
    assert.equal((await book(t, typed, first, '+84912345678')).status, 201);
    const again = await book(t, reference!, second);
    assert.equal(again.status, 409);
    assert.equal(((await again.json()) as ErrorShape).error.code, 'already_booked');

    const moved = await book(t, reference!, second, undefined, '/bookings/move');
    const movedBody = (await moved.json()) as { sessionId: string; status: string };
    assert.equal(moved.status, 200, JSON.stringify(movedBody));
    assert.deepEqual([movedBody.sessionId, movedBody.status], [second, 'booked']);
    const places = async (id: string) => (await t.count("SELECT COUNT(*) FROM bookings WHERE session_id = ? AND status = 'booked'", [id]));
    assert.deepEqual([await places(first), await places(second)], [0, 1]);

    const wrongPhone = await book(t, reference!, first, '0987654321');
    const unknownRef = await book(t, 'TD-0000-0000', first);
    assert.deepEqual([wrongPhone.status, unknownRef.status], [404, 404]);

    const cancelled = await postJson(`${t.api}/bookings/cancel`, { reference, phone: '0912345678' });
    assert.equal(((await cancelled.json()) as { status: string }).status, 'cancelled');
    assert.equal(await places(second), 0);
    assert.equal((await postJson(`${t.api}/bookings/cancel`, { reference, phone: '0912345678' })).status, 404);

    const bad = await postJson(`${t.api}/bookings`, { reference, phone: '0912345678', sessionId: 'bad id!', extra: true });
    const error = (await bad.json()) as ErrorShape;
    assert.equal(bad.status, 422);
    assert.deepEqual(error.error.fields!.map((f) => f.path).sort(), ['extra', 'sessionId']);
  });

  test('invitation: booked and screened → invited with a slot and a join token stored hashed; re-invite rotates it', async () => {
    const id = await openSession(t, { startsAt: '2030-07-01T08:00:00+07:00', endsAt: '2030-07-01T11:00:00+07:00' });
    const [reference] = await registrations(t, 1);
    await book(t, reference!, id);
    const clerk = await official(t, 'clerk');
    const early = await clerk.post(`/sessions/${id}/invitations`, { reference, slotAt: '2030-07-01T08:30:00+07:00' });
    assert.equal(early.status, 409, 'not screened yet');
    const screened = await clerk.post(`/registrations/${reference}/transitions`, { to: 'screened', reason: 'Đúng thẩm quyền' });
    assert.equal(screened.status, 200);
    const outside = await clerk.post(`/sessions/${id}/invitations`, { reference, slotAt: '2030-07-01T12:00:00+07:00' });
    assert.equal(((await outside.json()) as ErrorShape).error.fields![0]!.path, 'slotAt');

    const res = await clerk.post(`/sessions/${id}/invitations`, { reference, slotAt: '2030-07-01T08:30:00+07:00', publicNote: 'Mời đến điểm cầu UBND phường' });
    const invitation = (await res.json()) as { joinToken: string; slotAt: string; state: string };
    assert.equal(res.status, 201, JSON.stringify(invitation));
    assert.equal(invitation.slotAt, '2030-07-01T01:30:00.000Z');
    assert.match(invitation.joinToken, /^[A-Za-z0-9_-]{43}$/u);
    const stored = (await t.sql("SELECT join_token_hash FROM bookings WHERE status = 'booked' AND session_id = ?", [id]))[0]?.join_token_hash as string;
    assert.equal(stored, createHash('sha256').update(invitation.joinToken).digest('hex'));
    assert.ok(!JSON.stringify(await t.sql('SELECT * FROM bookings')).includes(invitation.joinToken), 'the token itself is not stored');
    const record = (await (await clerk.get(`/registrations/${reference}`)).json()) as { state: string };
    assert.equal(record.state, 'invited');

    const list = (await (await clerk.get(`/sessions/${id}/bookings`)).json()) as { items: { reference: string; invited: boolean; slotAt: string }[] };
    assert.deepEqual(list.items.map((i) => [i.reference, i.invited, i.slotAt]), [[reference, true, '2030-07-01T01:30:00.000Z']]);

    const rotated = (await (await clerk.post(`/sessions/${id}/invitations`, { reference, slotAt: '2030-07-01T09:00:00+07:00' })).json()) as { joinToken: string };
    assert.notEqual(rotated.joinToken, invitation.joinToken);
    assert.equal((await fetch(`${t.api}/bookings/${reference}.ics?token=${invitation.joinToken}`)).status, 404, 'the old token no longer works');
    assert.equal((await fetch(`${t.api}/bookings/${reference}.ics?token=${rotated.joinToken}`)).status, 200);
  });
});

describe('booking rate limit', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ rateLimits: { enabled: true, lookupPerMinute: 3, submitPerMinute: 100 } });
  });
  after(async () => {
    await t.close();
    removeDir(t.dataDir);
  });

  test('booking by reference + phone is limited like the lookup', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await book(t, 'TD-0000-0000', 's_x')).status);
    assert.deepEqual(statuses, [404, 404, 404, 429]);
  });
});
