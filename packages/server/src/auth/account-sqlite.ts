/**
 * The SQLite implementation of AccountStore, on the server's one database (migration 5, auth/migration.ts).
 */
import type Database from 'better-sqlite3';
import type { OfficialRole } from '@tiepdan/core';
import type { AccountPatch, AccountRow, AccountStore, Assignment, AuditEntry, AuditRow, NewAccount, OidcTransaction, SessionRow } from './account-store.js';

export interface AccountRecord {
  id: string;
  username: string;
  display_name: string;
  password_hash: string | null;
  totp_sealed: Buffer | null;
  totp_last_step: number | null;
  oidc_subject: string | null;
  failed_count: number;
  locked_until: number | null;
  disabled_at: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface SessionRecord {
  id: string;
  secret_hash: string;
  account_id: string;
  kind: SessionRow['kind'];
  method: SessionRow['method'];
  device_role: OfficialRole | null;
  device_unit: string | null;
  device_label: string | null;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  idle_seconds: number;
  ended_at: number | null;
  end_reason: string | null;
  oidc_refresh: Buffer | null;
  oidc_id_token: string | null;
}

interface AuditRecord {
  id: number;
  at: string;
  event: AuditRow['event'];
  account_id: string | null;
  username: string | null;
  actor: string;
  ip: string | null;
  user_agent: string | null;
  detail: string;
}

const opt = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

export function accountFromRecord(r: AccountRecord): AccountRow {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    passwordHash: opt(r.password_hash),
    totpSealed: opt(r.totp_sealed),
    totpLastStep: opt(r.totp_last_step),
    oidcSubject: opt(r.oidc_subject),
    failedCount: r.failed_count,
    lockedUntil: opt(r.locked_until),
    disabledAt: opt(r.disabled_at),
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
  };
}

export function sessionFromRecord(r: SessionRecord): SessionRow {
  return {
    id: r.id,
    secretHash: r.secret_hash,
    accountId: r.account_id,
    kind: r.kind,
    method: r.method,
    deviceRole: opt(r.device_role),
    deviceUnit: opt(r.device_unit),
    deviceLabel: opt(r.device_label),
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
    idleSeconds: r.idle_seconds,
    endedAt: opt(r.ended_at),
    endReason: opt(r.end_reason),
    oidcRefresh: opt(r.oidc_refresh),
    oidcIdToken: opt(r.oidc_id_token),
  };
}

export class SqliteAccountStore implements AccountStore {
  constructor(private readonly db: Database.Database) {}

