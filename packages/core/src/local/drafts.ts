/**
 * One draft per form instance, autosaved while the citizen types (debounced, so a slow phone is not writing
 * on every key) and flushed at once when the page is hidden or closed. The draft reserves its submission's
 * client id (UUID v7) at creation, so every retry of the same submission carries the same idempotency key.
 */
import { v7 as uuidv7 } from 'uuid';
import type { DraftRecord, FileRecord, LocalDatabase } from './database.js';

export type SaveStatus =
  /** Nothing typed yet. */
  | 'empty'
  /** A change waits for the debounce. */
  | 'pending'
  /** On this device. */
  | 'saved'
  /** Storage is unavailable (private mode, quota): the draft lives only as long as this page. */
  | 'not-kept';

export interface DraftsOptions {
  debounceMs?: number;
  onStatus?: (status: SaveStatus) => void;
}

export class Drafts<T> {
  #record: DraftRecord<T> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> = Promise.resolve();
  #status: SaveStatus;
  readonly #debounceMs: number;

  constructor(
    readonly db: LocalDatabase,
    readonly draftId: string,
    private readonly options: DraftsOptions = {},
  ) {
    this.#debounceMs = options.debounceMs ?? 400;
    this.#status = db.persistent ? 'empty' : 'not-kept';
  }

  get status(): SaveStatus {
    return this.#status;
  }

  get record(): DraftRecord<T> | undefined {
    return this.#record;
  }

  /** Reads the saved draft, if any, without starting a new one. */
  async load(): Promise<DraftRecord<T> | undefined> {
    this.#record = await this.db.getDraft<T>(this.draftId);
    if (this.#record && this.db.persistent) this.#setStatus('saved');
    return this.#record;
  }

  /** Starts a fresh draft (discarding any saved one) with a new client id. */
  async startOver(data: T, step: string): Promise<DraftRecord<T>> {
    this.#cancelTimer();
    await this.db.deleteDraft(this.draftId);
    this.#record = undefined;
    this.update(data, step);
    await this.flush();
    return this.#record!;
  }

  /** Records a change; it is written after the debounce, or at once by `flush()`. */
  update(data: T, step: string): void {
    const now = Date.now();
    this.#record = this.#record
      ? { ...this.#record, data, step, updatedAt: now }
      : { id: this.draftId, data, step, clientId: uuidv7(), createdAt: now, updatedAt: now };
    if (this.#status !== 'not-kept') this.#setStatus('pending');
    this.#cancelTimer();
    this.#timer = setTimeout(() => void this.flush(), this.#debounceMs);
  }

  /** Writes the pending change now (page hidden, step change, submit). */
  flush(): Promise<void> {
    this.#cancelTimer();
    const record = this.#record;
    if (!record) return this.#writing;
    this.#writing = this.#writing.then(async () => {
      try {
        // structuredClone drops Lit proxies and class instances: what is stored is plain data.
        await this.db.putDraft(structuredClone(record));
        if (this.db.persistent) this.#setStatus('saved');
      } catch {
        // QuotaExceededError or a storage reset: keep going in memory and say so.
        this.#setStatus('not-kept');
      }
    });
    return this.#writing;
  }

  async addFile(id: string, blob: Blob, name: string): Promise<FileRecord> {
    const record: FileRecord = { draftId: this.draftId, id, blob, name, type: blob.type, size: blob.size };
    try {
      await this.db.putFile(record);
    } catch {
      this.#setStatus('not-kept');
      throw new Error('storage');
    }
    return record;
  }

  removeFile(id: string): Promise<void> {
    return this.db.deleteFile(this.draftId, id);
  }

  files(): Promise<FileRecord[]> {
    return this.db.getFiles(this.draftId);
  }

  async discard(): Promise<void> {
    this.#cancelTimer();
    this.#record = undefined;
    await this.db.deleteDraft(this.draftId);
    this.#setStatus(this.db.persistent ? 'empty' : 'not-kept');
  }

  #cancelTimer() {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #setStatus(status: SaveStatus) {
    if (status === this.#status) return;
    this.#status = status;
    this.options.onStatus?.(status);
  }
}
