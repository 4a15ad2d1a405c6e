/**
 * Numbered schema migrations, applied in order at start (and by `tiepdan-server migrate`) and recorded in
 * `schema_migrations`. A migration is never edited once released; a change is a new number.
 */
import type Database from 'better-sqlite3';
import type { Migration } from './migration.js';
import { ROOMS_CHAT_ONCE_MIGRATION, ROOMS_LEASE_EPOCH_MIGRATION, ROOMS_MIGRATION } from '../rooms/migration.js';
import { RECORDING_MIGRATION } from '../recording/migration.js';
import { AUTH_MIGRATION } from '../auth/migration.js';
import { NOTICES_MIGRATION } from '../schedule/migration.js';
import { DESK_MIGRATION } from '../desk/migration.js';
import { JOB_FENCES_MIGRATION } from './fences.js';

export type { Migration };

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'registrations, attachments, history',
    sql: `
      CREATE TABLE registrations (
        id            INTEGER PRIMARY KEY,
        reference     TEXT NOT NULL UNIQUE,
        client_id     TEXT NOT NULL UNIQUE,
        content_hash  TEXT NOT NULL,
        unit          TEXT NOT NULL,
        kind          TEXT NOT NULL,
        state         TEXT NOT NULL,
        phone_hash    TEXT NOT NULL,
        display_name  TEXT NOT NULL,
        summary       TEXT NOT NULL,
        group_size    INTEGER NOT NULL,
        data          TEXT NOT NULL,     -- registration JSON; the redacted copy for denunciations
        sealed        BLOB,              -- AES-256-GCM denouncer data (privacy/seal.ts)
        received_at   TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX registrations_queue ON registrations (unit, id DESC);
      CREATE TABLE attachments (
        registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
        position        INTEGER NOT NULL,
        id              TEXT NOT NULL,
        name            TEXT NOT NULL,
        type            TEXT NOT NULL,
        size            INTEGER NOT NULL,
        sha256          TEXT NOT NULL,
        purpose         TEXT NOT NULL,
        PRIMARY KEY (registration_id, id)
      ) STRICT;
      CREATE INDEX attachments_sha256 ON attachments (sha256);
      CREATE TABLE history (
        id              INTEGER PRIMARY KEY,
        registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
        state           TEXT NOT NULL,
        at              TEXT NOT NULL,
        by              TEXT,
        reason          TEXT,
        outcome         TEXT,
        public_note     TEXT
      ) STRICT;
      CREATE INDEX history_registration ON history (registration_id, id);
    `,
  },
  {
    version: 2,
    name: 'reception schedule: series, sessions, bookings, notice outbox',
    sql: `
      CREATE TABLE series (
        id          TEXT PRIMARY KEY,
        unit        TEXT NOT NULL,
        template    TEXT NOT NULL,     -- the facts every occurrence shares (JSON)
        rule        TEXT NOT NULL,     -- RecurrenceRule (JSON)
        start_time  TEXT NOT NULL,     -- HH:mm, Hanoi
        end_time    TEXT NOT NULL,
        from_date   TEXT NOT NULL,
        to_date     TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        created_by  TEXT
      ) STRICT;
      CREATE TABLE sessions (
        id              TEXT PRIMARY KEY,
        unit            TEXT NOT NULL,
        series_id       TEXT REFERENCES series (id),
        facts           TEXT NOT NULL,  -- kind, host, level, venue, connection points, remote (JSON)
        starts_at       TEXT NOT NULL,  -- UTC ISO 8601
        ends_at         TEXT NOT NULL,
        capacity        INTEGER NOT NULL,
        state           TEXT NOT NULL,
        sequence        INTEGER NOT NULL,   -- ICS SEQUENCE; +1 on every change
        notice          TEXT,               -- Message shown to citizens (JSON)
        reason          TEXT,               -- internal
        postponed_from  TEXT,               -- {startsAt, endsAt} (JSON)
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        published_at    TEXT
      ) STRICT;
      CREATE INDEX sessions_unit_time ON sessions (unit, starts_at);
      CREATE TABLE bookings (
        id               INTEGER PRIMARY KEY,
        session_id       TEXT NOT NULL REFERENCES sessions (id),
        registration_id  INTEGER NOT NULL REFERENCES registrations (id),
        status           TEXT NOT NULL,      -- booked | cancelled
        booked_at        TEXT NOT NULL,
        cancelled_at     TEXT,
        slot_at          TEXT,
        join_token_hash  TEXT UNIQUE,        -- SHA-256 of the join token; the token itself is never stored
        invited_at       TEXT
      ) STRICT;
      -- One place per registration at a time: a second booking is a move, not an extra place.
      CREATE UNIQUE INDEX bookings_one_active ON bookings (registration_id) WHERE status = 'booked';
      CREATE INDEX bookings_session ON bookings (session_id, status);
      CREATE TABLE notices (
        id               INTEGER PRIMARY KEY,
        session_id       TEXT NOT NULL REFERENCES sessions (id),
        registration_id  INTEGER NOT NULL REFERENCES registrations (id),
        change_seq       INTEGER NOT NULL,   -- the session's sequence after the change
        change           TEXT NOT NULL,      -- cancelled | postponed | time_changed
        channel          TEXT NOT NULL,
        body             TEXT NOT NULL,      -- what to say (JSON); no contact data, resolved when sending
        created_at       TEXT NOT NULL,
        sent_at          TEXT,
        attempts         INTEGER NOT NULL DEFAULT 0,
        last_error       TEXT,
        UNIQUE (session_id, registration_id, change_seq)
      ) STRICT;
      CREATE INDEX notices_pending ON notices (id) WHERE sent_at IS NULL;
      -- What happened to the registration's preferredSessionId at submission, so a replay answers the same.
      ALTER TABLE registrations ADD COLUMN submit_booking TEXT;
    `,
  },
  ROOMS_MIGRATION,
  RECORDING_MIGRATION,
  AUTH_MIGRATION,
  NOTICES_MIGRATION,
  DESK_MIGRATION,
  ROOMS_CHAT_ONCE_MIGRATION,
  ROOMS_LEASE_EPOCH_MIGRATION,
  JOB_FENCES_MIGRATION,
];

/** Applies the migrations not yet recorded; returns the versions applied now. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
  const done = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const latestKnown = Math.max(0, ...migrations.map((m) => m.version));
  const newest = Math.max(0, ...done);
  if (newest > latestKnown) throw new Error(`database schema version ${newest} is newer than this server knows (${latestKnown}); upgrade the server`);
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, new Date().toISOString());
    })();
    applied.push(migration.version);
  }
  return applied;
}
