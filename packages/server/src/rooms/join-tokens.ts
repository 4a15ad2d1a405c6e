/**
 * Citizens join a room with the join token from their invitation. The schedule keeps invitation tokens
 * (hashed) in its own tables; until it plugs in its verifier, a join token is a JWT signed with the
 * authSecret for the audience 'tiepdan-citizens', carrying the registration reference and the session id.
 */
import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import * as z from 'zod';
import { hmacKey } from '../auth/hmac-key.js';
import { TOKEN_ISSUER } from '../auth/tokens.js';

export const CITIZEN_TOKEN_AUDIENCE = 'tiepdan-citizens';
const CLOCK_TOLERANCE_SECONDS = 30;

/** What a valid join token says about its holder. */
export interface JoinClaims {
  /** The registration's reference code. */
  reference: string;
  /** The reception session the invitation is for. */
  sessionId: string;
  /** Display name; for a denunciation, the lobby shows a redacted label to everyone but the handling officers. */
  name?: string | undefined;
  /** Kind of matter (`to_cao` makes the identity confidential, SPEC §3). */
  matterKind?: string | undefined;
}

/** Checks a citizen's join token; undefined for anything not valid. The schedule's stored tokens implement it too. */
export interface JoinTokenVerifier {
  verify(token: string): Promise<JoinClaims | undefined>;
}

const ClaimsSchema = z.object({
  ref: z.string().min(1).max(64),
  sid: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/u),
  name: z.string().max(200).optional(),
  kind: z.string().max(32).optional(),
});

export class JwtJoinTokenVerifier implements JoinTokenVerifier {
  constructor(private readonly secret: string) {}

  async verify(token: string): Promise<JoinClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, await hmacKey(this.secret), {
        algorithms: ['HS256'],
        issuer: TOKEN_ISSUER,
        audience: CITIZEN_TOKEN_AUDIENCE,
        requiredClaims: ['exp'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      const claims = ClaimsSchema.safeParse(payload);
      if (!claims.success) return undefined;
      return { reference: claims.data.ref, sessionId: claims.data.sid, name: claims.data.name, matterKind: claims.data.kind };
    } catch (error) {
      if (error instanceof joseErrors.JOSEError || error instanceof TypeError) return undefined;
      throw error;
    }
  }
}

/** Mints a join token (invitations until the schedule does it; tests; the demo). */
export async function mintJoinToken(secret: string, claims: JoinClaims, ttlSeconds = 24 * 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ref: claims.reference, sid: claims.sessionId, ...(claims.name ? { name: claims.name } : {}), ...(claims.matterKind ? { kind: claims.matterKind } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(CITIZEN_TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(await hmacKey(secret));
}
