/**
 * Calendar arithmetic on plain local dates ("yyyy-mm-dd" in Hanoi), the unit in which reception schedules are
 * written ("the 15th of each month", "the third Tuesday"). Hanoi has no daylight saving (UTC+7 all year), so a
 * local date and time maps to one UTC instant by a fixed offset; we still go through one function for it.
 */
export type LocalDate = string;

/** ISO weekday: 1 = Monday … 7 = Sunday (Vietnamese weeks start on Monday: Thứ Hai). */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

const HANOI_OFFSET_MINUTES = 7 * 60;

export function toLocalDate(year: number, month: number, day: number): LocalDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function parseLocalDate(date: LocalDate): { year: number; month: number; day: number } {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return { year, month, day };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function weekdayOf(date: LocalDate): Weekday {
  const { year, month, day } = parseLocalDate(date);
  const js = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return (js === 0 ? 7 : js) as Weekday;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const { year, month, day } = parseLocalDate(date);
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return toLocalDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** The same day N months later, clamped to the target month's length (31/01 + 1 month → 28/02 or 29/02). */
export function addMonths(date: LocalDate, months: number): LocalDate {
  const { year, month, day } = parseLocalDate(date);
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return toLocalDate(y, m, Math.min(day, daysInMonth(y, m)));
}

/** "2026-12-15" + "08:00" in Hanoi → the UTC instant as an ISO string. */
export function hanoiToUtc(date: LocalDate, time: string): string {
  const { year, month, day } = parseLocalDate(date);
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return new Date(Date.UTC(year, month - 1, day, hours, minutes) - HANOI_OFFSET_MINUTES * 60_000).toISOString();
}

/** The Hanoi calendar date of a UTC instant. */
export function utcToHanoiDate(instant: string | Date): LocalDate {
  const d = new Date(new Date(instant).getTime() + HANOI_OFFSET_MINUTES * 60_000);
  return toLocalDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}
