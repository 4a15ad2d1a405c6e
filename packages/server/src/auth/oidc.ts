/**
 * Single sign-on with the province's OpenID provider: authorization code + PKCE (S256) with openid-client, state
 * and nonce checked, one transaction per redirect kept in the database for ten minutes (so a restart between
 * the redirect and the callback does not lose the official). The official's roles come either from the ID
 * token's claims (configured names, mapped) — synchronised into the assignment table at every sign-in so a role
 * the province removes is gone at the next one — or, without a mapping, from tiepdan's own assignments.
 *
 * The provider is discovered on first use, not at start: a province's single sign-on being down must not stop
 * the server (local accounts and tokens keep working). When it does not answer, the official is sent back to the
 * page with `#tiepdan-sign-in-error=idp_unavailable`, which <tiepdan-sign-in> shows in Vietnamese or English.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import { OFFICIAL_ROLES, type OfficialRole } from '@tiepdan/core';
import type { Config } from '../config/schema.js';
import { ApiError } from '../http/api-error.js';
import type { OriginCheck } from '../http/origins.js';
import type { AccountRow, SessionRow } from './account-store.js';
import { SESSION_COOKIE, setCookie } from './cookies.js';
import { factsOf, type AuthService, type RequestFacts } from './service.js';

export interface OidcRouteHelpers {
  startSession(request: FastifyRequest, reply: FastifyReply, opened: { session: SessionRow; secret: string }): Promise<unknown>;
  production: boolean;
}

export interface OidcSignIn {
  routes(app: FastifyInstance, helpers: OidcRouteHelpers): void;
  refreshIfDue(session: SessionRow, facts: RequestFacts): Promise<void>;
  endSessionUrl(session: SessionRow): Promise<string | undefined>;
}

const TRANSACTION_MS = 10 * 60_000;
export const CALLBACK_PATH = '/api/v1/auth/oidc/callback';

/** A network failure or time-out talking to the provider, as opposed to a refusal it answered with. */
function unreachable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; cause?: { code?: string } };
  return e.name === 'TimeoutError' || e.name === 'AbortError' || e.name === 'TypeError' || e.code === 'OAUTH_TIMEOUT' || /ECONN|ENOTFOUND|EAI_AGAIN|UND_ERR/u.test(`${e.code ?? ''} ${e.cause?.code ?? ''}`);
}

