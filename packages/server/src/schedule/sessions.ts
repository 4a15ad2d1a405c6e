/**
 * Sessions: the public schedule (list, one session) and the officials' changes (create, edit, publish, close,
 * cancel, postpone). A change to a session that has bookings queues one notice per booked citizen in the same
 * transaction, then wakes the notice dispatcher.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  canChangeSession,
  fieldError,
  type Message,
  type OfficialSession,
  type ReceptionSessionInput,
  type SessionList,
  type SessionMutationResponse,
  type SessionState,
} from '@tiepdan/core';
import { assertUnit, officialOf } from '../auth/guard.js';
import { ApiError } from '../http/api-error.js';
import type { NoticeChange, SessionUpdate } from '../store/schedule-store.js';
import { hanoiDates, mayReadDrafts, optionalOfficial, scopedSession, warningsAround, type ScheduleContext } from './context.js';
import { CancelSchema, EmptySchema, ListQuerySchema, PostponeSchema, checkMergedSession, checkSessionInput, invalid, parseBody } from './input.js';
import type * as z from 'zod';
import { noticeBody } from './notices/messages.js';
import { todayInHanoi, utcBounds } from './planning.js';
import { publicSession } from './views.js';

/** The public list spans at most a year: a feed, not an export. */
const MAX_RANGE_DAYS = 366;
const DEFAULT_RANGE_DAYS = 92;
const EDITABLE: readonly SessionState[] = ['planned', 'open', 'closed', 'postponed'];
const FACT_KEYS = ['kind', 'unscheduledReason', 'host', 'level', 'venue', 'connectionPoints', 'startsAt', 'endsAt', 'capacity', 'remoteAllowed'] as const;

export const newId = (prefix: string) => `${prefix}${randomBytes(9).toString('base64url')}`;

function daysBetween(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}

export function listHandler(ctx: ScheduleContext) {
  return async function list(request: FastifyRequest, reply: FastifyReply): Promise<SessionList> {
    const query = request.query as z.output<typeof ListQuerySchema>; // checked by the route's schema
    const unit = query.unit ?? (ctx.config.units.length === 1 ? ctx.config.units[0]!.code : undefined);
    if (!unit) throw invalid([fieldError('unit', 'required')]);
    if (!ctx.config.units.some((u) => u.code === unit)) throw new ApiError(404, 'not_found');
    const from = query.from ?? todayInHanoi();
    const to = query.to ?? new Date(Date.parse(`${from}T00:00:00Z`) + DEFAULT_RANGE_DAYS * 86_400_000).toISOString().slice(0, 10);
    if (to < from) throw invalid([fieldError('to', 'time_order')]);
    if (daysBetween(from, to) > MAX_RANGE_DAYS) throw invalid([fieldError('to', 'invalid')]);
    const drafts = mayReadDrafts(await optionalOfficial(ctx, request), unit);
    const { fromUtc, toUtc } = utcBounds(from, to);
    const sessions = (await ctx.store.schedule.listSessions(unit, fromUtc, toUtc, drafts)).filter((s) => !query.state || s.state === query.state);
    reply.header('Cache-Control', drafts ? 'private, no-store' : 'public, max-age=60');
    if (!drafts) reply.header('Vary', 'Authorization');
    return { unit, from, to, items: drafts ? sessions : sessions.map(publicSession) };
  };
}

export function getHandler(ctx: ScheduleContext) {
  return async function get(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) {
    const session = await ctx.store.schedule.getSession(request.params.id);
    if (!session) throw new ApiError(404, 'not_found');
    const drafts = mayReadDrafts(await optionalOfficial(ctx, request), session.unit);
    if (!session.publishedAt && !drafts) throw new ApiError(404, 'not_found');
    reply.header('Cache-Control', drafts ? 'private, no-store' : 'public, max-age=60');
    return drafts ? session : publicSession(session);
  };
}

export function createHandler(ctx: ScheduleContext) {
  return async function create(request: FastifyRequest, reply: FastifyReply): Promise<SessionMutationResponse> {
    const official = officialOf(request);
    const { input } = checkSessionInput(request.body, ctx.config);
    assertUnit(official, input.unit);
    const now = new Date().toISOString();
    const session = await ctx.store.schedule.createSession({ ...input, id: newId('s_'), state: 'planned', createdAt: now });
    return reply.code(201).send({ session, warnings: [], noticesQueued: 0 });
  };
}

/** Applies a decided change and answers with the session, the warnings and the notices queued. */
async function change(ctx: ScheduleContext, id: string, decide: (current: OfficialSession) => SessionUpdate): Promise<SessionMutationResponse> {
  const result = await ctx.store.schedule.updateSession(id, decide);
  if (!result) throw new ApiError(404, 'not_found');
  if (result.noticesQueued > 0) ctx.dispatcher.kick();
  const { session } = result;
  const warnings = await warningsAround(ctx, session.unit, session.level, hanoiDates(session.startsAt, session.postponedFrom?.startsAt));
  return { session, warnings, noticesQueued: result.noticesQueued };
}

