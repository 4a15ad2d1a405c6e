/**
 * Officials' sign-in replies as zod schemas, with their types inferred (issue 14): the server's response schemas
 * for /auth/sign-in, /auth/session, /auth/token and /auth/devices, and the types the browser's SessionClient
 * (auth/session-client.ts) reads, from one source. The session's secret stays in its httpOnly cookie; what is
 * answered is who is signed in, with which roles, until when, and the anti-forgery token.
 */
import * as z from 'zod/mini';
import { OFFICIAL_ROLES } from '../auth/roles.js';

z.config({ jitless: true });

/** POST /auth/sign-in, GET /auth/session */
export const SignedInSessionSchema = z.object({
  account: z.object({ id: z.string(), username: z.string(), displayName: z.string() }),
  assignments: z.array(z.object({ role: z.enum(OFFICIAL_ROLES), unit: z.string() })),
  method: z.enum(['password', 'oidc', 'device']),
  /** ms since the epoch. */
  expiresAt: z.number(),
  /** Sent back in `X-CSRF-Token` by the state-changing cookie routes. */
  csrfToken: z.string(),
});
export type SignedInSession = z.infer<typeof SignedInSessionSchema>;

/** POST /auth/token: a short-lived Bearer access token for one of the session's roles. */
export const IssuedTokenSchema = z.object({
  token: z.string(),
  /** ms since the epoch. */
  expiresAt: z.number(),
  role: z.enum(OFFICIAL_ROLES),
  unit: z.string(),
});
export type IssuedToken = z.infer<typeof IssuedTokenSchema>;

/** POST /auth/devices (201): a recorder device's credential, bound to a device session of its own (`deviceId`). */
export const DeviceCredentialSchema = z.object({ ...IssuedTokenSchema.shape, deviceId: z.string() });
export type DeviceCredential = z.infer<typeof DeviceCredentialSchema>;
