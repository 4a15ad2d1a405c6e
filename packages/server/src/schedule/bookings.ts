/**
 * Bookings: the citizen takes, cancels or moves a place with the reference code and the phone given on the
 * registration (every miss is the same 404, as for the lookup); officials list who booked and invite them (a
 * time within the session and a join token, returned once and stored hashed). Also the calendars: the unit's
 * feed and one file per booking.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  fieldError,
  normalizeReference,
  toE164,
  type BookingView,
  type CitizenBooking,
  type SessionBookings,
} from '@tiepdan/core';
import { officialOf } from '../auth/guard.js';
import { ApiError } from '../http/api-error.js';
import { isConfidential } from '../privacy/denouncer.js';
import { keyedHash, sameHash } from '../privacy/seal.js';
import { mayReadDenouncer } from '../registrations/views.js';
import { open } from '../privacy/seal.js';
import type { BookingRow, BookResult } from '../store/schedule-store.js';
import type { RegistrationRow } from '../store/store.js';
import { scopedSession, unitConfig, type ScheduleContext } from './context.js';
import { bookingCalendar, unitFeed } from './ics.js';
import type * as z from 'zod';
import type { BookingKeySchema, BookingSchema } from './input.js';
import { joinUrl, openJoinToken } from './invitations.js';
import { tokenHash } from './join-tokens.js';
import { addMonths, todayInHanoi, utcBounds } from './planning.js';
import { publicSession } from './views.js';

/** What the citizen's lookup shows of the registration's place and invitation. */
export async function citizenBooking(ctx: Pick<ScheduleContext, 'config' | 'store' | 'keys'>, reference: string): Promise<CitizenBooking | undefined> {
  const booking = await ctx.store.schedule.findBooking(reference);
  if (!booking) return undefined;
  const out: CitizenBooking = await view(ctx, booking);
  if (booking.status === 'booked' && booking.invited && booking.slotAt && booking.attendance) {
    const token = openJoinToken(ctx, booking);
    const link = token ? joinUrl(ctx, out.session, token) : undefined;
    const a = booking.attendance;
    out.invitation = {
      slotAt: booking.slotAt,
      attendance: a.mode === 'remote' ? { mode: 'remote' } : { mode: 'connection_point', ...(a.connectionPoint ? { connectionPoint: a.connectionPoint } : {}), ...(a.pointName ? { pointName: a.pointName } : {}) },
      ...(booking.invitationNote ? { note: booking.invitationNote } : {}),
      ...(link ? { joinUrl: link } : {}),
    };
  }
  return out;
}

/**
 * The registration behind a reference and a phone, or the one 404 for every kind of miss. Every call spends
 * from the guess budget shared with /lookup (registrations/guesses.ts).
 */
export async function citizenRegistration(ctx: Pick<ScheduleContext, 'store' | 'keys' | 'guesses'>, request: FastifyRequest, reference: string, phone: string): Promise<RegistrationRow> {
  const ref = normalizeReference(reference);
  return ctx.guesses.spend(request.ip, ref ?? reference.trim().toUpperCase(), async () => {
    const e164 = toE164(phone);
    const row = ref ? await ctx.store.findByReference(ref) : undefined;
    // Hash even when nothing matched, so a miss takes as long as a wrong phone.
    const given = keyedHash(ctx.keys.phone, e164 ?? '');
    if (!row || !e164 || !sameHash(row.phoneHash, given)) throw new ApiError(404, 'not_found');
    return row;
  });
}

async function view(ctx: Pick<ScheduleContext, 'store'>, booking: BookingRow): Promise<BookingView> {
  const session = await ctx.store.schedule.getSession(booking.sessionId);
  const out: BookingView = { reference: booking.reference, sessionId: booking.sessionId, status: booking.status, bookedAt: booking.bookedAt, session: publicSession(session!) };
  if (booking.slotAt) out.slotAt = booking.slotAt;
  if (booking.provisional) out.provisional = true;
  return out;
}

function refused(result: BookResult): never {
  switch (result.status) {
    case 'full':
    case 'limit':
      // "limit" (this phone already holds a provisional place) reads as full: the session has no place for it.
      throw new ApiError(409, 'session_full', [fieldError('sessionId', 'invalid')]);
    case 'not_open':
      throw new ApiError(409, 'session_not_open', [fieldError('sessionId', 'invalid')]);
    case 'already_booked':
      throw new ApiError(409, 'already_booked');
    case 'not_found':
      throw new ApiError(404, 'not_found');
    default:
      // Moving without a place, or a registration already answered another way.
      throw new ApiError(409, 'invalid_transition');
  }
}

