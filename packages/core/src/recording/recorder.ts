/**
 * The browser recorder (SPEC §6, docs/recording.md): takes part in the lease election, records the room with
 * MediaRecorder (WebM, VP8/VP9 + Opus, one chunk per second) while it holds the lease, and uploads each chunk
 * with its SHA-256. A chunk is written to IndexedDB before it is sent and deleted only after the server's
 * acknowledgement (which comes after a durable write), so a network outage or a reload loses nothing that
 * was captured and nothing acknowledged is sent again needlessly.
 *
 * Epochs: a lease is an epoch, and an epoch is one MediaRecorder stream numbered from seq 0. A standby that is
 * elected starts a new MediaRecorder at seq 0 of its new epoch. A page that reloads while still holding its
 * lease first sends what it kept of that epoch, then hands the lease back and asks again, so its new
 * MediaRecorder gets a new epoch (a WebM stream cannot continue across two MediaRecorders).
 */
import type { ChunkStore, StoredChunk } from './chunk-store.js';
import { timerTicks, type TickSource } from './compositor.js';
import { IngestError, sha256Hex, type IngestClient } from './ingest-client.js';
import type { RecorderReply, RecordingState, ResumePoint } from './protocol.js';

export const RECORDER_ROLES = ['starting', 'active', 'standby', 'stopped'] as const;
export type RecorderRole = (typeof RECORDER_ROLES)[number];
export type RecorderAlarm = 'offline' | 'lease_lost' | 'storage' | 'unauthorized' | 'rejected' | 'media';

export interface RecorderStatus {
  role: RecorderRole;
  recordingId: string;
  recorderId: string;
  /** The epoch this recorder records (or last recorded) under; 0 before its first lease. */
  epoch: number;
  recordingState?: RecordingState | undefined;
  /** MediaRecorder is running. */
  capturing: boolean;
  /** Chunks captured and not yet acknowledged ("behind by N"). */
  pending: number;
  /** Uploads in flight now. */
  uploading: number;
  /** Chunks acknowledged since this page started. */
  acked: number;
  /** Kept chunks of an epoch this recorder lost: the server can no longer take them (the manifest shows the gap). */
  orphaned: number;
  /** The last request reached the server. */
  online: boolean;
  /** Chunks are kept in IndexedDB (false: in memory only, a reload would lose the unacknowledged ones). */
  persistent: boolean;
  alarm?: RecorderAlarm | undefined;
  error?: string | undefined;
}

export interface SessionRecorderOptions {
  client: IngestClient;
  store: ChunkStore;
  recordingId: string;
  recorderId: string;
  pointId?: string | undefined;
  /** The stream to record (the compositor's), asked for when this recorder is first elected. */
  stream: () => MediaStream;
  /** MediaRecorder timeslice: one chunk (one Segment) per this many ms. */
  timesliceMs?: number;
  /** Uploads in flight at once. */
  maxInFlight?: number;
  mimeType?: string | undefined;
  videoBitsPerSecond?: number;
  /** Drives the heartbeats; a Worker's ticks keep them going in a background tab. */
  heartbeatTicks?: TickSource;
  now?: () => number;
}

/** The first container/codec pair this browser records: VP8 or VP9 video with Opus audio in WebM. */
export function pickMimeType(): string | undefined {
  if (typeof MediaRecorder === 'undefined') return undefined;
  return ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm'].find((type) => MediaRecorder.isTypeSupported(type));
}

const key = (epoch: number, seq: number) => `${epoch}:${seq}`;

export class SessionRecorder extends EventTarget {
  readonly #o: Required<Omit<SessionRecorderOptions, 'pointId' | 'mimeType'>> & Pick<SessionRecorderOptions, 'pointId' | 'mimeType'>;
  /** Unacknowledged chunks by "epoch:seq" (the same as in the store). */
  readonly #queue = new Map<string, StoredChunk>();
  readonly #inFlight = new Set<string>();
  #status: RecorderStatus;
  /** The epoch whose chunks may be uploaded now (we hold its lease). */
  #held = 0;
  #heartbeatMs = 1000;
  #leaseMs = 3000;
  #recorder: MediaRecorder | undefined;
  #recorderEpoch = 0;
  #nextSeq = 0;
  #chunkStart = 0;
  #writes: Promise<void> = Promise.resolve();
  #finishing = false;
  #stopped = false;
  #cycling = false;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #retryMs = 500;
  #beating = false;
  #beatRetry: ReturnType<typeof setTimeout> | undefined;

