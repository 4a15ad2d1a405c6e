/**
 * Citizens' join tokens as the schedule issues them: the invitation step returns a random token once and keeps
 * only its SHA-256. This verifier lets the rooms accept those tokens: a booked, invited registration whose token
 * hash matches joins the room of the session it was invited to, under its display name (already redacted for a
 * denunciation when stored).
 */
import { createHash } from 'node:crypto';
import type { JoinClaims, JoinTokenVerifier } from '../rooms/join-tokens.js';
import type { Store } from '../store/store.js';

/** A join token as stored: only its SHA-256 is kept, so a database read gives no token that opens a room. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class InvitationJoinTokenVerifier implements JoinTokenVerifier {
  constructor(private readonly store: Store) {}

  async verify(token: string): Promise<JoinClaims | undefined> {
    // Invitation tokens are 32 random bytes in base64url (43 characters); anything else is not ours to look up.
    if (!/^[A-Za-z0-9_-]{43}$/u.test(token)) return undefined;
    const booking = await this.store.schedule.findBookingByTokenHash(tokenHash(token));
    if (!booking || booking.status !== 'booked' || !booking.invited) return undefined;
    const registration = await this.store.findByReference(booking.reference);
    if (!registration || registration.state !== 'invited') return undefined;
    return { reference: booking.reference, sessionId: booking.sessionId, name: registration.displayName, matterKind: registration.kind };
  }
}

/** Tries each verifier in turn: the schedule's invitations first, then the signed tokens (demo, tests). */
export class FirstJoinTokenVerifier implements JoinTokenVerifier {
  private readonly verifiers: JoinTokenVerifier[];
  constructor(...verifiers: JoinTokenVerifier[]) {
    this.verifiers = verifiers;
  }

  async verify(token: string): Promise<JoinClaims | undefined> {
    for (const verifier of this.verifiers) {
      const claims = await verifier.verify(token);
      if (claims) return claims;
    }
    return undefined;
  }
}
