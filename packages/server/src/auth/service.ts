/**
 * Officials' sign-in: checks a password and a second factor (with lockout), opens and ends sessions, and issues
 * the short-lived access tokens the elements send as Bearer. A session is what the browser holds (a random
 * secret in an httpOnly cookie; only its hash is stored); an access token names its session (`sid`), so every
 * request re-checks that the session is open, the account enabled and the role still assigned.
 *
 * Everything that happens here goes into the audit log: sign-ins, failures, lockouts, sign-outs, expiries.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { IssuedToken, OfficialRole, SignedInSession, TokenClaims } from '@tiepdan/core';
import type { AuthSettings } from '../config/schema.js';
import { ApiError } from '../http/api-error.js';
import { open, seal } from '../privacy/seal.js';
import type { AccountRow, AccountStore, Assignment, AuditEntry, SessionRow, SignInMethod } from './account-store.js';
import { verifyPassword } from './passwords.js';
import { mintToken } from './tokens.js';
import { checkTotp } from './totp.js';

export interface RequestFacts {
  ip?: string | undefined;
  userAgent?: string | undefined;
}

/** What a session answers (core's SignedInSessionSchema, the response schema of /auth/sign-in and /auth/session). */
export type SessionView = SignedInSession;
/** An access token as answered (core's IssuedTokenSchema, the response schema of /auth/token). */
export type AccessToken = IssuedToken;

/** Who is asking, for the audit log. */
export function factsOf(request: FastifyRequest): RequestFacts {
  const agent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof agent === 'string' ? agent : undefined };
}

const randomId = (bytes: number) => randomBytes(bytes).toString('base64url');
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url');

/** User names are compared in NFC lower case: "Nguyen.Van.A" and "nguyen.van.a" are one account. */
export function normaliseUsername(username: string): string {
  return username.normalize('NFC').trim().toLowerCase();
}

export class AuthService {
  private readonly csrfKey: Buffer;

  constructor(
    readonly store: AccountStore,
    readonly settings: AuthSettings,
    private readonly authSecret: string,
    private readonly sealKey: Buffer,
    private readonly now: () => number = Date.now,
  ) {
    this.csrfKey = createHmac('sha256', authSecret).update('tiepdan/csrf/v1').digest();
  }

  audit(entry: Omit<AuditEntry, 'at'>, facts: RequestFacts = {}): Promise<void> {
    return this.store.appendAudit({ at: new Date(this.now()).toISOString(), ip: facts.ip, userAgent: facts.userAgent, ...entry });
  }

  needsSecondFactor(assignments: readonly Assignment[]): boolean {
    return assignments.some((a) => this.settings.secondFactorRoles.includes(a.role));
  }

  sealTotp(accountId: string, secret: string): Buffer {
    return seal(this.sealKey, secret, `totp:${accountId}`);
  }

  /** Password (and code, when the account's roles need one) → a new browser session and its cookie secret. */
  async signInWithPassword(input: { username: string; password: string; code?: string | undefined }, facts: RequestFacts): Promise<{ session: SessionRow; secret: string }> {
    const username = normaliseUsername(input.username);
    const account = await this.store.findByUsername(username);
    const now = this.now();
    const fail = async (reason: string, extra: Record<string, unknown> = {}): Promise<never> => {
      await this.audit({ event: 'sign_in_failed', accountId: account?.id, username: username.slice(0, 100), actor: account ? `account:${account.id}` : 'anonymous', detail: { method: 'password', reason, ...extra } }, facts);
      throw new ApiError(401, 'sign_in_failed');
    };
    if (account?.lockedUntil !== undefined && account.lockedUntil > now) {
      await this.audit({ event: 'sign_in_failed', accountId: account.id, username, actor: `account:${account.id}`, detail: { method: 'password', reason: 'locked' } }, facts);
      throw new ApiError(403, 'account_locked', undefined, { retryAfter: Math.ceil((account.lockedUntil - now) / 1000) });
    }
    const passwordOk = await verifyPassword(account?.passwordHash, input.password);
    if (!account) return fail('unknown user name');
    if (!passwordOk) return this.countFailure(account, 'wrong password', facts);
    if (account.disabledAt) return fail('account disabled');
    const assignments = await this.store.assignments(account.id);
    if (assignments.length === 0) return fail('no role assigned');
    if (this.needsSecondFactor(assignments)) {
      if (!account.totpSealed) return fail('second factor not set up');
      if (!input.code) {
        // The password was right; asking for the code is not a failure (the page shows the code field next).
        throw new ApiError(401, 'second_factor_required');
      }
      const step = await checkTotp(open(this.sealKey, account.totpSealed, `totp:${account.id}`), input.code.replace(/\s+/gu, ''));
      if (step === undefined) return this.countFailure(account, 'wrong code', facts);
      if (!(await this.store.acceptTotpStep(account.id, step))) return this.countFailure(account, 'code already used', facts);
    }
    await this.store.clearFailures(account.id, new Date(now).toISOString());
    return this.openSession(account, 'password', facts);
  }