  constructor(options: SessionRecorderOptions) {
    super();
    this.#o = {
      timesliceMs: 1000,
      maxInFlight: 3,
      videoBitsPerSecond: 1_500_000,
      heartbeatTicks: timerTicks(),
      now: Date.now,
      ...options,
    };
    this.#status = {
      role: 'starting',
      recordingId: options.recordingId,
      recorderId: options.recorderId,
      epoch: 0,
      capturing: false,
      pending: 0,
      uploading: 0,
      acked: 0,
      orphaned: 0,
      online: true,
      persistent: options.store.persistent,
    };
  }

  get status(): RecorderStatus {
    return { ...this.#status };
  }

  /** Loads what an earlier page kept, joins the election and starts heartbeating. */
  async start(): Promise<void> {
    for (const chunk of await this.#o.store.list(this.#o.recordingId)) this.#queue.set(key(chunk.epoch, chunk.seq), chunk);
    this.#update({});
    let reply: RecorderReply | undefined;
    while (!reply && !this.#stopped) {
      try {
        reply = await this.#o.client.register(this.#o.recordingId, this.#o.recorderId, this.#o.pointId);
      } catch (error) {
        if (!this.#transient(error)) return;
        await sleep(1000);
      }
    }
    if (!reply) return;
    this.#heartbeatMs = reply.heartbeatMs;
    this.#leaseMs = reply.leaseMs;
    this.#o.heartbeatTicks.start(reply.heartbeatMs, () => void this.heartbeat());
    await this.#take(reply);
  }

  /** One heartbeat now (also after a failed upload, to learn the lease's state). */
  async heartbeat(): Promise<void> {
    if (this.#stopped || this.#beating) return;
    this.#beating = true;
    try {
      const reply = await this.#o.client.heartbeat(this.#o.recordingId, this.#o.recorderId, Math.max(500, Math.min(this.#leaseMs / 2, 5000)));
      await this.#take(reply);
    } catch (error) {
      // A network blip: try again soon rather than at the next tick, to renew the lease before it lapses.
      if (this.#transient(error) && !this.#stopped) {
        clearTimeout(this.#beatRetry);
        this.#beatRetry = setTimeout(() => void this.heartbeat(), Math.min(300, this.#heartbeatMs / 3));
      }
    } finally {
      this.#beating = false;
    }
  }

  /**
   * The session ended (the head's `room.end`): stop MediaRecorder, send its final chunk with `last=1`, and
   * resolve once everything captured is acknowledged (or `timeoutMs` passed).
   */
  async finish(timeoutMs = 10_000): Promise<void> {
    this.#finishing = true;
    await this.#stopCapture();
    const deadline = this.#o.now() + timeoutMs;
    while (this.#pendingOf(this.#held) > 0 && this.#o.now() < deadline && !this.#stopped) {
      this.#pump();
      await sleep(100);
    }
  }

  /** Stops for good (the page goes away): no more heartbeats or uploads; kept chunks stay for the next page. */
  async stop(options: { leave?: boolean } = {}): Promise<void> {
    await this.#stopCapture();
    this.#halt();
    if (options.leave) await this.#o.client.leave(this.#o.recordingId, this.#o.recorderId).catch(() => undefined);
    this.#update({ role: 'stopped' });
  }

  // ------------------------------------------------------------------------------------------ election

  async #take(reply: RecorderReply): Promise<void> {
    if (this.#stopped) return;
    this.#update({ online: true, recordingState: reply.state, ...(this.#status.alarm === 'offline' ? { alarm: undefined } : {}) });
    this.#retryMs = 500;
    if (reply.state === 'finalizing' || reply.state === 'finalized') {
      // Nothing more is taken; whatever is still kept is the gap the manifest shows.
      await this.#stopCapture();
      this.#halt();
      this.#held = 0;
      this.#update({ role: 'stopped' });
      return;
    }
    if (reply.role === 'standby') {
      if (this.#held || this.#recorder) {
        // Fenced: another recorder holds a newer epoch. Our unsent chunks of the old one cannot be taken.
        await this.#stopCapture();
        this.#held = 0;
        this.#update({ alarm: 'lease_lost' });
      }
      this.#update({ role: 'standby', epoch: this.#status.epoch });
      return;
    }
    // Active.
    if (reply.epoch === this.#held) {
      if (reply.resume) await this.#acknowledged(reply.resume);
      if (reply.state === 'ending' && this.#recorder) void this.finish();
      this.#update({ role: 'active', alarm: this.#status.alarm === 'lease_lost' ? undefined : this.#status.alarm });
      this.#pump();
      return;
    }
    if (this.#recorder) await this.#stopCapture();
    this.#held = reply.epoch;
    const resume = reply.resume;
    if (resume) await this.#acknowledged(resume);
    const serverHas = Boolean(resume && (resume.nextSeq > 0 || resume.storedAbove.length > 0));
    if (serverHas || this.#pendingOf(reply.epoch) > 0) {
      // Our own epoch from before a reload: send what we kept of it, then ask for a fresh epoch.
      this.#update({ role: 'active', epoch: reply.epoch });
      this.#pump();
      void this.#cycle();
      return;
    }
    this.#update({ role: 'active', epoch: reply.epoch, alarm: undefined });
    if (reply.state === 'armed' || reply.state === 'recording') this.#startCapture(reply.epoch);
  }

  /** After a reload: drain the old epoch's chunks, then leave and join again for a new epoch and MediaRecorder. */
  async #cycle(): Promise<void> {
    if (this.#cycling) return;
    this.#cycling = true;
    try {
      const epoch = this.#held;
      const deadline = this.#o.now() + 30_000;
      while (this.#pendingOf(epoch) > 0 && this.#held === epoch && this.#o.now() < deadline && !this.#stopped) {
        this.#pump();
        await sleep(100);
      }
      if (this.#held !== epoch || this.#stopped) return;
      await this.#o.client.leave(this.#o.recordingId, this.#o.recorderId);
      this.#held = 0;
      const reply = await this.#o.client.register(this.#o.recordingId, this.#o.recorderId, this.#o.pointId);
      await this.#take(reply);
    } catch (error) {
      this.#transient(error);
    } finally {
      this.#cycling = false;
    }
  }

  /** Forgets the chunks the server says it has (their acknowledgement may have been lost on the way). */
  async #acknowledged(resume: ResumePoint): Promise<void> {
    const stored = new Set(resume.storedAbove);
    for (const chunk of [...this.#queue.values()]) {
      if (chunk.epoch !== resume.epoch || this.#inFlight.has(key(chunk.epoch, chunk.seq))) continue;
      if (chunk.seq < resume.nextSeq || stored.has(chunk.seq)) await this.#forget(chunk, true);
    }
  }

  // ------------------------------------------------------------------------------------------ capture

  #startCapture(epoch: number): void {
    // Two replies racing (a heartbeat and a re-registration) must not start two streams for one epoch.
    if (this.#recorder && this.#recorderEpoch === epoch) return;
    let stream: MediaStream;
    try {
      stream = this.#o.stream();
    } catch (error) {
      this.#update({ alarm: 'media', error: String(error) });
      return;
    }
    const mimeType = this.#o.mimeType ?? pickMimeType();
    const recorder = new MediaRecorder(stream, { ...(mimeType ? { mimeType } : {}), videoBitsPerSecond: this.#o.videoBitsPerSecond, audioBitsPerSecond: 64_000 });
    this.#recorder = recorder;
    this.#recorderEpoch = epoch;
    this.#nextSeq = 0;
    this.#chunkStart = this.#o.now();
    // Every chunk is delivered before 'stop'. A timeslice chunk queued just before stop() is delivered after it
    // too, and also sees `inactive`: only the one delivered last before 'stop' is the final chunk. Marking both
    // sent the earlier one with `last=1`, the server finalized on it, and the stream's tail was cut mid-block.
    const stopped = new Promise<void>((resolve) => recorder.addEventListener('stop', () => resolve(), { once: true }));
    let produced = 0;
    recorder.ondataavailable = (event) => {
      if (!event.data.size) return;
      const seq = this.#nextSeq++;
      produced = seq + 1;
      const capturedAt = this.#chunkStart;
      this.#chunkStart = this.#o.now();
      const afterStop = recorder.state === 'inactive' && this.#finishing;
      this.#writes = this.#writes.then(async () => {
        if (afterStop) await Promise.race([stopped, sleep(3000)]);
        await this.#capture(epoch, seq, event.data, capturedAt, afterStop && seq === produced - 1);
      });
    };
    recorder.onerror = () => this.#update({ alarm: 'media', error: 'MediaRecorder error' });
    recorder.start(this.#o.timesliceMs);
    this.#update({ capturing: true });
  }

  /** Stops MediaRecorder and waits until its final chunk is stored. */
  async #stopCapture(): Promise<void> {
    const recorder = this.#recorder;
    this.#recorder = undefined;
    if (recorder && recorder.state !== 'inactive') {
      const stopped = new Promise<void>((resolve) => recorder.addEventListener('stop', () => resolve(), { once: true }));
      recorder.stop();
      await Promise.race([stopped, sleep(3000)]);
    }
    await this.#writes;
    if (this.#status.capturing) this.#update({ capturing: false });
  }

  async #capture(epoch: number, seq: number, data: Blob, capturedAt: number, last: boolean): Promise<void> {
    const bytes = new Uint8Array(await data.arrayBuffer());
    const chunk: StoredChunk = {
      recordingId: this.#o.recordingId,
      epoch,
      seq,
      data: new Blob([bytes], { type: data.type || 'video/webm' }),
      bytes: bytes.length,
      sha256: await sha256Hex(bytes),
      capturedAt,
      last,
    };
    // Kept before it is sent: a crash after this line loses nothing.
    try {
      await this.#o.store.put(chunk);
    } catch (error) {
      this.#update({ alarm: 'storage', error: String(error) });
    }
    this.#queue.set(key(epoch, seq), chunk);
    this.#update({});
    this.#pump();
  }

  // ------------------------------------------------------------------------------------------ upload

  #pendingOf(epoch: number): number {
    let n = 0;
    for (const chunk of this.#queue.values()) if (chunk.epoch === epoch) n += 1;
    return n;
  }

  #pump(): void {
    if (this.#stopped || !this.#held) return;
    const ready = [...this.#queue.values()]
      .filter((c) => c.epoch === this.#held && !this.#inFlight.has(key(c.epoch, c.seq)))
      .sort((a, b) => a.seq - b.seq);
    for (const chunk of ready) {
      if (this.#inFlight.size >= this.#o.maxInFlight) break;
      // The server finalizes as soon as `last=1` arrives: the last chunk goes only after every other one is acknowledged.
      if (chunk.last && this.#pendingOf(chunk.epoch) > 1) continue;
      void this.#upload(chunk);
    }
  }

  async #upload(chunk: StoredChunk): Promise<void> {
    const k = key(chunk.epoch, chunk.seq);
    this.#inFlight.add(k);
    this.#update({});
    try {
      await this.#o.client.upload(this.#o.recorderId, chunk);
      this.#inFlight.delete(k);
      await this.#forget(chunk, true);
      this.#update({ online: true, ...(this.#status.alarm === 'offline' ? { alarm: undefined } : {}) });
      this.#retryMs = 500;
      this.#pump();
    } catch (error) {
      this.#inFlight.delete(k);
      this.#update({});
      if (!(error instanceof IngestError)) return this.#later();
      if (error.transient) {
        this.#transient(error);
        return this.#later();
      }
      if (error.code === 'lease_lost') return void this.heartbeat();
      if (error.code === 'recording_closed') return void this.heartbeat();
      if (error.status === 401 || error.status === 403) return this.#update({ alarm: 'unauthorized', error: error.code });
      // segment_conflict / segment_mismatch: the server will never take these bytes under this number.
      this.#queue.delete(k);
      this.#update({ alarm: 'rejected', error: `${error.code} (epoch ${chunk.epoch}, seq ${chunk.seq})` });
    }
  }

  async #forget(chunk: StoredChunk, acked: boolean): Promise<void> {
    const k = key(chunk.epoch, chunk.seq);
    if (!this.#queue.delete(k)) return;
    await this.#o.store.delete(chunk.recordingId, chunk.epoch, chunk.seq).catch(() => undefined);
    if (acked) this.#update({ acked: this.#status.acked + 1 });
  }

  #later(): void {
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => this.#pump(), this.#retryMs);
    // Capped at one heartbeat: a held lease is renewed by uploads too, so retries must not wait longer than beats.
    this.#retryMs = Math.min(this.#retryMs * 2, this.#heartbeatMs);
  }

  /** Marks the recorder offline for a network failure; returns whether the failure was one worth retrying. */
  #transient(error: unknown): boolean {
    if (error instanceof IngestError && !error.transient) {
      if (error.status === 401 || error.status === 403) this.#update({ alarm: 'unauthorized', error: error.code });
      else if (error.code === 'recording_closed') {
        this.#halt();
        this.#update({ role: 'stopped', error: error.code });
      } else this.#update({ error: error.code });
      return false;
    }
    this.#update({ online: false, alarm: 'offline' });
    return true;
  }

  #halt(): void {
    this.#stopped = true;
    this.#o.heartbeatTicks.stop();
    clearTimeout(this.#retry);
    clearTimeout(this.#beatRetry);
  }

  #update(patch: Partial<RecorderStatus>): void {
    let orphaned = 0;
    let pending = 0;
    for (const chunk of this.#queue.values()) {
      if (chunk.epoch === this.#held || (chunk.epoch === this.#recorderEpoch && this.#recorder)) pending += 1;
      else orphaned += 1;
    }
    // Before the first reply nothing is known to be orphaned: count everything as pending.
    if (this.#status.role === 'starting' && !this.#held) {
      pending += orphaned;
      orphaned = 0;
    }
    this.#status = { ...this.#status, ...patch, pending, orphaned, uploading: this.#inFlight.size };
    this.dispatchEvent(new CustomEvent('status', { detail: this.status }));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
