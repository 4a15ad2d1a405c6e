/**
 * Migration 3: what rooms keep across a restart (the room's state with lobby order and participants' ids, the
 * tail of its event log for resume), the session's chat, and the hash-chained audit log of lobby decisions and
 * role actions. The audit table refuses UPDATE and DELETE; the hash chain catches an edit made around that.
 */
import type { Migration } from '../store/migrations.js';

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
