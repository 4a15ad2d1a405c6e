/**
 * The citizen's device storage: one IndexedDB database per widget namespace, holding drafts, their files
 * (Blobs, so photos survive a reload without base64 bloat) and the outbox of submissions waiting for the network.
 *
 * Many widgets may live on one ward's origin (the registration form, another unit's form, a lookup), so the
 * database name carries a namespace. When IndexedDB cannot be opened (private mode, storage disabled, quota) the
 * same interface is served from memory and `persistent` is false: the form still works, and says the draft will
 * not be kept.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export interface DraftRecord<T = unknown> {
  id: string;
  data: T;
  /** Which step the citizen was on, so resuming lands in the same place. */
  step: string;
  /** The idempotency key reserved for this draft's submission (UUID v7). */
  clientId: string;
  createdAt: number;
  updatedAt: number;
}

export interface FileRecord {
  draftId: string;
  id: string;
  blob: Blob;
  name: string;
  type: string;
  size: number;
}

export type OutboxState = 'pending' | 'sent' | 'rejected';

export interface OutboxRecord<T = unknown, R = unknown> {
  clientId: string;
  draftId: string;
  payload: T;
  files: { id: string; blob: Blob; name: string }[];
  state: OutboxState;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  /** The server's answer once sent (kept so a reload still shows the reference code). */
  response?: R;
  /** The last error body, for rejected entries and for showing why a retry is waiting. */
  lastError?: unknown;
}

interface TiepdanDB extends DBSchema {
  drafts: { key: string; value: DraftRecord };
  files: { key: [string, string]; value: FileRecord; indexes: { byDraft: string } };
  outbox: { key: string; value: OutboxRecord; indexes: { byState: string } };
  /** Small cached values, e.g. the server's meta (communes, privacy notice) for filling the form offline. */
  kv: { key: string; value: unknown };
}

/** The operations drafts and the outbox need; implemented on IndexedDB and in memory. */
export interface LocalDatabase {
  readonly persistent: boolean;
  readonly name: string;
  getDraft<T>(id: string): Promise<DraftRecord<T> | undefined>;
  putDraft<T>(record: DraftRecord<T>): Promise<void>;
  deleteDraft(id: string): Promise<void>;
  getFiles(draftId: string): Promise<FileRecord[]>;
  putFile(record: FileRecord): Promise<void>;
  deleteFile(draftId: string, id: string): Promise<void>;
  getOutbox<T, R>(clientId: string): Promise<OutboxRecord<T, R> | undefined>;
  putOutbox<T, R>(record: OutboxRecord<T, R>): Promise<void>;
  listOutbox<T, R>(state?: OutboxState): Promise<OutboxRecord<T, R>[]>;
  /** Moves a draft into the outbox in one transaction: a crash in between can neither lose nor double it. */
  commitToOutbox<T, R>(record: OutboxRecord<T, R>): Promise<void>;
  getValue<V>(key: string): Promise<V | undefined>;
  putValue<V>(key: string, value: V): Promise<void>;
  close(): void;
}

export const DB_PREFIX = 'tiepdan';

/** The database name for a namespace: `tiepdan:<namespace>`. */
export function databaseName(namespace: string): string {
  return `${DB_PREFIX}:${namespace}`;
}

export interface OpenResult {
  db: LocalDatabase;
  /** Why storage is not persistent, when it is not. */
  reason?: 'unavailable' | 'quota';
}

/**
 * Opens the namespace's database, falling back to memory. Also asks the browser to keep the data under storage
 * pressure (`navigator.storage.persist()`); a refusal is fine, the data is still stored best-effort.
 */
export async function openLocalDatabase(namespace: string): Promise<OpenResult> {
  const name = databaseName(namespace);
  try {
    if (typeof indexedDB === 'undefined') throw new Error('no IndexedDB');
    const idb = await openDB<TiepdanDB>(name, 1, {
      upgrade(db) {
        db.createObjectStore('drafts', { keyPath: 'id' });
        db.createObjectStore('files', { keyPath: ['draftId', 'id'] }).createIndex('byDraft', 'draftId');
        db.createObjectStore('outbox', { keyPath: 'clientId' }).createIndex('byState', 'state');
        db.createObjectStore('kv');
      },
      blocked() {},
    });
    void navigator.storage?.persist?.().catch(() => false);
    return { db: new IdbDatabase(name, idb) };
  } catch {
    return { db: new MemoryDatabase(name), reason: 'unavailable' };
  }
}

