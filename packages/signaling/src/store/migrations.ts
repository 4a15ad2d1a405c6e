/**
 * Numbered schema migrations, applied in order at start (and by `tiepdan-server migrate`) and recorded in
 * `schema_migrations`. A migration is never edited once released; a change is a new number.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

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
