/**
 * Invitations (SPEC §2 step 3): an official invites a screened registration to a session at a slot, saying how
 * the citizen attends (at which connection point, or remotely where the session allows it) with a note. The
 * invitation takes a place in the session if the registration has none there, issues a join token (returned
 * once, stored hashed for the room and sealed for the citizen's lookup) and queues the invitation notice in
 * the same transaction: the text with the time, the place, the join link and what to bring, and an `.ics`.
 * The preview builds the same notice and stores nothing, so the official sees what will be sent.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  fieldError,
  normalizeReference,
  type DeliveryState,
  type InvitationPreview,
  type InvitationResponse,
  type NoticeView,
  type OfficialSession,
  type SessionNotices,
} from '@tiepdan/core';
import { ApiError } from '../http/api-error.js';
import { open, seal } from '../privacy/seal.js';
import type { Attendance, BookingRow, NoticeBody, SessionDeliveryRow } from '../store/schedule-store.js';
import type { RegistrationRow } from '../store/store.js';
import { tokenHash } from './join-tokens.js';
import { scopedSession, unitConfig, type ScheduleContext } from './context.js';
import { bookingCalendar } from './ics.js';
import { InvitationSchema, NoticesQuerySchema, invalid, parseBody } from './input.js';
import { parseWith } from '../http/validation.js';
import { invitationBody, LINK } from './notices/messages.js';
import { maskEmail, maskPhone } from './notices/sender.js';
import { publicSession } from './views.js';

const INVITABLE = ['open', 'closed', 'in_progress', 'postponed'];

/** `<joinPage>#session=…&token=…`: the fragment never reaches a server or its logs (examples/ward-site/room.js). */
export function joinUrl(ctx: Pick<ScheduleContext, 'config'>, session: { id: string; unit: string }, token: string): string | undefined {
  const page = unitConfig(ctx, session.unit)?.joinPage ?? ctx.config.notices.joinPage;
  return page ? `${page}#session=${encodeURIComponent(session.id)}&token=${token}` : undefined;
}

/** The join token sealed for the lookup, bound to its reference. */
export const joinTokenAad = (reference: string) => `join-token:${reference}`;

export function openJoinToken(ctx: Pick<ScheduleContext, 'keys'>, booking: BookingRow): string | undefined {
  if (!booking.joinTokenSealed) return undefined;
  try {
    return open(ctx.keys.seal, booking.joinTokenSealed, joinTokenAad(booking.reference));
  } catch {
    return undefined;
  }
}

export function pointName(ctx: Pick<ScheduleContext, 'config'>, session: { unit: string }, id: string | undefined): string | undefined {
  if (!id) return undefined;
  for (const unit of [unitConfig(ctx, session.unit), ...ctx.config.units]) {
    const point = unit?.connectionPoints.find((p) => p.id === id);
    if (point) return point.name;
  }
  return undefined;
}

interface Decided {
  reference: string;
  registration: RegistrationRow;
  slotAt: string;
  attendance: Attendance;
  note?: string | undefined;
  body: NoticeBody;
}

/** Checks the request against the session and the registration, and builds the notice. */
async function decide(ctx: ScheduleContext, session: OfficialSession, raw: unknown): Promise<Decided> {
  const body = parseBody(InvitationSchema, raw);
  const fields = [];
  const reference = normalizeReference(body.reference);
  const registration = reference ? await ctx.store.findByReference(reference) : undefined;
  if (!reference || !registration || registration.unit !== session.unit) fields.push(fieldError('reference', 'reference'));
  const slotAt = new Date(body.slotAt).toISOString();
  if (slotAt < session.startsAt || slotAt >= session.endsAt) fields.push(fieldError('slotAt', 'slot'));
  // A session under way may still take an invitation (the board fits a citizen in), but never for a time gone by.
  else if (slotAt < new Date().toISOString()) fields.push(fieldError('slotAt', 'slot_past'));
  const wanted = body.attendance ?? registration?.registration.attendance;
  let attendance: Attendance;
  if (wanted?.mode === 'remote' && session.remoteAllowed && ctx.config.remoteAttendanceAllowed) attendance = { mode: 'remote' };
  else {
    if (body.attendance?.mode === 'remote') fields.push(fieldError('attendance.mode', 'attendance'));
    const point = body.attendance?.connectionPoint ?? (wanted?.connectionPoint && session.connectionPoints.includes(wanted.connectionPoint) ? wanted.connectionPoint : session.connectionPoints[0]);
    if (!point || !session.connectionPoints.includes(point)) fields.push(fieldError('attendance.connectionPoint', 'connection_point'));
    attendance = { mode: 'connection_point', connectionPoint: point, pointName: pointName(ctx, session, point) ?? point };
  }
  if (fields.length) throw invalid(fields);
  if (!INVITABLE.includes(session.state)) throw new ApiError(409, 'session_not_open', [fieldError('sessionId', 'invalid')]);
  if (registration!.state !== 'screened' && registration!.state !== 'invited') throw new ApiError(409, 'invalid_transition', [fieldError('reference', 'invalid')]);
  const note = body.publicNote?.normalize('NFC') || undefined;
  const unitName = unitConfig(ctx, session.unit)?.name ?? session.unit;
  const ics = bookingCalendar(unitName, publicSession(session), { reference: reference!, status: 'booked', slotAt });
  return {
    reference: reference!,
    registration: registration!,
    slotAt,
    attendance,
    note,
    body: invitationBody(session, { unitName, reference: reference!, slotAt, attendance, note, ics }),
  };
}

