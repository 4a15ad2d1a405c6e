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
    // Sorted keys (default sort: UTF-16 code units, as `<` compares), undefined values left out; one string
    // built in place instead of entry arrays (this runs on every submission).
    const object = value as Record<string, unknown>;
    let out = '{';
    for (const key of Object.keys(object).sort()) {
      const item = object[key];
      if (item === undefined) continue;
      out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(item)}`;
    }
    return `${out}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function contentHash(key: Buffer, registration: unknown, fileHashes: string[]): string {
  return keyedHash(key, canonicalJson({ registration, files: fileHashes }));
}
