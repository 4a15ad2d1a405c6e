/**
 * Whose key signed, and is it one the verifier trusts? A bundle carries its own public key, so a forger who
 * re-signs a changed recording with a new key makes every integrity check pass: only a key the authority
 * published, brought from outside the bundle, can tell. The anchors are a public key file (`--public-key`), a
 * fingerprint (`--fingerprint`, the key id: SHA-256 of the SPKI DER) or the key history (`--keys`, GET
 * /api/v1/recordings/keys), which also says when each key was valid. Without any, nothing is VERIFIED.
 */
import { keyIdOf } from '../manifest/signing.js';
import type { KeyHistory } from '../signing/keys.js';

export interface TrustAnchors {
  publicKeys?: { pem: string; source: string }[] | undefined;
  fingerprints?: string[] | undefined;
  history?: { history: KeyHistory; source: string } | undefined;
}

export type TrustJudgement =
  | { state: 'none'; detail: string }
  | { state: 'trusted'; detail: string }
  | { state: 'refused'; detail: string };

/** A fingerprint as people copy it: any case, with or without colons or spaces. */
export function normalizeFingerprint(text: string): string {
  return text.toLowerCase().replace(/[\s:]/gu, '');
}

export function hasAnchors(anchors: TrustAnchors): boolean {
  return Boolean(anchors.publicKeys?.length || anchors.fingerprints?.length || anchors.history);
}

/**
 * Judges the bundle's key id against the anchors. `signedAt` is when it was signed (the trusted timestamp when
 * there is one, the manifest's finalizedAt otherwise): with a history, the key must have been valid then.
 */
export function judgeKey(keyId: string, signedAt: string | undefined, anchors: TrustAnchors): TrustJudgement {
  if (!hasAnchors(anchors)) {
    return { state: 'none', detail: `key ${keyId} was not compared with a trusted key: pass --keys (GET /api/v1/recordings/keys), --public-key or --fingerprint` };
  }
  for (const { pem, source } of anchors.publicKeys ?? []) {
    let id: string;
    try {
      id = keyIdOf(pem);
    } catch {
      return { state: 'refused', detail: `${source} is not a public key` };
    }
    if (id === keyId) return { state: 'trusted', detail: `key ${keyId} is the public key in ${source}` };
  }
  for (const fingerprint of anchors.fingerprints ?? []) {
    if (normalizeFingerprint(fingerprint) === keyId) return { state: 'trusted', detail: `key ${keyId} has the trusted fingerprint` };
  }
  if (anchors.history) {
    const entry = anchors.history.history.keys.find((k) => k.keyId === keyId);
    if (entry) {
      const period = `valid from ${entry.validFrom} until ${entry.validUntil ?? 'now (current key)'}`;
      const at = signedAt === undefined ? Number.NaN : Date.parse(signedAt);
      if (!Number.isFinite(at)) return { state: 'refused', detail: `key ${keyId} is in ${anchors.history.source} (${period}), but the bundle does not say when it was signed` };
      // A time written to the second (an RFC 3161 genTime usually is) stands for that whole second: a key made
      // at 10:00:01.029 and used at once is stamped 10:00:01, which is not before the key existed.
      const precision = /\.\d+/u.test(signedAt ?? '') ? 0 : 999;
      if (at + precision < Date.parse(entry.validFrom) || (entry.validUntil !== null && at > Date.parse(entry.validUntil))) {
        return { state: 'refused', detail: `key ${keyId} signed at ${signedAt}, outside its period in ${anchors.history.source} (${period})` };
      }
      return { state: 'trusted', detail: `key ${keyId} is in the key history ${anchors.history.source}, ${period}; signed at ${signedAt}` };
    }
  }
  return { state: 'refused', detail: `signed with key ${keyId}, which is not a trusted key (${describe(anchors)})` };
}

function describe(anchors: TrustAnchors): string {
  const parts: string[] = [];
  for (const k of anchors.publicKeys ?? []) parts.push(k.source);
  if (anchors.fingerprints?.length) parts.push(`${anchors.fingerprints.length} fingerprint(s)`);
  if (anchors.history) parts.push(`${anchors.history.history.keys.length} key(s) in ${anchors.history.source}`);
  return `trusted: ${parts.join(', ')}`;
}