function publicAttendance(a: Attendance): InvitationResponse['attendance'] {
  return a.mode === 'remote' ? { mode: 'remote' } : { mode: 'connection_point', ...(a.connectionPoint ? { connectionPoint: a.connectionPoint } : {}), ...(a.pointName ? { pointName: a.pointName } : {}) };
}

export function invitationHandler(ctx: ScheduleContext) {
  return async function invite(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<InvitationResponse> {
    const { official, session } = await scopedSession(ctx, request);
    const decided = await decide(ctx, session, request.body);
    const joinToken = randomBytes(32).toString('base64url');
    const link = joinUrl(ctx, session, joinToken);
    const result = await ctx.store.schedule.invite({
      sessionId: session.id,
      reference: decided.reference,
      slotAt: decided.slotAt,
      tokenHash: tokenHash(joinToken),
      tokenSealed: seal(ctx.keys.seal, joinToken, joinTokenAad(decided.reference)),
      at: new Date().toISOString(),
      by: official.sub,
      publicNote: decided.note,
      attendance: decided.attendance,
      // Without a join page the notice still says when and where; the link line says to use the lookup.
      notice: { body: decided.body, seal: (aad) => seal(ctx.keys.seal, link ?? '', aad) },
    });
    if (result.status === 'full') throw new ApiError(409, 'session_full', [fieldError('sessionId', 'invalid')]);
    if (result.status === 'not_open') throw new ApiError(409, 'session_not_open', [fieldError('sessionId', 'invalid')]);
    if (result.status === 'not_found') throw invalid([fieldError('reference', 'reference')]);
    if (result.status === 'invalid_transition') throw new ApiError(409, 'invalid_transition', [fieldError('reference', 'invalid')]);
    ctx.dispatcher.kick();
    const contact = await ctx.resolveContact(decided.reference);
    return reply
      .code(201)
      .header('Cache-Control', 'no-store')
      .send({
        reference: decided.reference,
        sessionId: session.id,
        slotAt: decided.slotAt,
        state: 'invited',
        attendance: publicAttendance(decided.attendance),
        joinToken,
        ...(link ? { joinUrl: link } : {}),
        channels: ctx.dispatcher.choose(contact).map((s) => s.channel),
      });
  };
}

export function invitationPreviewHandler(ctx: ScheduleContext) {
  return async function preview(request: FastifyRequest<{ Params: { id: string } }>): Promise<InvitationPreview> {
    const { session } = await scopedSession(ctx, request);
    const decided = await decide(ctx, session, request.body);
    const shown = joinUrl(ctx, session, '…') ?? '(—)';
    const fill = (text: string) => text.replaceAll(LINK, shown);
    const contact = await ctx.resolveContact(decided.reference);
    const out: InvitationPreview = {
      subject: decided.body.subject!,
      message: { vi: fill(decided.body.message.vi), en: fill(decided.body.message.en) },
      slotAt: decided.slotAt,
      attendance: publicAttendance(decided.attendance),
      channels: ctx.dispatcher.choose(contact).map((s) => {
        const to = s.channel === 'smtp' ? maskEmail(contact.email) : s.channel === 'sms-http' ? maskPhone(contact.phone) : undefined;
        return { channel: s.channel, delivers: s.delivers, ...(to ? { to } : {}) };
      }),
    };
    if (decided.body.sms) out.sms = { vi: fill(decided.body.sms.vi), en: fill(decided.body.sms.en) };
    return out;
  };
}

/** A notice's state from its deliveries (see NoticeView in core). */
export function noticeState(deliveries: { state: DeliveryState }[]): DeliveryState {
  if (deliveries.some((d) => d.state === 'sent')) return 'sent';
  if (deliveries.some((d) => d.state === 'queued') || !deliveries.length) return 'queued';
  if (deliveries.some((d) => d.state === 'failed')) return 'failed';
  return 'logged';
}

export function groupNotices(rows: SessionDeliveryRow[]): NoticeView[] {
  const byNotice = new Map<number, NoticeView>();
  for (const row of rows) {
    let view = byNotice.get(row.noticeId);
    if (!view) byNotice.set(row.noticeId, (view = { reference: row.reference, change: row.change, createdAt: row.createdAt, state: 'queued', deliveries: [] }));
    view.deliveries.push({
      channel: row.channel,
      state: row.state,
      attempts: row.attempts,
      ...(row.lastError ? { lastError: row.lastError } : {}),
      ...(row.sentAt ? { sentAt: row.sentAt } : {}),
      ...(row.state === 'queued' ? { nextAt: row.nextAt } : {}),
    });
  }
  for (const view of byNotice.values()) view.state = noticeState(view.deliveries);
  return [...byNotice.values()];
}

export function sessionNoticesHandler(ctx: ScheduleContext) {
  return async function notices(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<SessionNotices> {
    const { session } = await scopedSession(ctx, request);
    const query = parseWith(NoticesQuerySchema, request.query ?? {});
    const reference = query.reference === undefined ? undefined : normalizeReference(query.reference);
    if (query.reference !== undefined && !reference) throw invalid([fieldError('reference', 'reference')]);
    const rows = await ctx.store.schedule.listDeliveries(session.id, reference);
    // Notices not yet dispatched have no delivery row: they are queued for their citizens all the same.
    const undispatched = await ctx.store.schedule.undispatchedNotices(session.id, reference);
    const items = [...undispatched.map((n): NoticeView => ({ ...n, state: 'queued', deliveries: [] })), ...groupNotices(rows)];
    const summary: Record<DeliveryState, number> = { queued: 0, sent: 0, logged: 0, failed: 0 };
    for (const item of items) summary[item.state] += 1;
    reply.header('Cache-Control', 'private, no-store');
    return { sessionId: session.id, summary, items };
  };
}
