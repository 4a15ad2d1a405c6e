/**
 * The rooms' group commit, shared by every store's RoomStore (store/room-sqlite.ts, store/room-postgres.ts): what
 * the rooms queue during a turn of the event loop (room state, events, audit entries, sequence reservations) is
 * taken as one batch and written by the store in one transaction; what waits on `afterCommit` / `durable` is let
 * out only once the batch that holds what it announces is committed. The store only writes a batch and reads.
 *
 * Sequence numbers must never be reused, and some events are not persisted (WebRTC signals, point health). So
 * each room reserves numbers ahead, in blocks, in its row (`data.seq`): no event is delivered with a number above
 * a committed reservation, and a room restored after a crash starts above everything it could have sent. A
 * graceful close writes the exact number, so a planned restart numbers on without a jump. From `close()` on, every
 * batch is exact, whoever called for it: a presence commit that came due before the close but waited behind a batch
 * in flight (a round-trip store) would otherwise take the rooms the close marked and write them with their
 * reservation, leaving the close nothing to write, and the next process would number on up to SEQ_BLOCK higher.
 *
 * Presence (a participant's socket coming back or going) is not worth a commit of its own: a restart brings
 * every client back within a second or two, and one fsync per resume (7 ms on this disk) made 2,000 resumes take
 * 14 s. Such writes still wait for a commit before they leave, but they schedule it PRESENCE_MS later instead of
 * at the end of the turn, so a storm of resumes shares a handful of commits (and any other write's commit takes
 * them along sooner).
 *
 * Several nodes (issue 13): a node serves a room under a lease epoch (`leaseEpoch`), and a batch carries the epoch of
 * every fenced room it touches. The store applies the fence first, in the batch's transaction, with one statement
 * (`UPDATE rooms SET lease_epoch = epoch WHERE session_id = ? AND lease_epoch <= epoch`): a room whose row already
 * holds a higher epoch (a later holder wrote it) is refused, and the store writes none of that room's part of the
 * batch (events, trims, state, reservation, audit). A room with no row yet gets its epoch when its row is inserted.
 * The rule lives in the stores' write only, so a node paused past its lease cannot overwrite the node that took
 * the room over, whatever its clock says. Refused rooms are reported to `onRefused` after the commit (the host
 * unloads them). A room with no epoch given is not fenced, as before.
 *
 * A store whose commit is synchronous (SQLite) writes within `flush`, as before this module existed. A store
 * whose commit is a round trip (PostgreSQL) has at most one batch in flight; what is queued meanwhile, and what
 * waits meanwhile, goes with the next batch, so a busy room's writes group themselves by the commit's latency.
 */
import type { AuditEntry } from '../rooms/audit.js';
import type { RoomData } from '../rooms/room-data.js';
import type { ChatRow, RoomStore, StoredEvent } from '../rooms/room-store.js';
import type { AuditChain } from '../rooms/audit.js';

/** Sequence numbers reserved per write; a crash skips at most this many. */
export const SEQ_BLOCK = 1000;
/** After a failed commit (disk full, I/O error, database gone), how long to wait before trying again; nothing leaves meanwhile. */
const RETRY_MS = 200;
/** The latest a presence event waits for a commit when nothing else calls for one. */
export const PRESENCE_MS = 20;

/** One transaction's worth of writes, in the order a store applies them. */
export interface RoomBatch {
  events: [string, StoredEvent][];
  /**
   * Per room, delete the non-chat events with `from < seq <= upto` (after the inserts). The tail on disk may
   * hold up to twice the log's size (a room keeps the last eventLogSize when it loads), so a room's DELETE runs
   * once per eventLogSize events instead of in every commit.
   */
  trims: { sessionId: string; from: number; upto: number }[];
  /** Room rows to upsert, their `seq` already raised to the committed reservation (unless the store is closing: exact). */
  rooms: { sessionId: string; data: RoomData }[];
  /** After the upserts (a room's first reservation may come in the commit that creates its row): raise `data.seq` to `seq` where lower. */
  reservations: [string, number][];
  /** Audit entries to chain, in order (stores whose audit is written with the batch). */
  audit: AuditEntry[];
  /**
   * The lease epoch of each fenced room the batch touches. The store checks and raises these first; a refused room
   * (its row holds a higher epoch) has none of its events, trims, row, reservation or audit entries written.
   */
  epochs: [string, number][];
}