  private async countFailure(account: AccountRow, reason: string, facts: RequestFacts): Promise<never> {
    const now = this.now();
    const { failedCount, lockedUntil } = await this.store.recordFailure(account.id, now, this.settings.maxFailures, this.settings.lockSeconds * 1000);
    await this.audit({ event: 'sign_in_failed', accountId: account.id, username: account.username, actor: `account:${account.id}`, detail: { method: 'password', reason, failedCount } }, facts);
    if (lockedUntil !== undefined && lockedUntil > now && failedCount === this.settings.maxFailures) {
      await this.audit({ event: 'lockout', accountId: account.id, username: account.username, actor: 'system', detail: { failedCount, until: new Date(lockedUntil).toISOString() } }, facts);
    }
    throw new ApiError(401, 'sign_in_failed');
  }

  async openSession(account: AccountRow, method: SignInMethod, facts: RequestFacts, oidc?: { refresh?: string | undefined; idToken?: string | undefined }): Promise<{ session: SessionRow; secret: string }> {
    const now = this.now();
    const secret = randomId(32);
    const session: SessionRow = {
      id: randomId(18),
      secretHash: hashSecret(secret),
      accountId: account.id,
      kind: 'browser',
      method,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.settings.sessionSeconds * 1000,
      idleSeconds: this.settings.idleSeconds,
      oidcRefresh: oidc?.refresh ? this.sealRefresh(account.id, oidc.refresh) : undefined,
      oidcIdToken: oidc?.idToken,
    };
    await this.store.createSession(session);
    await this.audit({ event: 'sign_in', accountId: account.id, username: account.username, actor: `account:${account.id}`, detail: { method, session: session.id } }, facts);
    return { session, secret };
  }

  /** The account's TOTP secret in clear: only for the demo, which prints it for its practice accounts. */
  secondFactorSecretOf(account: AccountRow): string | undefined {
    return account.totpSealed ? open(this.sealKey, account.totpSealed, `totp:${account.id}`) : undefined;
  }

  sealRefresh(accountId: string, refresh: string): Buffer {
    return seal(this.sealKey, refresh, `oidc-refresh:${accountId}`);
  }

  oidcRefreshOf(session: SessionRow): string | undefined {
    return session.oidcRefresh ? open(this.sealKey, session.oidcRefresh, `oidc-refresh:${session.accountId}`) : undefined;
  }

  /** The open session behind a cookie secret; an expired one is ended (and logged) on the way. */
  async sessionFromSecret(secret: string | undefined, facts: RequestFacts): Promise<SessionRow | undefined> {
    if (!secret) return undefined;
    const session = await this.store.sessionBySecretHash(hashSecret(secret));
    if (!session || session.kind !== 'browser' || session.endedAt !== undefined) return undefined;
    return (await this.stillOpen(session, facts)) ? session : undefined;
  }

  private async stillOpen(session: SessionRow, facts: RequestFacts = {}): Promise<boolean> {
    const now = this.now();
    const idleEnd = session.kind === 'browser' ? session.lastSeenAt + session.idleSeconds * 1000 : Number.POSITIVE_INFINITY;
    if (now < session.expiresAt && now < idleEnd) return true;
    if (await this.store.endSession(session.id, now, now >= session.expiresAt ? 'expired' : 'idle')) {
      const account = await this.store.getAccount(session.accountId);
      await this.audit({ event: 'session_expired', accountId: session.accountId, username: account?.username, actor: 'system', detail: { session: session.id, reason: now >= session.expiresAt ? 'expired' : 'idle' } }, facts);
    }
    return false;
  }

  async view(session: SessionRow): Promise<SessionView> {
    const account = (await this.store.getAccount(session.accountId))!;
    const assignments = await this.store.assignments(account.id);
    return {
      account: { id: account.id, username: account.username, displayName: account.displayName },
      assignments: assignments.map(({ role, unit }) => ({ role, unit })),
      method: session.method,
      expiresAt: session.expiresAt,
      csrfToken: this.csrfToken(session),
    };
  }

