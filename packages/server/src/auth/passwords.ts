/**
 * Password hashing with argon2id (@node-rs/argon2, prebuilt binaries in npm packages, no compiler or download at
 * install). Parameters are OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane): each check costs tens of
 * milliseconds, which rate limits and lockout multiply into years for a guesser. An unknown user name is checked
 * against a dummy hash, so the answer's timing does not tell which names exist.
 */
import { hash, verify } from '@node-rs/argon2';

// The library's default algorithm is argon2id; the prefix check below makes sure it stays so.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

let dummy: Promise<string> | undefined;

export async function hashPassword(password: string): Promise<string> {
  const hashed = await hash(password.normalize('NFC'), OPTIONS);
  if (!hashed.startsWith('$argon2id$')) throw new Error('argon2 produced a hash that is not argon2id');
  return hashed;
}

/** True when `password` matches; for an account without a hash, checks a dummy one and answers false. */
export async function verifyPassword(hashed: string | undefined, password: string): Promise<boolean> {
  const target = hashed ?? (await (dummy ??= hashPassword('not-a-password-of-anyone')));
  try {
    const ok = await verify(target, password.normalize('NFC'));
    return ok && hashed !== undefined;
  } catch {
    return false;
  }
}