/** What a store's write returns: the fenced rooms it refused (their part of the batch was not written). */
export type Refused = string[];

/** The batch without the refused rooms' part: what a store writes once its fence has refused them. */
export function withoutRooms(batch: RoomBatch, refused: ReadonlySet<string>): RoomBatch {
  return {
    events: batch.events.filter(([s]) => !refused.has(s)),
    trims: batch.trims.filter((t) => !refused.has(t.sessionId)),
    rooms: batch.rooms.filter((r) => !refused.has(r.sessionId)),
    reservations: batch.reservations.filter(([s]) => !refused.has(s)),
    audit: batch.audit.filter((a) => !refused.has(a.sessionId)),
    epochs: batch.epochs.filter(([s]) => !refused.has(s)),
  };
}

export abstract class QueuedRoomStore implements RoomStore {
  abstract readonly audit: AuditChain;
  private dirty = new Map<string, () => RoomData>();
  private events: [string, StoredEvent][] = [];
  private auditQueue: AuditEntry[] = [];
  /** What waits for the next commit, in order: deliveries and replies. */
  private waiting: (() => void)[] = [];
  /** Per room, the highest sequence number handed out, and the one reserved in the database. */
  private readonly issued = new Map<string, number>();
  private readonly reserved = new Map<string, number>();
  /** Rooms whose handed-out numbers passed their reservation. */
  private readonly unreserved = new Set<string>();
  /** Per room, the sequence number up to which room_events was last trimmed. */
  private readonly trimmedTo = new Map<string, number>();
  /** A commit at the end of this turn is due (something other than presence was queued). */
  private scheduled = false;
  /** A commit PRESENCE_MS from now is due (only presence, or only deliveries waiting, were queued). */
  private presenceTimer: ReturnType<typeof setTimeout> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  /** The batch being committed (asynchronous stores only). */
  private inFlight: Promise<void> | undefined;
  /** Set by close(): every batch from now on writes exact numbers. */
  private closing = false;
  /** Per room, the lease epoch this process serves it under (issue 13); a room not here is not fenced. */
  private readonly epochs = new Map<string, number>();
  /** Rooms given an epoch since the last batch: it carries their fence even when nothing else of them is queued. */
  private toFence = new Set<string>();
  private readonly refusedListeners: ((sessionIds: string[]) => void)[] = [];
  /** Transactions committed so far (operations metrics; the tests count a reconnect storm's commits). */
  commits = 0;

