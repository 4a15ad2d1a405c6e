/**
 * The SQLite store (better-sqlite3): one file, `dataDir/tiepdan.sqlite`, enough for a ward or a province.
 *
 * - WAL, so the officials' reads never wait for a citizen's write.
 * - `synchronous=FULL`: a citizen who was shown a reference code must find it after a power cut, and ward
 *   offices lose power. FULL syncs the WAL at every commit; NORMAL could lose the last commits on power loss.
 *   Registrations are the exception in form, not in promise: their batches commit with NORMAL and are answered
 *   only after an fsync of the WAL that started after the commit (wal-sync.ts), so the disk flush runs in the
 *   thread pool instead of blocking the event loop (issue 15), and nobody is answered before their row is on disk.
 * - Foreign keys on; one transaction per write, so a registration exists with its attachments and first
 *   history row or not at all.
 */
import { FsKeyVault, KEYS_DIR, type KeyVault } from '../recording/signing/keys.js';
import { FsAttachmentBlobs } from '../registrations/files.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { newReference, type Registration } from '@tiepdan/core';
import { SqliteAccountStore } from '../auth/account-sqlite.js';
import type { RoomStoreOptions } from '../rooms/room-store.js';
import { migrate } from './migrations.js';
import { SqliteFences } from './fences-sqlite.js';
import { SqliteRecordingRepo } from './recording-sqlite.js';
import { SqliteRoomStore } from './room-sqlite.js';
import { DEFAULT_PROVISIONAL, SqliteScheduleStore } from './schedule-sqlite.js';
import { SqliteCaseStore } from './case-sqlite.js';
import { WalSync, type SyncFile } from './wal-sync.js';
import { registrationOf, summaryPage, type HistoryRecordRow, type RegistrationRecordRow, type SummaryRecordRow } from './registration-rows.js';
import type { ListFilters, NewRegistration, RegistrationRow, Store, SummaryRow, TransitionChange } from './store.js';

export const DATABASE_FILE = 'tiepdan.sqlite';
/** A 40-bit code collides rarely; a few tries make a failure practically impossible without looping forever. */
const REFERENCE_ATTEMPTS = 8;

export interface SqliteStoreOptions {
  /** Reference generator; tests inject collisions. */
  makeReference?: () => string;
  /** Share of a session's places that registrations not yet screened may hold (config schedule.provisionalShare). */
  provisionalShare?: number;
  /** Provisional places one phone may hold at a time (0: no limit); config schedule.provisionalPerPhone. */
  provisionalPerPhone?: number;
  /** The fsync that makes a registration batch durable (node's fs.fsync); tests wrap it to hold or fail it. */
  syncFile?: SyncFile;
}

interface AttachmentRecordRow {
  id: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
  purpose: string;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  /** The connection; only the SQLite store's own modules (store/*-sqlite.ts, auth/account-sqlite.ts) and tests use it. */
  readonly db: Database.Database;
  private readonly makeReference: () => string;
  private readonly statements;
  private readonly walSync: WalSync | undefined;

