/**
 * The reception schedule's HTTP contract (version 1, under `/api/v1`): sessions, periodic series, bookings,
 * invitations and calendars. The server routes (server/src/schedule) and the `<tiepdan-schedule>` elements
 * both use these types. Times are UTC ISO 8601 instants; `LocalDate` values ("yyyy-mm-dd") are Hanoi dates.
 * Every refusal has the one error shape (`ErrorBody`), with `fields[].path` naming the bad field.
 *
 * Public (no token, no personal data, `Cache-Control: public, max-age=60`):
 * GET   /api/v1/sessions?unit=&from=&to=&state=    SessionList. from/to: Hanoi dates, inclusive; default today and
 *                                                  today + 92 days; at most 366 days apart. Only published sessions
 *                                                  (cancelled/postponed ones stay listed, with their notice). With a
 *                                                  bearer token that has `schedule.read`, drafts (state "planned")
 *                                                  are listed too and the answer is `private, no-store`.
 * GET   /api/v1/sessions/:id                       ReceptionSession (404 for a draft, unless the token rule above)
 * GET   /api/v1/units/:unit/schedule.ics           text/calendar feed of the unit's published sessions
 *                                                  (METHOD:PUBLISH; cancelled events carry STATUS:CANCELLED)
 *
 * Officials (Authorization: Bearer …; permission in brackets, see core auth/roles.ts; unit checked):
 * POST  /api/v1/sessions                 [schedule.manage]  SessionCreateRequest → 201 SessionMutationResponse
 * PATCH /api/v1/sessions/:id             [schedule.manage]  SessionUpdateRequest → SessionMutationResponse
 *                                                  (a time change on a session with bookings notifies each citizen)
 * POST  /api/v1/sessions/:id/publish     [schedule.manage]  {} → SessionMutationResponse (state "open", warnings)
 * POST  /api/v1/sessions/:id/close       [schedule.manage]  {} → SessionMutationResponse (no more bookings)
 * POST  /api/v1/sessions/:id/cancel      [schedule.manage]  SessionCancelRequest → SessionMutationResponse
 * POST  /api/v1/sessions/:id/postpone    [schedule.manage]  SessionPostponeRequest → SessionMutationResponse
 * GET   /api/v1/sessions/:id/bookings    [bookings.invite]  SessionBookings
 * POST  /api/v1/sessions/:id/invitations [bookings.invite]  InvitationRequest → 201 InvitationResponse
 *                                                  Takes a place in the session when the registration has none
 *                                                  there (409 session_full / session_not_open), and queues the
 *                                                  invitation notice (e-mail/SMS with the join link and an .ics).
 *                                                  The join token is stored hashed (and sealed for the lookup).
 * POST  /api/v1/sessions/:id/invitations/preview [bookings.invite]  InvitationRequest → InvitationPreview
 *                                                  what would be sent and through which channels; nothing stored
 * GET   /api/v1/sessions/:id/notices?reference=  [bookings.invite]  SessionNotices: the delivery state of every
 *                                                  notice of the session (queued, sent, failed with reason, logged)
 * POST  /api/v1/series/preview           [schedule.manage]  SeriesRequest → SeriesPreview (nothing stored)
 * POST  /api/v1/series                   [schedule.manage]  SeriesRequest → 201 SeriesCreateResponse
 *
 * Citizens (reference code + the phone given on the registration; rate-limited like /lookup; every miss is
 * the same 404 `not_found`):
 * POST  /api/v1/bookings                 BookingRequest → 201 BookingView;
 *                                        409 `session_full` | `session_not_open` | `already_booked` (use /move)
 * POST  /api/v1/bookings/cancel          BookingCancelRequest → BookingView (status "cancelled")
 * POST  /api/v1/bookings/move            BookingMoveRequest → BookingView; 409 as for booking (the old place is kept)
 * POST  /api/v1/bookings/calendar        BookingCancelRequest (reference + phone) → text/calendar for the booking
 * GET   /api/v1/bookings/:reference.ics?token=<join token>   the same calendar, for a link in the invitation.
 *                                        (The phone never travels in a URL: URLs end up in logs and histories.)
 *                                        A cancelled booking or session gives METHOD:CANCEL + STATUS:CANCELLED.
 *
 * Registration submission (api/types.ts): a `preferredSessionId` is booked in the same transaction as the
 * insert when that session is open; `SubmitResponse.booking` says what happened (a full session does not
 * refuse the registration). Replays give the same answer and never book twice.
 *
 * ICS UIDs are `session-<id>@tiepdan`; SEQUENCE is `ReceptionSession.sequence`, incremented on every change.
 */
