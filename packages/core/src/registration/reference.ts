/**
 * Reference codes given to citizens (mã hồ sơ): `TD-XXXX-XXXX` in Crockford base32, which has no I, L, O or U,
 * so a code read out over the phone or copied from a note by an elderly citizen survives confusion between
 * 0/O and 1/I/L. 40 random bits make guessing impractical; the lookup also needs the phone number.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const REFERENCE_PATTERN = /^TD-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/u;

/** Makes a new random reference code from a source of random bytes (crypto.getRandomValues by default). */
export function newReference(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(8));
  let code = '';
  for (let i = 0; i < 8; i += 1) code += ALPHABET[bytes[i]! & 31];
  return `TD-${code.slice(0, 4)}-${code.slice(4)}`;
}

/** Reads a code as typed: lower case, spaces, O for 0, I/L for 1, missing dashes. Undefined when unreadable. */
export function normalizeReference(input: string): string | undefined {
  const body = input
    .toUpperCase()
    .replace(/[\s-]/gu, '')
    .replace(/^TD/u, '')
    .replace(/O/gu, '0')
    .replace(/[IL]/gu, '1');
  if (!/^[0-9A-HJKMNP-TV-Z]{8}$/u.test(body)) return undefined;
  return `TD-${body.slice(0, 4)}-${body.slice(4)}`;
}
