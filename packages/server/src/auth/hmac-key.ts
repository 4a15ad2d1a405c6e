/**
 * HS256 keys for jose, imported once per secret. Given the secret as bytes, jose imports it into a CryptoKey
 * (crypto.subtle.importKey) on every sign and every check; after a restart, 2,000 hellos did that 2,000 times and
 * it was 12.7 % of the new worker's CPU. The cache is keyed by the secret itself: a changed secret (a new
 * authSecret after a restart, a Jitsi secret from another config) gets its own key, and a token signed with any
 * other secret still fails the signature check, because the key it is checked with is the configured one.
 */
import { webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;

/** A few secrets live side by side (authSecret, the Jitsi secret, tests' own); more than this and the oldest goes. */
const MAX_KEYS = 8;
const keys = new Map<string, Promise<CryptoKey>>();

/** The HMAC-SHA-256 key for `secret`, for signing and verifying; the same object for the same secret. */
export function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    // Not extractable: the key object cannot hand the secret back to anything that gets hold of it.
    key = webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    // A failed import is not kept, so the next call tries again instead of failing forever.
    key.catch(() => keys.delete(secret));
    if (keys.size >= MAX_KEYS) keys.delete(keys.keys().next().value!);
    keys.set(secret, key);
  }
  return key;
}

/** How many keys are cached (tests: the cache stays bounded). */
export function cachedKeyCount(): number {
  return keys.size;
}
