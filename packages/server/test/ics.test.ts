/**
 * Calendars, parsed with ical.js (a real iCalendar parser), not compared as strings: the unit's feed and the
 * per-booking file, with stable UIDs, SEQUENCE that grows on every change, TZID Asia/Ho_Chi_Minh with its
 * VTIMEZONE, and METHOD:CANCEL + STATUS:CANCELLED once cancelled.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ICAL from 'ical.js';
import { addDays, hanoiToUtc, utcToHanoiDate } from '@tiepdan/core';
import { postJson, removeDir, startServer, UNIT, type TestServer } from './helpers.js';
import { book, official, openSession, registrations, sessionInput, PHONE } from './schedule-helpers.js';

function parse(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  return {
    method: calendar.getFirstPropertyValue('method'),
    zones: calendar.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid')),
    events: calendar.getAllSubcomponents('vevent').map((e) => {
      const start = e.getFirstProperty('dtstart')!;
      const event = new ICAL.Event(e);
      return {
        uid: event.uid,
        sequence: event.sequence,
        status: e.getFirstPropertyValue('status'),
        tzid: start.getParameter('tzid'),
        start: (start.getFirstValue() as ICAL.Time).toString(),
        location: event.location,
      };
    }),
  };
}

describe('ICS', () => {
  let t: TestServer;
  // A date two months ahead, in range of the feed whatever day the tests run.
  const day = addDays(utcToHanoiDate(new Date()), 60);
  const times = { startsAt: hanoiToUtc(day, '08:00'), endsAt: hanoiToUtc(day, '11:00') };
  before(async () => {
    t = await startServer();
  });
  after(async () => {
    await t.close();
    removeDir(t.dataDir);
  });

  test('unit feed: published sessions with stable UIDs, Hanoi TZID and VTIMEZONE; cancelled → STATUS:CANCELLED, SEQUENCE up', async () => {
    const id = await openSession(t, times);
    const clerk = await official(t, 'clerk');
    await clerk.post('/sessions', sessionInput(times)); // a draft is not in the feed
    const first = await fetch(`${t.api}/units/${UNIT}/schedule.ics`);
    assert.equal(first.status, 200);
    assert.match(first.headers.get('content-type') ?? '', /^text\/calendar/u);
    const feed = parse(await first.text());
    assert.equal(feed.method, 'PUBLISH');
    assert.deepEqual(feed.zones, ['Asia/Ho_Chi_Minh']);
    assert.equal(feed.events.length, 1);
    const event = feed.events[0]!;
    assert.equal(event.uid, `session-${id}@tiepdan`);
    assert.equal(event.tzid, 'Asia/Ho_Chi_Minh');
    assert.equal(event.start, `${day}T08:00:00`, 'wall time in Hanoi, whatever the server zone');
    assert.equal(event.status, 'CONFIRMED');

    await clerk.patch(`/sessions/${id}`, { venue: 'Hội trường tầng 2' });
    await clerk.post(`/sessions/${id}/cancel`, { reason: 'r', notice: { vi: 'Hủy' } });
    const later = parse(await (await fetch(`${t.api}/units/${UNIT}/schedule.ics`)).text()).events[0]!;
    assert.equal(later.uid, event.uid, 'the UID does not change');
    assert.equal(later.sequence, event.sequence + 2);
    assert.equal(later.status, 'CANCELLED');
    assert.equal(later.location, 'Hội trường tầng 2');
    assert.equal((await fetch(`${t.api}/units/nowhere/schedule.ics`)).status, 404);
  });

  test('per-booking calendar by reference + phone: PUBLISH while booked, CANCEL once the session is cancelled', async () => {
    const id = await openSession(t, times);
    const [reference] = await registrations(t, 1);
    await book(t, reference!, id);
    const booked = await postJson(`${t.api}/bookings/calendar`, { reference, phone: PHONE });
    assert.equal(booked.status, 200);
    const before = parse(await booked.text());
    assert.equal(before.method, 'PUBLISH');
    assert.equal(before.events[0]!.uid, `session-${id}@tiepdan`);
    assert.deepEqual(before.zones, ['Asia/Ho_Chi_Minh']);

    const clerk = await official(t, 'chair');
    await clerk.post(`/sessions/${id}/postpone`, { reason: 'r', notice: { vi: 'Hoãn' }, startsAt: hanoiToUtc(addDays(day, 7), '14:00'), endsAt: hanoiToUtc(addDays(day, 7), '16:00') });
    const moved = parse(await (await postJson(`${t.api}/bookings/calendar`, { reference, phone: PHONE })).text()).events[0]!;
    assert.equal(moved.start, `${addDays(day, 7)}T14:00:00`);
    assert.ok(moved.sequence > before.events[0]!.sequence);

    await clerk.post(`/sessions/${id}/cancel`, { reason: 'r', notice: { vi: 'Hủy' } });
    const after = parse(await (await postJson(`${t.api}/bookings/calendar`, { reference, phone: PHONE })).text());
    assert.equal(after.method, 'CANCEL');
    assert.equal(after.events[0]!.status, 'CANCELLED');
    assert.equal(after.events[0]!.uid, `session-${id}@tiepdan`);
    assert.ok(after.events[0]!.sequence > moved.sequence);
    assert.equal((await postJson(`${t.api}/bookings/calendar`, { reference, phone: '0987654321' })).status, 404);
  });

  test('a booking the citizen cancelled → METHOD:CANCEL', async () => {
    const id = await openSession(t, times);
    const [reference] = await registrations(t, 1);
    await book(t, reference!, id);
    await postJson(`${t.api}/bookings/cancel`, { reference, phone: PHONE });
    const calendar = parse(await (await postJson(`${t.api}/bookings/calendar`, { reference, phone: PHONE })).text());
    assert.deepEqual([calendar.method, calendar.events[0]!.status], ['CANCEL', 'CANCELLED']);
  });
});

