/**
 * The schedule's request bodies, checked at the edge. Every refusal names its fields (`fields[].path`) with a
 * code from core's bilingual FIELD_MESSAGES; checks that need the deployment (units, connection points, whether
 * remote attendance is allowed) come after the shape, so one answer lists every problem.
 */
import * as z from 'zod';
import { omit, partial } from 'zod/mini';
import {
  ReceptionSessionInputSchema,
  fieldError,
  isRealIsoDate,
  ISSUE_PARSE_OPTIONS,
  issuesToFieldErrors,
  type FieldError,
  type ReceptionSessionInput,
} from '@tiepdan/core';
import type { Config, UnitConfig } from '../config/schema.js';
import { invalid, parseWith } from '../http/validation.js';

export { invalid };

/** Parses a body with a schema or throws 422 naming every bad field (an absent body is checked as `{}`). */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  return parseWith(schema, body ?? {});
}

const localDate = z.string({ error: 'date' }).refine(isRealIsoDate, { error: 'date' });
const hhmm = z.string({ error: 'time' }).regex(/^([01]\d|2[0-3]):[0-5]\d$/u, { error: 'time' });
const instant = z.iso.datetime({ offset: true, error: 'date' });

export const NoticeTextSchema = z.strictObject({
  vi: z.string({ error: 'required' }).trim().min(1, { error: 'required' }).max(2000, { error: 'too_long' }),
  en: z.string({ error: 'invalid_type' }).trim().max(2000, { error: 'too_long' }).optional(),
});

export const CancelSchema = z.strictObject({
  reason: z.string({ error: 'reason' }).trim().min(1, { error: 'reason' }).max(2000, { error: 'too_long' }),
  notice: NoticeTextSchema,
});

export const PostponeSchema = CancelSchema.extend({ startsAt: instant.optional(), endsAt: instant.optional() });

export const EmptySchema = z.strictObject({});

/** A session's id in the path: any text, the store answers 404 for one that is not. */
export const IdParams = z.strictObject({ id: z.string() });

/** A PATCH names only the facts it changes (not the unit); the merged session is then checked as a whole. */
export const SessionPatchSchema = partial(omit(ReceptionSessionInputSchema, { unit: true }));

const weekday = z.int({ error: 'invalid' }).min(1, { error: 'invalid' }).max(7, { error: 'invalid' });
export const RuleSchema = z.strictObject({
  pattern: z.discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('monthly-day'), day: z.int({ error: 'invalid' }).min(1, { error: 'invalid' }).max(31, { error: 'invalid' }) }),
      z.strictObject({
        type: z.literal('monthly-weekday'),
        nth: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(-1)], { error: 'choose_one' }),
        weekday,
      }),
      z.strictObject({ type: z.literal('weekly'), weekdays: z.array(weekday).min(1, { error: 'required' }).max(7, { error: 'invalid' }) }),
    ],
    { error: 'choose_one' },
  ),
  shift: z.enum(['next-working-day', 'previous-working-day', 'skip'], { error: 'choose_one' }),
  allowSameDay: z.boolean({ error: 'invalid' }).optional(),
});

export const SeriesSchema = z.strictObject({
  template: z.unknown(),
  rule: RuleSchema,
  startTime: hhmm,
  endTime: hhmm,
  from: localDate,
  to: localDate.optional(),
  publish: z.boolean({ error: 'invalid' }).optional(),
});
export type SeriesInput = Omit<z.infer<typeof SeriesSchema>, 'template'> & { template: Omit<ReceptionSessionInput, 'kind' | 'unscheduledReason' | 'startsAt' | 'endsAt'> };

export const BookingSchema = z.strictObject({
  reference: z.string({ error: 'reference' }).max(40, { error: 'reference' }),
  phone: z.string({ error: 'phone' }).max(40, { error: 'phone' }),
  sessionId: z.string({ error: 'required' }).regex(/^[A-Za-z0-9_.-]{1,64}$/u, { error: 'invalid' }),
});
export const BookingKeySchema = BookingSchema.omit({ sessionId: true });

