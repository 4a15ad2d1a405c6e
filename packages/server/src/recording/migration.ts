/**
 * Migration 4: recordings. A recording per reception session with its lease (epoch = fencing token, holder,
 * expiry), the recorders that joined its election, every lease granted (recorders and failovers), the
 * acknowledged segments, the timeline (participants, notices, cases), the access log (append-only) and the
 * citizens' copy requests with their handover records.
 */
import type { Migration } from '../store/migration.js';

export const RECORDING_MIGRATION: Migration = {
  version: 4,
  name: 'recordings: leases, segments, timeline, access log, copies',
  sql: `
    CREATE TABLE recordings (
      id                TEXT PRIMARY KEY,
      session_id        TEXT NOT NULL UNIQUE,
      unit              TEXT NOT NULL,
      policy            TEXT NOT NULL,       -- mandatory | optional
      confidential      INTEGER NOT NULL DEFAULT 0,   -- a denunciation was heard: never streamed
      state             TEXT NOT NULL,       -- armed | recording | ending | finalizing | finalized
      epoch             INTEGER NOT NULL DEFAULT 0,
      holder            TEXT,                -- recorder id holding the lease of epoch
      lease_expires_at  INTEGER,             -- ms since the epoch
      created_at        TEXT NOT NULL,
      created_by        TEXT NOT NULL,
      started_at        TEXT,
      ended_at          TEXT,
      ended_by          TEXT,
      finalized_at      TEXT,
      manifest_sha256   TEXT,
      last_error        TEXT
    ) STRICT;
    CREATE TABLE recording_recorders (
      recording_id   TEXT NOT NULL REFERENCES recordings (id),
      recorder_id    TEXT NOT NULL,
      point_id       TEXT,
      official       TEXT NOT NULL,
      registered_at  TEXT NOT NULL,
      last_seen_at   INTEGER NOT NULL,       -- ms since the epoch
      left_at        TEXT,
      PRIMARY KEY (recording_id, recorder_id)
    ) STRICT;
    CREATE TABLE recording_leases (
      recording_id  TEXT NOT NULL REFERENCES recordings (id),
      epoch         INTEGER NOT NULL,
      recorder_id   TEXT NOT NULL,
      granted_at    TEXT NOT NULL,
      ended_at      TEXT,
      end_reason    TEXT,                    -- lapsed | left | ended
      PRIMARY KEY (recording_id, epoch)
    ) STRICT;
    CREATE TABLE recording_segments (
      recording_id  TEXT NOT NULL REFERENCES recordings (id),
      epoch         INTEGER NOT NULL,
      seq           INTEGER NOT NULL,
      recorder_id   TEXT NOT NULL,
      bytes         INTEGER NOT NULL,
      sha256        TEXT NOT NULL,
      captured_at   INTEGER,                 -- the recorder's clock, ms
      received_at   TEXT NOT NULL,
      PRIMARY KEY (recording_id, epoch, seq)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE recording_timeline (
      id            INTEGER PRIMARY KEY,
      recording_id  TEXT NOT NULL REFERENCES recordings (id),
      at            TEXT NOT NULL,
      kind          TEXT NOT NULL,           -- participant | notice | case
      data          TEXT NOT NULL
    ) STRICT;
    CREATE INDEX recording_timeline_recording ON recording_timeline (recording_id, id);
    CREATE TABLE recording_access (
      id            INTEGER PRIMARY KEY,
      at            TEXT NOT NULL,
      recording_id  TEXT,
      actor         TEXT NOT NULL,           -- official:<sub> | citizen:<reference> | anonymous
      role          TEXT NOT NULL,
      action        TEXT NOT NULL,
      outcome       TEXT NOT NULL,           -- allowed | refused
      status        INTEGER NOT NULL,
      ip            TEXT,
      user_agent    TEXT,
      detail        TEXT
    ) STRICT;
    CREATE INDEX recording_access_recording ON recording_access (recording_id, id);
    CREATE TRIGGER recording_access_no_update BEFORE UPDATE ON recording_access BEGIN SELECT RAISE(ABORT, 'recording_access is append-only'); END;
    CREATE TRIGGER recording_access_no_delete BEFORE DELETE ON recording_access BEGIN SELECT RAISE(ABORT, 'recording_access is append-only'); END;
    CREATE TABLE recording_copies (
      id              TEXT PRIMARY KEY,
      recording_id    TEXT NOT NULL REFERENCES recordings (id),
      reference       TEXT NOT NULL,
      state           TEXT NOT NULL,         -- requested | approved | handed_over
      requested_at    TEXT NOT NULL,
      requested_by    TEXT NOT NULL,
      approved_at     TEXT,
      approved_by     TEXT,
      checks          TEXT,                  -- what the approver attested (JSON)
      window          TEXT,                  -- {fromSeconds, toSeconds} of the case in the media (JSON)
      file            TEXT,
      bytes           INTEGER,
      sha256          TEXT,
      handed_over_at  TEXT,
      handed_over_by  TEXT,
      handover        TEXT                   -- recipient, method, note (JSON)
    ) STRICT;
  `,
};
