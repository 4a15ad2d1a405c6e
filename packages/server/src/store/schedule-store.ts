/**
 * What the schedule routes need from storage (sessions, series, bookings, the notice outbox), as a narrow async
 * interface so a PostgreSQL store can follow. Decisions that need the current row (is this state change
 * allowed? may the capacity shrink?) are passed in as `decide` callbacks that run inside the store's
 * transaction: the check and the write cannot interleave with another request.
 */
import type { Fence } from './fences.js';
import type { Message, OfficialSession, ReceptionSessionInput, RecurrenceRule, RegistrationState, MatterKind, SessionState, SubmitBooking } from '@tiepdan/core';

export interface NewSession extends ReceptionSessionInput {
  id: string;
  seriesId?: string | undefined;
  state: SessionState;
  createdAt: string;
  publishedAt?: string | undefined;
}

export interface NewSeries {
  id: string;
  unit: string;
  template: unknown;
  rule: RecurrenceRule;
  startTime: string;
  endTime: string;
  from: string;
  to: string;
  createdAt: string;
  createdBy?: string | undefined;
}

/** A session's change, an invitation, or a desk step the citizen is told of (desk/notices.ts): the Form 02 receipt, the outcome. */
export type NoticeChange = 'cancelled' | 'postponed' | 'time_changed' | 'invited' | 'receipt' | 'outcome';

/** How the invited citizen attends: at a connection point (its id and name), or remotely from their own device. */
export interface Attendance {
  mode: 'connection_point' | 'remote';
  connectionPoint?: string | undefined;
  pointName?: string | undefined;
}

/**
 * What a notice says; for a session change the same for every booked citizen. No contact data, and no join
 * token: an invitation's text carries `{link}`, filled when sending from the notice's sealed secret.
 */
export interface NoticeBody {
  message: Message;
  /** E-mail subject; a short line (the SMS uses `sms`, else `message`). */
  subject?: Message | undefined;
  sms?: Message | undefined;
  session: { id: string; unit: string; venue: string; startsAt: string; endsAt: string; state: SessionState; notice?: Message | undefined };
  /** For an invitation: what the `.ics` attachment and the officials' view need. */
  invitation?: { reference: string; slotAt: string; attendance: Attendance; note?: string | undefined; ics: string } | undefined;
  /** For a desk notice: the case's paper attached as PDF, rendered when sending (it is not stored twice). */
  paper?: { caseId: string; kind: 'receipt' | 'refusal-notice' } | undefined;
}

export type DeliveryState = 'queued' | 'sent' | 'logged' | 'failed';

export interface DeliveryRow {
  id: number;
  noticeId: number;
  channel: string;
  state: DeliveryState;
  attempts: number;
  nextAt: string;
  lastError?: string | undefined;
  sentAt?: string | undefined;
}

/** A delivery as officials list it, with the notice it belongs to. */
export interface SessionDeliveryRow extends DeliveryRow {
  reference: string;
  change: NoticeChange;
  createdAt: string;
}

/** A change decided on the current row. `undefined` fields are left as they are; `null` clears. */
export interface SessionUpdate {
  at: string;
  facts?: Partial<Omit<ReceptionSessionInput, 'unit'>>;
  state?: SessionState;
  notice?: Message | null;
  reason?: string | null;
  postponedFrom?: { startsAt: string; endsAt: string } | null;
  publishedAt?: string;
  /** Queue one notice per booked citizen, keyed by the new sequence. */
  notify?: { change: NoticeChange; body: (session: OfficialSession) => NoticeBody };
}

export interface BookingRow {
  reference: string;
  sessionId: string;
  status: 'booked' | 'cancelled';
  bookedAt: string;
  cancelledAt?: string;
  slotAt?: string;
  invited: boolean;
  attendance?: Attendance;
  invitationNote?: string;
  /** Taken before screening (from the form's preferred session or the citizen's own booking): see bookings.ts. */
  provisional: boolean;
  /** The join token, sealed with the reference as associated data (schedule/bookings.ts). */
  joinTokenSealed?: Buffer;
}

export interface SessionBookingRow extends BookingRow {
  kind: MatterKind;
  state: RegistrationState;
  displayName: string;
  summary: string;
  sealed?: Buffer | undefined;
  clientId: string;
}

export type BookResult =
  | { status: 'booked'; booking: BookingRow }
  | { status: 'full' | 'not_open' | 'already_booked' | 'not_booked' | 'not_found' | 'answered' | 'limit' };

/** Places taken before screening: at most `share` of a session's capacity, and `perPhone` per phone (0: any). */
export interface ProvisionalRule {
  share: number;
  perPhone: number;
}

