/**
 * Single sign-on with the province's OpenID provider (authorization code + PKCE, openid-client).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SessionRow } from './account-store.js';
import type { RequestFacts } from './service.js';

export interface OidcRouteHelpers {
  startSession(request: FastifyRequest, reply: FastifyReply, opened: { session: SessionRow; secret: string }): Promise<unknown>;
  production: boolean;
}

export interface OidcSignIn {
  routes(app: FastifyInstance, helpers: OidcRouteHelpers): void;
  refreshIfDue(session: SessionRow, facts: RequestFacts): Promise<void>;
  endSessionUrl(session: SessionRow): Promise<string | undefined>;
}