function transition(current: OfficialSession, to: SessionState): void {
  if (!canChangeSession(current.state, to)) throw new ApiError(409, 'invalid_transition');
}

function notify(change: Exclude<NoticeChange, 'invited'>, before: OfficialSession): SessionUpdate['notify'] {
  return { change, body: (after) => noticeBody(change, before, after) };
}

export function patchHandler(ctx: ScheduleContext) {
  return async function patch(request: FastifyRequest<{ Params: { id: string } }>) {
    await scopedSession(ctx, request);
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid([fieldError('(body)', 'invalid_type')]);
    const keys = Object.keys(body);
    const unknown = keys.filter((k) => !(FACT_KEYS as readonly string[]).includes(k));
    if (unknown.length) throw invalid(unknown.map((k) => fieldError(k, 'unknown_field')));
    if (!keys.length) throw invalid([fieldError('(body)', 'required')]);
    return change(ctx, request.params.id, (current) => {
      if (!EDITABLE.includes(current.state)) throw new ApiError(409, 'invalid_transition');
      const merged = checkMergedSession({ ...factsOf(current), ...(body as Partial<ReceptionSessionInput>), unit: current.unit }, keys, ctx.config);
      if (merged.capacity < current.booked) throw invalid([fieldError('capacity', 'capacity_booked')]);
      const moved = merged.startsAt !== current.startsAt || merged.endsAt !== current.endsAt;
      const { unit: _unit, ...facts } = merged;
      return { at: new Date().toISOString(), facts, notify: moved && current.booked > 0 ? notify('time_changed', current) : undefined };
    });
  };
}

export function publishHandler(ctx: ScheduleContext) {
  return async function publish(request: FastifyRequest<{ Params: { id: string } }>) {
    await scopedSession(ctx, request);
    parseBody(EmptySchema, request.body);
    return change(ctx, request.params.id, (current) => {
      transition(current, 'open');
      const at = new Date().toISOString();
      return { at, state: 'open', publishedAt: at, notice: current.state === 'postponed' ? undefined : null };
    });
  };
}

export function closeHandler(ctx: ScheduleContext) {
  return async function close(request: FastifyRequest<{ Params: { id: string } }>) {
    await scopedSession(ctx, request);
    parseBody(EmptySchema, request.body);
    return change(ctx, request.params.id, (current) => {
      transition(current, 'closed');
      return { at: new Date().toISOString(), state: 'closed' };
    });
  };
}

function message(notice: { vi: string; en?: string | undefined }): Message {
  return { vi: notice.vi.normalize('NFC'), en: (notice.en || notice.vi).normalize('NFC') };
}

export function cancelHandler(ctx: ScheduleContext) {
  return async function cancel(request: FastifyRequest<{ Params: { id: string } }>) {
    await scopedSession(ctx, request);
    const body = parseBody(CancelSchema, request.body);
    return change(ctx, request.params.id, (current) => {
      transition(current, 'cancelled');
      return { at: new Date().toISOString(), state: 'cancelled', reason: body.reason, notice: message(body.notice), notify: current.booked > 0 ? notify('cancelled', current) : undefined };
    });
  };
}

export function postponeHandler(ctx: ScheduleContext) {
  return async function postpone(request: FastifyRequest<{ Params: { id: string } }>) {
    await scopedSession(ctx, request);
    const body = parseBody(PostponeSchema, request.body);
    if ((body.startsAt === undefined) !== (body.endsAt === undefined)) throw invalid([fieldError(body.startsAt === undefined ? 'startsAt' : 'endsAt', 'required')]);
    const startsAt = body.startsAt && new Date(body.startsAt).toISOString();
    const endsAt = body.endsAt && new Date(body.endsAt).toISOString();
    if (startsAt && endsAt && endsAt <= startsAt) throw invalid([fieldError('endsAt', 'time_order')]);
    return change(ctx, request.params.id, (current) => {
      transition(current, 'postponed');
      const update: SessionUpdate = { at: new Date().toISOString(), state: 'postponed', reason: body.reason, notice: message(body.notice) };
      if (startsAt && endsAt) {
        // The first announced time is kept across several postponements: that is the one citizens remember.
        update.postponedFrom = current.postponedFrom ?? { startsAt: current.startsAt, endsAt: current.endsAt };
        update.facts = { startsAt, endsAt };
      }
      if (current.booked > 0) update.notify = notify('postponed', current);
      return update;
    });
  };
}

function factsOf(s: OfficialSession): ReceptionSessionInput {
  const facts: ReceptionSessionInput = {
    kind: s.kind,
    host: s.host,
    level: s.level,
    unit: s.unit,
    venue: s.venue,
    connectionPoints: s.connectionPoints,
    startsAt: s.startsAt,
    endsAt: s.endsAt,
    capacity: s.capacity,
    remoteAllowed: s.remoteAllowed,
  };
  if (s.unscheduledReason !== undefined) facts.unscheduledReason = s.unscheduledReason;
  return facts;
}