  constructor(
    protected readonly eventLogSize: number,
    /** A commit that failed (it is retried; meanwhile nothing leaves). */
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  abstract load(sessionId: string): Promise<{ data: RoomData; events: StoredEvent[] } | undefined>;
  abstract activeSessions(): Promise<string[]>;
  abstract chat(sessionId: string): Promise<ChatRow[]>;
  /**
   * Writes the batch in one transaction, fence first (see the header); returns the refused rooms. Throws (or
   * rejects) having written nothing.
   */
  protected abstract write(batch: RoomBatch): Refused | Promise<Refused>;
  /** False once the database is closed: a flush then writes nothing. */
  protected abstract isOpen(): boolean;

  /** This process serves the room under `epoch` from now on: its writes go only while no higher epoch has written it. */
  leaseEpoch(sessionId: string, epoch: number): void {
    this.epochs.set(sessionId, epoch);
    // Raised at the next commit even when nothing else of the room is written: the host awaits it before it reads the
    // room, so from then on the node that held the lease before cannot write it, whether or not this one writes.
    this.toFence.add(sessionId);
    this.schedule();
  }

  /** Called after each commit that refused rooms (a later lease holder had written them), with those rooms. */
  onRefused(listener: (sessionIds: string[]) => void): void {
    this.refusedListeners.push(listener);
  }

  markDirty(sessionId: string, snapshot: () => RoomData, options: { presence?: boolean } = {}): void {
    this.dirty.set(sessionId, snapshot);
    this.schedule(options.presence === true);
  }

  appendEvent(sessionId: string, event: StoredEvent, options: { presence?: boolean } = {}): void {
    this.events.push([sessionId, event]);
    this.schedule(options.presence === true);
  }

  /** An audit entry to chain in the next commit (for stores whose audit rides with the batch). */
  protected queueAudit(entry: AuditEntry): void {
    this.auditQueue.push(entry);
    this.schedule();
  }

  /** A room handed out `seq` (persisted event or not): its delivery must wait for a reservation that covers it. */
  sequenced(sessionId: string, seq: number): void {
    if (seq > (this.issued.get(sessionId) ?? 0)) this.issued.set(sessionId, seq);
    if (seq > (this.reserved.get(sessionId) ?? 0)) {
      this.unreserved.add(sessionId);
      this.schedule();
    }
  }

  /** Runs `fn` right after the commit that holds everything queued before it (at once when nothing is queued). */
  afterCommit(fn: () => void): void {
    if (!this.pending()) {
      fn();
      return;
    }
    this.waiting.push(fn);
    // Whatever is pending has its commit scheduled already; this only makes sure of it, without hurrying it.
    this.schedule(true);
  }

  /** Resolves once everything queued so far is committed (and its deliveries have left). */
  durable(): Promise<void> {
    if (!this.pending()) return Promise.resolve();
    return new Promise((resolve) => this.afterCommit(resolve));
  }

  /**
   * Writes everything queued, in one transaction, then lets out what waited for it. After close() a batch writes
   * each room's own sequence number instead of a reservation ahead of it. Rejects when the commit failed
   * (reported to onError; the queue stays and is retried; nothing waiting is let out).
   */
  flush(): Promise<void> {
    this.scheduled = false;
    clearTimeout(this.presenceTimer);
    this.presenceTimer = undefined;
    clearTimeout(this.retry);
    this.retry = undefined;
    // One batch at a time: what was queued since goes in the next one, once this one is committed.
    if (this.inFlight) return this.inFlight.then(() => this.flush(), () => this.flush());
    if (!this.isOpen()) return Promise.resolve();
    // Decided when the batch is taken, not when the flush was called for.
    const exact = this.closing;
    const reservations = this.reservationsNeeded(exact);
    const waiting = this.waiting;
    this.waiting = [];
    if (this.dirty.size === 0 && this.events.length === 0 && this.auditQueue.length === 0 && reservations.length === 0 && this.toFence.size === 0) {
      for (const fn of waiting) fn();
      return Promise.resolve();
    }
    const taken = { dirty: this.dirty, events: this.events, audit: this.auditQueue, fence: this.toFence };
    this.dirty = new Map();
    this.events = [];
    this.auditQueue = [];
    this.toFence = new Set();
    const batch = this.batchOf(taken, reservations, exact);
    const committed = (refused: Refused) => {
      this.committed(batch, exact, refused);
      // The listeners first: the host unloads a refused room before what waited on this commit (its deliveries, its
      // replies) is let out, so those see the room is lost and nothing of it goes out as if it were written.
      if (refused.length > 0) for (const listener of this.refusedListeners) listener(refused);
      for (const fn of waiting) fn();
    };
    const failed = (error: unknown) => {
      // Nothing was written, so nothing is let out: the batch goes back in front of what came since, and is retried.
      for (const [sessionId, snapshot] of this.dirty) taken.dirty.set(sessionId, snapshot);
      this.dirty = taken.dirty;
      this.events = [...taken.events, ...this.events];
      this.auditQueue = [...taken.audit, ...this.auditQueue];
      for (const sessionId of taken.fence) this.toFence.add(sessionId);
      this.waiting = [...waiting, ...this.waiting];
      this.retry = setTimeout(() => this.flushOrRetry(), RETRY_MS);
      this.onError(error);
      return error;
    };
    let written: Refused | Promise<Refused>;
    try {
      written = this.write(batch);
    } catch (error) {
      return Promise.reject(failed(error));
    }
    if (Array.isArray(written)) {
      committed(written);
      return Promise.resolve();
    }
    const inFlight = written.then(committed, (error: unknown) => {
      throw failed(error);
    });
    this.inFlight = inFlight.finally(() => {
      this.inFlight = undefined;
      // What was queued (or began waiting) while this batch was in flight goes now: it has waited a commit already.
      if (this.pending() && !this.retry) this.schedule();
    });
    // The catch only keeps `inFlight` from being an unhandled rejection; the caller gets the error from `inFlight`.
    this.inFlight.catch(() => undefined);
    return inFlight;
  }

  close(): Promise<void> {
    this.closing = true;
    return this.flush();
  }

  private batchOf(taken: { dirty: Map<string, () => RoomData>; events: [string, StoredEvent][]; audit: AuditEntry[]; fence: Set<string> }, reservations: [string, number][], exact: boolean): RoomBatch {
    const maxSeq = new Map<string, number>();
    for (const [sessionId, e] of taken.events) maxSeq.set(sessionId, Math.max(maxSeq.get(sessionId) ?? 0, e.seq));
    const trims: RoomBatch['trims'] = [];
    for (const [sessionId, seq] of maxSeq) {
      const upto = seq - this.eventLogSize;
      if (upto - (this.trimmedTo.get(sessionId) ?? -Infinity) < this.eventLogSize) continue;
      trims.push({ sessionId, from: this.trimmedTo.get(sessionId) ?? -1, upto });
    }
    const rooms = [...taken.dirty].map(([sessionId, snapshot]) => {
      const data = snapshot();
      if (!exact) data.seq = Math.max(data.seq, this.reserved.get(sessionId) ?? 0);
      return { sessionId, data };
    });
    // Every fenced room the batch touches (an event, a trim, its row, a reservation or an audit entry), and those just given an epoch.
    const touched = new Set<string>([...taken.events.map(([s]) => s), ...rooms.map((r) => r.sessionId), ...reservations.map(([s]) => s), ...taken.audit.map((a) => a.sessionId), ...taken.fence]);
    const epochs: [string, number][] = [];
    for (const sessionId of touched) {
      const epoch = this.epochs.get(sessionId);
      if (epoch !== undefined) epochs.push([sessionId, epoch]);
    }
    return { events: taken.events, trims, rooms, reservations, audit: taken.audit, epochs };
  }

  private committed(batch: RoomBatch, exact: boolean, refused: Refused): void {
    this.commits += 1;
    // A refused room is no longer this process's to write: forget what it tracked, so it stops asking for reservations.
    const lost = new Set(refused);
    for (const sessionId of lost) {
      this.issued.delete(sessionId);
      this.reserved.delete(sessionId);
      this.unreserved.delete(sessionId);
      this.trimmedTo.delete(sessionId);
    }
    for (const { sessionId, upto } of batch.trims) if (!lost.has(sessionId)) this.trimmedTo.set(sessionId, upto);
    for (const [sessionId, seq] of batch.reservations) {
      if (lost.has(sessionId)) continue;
      this.reserved.set(sessionId, seq);
      // Numbers handed out while the batch was in flight may already have passed it.
      if ((this.issued.get(sessionId) ?? 0) <= seq) this.unreserved.delete(sessionId);
    }
    // An exact batch wrote each room's own number (the host marked them all dirty), lowering the reservation: that
    // number is now what the database holds. Numbers handed out while it was in flight are above it again: the next
    // batch (exact too) covers them.
    if (exact) {
      const reservedIn = new Map(batch.reservations);
      for (const { sessionId, data } of batch.rooms) {
        if (lost.has(sessionId)) continue;
        const seq = Math.max(data.seq, reservedIn.get(sessionId) ?? 0);
        this.reserved.set(sessionId, seq);
        if ((this.issued.get(sessionId) ?? 0) > seq) this.unreserved.add(sessionId);
        else this.unreserved.delete(sessionId);
      }
    }
  }

  /** Rooms whose handed-out numbers passed their reservation: the next block for each, or (`exact`) just those numbers. */
  private reservationsNeeded(exact: boolean): [string, number][] {
    const out: [string, number][] = [];
    for (const sessionId of this.unreserved) out.push([sessionId, this.issued.get(sessionId)! + (exact ? 0 : SEQ_BLOCK)]);
    return out;
  }

  /** Something is queued, waiting, or being committed: a delivery now must wait for a commit. */
  private pending(): boolean {
    return this.inFlight !== undefined || this.waiting.length > 0 || this.dirty.size > 0 || this.events.length > 0 || this.auditQueue.length > 0 || this.unreserved.size > 0 || this.toFence.size > 0;
  }

  /** A scheduled commit: its failure was reported (onError) and is retried. */
  private flushOrRetry(): void {
    this.flush().catch(() => undefined);
  }

  /** A commit at the end of this turn, or (`presence`) PRESENCE_MS from now unless one comes sooner. */
  private schedule(presence = false): void {
    if (this.scheduled || this.retry) return;
    if (presence) {
      this.presenceTimer ??= setTimeout(() => {
        this.presenceTimer = undefined;
        this.flushOrRetry();
      }, PRESENCE_MS);
      return;
    }
    this.scheduled = true;
    setImmediate(() => {
      if (this.scheduled) this.flushOrRetry();
    });
  }
}
