/**
 * The video room of a reception session (SPEC §2 step 4): pre-join (devices, level meter, network check, the
 * recording notice), the lobby, and the room itself, for citizens and officials alike. What a role may do is
 * decided by the server on every request; the element hides what the role cannot use and says why it refuses.
 *
 * Media goes through one MediaTransport: the native WebRTC mesh by default, Jitsi when the policy (shown to
 * officials) picks it; the Jitsi adapter is imported only then, so the first download stays small.
 */
import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import {
  canInRoom,
  CLOSE_CODES,
  say,
  type Lang,
  type LobbyEntry,
  type Message,
  type NetworkQuality,
  type Participant,
  type PointHealth,
  type RequestParams,
  type RequestResult,
  type RequestType,
  type RoomEvent,
  type RoomPermission,
  type RoomRole,
  type RoomState,
  type ConnectionPointInfo,
} from '@tiepdan/core';
import {
  chooseTransport,
  MediaTransportError,
  type MediaTransport,
  type ParticipantStats,
  type RemoteMedia,
  type RoomMediaSource,
  type RoomMediaTile,
  type SignalingClient,
  type SignalingPort,
  type TransportChoice,
} from '@tiepdan/core/browser';
import { loadConnection, loaded } from './connection-load.js';
import { TiepdanElement } from '../shared/element.js';
import { fmt } from '../shared/lang.js';
import { checkNetwork, LevelMeter, listDevices, openMedia, type DeviceLists, type NetworkCheck } from './devices.js';
import { admitCase, isDeskCase } from './desk-case.js';
import { casePanel, chatPanel, healthPanel, lobbyPanel, qualityLabel, transportPanel, type CasePanel, type ChatLine, type LobbyPanel } from './panels.js';
import { prejoinView } from './prejoin.js';
import { RoomActionError } from './errors.js';
import { roomStyles } from './room.styles.js';
import { ROOM_NOTICE_VERSION, roomStrings, type RoomStrings } from './strings.js';
import { tokenInfo } from './token.js';

export { RoomActionError };

export type RoomView = 'prejoin' | 'connecting' | 'lobby' | 'room' | 'left' | 'denied' | 'ended' | 'failed';
/** What the recording indicator shows: the server's recording state, or "not recording" until it reports one. */
export type RoomRecordingState = 'not_recording' | 'armed' | 'recording' | 'ending' | 'finalizing' | 'finalized';
export interface RoomRecording {
  state: RoomRecordingState;
  /** 'server' once the room reported its recording; 'none' before (the indicator then says so). */
  source: 'server' | 'none';
  /** For officials: why the recording needs attention (no active recorder, finalization failed). */
  alarm?: string | undefined;
}

const ORDER: NetworkQuality[] = ['good', 'fair', 'poor', 'lost'];
// Media elements' srcObject goes through guard(): Lit commits object values on every render, and a media element
// given its srcObject again restarts loading (a black flash, the clock back at zero).

/**
 * @tagname tiepdan-room
 * @summary The video room of a citizen reception session: pre-join, lobby, and the room for every role.
 *
 * @attr server - Base URL of the tiepdan server (its `/ws` is the signaling endpoint).
 * @attr session - The reception session's id.
 * @attr lang - "vi" (default) or "en".
 * @attr theme - "light" (default), "dark" or "screen" (a 1080p room screen: larger tiles and text).
 * @attr transport - "auto" (default: by participant count), "native" or "jitsi".
 * @attr jitsi-script - Overrides `https://<jitsi-domain>/libs/lib-jitsi-meet.min.js`.
 * @prop token - An official's access token or a citizen's join token. Prefer the property to markup.
 * @prop point - The connection point this client runs ({ id, name, unit }), declared to the room on joining.
 * @prop recordingState - The session's recording state as the server reports it; "not recording" until then.
 *
 * @fires tiepdan-joined - Connected to the room; detail `{ participantId, role, status }`.
 * @fires tiepdan-admitted - A citizen was admitted from the lobby; detail `{ caseId }`.
 * @fires tiepdan-left - Left the room; detail `{ reason }` ("bye", "denied", "ended", "failed").
 * @fires tiepdan-reconnecting - The connection dropped or came back; detail `{ state }`.
 * @fires tiepdan-recording-state - The recording indicator changed; detail `{ state, source }`.
 * @fires tiepdan-error - Something failed; detail `{ code, message }`.
 *
 * @csspart tile - A participant's video tile.
 * @csspart controls - The in-room control bar.
 * @csspart button - Primary buttons.
 * @cssproperty --tiepdan-color-primary - Main colour.
 * @cssproperty --tiepdan-font-size - Base font size (default 18px).
 */
export class TiepdanRoom extends TiepdanElement<RoomStrings> {
  static override styles = roomStyles;
  protected readonly strings = roomStrings;

  @property() session = '';
  @property({ reflect: true }) theme: 'light' | 'dark' | 'screen' = 'light';
  @property() transport: 'auto' | 'native' | 'jitsi' = 'auto';
  @property({ attribute: 'jitsi-script' }) jitsiScript = '';
  @property({ attribute: false }) token = '';
  @property({ attribute: false }) point: ConnectionPointInfo | undefined;
  @property({ attribute: false }) recordingState: RoomRecording = { state: 'not_recording', source: 'none' };