  async createAccount(a: NewAccount): Promise<AccountRow | 'username_taken'> {
    try {
      this.db
        .prepare(
          `INSERT INTO accounts (id, username, display_name, password_hash, totp_sealed, oidc_subject, created_at, created_by, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(a.id, a.username, a.displayName, a.passwordHash ?? null, a.totpSealed ?? null, a.oidcSubject ?? null, a.createdAt, a.createdBy, a.createdAt);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return 'username_taken';
      throw error;
    }
    return (await this.getAccount(a.id))!;
  }

  async getAccount(id: string): Promise<AccountRow | undefined> {
    const r = this.db.prepare<[string], AccountRecord>('SELECT * FROM accounts WHERE id = ?').get(id);
    return r && accountFromRecord(r);
  }

  async findByUsername(username: string): Promise<AccountRow | undefined> {
    const r = this.db.prepare<[string], AccountRecord>('SELECT * FROM accounts WHERE username = ?').get(username);
    return r && accountFromRecord(r);
  }

  async findByOidcSubject(subject: string): Promise<AccountRow | undefined> {
    const r = this.db.prepare<[string], AccountRecord>('SELECT * FROM accounts WHERE oidc_subject = ?').get(subject);
    return r && accountFromRecord(r);
  }

  async listAccounts(unit?: string): Promise<AccountRow[]> {
    const rows =
      unit === undefined
        ? this.db.prepare<[], AccountRecord>('SELECT * FROM accounts ORDER BY username').all()
        : this.db
            .prepare<[string], AccountRecord>('SELECT * FROM accounts WHERE id IN (SELECT account_id FROM role_assignments WHERE unit = ?) ORDER BY username')
            .all(unit);
    return rows.map(accountFromRecord);
  }

  async updateAccount(id: string, patch: AccountPatch): Promise<AccountRow | undefined> {
    const sets: string[] = ['updated_at = @at'];
    const values: Record<string, unknown> = { id, at: patch.at };
    const column = { displayName: 'display_name', passwordHash: 'password_hash', totpSealed: 'totp_sealed', totpLastStep: 'totp_last_step', disabledAt: 'disabled_at' } as const;
    for (const [key, name] of Object.entries(column) as [keyof typeof column, string][]) {
      if (patch[key] === undefined) continue;
      sets.push(`${name} = @${key}`);
      values[key] = patch[key];
    }
    this.db.prepare(`UPDATE accounts SET ${sets.join(', ')} WHERE id = @id`).run(values);
    return this.getAccount(id);
  }

  async recordFailure(id: string, now: number, maxFailures: number, lockMs: number): Promise<{ failedCount: number; lockedUntil?: number | undefined }> {
    const r = this.db
      .prepare<[number, number, number, string], { failed_count: number; locked_until: number | null }>(
        `UPDATE accounts SET failed_count = failed_count + 1,
           locked_until = CASE WHEN failed_count + 1 >= ? THEN ? + ? ELSE locked_until END
         WHERE id = ? RETURNING failed_count, locked_until`,
      )
      .get(maxFailures, now, lockMs, id);
    return { failedCount: r?.failed_count ?? 0, lockedUntil: opt(r?.locked_until ?? null) };
  }

  async clearFailures(id: string, at: string): Promise<void> {
    this.db.prepare('UPDATE accounts SET failed_count = 0, locked_until = NULL, updated_at = ? WHERE id = ?').run(at, id);
  }

  async acceptTotpStep(id: string, step: number): Promise<boolean> {
    const r = this.db.prepare('UPDATE accounts SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)').run(step, id, step);
    return r.changes === 1;
  }

  async assignments(accountId: string): Promise<Assignment[]> {
    return this.db
      .prepare<[string], { role: OfficialRole; unit: string; granted_at: string; granted_by: string }>(
        'SELECT role, unit, granted_at, granted_by FROM role_assignments WHERE account_id = ? ORDER BY granted_at, role',
      )
      .all(accountId)
      .map((r) => ({ role: r.role, unit: r.unit, grantedAt: r.granted_at, grantedBy: r.granted_by }));
  }

  async grant(accountId: string, role: OfficialRole, unit: string, by: string, at: string): Promise<boolean> {
    return this.db.prepare('INSERT OR IGNORE INTO role_assignments (account_id, role, unit, granted_at, granted_by) VALUES (?, ?, ?, ?, ?)').run(accountId, role, unit, at, by).changes === 1;
  }

  async revoke(accountId: string, role: OfficialRole, unit: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM role_assignments WHERE account_id = ? AND role = ? AND unit = ?').run(accountId, role, unit).changes === 1;
  }

  async createSession(s: SessionRow): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO auth_sessions (id, secret_hash, account_id, kind, method, device_role, device_unit, device_label, created_at, last_seen_at, expires_at, idle_seconds, oidc_refresh, oidc_id_token)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(s.id, s.secretHash, s.accountId, s.kind, s.method, s.deviceRole ?? null, s.deviceUnit ?? null, s.deviceLabel ?? null, s.createdAt, s.lastSeenAt, s.expiresAt, s.idleSeconds, s.oidcRefresh ?? null, s.oidcIdToken ?? null);
  }

  async sessionBySecretHash(secretHash: string): Promise<SessionRow | undefined> {
    const r = this.db.prepare<[string], SessionRecord>('SELECT * FROM auth_sessions WHERE secret_hash = ?').get(secretHash);
    return r && sessionFromRecord(r);
  }

  async sessionById(id: string): Promise<SessionRow | undefined> {
    const r = this.db.prepare<[string], SessionRecord>('SELECT * FROM auth_sessions WHERE id = ?').get(id);
    return r && sessionFromRecord(r);
  }

  async touchSession(id: string, at: number, oidc?: { refresh?: Buffer | undefined; idToken?: string | undefined }): Promise<void> {
    this.db
      .prepare('UPDATE auth_sessions SET last_seen_at = ?, oidc_refresh = coalesce(?, oidc_refresh), oidc_id_token = coalesce(?, oidc_id_token) WHERE id = ? AND ended_at IS NULL')
      .run(at, oidc?.refresh ?? null, oidc?.idToken ?? null, id);
  }

  async endSession(id: string, at: number, reason: string): Promise<boolean> {
    return this.db.prepare('UPDATE auth_sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL').run(at, reason, id).changes === 1;
  }

  async endSessionsOf(accountId: string, at: number, reason: string): Promise<number> {
    return this.db.prepare('UPDATE auth_sessions SET ended_at = ?, end_reason = ? WHERE account_id = ? AND ended_at IS NULL').run(at, reason, accountId).changes;
  }

  async putTransaction(t: OidcTransaction): Promise<void> {
    // Abandoned redirects are swept on the way in; none is kept past an hour.
    this.db.prepare('DELETE FROM oidc_transactions WHERE created_at < ?').run(t.createdAt - 3_600_000);
    this.db.prepare('INSERT INTO oidc_transactions (state, nonce, code_verifier, return_to, created_at) VALUES (?, ?, ?, ?, ?)').run(t.state, t.nonce, t.codeVerifier, t.returnTo, t.createdAt);
  }

  async takeTransaction(state: string, notBefore: number): Promise<OidcTransaction | undefined> {
    const r = this.db
      .prepare<[string], { state: string; nonce: string; code_verifier: string; return_to: string; created_at: number }>('DELETE FROM oidc_transactions WHERE state = ? RETURNING *')
      .get(state);
    if (!r || r.created_at < notBefore) return undefined;
    return { state: r.state, nonce: r.nonce, codeVerifier: r.code_verifier, returnTo: r.return_to, createdAt: r.created_at };
  }

  async appendAudit(e: AuditEntry): Promise<void> {
    this.db
      .prepare('INSERT INTO auth_audit (at, event, account_id, username, actor, ip, user_agent, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.at, e.event, e.accountId ?? null, e.username ?? null, e.actor, e.ip ?? null, e.userAgent?.slice(0, 300) ?? null, JSON.stringify(e.detail ?? {}));
  }

  async listAudit(query: { accountIds?: string[] | undefined; limit: number; before?: number | undefined }): Promise<AuditRow[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (query.accountIds) {
      where.push(`account_id IN (SELECT value FROM json_each(?))`);
      values.push(JSON.stringify(query.accountIds));
    }
    if (query.before !== undefined) {
      where.push('id < ?');
      values.push(query.before);
    }
    const sql = `SELECT * FROM auth_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.db
      .prepare<unknown[], AuditRecord>(sql)
      .all(...values, query.limit)
      .map((r) => ({
        id: r.id,
        at: r.at,
        event: r.event,
        accountId: opt(r.account_id),
        username: opt(r.username),
        actor: r.actor,
        ip: opt(r.ip),
        userAgent: opt(r.user_agent),
        detail: JSON.parse(r.detail) as Record<string, unknown>,
      }));
  }
}
