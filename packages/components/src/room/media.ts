/**
 * The room's media, as a Lit reactive controller: this device's camera and microphone (devices, the level meter,
 * the network check before joining), the one MediaTransport once in the room (the native WebRTC mesh, or Jitsi
 * when the policy picks it; its adapter is imported only then, so the first download stays small), the remote
 * streams and their link statistics, who is speaking, muting and screen sharing. Its fields are what the views
 * show; every change asks the element to render again. What it needs from the signalling session comes through
 * its host's public fields and a `MediaLink`, so this module imports neither the element nor the session.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Message, NetworkQuality, RequestParams, RequestResult } from '@tiepdan/core';
import type { MediaTransport, ParticipantStats, RemoteMedia, SignalingPort, TransportChoice } from '@tiepdan/core/browser';
import { loadConnection } from './connection-load.js';
import { checkNetwork, LevelMeter, listDevices, openMedia, type DeviceLists, type NetworkCheck } from './devices.js';

const ORDER: NetworkQuality[] = ['good', 'fair', 'poor', 'lost'];

/** The element the controller serves: where its media elements are and the settings it reads. */
export interface MediaHost extends ReactiveControllerHost {
  readonly renderRoot: HTMLElement | DocumentFragment;
  readonly server: string;
  readonly transport: 'auto' | 'native' | 'jitsi';
  readonly jitsiScript: string;
  /** The screen showing: the level meter runs before joining, the speaker is found in the room. */
  readonly view: string;
  readonly participantId: string | undefined;
  readonly reconnecting: boolean;
}

/** What the media needs from the signalling session. */
export interface MediaLink {
  /** Everyone in the room but this device (those in the lobby are not). */
  members(): string[];
  port(): SignalingPort;
  /** TURN and Jitsi credentials: the hello's, or asked for when it carried no Jitsi ones. */
  credentials(): Promise<RequestResult<'media.credentials'>>;
  /** Reports this point's link and devices to the room (best effort). */
  report(health: RequestParams<'health.report'>): void;
  /** Tells the room this device shares its screen or stopped (best effort). */
  shared(active: boolean): Promise<unknown>;
  fail(code: string, message: Message): void;
}

export class RoomMedia implements ReactiveController {
  devices: DeviceLists = { cameras: [], microphones: [] };
  cameraId = '';
  microphoneId = '';
  localStream: MediaStream | undefined;
  devicesFailed = false;
  level = 0;
  network: NetworkCheck | 'checking' | 'failed' | undefined;
  remotes = new Map<string, RemoteMedia>();
  stats = new Map<string, ParticipantStats>();
  speaker: string | undefined;
  muted = { audio: false, video: false };
  sharing = false;
  transportChoice: TransportChoice | undefined;

  readonly #host: MediaHost;
  readonly #link: MediaLink;
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
  readonly #onOnline = () => this.#media?.networkChanged();