  @state() view: RoomView = 'prejoin';
  @state() roomRole: RoomRole | undefined;
  @state() participantId: string | undefined;
  @state() roomState: RoomState = 'pending';
  @state() participants: Participant[] = [];
  @state() queue: LobbyEntry[] = [];
  @state() position: { position: number; size?: number } | undefined;
  @state() caseId: string | null = null;
  @state() floor: string | null = null;
  @state() points: PointHealth[] = [];
  @state() chat: ChatLine[] = [];
  @state() reconnecting = false;
  @state() transportChoice: TransportChoice | undefined;
  @state() private devices: DeviceLists = { cameras: [], microphones: [] };
  @state() private cameraId = '';
  @state() private microphoneId = '';
  @state() private localStream: MediaStream | undefined;
  @state() private devicesFailed = false;
  @state() level = 0;
  @state() network: NetworkCheck | 'checking' | 'failed' | undefined;
  @state() acknowledged = false;
  @state() private noticeError = false;
  @state() private remotes = new Map<string, RemoteMedia>();
  @state() private stats = new Map<string, ParticipantStats>();
  @state() private speaker: string | undefined;
  @state() private muted = { audio: false, video: false };
  @state() private sharing = false;
  @state() private deniedReason = '';
  @state() private error: Message | undefined;
  @state() private announcement = '';
  /** The lobby entry whose denial form is open. */
  @state() denying: string | undefined;
  @state() private wasReturned = false;

