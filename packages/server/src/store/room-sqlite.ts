/**
 * Rooms' persistence in SQLite (migrations 3 and 11; the interface is rooms/room-store.ts), by group commit: everything the rooms queue in one turn of the
 * event loop (room state, the event log tail, chat) is written in one transaction at the end of that turn, as
 * registrations are (store/sqlite.ts), so a chat burst shares one fsync. Nothing leaves before its commit:
 * `afterCommit` holds the rooms' deliveries and `durable` their replies until the transaction that holds what
 * they announce is on disk, so after a crash (kill -9, power cut) every event anyone saw or any ack anyone got
 * is in the database. The audit log is written at once, in its own transaction.
 *
 * Sequence numbers must never be reused, and some events are not persisted (WebRTC signals, point health).
 * So each room reserves numbers ahead, in blocks, in its row (`data.seq`): no event is delivered with a number
 * above a durable reservation, and a room restored after a crash starts above everything it could have sent.
 * A graceful close writes the exact number, so a planned restart numbers on without a jump.
 *
 * A chat line is one row of room_events (with its `author`), which the trimming of the tail leaves in place: the
 * session's record is those rows (the `room_chat` view), not a second copy written in the same commit.
 *
 * Presence (a participant's socket coming back or going) is not worth a commit of its own: a restart brings
 * every client back within a second or two, and one fsync per resume (7 ms on this disk) made 2,000 resumes take
 * 14 s. Such events still wait for a commit before they leave, but they schedule it PRESENCE_MS later instead
 * of at the end of the turn, so a storm of resumes shares a handful of commits (and any other write's commit
 * takes them along sooner).
 */
import type Database from 'better-sqlite3';
import type { RoomData } from '../rooms/room.js';
import type { ChatRow, RoomStore, StoredEvent } from '../rooms/room-store.js';
import { SqliteAuditLog } from './audit-sqlite.js';

/** Sequence numbers reserved per write; a crash skips at most this many. */
const SEQ_BLOCK = 1000;
/** After a failed commit (disk full, I/O error), how long to wait before trying again; nothing leaves meanwhile. */
const RETRY_MS = 200;
/** The latest a presence event waits for a commit when nothing else calls for one. */
export const PRESENCE_MS = 20;

