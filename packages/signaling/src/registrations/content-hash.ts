/**
 * The idempotency content hash: what tells an identical replay (same key, same content → same answer) from a
 * key reused for something else (→ 409). Computed over canonical JSON (sorted keys) of the normalised
 * registration, so key order and NFC/NFD differences in what the client sent do not matter, plus the files'
 * SHA-256 in attachment order. Keyed (HMAC), because the content includes personal data.
 */
import { keyedHash } from '../privacy/seal.js';

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function contentHash(key: Buffer, registration: unknown, fileHashes: string[]): string {
  return keyedHash(key, canonicalJson({ registration, files: fileHashes }));
}