  #client: SignalingClient | undefined;
  #port: SignalingPort | undefined;
  #media: MediaTransport | undefined;
  #screenTrack: MediaStreamTrack | undefined;
  #meter = new LevelMeter();
  #tick: ReturnType<typeof setInterval> | undefined;
  /** The citizen ticked or cleared "camera off" before joining: the network advice no longer decides. */
  #cameraChosen = false;
  #statsTimer: ReturnType<typeof setInterval> | undefined;
  #statsRound = 0;
  #offs: (() => void)[] = [];
  #jitsiFailed = false;
  #prepared = false;
  readonly #onOffline = () => this.#client?.drop();
  readonly #onOnline = () => this.#media?.networkChanged();

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('offline', this.#onOffline);
    window.addEventListener('online', this.#onOnline);
    this.#tick = setInterval(() => this.#sampleLevels(), 200);
    // The signaling client and the mesh come while the pre-join screen is read (connection.ts).
    loadConnection().catch(() => undefined);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('offline', this.#onOffline);
    window.removeEventListener('online', this.#onOnline);
    clearInterval(this.#tick);
    clearInterval(this.#statsTimer);
    void this.#teardown();
  }

  protected override willUpdate(): void {
    if (!this.#prepared && this.view === 'prejoin' && this.server && this.session && this.token) {
      this.#prepared = true;
      // After this update: prepare() sets state, which must not happen inside it.
      queueMicrotask(() => void this.prepare());
    }
  }

  /**
   * The room's media for a recorder on this device (`<tiepdan-recorder>.source`), whatever the transport: this
   * device's tile first, then every visible participant's, labelled with point, name and role as on screen.
   */
  readonly mediaSource: RoomMediaSource = {
    tiles: () => {
      const s = this.s;
      const tile = (p: Participant, stream: MediaStream | null | undefined, id = p.participantId): RoomMediaTile => ({ id, stream: stream ?? null, point: this.#pointName(p.pointId) || undefined, name: p.name, role: s[`roles_${p.role}`] });
      const own = this.participants.find((p) => p.participantId === this.participantId);
      const out: RoomMediaTile[] = own ? [tile(own, this.localStream)] : [];
      for (const p of this.participants) {
        const remote = this.remotes.get(p.participantId);
        if (p.participantId === this.participantId || !remote) continue;
        out.push(tile(p, remote.stream));
        if (remote.screen) out.push(tile(p, remote.screen, `${p.participantId}:screen`));
      }
      return out;
    },
    onChange: (listener) => {
      this.#mediaListeners.add(listener);
      return () => this.#mediaListeners.delete(listener);
    },
  };
  readonly #mediaListeners = new Set<() => void>();

  /**
   * Starts every media element with play(), not only its autoplay attribute: Chromium does not start (and pauses)
   * a muted autoplay video that is off screen, so on a phone the tiles below the fold stayed on a frozen first
   * frame (`paused`, `currentTime` 0); playback started by play() is not paused that way. A sound that the
   * autoplay policy blocks (a page resumed without a click) starts at the next click or key press.
   */
  #playMedia(): void {
    for (const el of this.renderRoot.querySelectorAll<HTMLMediaElement>('video, audio')) {
      if (!el.srcObject || !el.paused || this.#starting.has(el)) continue;
      this.#starting.add(el);
      el.play().then(
        () => this.#starting.delete(el),
        (error: unknown) => {
          this.#starting.delete(el);
          if ((error as { name?: string } | undefined)?.name === 'NotAllowedError') this.#awaitGesture();
        },
      );
    }
  }
  readonly #starting = new WeakSet<HTMLMediaElement>();
  #gestureArmed = false;

  #awaitGesture(): void {
    if (this.#gestureArmed) return;
    this.#gestureArmed = true;
    const retry = () => {
      this.#gestureArmed = false;
      window.removeEventListener('pointerdown', retry, true);
      window.removeEventListener('keydown', retry, true);
      this.#playMedia();
    };
    window.addEventListener('pointerdown', retry, true);
    window.addEventListener('keydown', retry, true);
  }

  protected override updated(changed: PropertyValues<this>): void {
    this.#playMedia();
    // A new view (lobby, room, the end) takes the focus to its heading, so screen readers announce where we are.
    if (changed.has('view' as keyof TiepdanRoom) && changed.get('view' as keyof TiepdanRoom) !== undefined && this.view !== 'prejoin' && this.view !== 'connecting') {
      this.renderRoot.querySelector<HTMLElement>('h2[tabindex="-1"]')?.focus();
    }
    const media = changed as Map<PropertyKey, unknown>;
    if (media.has('remotes') || media.has('localStream') || media.has('participants')) for (const listener of [...this.#mediaListeners]) listener();
    if (changed.has('recordingState')) {
      const before = changed.get('recordingState') as RoomRecording | undefined;
      const now = this.recordingState;
      if (!before || before.state !== now.state || before.source !== now.source || before.alarm !== now.alarm) this.emit('tiepdan-recording-state', { ...now });
    }
  }

  // ---------------------------------------------------------------------------------------------- pre-join

  /** Opens the devices and runs the network check; called by itself once server, session and token are set. */
  async prepare(): Promise<void> {
    await Promise.all([this.#openDevices(), this.checkNetwork()]);
  }

  async #openDevices(): Promise<void> {
    const stream = await openMedia({ cameraId: this.cameraId || undefined, microphoneId: this.microphoneId || undefined });
    for (const track of this.localStream?.getTracks() ?? []) if (!stream?.getTracks().includes(track)) track.stop();
    this.localStream = stream;
    this.devicesFailed = !stream;
    this.#meter.watch('local', stream);
    if (stream) {
      this.devices = await listDevices();
      this.cameraId ||= stream.getVideoTracks()[0]?.getSettings().deviceId ?? '';
      this.microphoneId ||= stream.getAudioTracks()[0]?.getSettings().deviceId ?? '';
      for (const track of stream.getTracks()) track.enabled = !this.muted[track.kind as 'audio' | 'video'];
      if (this.#media) await this.#media.publish(stream);
    }
  }

  async checkNetwork(): Promise<void> {
    this.network = 'checking';
    try {
      this.network = await checkNetwork(this.server);
      // On a weak line the camera starts off, unless the citizen has already chosen for themselves.
      if (this.network.advice === 'audio-only' && !this.#cameraChosen) this.setMuted('video', true);
    } catch {
      this.network = 'failed';
    }
  }

  #sampleLevels(): void {
    if (this.view === 'prejoin') {
      const level = Math.round(this.#meter.level('local') * 100) / 100;
      if (level !== this.level) this.level = level;
    } else if (this.view === 'room') {
      let best: string | undefined;
      let loudest = 0.08;
      for (const key of this.#meter.keys()) {
        if (key === 'local' && this.muted.audio) continue;
        const level = this.#meter.level(key);
        if (level > loudest) (loudest = level), (best = key === 'local' ? this.participantId : key);
      }
      if (best !== undefined && best !== this.speaker) this.speaker = best;
    }
  }

  // ---------------------------------------------------------------------------------------------- joining

  /** Joins the room (the citizen must have acknowledged the notice); resolves once the server said hello. */
  async join(): Promise<void> {
    const info = tokenInfo(this.token);
    if (!this.server || !this.session || !this.token) {
      this.#fail('bad_request', { vi: roomStrings('vi').missing, en: roomStrings('en').missing });
      return;
    }
    if (!this.acknowledged) {
      this.noticeError = true;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('#notice-ack')?.focus();
      throw new RoomActionError('notice_required', { vi: roomStrings('vi').noticeRequired, en: roomStrings('en').noticeRequired });
    }
    this.noticeError = false;
    this.view = 'connecting';
    let connection: Awaited<ReturnType<typeof loadConnection>>;
    try {
      connection = await loadConnection();
    } catch (error) {
      this.#closed(undefined, error);
      return;
    }
    const { SignalingClient, signalingPort } = connection;
    const url = `${this.server.replace(/\/+$/u, '').replace(/^http/u, 'ws')}/ws`;
    const client = new SignalingClient({
      url,
      sessionId: this.session,
      auth: () => ({ kind: info.kind, token: this.token }),
      notice: { version: ROOM_NOTICE_VERSION, acknowledgedAt: new Date().toISOString() },
      ...(this.point ? { point: this.point } : {}),
      backoff: { initialMs: 500, maxMs: 5000 },
    });
    this.#client = client;
    this.#port = signalingPort(client);
    this.#offs.push(client.onEvent((event) => this.#onEvent(event)));
    this.#offs.push(client.onState((s, detail) => void this.#onState(s, detail)));
    try {
      const hello = await client.connect();
      this.#applyHello(hello);
      this.emit('tiepdan-joined', { participantId: hello.participantId, role: hello.role, status: hello.status });
      if (hello.status === 'lobby') this.view = 'lobby';
      else await this.#enterRoom();
    } catch (error) {
      if (this.view === 'connecting') this.#closed(client.lastClose?.code, error);
    }
  }

  #applyHello(hello: RequestResult<'hello'>): void {
    this.participantId = hello.participantId;
    this.roomRole = hello.role;
    this.#applySnapshot(hello.room);
    if (hello.status === 'lobby') this.position = { position: hello.lobbyPosition ?? 1 };
  }

  #applySnapshot(room: RequestResult<'roster.get'>): void {
    this.roomState = room.state;
    this.participants = room.participants;
    this.caseId = room.caseId;
    this.floor = room.floor;
    this.points = room.points;
    if (room.lobby) this.queue = room.lobby;
    // A session without a recording (or an older server) sends none: the indicator then says so.
    if (room.recording) this.recordingState = { state: room.recording.state, source: 'server', alarm: room.recording.alarm?.code };
    this.#syncPeers();
  }

  #members(): string[] {
    return this.participants.filter((p) => p.status !== 'lobby' && p.participantId !== this.participantId).map((p) => p.participantId);
  }

  #syncPeers(): void {
    this.#media?.setParticipants(this.#members());
  }

  async #enterRoom(): Promise<void> {
    this.view = 'room';
    this.wasReturned = false;
    if (this.#media) return;
    let credentials: RequestResult<'media.credentials'> = { ...(this.#client?.hello?.turn ? { turn: this.#client.hello.turn } : {}), ...(this.#client?.hello?.jitsi ? { jitsi: this.#client.hello.jitsi } : {}) };
    if (!credentials.jitsi) credentials = await this.#client!.request('media.credentials', {}).catch(() => credentials);
    const choice = chooseTransport({ participants: this.#members().length + 1, jitsiConfigured: !!credentials.jitsi, preference: this.transport, jitsiFailed: this.#jitsiFailed });
    this.transportChoice = choice;
    if (choice.kind === 'none') return;
    let media: MediaTransport;
    if (choice.kind === 'jitsi') {
      try {
        const { JitsiTransport } = await import('@tiepdan/core/media/jitsi');
        media = new JitsiTransport(this.jitsiScript ? { scriptUrl: this.jitsiScript } : {});
        this.#wireMedia(media);
        await media.join({ participantId: this.participantId!, jitsi: credentials.jitsi, turn: credentials.turn });
      } catch (error) {
        this.#jitsiFailed = true;
        const e = error instanceof MediaTransportError ? error : new MediaTransportError('media_failed', String(error));
        this.#fail(e.code, e.message_);
        this.#media = undefined;
        const fallback = chooseTransport({ participants: this.#members().length + 1, jitsiConfigured: true, preference: this.transport, jitsiFailed: true });
        this.transportChoice = fallback;
        if (fallback.kind !== 'native') return;
        media = await this.#native(credentials);
      }
    } else media = await this.#native(credentials);
    this.#media = media;
    if (this.localStream && media.kind === 'jitsi') await media.publish(this.localStream);
    this.#syncPeers();
    clearInterval(this.#statsTimer);
    this.#statsTimer = setInterval(() => void this.#sampleStats(), 2000);
  }

  async #native(credentials: RequestResult<'media.credentials'>): Promise<MediaTransport> {
    const media = new loaded!.MeshTransport({ port: this.#port! });
    this.#wireMedia(media);
    // Tracks first: offers already waiting are then answered with our media, without a second negotiation.
    if (this.localStream) await media.publish(this.localStream);
    await media.join({ participantId: this.participantId!, turn: credentials.turn });
    return media;
  }

  #wireMedia(media: MediaTransport): void {
    this.#media = media;
    this.#offs.push(
      media.on('remote', (remote) => {
        this.remotes = new Map(this.remotes).set(remote.participantId, remote);
        this.#meter.watch(remote.participantId, remote.stream);
      }),
      media.on('remote-removed', ({ participantId }) => {
        const next = new Map(this.remotes);
        next.delete(participantId);
        this.remotes = next;
        this.#meter.unwatch(participantId);
      }),
      media.on('error', ({ error }) => this.#fail(error.code, error.message_)),
    );
  }

  async #sampleStats(): Promise<void> {
    const media = this.#media;
    if (!media) return;
    const list = await media.stats().catch(() => []);
    this.stats = new Map(list.map((s) => [s.participantId, s]));
    this.#statsRound += 1;
    if (this.#statsRound % 5 === 1 && this.#client) {
      const worst = list.map((s) => s.quality).sort((a, b) => ORDER.indexOf(b) - ORDER.indexOf(a))[0] ?? (this.reconnecting ? 'lost' : 'good');
      const rtts = list.map((s) => s.rttMs).filter((v): v is number => typeof v === 'number');
      const stream = this.localStream;
      void this.#client
        .request('health.report', {
          quality: worst,
          ...(rtts.length ? { rttMs: Math.max(...rtts) } : {}),
          devices: { camera: !!stream?.getVideoTracks().some((t) => t.readyState === 'live'), microphone: !!stream?.getAudioTracks().some((t) => t.readyState === 'live') },
        })
        .catch(() => undefined);
    }
  }

  // ---------------------------------------------------------------------------------------------- events

  #upsert(p: Participant): void {
    const i = this.participants.findIndex((q) => q.participantId === p.participantId);
    this.participants = i < 0 ? [...this.participants, p] : this.participants.map((q, j) => (j === i ? p : q));
  }

  #onEvent(event: RoomEvent): void {
    switch (event.type) {
      case 'recording.state':
        this.recordingState = { ...this.recordingState, state: event.state, source: 'server' };
        break;
      case 'recording.alarm':
        this.recordingState = { ...this.recordingState, source: 'server', alarm: event.alarm.code };
        break;
      case 'recording.alarm_cleared':
        this.recordingState = { ...this.recordingState, alarm: undefined };
        break;
      case 'room.state':
        this.roomState = event.state;
        if (event.state === 'ended') void this.#finish('ended');
        break;
      case 'participant.joined':
      case 'participant.updated':
        this.#upsert(event.participant);
        this.#syncPeers();
        break;
      case 'participant.left':
        this.participants = this.participants.filter((p) => p.participantId !== event.participantId);
        this.#syncPeers();
        break;
      case 'lobby.updated':
        this.queue = event.queue;
        break;
      case 'lobby.position':
        this.position = { position: event.position, size: event.size };
        break;
      case 'lobby.admitted':
        this.emit('tiepdan-admitted', { caseId: event.caseId });
        this.caseId = event.caseId;
        void this.#refresh().then(() => this.#enterRoom());
        break;
      case 'lobby.returned':
        this.position = { position: event.position };
        this.wasReturned = true;
        void this.#stopMedia();
        this.view = 'lobby';
        break;
      case 'lobby.denied':
        this.deniedReason = event.reason;
        void this.#finish('denied');
        break;
      case 'case.changed':
        this.caseId = event.caseId;
        break;
      case 'case.updated':
        this.#caseUpdated(event.caseId);
        break;
      case 'floor.changed':
        this.floor = event.participantId;
        break;
      case 'chat.message':
        this.chat = [...this.chat, { messageId: event.messageId, name: event.name, text: event.text, at: event.at, mine: event.from === this.participantId }];
        break;
      case 'mute.requested':
        this.setMuted(event.media, true);
        this.announcement = fmt(this.s.muteRequested, { media: event.media === 'audio' ? this.s.mediaAudio : this.s.mediaVideo });
        break;
      case 'point.health': {
        const i = this.points.findIndex((p) => p.id === event.point.id);
        this.points = i < 0 ? [...this.points, event.point] : this.points.map((p, j) => (j === i ? event.point : p));
        break;
      }
      default:
        break;
    }
  }

  async #refresh(): Promise<void> {
    const room = await this.#client?.request('roster.get', {}).catch(() => undefined);
    if (room) this.#applySnapshot(room);
  }

  async #onState(s: string, detail?: { code?: number; reason?: string }): Promise<void> {
    if (this.view === 'connecting' || this.view === 'prejoin') return;
    if (s === 'reconnecting') {
      if (!this.reconnecting) this.emit('tiepdan-reconnecting', { state: 'reconnecting' });
      this.reconnecting = true;
    } else if (s === 'resumed' || s === 'connected') {
      const wasReconnecting = this.reconnecting;
      this.reconnecting = false;
      if (!wasReconnecting) return;
      this.announcement = this.s.reconnected;
      const hello = this.#client!.hello!;
      const previousId = this.participantId;
      this.emit('tiepdan-reconnecting', { state: s === 'resumed' ? 'resumed' : 'rejoined' });
      this.#applyHello(hello);
      if (s === 'connected') await this.#refresh();
      if (hello.status === 'lobby' && this.view === 'room') {
        await this.#stopMedia();
        this.view = 'lobby';
      } else if (hello.participantId !== previousId && this.#media) {
        // A new place (the resume window had passed): the others know us by the new id; start media over.
        await this.#stopMedia();
        await this.#enterRoom();
      }
      this.#media?.networkChanged();
    } else if (s === 'failed') this.#closed(detail?.code);
  }

  #closed(code: number | undefined, error?: unknown): void {
    if (code === CLOSE_CODES.DENIED) void this.#finish('denied');
    else if (code === CLOSE_CODES.ROOM_ENDED) void this.#finish('ended');
    else {
      const body = loaded && error instanceof loaded.SignalingError ? error.body.error : undefined;
      this.#fail(body?.code ?? 'network', body?.message ?? { vi: 'Không kết nối được tới phòng họp trực tuyến.', en: 'Cannot connect to the online room.' });
      void this.#finish('failed');
    }
  }

  #fail(code: string, message: Message): void {
    this.error = message;
    this.emit('tiepdan-error', { code, message: say(message, this.speaks) });
  }

  // ---------------------------------------------------------------------------------------------- actions

  async #act<T extends RequestType>(permission: RoomPermission | null, type: T, params: RequestParams<T>): Promise<RequestResult<T>> {
    const client = this.#client;
    if (!client || !this.roomRole) throw new RoomActionError('not_joined');
    if (permission && !canInRoom(this.roomRole, permission)) throw new RoomActionError('forbidden');
    try {
      return await client.request(type, params);
    } catch (error) {
      if (loaded && error instanceof loaded.SignalingError) {
        this.#fail(error.code, error.body.error.message);
        throw new RoomActionError(error.code, error.body.error.message);
      }
      throw error;
    }
  }

  /** Opens the room so citizens can be admitted (chair, clerk). */
  openRoom(): Promise<void> {
    return this.#act('room.open', 'room.open', {}).then(() => void (this.roomState = 'open'));
  }
  /** Admits a citizen from the lobby, optionally bound to a case (chair, clerk). */
  admit(participantId: string, caseId?: string): Promise<void> {
    return this.#act('lobby.manage', 'lobby.admit', { participantId, ...(caseId ? { caseId } : {}) }).then(() => undefined);
  }
  /** Denies a citizen with a reason the citizen is shown (chair, clerk). */
  deny(participantId: string, reason: string): Promise<void> {
    return this.#act('lobby.manage', 'lobby.deny', { participantId, reason }).then(() => undefined);
  }
  /** Sends an admitted citizen back to the lobby (chair, clerk). */
  returnToLobby(participantId: string): Promise<void> {
    return this.#act('lobby.manage', 'lobby.return', { participantId }).then(() => undefined);
  }
  #desk: Promise<unknown> | undefined;
  /** Loads <tiepdan-desk> once, when the room first shows a desk case (a failed download is tried again next time). */
  loadDesk(): void {
    this.#desk ??= import('../desk/desk.js').catch((error: unknown) => {
      this.#desk = undefined;
      console.warn('tiepdan: <tiepdan-desk> could not be loaded', error);
    });
  }

  /**
   * A desk step was recorded on a case of this session (by this desk, another official's, or the citizen's own
   * confirmation): the desk panel showing that case and the citizen's view read it again, so nobody presses
   * "Tải lại" to see the citizen's confirmation or the officer's outcome.
   */
  #caseUpdated(caseId: string): void {
    type Reloadable = HTMLElement & { caseId?: string; pending?: { caseId: string } | null; load?: () => Promise<void> };
    const desk = this.renderRoot.querySelector<Reloadable>('tiepdan-desk');
    if (desk?.caseId === caseId) void desk.load?.();
    // The citizen's view may not know the case yet (no content before this step): it asks the server which is theirs.
    const own = this.renderRoot.querySelector<Reloadable>('tiepdan-confirmation');
    if (own && (!own.pending || own.pending.caseId === caseId)) void own.load?.();
  }

  #confirmationLoad: Promise<unknown> | undefined;
  /** An admitted citizen's own view of their case (content to confirm, receipt), loaded on demand. */
  #confirmation() {
    this.#confirmationLoad ??= import('../confirmation/confirmation.js').catch(() => (this.#confirmationLoad = undefined));
    return html`<section class="panel"><tiepdan-confirmation .server=${this.server} .token=${this.token} lang=${this.speaks}></tiepdan-confirmation></section>`;
  }

  /** Sets or clears the case being received (chair, clerk). */
  setCase(caseId: string | null): Promise<void> {
    return this.#act('case.set', 'case.set', { caseId }).then(() => undefined);
  }
  /** Gives the floor, or takes it back with null (chair). */
  giveFloor(participantId: string | null): Promise<void> {
    return this.#act('floor.give', 'floor.give', { participantId }).then(() => undefined);
  }
  /** Ends the session for everyone (chair). */
  async endSession(): Promise<void> {
    await this.#act('room.end', 'room.end', {});
    await this.#finish('ended');
  }
  /** Raises or lowers the hand (everyone but the chair and observers). */
  raiseHand(raised: boolean): Promise<void> {
    return this.#act('hand.raise', 'hand.raise', { raised }).then(() => undefined);
  }
  sendChat(text: string): Promise<void> {
    return this.#act('chat.send', 'chat.send', { text }).then(() => undefined);
  }

  setMuted(kind: 'audio' | 'video', muted: boolean): void {
    this.muted = { ...this.muted, [kind]: muted };
    for (const track of this.localStream?.getTracks() ?? []) if (track.kind === kind) track.enabled = !muted;
    this.#media?.setMuted(kind, muted);
  }

  /** Shares a screen, a window or a document open in a tab (roles that may share). */
  async shareScreen(): Promise<void> {
    if (!this.roomRole || !canInRoom(this.roomRole, 'screen.share')) throw new RoomActionError(this.roomRole ? 'forbidden' : 'not_joined');
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    this.#screenTrack = track;
    track.addEventListener('ended', () => void this.stopScreenShare());
    await this.#media?.startScreenShare(track);
    this.sharing = true;
    await this.#act('screen.share', 'screen.share', { active: true }).catch(() => undefined);
  }

  async stopScreenShare(): Promise<void> {
    if (!this.sharing) return;
    this.sharing = false;
    this.#screenTrack?.stop();
    this.#screenTrack = undefined;
    await this.#media?.stopScreenShare();
    await this.#act('screen.share', 'screen.share', { active: false }).catch(() => undefined);
  }

  /** The media link to each participant (bytes, round trip, loss, quality): for operators' tools and tests. */
  async mediaStats(): Promise<ParticipantStats[]> {
    return (await this.#media?.stats()) ?? [];
  }

  /** The native transport's peer connection states (operators' diagnostics); empty on Jitsi. */
  mediaDiagnostics(): Record<string, unknown>[] {
    const media = this.#media as { diagnostics?: () => Record<string, unknown>[] } | undefined;
    return media?.diagnostics?.() ?? [];
  }

  /** The transport in use, if any (after admission). */
  get mediaTransport(): 'native' | 'jitsi' | undefined {
    return this.#media?.kind;
  }

  /** Leaves the session for good (the place is given up). */
  async leave(): Promise<void> {
    await this.#finish('left');
  }

  async #stopMedia(): Promise<void> {
    clearInterval(this.#statsTimer);
    const media = this.#media;
    this.#media = undefined;
    this.remotes = new Map();
    await media?.leave().catch(() => undefined);
  }

  async #finish(view: 'left' | 'denied' | 'ended' | 'failed'): Promise<void> {
    if (this.view === view) return;
    const was = this.view;
    this.view = view;
    this.reconnecting = false;
    await this.#teardown(view === 'left');
    if (was !== 'prejoin') this.emit('tiepdan-left', { reason: view === 'left' ? 'bye' : view });
  }

  async #teardown(bye = false): Promise<void> {
    await this.#stopMedia();
    const client = this.#client;
    this.#client = undefined;
    for (const off of this.#offs.splice(0)) off();
    if (client) {
      if (bye) await client.close();
      else void client.close();
    }
    await this.stopScreenShare();
    for (const track of this.localStream?.getTracks() ?? []) track.stop();
    this.localStream = undefined;
    this.#meter.close();
    this.#meter = new LevelMeter();
  }

  // ---------------------------------------------------------------------------------------------- render

  protected override render() {
    const s = this.s;
    return html`
      <div class="status sr-only" role="status" aria-live="polite">${this.announcement}</div>
      ${this.reconnecting ? html`<div class="banner" role="alert">${s.reconnecting}</div>` : nothing}
      ${this.error && this.view !== 'failed' ? html`<div class="error-summary" role="alert"><p>${say(this.error, this.speaks)}</p></div>` : nothing}
      ${this.#renderView()}
    `;
  }

  #renderView() {
    const s = this.s;
    switch (this.view) {
      case 'prejoin':
      case 'connecting':
        return this.#renderPrejoin();
      case 'lobby':
        return this.#renderLobby();
      case 'room':
        return this.#renderRoom();
      case 'left':
        return html`<section class="end"><h2 tabindex="-1">${s.leftHeading}</h2><p>${s.leftText}</p></section>`;
      case 'denied':
        return html`<section class="end"><h2 tabindex="-1">${s.deniedHeading}</h2><p>${fmt(s.deniedText, { reason: this.deniedReason })}</p></section>`;
      case 'ended':
        return html`<section class="end"><h2 tabindex="-1">${s.endedHeading}</h2></section>`;
      case 'failed':
        return html`<section class="end"><h2 tabindex="-1">${s.failedHeading}</h2>${this.error ? html`<p role="alert">${say(this.error, this.speaks)}</p>` : nothing}</section>`;
    }
  }

  #renderPrejoin() {
    return prejoinView({
      s: this.s,
      name: tokenInfo(this.token).name,
      pointName: this.point?.name,
      missing: !this.server || !this.session || !this.token,
      devices: this.devices,
      cameraId: this.cameraId,
      microphoneId: this.microphoneId,
      localStream: this.localStream,
      devicesFailed: this.devicesFailed,
      level: this.level,
      network: this.network,
      cameraOff: this.muted.video,
      pickCameraOff: (off) => {
        this.#cameraChosen = true;
        this.setMuted('video', off);
      },
      acknowledged: this.acknowledged,
      noticeError: this.noticeError,
      connecting: this.view === 'connecting',
      pickCamera: (id) => {
        this.cameraId = id;
        void this.#openDevices();
      },
      pickMicrophone: (id) => {
        this.microphoneId = id;
        void this.#openDevices();
      },
      recheck: () => void this.checkNetwork(),
      acknowledge: (checked) => {
        this.acknowledged = checked;
        if (checked) this.noticeError = false;
      },
      join: () => void this.join().catch(() => undefined),
    });
  }

  #renderLobby() {
    const s = this.s;
    const p = this.position;
    return html`<section class="lobby" aria-labelledby="lobby-heading">
      <h2 id="lobby-heading" tabindex="-1">${s.lobbyHeading}</h2>
      ${this.#renderRecording()}
      ${this.wasReturned ? html`<p>${s.lobbyReturned}</p>` : nothing}
      <p class="wait">${s.lobbyWait}</p>
      ${p ? html`<p class="position" role="status">${p.size ? fmt(s.lobbyPosition, { position: p.position, size: p.size }) : fmt(s.lobbyPositionOnly, { position: p.position })}</p>` : nothing}
      ${this.roomState === 'pending' ? html`<p class="hint">${s.lobbyNotOpen}</p>` : nothing}
      <video class="mirror small" aria-label=${s.preview} .srcObject=${guard([this.localStream ?? null], () => this.localStream ?? null)} autoplay playsinline .muted=${true}></video>
      <div><button type="button" class="secondary" @click=${() => void this.leave()}>${s.leave}</button></div>
    </section>`;
  }

