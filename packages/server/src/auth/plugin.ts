/**
 * The sign-in routes under /api/v1/auth, and the administrators' accounts routes (auth/accounts.ts).
 *
 * The browser keeps a session cookie that only these routes see (Path=/api/v1/auth, httpOnly, SameSite=Strict);
 * the elements exchange it for a short-lived Bearer access token (POST /auth/token) and send that everywhere
 * else, as the CLI's tokens are sent. State-changing cookie routes need the session's anti-forgery token in
 * `X-CSRF-Token`: a custom header forces a CORS preflight, which only allowlisted origins pass, and the token
 * itself can only be read (GET /auth/session) by an allowlisted origin with the cookie.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod';
import { DeviceCredentialSchema, IssuedTokenSchema, SignedInSessionSchema } from '@tiepdan/core';
import type { RequirePermission } from './guard.js';
import { officialOf } from './guard.js';
import type { Config } from '../config/schema.js';
import { ApiError } from '../http/api-error.js';
import type { SessionRow } from './account-store.js';
import { accountsRoutes } from './accounts.js';
import { clearCookie, readCookie, SESSION_COOKIE, setCookie } from './cookies.js';
import type { OidcSignIn } from './oidc.js';
import { factsOf, type AuthService } from './service.js';
import { DeviceBody, parseBody, SignInBody, TokenBody } from './validation.js';

export interface AuthOptions {
  config: Config;
  service: AuthService;
  requirePermission: RequirePermission;
  oidc?: OidcSignIn | undefined;
}

const ONE_MINUTE = 60_000;

export async function auth(app: FastifyInstance, opts: AuthOptions): Promise<void> {
  const { config, service, requirePermission, oidc } = opts;
  const production = config.mode === 'production';
  const limited = (max: number): object => (config.rateLimits.enabled ? { rateLimit: { max, timeWindow: ONE_MINUTE } } : {});
  const noStore = (reply: FastifyReply) => reply.header('Cache-Control', 'no-store');
  // Every body here is checked in the handler (checkedByHandler, http/openapi.ts): the session, its CSRF token or
  // the guard answer first, and an absent body is checked as absent (TokenBody defaults it), not as {}.
  const tags = { tags: ['sign-in'] };

  const sessionOf = async (request: FastifyRequest): Promise<SessionRow> => {
    const session = await service.sessionFromSecret(readCookie(request, SESSION_COOKIE), factsOf(request));
    if (!session) throw new ApiError(401, 'session_expired');
    return session;
  };
  const guarded = async (request: FastifyRequest): Promise<SessionRow> => {
    const session = await sessionOf(request);
    if (!service.checkCsrf(session, request.headers['x-csrf-token'])) throw new ApiError(403, 'csrf_failed');
    return session;
  };
  const startSession = async (request: FastifyRequest, reply: FastifyReply, opened: { session: SessionRow; secret: string }) => {
    setCookie(request, reply, SESSION_COOKIE, opened.secret, (opened.session.expiresAt - Date.now()) / 1000, { production });
    return noStore(reply).send(await service.view(opened.session));
  };

  /** What the sign-in element offers: passwords always, single sign-on when configured. */
  app.get('/auth/methods', { schema: { ...tags, summary: 'How officials may sign in: passwords, and single sign-on when configured', response: { 200: z.object({ password: z.literal(true), oidc: z.object({ label: z.object({ vi: z.string(), en: z.string() }) }).optional() }) } } }, async (_request, reply) => noStore(reply).send({ password: true, ...(oidc ? { oidc: { label: config.auth.oidc!.label } } : {}) }));

  app.post('/auth/sign-in', {
    config: limited(config.auth.signInPerMinute),
    schema: { ...tags, summary: 'Signs in with user name, password and, for roles that need it, a one-time code; sets the session cookie', checkedByHandler: { body: SignInBody }, response: { 200: SignedInSessionSchema } },
    handler: async (request, reply) => {
      const body = parseBody(SignInBody, request.body);
      return startSession(request, reply, await service.signInWithPassword(body, factsOf(request)));
    },
  });

  app.get('/auth/session', { schema: { ...tags, summary: 'The session of the cookie: the account, its roles and the anti-forgery token', response: { 200: SignedInSessionSchema } } }, async (request, reply) => noStore(reply).send(await service.view(await sessionOf(request))));

  app.post('/auth/token', {
    config: limited(120),
    schema: { ...tags, summary: "A short-lived access token for one of the session's roles (needs X-CSRF-Token)", checkedByHandler: { body: TokenBody }, response: { 200: IssuedTokenSchema } },
    handler: async (request, reply) => {
      const session = await guarded(request);
      const wanted = parseBody(TokenBody, request.body);
      if (session.method === 'oidc' && oidc) await oidc.refreshIfDue(session, factsOf(request));
      return noStore(reply).send(await service.accessToken(session, wanted));
    },
  });

  app.post('/auth/sign-out', { schema: { ...tags, summary: 'Ends the session of the cookie (needs X-CSRF-Token)', response: { 200: z.object({ signedOut: z.literal(true), endSessionUrl: z.string().optional() }) } } }, async (request, reply) => {
    const session = await guarded(request);
    await service.signOut(session, factsOf(request));
    clearCookie(request, reply, SESSION_COOKIE, { production });
    const endSessionUrl = session.method === 'oidc' && oidc ? await oidc.endSessionUrl(session).catch(() => undefined) : undefined;
    return noStore(reply).send({ signedOut: true, ...(endSessionUrl ? { endSessionUrl } : {}) });
  });

  app.post('/auth/devices', {
    preHandler: requirePermission('devices.issue'),
    schema: { ...tags, security: [{ bearer: [] }], summary: "A recorder device's credential for the issuer's unit", checkedByHandler: { body: DeviceBody }, response: { 201: DeviceCredentialSchema } },
    handler: async (request, reply) => {
      const official = officialOf(request);
      const body = parseBody(DeviceBody, request.body);
      const unit = body.unit ?? official.unit;
      // A device is issued for the issuer's own unit; an all-units issuer must name one.
      if (unit === '*' || (official.unit !== '*' && official.unit !== unit)) throw new ApiError(403, 'forbidden');
      if (!official.sid) throw new ApiError(403, 'forbidden');
      const device = await service.issueDevice({ ...official, sid: official.sid }, { label: body.label, unit }, factsOf(request));
      return noStore(reply).code(201).send(device);
    },
  });

  if (oidc) oidc.routes(app, { startSession, production });

  await accountsRoutes(app, { config, service, requirePermission });
}
