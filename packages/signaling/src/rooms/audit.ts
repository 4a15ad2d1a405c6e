/**
 * The rooms' audit log: every lobby decision and role action, append-only and hash-chained. Each entry's hash
 * is SHA-256(previous hash + canonical JSON of the entry), the first entry's previous hash is 64 zeros, so a
 * changed, removed or reordered row breaks the chain from that row on and `verify` names the first bad one.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

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

interface AuditRow {
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

function entryHash(prevHash: string, id: number, row: Omit<AuditRow, 'id' | 'prev_hash' | 'hash'>): string {
  const canonical = canonicalJson({ id, sessionId: row.session_id, at: row.at, actor: row.actor, role: row.role, action: row.action, target: row.target, detail: row.detail });
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}

export type VerifyResult = { ok: true; count: number } | { ok: false; count: number; brokenAt: number; reason: string };

export class AuditLog {
  private readonly last;
  private readonly insert;
  constructor(private readonly db: Database.Database) {
    this.last = db.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM room_audit ORDER BY id DESC LIMIT 1');
    this.insert = db.prepare(
      'INSERT INTO room_audit (id, session_id, at, actor, role, action, target, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** Appends one entry; IMMEDIATE so two processes cannot fork the chain. */
  append(entry: AuditEntry): { id: number; hash: string } {
    const run = this.db.transaction(() => {
      const last = this.last.get();
      const prevHash = last?.hash ?? GENESIS_HASH;
      const id = (last?.id ?? 0) + 1;
      const row = { session_id: entry.sessionId, at: entry.at, actor: entry.actor, role: entry.role, action: entry.action, target: entry.target ?? null, detail: canonicalJson(entry.detail ?? {}) };
      const hash = entryHash(prevHash, id, row);
      this.insert.run(id, row.session_id, row.at, row.actor, row.role, row.action, row.target, row.detail, prevHash, hash);
      return { id, hash };
    });
    return run.immediate();
  }

  /** Walks the whole chain; reports the first entry whose link or hash does not match. */
  verify(): VerifyResult {
    let prev = GENESIS_HASH;
    let expectedId = 1;
    let count = 0;
    for (const row of this.db.prepare<[], AuditRow>('SELECT * FROM room_audit ORDER BY id').iterate()) {
      if (row.id !== expectedId) return { ok: false, count, brokenAt: row.id, reason: `entry ${expectedId} is missing` };
      if (row.prev_hash !== prev) return { ok: false, count, brokenAt: row.id, reason: 'previous hash does not match' };
      if (entryHash(prev, row.id, row) !== row.hash) return { ok: false, count, brokenAt: row.id, reason: 'entry was changed' };
      prev = row.hash;
      expectedId += 1;
      count += 1;
    }
    return { ok: true, count };
  }

  entries(sessionId: string): (AuditEntry & { id: number; hash: string })[] {
    return this.db
      .prepare<[string], AuditRow>('SELECT * FROM room_audit WHERE session_id = ? ORDER BY id')
      .all(sessionId)
      .map((r) => ({ id: r.id, hash: r.hash, sessionId: r.session_id, at: r.at, actor: r.actor, role: r.role, action: r.action, target: r.target ?? undefined, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}
