/**
 * The rooms' audit chain (rooms/audit.ts) in SQLite, table room_audit (migration 3), whose triggers refuse UPDATE
 * and DELETE. The desk's case store appends to it inside its own transactions on the same connection.
 */
import type Database from 'better-sqlite3';
import { entryOf, nextLink, verifyChain, type AuditChain, type AuditEntry, type AuditRow, type VerifyResult } from '../rooms/audit.js';

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
      const r = nextLink(this.last.get(), entry);
      this.insert.run(r.id, r.session_id, r.at, r.actor, r.role, r.action, r.target, r.detail, r.prev_hash, r.hash);
      return { id: r.id, hash: r.hash };
    });
    return run.immediate();
  }

  /** Walks the whole chain; reports the first entry whose link or hash does not match. */
  async verify(): Promise<VerifyResult> {
    return verifyChain(this.db.prepare<[], AuditRow>('SELECT * FROM room_audit ORDER BY id').iterate());
  }

  async entries(sessionId: string): Promise<(AuditEntry & { id: number; hash: string })[]> {
    return this.db.prepare<[string], AuditRow>('SELECT * FROM room_audit WHERE session_id = ? ORDER BY id').all(sessionId).map(entryOf);
  }
}
