/**
 * The desk's cases and the register's numbering on PostgreSQL (migration 6; interface in store/case-store.ts), for
 * several nodes on one database. `decide` stays synchronous, as SQLite needs it (a better-sqlite3 transaction
 * cannot span an await), so it cannot wait for a counter's row: the numbers it asks for come from counters already
 * read and locked (`SELECT … FOR UPDATE`) in this transaction. The first time it asks for one not locked yet, the
 * run stops (CounterPending), the store locks that counter and runs `decide` again from the start: at most once
 * more per distinct counter, and only the last run is written. The counters are written back before COMMIT with
 * the rows, so a refused or failed step leaves no gap in the register and two nodes never hand out one number.
 * A step on an existing case locks the case's row first, so concurrent steps on one case apply one after the
 * other, each on the row the previous one wrote. Lock order is always case row, then counter, then the audit
 * chain (appended last, store/audit-postgres.ts): two steps cannot wait on each other in a cycle.
 */
import type pg from 'pg';
import type { ReceptionCase } from '@tiepdan/core';
import { appendAuditIn } from './audit-postgres.js';
import type { CaseFilters, CaseRow, CaseStore, CaseWrite, NextNumber, NumberSeries } from './case-store.js';
import { DEFAULT_NOTICE_CHANNEL } from './schedule-sqlite.js';
import { all, inTransaction, one, type Tx } from './tx-postgres.js';

interface CaseRecordRow {
  id: string;
  data: string;
  sealed: Buffer | null;
  revision: number;
}

interface Counter {
  series: NumberSeries;
  unit: string;
  year: number;
  last: number;
}

/** Thrown by `next` for a counter this transaction has not locked yet: the store locks it and runs `decide` again. */
class CounterPending extends Error {
  constructor() {
    super('register counter not locked yet (the store runs the decision again)');
  }
}

/** More than any decision asks for (one series per step today); a decision that keeps asking for new ones is a bug. */
const MAX_RUNS = 16;

const COLUMNS = 'id, data, sealed, revision';
const INSERT = `INSERT INTO reception_cases (id, unit, state, kind, origin, register_year, register_number, session_id, point_id,
    registration_reference, opened_at, updated_at, revision, data, sealed)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`;
const UPDATE = `UPDATE reception_cases SET state = $1, kind = $2, updated_at = $3, revision = $4, data = $5, sealed = $6
  WHERE id = $7 AND revision = $8`;
// Into the schedule's outbox (its dispatcher sends it): only for a session the schedule holds; once per key.
const NOTICE = `INSERT INTO notices (session_id, registration_id, change_seq, change, channel, body, created_at)
  SELECT s.id, r.id, $1, $2, '${DEFAULT_NOTICE_CHANNEL}', $3, $4 FROM registrations r JOIN sessions s ON s.id = $5
   WHERE r.reference = $6
  ON CONFLICT DO NOTHING`;

