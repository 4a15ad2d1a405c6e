/**
 * The schedule's SQL (sessions, series, bookings, notice outbox) on the SqliteStore's connection. Every write
 * is one `BEGIN IMMEDIATE` transaction: the write lock is taken before the capacity is counted, so two
 * requests (or two processes) can never both see the last free place.
 */
import type Database from 'better-sqlite3';
import { FenceRefusedError, type Fence } from './fences.js';
import { SqliteFences } from './fences-sqlite.js';
import type { Message, OfficialSession, ReceptionSessionInput, SessionState, SubmitBooking } from '@tiepdan/core';
import {
  noticeKey,
  type Attendance,
  type BookingRow,
  type BookResult,
  type DeliveryRow,
  type DeliveryState,
  type InviteChange,
  type InviteResult,
  type ProvisionalRule,
  type SessionDeliveryRow,
} from './schedule-store.js';
import type {
  NewSeries,
  NewSession,
  NoticeBody,
  NoticeChange,
  PendingNotice,
  ScheduleStore,
  SessionBookingRow,
  SessionUpdate,
} from './schedule-store.js';

/** notices.channel for rows since schema 5: the deliveries name their channels, chosen when first dispatched. */
export const DEFAULT_NOTICE_CHANNEL = 'auto';

/** Places registrations not yet screened may hold (issue 12 item 4): share of a session, and per phone. */
export const DEFAULT_PROVISIONAL: ProvisionalRule = { share: 0.5, perPhone: 1 };

export interface SessionRecord {
  id: string;
  unit: string;
  series_id: string | null;
  facts: string;
  starts_at: string;
  ends_at: string;
  capacity: number;
  state: string;
  sequence: number;
  notice: string | null;
  reason: string | null;
  postponed_from: string | null;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  booked: number;
}

export interface BookingRecord {
  id: number;
  reference: string;
  session_id: string;
  status: 'booked' | 'cancelled';
  booked_at: string;
  cancelled_at: string | null;
  slot_at: string | null;
  join_token_hash: string | null;
  attendance: string | null;
  invitation_note: string | null;
  provisional: number;
  join_token_sealed: Buffer | null;
}

export type Facts = Omit<ReceptionSessionInput, 'unit' | 'startsAt' | 'endsAt' | 'capacity'>;

const SESSION_COLUMNS = `s.*, (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status = 'booked') AS booked`;
const BOOKING_COLUMNS = 'b.id, r.reference, b.session_id, b.status, b.booked_at, b.cancelled_at, b.slot_at, b.join_token_hash, b.attendance, b.invitation_note, b.provisional, b.join_token_sealed';

export interface DeliveryRecord {
  id: number;
  notice_id: number;
  channel: string;
  state: DeliveryState;
  attempts: number;
  next_at: string;
  last_error: string | null;
  sent_at: string | null;
}

export class SqliteScheduleStore implements ScheduleStore {
  /**
   * @param provisional how many places registrations not yet screened may hold: a share of each session's
   *   capacity (the rest is kept for the board's invitations, so junk submissions cannot fill a session) and a
   *   number per phone over all sessions (so one sender cannot take even that share).
   */
  /**
   * Prepared once: every official's hello reads its session (schedule/room-access.ts), and after a restart 1,600
   * of them come within seconds; preparing the statement each time was most of that read's cost.
   */
  private readonly sessionRow: Database.Statement<[string], SessionRecord>;

  constructor(private readonly db: Database.Database, private readonly provisional: ProvisionalRule = DEFAULT_PROVISIONAL) {
    this.sessionRow = db.prepare<[string], SessionRecord>(`SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.id = ?`);
  }

  async createSession(session: NewSession): Promise<OfficialSession> {
    this.db.transaction(() => this.insertSession(session)).immediate();
    return this.sessionById(session.id)!;
  }

