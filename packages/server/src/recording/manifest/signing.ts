/**
 * The manifest's Ed25519 signature: over the exact bytes of manifest.json (not their hash), kept raw (64 bytes) in
 * manifest.sig so `openssl pkeyutl -verify -rawin` checks it. The public key is written beside it (signing-key.pem); its id is the SHA-256 of its SPKI DER, so a third party compares one short
 * value with what the authority published (the key history, signing/keys.ts). Whether that key is to be trusted
 * is the verifier's question (verify/trust.ts), not this file's.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export interface SigningKey {
  privateKey: KeyObject;
  publicKeyPem: string;
  keyId: string;
}

/** The key id (fingerprint): SHA-256 of the SPKI DER, lowercase hex (`openssl pkey -pubin -outform DER | sha256sum`). */
export function keyIdOf(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

/** The raw 64-byte Ed25519 signature (RFC 8032) over the exact manifest bytes. */
export function signManifest(manifestBytes: Uint8Array, key: SigningKey): Buffer {
  return sign(null, manifestBytes, key.privateKey);
}

/** Checks the signature file's bytes against the manifest bytes and the bundle's public key. */
export function checkSignature(manifestBytes: Uint8Array, signature: Buffer, publicKeyPem: string): { ok: boolean; reason?: string; keyId?: string } {
  let keyId: string;
  try {
    keyId = keyIdOf(publicKeyPem);
    if (createPublicKey(publicKeyPem).asymmetricKeyType !== 'ed25519') return { ok: false, reason: 'the public key is not an Ed25519 key' };
  } catch {
    return { ok: false, reason: 'the public key file cannot be read' };
  }
  if (signature.length !== 64) return { ok: false, reason: `the signature is ${signature.length} bytes, not 64`, keyId };
  const valid = verify(null, manifestBytes, createPublicKey(publicKeyPem), signature);
  return valid ? { ok: true, keyId } : { ok: false, reason: 'the Ed25519 signature does not match the manifest', keyId };
}