export const InvitationSchema = z.strictObject({
  reference: z.string({ error: 'reference' }).max(40, { error: 'reference' }),
  slotAt: instant,
  attendance: z
    .strictObject({
      mode: z.enum(['connection_point', 'remote'], { error: 'attendance' }),
      connectionPoint: z.string({ error: 'connection_point' }).regex(/^[A-Za-z0-9_.-]{1,64}$/u, { error: 'connection_point' }).optional(),
    })
    .optional(),
  publicNote: z.string({ error: 'invalid_type' }).trim().max(2000, { error: 'too_long' }).optional(),
});

export const NoticesQuerySchema = z.strictObject({ reference: z.string({ error: 'reference' }).max(40, { error: 'reference' }).optional() });

export const ListQuerySchema = z.strictObject({
  unit: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/u, { error: 'invalid' }).optional(),
  from: localDate.optional(),
  to: localDate.optional(),
  state: z.enum(['planned', 'open', 'closed', 'in_progress', 'ended', 'cancelled', 'postponed'], { error: 'choose_one' }).optional(),
});

/** A whole session: core's schema, then what only this deployment knows. Times come back as UTC. */
export function checkSessionInput(body: unknown, config: Config): { input: ReceptionSessionInput; unit: UnitConfig } {
  const parsed = ReceptionSessionInputSchema.safeParse(body ?? {}, ISSUE_PARSE_OPTIONS);
  const fields = parsed.success ? [] : issuesToFieldErrors(parsed.error.issues);
  const raw = (body ?? {}) as Partial<ReceptionSessionInput>;
  const unit = config.units.find((u) => u.code === raw.unit);
  fields.push(...deploymentErrors(raw, unit, config, fields));
  if (!parsed.success || fields.length || !unit) throw invalid(fields.length ? fields : [fieldError('unit', 'invalid')]);
  return { input: normalizeTimes(parsed.data), unit };
}

/** The facts of a session after a partial change, checked as a whole. */
export function checkMergedSession(merged: ReceptionSessionInput, patchKeys: string[], config: Config): ReceptionSessionInput {
  const parsed = ReceptionSessionInputSchema.safeParse(merged, ISSUE_PARSE_OPTIONS);
  const fields = parsed.success ? [] : issuesToFieldErrors(parsed.error.issues).filter((f) => patchKeys.some((k) => f.path === k || f.path.startsWith(`${k}.`)));
  const unit = config.units.find((u) => u.code === merged.unit);
  fields.push(...deploymentErrors(merged, unit, config, fields));
  if (!parsed.success && !fields.length) fields.push(fieldError(patchKeys[0] ?? '(body)', 'invalid'));
  if (fields.length) throw invalid(fields);
  return normalizeTimes(parsed.data!);
}

function deploymentErrors(raw: Partial<ReceptionSessionInput>, unit: UnitConfig | undefined, config: Config, already: FieldError[]): FieldError[] {
  const errors: FieldError[] = [];
  const has = (path: string) => already.some((f) => f.path === path) || errors.some((f) => f.path === path);
  if (typeof raw.unit === 'string' && !unit && !has('unit')) errors.push(fieldError('unit', 'invalid'));
  if (unit && Array.isArray(raw.connectionPoints)) {
    raw.connectionPoints.forEach((id, i) => {
      if (typeof id === 'string' && !unit.connectionPoints.some((p) => p.id === id) && !has(`connectionPoints.${i}`)) errors.push(fieldError(`connectionPoints.${i}`, 'connection_point'));
    });
  }
  if (typeof raw.startsAt === 'string' && typeof raw.endsAt === 'string' && !has('startsAt') && !has('endsAt')) {
    const start = Date.parse(raw.startsAt);
    const end = Date.parse(raw.endsAt);
    if (Number.isFinite(start) && Number.isFinite(end) && end <= start) errors.push(fieldError('endsAt', 'time_order'));
  }
  if (raw.kind === 'unscheduled' && raw.unscheduledReason === undefined) errors.push(fieldError('unscheduledReason', 'required'));
  if (raw.kind !== undefined && raw.kind !== 'unscheduled' && raw.unscheduledReason !== undefined && !has('unscheduledReason')) errors.push(fieldError('unscheduledReason', 'invalid'));
  if (raw.remoteAllowed === true && !config.remoteAttendanceAllowed) errors.push(fieldError('remoteAllowed', 'attendance'));
  return errors;
}

function normalizeTimes(input: ReceptionSessionInput): ReceptionSessionInput {
  return { ...input, startsAt: new Date(input.startsAt).toISOString(), endsAt: new Date(input.endsAt).toISOString() };
}
