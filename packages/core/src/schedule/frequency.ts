/**
 * Legal minimum frequencies of the head's periodic receptions (SPEC §2): a province chair at least 1 day a month;
 * a commune or ward chair at least 2 days a month from 01/07/2026, at least 1 day a week before. Law changes, so
 * the periods are configuration; publishing a schedule below the minimum warns the official, it does not block.
 */
import type { FrequencyWarning } from '../api/session-views.js';
import { parseLocalDate, type LocalDate } from './calendar.js';

export type ReceptionLevel = 'commune' | 'province' | 'central';

export interface FrequencyRule {
  level: ReceptionLevel;
  /** First day the rule applies (inclusive). */
  from: LocalDate;
  per: 'month' | 'week';
  min: number;
}

export const DEFAULT_FREQUENCY_RULES: FrequencyRule[] = [
  { level: 'province', from: '2000-01-01', per: 'month', min: 1 },
  { level: 'commune', from: '2000-01-01', per: 'week', min: 1 },
  { level: 'commune', from: '2026-07-01', per: 'month', min: 2 },
];

// The warning is part of the API's session views, where its schema is (api/session-views.ts).
export type { FrequencyWarning };

function ruleFor(level: ReceptionLevel, date: LocalDate, rules: FrequencyRule[]): FrequencyRule | undefined {
  return rules.filter((r) => r.level === level && r.from <= date).sort((a, b) => (a.from < b.from ? 1 : -1))[0];
}

/** ISO week key "2026-W05" of a local date. */
function isoWeek(date: LocalDate): string {
  const { year, month, day } = parseLocalDate(date);
  const d = new Date(Date.UTC(year, month - 1, day));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/**
 * Periods (months or ISO weeks) between `from` and `to` with fewer reception days than the rule in force.
 * `dates` are the schedule's local dates; several sessions on one day count as one day.
 */
export function frequencyWarnings(
  level: ReceptionLevel,
  dates: LocalDate[],
  from: LocalDate,
  to: LocalDate,
  rules: FrequencyRule[] = DEFAULT_FREQUENCY_RULES,
): FrequencyWarning[] {
  const days = new Set(dates);
  const periods = new Map<string, { required: number; found: Set<LocalDate> }>();
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    const date = d.toISOString().slice(0, 10);
    const rule = ruleFor(level, date, rules);
    if (!rule) continue;
    const key = rule.per === 'month' ? date.slice(0, 7) : isoWeek(date);
    const period = periods.get(key) ?? { required: rule.min, found: new Set<LocalDate>() };
    if (days.has(date)) period.found.add(date);
    periods.set(key, period);
  }
  return [...periods.entries()]
    .filter(([, p]) => p.found.size < p.required)
    .map(([period, p]) => ({
      period,
      found: p.found.size,
      required: p.required,
      message: {
        vi: `Kỳ ${period}: có ${p.found.size} ngày tiếp, quy định tối thiểu ${p.required} ngày.`,
        en: `Period ${period}: ${p.found.size} reception day(s), the legal minimum is ${p.required}.`,
      },
    }));
}
