import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  DEFAULT_WORKING_WEEKDAYS,
  expand,
  frequencyWarnings,
  hanoiToUtc,
  isWorkingDay,
  utcToHanoiDate,
  weekdayOf,
  type RecurrenceRule,
  type WorkingCalendar,
} from '../src/schedule/index.js';

// Public holidays of 2027 as a deployment would configure them; Tết (lunar new year) given as solar dates.
const calendar: WorkingCalendar = {
  workingWeekdays: DEFAULT_WORKING_WEEKDAYS,
  holidays: ['2027-01-01', '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12', '2027-04-16', '2027-04-30', '2027-05-01', '2027-09-02', '2027-09-03'],
};

test('day 15 of each month, a holiday or weekend moves to the next working day', () => {
  const rule: RecurrenceRule = { pattern: { type: 'monthly-day', day: 15 }, shift: 'next-working-day' };
  const dates = expand(rule, calendar, '2027-01-01', '2027-06-30');
  // 15/05/2027 is a Saturday → Monday 17/05.
  assert.deepEqual(dates, ['2027-01-15', '2027-02-15', '2027-03-15', '2027-04-15', '2027-05-17', '2027-06-15']);
});

test('previous-working-day and skip', () => {
  const prev = expand({ pattern: { type: 'monthly-day', day: 1 }, shift: 'previous-working-day' }, calendar, '2026-12-01', '2027-05-31');
  assert.ok(prev.includes('2026-12-31'), '01/01/2027 is a holiday → 31/12/2026');
  assert.ok(prev.includes('2027-04-29'), '01/05/2027 (Saturday, holiday) → Thursday 29/04 because 30/04 is a holiday too');
  const skip = expand({ pattern: { type: 'monthly-day', day: 1 }, shift: 'skip' }, calendar, '2027-01-01', '2027-05-31');
  assert.deepEqual(skip, ['2027-02-01', '2027-03-01', '2027-04-01']);
});

test('the third Tuesday and the last Friday of each month', () => {
  const third = expand({ pattern: { type: 'monthly-weekday', nth: 3, weekday: 2 }, shift: 'next-working-day' }, calendar, '2027-01-01', '2027-03-31');
  assert.deepEqual(third, ['2027-01-19', '2027-02-16', '2027-03-16']);
  const last = expand({ pattern: { type: 'monthly-weekday', nth: -1, weekday: 5 }, shift: 'next-working-day' }, calendar, '2027-04-01', '2027-04-30');
  // Friday 30/04 is a holiday and Saturday–Sunday follow: Monday 03/05 lies outside April's range.
  assert.deepEqual(last, []);
});

test('a day 31 rule uses the last day of short months', () => {
  const dates = expand({ pattern: { type: 'monthly-day', day: 31 }, shift: 'previous-working-day' }, calendar, '2027-02-01', '2027-02-28');
  assert.deepEqual(dates, ['2027-02-26'], '28/02/2027 is a Sunday');
});

const arbCalendar = fc.record({
  holidays: fc.uniqueArray(fc.date({ min: new Date('2026-01-01'), max: new Date('2028-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), { maxLength: 40 }),
  workingWeekdays: fc.constant(DEFAULT_WORKING_WEEKDAYS),
});
const arbRule = fc.record({
  pattern: fc.oneof(
    fc.record({ type: fc.constant('monthly-day' as const), day: fc.integer({ min: 1, max: 31 }) }),
    fc.record({ type: fc.constant('monthly-weekday' as const), nth: fc.constantFrom(1, 2, 3, 4, -1 as const), weekday: fc.constantFrom(1, 2, 3, 4, 5 as const) }),
    fc.record({ type: fc.constant('weekly' as const), weekdays: fc.uniqueArray(fc.constantFrom(1, 2, 3, 4, 5, 6, 7 as const), { minLength: 1, maxLength: 3 }) }),
  ),
  shift: fc.constantFrom('next-working-day' as const, 'previous-working-day' as const, 'skip' as const),
});

test('property: never on a holiday or a non-working day, never twice in a day, sorted and in range', () => {
  fc.assert(
    fc.property(arbRule, arbCalendar, (rule, cal) => {
      const dates = expand(rule as RecurrenceRule, cal, '2027-01-01', '2027-12-31');
      for (const date of dates) {
        assert.ok(isWorkingDay(date, cal), `${date} is not a working day`);
        assert.ok(!cal.holidays.includes(date));
        assert.ok(weekdayOf(date) <= 5);
        assert.ok(date >= '2027-01-01' && date <= '2027-12-31');
      }
      assert.deepEqual(dates, [...new Set(dates)].sort());
    }),
    { numRuns: 300 },
  );
});

test('property: with no holidays, a monthly-day rule on working days gives one date per month', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 28 }), (day) => {
      const dates = expand({ pattern: { type: 'monthly-day', day }, shift: 'next-working-day' }, { holidays: [], workingWeekdays: DEFAULT_WORKING_WEEKDAYS }, '2027-01-01', '2027-12-31');
      // A shift can carry December's date into January; within the year each month has at most one.
      const months = dates.map((d) => d.slice(0, 7));
      assert.ok(months.length >= 11 && months.length <= 12, `${months.length}`);
    }),
  );
});

test('allowSameDay keeps two occurrences shifted onto one day', () => {
  const rule: RecurrenceRule = { pattern: { type: 'weekly', weekdays: [1, 2] }, shift: 'next-working-day' };
  const holidayMonday: WorkingCalendar = { holidays: ['2027-03-08'], workingWeekdays: DEFAULT_WORKING_WEEKDAYS };
  assert.deepEqual(expand(rule, holidayMonday, '2027-03-08', '2027-03-09'), ['2027-03-09']);
  assert.deepEqual(expand({ ...rule, allowSameDay: true }, holidayMonday, '2027-03-08', '2027-03-09'), ['2027-03-09', '2027-03-09']);
});

test('minimum frequencies: a ward chair needs 2 days a month from 01/07/2026', () => {
  const monthly = expand({ pattern: { type: 'monthly-day', day: 15 }, shift: 'next-working-day' }, calendar, '2027-01-01', '2027-03-31');
  const warnings = frequencyWarnings('commune', monthly, '2027-01-01', '2027-03-31');
  assert.deepEqual(warnings.map((w) => `${w.period}:${w.found}/${w.required}`), ['2027-01:1/2', '2027-02:1/2', '2027-03:1/2']);
  assert.match(warnings[0]!.message.vi, /tối thiểu 2/u);
  const twice = expand({ pattern: { type: 'monthly-weekday', nth: 1, weekday: 3 }, shift: 'next-working-day' }, calendar, '2027-01-01', '2027-03-31');
  assert.deepEqual(frequencyWarnings('commune', [...monthly, ...twice], '2027-01-01', '2027-03-31'), []);
  assert.deepEqual(frequencyWarnings('province', monthly, '2027-01-01', '2027-03-31'), []);
});

test('Hanoi local times map to UTC with the fixed +7 offset, both ways', () => {
  assert.equal(hanoiToUtc('2027-01-15', '07:30'), '2027-01-15T00:30:00.000Z');
  assert.equal(hanoiToUtc('2027-01-15', '06:00'), '2027-01-14T23:00:00.000Z');
  assert.equal(utcToHanoiDate('2027-01-14T23:00:00.000Z'), '2027-01-15');
});