class IdbDatabase implements LocalDatabase {
  readonly persistent = true;
  constructor(
    readonly name: string,
    private readonly idb: IDBPDatabase<TiepdanDB>,
  ) {}

  async getDraft<T>(id: string) {
    return (await this.idb.get('drafts', id)) as DraftRecord<T> | undefined;
  }
  async putDraft<T>(record: DraftRecord<T>) {
    await this.idb.put('drafts', record as DraftRecord);
  }
  async deleteDraft(id: string) {
    const tx = this.idb.transaction(['drafts', 'files'], 'readwrite');
    await Promise.all([tx.objectStore('drafts').delete(id), deleteFilesOf(tx.objectStore('files'), id), tx.done]);
  }
  getFiles(draftId: string) {
    return this.idb.getAllFromIndex('files', 'byDraft', draftId);
  }
  async putFile(record: FileRecord) {
    await this.idb.put('files', record);
  }
  async deleteFile(draftId: string, id: string) {
    await this.idb.delete('files', [draftId, id]);
  }
  async getOutbox<T, R>(clientId: string) {
    return (await this.idb.get('outbox', clientId)) as OutboxRecord<T, R> | undefined;
  }
  async putOutbox<T, R>(record: OutboxRecord<T, R>) {
    await this.idb.put('outbox', record as OutboxRecord);
  }
  async listOutbox<T, R>(state?: OutboxState) {
    const all = state ? await this.idb.getAllFromIndex('outbox', 'byState', state) : await this.idb.getAll('outbox');
    return all as OutboxRecord<T, R>[];
  }
  async commitToOutbox<T, R>(record: OutboxRecord<T, R>) {
    const tx = this.idb.transaction(['drafts', 'files', 'outbox'], 'readwrite');
    await Promise.all([
      tx.objectStore('outbox').put(record as OutboxRecord),
      tx.objectStore('drafts').delete(record.draftId),
      deleteFilesOf(tx.objectStore('files'), record.draftId),
      tx.done,
    ]);
  }
  async getValue<V>(key: string) {
    return (await this.idb.get('kv', key)) as V | undefined;
  }
  async putValue<V>(key: string, value: V) {
    await this.idb.put('kv', value, key);
  }
  close() {
    this.idb.close();
  }
}

async function deleteFilesOf(files: { index(name: 'byDraft'): { getAllKeys(key: string): Promise<unknown[]> }; delete(key: [string, string]): Promise<void> }, draftId: string) {
  const keys = (await files.index('byDraft').getAllKeys(draftId)) as [string, string][];
  await Promise.all(keys.map((key) => files.delete(key)));
}

/** Same contract, kept in memory for this page's life only. */
export class MemoryDatabase implements LocalDatabase {
  readonly persistent = false;
  readonly #drafts = new Map<string, DraftRecord>();
  readonly #files = new Map<string, FileRecord>();
  readonly #outbox = new Map<string, OutboxRecord>();
  readonly #kv = new Map<string, unknown>();
  constructor(readonly name: string) {}

  async getDraft<T>(id: string) {
    return this.#drafts.get(id) as DraftRecord<T> | undefined;
  }
  async putDraft<T>(record: DraftRecord<T>) {
    this.#drafts.set(record.id, structuredClone(record) as DraftRecord);
  }
  async deleteDraft(id: string) {
    this.#drafts.delete(id);
    for (const [key, file] of this.#files) if (file.draftId === id) this.#files.delete(key);
  }
  async getFiles(draftId: string) {
    return [...this.#files.values()].filter((file) => file.draftId === draftId);
  }
  async putFile(record: FileRecord) {
    this.#files.set(`${record.draftId}\u0000${record.id}`, record);
  }
  async deleteFile(draftId: string, id: string) {
    this.#files.delete(`${draftId}\u0000${id}`);
  }
  async getOutbox<T, R>(clientId: string) {
    return this.#outbox.get(clientId) as OutboxRecord<T, R> | undefined;
  }
  async putOutbox<T, R>(record: OutboxRecord<T, R>) {
    this.#outbox.set(record.clientId, record as OutboxRecord);
  }
  async listOutbox<T, R>(state?: OutboxState) {
    return [...this.#outbox.values()].filter((r) => !state || r.state === state) as OutboxRecord<T, R>[];
  }
  async commitToOutbox<T, R>(record: OutboxRecord<T, R>) {
    await this.putOutbox(record);
    await this.deleteDraft(record.draftId);
  }
  async getValue<V>(key: string) {
    return this.#kv.get(key) as V | undefined;
  }
  async putValue<V>(key: string, value: V) {
    this.#kv.set(key, value);
  }
  close() {}
}
