/**
 * Schema 6: invitations that reach the citizen, and a delivery state per notice and channel.
 *
 * - `notices` is rebuilt (SQLite cannot change a UNIQUE constraint in place) so one outbox holds invitations as
 *   well as session changes: the key becomes (session, registration, change, change_seq), where change_seq is
 *   the session's sequence after a change, or for an invitation the invitation's number for that booking.
 *   `sealed` holds what must not sit in clear (the join link with its token), AES-256-GCM like denouncers' data.
 *   `sent_at` now means "every delivery of this notice is settled" (sent, logged, or failed for good).
 * - `notice_deliveries`: one row per notice and channel (smtp, sms-http, log; "none" when the citizen gave no
 *   contact any configured channel can reach), with its state (queued → sent | logged | failed), attempts, the
 *   time of the next attempt (backoff) and the last error — what officials see.
 * - `bookings` gains the invitation's attendance (mode and connection point, JSON), the note for the citizen,
 *   `provisional`: a place taken before screening (issue 12 item 4, schedule/bookings.ts), and the join token
 *   sealed (AES-256-GCM, bound to the reference) so the citizen's lookup can show the link again.
 */
import type { Migration } from '../store/migration.js';

export const NOTICES_MIGRATION: Migration = {
  version: 6,
  name: 'invitations in the notice outbox, deliveries per channel, provisional places',
  sql: `
    CREATE TABLE notices_next (
      id               INTEGER PRIMARY KEY,
      session_id       TEXT NOT NULL REFERENCES sessions (id),
      registration_id  INTEGER NOT NULL REFERENCES registrations (id),
      change_seq       INTEGER NOT NULL,
      change           TEXT NOT NULL,      -- cancelled | postponed | time_changed | invited
      channel          TEXT NOT NULL,      -- kept for rows from schema 2; deliveries name their channel
      body             TEXT NOT NULL,
      sealed           BLOB,
      created_at       TEXT NOT NULL,
      sent_at          TEXT,
      attempts         INTEGER NOT NULL DEFAULT 0,
      last_error       TEXT,
      UNIQUE (session_id, registration_id, change, change_seq)
    ) STRICT;
    INSERT INTO notices_next (id, session_id, registration_id, change_seq, change, channel, body, created_at, sent_at, attempts, last_error)
      SELECT id, session_id, registration_id, change_seq, change, channel, body, created_at, sent_at, attempts, last_error FROM notices;
    DROP TABLE notices;
    ALTER TABLE notices_next RENAME TO notices;
    CREATE INDEX notices_pending ON notices (id) WHERE sent_at IS NULL;
    CREATE INDEX notices_session ON notices (session_id, registration_id);
    CREATE TABLE notice_deliveries (
      id          INTEGER PRIMARY KEY,
      notice_id   INTEGER NOT NULL REFERENCES notices (id),
      channel     TEXT NOT NULL,
      state       TEXT NOT NULL,      -- queued | sent | logged | failed
      attempts    INTEGER NOT NULL DEFAULT 0,
      next_at     TEXT NOT NULL,
      last_error  TEXT,
      sent_at     TEXT,
      UNIQUE (notice_id, channel)
    ) STRICT;
    CREATE INDEX notice_deliveries_due ON notice_deliveries (next_at) WHERE state = 'queued';
    ALTER TABLE bookings ADD COLUMN attendance TEXT;
    ALTER TABLE bookings ADD COLUMN invitation_note TEXT;
    ALTER TABLE bookings ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE bookings ADD COLUMN join_token_sealed BLOB;  -- the join token, sealed, so the lookup can show the link
  `,
};
