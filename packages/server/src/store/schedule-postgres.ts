/**
 * The schedule on PostgreSQL (store/schedule-store.ts), the same rules as store/schedule-sqlite.ts. Where SQLite
 * takes the one write lock (BEGIN IMMEDIATE), each decision here locks the rows it decides on: the session row
 * before its places are counted (so no two transactions, on any node, both take the last place), the
 * registration row before its booking changes, and an advisory lock on the phone before its provisional places
 * are counted across sessions.
 */
import type { Pool } from 'pg';
import type { OfficialSession, ReceptionSessionInput, SubmitBooking } from '@tiepdan/core';
import {
  DEFAULT_NOTICE_CHANNEL,
  DEFAULT_PROVISIONAL,
  factsOf,
  jsonOrNull,
  toBooking,
  toDelivery,
  toPendingNotice,
  toSessionBooking,
  toSession,
  type BookingRecord,
  type DeliveryRecord,
  type Facts,
  type PendingNoticeRecord,
  type SessionBookingRecord,
  type SessionRecord,
} from './schedule-sqlite.js';
import {
  noticeKey,
  type BookingRow,
  type BookResult,
  type DeliveryState,
  type InviteChange,
  type InviteResult,
  type NewSeries,
  type NewSession,
  type NoticeChange,
  type PendingNotice,
  type ProvisionalRule,
  type ScheduleStore,
  type SessionBookingRow,
  type SessionDeliveryRow,
  type SessionUpdate,
} from './schedule-store.js';
import { all, inTransaction, one, type Tx } from './tx-postgres.js';
import { FenceRefusedError, type Fence } from './fences.js';
import { passFence } from './fences-postgres.js';

const SESSION_COLUMNS = `s.*, (SELECT COUNT(*)::int FROM bookings b WHERE b.session_id = s.id AND b.status = 'booked') AS booked`;
const BOOKING_COLUMNS =
  'b.id, r.reference, b.session_id, b.status, b.booked_at, b.cancelled_at, b.slot_at, b.join_token_hash, b.attendance, b.invitation_note, b.provisional::int AS provisional, b.join_token_sealed';

interface RegistrationLock {
  id: number;
  unit: string;
  state: string;
  phone_hash: string;
}

export class PostgresScheduleStore implements ScheduleStore {
  constructor(
    private readonly pool: Pool,
    private readonly provisional: ProvisionalRule = DEFAULT_PROVISIONAL,
  ) {}

  async createSession(session: NewSession): Promise<OfficialSession> {
    await inTransaction(this.pool, (tx) => insertSession(tx, session));
    return (await sessionById(this.pool, session.id))!;
  }

