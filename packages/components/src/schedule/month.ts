/**
 * Pure calendar helpers for the schedule's month grid: the Monday-first weeks of a month and where each key of
 * the WAI-ARIA APG date grid moves the focus. Dates are Hanoi local dates ("yyyy-mm-dd"), never Date objects,
 * so the browser's own time zone cannot shift a day.
 */
import { addDays, daysInMonth, parseLocalDate, toLocalDate, weekdayOf, type LocalDate } from '@tiepdan/core';

/** "2026-12" of a local date. */
export const monthKey = (date: LocalDate): string => date.slice(0, 7);

import { addMonths } from '@tiepdan/core';

export { addMonths };

/** The weeks (Monday … Sunday) that cover a month; days of the neighbouring months fill the first and last week. */
export function monthWeeks(year: number, month: number): LocalDate[][] {
  const first = toLocalDate(year, month, 1);
  let day = addDays(first, 1 - weekdayOf(first));
  const last = toLocalDate(year, month, daysInMonth(year, month));
  const weeks: LocalDate[][] = [];
  while (day <= last) {
    const week: LocalDate[] = [];
    for (let i = 0; i < 7; i += 1) {
      week.push(day);
      day = addDays(day, 1);
    }
    weeks.push(week);
  }
  return weeks;
}

/**
 * Where a key moves the focused date in the grid (APG date picker): arrows by a day or a week, Home/End to the
 * week's Monday/Sunday, PageUp/PageDown by a month, with Shift by a year. Undefined for any other key.
 */
export function moveDate(date: LocalDate, key: string, shiftKey = false): LocalDate | undefined {
  switch (key) {
    case 'ArrowLeft': return addDays(date, -1);
    case 'ArrowRight': return addDays(date, 1);
    case 'ArrowUp': return addDays(date, -7);
    case 'ArrowDown': return addDays(date, 7);
    case 'Home': return addDays(date, 1 - weekdayOf(date));
    case 'End': return addDays(date, 7 - weekdayOf(date));
    case 'PageUp': return addMonths(date, shiftKey ? -12 : -1);
    case 'PageDown': return addMonths(date, shiftKey ? 12 : 1);
    default: return undefined;
  }
}