import type { Message } from '../i18n/message.js';
import type { MatterKind } from '../registration/choices.js';
import type { RegistrationState } from '../registration/states.js';
import type { LocalDate } from '../schedule/calendar.js';
import type { RecurrenceRule } from '../schedule/recurrence.js';
import type { ReceptionSessionInput, SessionState } from '../schedule/session.js';
import type { ReceptionSession } from './session-views.js';
import type { InvitationAttendance } from './booking-views.js';

export type { ReceptionSession, ReceptionSessionInput, SessionState };
export type { FrequencyWarning, OfficialSession, SessionList, SessionMutationResponse } from './session-views.js';
export type { Series, SeriesCreateResponse, SeriesOccurrence, SeriesPreview } from './series-views.js';
export type { DeliveryState, NoticeDelivery, NoticeView, SessionNotices } from './notice-views.js';
export type { BookingStatus, BookingView, CitizenBooking, InvitationAttendance, InvitationPreview, InvitationResponse, SessionBookingEntry, SessionBookings, SubmitBooking } from './booking-views.js';

/** POST /sessions: the session's facts; it starts as a draft ("planned") until published. */
export type SessionCreateRequest = ReceptionSessionInput;

/** PATCH /sessions/:id: any facts except the unit. `capacity` may not go below the places already taken. */
export type SessionUpdateRequest = Partial<Omit<ReceptionSessionInput, 'unit'>>;

/** Text citizens read. Officials write Vietnamese; `en` defaults to the Vietnamese text when absent. */
export interface NoticeText {
  vi: string;
  en?: string;
}

/** POST /sessions/:id/cancel */
export interface SessionCancelRequest {
  /** Internal, for the file. */
  reason: string;
  /** Shown on the schedule and sent to every booked citizen. */
  notice: NoticeText;
}

/** POST /sessions/:id/postpone: without new times the session is postponed until further notice. */
export interface SessionPostponeRequest extends SessionCancelRequest {
  startsAt?: string;
  endsAt?: string;
}

/** POST /series/preview and POST /series. */
export interface SeriesRequest {
  /** The facts every occurrence shares; kind is "periodic". */
  template: Omit<ReceptionSessionInput, 'kind' | 'unscheduledReason' | 'startsAt' | 'endsAt'>;
  rule: RecurrenceRule;
  /** Hanoi wall-clock times, "HH:mm". */
  startTime: string;
  endTime: string;
  /** First day (inclusive), a Hanoi date. */
  from: LocalDate;
  /** Last day (inclusive); default `from` + the configured horizon (6 months). At most 2 years after `from`. */
  to?: LocalDate;
  /** Publish the created sessions at once (state "open"); default false (drafts). Ignored by the preview. */
  publish?: boolean;
}

/** POST /bookings/cancel, POST /bookings/calendar */
export interface BookingCancelRequest {
  reference: string;
  phone: string;
}

/** POST /bookings */
export interface BookingRequest extends BookingCancelRequest {
  sessionId: string;
}

/** POST /bookings/move: to another open session, atomically (the old place is freed only if the new one is taken). */
export type BookingMoveRequest = BookingRequest;

/** POST /sessions/:id/invitations: the registration must be booked in this session and screened (or invited: re-issue). */
export interface InvitationRequest {
  reference: string;
  /** Within [startsAt, endsAt) of the session. */
  slotAt: string;
  attendance?: InvitationAttendance;
  /** Optional note for the citizen (what else to bring, which door). */
  publicNote?: string;
}

export type { Message };
