/**
 * The rooms' audit chain (rooms/audit.ts) on PostgreSQL, table room_audit (migration 2), whose triggers refuse
 * UPDATE, DELETE and TRUNCATE. Several nodes, and on each the rooms and the desk's cases, append to one chain:
 * each append takes a transaction-scoped advisory lock, so the writers line up until the appending transaction
 * ends and no two of them read the same last link (a fork). Whoever appends does it inside its own transaction
 * (the rooms' batch, a case's decision), last in it: the chain advances with what it records, or not at all.
 */
import type pg from 'pg';
import { ChainWalk, entryOf, nextLink, type AuditEntry, type AuditRow, type VerifyResult } from '../rooms/audit.js';
import { all, one, type Tx } from './tx-postgres.js';

/** Any constant: the key of the advisory lock that serialises the chain's writers, on every node. */
const AUDIT_LOCK = 7_310_414;
/** Rows read per round trip when the whole chain is walked. */
const VERIFY_PAGE = 5000;

const INSERT = `INSERT INTO room_audit (id, session_id, at, actor, role, action, target, detail, prev_hash, hash)
  SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])`;

/**
 * Appends `entries`, in order, at the end of the chain, inside `tx`. The lock is held until `tx` commits or rolls
 * back, so call this last in the transaction: every other writer of the chain waits meanwhile.
 */
export async function appendAuditIn(tx: Tx, entries: readonly AuditEntry[]): Promise<{ id: number; hash: string }[]> {
  if (entries.length === 0) return [];
  await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
  let last = await one<{ id: number; hash: string }>(tx, 'SELECT id, hash FROM room_audit ORDER BY id DESC LIMIT 1');
  const rows: AuditRow[] = [];
  for (const entry of entries) {
    const row = nextLink(last, entry);
    rows.push(row);
    last = row;
  }
  const columns = (['id', 'session_id', 'at', 'actor', 'role', 'action', 'target', 'detail', 'prev_hash', 'hash'] as const).map((c) => rows.map((r) => r[c]));
  await tx.query(INSERT, columns);
  return rows.map((r) => ({ id: r.id, hash: r.hash }));
}

/** The chain's reads: the whole walk, in pages, and one session's entries. */
export class PostgresAuditReader {
  constructor(private readonly pool: pg.Pool) {}

  async verify(): Promise<VerifyResult> {
    const walk = new ChainWalk();
    for (let after = 0; ; ) {
      const page = await all<AuditRow>(this.pool, 'SELECT * FROM room_audit WHERE id > $1 ORDER BY id LIMIT $2', [after, VERIFY_PAGE]);
      for (const row of page) if (!walk.step(row)) return walk.result();
      if (page.length < VERIFY_PAGE) return walk.result();
      after = page.at(-1)!.id;
    }
  }

  async entries(sessionId: string): Promise<(AuditEntry & { id: number; hash: string })[]> {
    return (await all<AuditRow>(this.pool, 'SELECT * FROM room_audit WHERE session_id = $1 ORDER BY id', [sessionId])).map(entryOf);
  }
}
