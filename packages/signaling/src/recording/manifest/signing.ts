/**
 * The manifest's Ed25519 signature: over the exact bytes of manifest.json (not their hash). The public key is
 * written into every signature file; its id is the SHA-256 of its SPKI DER, so a third party compares one short
 * value with what the authority published (the key history, signing/keys.ts). Whether that key is to be trusted
 * is the verifier's question (verify/trust.ts), not this file's.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export const SIGNATURE_FORMAT = 'tiepdan-manifest-signature/1';

export interface SigningKey {
  privateKey: KeyObject;
  publicKeyPem: string;
  keyId: string;
}

export interface SignatureFile {
  format: typeof SIGNATURE_FORMAT;
  algorithm: 'Ed25519';
  keyId: string;
  publicKey: string;
  /** SHA-256 of the exact manifest bytes signed. */
  manifestSha256: string;
  /** base64 */
  signature: string;
}

export function keyIdOf(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

export function signManifest(manifestBytes: Uint8Array, key: SigningKey): SignatureFile {
  return {
    format: SIGNATURE_FORMAT,
    algorithm: 'Ed25519',
    keyId: key.keyId,
    publicKey: key.publicKeyPem,
    manifestSha256: createHash('sha256').update(manifestBytes).digest('hex'),
    signature: sign(null, manifestBytes, key.privateKey).toString('base64'),
  };
}

/** Checks a signature file against the manifest bytes. */
export function checkSignature(manifestBytes: Uint8Array, sig: SignatureFile): { ok: boolean; reason?: string; keyId?: string } {
  if (sig?.format !== SIGNATURE_FORMAT || sig.algorithm !== 'Ed25519') return { ok: false, reason: 'unknown signature format' };
  if (typeof sig.publicKey !== 'string' || typeof sig.signature !== 'string' || typeof sig.keyId !== 'string' || typeof sig.manifestSha256 !== 'string') {
    return { ok: false, reason: 'the signature file lacks a field' };
  }
  // Only the canonical encodings: base64 ignores some bits of its last character, and a PEM its line breaks,
  // so without this a changed byte there would still verify.
  if (Buffer.from(sig.signature, 'base64').toString('base64') !== sig.signature) return { ok: false, reason: 'the signature is not canonical base64' };
  let keyId: string;
  try {
    keyId = keyIdOf(sig.publicKey);
    if (createPublicKey(sig.publicKey).export({ type: 'spki', format: 'pem' }).toString() !== sig.publicKey) return { ok: false, reason: 'the public key is not in canonical PEM' };
  } catch {
    return { ok: false, reason: 'the public key in the signature file cannot be read' };
  }
  if (keyId !== sig.keyId) return { ok: false, reason: 'the key id does not match the public key', keyId };
  if (createHash('sha256').update(manifestBytes).digest('hex') !== sig.manifestSha256) return { ok: false, reason: 'the manifest is not the one that was signed', keyId };
  const valid = verify(null, manifestBytes, createPublicKey(sig.publicKey), Buffer.from(sig.signature, 'base64'));
  return valid ? { ok: true, keyId } : { ok: false, reason: 'the Ed25519 signature does not match the manifest', keyId };
}