  constructor(host: MediaHost, link: MediaLink) {
    this.#host = host;
    this.#link = link;
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('online', this.#onOnline);
    this.#tick = setInterval(() => this.#sampleLevels(), 200);
  }

  hostDisconnected(): void {
    window.removeEventListener('online', this.#onOnline);
    clearInterval(this.#tick);
    clearInterval(this.#statsTimer);
  }

  hostUpdated(): void {
    this.#playMedia();
  }

  #changed(): void {
    this.#host.requestUpdate();
  }

  /** The transport in use, if any (after admission). */
  get kind(): 'native' | 'jitsi' | undefined {
    return this.#media?.kind;
  }

  // ---------------------------------------------------------------------------------------------- playback

  /**
   * Starts every media element with play(), not only its autoplay attribute: Chromium does not start (and pauses)
   * a muted autoplay video that is off screen, so on a phone the tiles below the fold stayed on a frozen first
   * frame (`paused`, `currentTime` 0); playback started by play() is not paused that way. A sound that the
   * autoplay policy blocks (a page resumed without a click) starts at the next click or key press.
   */
  #playMedia(): void {
    for (const el of this.#host.renderRoot.querySelectorAll<HTMLMediaElement>('video, audio')) {
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

  // ---------------------------------------------------------------------------------------------- pre-join

  async openDevices(): Promise<void> {
    const stream = await openMedia({ cameraId: this.cameraId || undefined, microphoneId: this.microphoneId || undefined });
    for (const track of this.localStream?.getTracks() ?? []) if (!stream?.getTracks().includes(track)) track.stop();
    this.localStream = stream;
    this.devicesFailed = !stream;
    this.#changed();
    this.#meter.watch('local', stream);
    if (stream) {
      this.devices = await listDevices();
      this.cameraId ||= stream.getVideoTracks()[0]?.getSettings().deviceId ?? '';
      this.microphoneId ||= stream.getAudioTracks()[0]?.getSettings().deviceId ?? '';
      this.#changed();
      for (const track of stream.getTracks()) track.enabled = !this.muted[track.kind as 'audio' | 'video'];
      if (this.#media) await this.#media.publish(stream);
    }
  }

  pickCamera(id: string): void {
    this.cameraId = id;
    void this.openDevices();
  }

  pickMicrophone(id: string): void {
    this.microphoneId = id;
    void this.openDevices();
  }

  /** The citizen's own choice of "camera off" before joining, which the network advice no longer overrides. */
  pickCameraOff(off: boolean): void {
    this.#cameraChosen = true;
    this.setMuted('video', off);
  }

  async checkNetwork(): Promise<void> {
    this.network = 'checking';
    this.#changed();
    try {
      this.network = await checkNetwork(this.#host.server);
      // On a weak line the camera starts off, unless the citizen has already chosen for themselves.
      if (this.network.advice === 'audio-only' && !this.#cameraChosen) this.setMuted('video', true);
    } catch {
      this.network = 'failed';
    }
    this.#changed();
  }

  #sampleLevels(): void {
    const view = this.#host.view;
    if (view === 'prejoin') {
      const level = Math.round(this.#meter.level('local') * 100) / 100;
      if (level !== this.level) (this.level = level), this.#changed();
    } else if (view === 'room') {
      let best: string | undefined;
      let loudest = 0.08;
      for (const key of this.#meter.keys()) {
        if (key === 'local' && this.muted.audio) continue;
        const level = this.#meter.level(key);
        if (level > loudest) (loudest = level), (best = key === 'local' ? this.#host.participantId : key);
      }
      if (best !== undefined && best !== this.speaker) (this.speaker = best), this.#changed();
    }
  }

  setMuted(kind: 'audio' | 'video', muted: boolean): void {
    this.muted = { ...this.muted, [kind]: muted };
    this.#changed();
    for (const track of this.localStream?.getTracks() ?? []) if (track.kind === kind) track.enabled = !muted;
    this.#media?.setMuted(kind, muted);
  }

  // ---------------------------------------------------------------------------------------------- in the room

  /** Tells the transport who is in the room now. */
  syncPeers(): void {
    this.#media?.setParticipants(this.#link.members());
  }

  networkChanged(): void {
    this.#media?.networkChanged();
  }

  /** Starts the media once in the room (nothing if it runs already): picks the transport and joins it. */
  async start(): Promise<void> {
    if (this.#media) return;
    const link = this.#link;
    // Here by now (joining waited for it): the policy, the mesh and the transports' errors come with it.
    const { chooseTransport, MediaTransportError, MeshTransport } = await loadConnection();
    const credentials = await link.credentials();
    const choice = chooseTransport({ participants: link.members().length + 1, jitsiConfigured: !!credentials.jitsi, preference: this.#host.transport, jitsiFailed: this.#jitsiFailed });
    this.transportChoice = choice;
    this.#changed();
    if (choice.kind === 'none') return;
    let media: MediaTransport;
    if (choice.kind === 'jitsi') {
      try {
        const { JitsiTransport } = await import('@tiepdan/core/media/jitsi');
        const script = this.#host.jitsiScript;
        media = new JitsiTransport(script ? { scriptUrl: script } : {});
        this.#wire(media);
        await media.join({ participantId: this.#host.participantId!, jitsi: credentials.jitsi, turn: credentials.turn });
      } catch (error) {
        this.#jitsiFailed = true;
        const e = error instanceof MediaTransportError ? error : new MediaTransportError('media_failed', String(error));
        link.fail(e.code, e.message_);
        this.#media = undefined;
        const fallback = chooseTransport({ participants: link.members().length + 1, jitsiConfigured: true, preference: this.#host.transport, jitsiFailed: true });
        this.transportChoice = fallback;
        this.#changed();
        if (fallback.kind !== 'native') return;
        media = await this.#native(new MeshTransport({ port: link.port() }), credentials);
      }
    } else media = await this.#native(new MeshTransport({ port: link.port() }), credentials);
    this.#media = media;
    if (this.localStream && media.kind === 'jitsi') await media.publish(this.localStream);
    this.syncPeers();
    clearInterval(this.#statsTimer);
    this.#statsTimer = setInterval(() => void this.#sampleStats(), 2000);
  }

  async #native(media: MediaTransport, credentials: RequestResult<'media.credentials'>): Promise<MediaTransport> {
    this.#wire(media);
    // Tracks first: offers already waiting are then answered with our media, without a second negotiation.
    if (this.localStream) await media.publish(this.localStream);
    await media.join({ participantId: this.#host.participantId!, turn: credentials.turn });
    return media;
  }

  #wire(media: MediaTransport): void {
    this.#media = media;
    this.#offs.push(
      media.on('remote', (remote) => {
        this.remotes = new Map(this.remotes).set(remote.participantId, remote);
        this.#changed();
        this.#meter.watch(remote.participantId, remote.stream);
      }),
      media.on('remote-removed', ({ participantId }) => {
        const next = new Map(this.remotes);
        next.delete(participantId);
        this.remotes = next;
        this.#changed();
        this.#meter.unwatch(participantId);
      }),
      media.on('error', ({ error }) => this.#link.fail(error.code, error.message_)),
    );
  }

  async #sampleStats(): Promise<void> {
    const media = this.#media;
    if (!media) return;
    const list = await media.stats().catch(() => []);
    this.stats = new Map(list.map((s) => [s.participantId, s]));
    this.#changed();
    this.#statsRound += 1;
    if (this.#statsRound % 5 === 1) {
      const worst = list.map((s) => s.quality).sort((a, b) => ORDER.indexOf(b) - ORDER.indexOf(a))[0] ?? (this.#host.reconnecting ? 'lost' : 'good');
      const rtts = list.map((s) => s.rttMs).filter((v): v is number => typeof v === 'number');
      const stream = this.localStream;
      this.#link.report({
        quality: worst,
        ...(rtts.length ? { rttMs: Math.max(...rtts) } : {}),
        devices: { camera: !!stream?.getVideoTracks().some((t) => t.readyState === 'live'), microphone: !!stream?.getAudioTracks().some((t) => t.readyState === 'live') },
      });
    }
  }

  /** Shares a screen, a window or a document open in a tab (the element checks the role first). */
  async shareScreen(): Promise<void> {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    this.#screenTrack = track;
    track.addEventListener('ended', () => void this.stopScreenShare());
    await this.#media?.startScreenShare(track);
    this.sharing = true;
    this.#changed();
    await this.#link.shared(true).catch(() => undefined);
  }

  async stopScreenShare(): Promise<void> {
    if (!this.sharing) return;
    this.sharing = false;
    this.#changed();
    this.#screenTrack?.stop();
    this.#screenTrack = undefined;
    await this.#media?.stopScreenShare();
    await this.#link.shared(false).catch(() => undefined);
  }

  /** The media link to each participant (bytes, round trip, loss, quality). */
  async mediaStats(): Promise<ParticipantStats[]> {
    return (await this.#media?.stats()) ?? [];
  }

  /** The native transport's peer connection states (operators' diagnostics); empty on Jitsi. */
  diagnostics(): Record<string, unknown>[] {
    const media = this.#media as { diagnostics?: () => Record<string, unknown>[] } | undefined;
    return media?.diagnostics?.() ?? [];
  }

  /** Leaves the transport (back to the lobby, or leaving): the devices stay open. */
  async stop(): Promise<void> {
    clearInterval(this.#statsTimer);
    const media = this.#media;
    this.#media = undefined;
    this.remotes = new Map();
    this.#changed();
    await media?.leave().catch(() => undefined);
  }

  /** Closes everything this device opened: the screen share, the camera and microphone, the level meter. */
  async close(): Promise<void> {
    for (const off of this.#offs.splice(0)) off();
    await this.stopScreenShare();
    for (const track of this.localStream?.getTracks() ?? []) track.stop();
    this.localStream = undefined;
    this.#changed();
    this.#meter.close();
    this.#meter = new LevelMeter();
  }
}
