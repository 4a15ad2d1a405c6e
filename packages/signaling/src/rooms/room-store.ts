/**
 * Rooms' persistence in SQLite (migration 3). Room state and the event log tail are written in batches, one
 * transaction per FLUSH_MS (and at shutdown), so a chat burst costs one fsync rather than one per message; a
 * crash (not a graceful restart) can lose at most the last FLUSH_MS of room events. The audit log is written
 * at once, in its own transaction, because a lobby decision must not be lost.
 */
import type Database from 'better-sqlite3';
import { AuditLog } from './audit.js';
import type { RoomData } from './room.js';

const FLUSH_MS = 50;

export interface StoredEvent {
  seq: number;
  at: string;
  recipients: string[];
  frame: string;
}

export interface ChatRow {
  sessionId: string;
  seq: number;
  messageId: string;
  participantId: string;
  name: string;
  text: string;
  at: string;
}

export class RoomStore {
  readonly audit: AuditLog;
  private readonly dirty = new Map<string, () => RoomData>();
  private events: [string, StoredEvent][] = [];
  private chats: ChatRow[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly statements;

  constructor(
    private readonly db: Database.Database,
    private readonly eventLogSize: number,
  ) {
    this.audit = new AuditLog(db);
    this.statements = {
      room: db.prepare<[string], { data: string }>('SELECT data FROM rooms WHERE session_id = ?'),
      events: db.prepare<[string], { seq: number; at: string; recipients: string; frame: string }>(
        'SELECT seq, at, recipients, frame FROM room_events WHERE session_id = ? ORDER BY seq',
      ),
      upsertRoom: db.prepare(
        `INSERT INTO rooms (session_id, state, data, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET state = excluded.state, data = excluded.data, updated_at = excluded.updated_at`,
      ),
      insertEvent: db.prepare('INSERT OR REPLACE INTO room_events (session_id, seq, at, recipients, frame) VALUES (?, ?, ?, ?, ?)'),
      trimEvents: db.prepare('DELETE FROM room_events WHERE session_id = ? AND seq <= ?'),
      insertChat: db.prepare('INSERT OR IGNORE INTO room_chat (session_id, seq, message_id, participant_id, name, text, at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      chat: db.prepare<[string], { session_id: string; seq: number; message_id: string; participant_id: string; name: string; text: string; at: string }>(
        'SELECT * FROM room_chat WHERE session_id = ? ORDER BY seq',
      ),
      active: db.prepare<[], { session_id: string }>("SELECT session_id FROM rooms WHERE state <> 'ended'"),
    };
  }

  load(sessionId: string): { data: RoomData; events: StoredEvent[] } | undefined {
    const row = this.statements.room.get(sessionId);
    if (!row) return undefined;
    const events = this.statements.events.all(sessionId).map((e) => ({ seq: e.seq, at: e.at, frame: e.frame, recipients: JSON.parse(e.recipients) as string[] }));
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

  markDirty(sessionId: string, snapshot: () => RoomData): void {
    this.dirty.set(sessionId, snapshot);
    this.schedule();
  }

  appendEvent(sessionId: string, event: StoredEvent): void {
    this.events.push([sessionId, event]);
    this.schedule();
  }

  appendChat(row: ChatRow): void {
    this.chats.push(row);
    this.schedule();
  }

  /** Writes everything queued, in one transaction. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.db.open || (this.dirty.size === 0 && this.events.length === 0 && this.chats.length === 0)) return;
    const dirty = [...this.dirty];
    const events = this.events;
    const chats = this.chats;
    this.dirty.clear();
    this.events = [];
    this.chats = [];
    const now = new Date().toISOString();
    this.db.transaction(() => {
      const maxSeq = new Map<string, number>();
      for (const [sessionId, e] of events) {
        this.statements.insertEvent.run(sessionId, e.seq, e.at, JSON.stringify(e.recipients), e.frame);
        maxSeq.set(sessionId, Math.max(maxSeq.get(sessionId) ?? 0, e.seq));
      }
      for (const [sessionId, seq] of maxSeq) this.statements.trimEvents.run(sessionId, seq - this.eventLogSize);
      for (const c of chats) this.statements.insertChat.run(c.sessionId, c.seq, c.messageId, c.participantId, c.name, c.text, c.at);
      for (const [sessionId, snapshot] of dirty) {
        const data = snapshot();
        this.statements.upsertRoom.run(sessionId, data.state, JSON.stringify(data), now);
      }
    })();
  }

  close(): void {
    this.flush();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }
}
