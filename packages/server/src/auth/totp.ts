/**
 * The second factor: TOTP (RFC 6238, 6 digits, 30 s) with otplib, which authenticator apps on any phone read
 * from an otpauth:// URI (a QR code). One step of clock drift is accepted either way; the store then refuses the
 * same or an earlier step, so a code seen over a shoulder cannot be used a second time.
 */
import { generateSecret, generateURI, verify } from 'otplib';

const TOLERANCE_SECONDS = 30;

export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUri(secret: string, username: string, issuer: string): string {
  return generateURI({ issuer, label: username, secret });
}

/** The time step of a valid code, or undefined. */
export async function checkTotp(secret: string, code: string): Promise<number | undefined> {
  if (!/^\d{6}$/u.test(code)) return undefined;
  try {
    const result = await verify({ secret, token: code, epochTolerance: TOLERANCE_SECONDS });
    // TOTP results carry the time step (HOTP ones, which share the type, do not).
    return result.valid && 'timeStep' in result ? result.timeStep : undefined;
  } catch {
    return undefined;
  }
}
