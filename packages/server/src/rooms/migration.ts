/**
 * Migration 3: what rooms keep across a restart (the room's state with lobby order and participants' ids, the
 * tail of its event log for resume), the session's chat, and the hash-chained audit log of lobby decisions and
 * role actions. The audit table refuses UPDATE and DELETE; the hash chain catches an edit made around that.
 */
import type { Migration } from '../store/migration.js';

export const ROOMS_MIGRATION: Migration = {
  version: 3,
  name: 'rooms: state, event log tail, chat, audit log',
  sql: `
    CREATE TABLE rooms (
      session_id  TEXT PRIMARY KEY,
      state       TEXT NOT NULL,
      data        TEXT NOT NULL,     -- RoomData JSON: participants, lobby order, points, case, floor, seq
      updated_at  TEXT NOT NULL
    ) STRICT;
    CREATE TABLE room_events (
      session_id  TEXT NOT NULL,
      seq         INTEGER NOT NULL,
      at          TEXT NOT NULL,
      recipients  TEXT NOT NULL,     -- JSON array of participant ids
      frame       TEXT NOT NULL,     -- the event frame as sent
      PRIMARY KEY (session_id, seq)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE room_chat (
      session_id      TEXT NOT NULL,
      seq             INTEGER NOT NULL,
      message_id      TEXT NOT NULL,
      participant_id  TEXT NOT NULL,
      name            TEXT NOT NULL,
      text            TEXT NOT NULL,
      at              TEXT NOT NULL,
      PRIMARY KEY (session_id, seq)
    ) STRICT;
    CREATE TABLE room_audit (
      id          INTEGER PRIMARY KEY,
      session_id  TEXT NOT NULL,
      at          TEXT NOT NULL,
      actor       TEXT NOT NULL,     -- "official:<sub>" or "citizen:<reference>"
      role        TEXT NOT NULL,
      action      TEXT NOT NULL,
      target      TEXT,
      detail      TEXT NOT NULL,     -- canonical JSON
      prev_hash   TEXT NOT NULL,
      hash        TEXT NOT NULL UNIQUE
    ) STRICT;
    CREATE INDEX room_audit_session ON room_audit (session_id, id);
    CREATE TRIGGER room_audit_no_update BEFORE UPDATE ON room_audit BEGIN SELECT RAISE(ABORT, 'room_audit is append-only'); END;
    CREATE TRIGGER room_audit_no_delete BEFORE DELETE ON room_audit BEGIN SELECT RAISE(ABORT, 'room_audit is append-only'); END;
  `,
};

/**
 * Migration 11 (issue 15): a chat line is stored once. It was written twice in the same commit: its whole event
 * frame in room_events (for resume) and again as a row of room_chat (the session's record), three B-tree inserts
 * per message with the frame's text twice; under load that was most of the server's time per delivery. Now the
 * chat line is its room_events row, marked by `author` (the author's own name: the frame may show a denouncer
 * redacted), and the trimming of the event tail passes over it, so the record still keeps every line.
 * `room_chat` stays as a view with its old columns, for the tests and anyone reading the file.
 *
 * Lines that had already been trimmed from room_events come back from room_chat with their frame rebuilt and no
 * recipients: they are older than the tail a room loads (store/room-sqlite.ts reads only the last eventLogSize
 * sequence numbers), so they are never replayed.
 */
export const ROOMS_CHAT_ONCE_MIGRATION: Migration = {
  version: 11,
  name: 'rooms: a chat line is stored once, in room_events; room_chat becomes a view',
  sql: `
    ALTER TABLE room_events ADD COLUMN author TEXT;
    UPDATE room_events SET author = (SELECT c.name FROM room_chat c WHERE c.session_id = room_events.session_id AND c.seq = room_events.seq);
    INSERT INTO room_events (session_id, seq, at, recipients, frame, author)
      SELECT c.session_id, c.seq, c.at, '[]',
        json_object('v', 1, 'type', 'event', 'seq', c.seq, 'at', c.at,
          'event', json_object('type', 'chat.message', 'messageId', c.message_id, 'from', c.participant_id, 'name', c.name, 'text', c.text, 'at', c.at)),
        c.name
      FROM room_chat c
      WHERE NOT EXISTS (SELECT 1 FROM room_events e WHERE e.session_id = c.session_id AND e.seq = c.seq);
    DROP TABLE room_chat;
    CREATE VIEW room_chat AS
      SELECT session_id, seq,
        json_extract(frame, '$.event.messageId') AS message_id,
        json_extract(frame, '$.event.from') AS participant_id,
        author AS name,
        json_extract(frame, '$.event.text') AS text,
        json_extract(frame, '$.event.at') AS at
      FROM room_events WHERE author IS NOT NULL;
  `,
};

/**
 * Several nodes (issue 13): the lease epoch under which a room was last written. A node that lost a room's lease
 * (paused past it, its Redis cut off) may still hold a batch for it; the store refuses that batch when a later
 * holder's higher epoch is already here (store/room-queue.ts). 0 = written by a node that does not fence.
 */
export const ROOMS_LEASE_EPOCH_MIGRATION: Migration = {
  version: 12,
  name: 'rooms: lease_epoch, the fence against a node that lost the room',
  sql: `ALTER TABLE rooms ADD COLUMN lease_epoch INTEGER NOT NULL DEFAULT 0;`,
};
