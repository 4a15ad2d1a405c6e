/**
 * The guard on every official route: a preHandler that needs a valid bearer token (401 `unauthenticated`) whose
 * role has the permission (403 `forbidden`), and a unit check for the registration a route touches (a token
 * for unit "*" reaches all units). The role table lives in core (auth/roles.ts), so the elements hide exactly
 * what the server refuses.
 */
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { can, type Permission, type TokenClaims } from '@tiepdan/core';
import { ApiError } from '../http/api-error.js';
import type { OfficialVerifier } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the guard on official routes. */
    official?: TokenClaims;
  }
}

export type RequirePermission = (permission: Permission) => preHandlerAsyncHookHandler;

const BEARER = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/iu;

/** The bearer token of a request's Authorization header, if it has one of the right shape. */
export function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' ? BEARER.exec(header.trim())?.[1] : undefined;
}

export function createGuard(verify: OfficialVerifier): RequirePermission {
  return (permission) =>
    async function guard(request) {
      const token = bearerOf(request);
      const claims = token ? await verify(token) : undefined;
      // A challenge header tells generic HTTP clients which scheme to use.
      if (!claims) throw new ApiError(401, 'unauthenticated', undefined, undefined, { 'WWW-Authenticate': 'Bearer realm="tiepdan"' });
      if (!can(claims.role, permission)) throw new ApiError(403, 'forbidden');
      request.official = claims;
    };
}

/** The caller's token, which the guard has checked. */
export function officialOf(request: FastifyRequest): TokenClaims {
  if (!request.official) throw new ApiError(401, 'unauthenticated');
  return request.official;
}

/** Refuses a registration of another unit. */
export function assertUnit(official: TokenClaims, unit: string): void {
  if (official.unit !== '*' && official.unit !== unit) throw new ApiError(403, 'forbidden');
}

/** The unit filter for a list: undefined (all units) for "*". */
export function unitScope(official: TokenClaims): string | undefined {
  return official.unit === '*' ? undefined : official.unit;
}
