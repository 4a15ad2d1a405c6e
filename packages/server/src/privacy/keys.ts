/**
 * One data key (config `dataKey`), several purposes: HKDF derives a separate subkey for each, so the key that
 * encrypts denouncers' data is never the key that hashes phone numbers, and a leak of one derived value says
 * nothing about the others.
 */
import { hkdfSync } from 'node:crypto';

export interface DataKeys {
  /** AES-256-GCM key for the denouncer's identity, address and contact (SPEC §3). */
  seal: Buffer;
  /** HMAC key for the phone number a citizen gives to look a registration up. */
  phone: Buffer;
  /** HMAC key for idempotency content hashes, which cover personal data too. */
  content: Buffer;
  /** AES-256-GCM key for officials' TOTP secrets and identity-provider refresh tokens. */
  auth: Buffer;
  /** AES-256-GCM key for attachment files on disk (registrations/files.ts). */
  files: Buffer;
  /** AES-256-GCM key for the recording signing key where the store keeps it in the database (store/key-vault-postgres.ts). */
  vault: Buffer;
}

export function deriveKeys(dataKey: Buffer): DataKeys {
  if (dataKey.length !== 32) throw new Error('dataKey must be 32 bytes');
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), `tiepdan/${info}`, 32));
  return { seal: derive('seal/v1'), phone: derive('phone-lookup/v1'), content: derive('content-hash/v1'), auth: derive('auth-seal/v1'), files: derive('attachment-files/v1'), vault: derive('key-vault/v1') };
}
