/**
 * The SQLite case store (store/case-store.ts): one row per case, its steps in JSON, numbering counters, and the
 * audit entry appended to the rooms' hash chain (rooms/audit.ts) inside the same IMMEDIATE transaction.
 */
import type Database from 'better-sqlite3';
import type { ReceptionCase } from '@tiepdan/core';
import { SqliteAuditLog } from './audit-sqlite.js';
import { DEFAULT_NOTICE_CHANNEL } from './schedule-sqlite.js';
import type { CaseFilters, CaseRow, CaseStore, CaseWrite, NextNumber } from './case-store.js';

interface CaseRecordRow {
  id: string;
  data: string;
  sealed: Buffer | null;
  revision: number;
}

export class SqliteCaseStore implements CaseStore {
  private readonly audit: SqliteAuditLog;
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.audit = new SqliteAuditLog(db);
    this.s = {
      get: db.prepare<[string], CaseRecordRow>('SELECT id, data, sealed, revision FROM reception_cases WHERE id = ?'),
      findOpen: db.prepare<[string, string | null], CaseRecordRow>(
        `SELECT id, data, sealed, revision FROM reception_cases
          WHERE registration_reference = ? AND session_id IS ? AND state = 'open' ORDER BY opened_at LIMIT 1`,
      ),
      insert: db.prepare(
        `INSERT INTO reception_cases (id, unit, state, kind, origin, register_year, register_number, session_id, point_id,
           registration_reference, opened_at, updated_at, revision, data, sealed)
         VALUES (@id, @unit, @state, @kind, @origin, @registerYear, @registerNumber, @sessionId, @pointId,
           @registrationReference, @openedAt, @updatedAt, @revision, @data, @sealed)`,
      ),
      update: db.prepare(
        `UPDATE reception_cases SET state = @state, kind = @kind, updated_at = @updatedAt, revision = @revision, data = @data, sealed = @sealed
          WHERE id = @id AND revision = @previous`,
      ),
      bump: db.prepare<[string, number, string]>(
        `INSERT INTO case_numbers (unit, year, series, last) VALUES (?, ?, ?, 1)
           ON CONFLICT (unit, year, series) DO UPDATE SET last = last + 1`,
      ),
      last: db.prepare<[string, number, string], { last: number }>('SELECT last FROM case_numbers WHERE unit = ? AND year = ? AND series = ?'),
      // Into the schedule's outbox (its dispatcher sends it): only for a session the schedule holds.
      notice: db.prepare(
        `INSERT OR IGNORE INTO notices (session_id, registration_id, change_seq, change, channel, body, created_at)
         SELECT s.id, r.id, @sequence, @change, '${DEFAULT_NOTICE_CHANNEL}', @body, @at FROM registrations r JOIN sessions s ON s.id = @sessionId
          WHERE r.reference = @reference`,
      ),
    };
  }

  private readonly next: NextNumber = (series, unit, year) => {
    this.s.bump.run(unit, year, series);
    return this.s.last.get(unit, year, series)!.last;
  };

  private insertRow(row: CaseRow): void {
    const c = row.case;
    this.s.insert.run({
      id: c.id,
      unit: c.unit,
      state: c.state,
      kind: c.kind,
      origin: c.origin,
      registerYear: c.registerYear,
      registerNumber: c.registerNumber,
      sessionId: c.sessionId ?? null,
      pointId: c.pointId ?? null,
      registrationReference: c.registrationReference ?? null,
      openedAt: c.openedAt,
      updatedAt: c.updatedAt,
      revision: row.revision,
      data: JSON.stringify(c),
      sealed: row.sealed ?? null,
    });
  }

  private write(write: CaseWrite, current?: CaseRow): CaseRow[] {
    const [first, ...rest] = write.rows;
    if (current && first) {
      const result = this.s.update.run({
        id: current.case.id,
        state: first.case.state,
        kind: first.case.kind,
        updatedAt: first.case.updatedAt,
        revision: current.revision + 1,
        previous: current.revision,
        data: JSON.stringify(first.case),
        sealed: first.sealed ?? null,
      });
      if (result.changes !== 1) throw new Error('reception case changed during its own transaction');
      first.revision = current.revision + 1;
    } else if (first) this.insertRow(first);
    for (const row of rest) this.insertRow(row);
    this.audit.append(write.audit);
    if (write.notice) {
      const { body, ...n } = write.notice;
      this.s.notice.run({ ...n, body: JSON.stringify(body) });
    }
    return write.rows;
  }

  async create(decide: (next: NextNumber) => CaseWrite): Promise<CaseRow[]> {
    return this.db.transaction(() => this.write(decide(this.next))).immediate();
  }

  async get(id: string): Promise<CaseRow | undefined> {
    const row = this.s.get.get(id);
    return row && toRow(row);
  }

  async findOpen(registrationReference: string, sessionId: string | undefined): Promise<CaseRow | undefined> {
    const row = this.s.findOpen.get(registrationReference, sessionId ?? null);
    return row && toRow(row);
  }

  async update(id: string, decide: (current: CaseRow, next: NextNumber) => CaseWrite): Promise<CaseRow[] | undefined> {
    return this.db
      .transaction((): CaseRow[] | undefined => {
        const found = this.s.get.get(id);
        if (!found) return undefined;
        const current = toRow(found);
        return this.write(decide(current, this.next), current);
      })
      .immediate();
  }

  async list(filters: CaseFilters, limit: number): Promise<CaseRow[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filters.unit !== undefined) (where.push('unit = ?'), params.push(filters.unit));
    if (filters.from !== undefined) (where.push('opened_at >= ?'), params.push(filters.from));
    if (filters.to !== undefined) (where.push('opened_at <= ?'), params.push(filters.to));
    if (filters.kind !== undefined) (where.push('kind = ?'), params.push(filters.kind));
    if (filters.state !== undefined) (where.push('state = ?'), params.push(filters.state));
    if (filters.origin !== undefined) (where.push('origin = ?'), params.push(filters.origin));
    if (filters.pointId !== undefined) (where.push('point_id = ?'), params.push(filters.pointId));
    if (filters.registrationReference !== undefined) (where.push('registration_reference = ?'), params.push(filters.registrationReference));
    if (filters.sessionId !== undefined) (where.push('session_id = ?'), params.push(filters.sessionId));
    const sql = `SELECT id, data, sealed, revision FROM reception_cases ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY unit, register_year, register_number LIMIT ?`;
    return this.db.prepare<(string | number)[], CaseRecordRow>(sql).all(...params, limit).map(toRow);
  }
}

function toRow(r: CaseRecordRow): CaseRow {
  return { case: JSON.parse(r.data) as ReceptionCase, sealed: r.sealed ?? undefined, revision: r.revision };
}