  /** The anti-forgery token of a session: derived, so nothing more is stored, and useless without the cookie. */
  csrfToken(session: SessionRow): string {
    return createHmac('sha256', this.csrfKey).update(session.id).digest('base64url');
  }

  checkCsrf(session: SessionRow, presented: unknown): boolean {
    if (typeof presented !== 'string') return false;
    const expected = Buffer.from(this.csrfToken(session));
    const given = Buffer.from(presented);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** An access token for one of the session's assignments (the first case role when none is asked for). */
  async accessToken(session: SessionRow, wanted: { role?: OfficialRole | undefined; unit?: string | undefined }): Promise<AccessToken> {
    const account = await this.store.getAccount(session.accountId);
    if (!account || account.disabledAt) throw new ApiError(401, 'session_expired');
    const assignments = await this.store.assignments(account.id);
    const matching = assignments.filter((a) => (!wanted.role || a.role === wanted.role) && (!wanted.unit || a.unit === wanted.unit));
    // Without a choice, a case role comes before the administrator's: the officials' pages are about cases.
    const chosen = matching.find((a) => a.role !== 'admin') ?? matching[0];
    if (!chosen) throw new ApiError(403, 'forbidden');
    const now = this.now();
    await this.store.touchSession(session.id, now);
    const ttl = Math.max(1, Math.min(this.settings.accessTokenSeconds, Math.floor((session.expiresAt - now) / 1000)));
    const claims: TokenClaims = { sub: account.username, role: chosen.role, unit: chosen.unit, name: account.displayName, sid: session.id };
    return { token: await mintToken(this.authSecret, claims, ttl), expiresAt: now + ttl * 1000, role: chosen.role, unit: chosen.unit };
  }

  /** For the token verifier: the session is open, its account enabled, and it still grants the token's role and unit. */
  async sessionStands(claims: TokenClaims & { sid: string }): Promise<boolean> {
    const session = await this.store.sessionById(claims.sid);
    if (!session || session.endedAt !== undefined || !(await this.stillOpen(session))) return false;
    const account = await this.store.getAccount(session.accountId);
    if (!account || account.disabledAt) return false;
    if (session.kind === 'device') return claims.role === session.deviceRole && claims.unit === session.deviceUnit;
    if (claims.sub !== account.username) return false;
    return (await this.store.assignments(account.id)).some((a) => a.role === claims.role && a.unit === claims.unit);
  }

  async signOut(session: SessionRow, facts: RequestFacts, reason = 'signed out'): Promise<void> {
    if (await this.store.endSession(session.id, this.now(), reason)) {
      const account = await this.store.getAccount(session.accountId);
      await this.audit({ event: 'sign_out', accountId: session.accountId, username: account?.username, actor: `account:${session.accountId}`, detail: { session: session.id } }, facts);
    }
  }

  /**
   * A recorder's device credential: an access token of role `recorder` for one unit, valid for a working day at
   * most, bound to a device session of its own (so it can be revoked, and ends with the issuer's account).
   */
  async issueDevice(issuer: TokenClaims & { sid: string }, input: { label: string; unit: string }, facts: RequestFacts): Promise<AccessToken & { deviceId: string }> {
    const issuerSession = await this.store.sessionById(issuer.sid);
    if (!issuerSession || issuerSession.kind !== 'browser') throw new ApiError(403, 'forbidden');
    const now = this.now();
    const ttl = this.settings.deviceSeconds;
    const session: SessionRow = {
      id: randomId(18),
      // Nobody holds a secret for a device session: the token itself is the credential.
      secretHash: hashSecret(randomId(32)),
      accountId: issuerSession.accountId,
      kind: 'device',
      method: 'device',
      deviceRole: 'recorder',
      deviceUnit: input.unit,
      deviceLabel: input.label,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + ttl * 1000,
      idleSeconds: ttl,
    };
    await this.store.createSession(session);
    const claims: TokenClaims = { sub: `device:${session.id}`, role: 'recorder', unit: input.unit, name: input.label, sid: session.id };
    const token = await mintToken(this.authSecret, claims, ttl);
    await this.audit({ event: 'device_issued', accountId: issuerSession.accountId, username: issuer.sub, actor: `account:${issuerSession.accountId}`, detail: { device: session.id, label: input.label, unit: input.unit, expiresAt: new Date(session.expiresAt).toISOString() } }, facts);
    return { token, expiresAt: session.expiresAt, role: 'recorder', unit: input.unit, deviceId: session.id };
  }
}
