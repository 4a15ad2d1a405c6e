/**
 * What the reception desk and the register need from storage, as a narrow async interface that SQLite
 * (store/case-sqlite.ts) and PostgreSQL (store/case-postgres.ts) both serve. A change is decided on the current
 * row by a `decide` callback that runs inside the store's transaction, together with the numbering (register line, receipt, refusal notice) and
 * the hash-chained audit entry: a case changes with its audit row and its numbers, or not at all.
 */
import type { CaseOrigin, CaseState, MatterKind, ReceptionCase } from '@tiepdan/core';
import type { AuditEntry } from '../rooms/audit.js';
import type { NoticeBody } from './schedule-store.js';

/** A case as stored: the view without the sealed parts, plus the sealed blob of a denouncer's identity. */
export interface CaseRow {
  case: ReceptionCase;
  sealed?: Buffer | undefined;
  /** Counts every write; the next write must have seen this one. */
  revision: number;
}

/** Numbered series, each counted per unit and calendar year (Asia/Ho_Chi_Minh). */
export type NumberSeries = 'register' | 'receipt' | 'refusal';

/** Hands out the next number of a series inside the current transaction. */
export type NextNumber = (series: NumberSeries, unit: string, year: number) => number;

/**
 * A notice to the citizen that the decision queues in the schedule's outbox (store/schedule-store.ts), in the
 * same transaction: unique by session, registration, change and number, so a retried write queues it once.
 */
export interface CaseNotice {
  sessionId: string;
  reference: string;
  change: 'receipt' | 'outcome';
  /** The case's register line number: one receipt and one outcome per case. */
  sequence: number;
  body: NoticeBody;
  at: string;
}

/** What a decision writes: the new rows (the first one replaces the current case; any others are new cases), one audit entry, and maybe a notice. */
export interface CaseWrite {
  rows: CaseRow[];
  audit: AuditEntry;
  notice?: CaseNotice | undefined;
}

export interface CaseFilters {
  /** Undefined means every unit (a token with unit "*"). */
  unit?: string | undefined;
  /** Inclusive UTC ISO bounds on the opening time. */
  from?: string | undefined;
  to?: string | undefined;
  kind?: MatterKind | undefined;
  state?: CaseState | undefined;
  origin?: CaseOrigin | undefined;
  pointId?: string | undefined;
  /** The cases of one registration (the citizen's lookup and room view). */
  registrationReference?: string | undefined;
  sessionId?: string | undefined;
}

/**
 * `decide` is synchronous and may run more than once per call: a store that must read and lock a number's counter
 * before handing it out (PostgreSQL, store/case-postgres.ts) stops a run that asks for a counter it has not locked
 * yet, locks it and runs `decide` again; only the last run's write is stored. So `decide` must not do anything
 * outside what it returns that a second run would not redo (assigning the caller's variables is fine: the last run
 * assigns them last). A number handed out to a run that is not stored is not used up.
 */
export interface CaseStore {
  /** Creates cases from `decide(next)` (it numbers them) with the audit entry, in one transaction. */
  create(decide: (next: NextNumber) => CaseWrite): Promise<CaseRow[]>;
  get(id: string): Promise<CaseRow | undefined>;
  /** The open case of a registration in a session, for an idempotent open. */
  findOpen(registrationReference: string, sessionId: string | undefined): Promise<CaseRow | undefined>;
  /**
   * Applies `decide(current, next)` in one transaction. `decide` may throw to refuse (nothing is written).
   * Undefined when there is no such case.
   */
  update(id: string, decide: (current: CaseRow, next: NextNumber) => CaseWrite): Promise<CaseRow[] | undefined>;
  /** In register order: by unit (byte order), year, then line number. */
  list(filters: CaseFilters, limit: number): Promise<CaseRow[]>;
}
