/**
 * The periodic series' views as zod schemas, with their types inferred (issue 14): the response schemas of
 * POST /series/preview and POST /series (routes in api/schedule-types.ts) and the types `<tiepdan-schedule-editor>`
 * reads. Shapes only (api/view-parts.ts): the request's rules are checked on the way in.
 */
import * as z from 'zod/mini';
import { FrequencyWarningSchema, OfficialSessionSchema } from './session-views.js';

z.config({ jitless: true });

const weekday = z.literal([1, 2, 3, 4, 5, 6, 7]);

/** schedule/recurrence.ts RecurrenceRule, as a series answers it. */
export const RecurrenceRuleSchema = z.object({
  pattern: z.union([
    z.object({ type: z.literal('monthly-day'), day: z.number() }),
    z.object({ type: z.literal('monthly-weekday'), nth: z.literal([1, 2, 3, 4, 5, -1]), weekday }),
    z.object({ type: z.literal('weekly'), weekdays: z.array(weekday) }),
  ]),
  shift: z.enum(['next-working-day', 'previous-working-day', 'skip']),
  /** Two occurrences may land on one day after shifting; allowed only when asked. */
  allowSameDay: z.optional(z.boolean()),
});

export const SeriesOccurrenceSchema = z.object({
  /** Where the session takes place, after the holiday rule (a Hanoi date). */
  date: z.string(),
  /** The date the pattern names; differs from `date` when a holiday or weekend moved it. */
  nominal: z.string(),
  shifted: z.boolean(),
  startsAt: z.string(),
  endsAt: z.string(),
});
export type SeriesOccurrence = z.infer<typeof SeriesOccurrenceSchema>;

/** POST /series/preview */
export const SeriesPreviewSchema = z.object({
  from: z.string(),
  to: z.string(),
  occurrences: z.array(SeriesOccurrenceSchema),
  /** Counting the unit's other chair-hosted sessions at this level that are not cancelled. */
  warnings: z.array(FrequencyWarningSchema),
});
export type SeriesPreview = z.infer<typeof SeriesPreviewSchema>;

export const SeriesViewSchema = z.object({
  id: z.string(),
  unit: z.string(),
  rule: RecurrenceRuleSchema,
  /** Hanoi wall-clock times, "HH:mm". */
  startTime: z.string(),
  endTime: z.string(),
  from: z.string(),
  to: z.string(),
  createdAt: z.string(),
});
export type Series = z.infer<typeof SeriesViewSchema>;

/** POST /series (201) */
export const SeriesCreateResponseSchema = z.object({
  series: SeriesViewSchema,
  /** One per occurrence, each with `seriesId`. */
  sessions: z.array(OfficialSessionSchema),
  warnings: z.array(FrequencyWarningSchema),
});
export type SeriesCreateResponse = z.infer<typeof SeriesCreateResponseSchema>;
