/**
 * Officials' access tokens: short-lived JWTs signed with HS256 and the config's authSecret. One server both
 * mints (CLI, later a sign-in flow) and checks them, so a shared secret is enough and no key distribution is
 * needed. Lifetimes are capped at 12 hours: a lost laptop stops being a key by the next working day.
 */
import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import * as z from 'zod';
import { OFFICIAL_ROLES, type TokenClaims } from '@tiepdan/core';
import { hmacKey } from './hmac-key.js';

export const TOKEN_ISSUER = 'tiepdan';
export const TOKEN_AUDIENCE = 'tiepdan-officials';
export const DEFAULT_TOKEN_TTL_SECONDS = 60 * 60;
export const MAX_TOKEN_TTL_SECONDS = 12 * 60 * 60;
/** Leeway for clocks that disagree between the machine that minted and the one that checks. */
const CLOCK_TOLERANCE_SECONDS = 30;

const ClaimsSchema = z.object({
  sub: z.string().min(1).max(200),
  role: z.enum(OFFICIAL_ROLES),
  unit: z.string().regex(/^(\*|[A-Za-z0-9_.-]{1,64})$/u),
  name: z.string().max(200).optional(),
  sid: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/u).optional(),
  iat: z.number(),
  exp: z.number(),
});

/** "90m", "1h", "3600s", "3600" → seconds. */
export function parseTtl(value: string): number {
  const match = /^(\d+)\s*([smh]?)$/u.exec(value.trim());
  if (!match) throw new Error(`cannot read "${value}" as a duration (e.g. 30m, 1h, 3600)`);
  const unit = match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1;
  return Number(match[1]) * unit;
}

export async function mintToken(secret: string, claims: TokenClaims, ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS): Promise<string> {
  if (!(ttlSeconds > 0 && ttlSeconds <= MAX_TOKEN_TTL_SECONDS)) throw new Error(`token lifetime must be between 1 second and ${MAX_TOKEN_TTL_SECONDS / 3600} hours`);
  const checked = ClaimsSchema.omit({ iat: true, exp: true }).parse(claims);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: checked.role, unit: checked.unit, ...(checked.name ? { name: checked.name } : {}), ...(checked.sid ? { sid: checked.sid } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(checked.sub)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(await hmacKey(secret));
}

/** The claims of a valid token, or undefined for anything else (bad signature, expired, wrong audience, odd claims). */
export async function verifyToken(secret: string, token: string): Promise<TokenClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, await hmacKey(secret), {
      algorithms: ['HS256'],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      requiredClaims: ['sub', 'exp', 'iat'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    const claims = ClaimsSchema.safeParse(payload);
    // A token minted elsewhere with a longer life than we allow is refused, not trusted for longer.
    if (!claims.success || claims.data.exp - claims.data.iat > MAX_TOKEN_TTL_SECONDS) return undefined;
    const { sub, role, unit, name, sid } = claims.data;
    return { sub, role, unit, ...(name === undefined ? {} : { name }), ...(sid === undefined ? {} : { sid }) };
  } catch (error) {
    if (error instanceof joseErrors.JOSEError || error instanceof TypeError) return undefined;
    throw error;
  }
}

/**
 * Checks an official's bearer token: the signature and claims, and, for a token issued by a sign-in session
 * (`sid`), that the session is still open and still grants that role in that unit. Every place that reads an
 * official's token (routes, rooms, recordings) uses one of these, so a sign-out, a disabled account or a removed
 * role takes effect on the next request, not when the token expires.
 */
export type OfficialVerifier = (token: string) => Promise<TokenClaims | undefined>;

/** Whether the session behind a token still stands for these claims; undefined for a token without `sid`. */
export type SessionCheck = (claims: TokenClaims & { sid: string }) => Promise<boolean>;

export function officialVerifier(secret: string, sessionCheck?: SessionCheck): OfficialVerifier {
  return async (token) => {
    const claims = await verifyToken(secret, token);
    if (!claims?.sid) return claims;
    // A token that names a session is only as good as the session, and meaningless without a way to check it.
    if (!sessionCheck) return undefined;
    return (await sessionCheck(claims as TokenClaims & { sid: string })) ? claims : undefined;
  };
}
