/**
 * The rooms' audit log: every lobby decision and role action, append-only and hash-chained. Each entry's hash
 * is SHA-256(previous hash + canonical JSON of the entry), the first entry's previous hash is 64 zeros, so a
 * changed, removed or reordered row breaks the chain from that row on and `verify` names the first bad one.
 * The store keeps it (store/audit-sqlite.ts, store/audit-postgres.ts) and refuses UPDATE and DELETE on it in the
 * database itself.
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

/** The row that appends `entry` after `last` (undefined: the chain is empty). */
export function nextLink(last: { id: number; hash: string } | undefined, entry: AuditEntry): AuditRow {
  const prev_hash = last?.hash ?? GENESIS_HASH;
  const id = (last?.id ?? 0) + 1;
  const row = { session_id: entry.sessionId, at: entry.at, actor: entry.actor, role: entry.role, action: entry.action, target: entry.target ?? null, detail: canonicalJson(entry.detail ?? {}) };
  return { id, ...row, prev_hash, hash: entryHash(prev_hash, id, row) };
}

/**
 * Walks a chain's rows in id order, one at a time (a store reads a long chain in pages): `step` reports the first
 * row whose link or hash does not match, `result` what was walked.
 */
export class ChainWalk {
  private prev = GENESIS_HASH;
  private count = 0;
  private broken: VerifyResult | undefined;

  /** False once the chain is broken (the rest need not be read). */
  step(row: AuditRow): boolean {
    if (this.broken) return false;
    const expectedId = this.count + 1;
    const fail = (reason: string) => {
      this.broken = { ok: false, count: this.count, brokenAt: row.id, reason };
      return false;
    };
    if (row.id !== expectedId) return fail(`entry ${expectedId} is missing`);
    if (row.prev_hash !== this.prev) return fail('previous hash does not match');
    if (entryHash(this.prev, row.id, row) !== row.hash) return fail('entry was changed');
    this.prev = row.hash;
    this.count += 1;
    return true;
  }

  result(): VerifyResult {
    return this.broken ?? { ok: true, count: this.count };
  }
}

/** Walks a chain's rows in id order; reports the first whose link or hash does not match. */
export function verifyChain(rows: Iterable<AuditRow>): VerifyResult {
  const walk = new ChainWalk();
  for (const row of rows) if (!walk.step(row)) break;
  return walk.result();
}

/** A stored row as the entry it records. */
export function entryOf(r: AuditRow): AuditEntry & { id: number; hash: string } {
  return { id: r.id, hash: r.hash, sessionId: r.session_id, at: r.at, actor: r.actor, role: r.role, action: r.action, target: r.target ?? undefined, detail: JSON.parse(r.detail) as Record<string, unknown> };
}

export interface AuditChain {
  /**
   * Appends one entry at the end of the chain; two writers (two nodes) cannot fork it. Written at once (SQLite)
   * or with the rooms' next commit (PostgreSQL): either way before anything that waits on `afterCommit` or
   * `durable` after it leaves, and in the order appended.
   */
  append(entry: AuditEntry): void;
  /** Walks the whole chain; reports the first entry whose link or hash does not match. */
  verify(): Promise<VerifyResult>;
  entries(sessionId: string): Promise<(AuditEntry & { id: number; hash: string })[]>;
}
