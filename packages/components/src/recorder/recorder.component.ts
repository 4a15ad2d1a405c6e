/**
 * `<tiepdan-recorder>`: the recorder of a connection point (SPEC §6). It composites the room (every tile with
 * its point, name and role, and a clock in Hanoi time), mixes all the audio, records it with MediaRecorder in
 * one-second WebM chunks, keeps each chunk in IndexedDB until the server acknowledges it, and takes part in the
 * lease election as the active recorder or a standby. Officials see its state: active or standby, uploading,
 * behind by N chunks, and any alarm.
 *
 * It waits for the session as a standby before anything is opened; the room's opening creates the recording and
 * elects a waiting recorder. By default it joins the session's room itself as the hidden, receive-only recorder
 * (core's `RoomRecorderSource`) and records every admitted participant in a labelled tile with all the audio
 * mixed. A `RoomMediaSource` given as `source` replaces that; `capture="device"` records this device's camera
 * and microphone instead.
 */
import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  IngestClient,
  IngestError,
  openChunkStore,
  RoomCompositor,
  RoomRecorderSource,
  SessionRecorder,
  StaticMediaSource,
  workerTicks,
  type RecorderStatus,
  type RoomMediaSource,
} from '@tiepdan/core/browser';
import { TiepdanElement } from '../shared/element.js';
import { fmt } from '../shared/lang.js';
import { recorderStyles } from './recorder.styles.js';
import { recorderStrings, roomLabels, type RecorderStrings } from './strings.js';

type Phase = 'idle' | 'waiting' | 'running' | 'failed';

const RECORDER_ID_KEY = 'tiepdan:recorder-id:';

/**
 * @tagname tiepdan-recorder
 * @summary The recorder of a connection point: records the room, uploads every chunk, active or standby.
 *
 * @attr server - The tiepdan server's origin.
 * @attr session - The reception session id.
 * @attr token - An official's token with `recordings.record` (chair, clerk, operator).
 * @attr lang - "vi" (default) or "en".
 * @attr recorder-id - This recorder's id; by default one is made and kept per session on this device, so a reload is the same recorder.
 * @attr point - The connection point's id (sent to the server with the election).
 * @attr point-name - The point's name, printed on this device's own tile.
 * @attr label - The name printed on this device's own tile (`capture="device"`).
 * @attr capture - "room" (default): join the room as its hidden recorder and record everyone; "device": this device's camera and microphone.
 * @prop source - The room's media (`RoomMediaSource`).
 * @attr worker-url - URL of the tick worker module (recorder-tick.js beside this module by default; same origin as the page).
 * @fires tiepdan-recorder-status - The recorder's state changed; detail is its `RecorderStatus`.
 * @csspart preview - The preview of what is recorded.
 * @cssproperty --tiepdan-color-primary - Main colour.
 * @cssproperty --tiepdan-font-size - Base font size (default 18px).
 */
export class TiepdanRecorder extends TiepdanElement<RecorderStrings> {
  static override styles = recorderStyles;
  protected readonly strings = recorderStrings;

  @property() session = '';
  @property() token = '';
  @property({ attribute: 'recorder-id' }) recorderId = '';
  @property() point = '';
  @property({ attribute: 'point-name' }) pointName = '';
  @property() label = '';
  @property() capture: 'room' | 'device' = 'room';
  @property({ attribute: false }) source: RoomMediaSource | undefined;
  /**
   * The tick worker module. A Worker must be same-origin with the page: when the SDK is served from the tiepdan
   * server's origin, the ward site serves recorder-tick.js itself and points here (else the page's own timer is
   * used, which a background tab slows down).
   */
  @property({ attribute: 'worker-url' }) workerUrl: string | URL = new URL('./recorder-tick.js', import.meta.url);
  /** The fetch the uploads use (a proxy, or a test that cuts the network); the page's own by default. */
  @property({ attribute: false }) fetcher: typeof fetch | undefined;
  /** MediaRecorder timeslice (ms): one chunk each. */
  @property({ type: Number }) timeslice = 1000;

  @state() phase: Phase = 'idle';
  @state() status: RecorderStatus | undefined;
  @state() private failure = '';
  @state() private audioBlocked = false;

