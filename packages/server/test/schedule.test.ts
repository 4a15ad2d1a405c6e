/**
 * The reception schedule over real HTTP: series with holiday shifts (preview stores nothing, create expands),
 * frequency warnings, the public list (published only, no personal data, cacheable), every official route ×
 * role, and bad input that names its field and stores nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expand, type RecurrenceRule } from '@tiepdan/core';
import { countRows, getJson, healthy, OTHER_UNIT, removeDir, startServer, UNIT, type TestServer } from './helpers.js';
import { book, official, openSession, registrations, sessionInput, type ErrorShape } from './schedule-helpers.js';

const HOLIDAYS = { '2027': ['2027-01-01', '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-04-16', '2027-04-30', '2027-05-01', '2027-09-02', '2027-09-03'] };
const TEMPLATE = { host: { role: 'chair', name: 'Chủ tịch UBND phường' }, level: 'commune', unit: UNIT, venue: 'Trụ sở UBND phường', connectionPoints: ['sadec-ubnd'], capacity: 15, remoteAllowed: false };
const RULE: RecurrenceRule = { pattern: { type: 'monthly-day', day: 15 }, shift: 'next-working-day' };
const series = (overrides: Record<string, unknown> = {}) => ({ template: TEMPLATE, rule: RULE, startTime: '08:00', endTime: '11:00', from: '2027-01-01', to: '2027-06-30', ...overrides });

describe('periodic series', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ holidays: HOLIDAYS, workingDays: { '2027': ['2027-02-20'] } });
  });
  after(async () => {
    await t.close();
    removeDir(t.dataDir);
  });

  test('preview: dates after holiday and weekend shifts, same as core expand, warnings, nothing stored', async () => {
    const clerk = await official(t, 'clerk');
    const res = await clerk.post('/series/preview', series({ rule: { pattern: { type: 'monthly-weekday', nth: 2, weekday: 3 }, shift: 'next-working-day' } }));
    const body = (await res.json()) as { occurrences: { date: string; nominal: string; shifted: boolean; startsAt: string }[]; warnings: { period: string }[] };
    assert.equal(res.status, 200, JSON.stringify(body));
    // Second Wednesday: 10/02/2027 falls in Tết and moves to Friday 12/02.
    const feb = body.occurrences.find((o) => o.nominal === '2027-02-10');
    assert.deepEqual(feb && { date: feb.date, shifted: feb.shifted }, { date: '2027-02-12', shifted: true });

    const monthly = await clerk.post('/series/preview', series());
    const dates = (await monthly.json()) as typeof body;
    const expected = expand(RULE, { holidays: HOLIDAYS['2027'], workingWeekdays: [1, 2, 3, 4, 5], workingDays: ['2027-02-20'] }, '2027-01-01', '2027-06-30');
    assert.deepEqual(dates.occurrences.map((o) => o.date), expected);
    // 15/05/2027 is a Saturday → Monday 17/05; 15/01 is a Friday and stays.
    assert.deepEqual(dates.occurrences.find((o) => o.nominal === '2027-05-15')?.date, '2027-05-17');
    assert.equal(dates.occurrences.find((o) => o.nominal === '2027-01-15')?.shifted, false);
    assert.equal(dates.occurrences[0]!.startsAt, '2027-01-15T01:00:00.000Z', '08:00 in Hanoi is 01:00 UTC');
    // Before 01/07/2026 a ward needed a day a week; in 2027 two days a month: one a month warns every month.
    assert.deepEqual(dates.warnings.map((w) => w.period), ['2027-01', '2027-02', '2027-03', '2027-04', '2027-05', '2027-06']);
    assert.equal(countRows(t.db, 'sessions'), 0);
    assert.equal(countRows(t.db, 'series'), 0);
  });

  test('create expands into published sessions with the series id; twice a month clears the warnings', async () => {
    const chair = await official(t, 'chair');
    const res = await chair.post('/series', series({ rule: { pattern: { type: 'weekly', weekdays: [2] }, shift: 'skip' }, from: '2027-03-01', to: '2027-04-30', publish: true }));
    const body = (await res.json()) as { series: { id: string }; sessions: { seriesId: string; state: string; startsAt: string }[]; warnings: unknown[] };
    assert.equal(res.status, 201, JSON.stringify(body));
    assert.equal(body.sessions.length, 9, 'Tuesdays of March and April 2027');
    assert.ok(body.sessions.every((s) => s.seriesId === body.series.id && s.state === 'open'));
    assert.deepEqual(body.warnings, []);
    assert.equal(countRows(t.db, 'sessions'), 9);
    const list = await getJson(`${t.api}/sessions?unit=${UNIT}&from=2027-03-01&to=2027-03-31`);
    assert.equal(((await list.json()) as { items: unknown[] }).items.length, 5);
  });

  test('a series with no date in range, a bad rule, a bad template → 422 naming the fields, nothing stored', async () => {
    const clerk = await official(t, 'clerk');
    const before = countRows(t.db, 'sessions');
    const cases: [unknown, string[]][] = [
      [series({ rule: { pattern: { type: 'monthly-day', day: 32 }, shift: 'next-working-day' } }), ['rule.pattern.day']],
      [series({ startTime: '11:00', endTime: '08:00' }), ['endTime']],
      [series({ template: { ...TEMPLATE, connectionPoints: ['nowhere'] } }), ['template.connectionPoints.0']],
      [series({ template: { ...TEMPLATE, capacity: -1 }, to: '2026-01-01' }), ['template.capacity', 'to']],
      [series({ rule: { pattern: { type: 'weekly', weekdays: [7] }, shift: 'skip' } }), ['rule']],
      [series({ extra: 1 }), ['extra']],
    ];
    for (const [body, paths] of cases) {
      const res = await clerk.post('/series', body);
      const error = (await res.json()) as ErrorShape;
      assert.equal(res.status, 422, JSON.stringify(error));
      assert.equal(error.error.code, 'validation_failed');
      assert.deepEqual(error.error.fields!.map((f) => f.path).sort(), paths.sort(), JSON.stringify(error));
      assert.ok(error.error.fields!.every((f) => f.message.vi && f.message.en));
    }
    assert.equal(countRows(t.db, 'sessions'), before);
    assert.ok(await healthy(t));
  });
});

describe('sessions', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(async () => {
    await t.close();
    removeDir(t.dataDir);
  });

  test('drafts stay private; the public list has published sessions, places left, no personal data, and is cacheable', async () => {
    const clerk = await official(t, 'clerk');
    const draft = await clerk.post('/sessions', sessionInput({ startsAt: '2030-03-20T08:00:00+07:00', endsAt: '2030-03-20T10:00:00+07:00' }));
    const draftId = ((await draft.json()) as { session: { id: string } }).session.id;
    const id = await openSession(t, { capacity: 3 });
    const [reference] = await registrations(t, 1);
    assert.equal((await book(t, reference!, id)).status, 201);

    const res = await getJson(`${t.api}/sessions?unit=${UNIT}&from=2030-03-01&to=2030-03-31`);
    const body = (await res.json()) as { items: Record<string, unknown>[] };
    assert.equal(res.status, 200);
    assert.match(res.headers.get('cache-control') ?? '', /public/u);
    assert.deepEqual(body.items.map((s) => s.id), [id]);
    assert.equal(body.items[0]!.placesLeft, 2);
    const text = JSON.stringify(body);
    for (const secret of [reference!, 'Nguyễn Thị Hoa', '912345678', 'booked', 'reason']) assert.ok(!text.includes(secret), `public list leaks ${secret}`);
    assert.equal((await getJson(`${t.api}/sessions/${draftId}`)).status, 404);
    // With a token that may read the schedule, drafts are listed, privately.
    const officialView = await getJson(`${t.api}/sessions?unit=${UNIT}&from=2030-03-01&to=2030-03-31`, clerk.bearer);
    assert.equal(((await officialView.json()) as { items: unknown[] }).items.length, 2);
    assert.match(officialView.headers.get('cache-control') ?? '', /no-store/u);
  });

  test('edit: capacity not below bookings; a finished state refuses changes; every change bumps the sequence', async () => {
    const clerk = await official(t, 'clerk');
    const id = await openSession(t, { capacity: 2, startsAt: '2030-04-01T08:00:00+07:00', endsAt: '2030-04-01T10:00:00+07:00' });
    const [a, b] = await registrations(t, 2);
    await book(t, a!, id);
    await book(t, b!, id);
    const low = await clerk.patch(`/sessions/${id}`, { capacity: 1 });
    assert.equal(low.status, 422);
    assert.equal(((await low.json()) as ErrorShape).error.fields![0]!.path, 'capacity');
    const ok = await clerk.patch(`/sessions/${id}`, { capacity: 5, venue: 'Hội trường B' });
    const edited = (await ok.json()) as { session: { capacity: number; venue: string; sequence: number; placesLeft: number } };
    assert.equal(ok.status, 200, JSON.stringify(edited));
    assert.deepEqual([edited.session.capacity, edited.session.venue, edited.session.placesLeft, edited.session.sequence], [5, 'Hội trường B', 3, 2]);
    const cancelled = await clerk.post(`/sessions/${id}/cancel`, { reason: 'Chủ tịch đi công tác', notice: { vi: 'Buổi tiếp được hủy.' } });
    assert.equal(cancelled.status, 200);
    assert.equal((await clerk.patch(`/sessions/${id}`, { venue: 'X' })).status, 409);
    assert.equal((await clerk.post(`/sessions/${id}/publish`)).status, 409);
  });

  test('bad session input → 422 naming each field, nothing stored; the server stays up', async () => {
    const clerk = await official(t, 'clerk');
    const before = countRows(t.db, 'sessions');
    const cases: [unknown, string[]][] = [
      [sessionInput({ endsAt: '2030-03-15T07:00:00+07:00' }), ['endsAt']],
      [sessionInput({ connectionPoints: ['sadec-ubnd', 'mars'] }), ['connectionPoints.1']],
      [sessionInput({ kind: 'unscheduled' }), ['unscheduledReason']],
      [sessionInput({ capacity: 1.5, startsAt: 'tomorrow' }), ['capacity', 'startsAt']],
      [sessionInput({ host: { role: 'chair' } }), ['host.name']],
      [sessionInput({ remoteAllowed: true }), ['remoteAllowed']],
      [sessionInput({ colour: 'red' }), ['colour']],
      [sessionInput({ venue: 'Hội trường\u202E B', host: { role: 'chair', name: '\u200B' } }), ['host.name', 'venue']],
    ];
    for (const [body, paths] of cases) {
      const res = await clerk.post('/sessions', body);
      const error = (await res.json()) as ErrorShape;
      assert.equal(res.status, 422, JSON.stringify(error));
      assert.deepEqual(error.error.fields!.map((f) => f.path).sort(), paths.sort(), JSON.stringify(error));
    }
    const notJson = await fetch(`${t.api}/sessions`, { method: 'POST', headers: { authorization: `Bearer ${clerk.bearer}`, 'content-type': 'application/json' }, body: '{"kind":' });
    assert.equal(notJson.status, 400);
    assert.equal(((await notJson.json()) as ErrorShape).error.code, 'bad_json');
    const cancel = await clerk.post('/sessions/nope/cancel', { reason: 'x', notice: { vi: 'y' } });
    assert.equal(cancel.status, 404);
    const id = await openSession(t);
    const noReason = await clerk.post(`/sessions/${id}/cancel`, { notice: {} });
    assert.deepEqual(((await noReason.json()) as ErrorShape).error.fields!.map((f) => f.path).sort(), ['notice.vi', 'reason']);
    const halfPostpone = await clerk.post(`/sessions/${id}/postpone`, { reason: 'x', notice: { vi: 'y' }, startsAt: '2030-05-01T08:00:00+07:00' });
    assert.equal(((await halfPostpone.json()) as ErrorShape).error.fields![0]!.path, 'endsAt');
    assert.equal(countRows(t.db, 'sessions'), before + 1);
    const after = await getJson(`${t.api}/sessions/${id}`);
    assert.equal(((await after.json()) as { state: string; sequence: number }).state, 'open', 'refused changes changed nothing');
    assert.ok(await healthy(t));
  });
});

describe('official routes × roles', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(async () => {
    await t.close();
    removeDir(t.dataDir);
  });

  test('chair and clerk may manage and invite; official, operator and observer may not; no token → 401; another unit → 403', async () => {
    const routes: { method: 'post' | 'patch' | 'get'; path: (id: string) => string; body?: unknown }[] = [
      { method: 'post', path: () => '/sessions', body: sessionInput() },
      { method: 'patch', path: (id) => `/sessions/${id}`, body: { capacity: 30 } },
      { method: 'post', path: (id) => `/sessions/${id}/close`, body: {} },
      { method: 'post', path: (id) => `/sessions/${id}/publish`, body: {} },
      { method: 'post', path: (id) => `/sessions/${id}/postpone`, body: { reason: 'r', notice: { vi: 'n' } } },
      { method: 'post', path: (id) => `/sessions/${id}/cancel`, body: { reason: 'r', notice: { vi: 'n' } } },
      { method: 'post', path: () => '/series/preview', body: series() },
      { method: 'post', path: () => '/series', body: series() },
      { method: 'get', path: (id) => `/sessions/${id}/bookings` },
      { method: 'post', path: (id) => `/sessions/${id}/invitations`, body: { reference: 'TD-0000-0000', slotAt: '2030-03-15T08:30:00+07:00' } },
    ];
    for (const role of ['chair', 'clerk', 'official', 'operator', 'observer'] as const) {
      const who = await official(t, role);
      const id = await openSession(t);
      for (const route of routes) {
        const res = route.method === 'get' ? await who.get(route.path(id)) : await who[route.method](route.path(id), route.body);
        const label = `${role} ${route.method.toUpperCase()} ${route.path(':id')}`;
        if (role === 'chair' || role === 'clerk') assert.ok(res.status !== 401 && res.status !== 403 && res.status < 500, `${label} → ${res.status} ${await res.text()}`);
        else {
          assert.equal(res.status, 403, label);
          assert.equal(((await res.json()) as ErrorShape).error.code, 'forbidden');
        }
      }
    }
    const id = await openSession(t);
    for (const route of routes) {
      const res = await fetch(`${t.api}${route.path(id)}`, { method: route.method.toUpperCase(), headers: route.body ? { 'content-type': 'application/json' } : {}, body: route.body ? JSON.stringify(route.body) : undefined });
      assert.equal(res.status, 401, `anonymous ${route.path(':id')}`);
    }
    const elsewhere = await official(t, 'chair', OTHER_UNIT);
    assert.equal((await elsewhere.post(`/sessions/${id}/cancel`, { reason: 'r', notice: { vi: 'n' } })).status, 403);
    assert.equal((await elsewhere.post('/sessions', sessionInput())).status, 403);
    assert.equal(((await getJson(`${t.api}/sessions/${id}`)).status), 200, 'the other unit did not cancel it');
  });
});
