/**
 * Migration 10: the reception desk. One row per reception case (vụ việc) with its steps as JSON (the citizen's
 * identity sealed for a denunciation), and the per-unit, per-year counters that number the register's lines,
 * the Form 02 receipts and the refusal notices. Numbered 10 (the issue that brought it) rather than the next
 * free number, so it does not collide with migrations other capabilities add meanwhile; order does not matter
 * between them, they touch separate tables.
 */
import type { Migration } from '../store/migration.js';

export const DESK_MIGRATION: Migration = {
  version: 10,
  name: 'reception desk: cases, per-unit yearly numbering',
  sql: `
    CREATE TABLE reception_cases (
      id                      TEXT PRIMARY KEY,
      unit                    TEXT NOT NULL,
      state                   TEXT NOT NULL,
      kind                    TEXT NOT NULL,
      origin                  TEXT NOT NULL,
      register_year           INTEGER NOT NULL,
      register_number         INTEGER NOT NULL,
      session_id              TEXT,
      point_id                TEXT,
      registration_reference  TEXT,
      opened_at               TEXT NOT NULL,
      updated_at              TEXT NOT NULL,
      revision                INTEGER NOT NULL,
      data                    TEXT NOT NULL,   -- ReceptionCase JSON; citizen and identity redacted when sealed
      sealed                  BLOB,            -- AES-256-GCM {citizen, identity} of a denouncer (privacy/seal.ts)
      UNIQUE (unit, register_year, register_number)
    ) STRICT;
    CREATE INDEX reception_cases_register ON reception_cases (unit, opened_at);
    CREATE INDEX reception_cases_registration ON reception_cases (registration_reference, session_id);
    CREATE TABLE case_numbers (
      unit    TEXT NOT NULL,
      year    INTEGER NOT NULL,
      series  TEXT NOT NULL,      -- register | receipt | refusal
      last    INTEGER NOT NULL,
      PRIMARY KEY (unit, year, series)
    ) STRICT, WITHOUT ROWID;
  `,
};
