/**
 * Periodic series: the preview (dates after holiday shifts and the frequency warnings, nothing stored) and the
 * creation, which expands the rule over the horizon into sessions carrying the series id, in one transaction.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { addDays, fieldError, type RecurrenceRule, type SeriesCreateResponse, type SeriesOccurrence, type SeriesPreview } from '@tiepdan/core';
import { assertUnit, officialOf } from '../auth/guard.js';
import { warningsAround, type ScheduleContext } from './context.js';
import { SeriesSchema, checkSessionInput, invalid, parseBody, type SeriesInput } from './input.js';
import { addMonths, occurrences, workingCalendar } from './planning.js';
import { newId } from './sessions.js';

/** A series reaches at most two years ahead and 400 sessions: beyond that the holiday lists are not published. */
const MAX_SERIES_DAYS = 731;
const MAX_OCCURRENCES = 400;

interface Planned {
  input: SeriesInput;
  to: string;
  occurrences: SeriesOccurrence[];
}

function plan(ctx: ScheduleContext, request: FastifyRequest): Planned {
  const body = parseBody(SeriesSchema, request.body);
  // The template is checked as a whole session at the first time of day, so its paths are named "template.*".
  const probe = { ...(body.template as object), kind: 'periodic', startsAt: '2000-01-01T01:00:00Z', endsAt: '2000-01-01T02:00:00Z' };
  let template: SeriesInput['template'];
  const fields = [];
  try {
    const { input } = checkSessionInput(probe, ctx.config);
    const { kind: _k, startsAt: _s, endsAt: _e, unscheduledReason: _u, ...rest } = input;
    template = rest;
  } catch (error) {
    const inner = (error as { body?: { error: { fields?: { path: string; code: string; message: { vi: string; en: string } }[] } } }).body?.error.fields ?? [];
    fields.push(...inner.map((f) => ({ ...f, path: `template.${f.path}` })));
    template = undefined as never;
  }
  if (body.endTime <= body.startTime) fields.push(fieldError('endTime', 'time_order'));
  const to = body.to ?? addMonths(body.from, ctx.config.schedule.horizonMonths);
  if (to < body.from) fields.push(fieldError('to', 'time_order'));
  else if (to > addDays(body.from, MAX_SERIES_DAYS)) fields.push(fieldError('to', 'invalid'));
  if (fields.length) throw invalid(fields);
  const found = occurrences(body.rule as RecurrenceRule, workingCalendar(ctx.config), body.from, to, body.startTime, body.endTime);
  if (!found.length) throw invalid([fieldError('rule', 'invalid')]);
  if (found.length > MAX_OCCURRENCES) throw invalid([fieldError('to', 'invalid')]);
  return { input: { ...body, template }, to, occurrences: found };
}

async function warnings(ctx: ScheduleContext, planned: Planned) {
  const { template } = planned.input;
  // The series counts only if the chair hosts it; published sessions of the unit count either way.
  const extra = template.host.role === 'chair' ? planned.occurrences.map((o) => o.date) : [];
  return warningsAround(ctx, template.unit, template.level, [planned.input.from, planned.to], extra);
}

export function previewHandler(ctx: ScheduleContext) {
  return async function preview(request: FastifyRequest): Promise<SeriesPreview> {
    const official = officialOf(request);
    const planned = plan(ctx, request);
    assertUnit(official, planned.input.template.unit);
    return { from: planned.input.from, to: planned.to, occurrences: planned.occurrences, warnings: await warnings(ctx, planned) };
  };
}

export function createSeriesHandler(ctx: ScheduleContext) {
  return async function createSeries(request: FastifyRequest, reply: FastifyReply): Promise<SeriesCreateResponse> {
    const official = officialOf(request);
    const planned = plan(ctx, request);
    const { template, rule, startTime, endTime, from, publish } = planned.input;
    assertUnit(official, template.unit);
    const createdAt = new Date().toISOString();
    const seriesId = newId('r_');
    const series = { id: seriesId, unit: template.unit, rule: rule as RecurrenceRule, startTime, endTime, from, to: planned.to, createdAt };
    const sessions = await ctx.store.schedule.createSeries(
      { ...series, template, createdBy: official.sub },
      planned.occurrences.map((o) => ({
        ...template,
        kind: 'periodic' as const,
        startsAt: o.startsAt,
        endsAt: o.endsAt,
        id: newId('s_'),
        seriesId,
        state: publish ? ('open' as const) : ('planned' as const),
        createdAt,
        publishedAt: publish ? createdAt : undefined,
      })),
    );
    const found = publish ? await warningsAround(ctx, template.unit, template.level, [from, planned.to]) : await warnings(ctx, planned);
    return reply.code(201).send({ series, sessions, warnings: found });
  };
}