export class SqliteRoomStore implements RoomStore {
  readonly audit: SqliteAuditLog;
  private readonly dirty = new Map<string, () => RoomData>();
  private events: [string, StoredEvent][] = [];
  /** What waits for the next commit, in order: deliveries and replies. */
  private waiting: (() => void)[] = [];
  /** Per room, the highest sequence number handed out, and the one reserved on disk. */
  private readonly issued = new Map<string, number>();
  private readonly reserved = new Map<string, number>();
  /** Rooms whose handed-out numbers passed their reservation. */
  private readonly unreserved = new Set<string>();
  /** Per room, the sequence number up to which room_events was last trimmed. */
  private readonly trimmedTo = new Map<string, number>();
  /** A commit at the end of this turn is due (something other than presence was queued). */
  private scheduled = false;
  /** A commit PRESENCE_MS from now is due (only presence, or only deliveries waiting, were queued). */
  private presenceTimer: ReturnType<typeof setTimeout> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly statements;
  /** Transactions committed so far (operations metrics; the tests count a reconnect storm's commits). */
  commits = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly eventLogSize: number,
    /** A commit that failed (it is retried; meanwhile nothing leaves). */
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.audit = new SqliteAuditLog(db);
    this.statements = {
      room: db.prepare<[string], { data: string }>('SELECT data FROM rooms WHERE session_id = ?'),
      // The last eventLogSize numbers only: below them the table keeps chat lines (the record) but not the events
      // around them (trimmed), so a tail reaching further back would have gaps a resume could not see.
      events: db.prepare<[string, string, number], { seq: number; at: string; recipients: string; frame: string; author: string | null }>(
        `SELECT seq, at, recipients, frame, author FROM room_events
         WHERE session_id = ? AND seq > (SELECT MAX(seq) FROM room_events WHERE session_id = ?) - ? ORDER BY seq`,
      ),
      upsertRoom: db.prepare(
        `INSERT INTO rooms (session_id, state, data, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET state = excluded.state, data = excluded.data, updated_at = excluded.updated_at`,
      ),
      insertEvent: db.prepare('INSERT OR REPLACE INTO room_events (session_id, seq, at, recipients, frame, author) VALUES (?, ?, ?, ?, ?, ?)'),
      // From the last trim on (the rows below were trimmed then, or are chat lines, which stay).
      trimEvents: db.prepare('DELETE FROM room_events WHERE session_id = ? AND seq > ? AND seq <= ? AND author IS NULL'),
      reserveSeq: db.prepare("UPDATE rooms SET data = json_set(data, '$.seq', ?) WHERE session_id = ? AND json_extract(data, '$.seq') < ?"),
      // room_chat is a view over room_events' chat lines (migration 11).
      chat: db.prepare<[string], { session_id: string; seq: number; message_id: string; participant_id: string; name: string; text: string; at: string }>(
        'SELECT * FROM room_chat WHERE session_id = ? ORDER BY seq',
      ),
      active: db.prepare<[], { session_id: string }>("SELECT session_id FROM rooms WHERE state <> 'ended'"),
    };
  }

  load(sessionId: string): { data: RoomData; events: StoredEvent[] } | undefined {
    const row = this.statements.room.get(sessionId);
    if (!row) return undefined;
    const events = this.statements.events.all(sessionId, sessionId, this.eventLogSize).map((e) => {
      const event: StoredEvent = { seq: e.seq, at: e.at, frame: e.frame, recipients: JSON.parse(e.recipients) as string[] };
      if (e.author !== null) event.author = e.author;
      return event;
    });
    return { data: JSON.parse(row.data) as RoomData, events };
  }

  /** Rooms that were open (or waiting) when the server stopped. */
  activeSessions(): string[] {
    return this.statements.active.all().map((r) => r.session_id);
  }

  chat(sessionId: string): ChatRow[] {
    return this.statements.chat.all(sessionId).map((r) => ({
      sessionId: r.session_id,
      seq: r.seq,
      messageId: r.message_id,
      participantId: r.participant_id,
      name: r.name,
      text: r.text,
      at: r.at,
    }));
  }

  markDirty(sessionId: string, snapshot: () => RoomData, options: { presence?: boolean } = {}): void {
    this.dirty.set(sessionId, snapshot);
    this.schedule(options.presence === true);
  }

  appendEvent(sessionId: string, event: StoredEvent, options: { presence?: boolean } = {}): void {
    this.events.push([sessionId, event]);
    this.schedule(options.presence === true);
  }

  /** A room handed out `seq` (persisted event or not): its delivery must wait for a reservation that covers it. */
  sequenced(sessionId: string, seq: number): void {
    if (seq > (this.issued.get(sessionId) ?? 0)) this.issued.set(sessionId, seq);
    if (seq > (this.reserved.get(sessionId) ?? 0)) {
      this.unreserved.add(sessionId);
      this.schedule();
    }
  }

  /** Runs `fn` right after the commit that holds everything queued before it (at once when nothing is queued). */
  afterCommit(fn: () => void): void {
    if (!this.pending()) {
      fn();
      return;
    }
    this.waiting.push(fn);
    // Whatever is pending has its commit scheduled already; this only makes sure of it, without hurrying it.
    this.schedule(true);
  }

  /** Resolves once everything queued so far is on disk (and its deliveries have left). */
  durable(): Promise<void> {
    if (!this.pending()) return Promise.resolve();
    return new Promise((resolve) => this.afterCommit(resolve));
  }

  /**
   * Writes everything queued, in one transaction, then lets out what waited for it. `exact` (graceful close)
   * writes each room's own sequence number instead of a reservation ahead of it.
   */
  flush(options: { exact?: boolean } = {}): void {
    this.scheduled = false;
    clearTimeout(this.presenceTimer);
    this.presenceTimer = undefined;
    clearTimeout(this.retry);
    this.retry = undefined;
    if (!this.db.open) return;
    const reservations = options.exact ? [] : this.reservationsNeeded();
    if (this.dirty.size > 0 || this.events.length > 0 || reservations.length > 0) {
      try {
        this.write(reservations, options.exact === true);
      } catch (error) {
        // Nothing was written, so nothing is let out: the queue stays and is tried again.
        this.retry = setTimeout(() => this.flushOrRetry(), RETRY_MS);
        throw error;
      }
    }
    const waiting = this.waiting;
    this.waiting = [];
    for (const fn of waiting) fn();
  }

  close(): void {
    this.flush({ exact: true });
  }

  private write(reservations: [string, number][], exact: boolean): void {
    const now = new Date().toISOString();
    const dirty = [...this.dirty];
    const trimmed: [string, number][] = [];
    this.db.transaction(() => {
      const maxSeq = new Map<string, number>();
      for (const [sessionId, e] of this.events) {
        this.statements.insertEvent.run(sessionId, e.seq, e.at, JSON.stringify(e.recipients), e.frame, e.author ?? null);
        maxSeq.set(sessionId, Math.max(maxSeq.get(sessionId) ?? 0, e.seq));
      }
      // The tail on disk may hold up to twice the log's size (a room keeps the last eventLogSize when it loads
      // them), so a room's DELETE runs once per eventLogSize events instead of in every commit.
      for (const [sessionId, seq] of maxSeq) {
        const upto = seq - this.eventLogSize;
        if (upto - (this.trimmedTo.get(sessionId) ?? -Infinity) < this.eventLogSize) continue;
        this.statements.trimEvents.run(sessionId, this.trimmedTo.get(sessionId) ?? -1, upto);
        trimmed.push([sessionId, upto]);
      }
      for (const [sessionId, snapshot] of dirty) {
        const data = snapshot();
        if (!exact) data.seq = Math.max(data.seq, this.reserved.get(sessionId) ?? 0);
        this.statements.upsertRoom.run(sessionId, data.state, JSON.stringify(data), now);
      }
      // After the upserts: a room's first reservation may come in the commit that creates its row.
      for (const [sessionId, seq] of reservations) this.statements.reserveSeq.run(seq, sessionId, seq);
    })();
    this.commits += 1;
    for (const [sessionId, upto] of trimmed) this.trimmedTo.set(sessionId, upto);
    this.dirty.clear();
    this.events = [];
    for (const [sessionId, seq] of reservations) {
      this.reserved.set(sessionId, seq);
      this.unreserved.delete(sessionId);
    }
    // A graceful close wrote every room's own number (the host marked them all dirty).
    if (exact) this.unreserved.clear();
  }

  /** Rooms whose handed-out numbers passed their reservation: the next block for each. */
  private reservationsNeeded(): [string, number][] {
    const out: [string, number][] = [];
    for (const sessionId of this.unreserved) out.push([sessionId, this.issued.get(sessionId)! + SEQ_BLOCK]);
    return out;
  }

  private pending(): boolean {
    return this.waiting.length > 0 || this.dirty.size > 0 || this.events.length > 0 || this.unreserved.size > 0;
  }

  private flushOrRetry(): void {
    try {
      this.flush();
    } catch (error) {
      this.onError(error);
    }
  }

  /** A commit at the end of this turn, or (`presence`) PRESENCE_MS from now unless one comes sooner. */
  private schedule(presence = false): void {
    if (this.scheduled || this.retry) return;
    if (presence) {
      this.presenceTimer ??= setTimeout(() => {
        this.presenceTimer = undefined;
        this.flushOrRetry();
      }, PRESENCE_MS);
      return;
    }
    this.scheduled = true;
    setImmediate(() => {
      if (this.scheduled) this.flushOrRetry();
    });
  }
}