export interface InviteChange {
  sessionId: string;
  reference: string;
  slotAt: string;
  tokenHash: string;
  tokenSealed: Buffer;
  at: string;
  by: string;
  publicNote?: string | undefined;
  attendance: Attendance;
  /** The invitation notice, queued in the same transaction; `seal(aad)` encrypts the join link for it. */
  notice: { body: NoticeBody; seal: (associatedData: string) => Buffer };
}

export type InviteResult =
  | { status: 'ok'; booking: BookingRow; noticeId: number }
  | { status: 'not_found' | 'invalid_transition' | 'full' | 'not_open' };

export interface PendingNotice {
  id: number;
  sessionId: string;
  reference: string;
  sequence: number;
  change: NoticeChange;
  body: NoticeBody;
  /** The sealed secret (an invitation's join link) and the associated data it was sealed with. */
  sealed?: { blob: Buffer; associatedData: string } | undefined;
  createdAt: string;
  deliveries: DeliveryRow[];
}

/** The associated data an invitation's sealed link is bound to: its notice's unique key. */
export const noticeKey = (n: { sessionId: string; reference: string; change: NoticeChange; sequence: number }) => `${n.sessionId}.${n.reference}.${n.change}.${n.sequence}`;

export interface ScheduleStore {
  createSession(session: NewSession): Promise<OfficialSession>;
  /** The series and all its sessions, or nothing. */
  createSeries(series: NewSeries, sessions: NewSession[]): Promise<OfficialSession[]>;
  getSession(id: string): Promise<OfficialSession | undefined>;
  /** Sessions of a unit starting in [fromUtc, toUtc), by start time; drafts only when asked. */
  listSessions(unit: string, fromUtc: string, toUtc: string, includeDrafts: boolean): Promise<OfficialSession[]>;
  /**
   * Applies `decide(current)` in one transaction: sequence + 1, and the notices it asks for. `decide` may throw
   * to refuse (nothing is written). Undefined when there is no such session.
   */
  updateSession(id: string, decide: (current: OfficialSession) => SessionUpdate): Promise<{ session: OfficialSession; noticesQueued: number } | undefined>;
  /** Takes a place (or, with `move`, moves the active one) if the session is open and not full. */
  book(reference: string, sessionId: string, at: string, move: boolean): Promise<BookResult>;
  /** Frees the active place; undefined when there was none. An invited registration goes back to "screened". */
  cancelBooking(reference: string, at: string): Promise<BookingRow | undefined>;
  /** The active booking, else the latest cancelled one. */
  findBooking(reference: string): Promise<BookingRow | undefined>;
  findBookingByTokenHash(tokenHash: string): Promise<BookingRow | undefined>;
  listBookings(sessionId: string): Promise<SessionBookingRow[]>;
  /**
   * In one transaction: takes a place in the session when the registration has none there (moving it from
   * another session), sets the slot, attendance and join token hash, moves the registration to "invited", and
   * queues the invitation notice.
   */
  invite(change: InviteChange): Promise<InviteResult>;
  /** Notices not yet settled with an id above `afterId`, oldest first, with their deliveries. */
  pendingNotices(limit: number, afterId?: number): Promise<PendingNotice[]>;
  /** Adds one queued delivery per channel (an existing one is kept); `failed` adds it already failed. */
  planDeliveries(noticeId: number, channels: string[], at: string, failed?: string): Promise<void>;
  /**
   * The dispatcher's decision to send a delivery (issue 13): true while it is still queued. With `fence` (the
   * dispatcher's lease, store/fences.ts) the fence's rule runs first in the same transaction, and a later holder
   * having passed it throws FenceRefusedError with nothing changed: a stale dispatcher sends nothing more.
   */
  claimDelivery(deliveryId: number, fence?: Fence): Promise<boolean>;
  /** Records an attempt. Only a queued delivery changes; with `fence`, as claimDelivery (refused: nothing written). */
  recordAttempt(deliveryId: number, outcome: { state: DeliveryState; at: string; nextAt?: string; error?: string }, fence?: Fence): Promise<void>;
  /** Sets the notice's sent_at when no delivery is queued any more. */
  settleNotice(noticeId: number, at: string): Promise<void>;
  /** The earliest next attempt of a queued delivery, if any. */
  nextAttemptAt(): Promise<string | undefined>;
  /** Notices of a session (one registration's when given) that have no delivery planned yet. */
  undispatchedNotices(sessionId: string, reference?: string): Promise<{ reference: string; change: NoticeChange; createdAt: string }[]>;
  /** Deliveries of a session's notices (one registration's when given), newest notice first. */
  listDeliveries(sessionId: string, reference?: string): Promise<SessionDeliveryRow[]>;
}

export type { SubmitBooking };
