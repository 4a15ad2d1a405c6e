/**
 * The officials' routes: the screening queue, one registration, its state changes and its files. Every route
 * carries the permission guard (auth/guard.ts); the unit check happens here, once the registration is known.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod';
import {
  ANSWER_OUTCOMES,
  MATTER_KINDS,
  REGISTRATION_STATES,
  canTransition,
  fieldError,
  normalizeReference,
  type ScreeningPage,
} from '@tiepdan/core';
import { assertUnit, officialOf, unitScope } from '../auth/guard.js';
import { ApiError } from '../http/api-error.js';
import { isConfidential } from '../privacy/denouncer.js';
import { publicSession } from '../schedule/views.js';
import type { Store } from '../store/store.js';
import type { AttachmentFiles } from './files.js';
import { mayReadDenouncer, openDenouncer, recordView, summaryView } from './views.js';

export const MAX_PAGE = 100;
const DEFAULT_PAGE = 50;

export const ListQuery = z.strictObject({
  kind: z.enum(MATTER_KINDS).optional(),
  state: z.enum(REGISTRATION_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
  before: z.string().regex(/^\d{1,18}$/u).optional(),
});

export const TransitionBody = z.strictObject({
  to: z.enum(REGISTRATION_STATES, { error: 'choose_one' }),
  reason: z.string({ error: 'reason' }).trim().min(1, { error: 'reason' }).max(2000, { error: 'too_long' }),
  outcome: z.enum(ANSWER_OUTCOMES, { error: 'choose_one' }).optional(),
  publicNote: z.string().trim().max(2000, { error: 'too_long' }).optional(),
});

export interface OfficialsContext {
  store: Store;
  files: AttachmentFiles;
  sealKey: Buffer;
}

async function loadScoped(store: Store, request: FastifyRequest<{ Params: { reference: string } }>) {
  const official = officialOf(request);
  const reference = normalizeReference(request.params.reference);
  const row = reference ? await store.findByReference(reference) : undefined;
  if (!row) throw new ApiError(404, 'not_found');
  assertUnit(official, row.unit);
  return { official, row };
}

export function listHandler(ctx: OfficialsContext) {
  return async function list(request: FastifyRequest): Promise<ScreeningPage> {
    const official = officialOf(request);
    const { kind, state, limit, before } = request.query as z.output<typeof ListQuery>;
    const page = await ctx.store.listRegistrations({ unit: unitScope(official), kind, state }, before, limit ?? DEFAULT_PAGE);
    const items = page.rows.map((row) => summaryView(row, official, ctx.sealKey));
    return page.nextBefore ? { items, nextBefore: page.nextBefore } : { items };
  };
}

export function getHandler(ctx: OfficialsContext) {
  return async function get(request: FastifyRequest<{ Params: { reference: string } }>) {
    const { official, row } = await loadScoped(ctx.store, request);
    const view = recordView(row, official, ctx.sealKey);
    // The place it holds (or held) and the invitation's slot and attendance, for the screening detail.
    const booking = await ctx.store.schedule.findBooking(row.reference);
    const session = booking && (await ctx.store.schedule.getSession(booking.sessionId));
    if (booking && session) {
      view.booking = { reference: booking.reference, sessionId: booking.sessionId, status: booking.status, bookedAt: booking.bookedAt, session: publicSession(session) };
      if (booking.slotAt) view.booking.slotAt = booking.slotAt;
      if (booking.provisional) view.booking.provisional = true;
      if (booking.attendance) view.booking.attendance = booking.attendance;
    }
    return view;
  };
}

export function transitionHandler(ctx: OfficialsContext) {
  return async function transition(request: FastifyRequest<{ Params: { reference: string } }>) {
    const { official, row } = await loadScoped(ctx.store, request);
    const { to, reason, outcome, publicNote } = request.body as z.output<typeof TransitionBody>;
    if (to === 'answered' && !outcome) throw new ApiError(422, 'validation_failed', [fieldError('outcome', 'choose_one')]);
    if (to !== 'answered' && outcome) throw new ApiError(422, 'validation_failed', [fieldError('outcome', 'invalid')]);
    if (!canTransition(row.state, to)) throw new ApiError(409, 'invalid_transition');
    const changed = await ctx.store.transition({
      reference: row.reference,
      from: row.state,
      entry: { state: to, at: new Date().toISOString(), by: official.sub, reason, outcome, publicNote: publicNote || undefined },
    });
    // Someone else changed it since we read it: the caller must look again rather than overwrite.
    if (!changed) throw new ApiError(409, 'invalid_transition');
    const updated = await ctx.store.findByReference(row.reference);
    return recordView(updated!, official, ctx.sealKey);
  };
}

export function attachmentHandler(ctx: OfficialsContext) {
  return async function attachment(request: FastifyRequest<{ Params: { reference: string; id: string } }>, reply: FastifyReply) {
    const { official, row } = await loadScoped(ctx.store, request);
    const file = row.attachments.find((a) => a.id === request.params.id);
    if (!file) throw new ApiError(404, 'not_found');
    // A denouncer's files (ID scans, handwriting) identify them as surely as their name does.
    if (isConfidential(row) && !mayReadDenouncer(official)) throw new ApiError(403, 'forbidden');
    const ext = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'application/pdf': 'pdf' }[file.type] ?? 'bin';
    const fallback = `${row.reference}-${file.id}.${ext}`;
    // A denouncer's file names are sealed; those who may open the file get the name the citizen gave it.
    const name = row.sealed ? (openDenouncer(ctx.sealKey, row.sealed, row.clientId).attachmentNames?.[file.id] ?? file.name) : file.name;
    const body = await ctx.files.read(file.sha256);
    return reply
      .type(file.type)
      .header('Content-Length', String(file.size))
      .header('Content-Disposition', `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name.normalize('NFC'))}`)
      .header('Cache-Control', 'private, no-store')
      .send(body);
  };
}
