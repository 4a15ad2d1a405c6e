/**
 * The PostgreSQL implementation of AccountStore (PostgreSQL migration 3, store/migrations-postgres.ts), the same
 * statements as auth/account-sqlite.ts: failure counting and the TOTP replay check are single UPDATEs, so two
 * nodes answering parallel guesses cannot both read "4 failures".
 */
import type { Pool } from 'pg';
import type { OfficialRole } from '@tiepdan/core';
import { all, one } from '../store/tx-postgres.js';
import type { AccountPatch, AccountRow, AccountStore, Assignment, AuditEntry, AuditRow, NewAccount, OidcTransaction, SessionRow } from './account-store.js';
import { accountFromRecord, sessionFromRecord, type AccountRecord, type SessionRecord } from './account-sqlite.js';

const UNIQUE_VIOLATION = '23505';

export class PostgresAccountStore implements AccountStore {
  constructor(private readonly pool: Pool) {}

  async createAccount(a: NewAccount): Promise<AccountRow | 'username_taken'> {
    try {
      await this.pool.query(
        `INSERT INTO accounts (id, username, display_name, password_hash, totp_sealed, oidc_subject, created_at, created_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7)`,
        [a.id, a.username, a.displayName, a.passwordHash ?? null, a.totpSealed ?? null, a.oidcSubject ?? null, a.createdAt, a.createdBy],
      );
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return 'username_taken';
      throw error;
    }
    return (await this.getAccount(a.id))!;
  }

  async getAccount(id: string): Promise<AccountRow | undefined> {
    const r = await one<AccountRecord>(this.pool, 'SELECT * FROM accounts WHERE id = $1', [id]);
    return r && accountFromRecord(r);
  }

  async findByUsername(username: string): Promise<AccountRow | undefined> {
    const r = await one<AccountRecord>(this.pool, 'SELECT * FROM accounts WHERE username = $1', [username]);
    return r && accountFromRecord(r);
  }

  async findByOidcSubject(subject: string): Promise<AccountRow | undefined> {
    const r = await one<AccountRecord>(this.pool, 'SELECT * FROM accounts WHERE oidc_subject = $1', [subject]);
    return r && accountFromRecord(r);
  }

  async listAccounts(unit?: string): Promise<AccountRow[]> {
    const rows =
      unit === undefined
        ? await all<AccountRecord>(this.pool, 'SELECT * FROM accounts ORDER BY username')
        : await all<AccountRecord>(this.pool, 'SELECT * FROM accounts WHERE id IN (SELECT account_id FROM role_assignments WHERE unit = $1) ORDER BY username', [unit]);
    return rows.map(accountFromRecord);
  }

  async updateAccount(id: string, patch: AccountPatch): Promise<AccountRow | undefined> {
    const values: unknown[] = [id, patch.at];
    const sets: string[] = ['updated_at = $2'];
    const column = { displayName: 'display_name', passwordHash: 'password_hash', totpSealed: 'totp_sealed', totpLastStep: 'totp_last_step', disabledAt: 'disabled_at' } as const;
    for (const [key, name] of Object.entries(column) as [keyof typeof column, string][]) {
      if (patch[key] === undefined) continue;
      sets.push(`${name} = $${values.push(patch[key])}`);
    }
    await this.pool.query(`UPDATE accounts SET ${sets.join(', ')} WHERE id = $1`, values);
    return this.getAccount(id);
  }

  async recordFailure(id: string, now: number, maxFailures: number, lockMs: number): Promise<{ failedCount: number; lockedUntil?: number | undefined }> {
    const r = await one<{ failed_count: number; locked_until: number | null }>(
      this.pool,
      `UPDATE accounts SET failed_count = failed_count + 1,
         locked_until = CASE WHEN failed_count + 1 >= $1 THEN $2::bigint + $3::bigint ELSE locked_until END
       WHERE id = $4 RETURNING failed_count, locked_until`,
      [maxFailures, now, lockMs, id],
    );
    return { failedCount: r?.failed_count ?? 0, lockedUntil: r?.locked_until ?? undefined };
  }

  async clearFailures(id: string, at: string): Promise<void> {
    await this.pool.query('UPDATE accounts SET failed_count = 0, locked_until = NULL, updated_at = $1 WHERE id = $2', [at, id]);
  }

  async acceptTotpStep(id: string, step: number): Promise<boolean> {
    const r = await this.pool.query('UPDATE accounts SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)', [step, id]);
    return r.rowCount === 1;
  }

  async assignments(accountId: string): Promise<Assignment[]> {
    const rows = await all<{ role: OfficialRole; unit: string; granted_at: string; granted_by: string }>(
      this.pool,
      'SELECT role, unit, granted_at, granted_by FROM role_assignments WHERE account_id = $1 ORDER BY granted_at, role',
      [accountId],
    );
    return rows.map((r) => ({ role: r.role, unit: r.unit, grantedAt: r.granted_at, grantedBy: r.granted_by }));
  }

