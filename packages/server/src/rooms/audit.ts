/**
 * The rooms' audit log: every lobby decision and role action, append-only and hash-chained. Each entry's hash
 * is SHA-256(previous hash + canonical JSON of the entry), the first entry's previous hash is 64 zeros, so a
 * changed, removed or reordered row breaks the chain from that row on and `verify` names the first bad one.
 * The store keeps it (store/audit-sqlite.ts) and refuses UPDATE and DELETE on it in the database itself.
 */
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  sessionId: string;
  at: string;
  actor: string;
  role: string;
  action: string;
  target?: string | undefined;
  detail?: Record<string, unknown> | undefined;
}

/** An audit entry as stored, with its place in the chain. */
export interface AuditRow {
  id: number;
  session_id: string;
  at: string;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

/** JSON with object keys sorted at every level: the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function entryHash(prevHash: string, id: number, row: Omit<AuditRow, 'id' | 'prev_hash' | 'hash'>): string {
  const canonical = canonicalJson({ id, sessionId: row.session_id, at: row.at, actor: row.actor, role: row.role, action: row.action, target: row.target, detail: row.detail });
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}

export type VerifyResult = { ok: true; count: number } | { ok: false; count: number; brokenAt: number; reason: string };

export interface AuditChain {
  /** Appends one entry at the end of the chain; two writers cannot fork it. */
  append(entry: AuditEntry): { id: number; hash: string };
  /** Walks the whole chain; reports the first entry whose link or hash does not match. */
  verify(): VerifyResult;
  entries(sessionId: string): (AuditEntry & { id: number; hash: string })[];
}
