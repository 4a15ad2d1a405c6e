/**
 * Periodic reception schedules (SPEC §2 step 1): "day N of each month", "the Nth weekday of each month",
 * "every week on …". A date that falls on a holiday or a non-working day moves by the configured rule (next
 * working day, previous working day, or skip). Holidays are configuration: a list of dates per year, lunar
 * holidays such as Tết already converted to solar dates by whoever publishes the list.
 *
 * `expand` is pure: the same rule, calendar and range always give the same dates.
 */
import { addDays, daysInMonth, parseLocalDate, toLocalDate, weekdayOf, type LocalDate, type Weekday } from './calendar.js';

export type RecurrencePattern =
  /** Day N of each month; a month without day N (31 in April) uses its last day. */
  | { type: 'monthly-day'; day: number }
  /** The Nth weekday of each month; nth -1 is the last. */
  | { type: 'monthly-weekday'; nth: 1 | 2 | 3 | 4 | 5 | -1; weekday: Weekday }
  | { type: 'weekly'; weekdays: Weekday[] };

export type HolidayShift = 'next-working-day' | 'previous-working-day' | 'skip';

export interface WorkingCalendar {
  /** Dates on which no reception is held (public holidays, Tết, compensatory days off). */
  holidays: LocalDate[];
  /** Working weekdays; Vietnamese state bodies work Monday to Friday. */
  workingWeekdays: Weekday[];
  /** Extra working days (a Saturday worked to compensate a bridge holiday). */
  workingDays?: LocalDate[];
}

export interface RecurrenceRule {
  pattern: RecurrencePattern;
  shift: HolidayShift;
  /** Two occurrences may land on one day after shifting; allowed only when asked. */
  allowSameDay?: boolean;
}

export const DEFAULT_WORKING_WEEKDAYS: Weekday[] = [1, 2, 3, 4, 5];

export function isWorkingDay(date: LocalDate, calendar: WorkingCalendar): boolean {
  if (calendar.workingDays?.includes(date)) return true;
  return calendar.workingWeekdays.includes(weekdayOf(date)) && !calendar.holidays.includes(date);
}

/** Where an occurrence actually takes place after the holiday rule; undefined when skipped. */
export function shiftDate(date: LocalDate, shift: HolidayShift, calendar: WorkingCalendar): LocalDate | undefined {
  if (isWorkingDay(date, calendar)) return date;
  if (shift === 'skip') return undefined;
  const step = shift === 'next-working-day' ? 1 : -1;
  let candidate = date;
  // Tết can close two weeks; 60 days bounds a calendar that (wrongly) has no working day at all.
  for (let i = 0; i < 60; i += 1) {
    candidate = addDays(candidate, step);
    if (isWorkingDay(candidate, calendar)) return candidate;
  }
  return undefined;
}

/** The nominal dates of a pattern in one month, before holiday shifts. */
function nominalInMonth(pattern: RecurrencePattern, year: number, month: number): LocalDate[] {
  const last = daysInMonth(year, month);
  switch (pattern.type) {
    case 'monthly-day':
      return [toLocalDate(year, month, Math.min(pattern.day, last))];
    case 'monthly-weekday': {
      const matches: LocalDate[] = [];
      for (let day = 1; day <= last; day += 1) {
        const date = toLocalDate(year, month, day);
        if (weekdayOf(date) === pattern.weekday) matches.push(date);
      }
      const pick = pattern.nth === -1 ? matches[matches.length - 1] : matches[pattern.nth - 1];
      return pick ? [pick] : [];
    }
    case 'weekly': {
      const dates: LocalDate[] = [];
      for (let day = 1; day <= last; day += 1) {
        const date = toLocalDate(year, month, day);
        if (pattern.weekdays.includes(weekdayOf(date))) dates.push(date);
      }
      return dates;
    }
  }
}

/**
 * Occurrences of a rule whose actual dates fall in [from, to] (inclusive local dates), sorted, after holiday
 * shifts. Months around the range are looked at too, since a shift can carry a date across a month boundary.
 */
export function expand(rule: RecurrenceRule, calendar: WorkingCalendar, from: LocalDate, to: LocalDate): LocalDate[] {
  const start = parseLocalDate(from);
  const end = parseLocalDate(to);
  const out: LocalDate[] = [];
  let year = start.year;
  let month = start.month - 1;
  if (month === 0) { month = 12; year -= 1; }
  const stopIndex = end.year * 12 + end.month + 1;
  while (year * 12 + month <= stopIndex) {
    for (const nominal of nominalInMonth(rule.pattern, year, month)) {
      const actual = shiftDate(nominal, rule.shift, calendar);
      if (actual && actual >= from && actual <= to) out.push(actual);
    }
    month += 1;
    if (month === 13) { month = 1; year += 1; }
  }
  out.sort();
  return rule.allowSameDay ? out : out.filter((date, i) => i === 0 || out[i - 1] !== date);
}