  recorder: SessionRecorder | undefined;
  compositor: RoomCompositor | undefined;
  recordingId: string | undefined;
  #ownStream: MediaStream | undefined;
  /** The room as this recorder receives it (capture="room"). */
  roomSource: RoomRecorderSource | undefined;
  #run = 0;
  #poll: ReturnType<typeof setTimeout> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('pagehide', this.#onPageHide);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('pagehide', this.#onPageHide);
    void this.#teardown();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if ((changed.has('server') || changed.has('session') || changed.has('token')) && this.server && this.session && this.token) void this.#restart();
  }

  /** The session ended (the room saw `room.end`): send the last chunk and everything kept; resolves when done. */
  async finish(timeoutMs?: number): Promise<void> {
    await this.recorder?.finish(timeoutMs);
  }

  /** Stops this recorder (no more uploads; what is kept stays on the device for the next page). */
  async stop(options: { leave?: boolean } = {}): Promise<void> {
    await this.#teardown(options);
  }

  #onPageHide = () => {
    void this.recorder?.stop();
  };

  async #teardown(options: { leave?: boolean } = {}): Promise<void> {
    this.#run += 1;
    clearTimeout(this.#poll);
    const recorder = this.recorder;
    this.recorder = undefined;
    await recorder?.stop(options);
    this.compositor?.stop();
    this.compositor = undefined;
    for (const track of this.#ownStream?.getTracks() ?? []) track.stop();
    this.#ownStream = undefined;
    const room = this.roomSource;
    this.roomSource = undefined;
    await room?.close();
  }

  async #restart(): Promise<void> {
    await this.#teardown();
    const run = this.#run;
    try {
      const client = new IngestClient({ server: this.server, token: this.token, ...(this.fetcher ? { fetch: this.fetcher } : {}) });
      const source = this.source ?? (this.capture === 'device' ? await this.#ownSource() : await this.#roomSource());
      if (run !== this.#run) return;
      this.compositor = new RoomCompositor(source, { ticks: workerTicks(this.workerUrl) });
      const compositor = this.compositor;
      // Warm before the election: the pictures and the audio mix are running by the time this recorder (or this
      // standby, later) is elected, so the recording's first second is not black or silent.
      const composite = compositor.start();
      const recording = await this.#findRecording(client, run);
      if (!recording || run !== this.#run) return;
      this.recordingId = recording;
      const store = await openChunkStore();
      if (run !== this.#run) return;
      const recorder = new SessionRecorder({
        client,
        store,
        recordingId: recording,
        recorderId: this.#recorderId(),
        pointId: this.point || undefined,
        stream: () => {
          queueMicrotask(() => (this.audioBlocked = !compositor.audioRunning));
          return composite;
        },
        timesliceMs: this.timeslice,
        heartbeatTicks: workerTicks(this.workerUrl),
      });
      this.recorder = recorder;
      recorder.addEventListener('status', (event) => {
        if (this.recorder !== recorder) return;
        this.status = (event as CustomEvent<RecorderStatus>).detail;
        if (this.status.recordingState === 'ending') void recorder.finish();
        this.emit('tiepdan-recorder-status', this.status);
      });
      this.phase = 'running';
      await recorder.start();
    } catch (error) {
      if (run !== this.#run) return;
      this.phase = 'failed';
      this.failure = error instanceof IngestError ? error.code : error instanceof Error ? error.message : String(error);
    }
  }

  /**
   * The session's recording. Until the room is opened there is none: this recorder waits for the session as a
   * standby (the server keeps it on the session's list; the opening registers it in the new recording).
   */
  async #findRecording(client: IngestClient, run: number): Promise<string | undefined> {
    let waitMs = 1000;
    for (;;) {
      if (run !== this.#run) return undefined;
      try {
        const reply = await client.waitForSession(this.session, this.#recorderId(), this.point || undefined);
        if (reply.recordingId) return reply.recordingId;
        waitMs = reply.heartbeatMs;
      } catch (error) {
        if (!(error instanceof IngestError) || !error.transient) throw error;
      }
      this.phase = 'waiting';
      await new Promise((resolve) => (this.#poll = setTimeout(resolve, waitMs)));
    }
  }

  /** Joins the session's room as its hidden recorder: every admitted participant's tile, labelled as on screen. */
  async #roomSource(): Promise<RoomMediaSource> {
    const s = roomLabels(this.language === 'en' ? 'en' : 'vi');
    const room = new RoomRecorderSource({
      server: this.server,
      sessionId: this.session,
      token: this.token,
      recorderId: this.#recorderId(),
      describe: (p, pointName) => ({ name: p.name, role: s[p.role], ...(pointName ? { point: pointName } : {}) }),
    });
    this.roomSource = room;
    await room.connect();
    return room;
  }

  async #ownSource(): Promise<RoomMediaSource> {
    this.#ownStream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    return new StaticMediaSource([{ id: 'local', stream: this.#ownStream, point: this.pointName || undefined, name: this.label || this.s.heading }]);
  }

  #recorderId(): string {
    if (this.recorderId) return this.recorderId;
    const storageKey = `${RECORDER_ID_KEY}${this.session}`;
    let id: string | null = null;
    try {
      id = localStorage.getItem(storageKey);
    } catch {
      // Storage disabled: a new id per page, so a reload is a new recorder (it still works, with a gap).
    }
    if (!id) {
      id = `rec-${crypto.randomUUID()}`;
      try {
        localStorage.setItem(storageKey, id);
      } catch {
        // As above.
      }
    }
    this.recorderId = id;
    return id;
  }

  #resumeAudio = () => {
    void this.compositor?.resumeAudio().then(() => (this.audioBlocked = !this.compositor?.audioRunning));
  };

  // ---------------------------------------------------------------------------------------------- view

  #headline(s: RecorderStrings): { text: string; kind: string } {
    const st = this.status;
    if (this.phase === 'waiting') return { text: s.waiting, kind: 'waiting' };
    if (this.phase === 'failed') return { text: s.stopped, kind: 'stopped' };
    if (!st || st.role === 'starting') return { text: s.starting, kind: 'starting' };
    if (st.role === 'stopped') return { text: st.recordingState === 'finalized' || st.recordingState === 'finalizing' ? s.finished : s.stopped, kind: 'stopped' };
    if (st.role === 'standby') return { text: s.standby, kind: 'standby' };
    return { text: st.capturing ? s.active : s.activeDraining, kind: 'active' };
  }

  #alarm(s: RecorderStrings): string | undefined {
    if (this.phase === 'failed') return fmt(s.alarmFailed, { detail: this.failure });
    switch (this.status?.alarm) {
      case 'offline':
        return s.alarmOffline;
      case 'lease_lost':
        return s.alarmLeaseLost;
      case 'storage':
        return s.alarmStorage;
      case 'unauthorized':
        return s.alarmUnauthorized;
      case 'rejected':
        return fmt(s.alarmRejected, { detail: this.status.error ?? '' });
      case 'media':
        return s.alarmMedia;
      default:
        return undefined;
    }
  }

  protected override render() {
    const s = this.s;
    const st = this.status;
    const head = this.#headline(s);
    const alarm = this.#alarm(s);
    return html`<section aria-labelledby="heading">
      <h2 id="heading">${s.heading}</h2>
      <p class="state ${head.kind}" role="status" id="state">${head.kind === 'active' && st?.capturing ? html`<span class="dot" aria-hidden="true"></span>` : nothing}${head.text}</p>
      ${st && st.role !== 'starting'
        ? html`<p class="progress" id="progress" role="status">
            ${st.uploading > 0 ? html`${fmt(s.uploading, { count: st.uploading })}. ` : nothing}
            ${st.pending > 2 ? html`<span class="behind">${fmt(s.behind, { count: st.pending })}</span>` : st.pending === 0 ? s.upToDate : nothing}
          </p>`
        : nothing}
      ${alarm ? html`<p class="alarm" role="alert" id="alarm">${alarm}</p>` : nothing}
      ${this.audioBlocked && st?.capturing ? html`<p>${s.audioBlocked} <button type="button" @click=${this.#resumeAudio}>${s.audioResume}</button></p>` : nothing}
      ${st
        ? html`<dl>
            <dt>${s.epoch}</dt><dd id="epoch">${st.epoch || '—'}</dd>
            <dt>${s.acked}</dt><dd id="acked">${st.acked}</dd>
            <dt>${s.pending}</dt><dd id="pending">${st.pending}</dd>
            ${st.orphaned ? html`<dt>${s.orphaned}</dt><dd id="orphaned">${st.orphaned}</dd>` : nothing}
            <dt>${s.storage}</dt><dd>${st.persistent ? s.storageOk : s.storageMemory}</dd>
          </dl>`
        : nothing}
      ${this.compositor && st?.capturing ? html`<div class="preview" part="preview" role="img" aria-label=${s.preview}>${this.compositor.canvas}</div>` : nothing}
    </section>`;
  }
}
