/**
 * The Jitsi transport, for larger sessions and deployments that run Jitsi Meet / Videobridge. lib-jitsi-meet is
 * loaded at run time from the deployment (`https://<domain>/libs/lib-jitsi-meet.min.js`, overridable), because
 * its version must match the deployment's. Our server's room stays the authority: the Jitsi room and its JWT are
 * handed out only to admitted participants, and tiles follow our roster. lib-jitsi-meet says nothing at all
 * when a server is silent, so every step (loading, connecting, joining) has our own time-out.
 *
 * Participants are matched by display name: each client sets its Jitsi display name to its tiepdan participant
 * id, and the element shows names from our roster (a denouncer's name never reaches Jitsi).
 *
 * Loaded with a dynamic import only when the policy picks Jitsi, so the room element's first download stays small.
 */
import type { JitsiConference, JitsiConnection, JitsiMeetJSStatic, JitsiTrack } from './lib-jitsi-meet.js';
import {
  MediaTransportError,
  TransportEvents,
  qualityOf,
  withTimeout,
  type JoinOptions,
  type MediaKind,
  type MediaTransport,
  type MediaTransportEvents,
  type MediaTransportListener,
  type ParticipantStats,
  type RemoteMedia,
  type TransportState,
} from './transport.js';

export const JITSI_TIMEOUTS = {
  /** Loading the script from the deployment. */
  loadMs: 15_000,
  /** From connect() to CONNECTION_ESTABLISHED / FAILED. */
  connectMs: 15_000,
  /** From join() to CONFERENCE_JOINED / FAILED. */
  joinMs: 15_000,
};

export function jitsiScriptUrl(domain: string): string {
  return `https://${domain}/libs/lib-jitsi-meet.min.js`;
}

const REQUIRED_CONNECTION_EVENTS = ['CONNECTION_ESTABLISHED', 'CONNECTION_FAILED'] as const;
const REQUIRED_CONFERENCE_EVENTS = ['CONFERENCE_JOINED', 'CONFERENCE_FAILED', 'CONNECTION_INTERRUPTED', 'TRACK_ADDED', 'TRACK_REMOVED', 'USER_JOINED', 'USER_LEFT'] as const;

/** Does this object have the API the adapter uses? A deployment's build without it is "incompatible". */
export function checkJitsiApi(api: unknown): api is JitsiMeetJSStatic {
  const j = api as Partial<JitsiMeetJSStatic> | undefined;
  if (!j || typeof j.init !== 'function' || typeof j.JitsiConnection !== 'function' || typeof j.createLocalTracks !== 'function') return false;
  const connection = j.events?.connection as Record<string, unknown> | undefined;
  const conference = j.events?.conference as Record<string, unknown> | undefined;
  return REQUIRED_CONNECTION_EVENTS.every((name) => typeof connection?.[name] === 'string') && REQUIRED_CONFERENCE_EVENTS.every((name) => typeof conference?.[name] === 'string');
}

const loading = new Map<string, Promise<JitsiMeetJSStatic>>();

/**
 * Loads lib-jitsi-meet from `url` once per page (a script element: the ward page's CSP must allow the
 * deployment in script-src). Rejects with media_unreachable, media_timeout or media_incompatible.
 */
export function loadJitsi(url: string, timeoutMs = JITSI_TIMEOUTS.loadMs): Promise<JitsiMeetJSStatic> {
  const existing = window.JitsiMeetJS;
  if (existing) return checkJitsiApi(existing) ? Promise.resolve(existing) : Promise.reject(new MediaTransportError('media_incompatible', 'JitsiMeetJS lacks the API we use'));
  let promise = loading.get(url);
  if (!promise) {
    const script = document.createElement('script');
    promise = withTimeout(
      new Promise<JitsiMeetJSStatic>((resolve, reject) => {
        script.onload = () => {
          const api = window.JitsiMeetJS;
          if (checkJitsiApi(api)) resolve(api);
          else reject(new MediaTransportError('media_incompatible', `${url} has no compatible JitsiMeetJS`));
        };
        script.onerror = () => reject(new MediaTransportError('media_unreachable', url));
      }),
      timeoutMs,
      () => new MediaTransportError('media_timeout', `loading ${url}`),
    );
    script.src = url;
    script.async = true;
    document.head.append(script);
    // A failed load may be retried later (the deployment came back).
    promise.catch(() => {
      loading.delete(url);
      script.remove();
    });
    loading.set(url, promise);
  }
  return promise;
}