export function createOidcSignIn(config: Config, service: AuthService, isAllowedOrigin: OriginCheck): OidcSignIn {
  const settings = config.auth.oidc!;
  const redirectUri = settings.redirectUri ?? new URL(CALLBACK_PATH, config.publicUrl).toString();
  let discovered: Promise<client.Configuration> | undefined;
  // Each sign-in starts with a fresh discovery: a provider that went down since is told to the official on our
  // page, in their language, instead of as the browser's "cannot connect" at the provider's address.
  const provider = (fresh = false) => {
    if (fresh) discovered = undefined;
    return (discovered ??= client
      .discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret ? { client_secret: settings.clientSecret } : {}, settings.clientSecret ? undefined : client.None(), {
        timeout: Math.ceil(settings.timeoutMs / 1000),
        // Plain http is refused in production by the config check; the demo's and tests' providers run on loopback.
        ...(config.mode === 'production' ? {} : { execute: [client.allowInsecureRequests] }),
      })
      .catch((error: unknown) => {
        discovered = undefined; // try again next time
        throw error;
      }));
  };

  const returnAllowed = (target: string): URL | undefined => {
    try {
      const url = new URL(target);
      const own = config.publicUrl ? new URL(config.publicUrl).origin : undefined;
      return url.protocol.startsWith('http') && (isAllowedOrigin(url.origin) || url.origin === own) ? url : undefined;
    } catch {
      return undefined;
    }
  };
  const back = (reply: FastifyReply, returnTo: string, error?: string) => {
    const url = new URL(returnTo);
    if (error) url.hash = `tiepdan-sign-in-error=${error}`;
    return reply.header('Cache-Control', 'no-store').redirect(url.toString(), 303);
  };

  /** Roles and unit from the ID token, when the deployment maps them; undefined to use the assignment table. */
  const claimedRoles = (claims: Record<string, unknown>): { role: OfficialRole; unit: string }[] | undefined => {
    const mapping = settings.claims;
    if (!mapping) return undefined;
    const raw = claims[mapping.roles];
    const unit = claims[mapping.unit];
    const names = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/u) : [];
    if (typeof unit !== 'string' || !config.units.some((u) => u.code === unit)) return [];
    const roles = names
      .map((name) => (typeof name === 'string' ? (mapping.roleMap?.[name] ?? (OFFICIAL_ROLES.includes(name as OfficialRole) ? (name as OfficialRole) : undefined)) : undefined))
      .filter((r): r is OfficialRole => r !== undefined && r !== 'recorder');
    return [...new Set(roles)].map((role) => ({ role, unit }));
  };

  const accountFor = async (claims: client.IDToken, facts: RequestFacts): Promise<AccountRow> => {
    const subject = `${claims.iss} ${claims.sub}`;
    const existing = await service.store.findByOidcSubject(subject);
    const displayName = typeof claims.name === 'string' && claims.name ? claims.name.normalize('NFC').slice(0, 200) : claims.sub;
    if (existing) return existing;
    // A user name that cannot collide with a local account's: "sso." and a short hash of issuer and subject.
    const username = `sso.${createHash('sha256').update(subject).digest('hex').slice(0, 16)}`;
    const at = new Date().toISOString();
    const created = await service.store.createAccount({ id: randomUUID(), username, displayName, oidcSubject: subject, createdAt: at, createdBy: 'idp' });
    if (created === 'username_taken') throw new Error('single sign-on user name collision');
    await service.audit({ event: 'account_created', accountId: created.id, username, actor: 'idp', detail: { method: 'oidc', issuer: claims.iss } }, facts);
    return created;
  };

  const syncRoles = async (account: AccountRow, wanted: { role: OfficialRole; unit: string }[], facts: RequestFacts) => {
    const current = await service.store.assignments(account.id);
    const at = new Date().toISOString();
    for (const w of wanted) {
      if (await service.store.grant(account.id, w.role, w.unit, 'idp', at)) await service.audit({ event: 'role_granted', accountId: account.id, username: account.username, actor: 'idp', detail: w }, facts);
    }
    for (const c of current) {
      if (wanted.some((w) => w.role === c.role && w.unit === c.unit)) continue;
      if (await service.store.revoke(account.id, c.role, c.unit)) await service.audit({ event: 'role_removed', accountId: account.id, username: account.username, actor: 'idp', detail: { role: c.role, unit: c.unit } }, facts);
    }
  };

  return {
    routes(app, helpers) {
      app.get<{ Querystring: { returnTo?: string } }>('/auth/oidc/start', async (request, reply) => {
        const returnTo = returnAllowed(request.query.returnTo ?? '');
        if (!returnTo) throw new ApiError(422, 'validation_failed', [{ path: 'returnTo', code: 'invalid', message: { vi: 'Địa chỉ quay lại không thuộc trang được phép.', en: 'The return address is not an allowed site.' } }]);
        let provided: client.Configuration;
        try {
          provided = await provider(true);
        } catch (error) {
          request.log.warn({ err: error, issuer: settings.issuer }, 'identity provider unavailable');
          await service.audit({ event: 'idp_unavailable', actor: 'system', detail: { issuer: settings.issuer, step: 'discovery' } }, factsOf(request));
          return back(reply, returnTo.toString(), 'idp_unavailable');
        }
        const state = client.randomState();
        const nonce = client.randomNonce();
        const codeVerifier = client.randomPKCECodeVerifier();
        await service.store.putTransaction({ state, nonce, codeVerifier, returnTo: returnTo.toString(), createdAt: Date.now() });
        const url = client.buildAuthorizationUrl(provided, {
          redirect_uri: redirectUri,
          scope: settings.scopes.join(' '),
          code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
          code_challenge_method: 'S256',
          state,
          nonce,
        });
        return reply.header('Cache-Control', 'no-store').redirect(url.toString(), 303);
      });

      app.get<{ Querystring: { state?: string } }>('/auth/oidc/callback', async (request, reply) => {
        const facts = factsOf(request);
        const transaction = typeof request.query.state === 'string' ? await service.store.takeTransaction(request.query.state, Date.now() - TRANSACTION_MS) : undefined;
        if (!transaction) throw new ApiError(400, 'session_expired');
        const current = new URL(redirectUri);
        current.search = new URL(request.url, 'http://callback').search;
        let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
        try {
          tokens = await client.authorizationCodeGrant(await provider(), current, { pkceCodeVerifier: transaction.codeVerifier, expectedState: transaction.state, expectedNonce: transaction.nonce, idTokenExpected: true });
        } catch (error) {
          const down = unreachable(error);
          request.log.warn({ err: error }, down ? 'identity provider unavailable' : 'single sign-on refused');
          await service.audit({ event: down ? 'idp_unavailable' : 'sign_in_failed', actor: 'idp', detail: { method: 'oidc', step: 'token', reason: (error as Error).message?.slice(0, 200) } }, facts);
          return back(reply, transaction.returnTo, down ? 'idp_unavailable' : 'sign_in_failed');
        }
        const claims = tokens.claims()!;
        const account = await accountFor(claims, facts);
        const claimed = claimedRoles(claims as Record<string, unknown>);
        if (claimed) await syncRoles(account, claimed, facts);
        const assignments = await service.store.assignments(account.id);
        if (account.disabledAt || assignments.length === 0) {
          await service.audit({ event: 'sign_in_failed', accountId: account.id, username: account.username, actor: `account:${account.id}`, detail: { method: 'oidc', reason: account.disabledAt ? 'account disabled' : 'no role assigned' } }, facts);
          return back(reply, transaction.returnTo, 'forbidden');
        }
        const opened = await service.openSession(account, 'oidc', facts, { refresh: tokens.refresh_token, idToken: tokens.id_token });
        setCookie(request, reply, SESSION_COOKIE, opened.secret, (opened.session.expiresAt - Date.now()) / 1000, { production: helpers.production });
        return back(reply, transaction.returnTo);
      });
    },

    /**
     * Each token renewal also renews at the provider when it gave a refresh token: an account the province
     * disabled stops at the next renewal. A provider that does not answer does not end a reception mid-way: the
     * session runs on to its own end.
     */
    async refreshIfDue(session, facts) {
      const refresh = service.oidcRefreshOf(session);
      if (!refresh) return;
      try {
        const tokens = await client.refreshTokenGrant(await provider(), refresh);
        await service.store.touchSession(session.id, Date.now(), { refresh: tokens.refresh_token ? service.sealRefresh(session.accountId, tokens.refresh_token) : undefined, idToken: tokens.id_token });
      } catch (error) {
        if (unreachable(error)) return;
        await service.signOut(session, facts, 'refused by identity provider');
        throw new ApiError(401, 'session_expired');
      }
    },

    async endSessionUrl(session) {
      const provided = await provider();
      if (!provided.serverMetadata().end_session_endpoint) return undefined;
      return client.buildEndSessionUrl(provided, session.oidcIdToken ? { id_token_hint: session.oidcIdToken } : {}).toString();
    },
  };
}
