/**
 * The PostgreSQL store (node-postgres), for a province running several server nodes on one database:
 * `store: { kind: 'postgres', url }`. It provides registrations (idempotent intake: the client id is UNIQUE and
 * the insert is `ON CONFLICT DO NOTHING`, so concurrent replays from any node create one row) and the schedule
 * (store/schedule-postgres.ts: capacity counted under the session's row lock), and officials' sign-in
 * (auth/account-postgres.ts). Denouncers' data arrives sealed
 * (privacy/seal.ts) and is stored as bytea, as in SQLite. Recording and its access log are in
 * store/recording-postgres.ts (the recording's row locked for each step that decides). Rooms and their audit
 * chain are in store/room-postgres.ts (one transaction per batch of the rooms' group commit, the chain appended
 * under an advisory lock, store/audit-postgres.ts). The desk's cases and the register's numbering are in
 * store/case-postgres.ts (counters locked in the case's transaction, the audit entry appended in it). The audit
 * and access-log tables are append-only (triggers, migrations-postgres.ts). It provides every capability.
 */
import pg from 'pg';
import { newReference, type StoredAttachment } from '@tiepdan/core';
import { PostgresAccountStore } from '../auth/account-postgres.js';
import type { KeyVault } from '../recording/signing/keys.js';
import { PostgresAttachmentBlobs } from './attachments-postgres.js';
import { PostgresCaseStore } from './case-postgres.js';
import { PostgresFences } from './fences-postgres.js';
import { PostgresKeyVault } from './key-vault-postgres.js';
import { migratePg } from './migrations-postgres.js';
import { PostgresRecordingRepo } from './recording-postgres.js';
import { PostgresRoomStore } from './room-postgres.js';
import { PostgresScheduleStore } from './schedule-postgres.js';
import { DEFAULT_PROVISIONAL } from './schedule-sqlite.js';
import { registrationOf, summaryPage, type HistoryRecordRow, type RegistrationRecordRow, type SummaryRecordRow } from './registration-rows.js';
import type { RoomStoreOptions } from '../rooms/room-store.js';
import type { EngineStore, ListFilters, NewRegistration, RegistrationRow, SummaryRow, TransitionChange } from './store.js';
import { all, inTransaction, one, type Tx } from './tx-postgres.js';

const REFERENCE_ATTEMPTS = 8;
const INT8_OID = 20;
/** bigint columns hold ms since the epoch, well inside Number's exact range: read them as numbers, not strings. */
const TYPES = { getTypeParser: (oid: number, format?: string) => (oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) };

export interface PostgresStoreOptions {
  makeReference?: () => string;
  provisionalShare?: number;
  provisionalPerPhone?: number;
  /** Connections this node keeps open (default 10). */
  poolSize?: number;
}

export class PostgresStore implements EngineStore {
  readonly kind = 'postgres';
  readonly schedule: PostgresScheduleStore;
  readonly cases: PostgresCaseStore;
  readonly accounts: PostgresAccountStore;
  readonly recordings: PostgresRecordingRepo;
  readonly accessLog: PostgresRecordingRepo;
  readonly fences: PostgresFences;
  readonly attachments: PostgresAttachmentBlobs;
  private readonly makeReference: () => string;

  private constructor(
    readonly pool: pg.Pool,
    readonly appliedMigrations: number[],
    options: PostgresStoreOptions,
  ) {
    this.schedule = new PostgresScheduleStore(pool, { share: options.provisionalShare ?? DEFAULT_PROVISIONAL.share, perPhone: options.provisionalPerPhone ?? DEFAULT_PROVISIONAL.perPhone });
    this.cases = new PostgresCaseStore(pool);
    this.accounts = new PostgresAccountStore(pool);
    this.fences = new PostgresFences(pool);
    this.recordings = new PostgresRecordingRepo(pool);
    this.accessLog = this.recordings;
    this.attachments = new PostgresAttachmentBlobs(pool);
    this.makeReference = options.makeReference ?? (() => newReference());
  }

  /** Connects and applies pending migrations; fails (and closes the pool) when the database cannot be reached. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types: TYPES as pg.CustomTypesConfig });
    // An idle client's connection error (the server restarting) must not crash the process: the pool drops it.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        return new PostgresStore(pool, await migratePg(client), options);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  /** The rooms' store on this pool; a node opens one (its rooms), and several nodes share the tables and the chain. */
  openRooms(options: RoomStoreOptions): PostgresRoomStore {
    return new PostgresRoomStore(this.pool, options.eventLogSize, options.onError);
  }

