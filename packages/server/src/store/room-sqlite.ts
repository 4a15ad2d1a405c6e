/**
 * Rooms' persistence in SQLite (migrations 3, 11 and 12; the interface is rooms/room-store.ts). The group commit
 * (store/room-queue.ts) hands this store one batch per turn of the event loop (room state, the event log tail,
 * reservations), written here in one synchronous transaction, as registrations are (store/sqlite.ts), so a chat
 * burst shares one fsync and nothing leaves before it is on disk: after a crash (kill -9, power cut) every event
 * anyone saw or any ack anyone got is in the database. The audit log is written at once, in its own transaction
 * (store/audit-sqlite.ts), since the desk's case store appends to it inside its own transactions.
 *
 * A chat line is one row of room_events (with its `author`), which the trimming of the tail leaves in place: the
 * session's record is those rows (the `room_chat` view), not a second copy written in the same commit.
 */
import type Database from 'better-sqlite3';
import type { RoomData } from '../rooms/room-data.js';
import type { ChatRow, StoredEvent } from '../rooms/room-store.js';
import { SqliteAuditLog } from './audit-sqlite.js';
import { QueuedRoomStore, withoutRooms, type Refused, type RoomBatch } from './room-queue.js';

export class SqliteRoomStore extends QueuedRoomStore {
  readonly audit: SqliteAuditLog;
  private readonly statements;

  constructor(
    private readonly db: Database.Database,
    eventLogSize: number,
    /** A commit that failed (it is retried; meanwhile nothing leaves). */
    onError: (error: unknown) => void = () => undefined,
  ) {
    super(eventLogSize, onError);
    this.audit = new SqliteAuditLog(db);
    this.statements = {
      room: db.prepare<[string], { data: string }>('SELECT data FROM rooms WHERE session_id = ?'),
      // The last eventLogSize numbers only: below them the table keeps chat lines (the record) but not the events
      // around them (trimmed), so a tail reaching further back would have gaps a resume could not see.
      events: db.prepare<[string, string, number], { seq: number; at: string; recipients: string; frame: string; author: string | null }>(
        `SELECT seq, at, recipients, frame, author FROM room_events
         WHERE session_id = ? AND seq > (SELECT MAX(seq) FROM room_events WHERE session_id = ?) - ? ORDER BY seq`,
      ),
      // The lease fence (store/room-queue.ts): no row changed means a higher epoch wrote the room, or it has no row yet.
      fence: db.prepare('UPDATE rooms SET lease_epoch = ? WHERE session_id = ? AND lease_epoch <= ?'),
      exists: db.prepare<[string], { n: number }>('SELECT 1 AS n FROM rooms WHERE session_id = ?'),
      // A new row takes the writer's epoch (0 when not fenced); an existing row's epoch is the fence's to raise.
      upsertRoom: db.prepare(
        `INSERT INTO rooms (session_id, state, data, updated_at, lease_epoch) VALUES (?, ?, ?, ?, ?)
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

  async load(sessionId: string): Promise<{ data: RoomData; events: StoredEvent[] } | undefined> {
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
  async activeSessions(): Promise<string[]> {
    return this.statements.active.all().map((r) => r.session_id);
  }

  async chat(sessionId: string): Promise<ChatRow[]> {
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

  protected isOpen(): boolean {
    return this.db.open;
  }

  protected write(batch: RoomBatch): Refused {
    const now = new Date().toISOString();
    return this.db.transaction(() => {
      const refused = new Set<string>();
      const epochs = new Map(batch.epochs);
      for (const [sessionId, epoch] of batch.epochs) {
        if (this.statements.fence.run(epoch, sessionId, epoch).changes === 0 && this.statements.exists.get(sessionId)) refused.add(sessionId);
      }
      if (refused.size > 0) batch = withoutRooms(batch, refused);
      for (const [sessionId, e] of batch.events) {
        this.statements.insertEvent.run(sessionId, e.seq, e.at, JSON.stringify(e.recipients), e.frame, e.author ?? null);
      }
      for (const { sessionId, from, upto } of batch.trims) this.statements.trimEvents.run(sessionId, from, upto);
      for (const { sessionId, data } of batch.rooms) this.statements.upsertRoom.run(sessionId, data.state, JSON.stringify(data), now, epochs.get(sessionId) ?? 0);
      for (const [sessionId, seq] of batch.reservations) this.statements.reserveSeq.run(seq, sessionId, seq);
      return [...refused];
    })();
  }
}
