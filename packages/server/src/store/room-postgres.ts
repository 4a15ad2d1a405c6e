/**
 * Rooms' persistence on PostgreSQL (migrations 4 and 8; the interface is rooms/room-store.ts), the same tables and
 * semantics as SQLite's (store/room-sqlite.ts): room state with its sequence reservation, the event tail, chat
 * lines as events marked by `author` (room_chat is a view). The group commit (store/room-queue.ts) hands this store
 * one batch at a time; it is written in one transaction of a few statements whatever its size (each kind of row
 * goes as arrays, `unnest`), and the audit entries queued with it are chained in that same transaction
 * (store/audit-postgres.ts), so an admission's room state, its event and its audit row commit together.
 *
 * A commit is a round trip here, so at most one batch is in flight and what is queued meanwhile goes in the next
 * one (room-queue.ts); nothing that waits on `afterCommit` / `durable` leaves before its batch is committed.
 * Reads first wait for what is queued (`durable`), so a read sees every write made before it, as in SQLite.
 */
import type pg from 'pg';
import type { AuditChain, AuditEntry } from '../rooms/audit.js';
import type { RoomData } from '../rooms/room-data.js';
import type { ChatRow, StoredEvent } from '../rooms/room-store.js';
import { appendAuditIn, PostgresAuditReader } from './audit-postgres.js';
import { QueuedRoomStore, withoutRooms, type Refused, type RoomBatch } from './room-queue.js';
import { all, inTransaction, one } from './tx-postgres.js';

const INSERT_EVENTS = `INSERT INTO room_events (session_id, seq, at, recipients, frame, author)
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])
  ON CONFLICT (session_id, seq) DO UPDATE SET at = excluded.at, recipients = excluded.recipients, frame = excluded.frame, author = excluded.author`;
// From the last trim on (the rows below were trimmed then, or are chat lines, which stay).
const TRIM_EVENTS = `DELETE FROM room_events e USING unnest($1::text[], $2::bigint[], $3::bigint[]) AS t (session_id, from_seq, upto)
  WHERE e.session_id = t.session_id AND e.seq > t.from_seq AND e.seq <= t.upto AND e.author IS NULL`;
// A new row takes the writer's epoch (0 when not fenced). The WHERE covers a row another node inserted after FENCE's
// snapshot (two nodes creating one room at once): the lower epoch does not overwrite it.
const UPSERT_ROOMS = `INSERT INTO rooms (session_id, state, data, updated_at, lease_epoch)
  SELECT t.session_id, t.state, t.data::jsonb, $4, t.epoch FROM unnest($1::text[], $2::text[], $3::text[], $5::bigint[]) AS t (session_id, state, data, epoch)
  ON CONFLICT (session_id) DO UPDATE SET state = excluded.state, data = excluded.data, updated_at = excluded.updated_at
  WHERE rooms.lease_epoch <= excluded.lease_epoch`;
// The lease fence (store/room-queue.ts), one statement for the batch: raise each room's epoch where it is not higher,
// and return the rooms whose row exists but was not raised (a higher epoch wrote them: refused). A row locked by
// another node's commit is waited for and its condition checked again on the committed epoch (READ COMMITTED).
const FENCE = `WITH t AS (SELECT * FROM unnest($1::text[], $2::bigint[]) AS t (session_id, epoch)),
  raised AS (UPDATE rooms r SET lease_epoch = t.epoch FROM t WHERE r.session_id = t.session_id AND r.lease_epoch <= t.epoch RETURNING r.session_id)
  SELECT r.session_id FROM rooms r JOIN t ON r.session_id = t.session_id WHERE r.session_id NOT IN (SELECT session_id FROM raised)`;
const RESERVE_SEQ = `UPDATE rooms r SET data = jsonb_set(r.data, '{seq}', to_jsonb(t.seq)) FROM unnest($1::text[], $2::bigint[]) AS t (session_id, seq)
  WHERE r.session_id = t.session_id AND (r.data ->> 'seq')::bigint < t.seq`;
// The last eventLogSize numbers only: below them the table keeps chat lines (the record) but not the events around
// them (trimmed), so a tail reaching further back would have gaps a resume could not see.
const LOAD_EVENTS = `SELECT seq, at, recipients, frame, author FROM room_events
  WHERE session_id = $1 AND seq > (SELECT MAX(seq) FROM room_events WHERE session_id = $1) - $2 ORDER BY seq`;

export class PostgresRoomStore extends QueuedRoomStore {
  readonly audit: AuditChain;

