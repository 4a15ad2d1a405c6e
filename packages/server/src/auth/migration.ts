/**
 * Migration 5: officials' sign-in. Local accounts (argon2id password hash, sealed TOTP secret, lockout state),
 * role assignments per unit (local and single sign-on accounts alike), sign-in sessions (browser and device;
 * only a hash of the cookie secret is stored), single sign-on transactions (state, nonce, PKCE verifier for the
 * few minutes of a redirect), and the sign-in audit log, append-only: triggers refuse UPDATE and DELETE, so a
 * bug or a hand-typed statement cannot rewrite who signed in.
 */
import type { Migration } from '../store/migration.js';

export const AUTH_MIGRATION: Migration = {
  version: 5,
  name: 'officials sign-in: accounts, role assignments, sessions, audit log',
  sql: `
    CREATE TABLE accounts (
      id              TEXT PRIMARY KEY,
      username        TEXT NOT NULL UNIQUE,   -- NFC, lower case
      display_name    TEXT NOT NULL,
      password_hash   TEXT,                   -- argon2id PHC string; NULL for single sign-on only
      totp_sealed     BLOB,                   -- AES-GCM sealed base32 secret
      totp_last_step  INTEGER,                -- the last accepted time step: a code is never accepted twice
      oidc_subject    TEXT UNIQUE,            -- issuer + " " + sub for single sign-on accounts
      failed_count    INTEGER NOT NULL DEFAULT 0,
      locked_until    INTEGER,                -- ms since the epoch
      disabled_at     TEXT,
      created_at      TEXT NOT NULL,
      created_by      TEXT NOT NULL,
      updated_at      TEXT NOT NULL
    ) STRICT;
    CREATE TABLE role_assignments (
      account_id  TEXT NOT NULL REFERENCES accounts (id),
      role        TEXT NOT NULL,
      unit        TEXT NOT NULL,
      granted_at  TEXT NOT NULL,
      granted_by  TEXT NOT NULL,
      PRIMARY KEY (account_id, role, unit)
    ) STRICT;
    CREATE TABLE auth_sessions (
      id              TEXT PRIMARY KEY,       -- public id, the "sid" of access tokens
      secret_hash     TEXT NOT NULL UNIQUE,   -- SHA-256 of the cookie secret
      account_id      TEXT NOT NULL REFERENCES accounts (id),
      kind            TEXT NOT NULL,          -- browser | device
      method          TEXT NOT NULL,          -- password | oidc | device
      device_role     TEXT,                   -- device sessions: the one role and unit they carry
      device_unit     TEXT,
      device_label    TEXT,
      created_at      INTEGER NOT NULL,       -- ms since the epoch
      last_seen_at    INTEGER NOT NULL,
      expires_at      INTEGER NOT NULL,       -- absolute end
      idle_seconds    INTEGER NOT NULL,
      ended_at        INTEGER,
      end_reason      TEXT,
      oidc_refresh    BLOB,                   -- sealed refresh token of the identity provider
      oidc_id_token   TEXT                    -- for the provider's sign-out (id_token_hint)
    ) STRICT;
    CREATE INDEX auth_sessions_account ON auth_sessions (account_id);
    CREATE TABLE oidc_transactions (
      state          TEXT PRIMARY KEY,
      nonce          TEXT NOT NULL,
      code_verifier  TEXT NOT NULL,
      return_to      TEXT NOT NULL,
      created_at     INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE auth_audit (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      at          TEXT NOT NULL,
      event       TEXT NOT NULL,   -- sign_in | sign_in_failed | lockout | sign_out | session_expired | role_granted | role_removed | account_created | account_disabled | account_enabled | password_reset | second_factor_reset | device_issued | token_refused
      account_id  TEXT,
      username    TEXT,
      actor       TEXT NOT NULL,   -- who did it: the account itself, an administrator, "system"
      ip          TEXT,
      user_agent  TEXT,
      detail      TEXT NOT NULL DEFAULT '{}'
    ) STRICT;
    CREATE INDEX auth_audit_account ON auth_audit (account_id, id);
    CREATE TRIGGER auth_audit_no_update BEFORE UPDATE ON auth_audit BEGIN SELECT RAISE(ABORT, 'auth_audit is append-only'); END;
    CREATE TRIGGER auth_audit_no_delete BEFORE DELETE ON auth_audit BEGIN SELECT RAISE(ABORT, 'auth_audit is append-only'); END;
  `,
};