  async createSeries(series: NewSeries, sessions: NewSession[]): Promise<OfficialSession[]> {
    this.db
      .transaction(() => {
        this.db
          .prepare(
            `INSERT INTO series (id, unit, template, rule, start_time, end_time, from_date, to_date, created_at, created_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(series.id, series.unit, JSON.stringify(series.template), JSON.stringify(series.rule), series.startTime, series.endTime, series.from, series.to, series.createdAt, series.createdBy ?? null);
        for (const session of sessions) this.insertSession(session);
      })
      .immediate();
    return sessions.map((s) => this.sessionById(s.id)!);
  }

  async getSession(id: string): Promise<OfficialSession | undefined> {
    return this.sessionById(id);
  }

  async listSessions(unit: string, fromUtc: string, toUtc: string, includeDrafts: boolean): Promise<OfficialSession[]> {
    const rows = this.db
      .prepare<[string, string, string], SessionRecord>(
        `SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.unit = ? AND s.starts_at >= ? AND s.starts_at < ?
         ${includeDrafts ? '' : 'AND s.published_at IS NOT NULL'} ORDER BY s.starts_at, s.id`,
      )
      .all(unit, fromUtc, toUtc);
    return rows.map(toSession);
  }

  async updateSession(id: string, decide: (current: OfficialSession) => SessionUpdate): Promise<{ session: OfficialSession; noticesQueued: number } | undefined> {
    const run = this.db.transaction(() => {
      const current = this.sessionById(id);
      if (!current) return undefined;
      const update = decide(current);
      const facts: Facts & Pick<ReceptionSessionInput, 'startsAt' | 'endsAt' | 'capacity'> = { ...current, ...update.facts };
      const next = {
        facts: JSON.stringify(factsOf(facts)),
        starts_at: facts.startsAt,
        ends_at: facts.endsAt,
        capacity: facts.capacity,
        state: update.state ?? current.state,
        notice: update.notice === undefined ? jsonOrNull(current.notice) : jsonOrNull(update.notice),
        reason: update.reason === undefined ? (current.reason ?? null) : update.reason,
        postponed_from: update.postponedFrom === undefined ? jsonOrNull(current.postponedFrom) : jsonOrNull(update.postponedFrom),
        published_at: current.publishedAt ?? update.publishedAt ?? null,
        updated_at: update.at,
        id,
      };
      this.db
        .prepare(
          `UPDATE sessions SET facts = @facts, starts_at = @starts_at, ends_at = @ends_at, capacity = @capacity, state = @state,
             notice = @notice, reason = @reason, postponed_from = @postponed_from, published_at = @published_at,
             updated_at = @updated_at, sequence = sequence + 1 WHERE id = @id`,
        )
        .run(next);
      const session = this.sessionById(id)!;
      let noticesQueued = 0;
      if (update.notify) {
        const body = JSON.stringify(update.notify.body(session));
        const result = this.db
          .prepare(
            `INSERT OR IGNORE INTO notices (session_id, registration_id, change_seq, change, channel, body, created_at)
             SELECT ?, b.registration_id, ?, ?, ?, ?, ? FROM bookings b WHERE b.session_id = ? AND b.status = 'booked'`,
          )
          .run(id, session.sequence, update.notify.change, DEFAULT_NOTICE_CHANNEL, body, update.at, id);
        noticesQueued = result.changes;
      }
      return { session, noticesQueued };
    });
    return run.immediate();
  }

  async book(reference: string, sessionId: string, at: string, move: boolean): Promise<BookResult> {
    const run = this.db.transaction((): BookResult => {
      const registration = this.db.prepare<[string], { id: number; unit: string; state: string; phone_hash: string }>('SELECT id, unit, state, phone_hash FROM registrations WHERE reference = ?').get(reference);
      if (!registration) return { status: 'not_found' };
      if (registration.state === 'answered') return { status: 'answered' };
      const active = this.activeBooking(registration.id);
      if (active && !move) return active.session_id === sessionId ? { status: 'booked', booking: toBooking(active) } : { status: 'already_booked' };
      if (!active && move) return { status: 'not_booked' };
      if (active && active.session_id === sessionId) return { status: 'booked', booking: toBooking(active) };
      const provisional = registration.state === 'received' ? registration : undefined;
      const status = this.takePlace(registration.id, registration.unit, sessionId, at, { provisional, citizen: true }, () => {
        if (active) this.freePlace(active, registration, at, 'moved to another session');
      });
      if (status !== 'booked') return { status };
      return { status: 'booked', booking: toBooking(this.activeBooking(registration.id)!) };
    });
    return run.immediate();
  }

  /**
   * Books inside the caller's transaction (the registration insert). Must run within `db.transaction`.
   * Records the outcome on the registration, so the submission's replay reports the same.
   */
  bookWithinInsert(registrationId: number, unit: string, sessionId: string, at: string, phoneHash: string): SubmitBooking {
    const status = this.takePlace(registrationId, unit, sessionId, at, { provisional: { id: registrationId, phone_hash: phoneHash }, citizen: true });
    const booking: SubmitBooking = { sessionId, status };
    if (status === 'booked') {
      const times = this.db.prepare<[string], { starts_at: string; ends_at: string }>('SELECT starts_at, ends_at FROM sessions WHERE id = ?').get(sessionId)!;
      booking.startsAt = times.starts_at;
      booking.endsAt = times.ends_at;
    }
    this.db.prepare('UPDATE registrations SET submit_booking = ? WHERE id = ?').run(JSON.stringify(booking), registrationId);
    return booking;
  }

  async cancelBooking(reference: string, at: string): Promise<BookingRow | undefined> {
    const run = this.db.transaction(() => {
      const registration = this.db.prepare<[string], { id: number; state: string }>('SELECT id, state FROM registrations WHERE reference = ?').get(reference);
      const active = registration && this.activeBooking(registration.id);
      if (!registration || !active) return undefined;
      this.freePlace(active, registration, at, 'booking cancelled by the citizen');
      return toBooking(this.bookingById(active.id)!);
    });
    return run.immediate();
  }

  async findBooking(reference: string): Promise<BookingRow | undefined> {
    const row = this.db
      .prepare<[string], BookingRecord>(
        `SELECT ${BOOKING_COLUMNS} FROM bookings b JOIN registrations r ON r.id = b.registration_id
         WHERE r.reference = ? ORDER BY b.status = 'booked' DESC, b.id DESC LIMIT 1`,
      )
      .get(reference);
    return row && toBooking(row);
  }

  async findBookingByTokenHash(tokenHash: string): Promise<BookingRow | undefined> {
    const row = this.db
      .prepare<[string], BookingRecord>(`SELECT ${BOOKING_COLUMNS} FROM bookings b JOIN registrations r ON r.id = b.registration_id WHERE b.join_token_hash = ?`)
      .get(tokenHash);
    return row && toBooking(row);
  }

  async listBookings(sessionId: string): Promise<SessionBookingRow[]> {
    const rows = this.db
      .prepare<[string], SessionBookingRecord>(
        `SELECT ${BOOKING_COLUMNS}, r.kind, r.state, r.display_name, r.summary, r.sealed, r.client_id
         FROM bookings b JOIN registrations r ON r.id = b.registration_id
         WHERE b.session_id = ? AND b.status = 'booked' ORDER BY COALESCE(b.slot_at, b.booked_at), b.id`,
      )
      .all(sessionId);
    return rows.map(toSessionBooking);
  }

  async invite(change: InviteChange): Promise<InviteResult> {
    const run = this.db.transaction((): InviteResult => {
      const registration = this.db.prepare<[string], { id: number; unit: string; state: string }>('SELECT id, unit, state FROM registrations WHERE reference = ?').get(change.reference);
      if (!registration) return { status: 'not_found' };
      if (registration.state !== 'screened' && registration.state !== 'invited') return { status: 'invalid_transition' };
      let active = this.activeBooking(registration.id);
      if (!active || active.session_id !== change.sessionId) {
        const previous = active;
        const taken = this.takePlace(registration.id, registration.unit, change.sessionId, change.at, { invitation: true }, () => {
          if (previous) this.freePlace(previous, { id: registration.id, state: 'screened' }, change.at, 'moved by the invitation');
        });
        if (taken !== 'booked') return { status: taken === 'limit' ? 'full' : taken };
        active = this.activeBooking(registration.id)!;
      }
      this.db
        .prepare('UPDATE bookings SET slot_at = ?, join_token_hash = ?, join_token_sealed = ?, invited_at = ?, attendance = ?, invitation_note = ?, provisional = 0 WHERE id = ?')
        .run(change.slotAt, change.tokenHash, change.tokenSealed, change.at, JSON.stringify(change.attendance), change.publicNote ?? null, active.id);
      this.db.prepare("UPDATE registrations SET state = 'invited', updated_at = ? WHERE id = ?").run(change.at, registration.id);
      this.db
        .prepare('INSERT INTO history (registration_id, state, at, by, reason, outcome, public_note) VALUES (?, ?, ?, ?, ?, NULL, ?)')
        .run(registration.id, 'invited', change.at, change.by, `invited to session ${change.sessionId} at ${change.slotAt}`, change.publicNote ?? null);
      // The invitation's number for this registration and session: the notice's key, so a re-invitation is told too.
      const sequence =
        1 + this.db.prepare<[string, number], number>("SELECT COUNT(*) FROM notices WHERE session_id = ? AND registration_id = ? AND change = 'invited'").pluck().get(change.sessionId, registration.id)!;
      const key = noticeKey({ sessionId: change.sessionId, reference: change.reference, change: 'invited', sequence });
      const noticeId = Number(
        this.db
          .prepare(`INSERT INTO notices (session_id, registration_id, change_seq, change, channel, body, sealed, created_at) VALUES (?, ?, ?, 'invited', ?, ?, ?, ?)`)
          .run(change.sessionId, registration.id, sequence, DEFAULT_NOTICE_CHANNEL, JSON.stringify(change.notice.body), change.notice.seal(key), change.at).lastInsertRowid,
      );
      return { status: 'ok', booking: toBooking(this.bookingById(active.id)!), noticeId };
    });
    return run.immediate();
  }

  async pendingNotices(limit: number, afterId = 0): Promise<PendingNotice[]> {
    const rows = this.db
      .prepare<[number, number], PendingNoticeRecord>(
        `SELECT n.id, n.session_id, r.reference, n.change_seq, n.change, n.body, n.sealed, n.created_at
         FROM notices n JOIN registrations r ON r.id = n.registration_id WHERE n.sent_at IS NULL AND n.id > ? ORDER BY n.id LIMIT ?`,
      )
      .all(afterId, limit);
    const deliveries = this.db.prepare<[number], DeliveryRecord>('SELECT * FROM notice_deliveries WHERE notice_id = ? ORDER BY id');
    return rows.map((n) => toPendingNotice(n, deliveries.all(n.id)));
  }

  async planDeliveries(noticeId: number, channels: string[], at: string, failed?: string): Promise<void> {
    const insert = this.db.prepare('INSERT OR IGNORE INTO notice_deliveries (notice_id, channel, state, next_at, last_error) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const channel of channels) insert.run(noticeId, channel, failed ? 'failed' : 'queued', at, failed ?? null);
    })();
  }

  async claimDelivery(deliveryId: number, fence?: Fence): Promise<boolean> {
    // IMMEDIATE: the fence is raised and the state read under the write lock, so a later holder's claim waits for it.
    return this.db
      .transaction(() => {
        if (fence && !this.fences().passNow(fence)) throw new FenceRefusedError(fence);
        return this.db.prepare<[number], string>('SELECT state FROM notice_deliveries WHERE id = ?').pluck().get(deliveryId) === 'queued';
      })
      .immediate();
  }

  async recordAttempt(deliveryId: number, outcome: { state: DeliveryState; at: string; nextAt?: string; error?: string }, fence?: Fence): Promise<void> {
    this.db
      .transaction(() => {
        if (fence && !this.fences().passNow(fence)) throw new FenceRefusedError(fence);
        this.db
          .prepare(
            `UPDATE notice_deliveries SET state = ?, attempts = attempts + 1, next_at = ?, last_error = ?, sent_at = ?
             WHERE id = ? AND state = 'queued'`,
          )
          .run(outcome.state, outcome.nextAt ?? outcome.at, outcome.error?.slice(0, 500) ?? null, outcome.state === 'sent' || outcome.state === 'logged' ? outcome.at : null, deliveryId);
      })
      .immediate();
  }

  /** Prepared on first use: the job_fences table is created by a later migration than this store's tables. */
  private fenceStatements: SqliteFences | undefined;
  private fences(): SqliteFences {
    return (this.fenceStatements ??= new SqliteFences(this.db));
  }

  async settleNotice(noticeId: number, at: string): Promise<void> {
    this.db
      .prepare(
        `UPDATE notices SET sent_at = ? WHERE id = ? AND sent_at IS NULL
           AND EXISTS (SELECT 1 FROM notice_deliveries d WHERE d.notice_id = notices.id)
           AND NOT EXISTS (SELECT 1 FROM notice_deliveries d WHERE d.notice_id = notices.id AND d.state = 'queued')`,
      )
      .run(at, noticeId);
  }

  async nextAttemptAt(): Promise<string | undefined> {
    return this.db.prepare<[], string | null>("SELECT MIN(next_at) FROM notice_deliveries WHERE state = 'queued'").pluck().get() ?? undefined;
  }

  async undispatchedNotices(sessionId: string, reference?: string): Promise<{ reference: string; change: NoticeChange; createdAt: string }[]> {
    return this.db
      .prepare<[string, string | null, string | null], { reference: string; change: NoticeChange; created_at: string }>(
        `SELECT r.reference, n.change, n.created_at FROM notices n JOIN registrations r ON r.id = n.registration_id
         WHERE n.session_id = ? AND (? IS NULL OR r.reference = ?)
           AND NOT EXISTS (SELECT 1 FROM notice_deliveries d WHERE d.notice_id = n.id) ORDER BY n.id DESC`,
      )
      .all(sessionId, reference ?? null, reference ?? null)
      .map((r) => ({ reference: r.reference, change: r.change, createdAt: r.created_at }));
  }

  async listDeliveries(sessionId: string, reference?: string): Promise<SessionDeliveryRow[]> {
    const rows = this.db
      .prepare<[string, string | null, string | null], DeliveryRecord & { reference: string; change: string; created_at: string }>(
        `SELECT d.*, r.reference, n.change, n.created_at FROM notice_deliveries d
         JOIN notices n ON n.id = d.notice_id JOIN registrations r ON r.id = n.registration_id
         WHERE n.session_id = ? AND (? IS NULL OR r.reference = ?) ORDER BY n.id DESC, d.id`,
      )
      .all(sessionId, reference ?? null, reference ?? null);
    return rows.map((r) => ({ ...toDelivery(r), reference: r.reference, change: r.change as NoticeChange, createdAt: r.created_at }));
  }

  /**
   * The capacity check and the insert, in the caller's transaction. A citizen's place (the form's preferred
   * session, or /bookings) must be in a session that has not started. A place taken before screening is
   * provisional: such places may fill at most `provisionalShare` of the capacity, and one phone holds at most
   * one of them at a time — the rest of the session stays for the board's invitations.
   */
  private takePlace(
    registrationId: number,
    unit: string,
    sessionId: string,
    at: string,
    who: { citizen?: boolean; invitation?: boolean; provisional?: { id: number; phone_hash: string } | undefined },
    beforeInsert?: () => void,
  ): SubmitBooking['status'] {
    const session = this.db.prepare<[string], { unit: string; state: string; capacity: number; starts_at: string }>('SELECT unit, state, capacity, starts_at FROM sessions WHERE id = ?').get(sessionId);
    if (!session || session.unit !== unit) return 'not_open';
    if (who.invitation ? !['open', 'closed', 'in_progress', 'postponed'].includes(session.state) : session.state !== 'open' || session.starts_at <= at) return 'not_open';
    const taken = this.db.prepare<[string], number>("SELECT COUNT(*) FROM bookings WHERE session_id = ? AND status = 'booked'").pluck().get(sessionId)!;
    if (taken >= session.capacity) return 'full';
    if (who.provisional) {
      const held = this.db.prepare<[string], number>("SELECT COUNT(*) FROM bookings WHERE session_id = ? AND status = 'booked' AND provisional = 1").pluck().get(sessionId)!;
      if (held >= Math.floor(session.capacity * this.provisional.share)) return 'full';
      const samePhone = this.db
        .prepare<[string, number], number>(
          `SELECT COUNT(*) FROM bookings b JOIN registrations r ON r.id = b.registration_id
           WHERE b.status = 'booked' AND b.provisional = 1 AND r.phone_hash = ? AND r.id <> ?`,
        )
        .pluck()
        .get(who.provisional.phone_hash, registrationId)!;
      if (this.provisional.perPhone > 0 && samePhone >= this.provisional.perPhone) return 'limit';
    }
    beforeInsert?.();
    this.db.prepare("INSERT INTO bookings (session_id, registration_id, status, booked_at, provisional) VALUES (?, ?, 'booked', ?, ?)").run(sessionId, registrationId, at, who.provisional ? 1 : 0);
    return 'booked';
  }

  /** Cancels a booking; an invitation it carried is void, so an invited registration goes back to "screened". */
  private freePlace(active: BookingRecord, registration: { id: number; state: string }, at: string, why: string): void {
    this.db.prepare("UPDATE bookings SET status = 'cancelled', cancelled_at = ?, join_token_hash = NULL, join_token_sealed = NULL WHERE id = ?").run(at, active.id);
    if (registration.state === 'invited') {
      this.db.prepare("UPDATE registrations SET state = 'screened', updated_at = ? WHERE id = ?").run(at, registration.id);
      this.db.prepare("INSERT INTO history (registration_id, state, at, reason) VALUES (?, 'screened', ?, ?)").run(registration.id, at, why);
    }
  }

  private activeBooking(registrationId: number): BookingRecord | undefined {
    return this.db
      .prepare<[number], BookingRecord>(`SELECT ${BOOKING_COLUMNS} FROM bookings b JOIN registrations r ON r.id = b.registration_id WHERE b.registration_id = ? AND b.status = 'booked'`)
      .get(registrationId);
  }

  private bookingById(id: number): BookingRecord | undefined {
    return this.db.prepare<[number], BookingRecord>(`SELECT ${BOOKING_COLUMNS} FROM bookings b JOIN registrations r ON r.id = b.registration_id WHERE b.id = ?`).get(id);
  }

  private sessionById(id: string): OfficialSession | undefined {
    const row = this.sessionRow.get(id);
    return row && toSession(row);
  }

  private insertSession(s: NewSession): void {
    this.db
      .prepare(
        `INSERT INTO sessions (id, unit, series_id, facts, starts_at, ends_at, capacity, state, sequence, created_at, updated_at, published_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
      )
      .run(s.id, s.unit, s.seriesId ?? null, JSON.stringify(factsOf(s)), s.startsAt, s.endsAt, s.capacity, s.state, s.createdAt, s.createdAt, s.publishedAt ?? null);
  }
}

export function factsOf(s: Facts): Facts {
  const facts: Facts = { kind: s.kind, host: s.host, level: s.level, venue: s.venue, connectionPoints: s.connectionPoints, remoteAllowed: s.remoteAllowed };
  if (s.unscheduledReason !== undefined && s.kind === 'unscheduled') facts.unscheduledReason = s.unscheduledReason;
  return facts;
}

export function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export function toSession(r: SessionRecord): OfficialSession {
  const facts = JSON.parse(r.facts) as Facts;
  const session: OfficialSession = {
    id: r.id,
    unit: r.unit,
    ...facts,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    capacity: r.capacity,
    state: r.state as SessionState,
    placesLeft: Math.max(0, r.capacity - r.booked),
    sequence: r.sequence,
    updatedAt: r.updated_at,
    booked: r.booked,
    createdAt: r.created_at,
  };
  if (r.series_id !== null) session.seriesId = r.series_id;
  if (r.notice !== null) session.notice = JSON.parse(r.notice) as Message;
  if (r.reason !== null) session.reason = r.reason;
  if (r.postponed_from !== null) session.postponedFrom = JSON.parse(r.postponed_from) as { startsAt: string; endsAt: string };
  if (r.published_at !== null) session.publishedAt = r.published_at;
  return session;
}

export function toBooking(r: BookingRecord): BookingRow {
  const booking: BookingRow = { reference: r.reference, sessionId: r.session_id, status: r.status, bookedAt: r.booked_at, invited: r.join_token_hash !== null, provisional: r.provisional === 1 };
  if (r.cancelled_at !== null) booking.cancelledAt = r.cancelled_at;
  if (r.slot_at !== null) booking.slotAt = r.slot_at;
  if (r.attendance !== null) booking.attendance = JSON.parse(r.attendance) as Attendance;
  if (r.invitation_note !== null) booking.invitationNote = r.invitation_note;
  if (r.join_token_sealed) booking.joinTokenSealed = r.join_token_sealed;
  return booking;
}

/** A booking with what the session's list shows of its registration (the `r.*` columns of that join). */
export type SessionBookingRecord = BookingRecord & { kind: string; state: string; display_name: string; summary: string; sealed: Buffer | null; client_id: string };

export function toSessionBooking(r: SessionBookingRecord): SessionBookingRow {
  return {
    ...toBooking(r),
    kind: r.kind as SessionBookingRow['kind'],
    state: r.state as SessionBookingRow['state'],
    displayName: r.display_name,
    summary: r.summary,
    sealed: r.sealed ?? undefined,
    clientId: r.client_id,
  };
}

/** A notice not yet sent, as the pending-notices query returns it (its registration's reference joined). */
export type PendingNoticeRecord = { id: number; session_id: string; reference: string; change_seq: number; change: string; body: string; sealed: Buffer | null; created_at: string };

export function toPendingNotice(n: PendingNoticeRecord, deliveries: DeliveryRecord[]): PendingNotice {
  const notice: PendingNotice = {
    id: n.id,
    sessionId: n.session_id,
    reference: n.reference,
    sequence: n.change_seq,
    change: n.change as NoticeChange,
    body: JSON.parse(n.body) as NoticeBody,
    createdAt: n.created_at,
    deliveries: deliveries.map(toDelivery),
  };
  // The sealed contact is bound to this notice: opened only with the notice's own key as associated data.
  if (n.sealed) notice.sealed = { blob: n.sealed, associatedData: noticeKey(notice) };
  return notice;
}

export function toDelivery(r: DeliveryRecord): DeliveryRow {
  const row: DeliveryRow = { id: r.id, noticeId: r.notice_id, channel: r.channel, state: r.state, attempts: r.attempts, nextAt: r.next_at };
  if (r.last_error !== null) row.lastError = r.last_error;
  if (r.sent_at !== null) row.sentAt = r.sent_at;
  return row;
}
