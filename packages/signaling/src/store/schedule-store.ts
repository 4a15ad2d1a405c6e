/**
 * What the schedule routes need from storage (sessions, series, bookings, the notice outbox), as a narrow async
 * interface so a PostgreSQL store can follow. Decisions that need the current row (is this state change
 * allowed? may the capacity shrink?) are passed in as `decide` callbacks that run inside the store's
 * transaction: the check and the write cannot interleave with another request.
 */
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

export type NoticeChange = 'cancelled' | 'postponed' | 'time_changed';

/** What a notice says; the same for every booked citizen of one change. No contact data. */
export interface NoticeBody {
  message: Message;
  session: { id: string; unit: string; venue: string; startsAt: string; endsAt: string; state: SessionState; notice?: Message | undefined };
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
  | { status: 'full' | 'not_open' | 'already_booked' | 'not_booked' | 'not_found' | 'answered' };

export interface InviteChange {
  sessionId: string;
  reference: string;
  slotAt: string;
  tokenHash: string;
  at: string;
  by: string;
  publicNote?: string | undefined;
}

export interface PendingNotice {
  id: number;
  sessionId: string;
  reference: string;
  sequence: number;
  change: NoticeChange;
  channel: string;
  body: NoticeBody;
  createdAt: string;
  attempts: number;
}

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
  /** Sets the slot and the join token hash and moves the registration to "invited", atomically. */
  invite(change: InviteChange): Promise<'ok' | 'not_booked' | 'invalid_transition'>;
  pendingNotices(limit: number): Promise<PendingNotice[]>;
  /** False when it was already marked (another dispatcher got there first). */
  markNoticeSent(id: number, at: string): Promise<boolean>;
  markNoticeFailed(id: number, error: string): Promise<void>;
}

export type { SubmitBooking };
