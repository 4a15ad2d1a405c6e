/**
 * The PostgreSQL schema, as numbered migrations (never edited once released; a change is a new number), applied
 * at open under an advisory lock so nodes starting together apply each one once. The tables mirror SQLite's
 * (store/migrations.ts) for the capabilities this store provides; times are ISO 8601 UTC text, as in SQLite, so
 * ordering and comparisons are the same in both stores. Audit tables refuse UPDATE and DELETE by trigger: the
 * database itself keeps them append-only, whatever the code or an operator's session tries.
 */
import type { PoolClient } from 'pg';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

/** Any constant: the key of the advisory lock that serialises migrations between nodes. */
const MIGRATION_LOCK = 7_310_413;

const appendOnly = (table: string) => `
  CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '${table} is append-only'; END $$;
  CREATE TRIGGER ${table}_no_update BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_append_only();
  CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${table}_append_only();
`;

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'registrations, attachments, history; schedule: series, sessions, bookings, notice outbox and deliveries',
    sql: `
      CREATE TABLE registrations (
        id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        reference      text NOT NULL UNIQUE,
        client_id      text NOT NULL UNIQUE,
        content_hash   text NOT NULL,
        unit           text NOT NULL,
        kind           text NOT NULL,
        state          text NOT NULL,
        phone_hash     text NOT NULL,
        display_name   text NOT NULL,
        summary        text NOT NULL,
        group_size     integer NOT NULL,
        data           text NOT NULL,      -- registration JSON; the redacted copy for denunciations
        sealed         bytea,              -- AES-256-GCM denouncer data (privacy/seal.ts), sealed before it gets here
        received_at    text NOT NULL,
        updated_at     text NOT NULL,
        submit_booking text
      );
      CREATE INDEX registrations_queue ON registrations (unit, id DESC);
      CREATE INDEX registrations_phone ON registrations (phone_hash);
      CREATE TABLE attachments (
        registration_id integer NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
        position        integer NOT NULL,
        id              text NOT NULL,
        name            text NOT NULL,
        type            text NOT NULL,
        size            integer NOT NULL,
        sha256          text NOT NULL,
        purpose         text NOT NULL,
        PRIMARY KEY (registration_id, id)
      );
      CREATE TABLE history (
        id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        registration_id integer NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
        state           text NOT NULL,
        at              text NOT NULL,
        by              text,
        reason          text,
        outcome         text,
        public_note     text
      );
      CREATE INDEX history_registration ON history (registration_id, id);
      CREATE TABLE series (
        id          text PRIMARY KEY,
        unit        text NOT NULL,
        template    text NOT NULL,
        rule        text NOT NULL,
        start_time  text NOT NULL,
        end_time    text NOT NULL,
        from_date   text NOT NULL,
        to_date     text NOT NULL,
        created_at  text NOT NULL,
        created_by  text
      );
      CREATE TABLE sessions (
        id              text PRIMARY KEY,
        unit            text NOT NULL,
        series_id       text REFERENCES series (id),
        facts           text NOT NULL,
        starts_at       text NOT NULL,
        ends_at         text NOT NULL,
        capacity        integer NOT NULL,
        state           text NOT NULL,
        sequence        integer NOT NULL,
        notice          text,
        reason          text,
        postponed_from  text,
        created_at      text NOT NULL,
        updated_at      text NOT NULL,
        published_at    text
      );
      CREATE INDEX sessions_unit_time ON sessions (unit, starts_at);
      CREATE TABLE bookings (
        id                integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        session_id        text NOT NULL REFERENCES sessions (id),
        registration_id   integer NOT NULL REFERENCES registrations (id),
        status            text NOT NULL,
        booked_at         text NOT NULL,
        cancelled_at      text,
        slot_at           text,
        join_token_hash   text UNIQUE,
        invited_at        text,
        attendance        text,
        invitation_note   text,
        provisional       boolean NOT NULL DEFAULT false,
        join_token_sealed bytea
      );
      -- One place per registration at a time: a second booking is a move, not an extra place.
      CREATE UNIQUE INDEX bookings_one_active ON bookings (registration_id) WHERE status = 'booked';
      CREATE INDEX bookings_session ON bookings (session_id, status);
      CREATE TABLE notices (
        id               integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        session_id       text NOT NULL REFERENCES sessions (id),
        registration_id  integer NOT NULL REFERENCES registrations (id),
        change_seq       integer NOT NULL,
        change           text NOT NULL,
        channel          text NOT NULL,
        body             text NOT NULL,
        sealed           bytea,
        created_at       text NOT NULL,
        sent_at          text,
        attempts         integer NOT NULL DEFAULT 0,
        last_error       text,
        UNIQUE (session_id, registration_id, change, change_seq)
      );
      CREATE INDEX notices_pending ON notices (id) WHERE sent_at IS NULL;
      CREATE TABLE notice_deliveries (
        id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        notice_id   integer NOT NULL REFERENCES notices (id),
        channel     text NOT NULL,
        state       text NOT NULL,
        attempts    integer NOT NULL DEFAULT 0,
        next_at     text NOT NULL,
        last_error  text,
        sent_at     text,
        UNIQUE (notice_id, channel)
      );
      CREATE INDEX notice_deliveries_due ON notice_deliveries (next_at) WHERE state = 'queued';
    `,
  },
  {
    version: 2,
    name: 'append-only audit chain and recordings access log (refused UPDATE, DELETE and TRUNCATE by trigger)',
    sql: `
      CREATE TABLE room_audit (
        id          integer PRIMARY KEY,
        session_id  text NOT NULL,
        at          text NOT NULL,
        actor       text NOT NULL,
        role        text NOT NULL,
        action      text NOT NULL,
        target      text,
        detail      text NOT NULL,
        prev_hash   text NOT NULL,
        hash        text NOT NULL
      );
      CREATE INDEX room_audit_session ON room_audit (session_id, id);
      ${appendOnly('room_audit')}
      CREATE TABLE recording_access (
        id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at            text NOT NULL,
        recording_id  text,
        actor         text NOT NULL,
        role          text NOT NULL,
        action        text NOT NULL,
        outcome       text NOT NULL,
        status        integer NOT NULL,
        ip            text,
        user_agent    text,
        detail        text
      );
      CREATE INDEX recording_access_recording ON recording_access (recording_id, id);
      ${appendOnly('recording_access')}
      ${appendOnly('history')}
    `,
  },
  {
    version: 3,
    name: 'officials sign-in: accounts, role assignments, sessions, single sign-on transactions, append-only audit log',
    sql: `
      CREATE TABLE accounts (
        id              text PRIMARY KEY,
        username        text NOT NULL UNIQUE,
        display_name    text NOT NULL,
        password_hash   text,
        totp_sealed     bytea,
        totp_last_step  bigint,
        oidc_subject    text UNIQUE,
        failed_count    integer NOT NULL DEFAULT 0,
        locked_until    bigint,            -- ms since the epoch
        disabled_at     text,
        created_at      text NOT NULL,
        created_by      text NOT NULL,
        updated_at      text NOT NULL
      );
      CREATE TABLE role_assignments (
        account_id  text NOT NULL REFERENCES accounts (id),
        role        text NOT NULL,
        unit        text NOT NULL,
        granted_at  text NOT NULL,
        granted_by  text NOT NULL,
        PRIMARY KEY (account_id, role, unit)
      );
      CREATE TABLE auth_sessions (
        id              text PRIMARY KEY,
        secret_hash     text NOT NULL UNIQUE,
        account_id      text NOT NULL REFERENCES accounts (id),
        kind            text NOT NULL,
        method          text NOT NULL,
        device_role     text,
        device_unit     text,
        device_label    text,
        created_at      bigint NOT NULL,
        last_seen_at    bigint NOT NULL,
        expires_at      bigint NOT NULL,
        idle_seconds    integer NOT NULL,
        ended_at        bigint,
        end_reason      text,
        oidc_refresh    bytea,
        oidc_id_token   text
      );
      CREATE INDEX auth_sessions_account ON auth_sessions (account_id);
      CREATE TABLE oidc_transactions (
        state          text PRIMARY KEY,
        nonce          text NOT NULL,
        code_verifier  text NOT NULL,
        return_to      text NOT NULL,
        created_at     bigint NOT NULL
      );
      CREATE TABLE auth_audit (
        id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at          text NOT NULL,
        event       text NOT NULL,
        account_id  text,
        username    text,
        actor       text NOT NULL,
        ip          text,
        user_agent  text,
        detail      text NOT NULL DEFAULT '{}'
      );
      CREATE INDEX auth_audit_account ON auth_audit (account_id, id);
      ${appendOnly('auth_audit')}
    `,
  },
  {
    version: 4,
    name: 'rooms: state, event log tail with chat lines (room_chat is a view), as SQLite after its migration 11',
    sql: `
      CREATE TABLE rooms (
        session_id  text PRIMARY KEY,
        state       text NOT NULL,
        data        jsonb NOT NULL,    -- RoomData: participants, lobby order, points, case, floor, seq (reserved ahead)
        updated_at  text NOT NULL
      );
      CREATE INDEX rooms_active ON rooms (session_id) WHERE state <> 'ended';
      -- A chat line is its event's row, marked by author (the author's own name: the frame may show a denouncer
      -- redacted); trimming the tail passes over those rows, so they are the session's chat record.
      CREATE TABLE room_events (
        session_id  text NOT NULL,
        seq         bigint NOT NULL,
        at          text NOT NULL,
        recipients  text NOT NULL,     -- JSON array of participant ids
        frame       text NOT NULL,     -- the event frame as sent
        author      text,
        PRIMARY KEY (session_id, seq)
      );
      CREATE VIEW room_chat AS
        SELECT session_id, seq,
          frame::jsonb #>> '{event,messageId}' AS message_id,
          frame::jsonb #>> '{event,from}' AS participant_id,
          author AS name,
          frame::jsonb #>> '{event,text}' AS text,
          frame::jsonb #>> '{event,at}' AS at
        FROM room_events WHERE author IS NOT NULL;
      ALTER TABLE room_audit ADD CONSTRAINT room_audit_hash UNIQUE (hash);
    `,
  },
  {
    version: 5,
    name: 'recordings: leases, recorders, segments, timeline, citizens\' copies (the access log is in 2)',
    sql: `
      CREATE TABLE recordings (
        id                text PRIMARY KEY,
        session_id        text NOT NULL UNIQUE,
        unit              text NOT NULL,
        policy            text NOT NULL,
        confidential      integer NOT NULL DEFAULT 0,   -- 1: a denunciation was heard, never streamed
        state             text NOT NULL,
        epoch             integer NOT NULL DEFAULT 0,   -- the lease's fencing token
        holder            text,
        lease_expires_at  bigint,                       -- ms since the epoch
        created_at        text NOT NULL,
        created_by        text NOT NULL,
        started_at        text,
        ended_at          text,
        ended_by          text,
        finalized_at      text,
        manifest_sha256   text,
        last_error        text
      );
      CREATE INDEX recordings_live ON recordings (state) WHERE state IN ('armed', 'recording', 'ending', 'finalizing');
      CREATE INDEX recordings_unit ON recordings (unit, created_at DESC);
      CREATE TABLE recording_recorders (
        recording_id   text NOT NULL REFERENCES recordings (id),
        recorder_id    text NOT NULL,
        point_id       text,
        official       text NOT NULL,
        registered_at  text NOT NULL,
        last_seen_at   bigint NOT NULL,
        left_at        text,
        PRIMARY KEY (recording_id, recorder_id)
      );
      CREATE TABLE recording_leases (
        recording_id  text NOT NULL REFERENCES recordings (id),
        epoch         integer NOT NULL,
        recorder_id   text NOT NULL,
        granted_at    text NOT NULL,
        ended_at      text,
        end_reason    text,
        PRIMARY KEY (recording_id, epoch)
      );
      CREATE TABLE recording_segments (
        recording_id  text NOT NULL REFERENCES recordings (id),
        epoch         integer NOT NULL,
        seq           integer NOT NULL,
        recorder_id   text NOT NULL,
        bytes         integer NOT NULL,
        sha256        text NOT NULL,
        captured_at   bigint,
        received_at   text NOT NULL,
        PRIMARY KEY (recording_id, epoch, seq)
      );
      CREATE TABLE recording_timeline (
        id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        recording_id  text NOT NULL REFERENCES recordings (id),
        at            text NOT NULL,
        kind          text NOT NULL,
        data          text NOT NULL
      );
      CREATE INDEX recording_timeline_recording ON recording_timeline (recording_id, id);
      CREATE TABLE recording_copies (
        id              text PRIMARY KEY,
        recording_id    text NOT NULL REFERENCES recordings (id),
        reference       text NOT NULL,
        state           text NOT NULL,
        requested_at    text NOT NULL,
        requested_by    text NOT NULL,
        approved_at     text,
        approved_by     text,
        checks          text,
        "window"        text,                         -- a reserved word in PostgreSQL, the column name in SQLite
        file            text,
        bytes           integer,
        sha256          text,
        handed_over_at  text,
        handed_over_by  text,
        handover        text
      );
      CREATE INDEX recording_copies_case ON recording_copies (recording_id, reference);
    `,
  },
  {
    version: 6,
    name: "the desk's cases and the register's numbering (as SQLite's desk migration)",
    sql: `
      CREATE TABLE reception_cases (
        id                      text PRIMARY KEY,
        unit                    text NOT NULL,
        state                   text NOT NULL,
        kind                    text NOT NULL,
        origin                  text NOT NULL,
        register_year           integer NOT NULL,
        register_number         integer NOT NULL,
        session_id              text,
        point_id                text,
        registration_reference  text,
        opened_at               text NOT NULL,
        updated_at              text NOT NULL,
        revision                integer NOT NULL,
        data                    text NOT NULL,   -- ReceptionCase JSON; citizen and identity redacted when sealed
        sealed                  bytea,           -- AES-256-GCM {citizen, identity} of a denouncer (privacy/seal.ts)
        UNIQUE (unit, register_year, register_number)
      );
      CREATE INDEX reception_cases_register ON reception_cases (unit, opened_at);
      CREATE INDEX reception_cases_registration ON reception_cases (registration_reference, session_id);
      CREATE TABLE case_numbers (
        unit    text NOT NULL,
        year    integer NOT NULL,
        series  text NOT NULL,      -- register | receipt | refusal
        last    integer NOT NULL,
        PRIMARY KEY (unit, year, series)
      );
    `,
  },
  {
    version: 7,
    name: 'several nodes: attachment files and the recording signing key in the database instead of one node\'s data folder',
    sql: `
      CREATE TABLE attachment_files (
        sha256     text PRIMARY KEY,
        sealed     bytea NOT NULL,
        stored_at  text NOT NULL
      );
      CREATE TABLE server_keys (
        name        text PRIMARY KEY,
        value       bytea NOT NULL,
        updated_at  text NOT NULL
      );
    `,
  },
  {
    version: 8,
    // As SQLite's migration 12 (rooms/migration.ts): a node that lost a room's lease is refused its late batch.
    name: 'rooms: lease_epoch, the fence against a node that lost the room',
    sql: `ALTER TABLE rooms ADD COLUMN lease_epoch bigint NOT NULL DEFAULT 0;`,
  },
  {
    // SQLite's twin is migration 13 (store/fences.ts).
    version: 9,
    name: 'fences: the highest epoch seen per job lease or lock, so a stale holder\'s write is refused',
    sql: `
      CREATE TABLE job_fences (
        name   text PRIMARY KEY,
        epoch  bigint NOT NULL
      );
    `,
  },
];

/** Applies the migrations not yet recorded, each in the one transaction that holds the lock; returns them. */
export async function migratePg(client: PoolClient, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number[]> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)');
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const latestKnown = Math.max(0, ...migrations.map((m) => m.version));
    const newest = Math.max(0, ...done);
    if (newest > latestKnown) throw new Error(`database schema version ${newest} is newer than this server knows (${latestKnown}); upgrade the server`);
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, new Date().toISOString()]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
