/**
 * The recording coordinator: one recording per reception session, and one recorder writing it at a time.
 *
 * Recorders (clients at official connection points) join an election; the first alive one gets a lease with a
 * new epoch, the others stand by. The holder renews the lease by heartbeat (and by every accepted segment);
 * when it lapses, a watchdog ends it, writes it down, elects the freshest standby under epoch + 1 and, if
 * nobody is left on a mandatory recording, raises the alarm. The epoch is the fencing token: ingest refuses any
 * write that does not carry the current one, so a recorder that comes back from a network partition cannot
 * interleave its stream with its successor's. Nobody stops a recording: only `end` (the head ending the session)
 * does, and the holder's last chunks are still taken for `drainMs` before it is finalized.
 *
 * Several nodes (cluster/cluster.ts) share one coordinator's state through the store: any node takes a recorder's
 * heartbeats and segments, the lease and election are compare-and-set rows, so whichever node sees a lapse first
 * moves the lease once. What is not in the store crosses the cluster: the events (so the node that runs the room
 * tells its participants), the recorders waiting for a session (so the node that opens the room finds them), and
 * a lock per finalization (so two nodes never build one recording's manifest at once). The watchdog and the file
 * sweeps run on one node at a time (the plugin runs them as a singleton job), which also takes up a finalization
 * or a drain that a dead node left behind.
 */
import { randomUUID } from 'node:crypto';
import type { RecorderReply, Recording, RecordingPolicy, RecordingState } from '@tiepdan/core';
import type { Cluster, HeldLock } from '../../cluster/cluster.js';
import { FenceRefusedError, type Fence } from '../../store/fences.js';
import { MemoryCluster } from '../../cluster/memory.js';
import { ApiError } from '../../http/api-error.js';
import type { RecordingEvents } from '../events.js';
import type { PartTracker } from '../ingest/parts.js';
import { holdsLease, type NewSegment, type RecorderRow, type RecordingRepo, type RecordingRow, type SegmentOutcome } from '../repo.js';
import type { RecordingSettings } from '../settings.js';
import type { RecordingStorage } from '../storage/storage.js';

const LIVE: readonly RecordingState[] = ['armed', 'recording'];
/** A waiting recorder not seen for this long (or three leases) is no longer counted. */
const WAITING_MIN_MS = 10_000;
/** With several nodes, a temporary file younger than this may be another node's write in progress. */
export const SHARED_SWEEP_MIN_AGE_MS = 60_000;
/** How often the watchdog node sweeps again with several nodes (a node that died mid-write leaves files). */
const SHARED_SWEEP_EVERY_MS = 5 * 60_000;
/** How long a finalize request waits for another node's finalization of the same recording. */
const ELSEWHERE_WAIT_MS = 120_000;
const ELSEWHERE_POLL_MS = 250;
const waitingKey = (sessionId: string) => `recording:waiting:${sessionId}`;
const finalizeLock = (recordingId: string) => `recording:${recordingId}:finalize`;

export interface OpenRecording {
  sessionId: string;
  unit: string;
  policy?: RecordingPolicy | undefined;
  confidential?: boolean | undefined;
  by: string;
}

export type TimelineEntry =
  | { kind: 'participant'; at?: string | undefined; participantId: string; action: 'joined' | 'left' | 'admitted' | 'removed'; role: string; name?: string | undefined; point?: string | undefined }
  | { kind: 'notice'; at?: string | undefined; noticeId: string; version: string; audience?: string | undefined; text?: { vi: string; en: string } | undefined }
  | { kind: 'case'; at?: string | undefined; reference: string; action: 'start' | 'end'; matterKind?: string | undefined };

/** What GET /recordings/:id and the other recording routes answer: core's view (recording/views.ts), which serializes the reply. */
export type RecordingStatus = Recording;

export interface WaitingRecorder {
  recorderId: string;
  pointId: string | undefined;
  official: string;
  unit: string;
  seenAt: number;
}

export interface CoordinatorDeps {
  settings: RecordingSettings;
  repo: RecordingRepo;
  storage: RecordingStorage;
  events: RecordingEvents;
  parts: PartTracker;
  /**
   * Builds the seekable media, the manifest and its signature, under `fence` (the finalization lock's epoch): it
   * throws FenceRefusedError, having written nothing, once a later holder of the lock has passed the fence.
   */
  finalize: (recordingId: string, fence: Fence) => Promise<void>;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void } | undefined;
  now?: () => number;
  /** The other nodes (waiting recorders, finalization locks); one node in process when absent. */
  cluster?: Cluster | undefined;
}

