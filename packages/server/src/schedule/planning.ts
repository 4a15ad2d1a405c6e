/**
 * The schedule's calendar sums: the working calendar from the configuration (holidays and extra working days
 * per year), a series' occurrences with the date each was moved from, and the legal-frequency warnings for a
 * range, counted over whole months and whole ISO weeks so a range that starts mid-week does not warn falsely.
 */
import {
  DEFAULT_WORKING_WEEKDAYS,
  addDays,
  daysInMonth,
  expand,
  frequencyWarnings,
  hanoiToUtc,
  parseLocalDate,
  shiftDate,
  toLocalDate,
  utcToHanoiDate,
  weekdayOf,
  type FrequencyRule,
  type FrequencyWarning,
  type LocalDate,
  type OfficialSession,
  type ReceptionLevel,
  type RecurrenceRule,
  type SeriesOccurrence,
  type Weekday,
  type WorkingCalendar,
} from '@tiepdan/core';
import type { Config } from '../config/schema.js';

export function workingCalendar(config: Config): WorkingCalendar {
  const weekdays = config.schedule.workingWeekdays as Weekday[];
  return {
    holidays: Object.values(config.holidays).flat(),
    workingDays: Object.values(config.workingDays).flat(),
    workingWeekdays: weekdays.length ? weekdays : DEFAULT_WORKING_WEEKDAYS,
  };
}

/** Every day counts as working: `expand` then returns the pattern's own (nominal) dates. */
const NO_HOLIDAYS: WorkingCalendar = { holidays: [], workingWeekdays: [1, 2, 3, 4, 5, 6, 7] };
/** shiftDate looks at most 60 days away. */
const SHIFT_REACH_DAYS = 61;

/**
 * The occurrences of a rule in [from, to] after holiday shifts, each with its nominal date. Gives the same
 * dates as core's `expand` (tested), which stays the one definition of the rule.
 */
export function occurrences(rule: RecurrenceRule, calendar: WorkingCalendar, from: LocalDate, to: LocalDate, startTime: string, endTime: string): SeriesOccurrence[] {
  const nominals = expand({ pattern: rule.pattern, shift: 'skip', allowSameDay: true }, NO_HOLIDAYS, addDays(from, -SHIFT_REACH_DAYS), addDays(to, SHIFT_REACH_DAYS));
  const out: SeriesOccurrence[] = [];
  for (const nominal of nominals) {
    const date = shiftDate(nominal, rule.shift, calendar);
    if (!date || date < from || date > to) continue;
    if (!rule.allowSameDay && out.some((o) => o.date === date)) continue;
    out.push({ date, nominal, shifted: date !== nominal, startsAt: hanoiToUtc(date, startTime), endsAt: hanoiToUtc(date, endTime) });
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** Sessions that count towards the head's legal minimum: hosted by the chair, at this level, not called off. */
export function countedDates(sessions: readonly OfficialSession[], level: ReceptionLevel): LocalDate[] {
  return sessions
    .filter((s) => s.level === level && s.host.role === 'chair' && s.publishedAt !== undefined && s.state !== 'cancelled' && s.state !== 'postponed')
    .map((s) => utcToHanoiDate(s.startsAt));
}

/** The range to load sessions for, so that `warningsFor` sees whole months and whole weeks around [from, to]. */
export function warningRange(from: LocalDate, to: LocalDate): { from: LocalDate; to: LocalDate } {
  const { year: fy, month: fm } = parseLocalDate(from);
  const { year: ty, month: tm } = parseLocalDate(to);
  const monthFrom = toLocalDate(fy, fm, 1);
  const monthTo = toLocalDate(ty, tm, daysInMonth(ty, tm));
  const weekFrom = addDays(from, 1 - weekdayOf(from));
  const weekTo = addDays(to, 7 - weekdayOf(to));
  return { from: monthFrom < weekFrom ? monthFrom : weekFrom, to: monthTo > weekTo ? monthTo : weekTo };
}

export function warningsFor(level: ReceptionLevel, dates: LocalDate[], from: LocalDate, to: LocalDate, rules: FrequencyRule[]): FrequencyWarning[] {
  const { year: fy, month: fm } = parseLocalDate(from);
  const { year: ty, month: tm } = parseLocalDate(to);
  const months = frequencyWarnings(level, dates, toLocalDate(fy, fm, 1), toLocalDate(ty, tm, daysInMonth(ty, tm)), rules).filter((w) => !w.period.includes('W'));
  const weeks = frequencyWarnings(level, dates, addDays(from, 1 - weekdayOf(from)), addDays(to, 7 - weekdayOf(to)), rules).filter((w) => w.period.includes('W'));
  return [...months, ...weeks].sort((a, b) => (a.period < b.period ? -1 : 1));
}

/** UTC bounds of whole Hanoi days [from, to]. */
export function utcBounds(from: LocalDate, to: LocalDate): { fromUtc: string; toUtc: string } {
  return { fromUtc: hanoiToUtc(from, '00:00'), toUtc: hanoiToUtc(addDays(to, 1), '00:00') };
}

export function todayInHanoi(now = new Date()): LocalDate {
  return utcToHanoiDate(now);
}

import { addMonths } from '@tiepdan/core';

export { addMonths };