  async grant(accountId: string, role: OfficialRole, unit: string, by: string, at: string): Promise<boolean> {
    const r = await this.pool.query('INSERT INTO role_assignments (account_id, role, unit, granted_at, granted_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [accountId, role, unit, at, by]);
    return r.rowCount === 1;
  }

  async revoke(accountId: string, role: OfficialRole, unit: string): Promise<boolean> {
    const r = await this.pool.query('DELETE FROM role_assignments WHERE account_id = $1 AND role = $2 AND unit = $3', [accountId, role, unit]);
    return r.rowCount === 1;
  }

  async createSession(s: SessionRow): Promise<void> {
    await this.pool.query(
      `INSERT INTO auth_sessions (id, secret_hash, account_id, kind, method, device_role, device_unit, device_label, created_at, last_seen_at, expires_at, idle_seconds, oidc_refresh, oidc_id_token)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [s.id, s.secretHash, s.accountId, s.kind, s.method, s.deviceRole ?? null, s.deviceUnit ?? null, s.deviceLabel ?? null, s.createdAt, s.lastSeenAt, s.expiresAt, s.idleSeconds, s.oidcRefresh ?? null, s.oidcIdToken ?? null],
    );
  }

  async sessionBySecretHash(secretHash: string): Promise<SessionRow | undefined> {
    const r = await one<SessionRecord>(this.pool, 'SELECT * FROM auth_sessions WHERE secret_hash = $1', [secretHash]);
    return r && sessionFromRecord(r);
  }

  async sessionById(id: string): Promise<SessionRow | undefined> {
    const r = await one<SessionRecord>(this.pool, 'SELECT * FROM auth_sessions WHERE id = $1', [id]);
    return r && sessionFromRecord(r);
  }

  async touchSession(id: string, at: number, oidc?: { refresh?: Buffer | undefined; idToken?: string | undefined }): Promise<void> {
    await this.pool.query('UPDATE auth_sessions SET last_seen_at = $1, oidc_refresh = coalesce($2, oidc_refresh), oidc_id_token = coalesce($3, oidc_id_token) WHERE id = $4 AND ended_at IS NULL', [
      at,
      oidc?.refresh ?? null,
      oidc?.idToken ?? null,
      id,
    ]);
  }

  async endSession(id: string, at: number, reason: string): Promise<boolean> {
    return (await this.pool.query('UPDATE auth_sessions SET ended_at = $1, end_reason = $2 WHERE id = $3 AND ended_at IS NULL', [at, reason, id])).rowCount === 1;
  }

  async endSessionsOf(accountId: string, at: number, reason: string): Promise<number> {
    return (await this.pool.query('UPDATE auth_sessions SET ended_at = $1, end_reason = $2 WHERE account_id = $3 AND ended_at IS NULL', [at, reason, accountId])).rowCount ?? 0;
  }

  async putTransaction(t: OidcTransaction): Promise<void> {
    // Abandoned redirects are swept on the way in; none is kept past an hour.
    await this.pool.query('DELETE FROM oidc_transactions WHERE created_at < $1', [t.createdAt - 3_600_000]);
    await this.pool.query('INSERT INTO oidc_transactions (state, nonce, code_verifier, return_to, created_at) VALUES ($1, $2, $3, $4, $5)', [t.state, t.nonce, t.codeVerifier, t.returnTo, t.createdAt]);
  }

  async takeTransaction(state: string, notBefore: number): Promise<OidcTransaction | undefined> {
    const r = await one<{ state: string; nonce: string; code_verifier: string; return_to: string; created_at: number }>(this.pool, 'DELETE FROM oidc_transactions WHERE state = $1 RETURNING *', [state]);
    if (!r || r.created_at < notBefore) return undefined;
    return { state: r.state, nonce: r.nonce, codeVerifier: r.code_verifier, returnTo: r.return_to, createdAt: r.created_at };
  }

  async appendAudit(e: AuditEntry): Promise<void> {
    await this.pool.query('INSERT INTO auth_audit (at, event, account_id, username, actor, ip, user_agent, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
      e.at,
      e.event,
      e.accountId ?? null,
      e.username ?? null,
      e.actor,
      e.ip ?? null,
      e.userAgent?.slice(0, 300) ?? null,
      JSON.stringify(e.detail ?? {}),
    ]);
  }

  async listAudit(query: { accountIds?: string[] | undefined; limit: number; before?: number | undefined }): Promise<AuditRow[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (query.accountIds) where.push(`account_id = ANY($${values.push(query.accountIds)})`);
    if (query.before !== undefined) where.push(`id < $${values.push(query.before)}`);
    const rows = await all<{ id: number; at: string; event: AuditRow['event']; account_id: string | null; username: string | null; actor: string; ip: string | null; user_agent: string | null; detail: string }>(
      this.pool,
      `SELECT * FROM auth_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${values.push(query.limit)}`,
      values,
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      event: r.event,
      accountId: r.account_id ?? undefined,
      username: r.username ?? undefined,
      actor: r.actor,
      ip: r.ip ?? undefined,
      userAgent: r.user_agent ?? undefined,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));
  }
}