  /** Opens (creating if needed) the database in `dataDir` and applies pending migrations. */
  constructor(readonly dataDir: string, options: SqliteStoreOptions = {}) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, DATABASE_FILE));
    const wal = this.db.pragma('journal_mode = WAL', { simple: true }) === 'wal';
    this.db.pragma('synchronous = FULL');
    // Without a WAL (a file system that refuses one) every commit keeps syncing inside COMMIT.
    this.walSync = wal ? new WalSync(`${this.db.name}-wal`, options.syncFile) : undefined;
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.appliedMigrations = migrate(this.db);
    this.schedule = new SqliteScheduleStore(this.db, { share: options.provisionalShare ?? DEFAULT_PROVISIONAL.share, perPhone: options.provisionalPerPhone ?? DEFAULT_PROVISIONAL.perPhone });
    this.cases = new SqliteCaseStore(this.db);
    this.accounts = new SqliteAccountStore(this.db);
    this.fences = new SqliteFences(this.db);
    this.recordings = new SqliteRecordingRepo(this.db);
    this.accessLog = this.recordings;
    this.attachments = new FsAttachmentBlobs(join(dataDir, 'attachments'));
    this.makeReference = options.makeReference ?? pooledReferences();
    this.insertOneInSavepoint = this.db.transaction(this.insertOne);
    const db = this.db;
    this.statements = {
      byClientId: db.prepare<[string], RegistrationRecordRow>('SELECT * FROM registrations WHERE client_id = ?'),
      byReference: db.prepare<[string], RegistrationRecordRow>('SELECT * FROM registrations WHERE reference = ?'),
      // A client id already stored inserts nothing (no change) instead of a lookup first; a reference collision
      // still throws, and is retried with a fresh code. Positional parameters: binding 14 named ones looked each
      // name up on every registration (issue 15).
      insert: db.prepare(
        `INSERT INTO registrations (reference, client_id, content_hash, unit, kind, state, phone_hash, display_name, summary,
           group_size, data, sealed, received_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'received', ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (client_id) DO NOTHING`,
      ),
      insertAttachment: db.prepare(
        'INSERT INTO attachments (registration_id, position, id, name, type, size, sha256, purpose) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertHistory: db.prepare(
        'INSERT INTO history (registration_id, state, at, by, reason, outcome, public_note) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      attachments: db.prepare<[number], AttachmentRecordRow>(
        'SELECT id, name, type, size, sha256, purpose FROM attachments WHERE registration_id = ? ORDER BY position',
      ),
      history: db.prepare<[number], HistoryRecordRow>(
        'SELECT state, at, by, reason, outcome, public_note FROM history WHERE registration_id = ? ORDER BY id',
      ),
      compareAndSet: db.prepare('UPDATE registrations SET state = ?, updated_at = ? WHERE reference = ? AND state = ?'),
    };
  }

  /** Migrations applied when this store opened (for the CLI's `migrate`). */
  readonly appliedMigrations: number[];
  readonly schedule: SqliteScheduleStore;
  readonly cases: SqliteCaseStore;
  readonly accounts: SqliteAccountStore;
  readonly recordings: SqliteRecordingRepo;
  readonly accessLog: SqliteRecordingRepo;
  readonly fences: SqliteFences;
  /** `dataDir/attachments`: one node on one data folder. */
  readonly attachments: FsAttachmentBlobs;

  /** `dataDir/keys`, files of mode 0600; the seal key is not needed there (the folder is the server's alone). */
  keyVault(_sealKey: Buffer): KeyVault {
    return new FsKeyVault(join(this.dataDir, KEYS_DIR));
  }

  openRooms(options: RoomStoreOptions): SqliteRoomStore {
    return new SqliteRoomStore(this.db, options.eventLogSize, options.onError);
  }

  /**
   * Group commit: registrations that arrive in the same turn of the event loop are written in one transaction.
   * With synchronous=FULL every commit waits for the disk, so sharing one commit among concurrent submissions
   * multiplies throughput without weakening the promise: nobody is answered before the commit that holds their
   * registration is durable. Each registration is all or nothing: the batch is first written straight (a
   * SAVEPOINT and its RELEASE per registration were 12 % of the intake's commit time), and only when one of them
   * fails is that transaction rolled back and the batch written again with a savepoint each, so the failing one
   * rolls back alone and the others still commit. The batch's commit does not wait for the disk inside COMMIT:
   * its answers wait for the WAL's fsync that follows (wal-sync.ts), while the event loop goes on. No batch is
   * committed while that fsync runs: what arrives meanwhile is committed together when it ends, so batches stay
   * as large as when the fsync blocked the loop (smaller ones cost more CPU per registration: every commit
   * writes its dirty pages again), and the next fsync overlaps the validation of the requests after them.
   */
  insertRegistration(input: NewRegistration): Promise<{ row: RegistrationRow; created: boolean }> {
    return new Promise((resolve, reject) => {
      this.pendingInserts.push({ input, resolve, reject });
      this.scheduleFlush();
    });
  }

  private flushScheduled = false;
  /** A batch is committed and its fsync is running: the next batch waits for it. */
  private syncing = false;

  private scheduleFlush(): void {
    if (this.flushScheduled || this.syncing || !this.pendingInserts.length) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushInserts();
    });
  }

  private readonly pendingInserts: {
    input: NewRegistration;
    resolve: (value: { row: RegistrationRow; created: boolean }) => void;
    reject: (error: unknown) => void;
  }[] = [];

  private flushInserts(): void {
    const batch = this.pendingInserts.splice(0);
    let outcomes: Outcome[];
    // Only this batch's COMMIT skips the fsync (NORMAL); FULL again right after, so every other write on this
    // connection (rooms, schedule, transitions) still syncs inside its COMMIT. better-sqlite3 is synchronous:
    // nothing else can run on the connection in between. Not prepared statements: SQLite applies this pragma
    // when the statement is prepared, so running a prepared one again would change nothing.
    if (this.walSync) this.db.exec('PRAGMA synchronous = NORMAL');
    try {
      outcomes = this.writeBatch(batch.map((p) => p.input), false) ?? this.writeBatch(batch.map((p) => p.input), true)!;
    } catch (error) {
      for (const { reject } of batch) reject(error);
      return;
    } finally {
      if (this.walSync && this.db.open) this.db.exec('PRAGMA synchronous = FULL');
    }
    // Settled now, answered after the fsync: an existing row read back here (a replay) was in the WAL before
    // the fsync began, so it is on disk when answered too, whichever connection wrote it.
    const settled = batch.map(({ input }, i): Settled => {
      const outcome = outcomes[i]!;
      if ('error' in outcome) return { error: outcome.error };
      // What we just committed is the row, exactly as toRow would read it back; an existing one is read.
      if (outcome.inserted) return { value: { row: insertedRow(input, outcome.inserted), created: true } };
      const row = this.statements.byClientId.get(input.clientId);
      if (!row) return { error: new Error('registration vanished after insert') };
      return { value: { row: this.toRow(row), created: false } };
    });
    const answer = () =>
      batch.forEach(({ resolve, reject }, i) => {
        const s = settled[i]!;
        if ('error' in s) reject(s.error);
        else resolve(s.value);
      });
    if (!this.walSync) return answer();
    this.syncing = true;
    this.walSync
      .durable()
      .then(answer, (error: unknown) => {
        for (const { reject } of batch) reject(error);
      })
      .finally(() => {
        this.syncing = false;
        this.scheduleFlush();
      });
  }

  /**
   * One transaction for the batch. Without savepoints, the first registration that throws rolls the whole
   * transaction back and this returns undefined (write it again with them); with, each failure is its outcome.
   */
  private writeBatch(inputs: NewRegistration[], savepoints: boolean): Outcome[] | undefined {
    const write = savepoints ? this.insertOneInSavepoint : this.insertOne;
    const outcomes: Outcome[] = [];
    const failed = new Error('a registration of the batch failed');
    try {
      // IMMEDIATE takes the write lock before reading, so the client-id check and the insert cannot interleave
      // with another process doing the same.
      this.db
        .transaction(() => {
          for (const input of inputs) {
            try {
              outcomes.push({ inserted: write(input) });
            } catch (error) {
              if (!savepoints) throw failed;
              outcomes.push({ error });
            }
          }
        })
        .immediate();
    } catch (error) {
      if (error === failed) return undefined;
      throw error;
    }
    return outcomes;
  }

  /** A registration's rows: the registration (with a fresh reference), its attachments, its first history row, its booking. */
  private readonly insertOne = (input: NewRegistration): Inserted | undefined => {
    const inserted = this.insertWithFreshReference(input);
    if (!inserted) return undefined;
    input.attachments.forEach((a, position) => {
      this.statements.insertAttachment.run(inserted.id, position, a.id, a.name, a.type, a.size, a.sha256, a.purpose);
    });
    this.statements.insertHistory.run(inserted.id, 'received', input.receivedAt, null, null, null, null);
    if (input.preferredSessionId) inserted.booking = this.schedule.bookWithinInsert(inserted.id, input.unit, input.preferredSessionId, input.receivedAt, input.phoneHash);
    return inserted;
  };

  /** insertOne in a SAVEPOINT: called inside the outer transaction, a better-sqlite3 transaction function becomes one. */
  private readonly insertOneInSavepoint: (input: NewRegistration) => Inserted | undefined;

  /** The new row's id and reference, or undefined when the client id was already stored. */
  private insertWithFreshReference(input: NewRegistration): Inserted | undefined {
    const data = JSON.stringify(input.registration);
    for (let attempt = 1; ; attempt += 1) {
      const reference = this.makeReference();
      try {
        const result = this.statements.insert.run(
          reference,
          input.clientId,
          input.contentHash,
          input.unit,
          input.kind,
          input.phoneHash,
          input.displayName,
          input.summary,
          input.groupSize,
          data,
          input.sealed ?? null,
          input.receivedAt,
          input.receivedAt,
        );
        return result.changes ? { id: Number(result.lastInsertRowid), reference, data } : undefined;
      } catch (error) {
        const collision = (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && /registrations\.reference/u.test((error as Error).message);
        if (!collision || attempt >= REFERENCE_ATTEMPTS) throw error;
      }
    }
  }

  async findByClientId(clientId: string): Promise<RegistrationRow | undefined> {
    const row = this.statements.byClientId.get(clientId);
    return row && this.toRow(row);
  }

  async findByReference(reference: string): Promise<RegistrationRow | undefined> {
    const row = this.statements.byReference.get(reference);
    return row && this.toRow(row);
  }

  async listRegistrations(filters: ListFilters, before: string | undefined, limit: number): Promise<{ rows: SummaryRow[]; nextBefore?: string }> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filters.unit !== undefined) (where.push('unit = ?'), params.push(filters.unit));
    if (filters.kind !== undefined) (where.push('kind = ?'), params.push(filters.kind));
    if (filters.state !== undefined) (where.push('state = ?'), params.push(filters.state));
    if (before !== undefined) (where.push('r.id < ?'), params.push(Number(before)));
    const sql = `SELECT r.id, reference, client_id, unit, kind, state, display_name, summary, group_size, sealed, received_at, updated_at,
        (SELECT COUNT(*) FROM attachments a WHERE a.registration_id = r.id) AS attachment_count
      FROM registrations r ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY r.id DESC LIMIT ?`;
    const found = this.db.prepare<(string | number)[], SummaryRecordRow>(sql).all(...params, limit + 1);
    return summaryPage(found, limit);
  }

  async transition(change: TransitionChange): Promise<boolean> {
    const run = this.db.transaction((): boolean => {
      const result = this.statements.compareAndSet.run(change.entry.state, change.entry.at, change.reference, change.from);
      if (result.changes !== 1) return false;
      const row = this.statements.byReference.get(change.reference)!;
      const e = change.entry;
      this.statements.insertHistory.run(row.id, e.state, e.at, e.by ?? null, e.reason ?? null, e.outcome ?? null, e.publicNote ?? null);
      // A place held before screening becomes a real one once screened, and is given back when answered otherwise.
      if (e.state === 'screened' || e.state === 'invited') this.db.prepare("UPDATE bookings SET provisional = 0 WHERE registration_id = ? AND status = 'booked'").run(row.id);
      if (e.state === 'answered') this.db.prepare("UPDATE bookings SET status = 'cancelled', cancelled_at = ?, join_token_hash = NULL, join_token_sealed = NULL WHERE registration_id = ? AND status = 'booked'").run(e.at, row.id);
      return true;
    });
    return run.immediate();
  }

  async close(): Promise<void> {
    // The fsync in flight finishes (and its batch is answered) before the WAL can go away with the connection.
    await this.walSync?.close();
    if (this.db.open) this.db.close();
  }

  private toRow(r: RegistrationRecordRow): RegistrationRow {
    return registrationOf(r, this.statements.attachments.all(r.id), this.statements.history.all(r.id));
  }
}

