/**
 * What sign-in needs from storage (accounts, role assignments, sessions, single sign-on transactions, the audit
 * log), as a narrow async interface so a PostgreSQL store can follow (as store/schedule-store.ts does for the
 * schedule). Counters that guard against guessing (failed attempts, lockout) change in one statement inside the
 * store, so two parallel guesses cannot both read "4 failures" and both be allowed.
 */
import type { OfficialRole } from '@tiepdan/core';

export interface AccountRow {
  id: string;
  username: string;
  displayName: string;
  passwordHash?: string | undefined;
  totpSealed?: Buffer | undefined;
  totpLastStep?: number | undefined;
  oidcSubject?: string | undefined;
  failedCount: number;
  /** ms since the epoch. */
  lockedUntil?: number | undefined;
  disabledAt?: string | undefined;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export interface NewAccount {
  id: string;
  username: string;
  displayName: string;
  passwordHash?: string | undefined;
  totpSealed?: Buffer | undefined;
  oidcSubject?: string | undefined;
  createdAt: string;
  createdBy: string;
}

/** A change to an account; `null` clears a field, `undefined` leaves it. */
export interface AccountPatch {
  displayName?: string;
  passwordHash?: string | null;
  totpSealed?: Buffer | null;
  totpLastStep?: number | null;
  disabledAt?: string | null;
  at: string;
}

export interface Assignment {
  role: OfficialRole;
  unit: string;
  grantedAt: string;
  grantedBy: string;
}

export type SessionKind = 'browser' | 'device';
export type SignInMethod = 'password' | 'oidc' | 'device';

export interface SessionRow {
  id: string;
  secretHash: string;
  accountId: string;
  kind: SessionKind;
  method: SignInMethod;
  deviceRole?: OfficialRole | undefined;
  deviceUnit?: string | undefined;
  deviceLabel?: string | undefined;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  idleSeconds: number;
  endedAt?: number | undefined;
  endReason?: string | undefined;
  oidcRefresh?: Buffer | undefined;
  oidcIdToken?: string | undefined;
}

export interface OidcTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  createdAt: number;
}

export const AUDIT_EVENTS = [
  'sign_in',
  'sign_in_failed',
  'lockout',
  'sign_out',
  'session_expired',
  'role_granted',
  'role_removed',
  'account_created',
  'account_disabled',
  'account_enabled',
  'password_reset',
  'second_factor_reset',
  'device_issued',
  'idp_unavailable',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

export interface AuditEntry {
  at: string;
  event: AuditEvent;
  accountId?: string | undefined;
  username?: string | undefined;
  actor: string;
  ip?: string | undefined;
  userAgent?: string | undefined;
  detail?: Record<string, unknown> | undefined;
}

export interface AuditRow extends AuditEntry {
  id: number;
  detail: Record<string, unknown>;
}

export interface AccountStore {
  createAccount(account: NewAccount): Promise<AccountRow | 'username_taken'>;
  getAccount(id: string): Promise<AccountRow | undefined>;
  findByUsername(username: string): Promise<AccountRow | undefined>;
  findByOidcSubject(subject: string): Promise<AccountRow | undefined>;
  /** Accounts holding at least one role in `unit` (every account for undefined). */
  listAccounts(unit?: string): Promise<AccountRow[]>;
  updateAccount(id: string, patch: AccountPatch): Promise<AccountRow | undefined>;
  /** Counts a failure; locks until `now + lockMs` when it is the `maxFailures`-th in a row. */
  recordFailure(id: string, now: number, maxFailures: number, lockMs: number): Promise<{ failedCount: number; lockedUntil?: number | undefined }>;
  /** A successful sign-in: the count starts over and any lock is lifted. */
  clearFailures(id: string, at: string): Promise<void>;
  /** Stores the time step of an accepted code unless an equal or later one was already accepted (replay). */
  acceptTotpStep(id: string, step: number): Promise<boolean>;

  assignments(accountId: string): Promise<Assignment[]>;
  grant(accountId: string, role: OfficialRole, unit: string, by: string, at: string): Promise<boolean>;
  revoke(accountId: string, role: OfficialRole, unit: string): Promise<boolean>;

  createSession(session: SessionRow): Promise<void>;
  sessionBySecretHash(secretHash: string): Promise<SessionRow | undefined>;
  sessionById(id: string): Promise<SessionRow | undefined>;
  touchSession(id: string, at: number, oidc?: { refresh?: Buffer | undefined; idToken?: string | undefined }): Promise<void>;
  endSession(id: string, at: number, reason: string): Promise<boolean>;
  /** Ends every open session of an account (disabled, password reset); returns how many. */
  endSessionsOf(accountId: string, at: number, reason: string): Promise<number>;

  putTransaction(transaction: OidcTransaction): Promise<void>;
  /** Returns and deletes the transaction: a state is good for one callback only. */
  takeTransaction(state: string, notBefore: number): Promise<OidcTransaction | undefined>;

  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first; `accountIds` narrows to those accounts, `before` pages on the id. */
  listAudit(query: { accountIds?: string[] | undefined; limit: number; before?: number | undefined }): Promise<AuditRow[]>;
}
