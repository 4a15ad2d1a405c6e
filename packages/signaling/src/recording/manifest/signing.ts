/**
 * The server's Ed25519 key for recording manifests. From config (`recording.signingKey`, PKCS#8 PEM) or created
 * once in `dataDir/keys/recording-ed25519.pem` with mode 0600. The public key is published (GET
 * /api/v1/recordings/public-key) and written into every signature file; its id is the SHA-256 of its SPKI DER,
 * so a third party compares one short value with what the authority published.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { durableWrite } from '../storage/fs-storage.js';

export const SIGNATURE_FORMAT = 'tiepdan-manifest-signature/1';
export const KEY_FILE = 'recording-ed25519.pem';

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

function fromPrivate(privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the recording signing key must be an Ed25519 key');
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKeyPem, keyId: keyIdOf(publicKeyPem) };
}

export async function loadSigningKey(dataDir: string, configured?: string): Promise<SigningKey> {
  if (configured) return fromPrivate(createPrivateKey(configured));
  const dir = join(dataDir, 'keys');
  const path = join(dir, KEY_FILE);
  try {
    return fromPrivate(createPrivateKey(readFileSync(path, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  // Written under a temporary name with mode 0600, fsynced, then renamed: never readable by others, never half there.
  await durableWrite(dir, KEY_FILE, Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), 0o600);
  return fromPrivate(createPrivateKey(readFileSync(path, 'utf8')));
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

/** Checks a signature file against the manifest bytes (and, when given, against the trusted public key). */
export function checkSignature(manifestBytes: Uint8Array, sig: SignatureFile, trustedPublicKeyPem?: string): { ok: boolean; reason?: string; keyId?: string } {
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
  if (trustedPublicKeyPem !== undefined && keyIdOf(trustedPublicKeyPem) !== keyId) return { ok: false, reason: 'signed with a key other than the trusted one', keyId };
  if (createHash('sha256').update(manifestBytes).digest('hex') !== sig.manifestSha256) return { ok: false, reason: 'the manifest is not the one that was signed', keyId };
  const valid = verify(null, manifestBytes, createPublicKey(sig.publicKey), Buffer.from(sig.signature, 'base64'));
  return valid ? { ok: true, keyId } : { ok: false, reason: 'the Ed25519 signature does not match the manifest', keyId };
}
