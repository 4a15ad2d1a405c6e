/**
 * The rooms' audit chain (rooms/audit.ts) in SQLite, table room_audit (migration 3), whose triggers refuse UPDATE
 * and DELETE. The desk's case store appends to it inside its own transactions on the same connection.
 */
import type Database from 'better-sqlite3';
import { entryHash, GENESIS_HASH, type AuditChain, type AuditEntry, type AuditRow, type VerifyResult, canonicalJson } from '../rooms/audit.js';

export class SqliteAuditLog implements AuditChain {
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