export class RecordingCoordinator {
  private readonly now: () => number;
  private watchdog: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly cluster: Cluster;
  /** Finalizations this node owns (their lock), kept through the retries' backoff until success or stop. */
  private readonly owned = new Map<string, HeldLock>();
  /** When the watchdog last tried to take up a finalization another node may have left (one try per lease). */
  private readonly adoptTried = new Map<string, number>();
  private readonly drains = new Map<string, NodeJS.Timeout>();
  private readonly finalizing = new Map<string, Promise<void>>();
  /** Failed finalizations so far per recording, for the retry's backoff (reset by success or restart). */
  private readonly failures = new Map<string, number>();
  /** A watchdog pass still running: the next tick skips instead of checking the same leases twice at once. */
  private ticking = false;
  constructor(private readonly deps: CoordinatorDeps) {
    this.now = deps.now ?? Date.now;
    this.cluster = deps.cluster ?? new MemoryCluster();
  }

  get settings(): RecordingSettings {
    return this.deps.settings;
  }

  /**
   * After a restart: the recorders could not reach a dead server, so live leases and standbys get one lease
   * duration of grace instead of lapsing at once; an interrupted drain or finalization is taken up again. With
   * several nodes the watchdog also starts here when it passes from a node that died, while the other nodes kept
   * taking heartbeats: a recording with a recorder seen within the lease was reachable, and gets no grace (which
   * would count a dead standby alive again).
   */
  async resume(): Promise<void> {
    const now = this.now();
    for (const rec of await this.deps.repo.live()) {
      const reachable = this.cluster.shared && (await this.deps.repo.recorders(rec.id)).some((r) => this.alive(r, now));
      if (!reachable) {
        if (rec.holder) await this.deps.repo.renew(rec.id, rec.epoch, rec.holder, now + this.settings.leaseMs);
        await this.deps.repo.seenAll(rec.id, now);
      }
      await this.sweep(rec.id);
      if (rec.state === 'ending') this.scheduleFinalize(rec.id, this.settings.drainMs);
      if (rec.state === 'finalizing') this.scheduleFinalize(rec.id, 0);
    }
  }

  /** Removes the temporary files of interrupted writes (with several nodes, only ones too old to be in progress). */
  private async sweep(recordingId: string): Promise<void> {
    if (!('sweep' in this.deps.storage)) return;
    await (this.deps.storage as { sweep(id: string, olderThanMs?: number): Promise<number> }).sweep(recordingId, this.cluster.shared ? SHARED_SWEEP_MIN_AGE_MS : 0);
  }

  startWatchdog(): void {
    const tick = Math.max(20, Math.min(500, Math.floor(this.settings.leaseMs / 5)));
    this.watchdog = setInterval(() => {
      if (this.ticking) return;
      this.ticking = true;
      void (async () => {
        for (const rec of await this.deps.repo.live()) {
          await this.checkLease(rec);
          if (this.cluster.shared) this.adoptLeftBehind(rec);
        }
      })()
        .catch((error: unknown) => this.deps.log?.error({ err: error }, 'recording watchdog pass failed'))
        .finally(() => (this.ticking = false));
    }, tick);
    this.watchdog.unref();
    if (this.cluster.shared) {
      this.sweeper = setInterval(() => {
        void (async () => {
          for (const rec of await this.deps.repo.live()) await this.sweep(rec.id);
        })().catch((error: unknown) => this.deps.log?.error({ err: error }, 'recording sweep failed'));
      }, SHARED_SWEEP_EVERY_MS);
      this.sweeper.unref();
    }
  }