  async insertRegistration(input: NewRegistration): Promise<{ row: RegistrationRow; created: boolean }> {
    const created = await inTransaction(this.pool, async (tx) => {
      const id = await this.insertWithFreshReference(tx, input);
      if (id === undefined) return false;
      for (const [position, a] of input.attachments.entries()) {
        await tx.query('INSERT INTO attachments (registration_id, position, id, name, type, size, sha256, purpose) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
          id,
          position,
          a.id,
          a.name,
          a.type,
          a.size,
          a.sha256,
          a.purpose,
        ]);
      }
      await tx.query("INSERT INTO history (registration_id, state, at) VALUES ($1, 'received', $2)", [id, input.receivedAt]);
      if (input.preferredSessionId) await this.schedule.bookWithinInsert(tx, id, input.unit, input.preferredSessionId, input.receivedAt, input.phoneHash);
      return true;
    });
    const row = await this.findByClientId(input.clientId);
    if (!row) throw new Error('registration vanished after insert');
    return { row, created };
  }

  /**
   * The registration's id, or undefined when its client id is already stored. A concurrent insert of the same
   * client id waits on the unique index for the first to commit, then does nothing: one row, whichever node.
   */
  private async insertWithFreshReference(tx: Tx, input: NewRegistration): Promise<number | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      const inserted = await one<{ id: number }>(
        tx,
        `INSERT INTO registrations (reference, client_id, content_hash, unit, kind, state, phone_hash, display_name, summary,
           group_size, data, sealed, received_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'received', $6, $7, $8, $9, $10, $11, $12, $12)
         ON CONFLICT DO NOTHING RETURNING id`,
        [this.makeReference(), input.clientId, input.contentHash, input.unit, input.kind, input.phoneHash, input.displayName, input.summary, input.groupSize, JSON.stringify(input.registration), input.sealed ?? null, input.receivedAt],
      );
      if (inserted) return inserted.id;
      if (await one(tx, 'SELECT 1 FROM registrations WHERE client_id = $1', [input.clientId])) return undefined;
      // Not the client id, so the reference collided: draw another.
      if (attempt >= REFERENCE_ATTEMPTS) throw new Error('could not draw a free reference');
    }
  }

  keyVault(sealKey: Buffer): KeyVault {
    return new PostgresKeyVault(this.pool, sealKey);
  }

  async findByClientId(clientId: string): Promise<RegistrationRow | undefined> {
    const row = await one<RegistrationRecordRow>(this.pool, 'SELECT * FROM registrations WHERE client_id = $1', [clientId]);
    return row && this.toRow(row);
  }

  async findByReference(reference: string): Promise<RegistrationRow | undefined> {
    const row = await one<RegistrationRecordRow>(this.pool, 'SELECT * FROM registrations WHERE reference = $1', [reference]);
    return row && this.toRow(row);
  }

  async listRegistrations(filters: ListFilters, before: string | undefined, limit: number): Promise<{ rows: SummaryRow[]; nextBefore?: string }> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (sql: string, value: string | number) => where.push(sql.replace('?', `$${params.push(value)}`));
    if (filters.unit !== undefined) add('unit = ?', filters.unit);
    if (filters.kind !== undefined) add('kind = ?', filters.kind);
    if (filters.state !== undefined) add('state = ?', filters.state);
    if (before !== undefined) add('r.id < ?', Number(before));
    const found = await all<SummaryRecordRow>(
      this.pool,
      `SELECT r.id, reference, client_id, unit, kind, state, display_name, summary, group_size, sealed, received_at, updated_at,
         (SELECT COUNT(*)::int FROM attachments a WHERE a.registration_id = r.id) AS attachment_count
       FROM registrations r ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id DESC LIMIT $${params.length + 1}`,
      [...params, limit + 1],
    );
    return summaryPage(found, limit);
  }

  async transition(change: TransitionChange): Promise<boolean> {
    return inTransaction(this.pool, async (tx) => {
      const e = change.entry;
      const row = await one<{ id: number }>(tx, 'UPDATE registrations SET state = $1, updated_at = $2 WHERE reference = $3 AND state = $4 RETURNING id', [e.state, e.at, change.reference, change.from]);
      if (!row) return false;
      await tx.query('INSERT INTO history (registration_id, state, at, by, reason, outcome, public_note) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        row.id,
        e.state,
        e.at,
        e.by ?? null,
        e.reason ?? null,
        e.outcome ?? null,
        e.publicNote ?? null,
      ]);
      if (e.state === 'screened' || e.state === 'invited') await tx.query("UPDATE bookings SET provisional = false WHERE registration_id = $1 AND status = 'booked'", [row.id]);
      if (e.state === 'answered') {
        await tx.query("UPDATE bookings SET status = 'cancelled', cancelled_at = $1, join_token_hash = NULL, join_token_sealed = NULL WHERE registration_id = $2 AND status = 'booked'", [e.at, row.id]);
      }
      return true;
    });
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  private async toRow(r: RegistrationRecordRow): Promise<RegistrationRow> {
    const [attachments, history] = await Promise.all([
      all<StoredAttachment>(this.pool, 'SELECT id, name, type, size, sha256, purpose FROM attachments WHERE registration_id = $1 ORDER BY position', [r.id]),
      all<HistoryRecordRow>(
        this.pool,
        'SELECT state, at, by, reason, outcome, public_note FROM history WHERE registration_id = $1 ORDER BY id',
        [r.id],
      ),
    ]);
    return registrationOf(r, attachments, history);
  }
}