export interface JitsiOptions {
  /** The lib-jitsi-meet to use (tests pass a double); otherwise loaded from `scriptUrl`. */
  api?: JitsiMeetJSStatic;
  /** Overrides `https://<domain>/libs/lib-jitsi-meet.min.js`. */
  scriptUrl?: string;
  /** Overrides wss://<domain>/xmpp-websocket. */
  serviceUrl?: string;
  timeouts?: Partial<typeof JITSI_TIMEOUTS>;
}

export class JitsiTransport implements MediaTransport {
  readonly kind = 'jitsi' as const;
  readonly events = new TransportEvents();
  #state: TransportState = 'idle';
  #api: JitsiMeetJSStatic | undefined;
  #connection: JitsiConnection | undefined;
  #conference: JitsiConference | undefined;
  #local: JitsiTrack[] = [];
  #screen: JitsiTrack | undefined;
  /** Jitsi endpoint id → our participant id. */
  #ids = new Map<string, string>();
  #remote = new Map<string, { camera: MediaStream; screen?: MediaStream | undefined }>();
  #wanted = new Set<string>();
  #muted: Record<MediaKind, boolean> = { audio: false, video: false };
  readonly #timeouts: typeof JITSI_TIMEOUTS;

  constructor(private readonly options: JitsiOptions = {}) {
    this.#timeouts = { ...JITSI_TIMEOUTS, ...options.timeouts };
  }

  get state(): TransportState {
    return this.#state;
  }

  on<K extends keyof MediaTransportEvents>(type: K, listener: MediaTransportListener<K>): () => void {
    return this.events.on(type, listener);
  }