  constructor(
    private readonly pool: pg.Pool,
    eventLogSize: number,
    /** A commit that failed (it is retried; meanwhile nothing leaves). */
    onError: (error: unknown) => void = () => undefined,
  ) {
    super(eventLogSize, onError);
    const reader = new PostgresAuditReader(pool);
    this.audit = {
      // Chained with the rooms' next commit, in the order appended (rooms/audit.ts).
      append: (entry: AuditEntry) => this.queueAudit(entry),
      verify: async () => {
        await this.durable();
        return reader.verify();
      },
      entries: async (sessionId: string) => {
        await this.durable();
        return reader.entries(sessionId);
      },
    };
  }

  async load(sessionId: string): Promise<{ data: RoomData; events: StoredEvent[] } | undefined> {
    await this.durable();
    const row = await one<{ data: RoomData }>(this.pool, 'SELECT data FROM rooms WHERE session_id = $1', [sessionId]);
    if (!row) return undefined;
    const rows = await all<{ seq: number; at: string; recipients: string; frame: string; author: string | null }>(this.pool, LOAD_EVENTS, [sessionId, this.eventLogSize]);
    const events = rows.map((e) => {
      const event: StoredEvent = { seq: e.seq, at: e.at, frame: e.frame, recipients: JSON.parse(e.recipients) as string[] };
      if (e.author !== null) event.author = e.author;
      return event;
    });
    return { data: row.data, events };
  }

  /** Rooms that were open (or waiting) when the server stopped. */
  async activeSessions(): Promise<string[]> {
    await this.durable();
    return (await all<{ session_id: string }>(this.pool, "SELECT session_id FROM rooms WHERE state <> 'ended'")).map((r) => r.session_id);
  }

  async chat(sessionId: string): Promise<ChatRow[]> {
    await this.durable();
    const rows = await all<{ session_id: string; seq: number; message_id: string; participant_id: string; name: string; text: string; at: string }>(
      this.pool,
      'SELECT * FROM room_chat WHERE session_id = $1 ORDER BY seq',
      [sessionId],
    );
    return rows.map((r) => ({ sessionId: r.session_id, seq: r.seq, messageId: r.message_id, participantId: r.participant_id, name: r.name, text: r.text, at: r.at }));
  }

  protected isOpen(): boolean {
    return !this.pool.ending && !this.pool.ended;
  }

  protected write(batch: RoomBatch): Promise<Refused> {
    return inTransaction(this.pool, async (tx) => {
      let refused: Refused = [];
      if (batch.epochs.length > 0) {
        const rows = await tx.query<{ session_id: string }>(FENCE, [batch.epochs.map(([s]) => s), batch.epochs.map(([, epoch]) => epoch)]);
        refused = rows.rows.map((r) => r.session_id);
        if (refused.length > 0) batch = withoutRooms(batch, new Set(refused));
      }
      const epochs = new Map(batch.epochs);
      if (batch.events.length > 0) {
        // One row per (room, number): a number is handed out once, but should a batch carry it twice, the last wins (as SQLite's INSERT OR REPLACE).
        const events = [...new Map(batch.events.map(([sessionId, e]) => [`${e.seq}\u0000${sessionId}`, [sessionId, e] as const])).values()];
        await tx.query(INSERT_EVENTS, [
          events.map(([s]) => s),
          events.map(([, e]) => e.seq),
          events.map(([, e]) => e.at),
          events.map(([, e]) => JSON.stringify(e.recipients)),
          events.map(([, e]) => e.frame),
          events.map(([, e]) => e.author ?? null),
        ]);
      }
      if (batch.trims.length > 0) {
        await tx.query(TRIM_EVENTS, [batch.trims.map((t) => t.sessionId), batch.trims.map((t) => t.from), batch.trims.map((t) => t.upto)]);
      }
      if (batch.rooms.length > 0) {
        await tx.query(UPSERT_ROOMS, [batch.rooms.map((r) => r.sessionId), batch.rooms.map((r) => r.data.state), batch.rooms.map((r) => JSON.stringify(r.data)), new Date().toISOString(), batch.rooms.map((r) => epochs.get(r.sessionId) ?? 0)]);
      }
      if (batch.reservations.length > 0) {
        await tx.query(RESERVE_SEQ, [batch.reservations.map(([s]) => s), batch.reservations.map(([, seq]) => seq)]);
      }
      // Last: the chain's lock is held until this commits, so the other writers wait as briefly as they can.
      await appendAuditIn(tx, batch.audit);
      return refused;
    });
  }
}