export function bookHandler(ctx: ScheduleContext, move: boolean) {
  return async function book(request: FastifyRequest, reply: FastifyReply) {
    const body = request.body as z.output<typeof BookingSchema>; // checked by the route, after the guess budget
    const registration = await citizenRegistration(ctx, request, body.reference, body.phone);
    const result = await ctx.store.schedule.book(registration.reference, body.sessionId, new Date().toISOString(), move);
    if (result.status !== 'booked') refused(result);
    return reply.code(move ? 200 : 201).send(await view(ctx, result.booking));
  };
}

export function cancelBookingHandler(ctx: ScheduleContext) {
  return async function cancelBooking(request: FastifyRequest) {
    const body = request.body as z.output<typeof BookingKeySchema>; // checked by the route, after the guess budget
    const registration = await citizenRegistration(ctx, request, body.reference, body.phone);
    const booking = await ctx.store.schedule.cancelBooking(registration.reference, new Date().toISOString());
    if (!booking) throw new ApiError(404, 'not_found');
    return view(ctx, booking);
  };
}

async function sendCalendar(ctx: ScheduleContext, reply: FastifyReply, booking: BookingRow | undefined) {
  const session = booking && (await ctx.store.schedule.getSession(booking.sessionId));
  if (!booking || !session) throw new ApiError(404, 'not_found');
  const unit = unitConfig(ctx, session.unit);
  return reply
    .type('text/calendar; charset=utf-8')
    .header('Cache-Control', 'private, no-store')
    .header('Content-Disposition', `attachment; filename="${booking.reference}.ics"`)
    .send(bookingCalendar(unit?.name ?? session.unit, publicSession(session), booking));
}

export function bookingCalendarHandler(ctx: ScheduleContext) {
  return async function calendar(request: FastifyRequest, reply: FastifyReply) {
    const body = request.body as z.output<typeof BookingKeySchema>; // checked by the route, after the guess budget
    const registration = await citizenRegistration(ctx, request, body.reference, body.phone);
    return sendCalendar(ctx, reply, await ctx.store.schedule.findBooking(registration.reference));
  };
}

export function bookingIcsHandler(ctx: ScheduleContext) {
  return async function ics(request: FastifyRequest<{ Params: { reference: string }; Querystring: { token?: string } }>, reply: FastifyReply) {
    const token = request.query.token;
    const booking = typeof token === 'string' && token.length >= 20 && token.length <= 100 ? await ctx.store.schedule.findBookingByTokenHash(tokenHash(token)) : undefined;
    if (!booking || booking.reference !== normalizeReference(request.params.reference)) throw new ApiError(404, 'not_found');
    return sendCalendar(ctx, reply, booking);
  };
}

/** The unit's published sessions from a month ago to two years ahead (a series reaches at most that far). */
export function feedHandler(ctx: ScheduleContext) {
  return async function feed(request: FastifyRequest<{ Params: { unit: string } }>, reply: FastifyReply) {
    const unit = unitConfig(ctx, request.params.unit);
    if (!unit) throw new ApiError(404, 'not_found');
    const today = todayInHanoi();
    const { fromUtc, toUtc } = utcBounds(addMonths(today, -1), addMonths(today, 24));
    const sessions = await ctx.store.schedule.listSessions(unit.code, fromUtc, toUtc, false);
    return reply
      .type('text/calendar; charset=utf-8')
      .header('Cache-Control', 'public, max-age=300')
      .send(unitFeed(unit.name, sessions.map(publicSession)));
  };
}

export function sessionBookingsHandler(ctx: ScheduleContext) {
  return async function list(request: FastifyRequest<{ Params: { id: string } }>): Promise<SessionBookings> {
    const { official, session } = await scopedSession(ctx, request);
    const rows = await ctx.store.schedule.listBookings(session.id);
    return {
      sessionId: session.id,
      items: rows.map((r) => {
        const reveal = r.sealed && isConfidential(r) && mayReadDenouncer(official);
        const displayName = reveal ? (JSON.parse(open(ctx.keys.seal, r.sealed!, r.clientId)) as { identity: { fullName: string } }).identity.fullName : r.displayName;
        const entry: SessionBookings['items'][number] = { reference: r.reference, kind: r.kind, state: r.state, displayName, summary: r.summary, bookedAt: r.bookedAt, invited: r.invited };
        if (r.slotAt) entry.slotAt = r.slotAt;
        if (r.provisional) entry.provisional = true;
        if (r.attendance) entry.attendance = r.attendance.mode === 'remote' ? { mode: 'remote' } : { mode: 'connection_point', ...(r.attendance.connectionPoint ? { connectionPoint: r.attendance.connectionPoint } : {}), ...(r.attendance.pointName ? { pointName: r.attendance.pointName } : {}) };
        return entry;
      }),
    };
  };
}
