/**
 * Submissions waiting for the server. An entry stays on the device until the server confirms it; sending is
 * retried on the `online` event, when the page becomes visible again, when the citizen presses "send now",
 * and on a timer with capped exponential backoff. `navigator.onLine` is never trusted alone: it says true
 * behind a captive portal and false on some working networks, so a timer attempt happens either way.
 *
 * The server deduplicates by client id, so two tabs, a lost answer or a retry after a crash all store once.
 */
import type { LocalDatabase, OutboxRecord } from './database.js';

export interface OutboxChange<R> {
  clientId: string;
  state: 'waiting' | 'sending' | 'sent' | 'rejected';
  attempts: number;
  nextAttemptAt?: number;
  progress?: number;
  response?: R;
  error?: unknown;
}

export interface OutboxOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

/** Sends one entry; resolves with the server's answer, or rejects. `retryable` false on the error = give up. */
export type Sender<T, R> = (record: OutboxRecord<T, R>, onProgress: (fraction: number) => void) => Promise<R>;

export class Outbox<T, R> extends EventTarget {
  readonly #sending = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #started = false;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #random: () => number;

  constructor(
    readonly db: LocalDatabase,
    private readonly send: Sender<T, R>,
    options: OutboxOptions = {},
  ) {
    super();
    this.#baseDelayMs = options.baseDelayMs ?? 2_000;
    this.#maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
    this.#random = options.random ?? Math.random;
  }

  /** Listens for the network and the page coming back, and sends whatever is due. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    globalThis.addEventListener?.('online', this.#onWake);
    globalThis.document?.addEventListener('visibilitychange', this.#onWake);
    void this.flush();
  }

  stop(): void {
    this.#started = false;
    globalThis.removeEventListener?.('online', this.#onWake);
    globalThis.document?.removeEventListener('visibilitychange', this.#onWake);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Queues a submission (moving its draft out atomically) and tries to send it at once. */
  async enqueue(record: Omit<OutboxRecord<T, R>, 'state' | 'attempts' | 'createdAt' | 'nextAttemptAt'>): Promise<void> {
    const existing = await this.db.getOutbox<T, R>(record.clientId);
    if (!existing) {
      const now = Date.now();
      await this.db.commitToOutbox<T, R>({ ...record, state: 'pending', attempts: 0, createdAt: now, nextAttemptAt: now });
    }
    await this.flush(true);
  }

  get(clientId: string): Promise<OutboxRecord<T, R> | undefined> {
    return this.db.getOutbox<T, R>(clientId);
  }

  pending(): Promise<OutboxRecord<T, R>[]> {
    return this.db.listOutbox<T, R>('pending');
  }

  /** The citizen's "send now" button: ignore the backoff. */
  retryNow(): Promise<void> {
    return this.flush(true);
  }

  /** Sends every pending entry that is due (or all of them when forced), then schedules the next attempt. */
  async flush(force = false): Promise<void> {
    const now = Date.now();
    const entries = await this.db.listOutbox<T, R>('pending');
    await Promise.all(entries.filter((entry) => force || entry.nextAttemptAt <= now).map((entry) => this.#attempt(entry)));
    await this.#schedule();
  }

  async #attempt(entry: OutboxRecord<T, R>): Promise<void> {
    if (this.#sending.has(entry.clientId)) return;
    this.#sending.add(entry.clientId);
    const attempts = entry.attempts + 1;
    this.#emit({ clientId: entry.clientId, state: 'sending', attempts, progress: 0 });
    try {
      const response = await this.send(entry, (progress) => this.#emit({ clientId: entry.clientId, state: 'sending', attempts, progress }));
      // The files are no longer needed once the server holds them; the answer is kept for the confirmation page.
      await this.db.putOutbox<T, R>({ ...entry, state: 'sent', attempts, response, files: [] });
      this.#emit({ clientId: entry.clientId, state: 'sent', attempts, response });
    } catch (error) {
      const retryable = (error as { retryable?: boolean } | null)?.retryable !== false;
      const errorBody = (error as { body?: unknown } | null)?.body ?? String(error);
      if (retryable) {
        const nextAttemptAt = Date.now() + this.delay(attempts);
        await this.db.putOutbox<T, R>({ ...entry, attempts, nextAttemptAt, lastError: errorBody });
        this.#emit({ clientId: entry.clientId, state: 'waiting', attempts, nextAttemptAt, error: errorBody });
      } else {
        await this.db.putOutbox<T, R>({ ...entry, state: 'rejected', attempts, lastError: errorBody });
        this.#emit({ clientId: entry.clientId, state: 'rejected', attempts, error: errorBody });
      }
    } finally {
      this.#sending.delete(entry.clientId);
    }
  }

  /** Capped exponential backoff with jitter, so a ward's phones do not all retry in the same second. */
  delay(attempts: number): number {
    const capped = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(capped * (0.5 + this.#random() / 2));
  }

  async #schedule(): Promise<void> {
    if (!this.#started) return;
    const pending = await this.db.listOutbox<T, R>('pending');
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (pending.length === 0) return;
    const next = Math.min(...pending.map((entry) => entry.nextAttemptAt));
    this.#timer = setTimeout(() => void this.flush(), Math.max(0, next - Date.now()));
  }

  readonly #onWake = () => {
    if (globalThis.document?.visibilityState === 'hidden') return;
    void this.flush(true);
  };

  #emit(change: OutboxChange<R>) {
    this.dispatchEvent(new CustomEvent<OutboxChange<R>>('change', { detail: change }));
  }
}