  async join(options: JoinOptions): Promise<void> {
    const access = options.jitsi;
    if (!access) throw new MediaTransportError('media_not_configured');
    this.#setState('connecting');
    try {
      const api = this.options.api ?? (await loadJitsi(this.options.scriptUrl ?? jitsiScriptUrl(access.domain), this.#timeouts.loadMs));
      if (!checkJitsiApi(api)) throw new MediaTransportError('media_incompatible');
      this.#api = api;
      api.init({ disableAudioLevels: false, enableWindowOnErrorHandler: false, enableAnalyticsLogging: false });
      api.setLogLevel?.(api.logLevels?.ERROR);
      const serviceUrl = this.options.serviceUrl ?? `wss://${access.domain}/xmpp-websocket`;
      const connection = new api.JitsiConnection(null, access.jwt, {
        hosts: { domain: access.domain, muc: `conference.${access.domain}` },
        serviceUrl: `${serviceUrl}?room=${encodeURIComponent(access.room)}`,
        bosh: `${serviceUrl}?room=${encodeURIComponent(access.room)}`,
        clientNode: 'https://tiepdan.vn',
      });
      this.#connection = connection;
      await this.#connect(api, connection);
      const conference = connection.initJitsiConference(access.room, { p2p: { enabled: false } });
      this.#conference = conference;
      this.#wire(api, conference);
      conference.setDisplayName(options.participantId);
      for (const track of this.#local) await conference.addTrack(track);
      await this.#joinConference(api, conference);
      this.#setState('connected');
    } catch (error) {
      this.#setState('failed');
      await this.#teardown();
      throw error instanceof MediaTransportError ? error : new MediaTransportError('media_failed', String((error as Error)?.message ?? error));
    }
  }

  #connect(api: JitsiMeetJSStatic, connection: JitsiConnection): Promise<void> {
    const { CONNECTION_ESTABLISHED, CONNECTION_FAILED } = api.events.connection;
    let off = () => {};
    const outcome = new Promise<void>((resolve, reject) => {
      const established = () => resolve();
      const failed = (reason?: unknown) => reject(new MediaTransportError('media_unreachable', String(reason ?? 'connection failed')));
      connection.addEventListener(CONNECTION_ESTABLISHED, established);
      connection.addEventListener(CONNECTION_FAILED, failed);
      off = () => {
        connection.removeEventListener(CONNECTION_ESTABLISHED, established);
        connection.removeEventListener(CONNECTION_FAILED, failed);
      };
      connection.connect();
    });
    return withTimeout(outcome, this.#timeouts.connectMs, () => new MediaTransportError('media_timeout', 'connecting to Jitsi')).finally(() => off());
  }

  #joinConference(api: JitsiMeetJSStatic, conference: JitsiConference): Promise<void> {
    const { CONFERENCE_JOINED, CONFERENCE_FAILED } = api.events.conference;
    const outcome = new Promise<void>((resolve, reject) => {
      conference.on(CONFERENCE_JOINED, () => resolve());
      conference.on(CONFERENCE_FAILED, (reason?: unknown) => reject(new MediaTransportError('media_failed', String(reason ?? 'conference failed'))));
      conference.join();
    });
    return withTimeout(outcome, this.#timeouts.joinMs, () => new MediaTransportError('media_timeout', 'joining the Jitsi room'));
  }

  #wire(api: JitsiMeetJSStatic, conference: JitsiConference): void {
    const e = api.events.conference;
    conference.on(e.USER_JOINED, (id: string, user?: { getDisplayName?(): string | undefined }) => {
      const ours = user?.getDisplayName?.();
      if (ours) this.#ids.set(id, ours);
    });
    conference.on(e.USER_LEFT, (id: string) => {
      const ours = this.#ids.get(id) ?? id;
      this.#remote.delete(ours);
      this.#ids.delete(id);
      this.events.emit('remote-removed', { participantId: ours });
    });
    conference.on(e.TRACK_ADDED, (track: JitsiTrack) => {
      if (track.isLocal()) return;
      const ours = this.#ours(track.getParticipantId());
      const entry = this.#remote.get(ours) ?? { camera: new MediaStream() };
      if (track.getType() === 'video' && track.getVideoType?.() === 'desktop') entry.screen = new MediaStream([track.getTrack()]);
      else entry.camera.addTrack(track.getTrack());
      this.#remote.set(ours, entry);
      if (this.#visible(ours)) this.events.emit('remote', { participantId: ours, stream: entry.camera, screen: entry.screen });
    });
    conference.on(e.TRACK_REMOVED, (track: JitsiTrack) => {
      if (track.isLocal()) return;
      const ours = this.#ours(track.getParticipantId());
      const entry = this.#remote.get(ours);
      if (!entry) return;
      if (entry.screen?.getTracks().includes(track.getTrack())) entry.screen = undefined;
      else entry.camera.removeTrack(track.getTrack());
      if (this.#visible(ours)) this.events.emit('remote', { participantId: ours, stream: entry.camera, screen: entry.screen });
    });
    conference.on(e.CONNECTION_INTERRUPTED, () => this.#setState('reconnecting'));
    if (e.CONNECTION_RESTORED) conference.on(e.CONNECTION_RESTORED, () => this.#setState('connected'));
  }

  #ours(jitsiId: string): string {
    return this.#ids.get(jitsiId) ?? this.#conference?.getParticipants().find((p) => p.getId() === jitsiId)?.getDisplayName() ?? jitsiId;
  }

  /** Our room decides who may be seen: media from someone it has not listed is not shown. */
  #visible(participantId: string): boolean {
    return this.#wanted.size === 0 || this.#wanted.has(participantId);
  }

  async leave(): Promise<void> {
    await this.#teardown();
    this.#setState('closed');
  }

  async #teardown(): Promise<void> {
    const conference = this.#conference;
    const connection = this.#connection;
    this.#conference = undefined;
    this.#connection = undefined;
    await conference?.leave().catch(() => undefined);
    await connection?.disconnect();
    for (const track of this.#local) await track.dispose().catch(() => undefined);
    this.#local = [];
  }

  /** Publishes the camera and microphone of `stream`: wrapped when the build can, else reopened by device id. */
  async publish(stream: MediaStream): Promise<void> {
    const api = this.#api ?? this.options.api;
    if (!api) throw new MediaTransportError('media_failed', 'publish before join');
    for (const old of this.#local) {
      await this.#conference?.removeTrack(old).catch(() => undefined);
      await old.dispose().catch(() => undefined);
    }
    let tracks: JitsiTrack[];
    if (api.createLocalTracksFromMediaStreams) {
      tracks = api.createLocalTracksFromMediaStreams(
        stream.getTracks().map((track) => ({ stream, track, mediaType: track.kind as 'audio' | 'video', sourceType: track.kind === 'video' ? 'camera' : 'microphone', videoType: 'camera' })),
      );
    } else {
      const camera = stream.getVideoTracks()[0]?.getSettings().deviceId;
      const mic = stream.getAudioTracks()[0]?.getSettings().deviceId;
      try {
        tracks = await api.createLocalTracks({
          devices: [...(stream.getAudioTracks().length ? ['audio' as const] : []), ...(stream.getVideoTracks().length ? ['video' as const] : [])],
          ...(camera ? { cameraDeviceId: camera } : {}),
          ...(mic ? { micDeviceId: mic } : {}),
        });
      } catch (error) {
        // Old builds ask Chrome for legacy (goog*) audio constraints, which current browsers refuse.
        throw new MediaTransportError('media_devices', String((error as { name?: string; message?: string })?.message ?? (error as { name?: string })?.name ?? error));
      }
    }
    this.#local = tracks;
    for (const track of tracks) {
      if (this.#muted[track.getType()]) await track.mute();
      await this.#conference?.addTrack(track);
    }
  }

  async unpublish(): Promise<void> {
    for (const track of this.#local) {
      await this.#conference?.removeTrack(track).catch(() => undefined);
      await track.dispose().catch(() => undefined);
    }
    this.#local = [];
  }

  setMuted(kind: MediaKind, muted: boolean): void {
    this.#muted[kind] = muted;
    for (const track of this.#local) if (track.getType() === kind) void (muted ? track.mute() : track.unmute());
  }

  async startScreenShare(track: MediaStreamTrack): Promise<void> {
    const api = this.#api;
    if (!api || !this.#conference) throw new MediaTransportError('media_failed', 'not joined');
    const stream = new MediaStream([track]);
    const [jitsiTrack] = api.createLocalTracksFromMediaStreams
      ? api.createLocalTracksFromMediaStreams([{ stream, track, mediaType: 'video', sourceType: 'desktop', videoType: 'desktop' }])
      : await api.createLocalTracks({ devices: ['desktop'] });
    if (!jitsiTrack) return;
    this.#screen = jitsiTrack;
    await this.#conference.addTrack(jitsiTrack);
  }

  async stopScreenShare(): Promise<void> {
    const screen = this.#screen;
    this.#screen = undefined;
    if (!screen) return;
    await this.#conference?.removeTrack(screen).catch(() => undefined);
    await screen.dispose().catch(() => undefined);
  }

  setParticipants(participantIds: readonly string[]): void {
    this.#wanted = new Set(participantIds);
    for (const id of [...this.#remote.keys()]) if (!this.#wanted.has(id)) this.events.emit('remote-removed', { participantId: id });
  }

  remotes(): RemoteMedia[] {
    return [...this.#remote].filter(([id]) => this.#visible(id)).map(([participantId, { camera, screen }]) => ({ participantId, stream: camera, screen }));
  }

  /** Jitsi keeps its own statistics; the adapter reports presence per participant (bytes are not exposed uniformly). */
  async stats(): Promise<ParticipantStats[]> {
    const connected = this.#state === 'connected';
    return this.remotes().map((r) => ({ participantId: r.participantId, bytesReceived: 0, bytesSent: 0, quality: qualityOf(undefined, undefined, connected) }));
  }

  networkChanged(): void {
    // lib-jitsi-meet reconnects its XMPP socket and ICE by itself (CONNECTION_INTERRUPTED / RESTORED).
  }

  #setState(state: TransportState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.events.emit('state', { state });
  }
}