export class PostgresCaseStore implements CaseStore {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Runs `decide` with numbers from locked counters (see the file's comment), then writes the counters it used.
   * A refusal thrown by `decide` is rethrown once every counter it asked for is locked (it may depend on them).
   */
  private async decided<T>(tx: Tx, decide: (next: NextNumber) => T): Promise<T> {
    const locked = new Map<string, Counter>();
    for (let run = 1; ; run += 1) {
      const used = new Map<string, number>();
      const pending = new Map<string, Omit<Counter, 'last'>>();
      const next: NextNumber = (series, unit, year) => {
        const key = JSON.stringify([unit, year, series]);
        const counter = locked.get(key);
        if (!counter) {
          pending.set(key, { series, unit, year });
          throw new CounterPending();
        }
        const n = (used.get(key) ?? 0) + 1;
        used.set(key, n);
        return counter.last + n;
      };
      let outcome: { value: T } | { error: unknown };
      try {
        outcome = { value: decide(next) };
      } catch (error) {
        outcome = { error };
      }
      if (pending.size === 0) {
        if ('error' in outcome) throw outcome.error;
        for (const [key, n] of used) {
          const c = locked.get(key)!;
          await tx.query('UPDATE case_numbers SET last = $1 WHERE unit = $2 AND year = $3 AND series = $4', [c.last + n, c.unit, c.year, c.series]);
        }
        return outcome.value;
      }
      if (run >= MAX_RUNS) throw new Error(`a case decision asked for more than ${MAX_RUNS} register counters`);
      for (const [key, c] of pending) {
        // The insert waits on the key for a concurrent first insert to commit; the lock then reads its value.
        await tx.query('INSERT INTO case_numbers (unit, year, series, last) VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING', [c.unit, c.year, c.series]);
        const row = await one<{ last: number }>(tx, 'SELECT last FROM case_numbers WHERE unit = $1 AND year = $2 AND series = $3 FOR UPDATE', [c.unit, c.year, c.series]);
        locked.set(key, { ...c, last: row!.last });
      }
    }
  }

  private async write(tx: Tx, write: CaseWrite, current?: CaseRow): Promise<CaseRow[]> {
    const [first, ...rest] = write.rows;
    if (current && first) {
      const c = first.case;
      const result = await tx.query(UPDATE, [c.state, c.kind, c.updatedAt, current.revision + 1, JSON.stringify(c), first.sealed ?? null, c.id, current.revision]);
      if (result.rowCount !== 1) throw new Error('reception case changed during its own transaction');
      first.revision = current.revision + 1;
    } else if (first) await insertRow(tx, first);
    for (const row of rest) await insertRow(tx, row);
    if (write.notice) {
      const n = write.notice;
      await tx.query(NOTICE, [n.sequence, n.change, JSON.stringify(n.body), n.at, n.sessionId, n.reference]);
    }
    await appendAuditIn(tx, [write.audit]);
    return write.rows;
  }

  create(decide: (next: NextNumber) => CaseWrite): Promise<CaseRow[]> {
    return inTransaction(this.pool, async (tx) => this.write(tx, await this.decided(tx, decide)));
  }

  async get(id: string): Promise<CaseRow | undefined> {
    const row = await one<CaseRecordRow>(this.pool, `SELECT ${COLUMNS} FROM reception_cases WHERE id = $1`, [id]);
    return row && toRow(row);
  }

  async findOpen(registrationReference: string, sessionId: string | undefined): Promise<CaseRow | undefined> {
    const row = await one<CaseRecordRow>(
      this.pool,
      `SELECT ${COLUMNS} FROM reception_cases
        WHERE registration_reference = $1 AND session_id IS NOT DISTINCT FROM $2 AND state = 'open' ORDER BY opened_at, id LIMIT 1`,
      [registrationReference, sessionId ?? null],
    );
    return row && toRow(row);
  }

  update(id: string, decide: (current: CaseRow, next: NextNumber) => CaseWrite): Promise<CaseRow[] | undefined> {
    return inTransaction(this.pool, async (tx) => {
      const found = await one<CaseRecordRow>(tx, `SELECT ${COLUMNS} FROM reception_cases WHERE id = $1 FOR UPDATE`, [id]);
      if (!found) return undefined;
      const current = toRow(found);
      // Each run gets its own copy: a run stopped for a counter may have changed what it was given.
      const write = await this.decided(tx, (next) => decide(toRow(found), next));
      return this.write(tx, write, current);
    });
  }

  async list(filters: CaseFilters, limit: number): Promise<CaseRow[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (column: string, value: string | number) => where.push(`${column} = $${params.push(value)}`);
    if (filters.unit !== undefined) add('unit', filters.unit);
    if (filters.from !== undefined) where.push(`opened_at >= $${params.push(filters.from)}`);
    if (filters.to !== undefined) where.push(`opened_at <= $${params.push(filters.to)}`);
    if (filters.kind !== undefined) add('kind', filters.kind);
    if (filters.state !== undefined) add('state', filters.state);
    if (filters.origin !== undefined) add('origin', filters.origin);
    if (filters.pointId !== undefined) add('point_id', filters.pointId);
    if (filters.registrationReference !== undefined) add('registration_reference', filters.registrationReference);
    if (filters.sessionId !== undefined) add('session_id', filters.sessionId);
    // Units in byte order (COLLATE "C"), as SQLite orders text, whatever the database's locale: one register order.
    const rows = await all<CaseRecordRow>(
      this.pool,
      `SELECT ${COLUMNS} FROM reception_cases ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY unit COLLATE "C", register_year, register_number LIMIT $${params.length + 1}`,
      [...params, limit],
    );
    return rows.map(toRow);
  }
}

async function insertRow(tx: Tx, row: CaseRow): Promise<void> {
  const c: ReceptionCase = row.case;
  await tx.query(INSERT, [
    c.id,
    c.unit,
    c.state,
    c.kind,
    c.origin,
    c.registerYear,
    c.registerNumber,
    c.sessionId ?? null,
    c.pointId ?? null,
    c.registrationReference ?? null,
    c.openedAt,
    c.updatedAt,
    row.revision,
    JSON.stringify(c),
    row.sealed ?? null,
  ]);
}

function toRow(r: CaseRecordRow): CaseRow {
  return { case: JSON.parse(r.data) as ReceptionCase, sealed: r.sealed ?? undefined, revision: r.revision };
}