type Outcome = { inserted: Inserted | undefined } | { error: unknown };
type Settled = { value: { row: RegistrationRow; created: boolean } } | { error: unknown };

interface Inserted {
  id: number;
  reference: string;
  /** The registration as stored (JSON). */
  data: string;
  booking?: RegistrationRow['booking'];
}

/**
 * The row of a registration just inserted, as toRow would read it back. Its `registration` is parsed from the
 * stored JSON when first read (so it round-trips as a read would): the submission's answer never reads it, and
 * parsing it for every 201 was 3 % of the intake's CPU.
 */
function insertedRow(input: NewRegistration, inserted: Inserted): RegistrationRow {
  let registration: Registration | undefined;
  return {
    reference: inserted.reference,
    clientId: input.clientId,
    contentHash: input.contentHash,
    unit: input.unit,
    kind: input.kind,
    state: 'received',
    phoneHash: input.phoneHash,
    displayName: input.displayName,
    summary: input.summary,
    groupSize: input.groupSize,
    get registration() {
      return (registration ??= JSON.parse(inserted.data) as Registration);
    },
    sealed: input.sealed ?? undefined,
    receivedAt: input.receivedAt,
    updatedAt: input.receivedAt,
    attachments: input.attachments.map(({ id, name, type, size, sha256, purpose }) => ({ id, name, type, size, sha256, purpose })),
    history: [{ state: 'received', at: input.receivedAt }],
    ...(inserted.booking ? { booking: inserted.booking } : {}),
  };
}

/** Reference codes from random bytes drawn 4 KiB at a time instead of one small draw per registration. */
function pooledReferences(): () => string {
  const pool = new Uint8Array(4096);
  let offset = pool.length;
  return () =>
    newReference((bytes) => {
      if (offset + bytes.length > pool.length) (crypto.getRandomValues(pool), (offset = 0));
      bytes.set(pool.subarray(offset, (offset += bytes.length)));
      return bytes;
    });
}