  async createSeries(series: NewSeries, sessions: NewSession[]): Promise<OfficialSession[]> {
    await inTransaction(this.pool, async (tx) => {
      await tx.query(
        `INSERT INTO series (id, unit, template, rule, start_time, end_time, from_date, to_date, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [series.id, series.unit, JSON.stringify(series.template), JSON.stringify(series.rule), series.startTime, series.endTime, series.from, series.to, series.createdAt, series.createdBy ?? null],
      );
      for (const session of sessions) await insertSession(tx, session);
    });
    return Promise.all(sessions.map(async (s) => (await sessionById(this.pool, s.id))!));
  }

  async getSession(id: string): Promise<OfficialSession | undefined> {
    return sessionById(this.pool, id);
  }

  async listSessions(unit: string, fromUtc: string, toUtc: string, includeDrafts: boolean): Promise<OfficialSession[]> {
    const rows = await all<SessionRecord>(
      this.pool,
      `SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.unit = $1 AND s.starts_at >= $2 AND s.starts_at < $3
       ${includeDrafts ? '' : 'AND s.published_at IS NOT NULL'} ORDER BY s.starts_at, s.id`,
      [unit, fromUtc, toUtc],
    );
    return rows.map(toSession);
  }

  async updateSession(id: string, decide: (current: OfficialSession) => SessionUpdate): Promise<{ session: OfficialSession; noticesQueued: number } | undefined> {
    return inTransaction(this.pool, async (tx) => {
      const current = await sessionById(tx, id, true);
      if (!current) return undefined;
      const update = decide(current);
      const facts: Facts & Pick<ReceptionSessionInput, 'startsAt' | 'endsAt' | 'capacity'> = { ...current, ...update.facts };
      await tx.query(
        `UPDATE sessions SET facts = $1, starts_at = $2, ends_at = $3, capacity = $4, state = $5, notice = $6, reason = $7,
           postponed_from = $8, published_at = $9, updated_at = $10, sequence = sequence + 1 WHERE id = $11`,
        [
          JSON.stringify(factsOf(facts)),
          facts.startsAt,
          facts.endsAt,
          facts.capacity,
          update.state ?? current.state,
          update.notice === undefined ? jsonOrNull(current.notice) : jsonOrNull(update.notice),
          update.reason === undefined ? (current.reason ?? null) : update.reason,
          update.postponedFrom === undefined ? jsonOrNull(current.postponedFrom) : jsonOrNull(update.postponedFrom),
          current.publishedAt ?? update.publishedAt ?? null,
          update.at,
          id,
        ],
      );
      const session = (await sessionById(tx, id))!;
      let noticesQueued = 0;
      if (update.notify) {
        const result = await tx.query(
          `INSERT INTO notices (session_id, registration_id, change_seq, change, channel, body, created_at)
           SELECT $1, b.registration_id, $2, $3, $4, $5, $6 FROM bookings b WHERE b.session_id = $1 AND b.status = 'booked'
           ON CONFLICT DO NOTHING`,
          [id, session.sequence, update.notify.change, DEFAULT_NOTICE_CHANNEL, JSON.stringify(update.notify.body(session)), update.at],
        );
        noticesQueued = result.rowCount ?? 0;
      }
      return { session, noticesQueued };
    });
  }

  async book(reference: string, sessionId: string, at: string, move: boolean): Promise<BookResult> {
    return inTransaction(this.pool, async (tx): Promise<BookResult> => {
      const registration = await one<RegistrationLock>(tx, 'SELECT id, unit, state, phone_hash FROM registrations WHERE reference = $1 FOR UPDATE', [reference]);
      if (!registration) return { status: 'not_found' };
      if (registration.state === 'answered') return { status: 'answered' };
      const active = await activeBooking(tx, registration.id);
      if (active && !move) return active.session_id === sessionId ? { status: 'booked', booking: toBooking(active) } : { status: 'already_booked' };
      if (!active && move) return { status: 'not_booked' };
      if (active && active.session_id === sessionId) return { status: 'booked', booking: toBooking(active) };
      const provisional = registration.state === 'received' ? registration : undefined;
      const status = await this.takePlace(tx, registration.id, registration.unit, sessionId, at, { provisional }, async () => {
        if (active) await freePlace(tx, active, registration, at, 'moved to another session');
      });
      if (status !== 'booked') return { status };
      return { status: 'booked', booking: toBooking((await activeBooking(tx, registration.id))!) };
    });
  }

  /** Books inside the registration insert's transaction, and records the outcome for the submission's replay. */
  async bookWithinInsert(tx: Tx, registrationId: number, unit: string, sessionId: string, at: string, phoneHash: string): Promise<SubmitBooking> {
    const status = await this.takePlace(tx, registrationId, unit, sessionId, at, { provisional: { id: registrationId, phone_hash: phoneHash } });
    const booking: SubmitBooking = { sessionId, status };
    if (status === 'booked') {
      const times = (await one<{ starts_at: string; ends_at: string }>(tx, 'SELECT starts_at, ends_at FROM sessions WHERE id = $1', [sessionId]))!;
      booking.startsAt = times.starts_at;
      booking.endsAt = times.ends_at;
    }
    await tx.query('UPDATE registrations SET submit_booking = $1 WHERE id = $2', [JSON.stringify(booking), registrationId]);
    return booking;
  }

  async cancelBooking(reference: string, at: string): Promise<BookingRow | undefined> {
    return inTransaction(this.pool, async (tx) => {
      const registration = await one<{ id: number; state: string }>(tx, 'SELECT id, state FROM registrations WHERE reference = $1 FOR UPDATE', [reference]);
      const active = registration && (await activeBooking(tx, registration.id));
      if (!registration || !active) return undefined;
      await freePlace(tx, active, registration, at, 'booking cancelled by the citizen');
      return toBooking((await bookingById(tx, active.id))!);
    });
  }

  async findBooking(reference: string): Promise<BookingRow | undefined> {
    const row = await one<BookingRecord>(
      this.pool,
      `SELECT ${BOOKING_COLUMNS} FROM bookings b JOIN registrations r ON r.id = b.registration_id
       WHERE r.reference = $1 ORDER BY (b.status = 'booked') DESC, b.id DESC LIMIT 1`,
      [reference],
    );
    return row && toBooking(row);
  }

  async findBookingByTokenHash(tokenHash: string): Promise<BookingRow | undefined> {
    const row = await one<BookingRecord>(this.pool, `SELECT ${BOOKING_COLUMNS} FROM bookings b JOIN registrations r ON r.id = b.registration_id WHERE b.join_token_hash = $1`, [tokenHash]);
    return row && toBooking(row);
  }

  async listBookings(sessionId: string): Promise<SessionBookingRow[]> {
    const rows = await all<SessionBookingRecord>(
      this.pool,
      `SELECT ${BOOKING_COLUMNS}, r.kind, r.state, r.display_name, r.summary, r.sealed, r.client_id
       FROM bookings b JOIN registrations r ON r.id = b.registration_id
       WHERE b.session_id = $1 AND b.status = 'booked' ORDER BY COALESCE(b.slot_at, b.booked_at), b.id`,
      [sessionId],
    );
    return rows.map(toSessionBooking);
  }

  async invite(change: InviteChange): Promise<InviteResult> {
    return inTransaction(this.pool, async (tx): Promise<InviteResult> => {
      const registration = await one<{ id: number; unit: string; state: string }>(tx, 'SELECT id, unit, state FROM registrations WHERE reference = $1 FOR UPDATE', [change.reference]);
      if (!registration) return { status: 'not_found' };
      if (registration.state !== 'screened' && registration.state !== 'invited') return { status: 'invalid_transition' };
      let active = await activeBooking(tx, registration.id);
      if (!active || active.session_id !== change.sessionId) {
        const previous = active;
        const taken = await this.takePlace(tx, registration.id, registration.unit, change.sessionId, change.at, { invitation: true }, async () => {
          if (previous) await freePlace(tx, previous, { id: registration.id, state: 'screened' }, change.at, 'moved by the invitation');
        });
        if (taken !== 'booked') return { status: taken === 'limit' ? 'full' : taken };
        active = (await activeBooking(tx, registration.id))!;
      }
      await tx.query(
        'UPDATE bookings SET slot_at = $1, join_token_hash = $2, join_token_sealed = $3, invited_at = $4, attendance = $5, invitation_note = $6, provisional = false WHERE id = $7',
        [change.slotAt, change.tokenHash, change.tokenSealed, change.at, JSON.stringify(change.attendance), change.publicNote ?? null, active.id],
      );
      await tx.query("UPDATE registrations SET state = 'invited', updated_at = $1 WHERE id = $2", [change.at, registration.id]);
      await tx.query('INSERT INTO history (registration_id, state, at, by, reason, outcome, public_note) VALUES ($1, $2, $3, $4, $5, NULL, $6)', [
        registration.id,
        'invited',
        change.at,
        change.by,
        `invited to session ${change.sessionId} at ${change.slotAt}`,
        change.publicNote ?? null,
      ]);
      const count = (await one<{ n: number }>(tx, "SELECT COUNT(*)::int AS n FROM notices WHERE session_id = $1 AND registration_id = $2 AND change = 'invited'", [change.sessionId, registration.id]))!;
      const sequence = 1 + count.n;
      const key = noticeKey({ sessionId: change.sessionId, reference: change.reference, change: 'invited', sequence });
      const inserted = (await one<{ id: number }>(
        tx,
        `INSERT INTO notices (session_id, registration_id, change_seq, change, channel, body, sealed, created_at) VALUES ($1, $2, $3, 'invited', $4, $5, $6, $7) RETURNING id`,
        [change.sessionId, registration.id, sequence, DEFAULT_NOTICE_CHANNEL, JSON.stringify(change.notice.body), change.notice.seal(key), change.at],
      ))!;
      return { status: 'ok', booking: toBooking((await bookingById(tx, active.id))!), noticeId: inserted.id };
    });
  }

  async pendingNotices(limit: number, afterId = 0): Promise<PendingNotice[]> {
    const rows = await all<PendingNoticeRecord>(
      this.pool,
      `SELECT n.id, n.session_id, r.reference, n.change_seq, n.change, n.body, n.sealed, n.created_at
       FROM notices n JOIN registrations r ON r.id = n.registration_id WHERE n.sent_at IS NULL AND n.id > $1 ORDER BY n.id LIMIT $2`,
      [afterId, limit],
    );
    const deliveries = rows.length ? await all<DeliveryRecord>(this.pool, 'SELECT * FROM notice_deliveries WHERE notice_id = ANY($1) ORDER BY id', [rows.map((r) => r.id)]) : [];
    return rows.map((n) => toPendingNotice(n, deliveries.filter((d) => d.notice_id === n.id)));
  }

  async planDeliveries(noticeId: number, channels: string[], at: string, failed?: string): Promise<void> {
    await inTransaction(this.pool, async (tx) => {
      for (const channel of channels) {
        await tx.query('INSERT INTO notice_deliveries (notice_id, channel, state, next_at, last_error) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
          noticeId,
          channel,
          failed ? 'failed' : 'queued',
          at,
          failed ?? null,
        ]);
      }
    });
  }

  async claimDelivery(deliveryId: number, fence?: Fence): Promise<boolean> {
    return inTransaction(this.pool, async (tx) => {
      // First, so the fence's row stays locked until commit: a later holder's claim waits, then wins.
      if (fence && !(await passFence(tx, fence))) throw new FenceRefusedError(fence);
      return (await one<{ state: string }>(tx, 'SELECT state FROM notice_deliveries WHERE id = $1', [deliveryId]))?.state === 'queued';
    });
  }

  async recordAttempt(deliveryId: number, outcome: { state: DeliveryState; at: string; nextAt?: string; error?: string }, fence?: Fence): Promise<void> {
    await inTransaction(this.pool, async (tx) => {
      if (fence && !(await passFence(tx, fence))) throw new FenceRefusedError(fence);
      await tx.query(
        `UPDATE notice_deliveries SET state = $1, attempts = attempts + 1, next_at = $2, last_error = $3, sent_at = $4 WHERE id = $5 AND state = 'queued'`,
        [outcome.state, outcome.nextAt ?? outcome.at, outcome.error?.slice(0, 500) ?? null, outcome.state === 'sent' || outcome.state === 'logged' ? outcome.at : null, deliveryId],
      );
    });
  }

  async settleNotice(noticeId: number, at: string): Promise<void> {
    await this.pool.query(
      `UPDATE notices SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL
         AND EXISTS (SELECT 1 FROM notice_deliveries d WHERE d.notice_id = notices.id)
         AND NOT EXISTS (SELECT 1 FROM notice_deliveries d WHERE d.notice_id = notices.id AND d.state = 'queued')`,
      [at, noticeId],
    );
  }

  async nextAttemptAt(): Promise<string | undefined> {
    return (await one<{ at: string | null }>(this.pool, "SELECT MIN(next_at) AS at FROM notice_deliveries WHERE state = 'queued'"))?.at ?? undefined;
  }

  async undispatchedNotices(sessionId: string, reference?: string): Promise<{ reference: string; change: NoticeChange; createdAt: string }[]> {
    const rows = await all<{ reference: string; change: NoticeChange; created_at: string }>(
      this.pool,
      `SELECT r.reference, n.change, n.created_at FROM notices n JOIN registrations r ON r.id = n.registration_id
       WHERE n.session_id = $1 AND ($2::text IS NULL OR r.reference = $2)
         AND NOT EXISTS (SELECT 1 FROM notice_deliveries d WHERE d.notice_id = n.id) ORDER BY n.id DESC`,
      [sessionId, reference ?? null],
    );
    return rows.map((r) => ({ reference: r.reference, change: r.change, createdAt: r.created_at }));
  }

  async listDeliveries(sessionId: string, reference?: string): Promise<SessionDeliveryRow[]> {
    const rows = await all<DeliveryRecord & { reference: string; change: string; created_at: string }>(
      this.pool,
      `SELECT d.*, r.reference, n.change, n.created_at FROM notice_deliveries d
       JOIN notices n ON n.id = d.notice_id JOIN registrations r ON r.id = n.registration_id
       WHERE n.session_id = $1 AND ($2::text IS NULL OR r.reference = $2) ORDER BY n.id DESC, d.id`,
      [sessionId, reference ?? null],
    );
    return rows.map((r) => ({ ...toDelivery(r), reference: r.reference, change: r.change as NoticeChange, createdAt: r.created_at }));
  }

  /** The capacity check and the insert, in the caller's transaction, with the session row locked first. */
  private async takePlace(
    tx: Tx,
    registrationId: number,
    unit: string,
    sessionId: string,
    at: string,
    who: { invitation?: boolean; provisional?: { id: number; phone_hash: string } | undefined },
    beforeInsert?: () => Promise<void>,
  ): Promise<SubmitBooking['status']> {
    const session = await one<{ unit: string; state: string; capacity: number; starts_at: string }>(tx, 'SELECT unit, state, capacity, starts_at FROM sessions WHERE id = $1 FOR UPDATE', [sessionId]);
    if (!session || session.unit !== unit) return 'not_open';
    if (who.invitation ? !['open', 'closed', 'in_progress', 'postponed'].includes(session.state) : session.state !== 'open' || session.starts_at <= at) return 'not_open';
    const taken = (await one<{ n: number }>(tx, "SELECT COUNT(*)::int AS n FROM bookings WHERE session_id = $1 AND status = 'booked'", [sessionId]))!.n;
    if (taken >= session.capacity) return 'full';
    if (who.provisional) {
      const held = (await one<{ n: number }>(tx, "SELECT COUNT(*)::int AS n FROM bookings WHERE session_id = $1 AND status = 'booked' AND provisional", [sessionId]))!.n;
      if (held >= Math.floor(session.capacity * this.provisional.share)) return 'full';
      if (this.provisional.perPhone > 0) {
        // Places one phone holds span sessions, so the session lock does not cover them: the phone gets its own.
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [who.provisional.phone_hash]);
        const samePhone = (await one<{ n: number }>(
          tx,
          `SELECT COUNT(*)::int AS n FROM bookings b JOIN registrations r ON r.id = b.registration_id
           WHERE b.status = 'booked' AND b.provisional AND r.phone_hash = $1 AND r.id <> $2`,
          [who.provisional.phone_hash, registrationId],
        ))!.n;
        if (samePhone >= this.provisional.perPhone) return 'limit';
      }
    }
    await beforeInsert?.();
    await tx.query("INSERT INTO bookings (session_id, registration_id, status, booked_at, provisional) VALUES ($1, $2, 'booked', $3, $4)", [sessionId, registrationId, at, Boolean(who.provisional)]);
    return 'booked';
  }
}

/** Cancels a booking; an invitation it carried is void, so an invited registration goes back to "screened". */
async function freePlace(tx: Tx, active: BookingRecord, registration: { id: number; state: string }, at: string, why: string): Promise<void> {
  await tx.query("UPDATE bookings SET status = 'cancelled', cancelled_at = $1, join_token_hash = NULL, join_token_sealed = NULL WHERE id = $2", [at, active.id]);
  if (registration.state === 'invited') {
    await tx.query("UPDATE registrations SET state = 'screened', updated_at = $1 WHERE id = $2", [at, registration.id]);
    await tx.query("INSERT INTO history (registration_id, state, at, reason) VALUES ($1, 'screened', $2, $3)", [registration.id, at, why]);
  }
}

function activeBooking(tx: Tx, registrationId: number): Promise<BookingRecord | undefined> {
  return one<BookingRecord>(tx, `SELECT ${BOOKING_COLUMNS} FROM bookings b JOIN registrations r ON r.id = b.registration_id WHERE b.registration_id = $1 AND b.status = 'booked'`, [registrationId]);
}

function bookingById(tx: Tx, id: number): Promise<BookingRecord | undefined> {
  return one<BookingRecord>(tx, `SELECT ${BOOKING_COLUMNS} FROM bookings b JOIN registrations r ON r.id = b.registration_id WHERE b.id = $1`, [id]);
}

async function sessionById(tx: Pool | Tx, id: string, lock = false): Promise<OfficialSession | undefined> {
  // FOR UPDATE cannot sit on a query with an aggregate in its select list: lock the row first, then read it.
  if (lock && !(await one(tx, 'SELECT id FROM sessions WHERE id = $1 FOR UPDATE', [id]))) return undefined;
  const row = await one<SessionRecord>(tx, `SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.id = $1`, [id]);
  return row && toSession(row);
}

async function insertSession(tx: Tx, s: NewSession): Promise<void> {
  await tx.query(
    `INSERT INTO sessions (id, unit, series_id, facts, starts_at, ends_at, capacity, state, sequence, created_at, updated_at, published_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $9, $10)`,
    [s.id, s.unit, s.seriesId ?? null, JSON.stringify(factsOf(s)), s.startsAt, s.endsAt, s.capacity, s.state, s.createdAt, s.publishedAt ?? null],
  );
}