  #renderRecording() {
    const s = this.s;
    const r = this.recordingState;
    const on = r.state === 'recording';
    const label = on ? s.recording : r.source === 'none' ? s.notRecording : s[`recording_${r.state}`];
    return html`<p class="recording ${on ? 'on' : 'off'}" role="status" id="recording">
      <span class="dot" aria-hidden="true"></span>
      <span>${label}${r.source === 'none' ? html`<span class="hint-inline"> (${s.notRecordingHint})</span>` : nothing}</span>
      ${r.alarm && this.roomRole && this.roomRole !== 'citizen' ? html`<strong class="alarm">${s[r.alarm === 'no_recorder' ? 'alarmNoRecorder' : 'alarmFailed']}</strong>` : nothing}
    </p>`;
  }

  #name(id: string | null | undefined): string {
    if (!id) return '';
    return this.participants.find((p) => p.participantId === id)?.name ?? id;
  }

  #pointName(pointId: string | undefined): string | undefined {
    if (!pointId) return undefined;
    return this.points.find((p) => p.id === pointId)?.name ?? (this.point?.id === pointId ? this.point.name : undefined);
  }

  #quality(q: NetworkQuality | undefined): string {
    return qualityLabel(this.s, q);
  }

  /** An operator sees their own point; the chair and the clerk see every point. */
  #healthPoints(): PointHealth[] {
    const mine = this.#client?.hello?.room.participants.find((p) => p.participantId === this.participantId)?.pointId ?? this.point?.id;
    return this.roomRole === 'operator' && mine ? this.points.filter((p) => p.id === mine) : this.points;
  }

  #renderRoom() {
    const s = this.s;
    const role = this.roomRole!;
    const me = this.participants.find((p) => p.participantId === this.participantId);
    const others = this.participants.filter((p) => p.participantId !== this.participantId && p.status !== 'lobby');
    const manages = canInRoom(role, 'lobby.manage');
    return html`<section class="room" aria-labelledby="room-heading">
      <div class="top">
        <h2 id="room-heading" tabindex="-1">${s.roomHeading}</h2>
        ${this.#renderRecording()}
      </div>
      <p class="floor">${this.floor ? fmt(s.floor, { name: this.#name(this.floor) }) : s.floorNobody}</p>
      ${manages && this.roomState === 'pending'
        ? html`<div class="notice"><p>${s.roomPending}</p><button part="button" type="button" id="open-room" @click=${() => void this.openRoom().catch(() => undefined)}>${s.openRoom}</button></div>`
        : nothing}
      <ul class="tiles" aria-label=${s.participants}>
        ${this.#renderTile(me ?? { participantId: this.participantId!, role, name: tokenInfo(this.token).name ?? '', status: 'present', connected: true, hand: false, screen: this.sharing }, true)}
        ${repeat(others, (p) => p.participantId, (p) => this.#renderTile(p, false))}
      </ul>
      ${this.#renderControls(me)}
      <div class="panels">
        ${manages ? lobbyPanel(this.#lobbyPanel(), s) : nothing}
        ${manages || role === 'chair' ? casePanel(this.#casePanel(), s, this.speaks) : nothing}
        ${role !== 'citizen' ? transportPanel(this.transportChoice, s, this.speaks) : nothing}
        ${role === 'operator' || role === 'chair' || role === 'clerk' ? healthPanel(this.#healthPoints(), s) : nothing}
        ${role === 'citizen' && this.caseId ? this.#confirmation() : nothing}
        ${chatPanel({ chat: this.chat, canSend: canInRoom(role, 'chat.send'), send: (text) => this.sendChat(text) }, s)}
      </div>
    </section>`;
  }

  #lobbyPanel(): LobbyPanel {
    return {
      queue: this.queue,
      open: this.roomState === 'open',
      denying: this.denying,
      admit: (id) => void this.admit(id, admitCase(this.caseId)).catch(() => undefined),
      toggleDeny: (id) => void (this.denying = this.denying === id ? undefined : id),
      deny: (id, reason) => void this.deny(id, reason).then(() => (this.denying = undefined)).catch(() => undefined),
    };
  }

  #casePanel(): CasePanel {
    const desk = isDeskCase(this.caseId) && canInRoom(this.roomRole!, 'lobby.manage');
    // The desk is its own element, loaded the first time a case needs it: the room's first screen stays small.
    if (desk) this.loadDesk();
    return { server: this.server, token: this.token, caseId: this.caseId, desk, canSet: canInRoom(this.roomRole!, 'case.set'), setCase: (caseId) => this.setCase(caseId) };
  }

  #renderTile(p: Participant, self: boolean) {
    const s = this.s;
    const remote = self ? undefined : this.remotes.get(p.participantId);
    const stream = self ? this.localStream : remote?.stream;
    const st = this.stats.get(p.participantId);
    const point = this.#pointName(p.pointId);
    const tags = [
      this.floor === p.participantId ? s.hasFloor : '',
      this.speaker === p.participantId ? s.speaking : '',
      p.hand ? s.handRaised : '',
      p.screen ? s.sharing : '',
      self && this.muted.audio ? s.muted : '',
    ].filter(Boolean);
    const chair = this.roomRole === 'chair' && !self;
    return html`<li part="tile" class="tile ${this.speaker === p.participantId ? 'speaking' : ''} ${this.floor === p.participantId ? 'floor' : ''}" data-participant=${p.participantId}>
      <video class=${self ? 'mirror' : ''} .srcObject=${guard([stream ?? null], () => stream ?? null)} autoplay playsinline .muted=${true} aria-hidden="true"></video>
      ${self || !stream ? nothing : html`<audio .srcObject=${guard([stream], () => stream)} autoplay></audio>`}
      ${remote?.screen ? html`<video class="screen" .srcObject=${guard([remote.screen], () => remote.screen)} autoplay playsinline .muted=${true} aria-label=${s.sharing}></video>` : nothing}
      <div class="label">
        <strong>${self ? fmt(s.you, { name: p.name }) : p.name}</strong>
        <span>${[s[`roles_${p.role}`], point].filter(Boolean).join(' · ')}</span>
        ${tags.length ? html`<span class="tags">${tags.join(' · ')}</span>` : nothing}
        ${self ? nothing : html`<span class="quality q-${st?.quality ?? 'unknown'}">${s.quality}: ${this.#quality(p.connected ? st?.quality : 'lost')}</span>`}
        ${chair && p.role !== 'observer'
          ? html`<button type="button" class="secondary small" @click=${() => void this.giveFloor(this.floor === p.participantId ? null : p.participantId).catch(() => undefined)}>
              ${this.floor === p.participantId ? s.takeFloor : s.giveFloor}<span class="sr-only">: ${p.name}</span></button>`
          : nothing}
        ${canInRoom(this.roomRole!, 'lobby.manage') && p.role === 'citizen' && p.status === 'admitted'
          ? html`<button type="button" class="secondary small" @click=${() => void this.returnToLobby(p.participantId).catch(() => undefined)}>${s.returnLobby}<span class="sr-only">: ${p.name}</span></button>`
          : nothing}
      </div>
    </li>`;
  }

  #renderControls(me: Participant | undefined) {
    const s = this.s;
    const role = this.roomRole!;
    return html`<div class="controls" part="controls" role="group" aria-label=${s.roomHeading}>
      <button type="button" id="mute" aria-pressed=${this.muted.audio ? 'true' : 'false'} @click=${() => this.setMuted('audio', !this.muted.audio)}>${this.muted.audio ? s.unmuteMic : s.muteMic}</button>
      <button type="button" id="camera-toggle" aria-pressed=${this.muted.video ? 'true' : 'false'} @click=${() => this.setMuted('video', !this.muted.video)}>${this.muted.video ? s.cameraOn : s.cameraOff}</button>
      ${canInRoom(role, 'screen.share')
        ? html`<button type="button" id="share" @click=${() => void (this.sharing ? this.stopScreenShare() : this.shareScreen()).catch(() => undefined)}>${this.sharing ? s.stopShare : s.share}</button>`
        : nothing}
      ${canInRoom(role, 'hand.raise')
        ? html`<button type="button" id="hand" aria-pressed=${me?.hand ? 'true' : 'false'} @click=${() => void this.raiseHand(!me?.hand).catch(() => undefined)}>${me?.hand ? s.lowerHand : s.raiseHand}</button>`
        : nothing}
      ${canInRoom(role, 'room.end')
        ? html`<button type="button" id="end" class="danger" @click=${() => { if (confirm(s.endConfirm)) void this.endSession().catch(() => undefined); }}>${s.endSession}</button>`
        : nothing}
      <button type="button" id="leave" class="secondary" @click=${() => void this.leave()}>${s.leave}</button>
    </div>`;
  }
}