  /** This node no longer runs the watchdog (another node took the job); finalizations it owns go on. */
  stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.sweeper) clearInterval(this.sweeper);
    this.watchdog = this.sweeper = undefined;
  }

  /**
   * With several nodes: a recording whose drain is over, or that is finalizing, with nobody finalizing it here,
   * may have been left by a node that died; its finalization is taken up when its lock is free (the lock of a
   * node still retrying is renewed, so a living owner keeps it and its backoff).
   */
  private adoptLeftBehind(rec: RecordingRow): void {
    if (this.finalizing.has(rec.id) || this.owned.has(rec.id) || this.drains.has(rec.id)) return;
    const now = this.now();
    const drained = rec.state === 'ending' && rec.ended_at !== null && Date.parse(rec.ended_at) + this.settings.drainMs <= now;
    if (!drained && rec.state !== 'finalizing') return;
    if (now - (this.adoptTried.get(rec.id) ?? 0) < this.settings.leaseMs) return;
    this.adoptTried.set(rec.id, now);
    this.finalizeNow(rec.id, { waitElsewhere: false }).catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatchdog();
    for (const timer of this.drains.values()) clearTimeout(timer);
    this.drains.clear();
    await Promise.allSettled([...this.finalizing.values()]);
    // Retries this node owned pass to another node (its watchdog takes them up once the lock is free).
    await Promise.all([...this.owned.values()].map((lock) => lock.release()));
    this.owned.clear();
  }

  /** Opens the session's recording (idempotent: a second call returns the first one). */
  async open(input: OpenRecording): Promise<{ recording: RecordingRow; created: boolean }> {
    const existing = await this.deps.repo.bySession(input.sessionId);
    if (existing) return { recording: existing, created: false };
    const id = `rec_${randomUUID()}`;
    await this.deps.storage.create(id);
    const policy = input.policy ?? (this.settings.mandatoryByDefault ? 'mandatory' : 'optional');
    try {
      await this.deps.repo.insert({ id, sessionId: input.sessionId, unit: input.unit, policy, confidential: Boolean(input.confidential), at: iso(this.now()), by: input.by });
    } catch (error) {
      // Two managers opening the same session at once: the other one won.
      const raced = await this.deps.repo.bySession(input.sessionId);
      if (raced) return { recording: raced, created: false };
      throw error;
    }
    return { recording: await this.mustGet(id), created: true };
  }

  /**
   * A recorder waits (as a standby) for a session that has no recording yet; called again every heartbeat. Kept
   * outside the store (in process, or in Redis for every node): after a restart the list is back within one
   * heartbeat.
   */
  async waitFor(sessionId: string, recorder: Omit<WaitingRecorder, 'seenAt'>): Promise<void> {
    const entry: WaitingRecorder = { ...recorder, seenAt: this.now() };
    await this.cluster.lists.put(waitingKey(sessionId), recorder.recorderId, JSON.stringify(entry), this.waitingKeepMs());
  }

  private waitingKeepMs(): number {
    return Math.max(3 * this.settings.leaseMs, WAITING_MIN_MS);
  }

  /**
   * The recorders waiting for the session, the most recently seen first. A waiting recorder counts for a few
   * leases (a busy page's timers slip): if it is gone after all, its lease lapses and the alarm is raised as for
   * any lost recorder, which is better than opening a session that must be recorded without trying.
   */
  async waiting(sessionId: string): Promise<WaitingRecorder[]> {
    const now = this.now();
    const keep = this.waitingKeepMs();
    const list = [...(await this.cluster.lists.all(waitingKey(sessionId))).values()].map((text) => JSON.parse(text) as WaitingRecorder);
    return list.filter((w) => now - w.seenAt < keep).sort((a, b) => b.seenAt - a.seenAt);
  }

  /** The session's recording now exists: its waiting recorders join the election (the freshest is elected). */
  async adoptWaiting(recordingId: string): Promise<void> {
    const rec = await this.mustGet(recordingId);
    for (const w of await this.waiting(rec.session_id)) {
      const existing = await this.deps.repo.recorder(recordingId, w.recorderId);
      // A recorder id registered by another official stays theirs (the HTTP routes refuse it the same way).
      if (existing && existing.official !== w.official) continue;
      await this.register(recordingId, w.recorderId, w.pointId, w.official);
    }
    await this.cluster.lists.clear(waitingKey(rec.session_id));
  }

  forSession(sessionId: string): Promise<RecordingRow | undefined> {
    return this.deps.repo.bySession(sessionId);
  }

  async mustGet(recordingId: string): Promise<RecordingRow> {
    const rec = await this.deps.repo.get(recordingId);
    if (!rec) throw new ApiError(404, 'not_found');
    return rec;
  }

  /** A recorder joins the election (again, after a reconnect: same id, same place). */
  async register(recordingId: string, recorderId: string, pointId: string | undefined, official: string): Promise<RecorderReply> {
    const rec = await this.mustGet(recordingId);
    if (!LIVE.includes(rec.state)) throw new ApiError(409, 'recording_closed');
    const now = this.now();
    await this.deps.repo.upsertRecorder({ recordingId, recorderId, pointId: pointId ?? null, official, at: iso(now), now });
    return this.reply(await this.checkLease(await this.mustGet(recordingId), recorderId), recorderId);
  }

  async heartbeat(recordingId: string, recorderId: string): Promise<RecorderReply> {
    const rec = await this.mustGet(recordingId);
    const recorder = await this.deps.repo.recorder(recordingId, recorderId);
    if (!recorder) throw new ApiError(404, 'not_found');
    const now = this.now();
    if (recorder.left_at) await this.deps.repo.upsertRecorder({ recordingId, recorderId, pointId: recorder.point_id, official: recorder.official, at: recorder.registered_at, now });
    else await this.deps.repo.seen(recordingId, recorderId, now);
    const current = LIVE.includes(rec.state) || rec.state === 'ending' ? await this.checkLease(rec, recorderId) : rec;
    if (current.holder === recorderId) await this.deps.repo.renew(recordingId, current.epoch, recorderId, now + this.settings.leaseMs);
    return this.reply(await this.mustGet(recordingId), recorderId);
  }

  /** A recorder leaves (its point shuts down cleanly): its lease ends now instead of lapsing later. */
  async leave(recordingId: string, recorderId: string): Promise<RecorderReply> {
    const rec = await this.mustGet(recordingId);
    await this.deps.repo.leave(recordingId, recorderId, iso(this.now()));
    if (rec.holder === recorderId) await this.loseLease(rec, 'left');
    return this.reply(await this.mustGet(recordingId), recorderId);
  }

  /** The session starts: a mandatory recording needs an active recorder first (409 recorder_required). */
  async start(recordingId: string): Promise<RecordingRow> {
    const rec = await this.checkLease(await this.mustGet(recordingId));
    if (rec.state !== 'armed') {
      if (rec.state === 'recording') return rec;
      throw new ApiError(409, 'recording_closed');
    }
    if (rec.policy === 'mandatory' && !rec.holder) throw new ApiError(409, 'recorder_required');
    const changed = await this.deps.repo.start(recordingId, iso(this.now()));
    const started = await this.mustGet(recordingId);
    // Started by another call (of any node) in the meantime: that one told everyone.
    if (changed) this.emitState(started);
    return started;
  }

  /** Whether a session may start now (the rooms ask before `room.start`). */
  async canStart(sessionId: string): Promise<boolean> {
    const rec = await this.forSession(sessionId);
    if (!rec) return !this.settings.mandatoryByDefault;
    const checked = await this.checkLease(rec);
    return checked.policy !== 'mandatory' || Boolean(checked.holder);
  }

  /** The head ends the session: the only way a recording stops. The holder's last chunks drain, then it is finalized. */
  async end(recordingId: string, by: string): Promise<RecordingRow> {
    const rec = await this.mustGet(recordingId);
    if (!LIVE.includes(rec.state)) return rec;
    const changed = await this.deps.repo.end(recordingId, iso(this.now()), by);
    const ended = await this.mustGet(recordingId);
    if (!changed) return ended;
    this.emitState(ended);
    this.scheduleFinalize(recordingId, ended.holder ? this.settings.drainMs : 0);
    return ended;
  }

  /** The holder sent its last chunk after the end: no need to wait for the rest of the drain. */
  async lastChunk(recordingId: string): Promise<void> {
    const rec = await this.deps.repo.get(recordingId);
    if (rec?.state === 'ending') this.scheduleFinalize(recordingId, 0);
  }

  /**
   * Runs (or joins) the finalization now; resolves when it is done. Another node finalizing the same recording
   * (it holds the lock) is waited for, up to ELSEWHERE_WAIT_MS, unless `waitElsewhere` is false (a timer here
   * that found the work already taken).
   */
  finalizeNow(recordingId: string, { waitElsewhere = true }: { waitElsewhere?: boolean } = {}): Promise<void> {
    const timer = this.drains.get(recordingId);
    if (timer) clearTimeout(timer);
    this.drains.delete(recordingId);
    let running = this.finalizing.get(recordingId);
    if (!running) {
      running = this.finalizeOwned(recordingId, waitElsewhere).finally(() => this.finalizing.delete(recordingId));
      this.finalizing.set(recordingId, running);
    }
    return running;
  }

  /** Takes the finalization's lock (or keeps the one held through a retry) and finalizes. */
  private async finalizeOwned(recordingId: string, waitElsewhere: boolean): Promise<void> {
    // A lock not renewed for a whole lease (Redis unreachable) may be another node's by now: taken again.
    if (this.owned.get(recordingId)?.lost) this.owned.delete(recordingId);
    if (!this.owned.has(recordingId)) {
      const lock = await this.cluster.tryLock(finalizeLock(recordingId));
      if (!lock) return waitElsewhere ? this.finalizedElsewhere(recordingId) : undefined;
      this.owned.set(recordingId, lock);
    }
    try {
      await this.runFinalize(recordingId, this.owned.get(recordingId)!);
    } catch (error) {
      // A failure keeps the lock for the retry runFinalize scheduled; anything else (not finalizable) lets it go.
      if (!((await this.mustGet(recordingId)).state === 'finalizing' && !this.stopped)) await this.releaseOwned(recordingId);
      throw error;
    }
    await this.releaseOwned(recordingId);
  }

  private async releaseOwned(recordingId: string): Promise<void> {
    const lock = this.owned.get(recordingId);
    this.owned.delete(recordingId);
    await lock?.release();
  }

  /** Another node finalizes: waits until it is finalized or fails, or takes over if that node let go. */
  private async finalizedElsewhere(recordingId: string): Promise<void> {
    const firstError = (await this.deps.repo.get(recordingId))?.last_error ?? null;
    const until = this.now() + ELSEWHERE_WAIT_MS;
    while (!this.stopped && this.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, ELSEWHERE_POLL_MS));
      const rec = await this.deps.repo.get(recordingId);
      if (!rec || rec.state === 'finalized' || (rec.last_error ?? null) !== firstError) return;
      const lock = await this.cluster.tryLock(finalizeLock(recordingId));
      if (lock) {
        this.owned.set(recordingId, lock);
        return this.finalizeOwned(recordingId, false);
      }
    }
  }

  /** Adds participants, notices shown and cases heard to the timeline the manifest will carry. */
  async note(recordingId: string, entries: TimelineEntry[]): Promise<number> {
    await this.mustGet(recordingId);
    const now = iso(this.now());
    const rows = entries.map(({ kind, at, ...data }) => ({ at: at ? new Date(at).toISOString() : now, kind, data: JSON.stringify(data) }));
    // A denunciation heard in the session makes the whole recording confidential: never streamed.
    const confidential = entries.some((e) => e.kind === 'case' && e.matterKind === 'to_cao');
    if (!(await this.deps.repo.addTimeline(recordingId, rows, confidential))) throw new ApiError(409, 'recording_closed');
    return entries.length;
  }

  async status(recordingId: string): Promise<RecordingStatus> {
    const rec = await this.checkLease(await this.mustGet(recordingId));
    const now = this.now();
    const [recorders, leases, totals] = await Promise.all([this.deps.repo.recorders(recordingId), this.deps.repo.leases(recordingId), this.deps.repo.totals(recordingId)]);
    const holder = rec.holder ? recorders.find((r) => r.recorder_id === rec.holder) : undefined;
    const missing: RecordingStatus['missing'] = [];
    for (const l of leases) {
      const seqs = (await this.deps.parts.resume(recordingId, l.epoch)).missing;
      if (seqs.length) missing.push({ epoch: l.epoch, seqs });
    }
    return {
      id: rec.id,
      sessionId: rec.session_id,
      unit: rec.unit,
      policy: rec.policy,
      confidential: rec.confidential === 1,
      state: rec.state,
      epoch: rec.epoch,
      holder: rec.holder ? { recorderId: rec.holder, pointId: holder?.point_id ?? null, leaseExpiresAt: iso(rec.lease_expires_at ?? now) } : null,
      standbys: recorders
        .filter((r) => r.recorder_id !== rec.holder && !r.left_at)
        .map((r) => ({ recorderId: r.recorder_id, pointId: r.point_id, lastSeenAt: iso(r.last_seen_at), alive: this.alive(r, now) })),
      alarm: this.alarmOf(rec, leases),
      segments: { count: totals.count, bytes: totals.bytes },
      missing,
      leases: leases.map((l) => ({ epoch: l.epoch, recorderId: l.recorder_id, grantedAt: l.granted_at, endedAt: l.ended_at, endReason: l.end_reason })),
      createdAt: rec.created_at,
      startedAt: rec.started_at,
      endedAt: rec.ended_at,
      finalizedAt: rec.finalized_at,
      manifestSha256: rec.manifest_sha256,
      lastError: rec.last_error,
      leaseMs: this.settings.leaseMs,
      heartbeatMs: this.settings.heartbeatMs,
    };
  }

  /** True when, in `rec` as just read, `recorderId` holds the lease of `epoch` now (ingest checks again with the insert). */
  holds(rec: RecordingRow, recorderId: string, epoch: number): boolean {
    return holdsLease(rec, recorderId, epoch, this.now());
  }

  /**
   * Stores a segment's row if `recorderId` still holds the lease of `epoch`; an accepted segment proves the holder
   * alive, so it renews the lease like a heartbeat (recording/repo.ts, insertSegment).
   */
  storeSegment(segment: Omit<NewSegment, 'receivedAt'>): Promise<SegmentOutcome> {
    const now = this.now();
    return this.deps.repo.insertSegment({ ...segment, receivedAt: iso(now) }, now, now + this.settings.leaseMs);
  }

  /** Ends a lapsed lease and elects a standby; returns the row as it is afterwards. */
  async checkLease(rec: RecordingRow, preferred?: string): Promise<RecordingRow> {
    const now = this.now();
    let current = rec;
    if (current.holder && (current.lease_expires_at ?? 0) <= now) current = await this.loseLease(current, 'lapsed');
    if (!current.holder && LIVE.includes(current.state)) current = (await this.elect(current, preferred)) ?? current;
    return current;
  }

  private async loseLease(rec: RecordingRow, reason: 'lapsed' | 'left'): Promise<RecordingRow> {
    const at = iso(this.now());
    const lost = await this.deps.repo.releaseLease(rec.id, rec.epoch, at, reason);
    if (lost && rec.holder) this.deps.events.emit({ type: 'recorder.lost', recordingId: rec.id, sessionId: rec.session_id, epoch: rec.epoch, recorderId: rec.holder, reason, at });
    let after = await this.mustGet(rec.id);
    if (LIVE.includes(after.state)) after = (await this.elect(after, undefined, true)) ?? after;
    // Raised by the one caller (of any node) whose compare-and-set ended the lease: once per loss.
    if (lost && !after.holder && after.policy === 'mandatory' && LIVE.includes(after.state)) {
      this.deps.events.emit({ type: 'recording.alarm', recordingId: rec.id, sessionId: rec.session_id, code: 'no_recorder', since: at });
    }
    return after;
  }

  /**
   * Grants the next epoch to the freshest alive standby (or `preferred`, when it is alive). A grant to a
   * mandatory recording that had a lease before and none since was under the alarm (raised when that lease
   * ended, unless `afterLoss`: the grant right in the loss, before any alarm), so the alarm is cleared.
   */
  private async elect(rec: RecordingRow, preferred?: string, afterLoss = false): Promise<RecordingRow | undefined> {
    const now = this.now();
    const candidates = (await this.deps.repo.recorders(rec.id))
      .filter((r) => !r.left_at && this.alive(r, now))
      .sort((a, b) => (a.recorder_id === preferred ? -1 : b.recorder_id === preferred ? 1 : b.last_seen_at - a.last_seen_at));
    const chosen = candidates[0];
    if (!chosen) return undefined;
    const epoch = rec.epoch + 1;
    const at = iso(now);
    const granted = await this.deps.repo.grantLease(rec.id, rec.epoch, chosen.recorder_id, now + this.settings.leaseMs, at);
    if (!granted) return this.deps.repo.get(rec.id);
    const previous = (await this.deps.repo.leases(rec.id)).find((l) => l.epoch === rec.epoch);
    this.deps.events.emit({
      type: 'recorder.elected',
      recordingId: rec.id,
      sessionId: rec.session_id,
      epoch,
      recorderId: chosen.recorder_id,
      at,
      ...(previous ? { previous: { epoch: previous.epoch, recorderId: previous.recorder_id } } : {}),
    });
    if (!afterLoss && rec.policy === 'mandatory' && rec.epoch > 0 && !rec.holder) this.deps.events.emit({ type: 'recording.alarm_cleared', recordingId: rec.id, sessionId: rec.session_id, at });
    return await this.mustGet(rec.id);
  }

  private alive(r: RecorderRow, now: number): boolean {
    return !r.left_at && now - r.last_seen_at < this.settings.leaseMs;
  }

  private alarmOf(rec: RecordingRow, leases: { ended_at: string | null }[]): RecordingStatus['alarm'] {
    if (rec.policy !== 'mandatory' || rec.holder || !LIVE.includes(rec.state)) return null;
    const lastEnded = leases.map((l) => l.ended_at).filter((v): v is string => Boolean(v)).sort().at(-1);
    return { code: 'no_recorder', since: lastEnded ?? rec.created_at };
  }

  private async reply(rec: RecordingRow, recorderId: string): Promise<RecorderReply> {
    const active = rec.holder === recorderId;
    return {
      recorderId,
      role: active ? 'active' : 'standby',
      epoch: rec.epoch,
      leaseMs: this.settings.leaseMs,
      heartbeatMs: this.settings.heartbeatMs,
      state: rec.state,
      ...(active ? { leaseExpiresAt: iso(rec.lease_expires_at ?? this.now()), resume: await this.deps.parts.resume(rec.id, rec.epoch) } : {}),
    };
  }

  private scheduleFinalize(recordingId: string, delayMs: number): void {
    const previous = this.drains.get(recordingId);
    if (previous) clearTimeout(previous);
    const timer = setTimeout(() => {
      this.drains.delete(recordingId);
      this.finalizeNow(recordingId, { waitElsewhere: false }).catch(() => undefined);
    }, delayMs);
    this.drains.set(recordingId, timer);
  }

  private async runFinalize(recordingId: string, lock: HeldLock): Promise<void> {
    const rec = await this.mustGet(recordingId);
    if (rec.state === 'finalized') return;
    if (!(await this.deps.repo.beginFinalize(recordingId, iso(this.now())))) throw new ApiError(409, 'invalid_transition');
    this.emitState(await this.mustGet(recordingId));
    try {
      await this.deps.finalize(recordingId, { name: finalizeLock(recordingId), epoch: lock.epoch });
      this.failures.delete(recordingId);
      this.deps.parts.forget(recordingId);
      this.emitState(await this.mustGet(recordingId));
    } catch (error) {
      // This node lost the lock (stalled past its lease) and another took over: not a failure of the recording,
      // which the other node finalizes; nothing to note, retry or alarm. The lock goes (finalizeOwned).
      if (error instanceof FenceRefusedError) {
        this.failures.delete(recordingId);
        this.deps.log?.warn({ recordingId, epoch: error.fence.epoch, err: error }, 'recording finalization refused: another node took its lock over');
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      await this.deps.repo.failed(recordingId, message);
      // The segments are safe and the state stays `finalizing`, so nothing is lost by waiting; but evidence
      // must not depend on someone noticing the alarm: try again by itself, backing off (a TSA down for hours
      // is asked a few times an hour, not hammered), until it succeeds or the server stops.
      const failures = (this.failures.get(recordingId) ?? 0) + 1;
      this.failures.set(recordingId, failures);
      const retryInMs = Math.min(this.settings.finalizeRetryMaxMs, this.settings.finalizeRetryMs * 2 ** (failures - 1));
      if (!this.stopped) this.scheduleFinalize(recordingId, retryInMs);
      this.deps.log?.error({ err: error, recordingId, failures, retryInMs }, 'recording finalization failed; it will be tried again');
      this.deps.events.emit({ type: 'recording.failed', recordingId, sessionId: rec.session_id, error: message, at: iso(this.now()) });
      throw error;
    }
  }

  private emitState(rec: RecordingRow): void {
    this.deps.events.emit({ type: 'recording.state', recordingId: rec.id, sessionId: rec.session_id, state: rec.state, at: iso(this.now()) });
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
