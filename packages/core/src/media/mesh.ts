/**
 * The native transport: a WebRTC full mesh over our own signaling (no media server). One RTCPeerConnection per
 * remote participant, negotiated with the "perfect negotiation" pattern (W3C WebRTC §10.7 / MDN): both sides
 * add their tracks and offer when needed; on a collision the polite side (the larger participant id) rolls
 * back and the impolite side ignores the other's offer, so the order in which people arrive does not matter.
 *
 * Who offers first is decided by arrival, so that collisions are rare and nobody waits: whoever is already in
 * the mesh offers to a newcomer the moment the roster shows them, and the newcomer answers those offers (they
 * wait in the signaling backlog while it is still setting up). A newcomer offers itself only to those whose
 * offer has not come after POLITE_WAIT_MS (both arrived at once). A receive-only participant (the recorder,
 * whom nobody else lists) always offers.
 *
 * ICE restarts when a connection fails or stays disconnected, and when the device's network changes; TURN comes
 * from the room's `hello` reply. A participant's camera and a screen share travel as two streams; the one that
 * carries the microphone (or arrived first) is the camera.
 */
import type { SignalData } from '../signaling/protocol.js';
import type { SignalingClient } from '../signaling/client.js';
import {
  MediaTransportError,
  TransportEvents,
  qualityOf,
  type JoinOptions,
  type MediaKind,
  type MediaRoute,
  type MediaTransport,
  type MediaTransportEvents,
  type MediaTransportListener,
  type ParticipantStats,
  type RemoteMedia,
  type TransportState,
} from './transport.js';

/** What the mesh needs from signaling: relay one message to one participant, and hear relayed ones. */
export interface SignalingPort {
  send(to: string, data: SignalData): Promise<void>;
  onSignal(listener: (from: string, data: SignalData) => void): () => void;
}

/** A disconnected ICE connection gets this long to recover by itself before we restart ICE. */
export const ICE_DISCONNECTED_GRACE_MS = 2500;
/**
 * A connection not up after this long restarts ICE (the impolite side first, the polite later, so they rarely
 * both do): Chromium sometimes gathers no candidates at all after rolling back an offer in a glare.
 */
export const CONNECT_WATCHDOG_MS = { impolite: 4000, polite: 6500 };
/** Relay failures that need no error shown: the other left, or our signaling is reconnecting. */
const TRANSIENT_RELAY_ERRORS = new Set(['not_visible', 'network', 'timeout', 'media_timeout']);
/** How long a newcomer waits for the offer of someone already there before offering itself. */
export const POLITE_WAIT_MS = 1500;
/** How long a relayed message may wait for the signaling socket to come back after a drop. */
export const SIGNAL_QUEUE_MS = 20_000;

/** Relayed messages kept while no transport listens yet (an offer that beats our own admission to the mesh). */
export const SIGNAL_BACKLOG = 256;

/**
 * The port over our SignalingClient. Create it as soon as the client exists: messages relayed before a transport
 * listens (others offer the moment they see us admitted) are kept and handed to the first listener. Messages
 * sent while the client reconnects wait for it (an ICE restart after a drop).
 */
export function signalingPort(client: SignalingClient): SignalingPort {
  const listeners = new Set<(from: string, data: SignalData) => void>();
  let backlog: [string, SignalData][] = [];
  client.onEvent((event) => {
    if (event.type !== 'signal') return;
    if (listeners.size === 0) {
      backlog.push([event.from, event.data]);
      if (backlog.length > SIGNAL_BACKLOG) backlog.shift();
    } else for (const listener of [...listeners]) listener(event.from, event.data);
  });
  const ready = () => client.state === 'connected' || client.state === 'resumed';
  const whenReady = () =>
    new Promise<void>((resolve, reject) => {
      if (ready()) return resolve();
      const timer = setTimeout(() => (off(), reject(new MediaTransportError('media_timeout', 'signaling not back'))), SIGNAL_QUEUE_MS);
      const off = client.onState((state) => {
        if (state === 'connected' || state === 'resumed') (clearTimeout(timer), off(), resolve());
        else if (state === 'failed' || state === 'closed') (clearTimeout(timer), off(), reject(new MediaTransportError('media_failed', state)));
      });
    });
  return {
    async send(to, data) {
      await whenReady();
      await client.request('signal', { to, data });
    },
    onSignal(listener) {
      listeners.add(listener);
      const queued = backlog;
      backlog = [];
      for (const [from, data] of queued) listener(from, data);
      return () => listeners.delete(listener);
    },
  };
}

interface PeerSample {
  bytes: number;
  lost: number;
  received: number;
}

class Peer {
  readonly pc: RTCPeerConnection;
  makingOffer = false;
  ignoreOffer = false;
  settingRemoteAnswer = false;
  #chain: Promise<void> = Promise.resolve();
  #pending: RTCIceCandidateInit[] = [];
  attachTimer: ReturnType<typeof setTimeout> | undefined;
  #restarts = 0;
  #disconnectTimer: ReturnType<typeof setTimeout> | undefined;
  readonly streams = new Map<string, MediaStream>();
  cameraStreamId: string | undefined;
  sample: PeerSample = { bytes: 0, lost: 0, received: 0 };
  readonly senders = new Map<string, RTCRtpSender>();

  constructor(
    readonly id: string,
    readonly polite: boolean,
    config: RTCConfiguration,
    private readonly mesh: MeshTransport,
  ) {
    this.pc = new RTCPeerConnection(config);
    this.pc.onnegotiationneeded = () => void this.#offer();
    this.pc.onicecandidate = ({ candidate }) => {
      // No end-of-candidates: it carries no ICE ufrag, so one from an offer that was rolled back in a glare would
      // close the next session's candidates on the other side. Trickle works without it.
      if (!candidate?.candidate) return;
      void this.mesh.relay(this.id, { kind: 'ice', candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex });
    };
    this.pc.ontrack = (event) => this.#track(event);
    this.pc.oniceconnectionstatechange = () => this.#iceState();
    this.pc.onconnectionstatechange = () => {
      this.mesh.events.emit('peer-state', { participantId: this.id, state: this.pc.connectionState });
      if (this.pc.connectionState === 'connected') {
        clearTimeout(this.#watchdog);
        this.#restarts = 0;
      }
      else this.#armWatchdog();
    };
    this.#armWatchdog();
  }

  #watchdog: ReturnType<typeof setTimeout> | undefined;

  #armWatchdog(): void {
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => {
      const pc = this.pc;
      if (pc.signalingState === 'closed' || pc.connectionState === 'connected') return;
      if (this.#restarts >= 2) {
        // ICE restarts did not help (a connection stuck without candidates): a new peer connection.
        this.mesh.recreate(this);
        return;
      }
      if (pc.signalingState === 'stable' && pc.remoteDescription) {
        this.#restarts += 1;
        this.restartIce();
      } else if (pc.signalingState === 'have-local-offer' && !this.makingOffer) {
        // Our offer got no answer for a whole tick: it was lost on the way (relayed while the other was not yet
        // visible, or dropped in a reconnect). Send it again; if that does not help either, a new connection.
        this.#restarts += 1;
        void this.#sendLocal();
      }
      this.#armWatchdog();
    }, this.polite ? CONNECT_WATCHDOG_MS.polite : CONNECT_WATCHDOG_MS.impolite);
  }

  async #offer(): Promise<void> {
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      await this.#sendLocal();
    } catch {
      // The next negotiationneeded (or an ICE restart) tries again; a lost offer is not fatal.
    } finally {
      this.makingOffer = false;
    }
  }

  /**
   * Sends the local description with its own type: an implicit setLocalDescription() makes an answer when a
   * remote offer got in first, so "we were making an offer" does not mean an offer is what we have.
   */
  async #sendLocal(): Promise<void> {
    const local = this.pc.localDescription;
    if (local && (local.type === 'offer' || local.type === 'answer') && local.sdp) await this.mesh.relay(this.id, { kind: local.type, sdp: local.sdp });
  }

  /** Signals from one participant are applied one at a time, in the order they came. */
  receive(data: SignalData): Promise<boolean> {
    const done = this.#chain.then(() => this.#apply(data)).then(
      () => true,
      () => false,
    );
    this.#chain = done.then(() => undefined);
    return done;
  }

  async #apply(data: SignalData): Promise<void> {
    const pc = this.pc;
    if (data.kind === 'offer' || data.kind === 'answer') {
      const readyForOffer = !this.makingOffer && (pc.signalingState === 'stable' || this.settingRemoteAnswer);
      const collision = data.kind === 'offer' && !readyForOffer;
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      this.settingRemoteAnswer = data.kind === 'answer';
      try {
        await pc.setRemoteDescription({ type: data.kind, sdp: data.sdp });
      } finally {
        this.settingRemoteAnswer = false;
      }
      // Candidates held back: those of another ICE generation fail harmlessly (their ufrag does not match).
      for (const candidate of this.#pending.splice(0)) await pc.addIceCandidate(candidate).catch(() => undefined);
      if (data.kind === 'offer') {
        // Tracks added now ride on the transceivers the offer created: the answer carries them.
        if (this.attachTimer !== undefined) {
          this.mesh.attachFor(this);
          this.attachTimer = undefined;
        }
        await pc.setLocalDescription();
        await this.#sendLocal();
      }
    } else if (data.kind === 'ice') {
      // An end-of-candidates from another client is ignored for the same reason we send none.
      if (data.candidate === null || data.candidate === '') return;
      const candidate: RTCIceCandidateInit = { candidate: data.candidate, sdpMid: data.sdpMid ?? null, sdpMLineIndex: data.sdpMLineIndex ?? null };
      // In a glare the polite side's candidates come before its answer, and its answer may reuse the ICE
      // credentials of the offer it rolled back (no new candidates then): keep them for the next description.
      if (!pc.remoteDescription || this.ignoreOffer) {
        this.#pending.push(candidate);
        return;
      }
      await pc.addIceCandidate(candidate).catch(() => undefined);
    }
  }

  #track(event: RTCTrackEvent): void {
    const stream = event.streams[0] ?? new MediaStream([event.track]);
    this.streams.set(stream.id, stream);
    if (!this.cameraStreamId || (event.track.kind === 'audio' && this.cameraStreamId !== stream.id && !this.streams.get(this.cameraStreamId)?.getAudioTracks().length)) {
      this.cameraStreamId = stream.id;
    }
    stream.onremovetrack = () => {
      if (stream.getTracks().length === 0) {
        this.streams.delete(stream.id);
        this.mesh.events.emit('remote', this.media());
      }
    };
    this.mesh.events.emit('remote', this.media());
  }

  media(): RemoteMedia {
    const camera = (this.cameraStreamId && this.streams.get(this.cameraStreamId)) || new MediaStream();
    const screen = [...this.streams.values()].find((s) => s !== camera && s.getVideoTracks().length > 0);
    return { participantId: this.id, stream: camera, screen };
  }

  #iceState(): void {
    const state = this.pc.iceConnectionState;
    clearTimeout(this.#disconnectTimer);
    if (state === 'failed') this.restartIce();
    else if (state === 'disconnected') this.#disconnectTimer = setTimeout(() => this.pc.iceConnectionState === 'disconnected' && this.restartIce(), ICE_DISCONNECTED_GRACE_MS);
  }

  restartIce(): void {
    if (this.pc.signalingState === 'closed') return;
    this.pc.restartIce();
  }

  close(): void {
    clearTimeout(this.#disconnectTimer);
    clearTimeout(this.#watchdog);
    clearTimeout(this.attachTimer);
    this.pc.onnegotiationneeded = null;
    this.pc.onicecandidate = null;
    this.pc.ontrack = null;
    this.pc.close();
  }
}

export interface MeshOptions {
  port: SignalingPort;
  /** STUN/TURN servers beyond the join reply's TURN (none by default: loopback and LAN work without). */
  iceServers?: RTCIceServer[];
  /** How long a newcomer waits for the others' offers before offering itself (tests force a glare with 0). */
  politeWaitMs?: number;
  /**
   * Receive only: send nothing, offer to everyone listed (they do not list us), and take their audio and video
   * (the recorder).
   */
  receiveOnly?: boolean;
}

export class MeshTransport implements MediaTransport {
  readonly kind = 'native' as const;
  readonly events = new TransportEvents();
  #state: TransportState = 'idle';
  #self = '';
  #config: RTCConfiguration = {};
  #peers = new Map<string, Peer>();
  #wanted = new Set<string>();
  #local: MediaStream | undefined;
  #screen: MediaStream | undefined;
  #muted: Record<MediaKind, boolean> = { audio: false, video: false };
  #offSignal: (() => void) | undefined;
  /** Until the first participant list after join: those listed then were here before us (we are the newcomer). */
  #newcomer = true;

  constructor(private readonly options: MeshOptions) {}

  get state(): TransportState {
    return this.#state;
  }

  on<K extends keyof MediaTransportEvents>(type: K, listener: MediaTransportListener<K>): () => void {
    return this.events.on(type, listener);
  }

  async join(options: JoinOptions): Promise<void> {
    this.#self = options.participantId;
    const iceServers = [...(this.options.iceServers ?? [])];
    if (options.turn) iceServers.push({ urls: options.turn.urls, username: options.turn.username, credential: options.turn.credential });
    this.#config = { iceServers, bundlePolicy: 'max-bundle', iceTransportPolicy: options.turn?.relayOnly ? 'relay' : 'all' };
    this.#offSignal?.();
    this.#newcomer = true;
    this.#offSignal = this.options.port.onSignal((from, data) => this.#onSignal(from, data));
    this.#setState('connected');
    for (const id of this.#wanted) if (!this.#peers.has(id)) this.#create(id);
  }

  async leave(): Promise<void> {
    this.#offSignal?.();
    this.#offSignal = undefined;
    const peers = [...this.#peers.keys()];
    await Promise.all(peers.map((id) => this.options.port.send(id, { kind: 'bye' }).catch(() => undefined)));
    for (const id of peers) this.#drop(id);
    this.#wanted.clear();
    this.#setState('closed');
  }

  async publish(stream: MediaStream): Promise<void> {
    if (this.options.receiveOnly) return;
    this.#local = stream;
    for (const track of stream.getTracks()) track.enabled = !this.#muted[track.kind as MediaKind];
    for (const peer of this.#peers.values()) this.#attach(peer);
  }

  async unpublish(): Promise<void> {
    this.#local = undefined;
    for (const peer of this.#peers.values()) {
      for (const [key, sender] of peer.senders) {
        if (!key.startsWith('screen:')) {
          peer.pc.removeTrack(sender);
          peer.senders.delete(key);
        }
      }
    }
  }

  setMuted(kind: MediaKind, muted: boolean): void {
    this.#muted[kind] = muted;
    for (const track of this.#local?.getTracks() ?? []) if (track.kind === kind) track.enabled = !muted;
  }

  async startScreenShare(track: MediaStreamTrack): Promise<void> {
    this.#screen = new MediaStream([track]);
    for (const peer of this.#peers.values()) this.#attach(peer);
  }

  async stopScreenShare(): Promise<void> {
    this.#screen = undefined;
    for (const peer of this.#peers.values()) {
      for (const [key, sender] of peer.senders) {
        if (key.startsWith('screen:')) {
          peer.pc.removeTrack(sender);
          peer.senders.delete(key);
        }
      }
    }
  }

  /**
   * Only those who were listed and no longer are get dropped: an offer can arrive before the roster event that
   * lists its sender (the server relays only between people who may see each other), and that peer must stay.
   */
  setParticipants(participantIds: readonly string[]): void {
    const previous = this.#wanted;
    this.#wanted = new Set(participantIds.filter((id) => id !== this.#self));
    if (this.#state !== 'connected') return;
    for (const id of previous) if (!this.#wanted.has(id)) this.#drop(id);
    for (const id of this.#wanted) if (!this.#peers.has(id)) this.#create(id);
    // Everyone listed from now on arrived after us: we offer to them at once.
    this.#newcomer = false;
  }

  remotes(): RemoteMedia[] {
    return [...this.#peers.values()].map((peer) => peer.media());
  }

  /** Each peer connection's states, for operators' diagnostics (and tests that must say why media is missing). */
  diagnostics(): Record<string, unknown>[] {
    return [...this.#peers.values()].map((peer) => ({
      participantId: peer.id,
      polite: peer.polite,
      signaling: peer.pc.signalingState,
      ice: peer.pc.iceConnectionState,
      gathering: peer.pc.iceGatheringState,
      connection: peer.pc.connectionState,
      local: peer.pc.currentLocalDescription?.type,
      remote: peer.pc.currentRemoteDescription?.type,
      transceivers: peer.pc.getTransceivers().map((t) => `${t.mid}:${t.receiver.track.kind}:${t.direction}/${t.currentDirection}`),
    }));
  }

  networkChanged(): void {
    for (const peer of this.#peers.values()) peer.restartIce();
  }

  async stats(): Promise<ParticipantStats[]> {
    const out: ParticipantStats[] = [];
    for (const peer of this.#peers.values()) {
      let bytesReceived = 0;
      let bytesSent = 0;
      let lost = 0;
      let received = 0;
      let framesDecoded = 0;
      let audioEnergy = 0;
      let rttMs: number | undefined;
      let selectedPair: string | undefined;
      let concealedSamples = 0;
      let totalSamples = 0;
      let video: ParticipantStats['video'];
      const report = await peer.pc.getStats();
      report.forEach((s: any) => {
        if (s.type === 'transport' && s.selectedCandidatePairId) selectedPair = s.selectedCandidatePairId;
        if (s.type === 'inbound-rtp') {
          bytesReceived += s.bytesReceived ?? 0;
          lost += s.packetsLost ?? 0;
          received += s.packetsReceived ?? 0;
          framesDecoded += s.framesDecoded ?? 0;
          if (s.kind === 'audio') {
            audioEnergy += s.totalAudioEnergy ?? 0;
            concealedSamples += s.concealedSamples ?? 0;
            totalSamples += s.totalSamplesReceived ?? 0;
          } else if (s.kind === 'video' && s.frameHeight) {
            video = { width: s.frameWidth ?? 0, height: s.frameHeight, fps: s.framesPerSecond ?? 0 };
          }
        } else if (s.type === 'outbound-rtp') bytesSent += s.bytesSent ?? 0;
        else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && typeof s.currentRoundTripTime === 'number') rttMs = Math.round(s.currentRoundTripTime * 1000);
      });
      const dLost = Math.max(0, lost - peer.sample.lost);
      const dReceived = Math.max(0, received - peer.sample.received);
      const lossRate = dLost + dReceived > 0 ? dLost / (dLost + dReceived) : 0;
      peer.sample = { bytes: bytesReceived, lost, received };
      const connected = peer.pc.connectionState === 'connected';
      const route = routeOf(report, selectedPair);
      out.push({ participantId: peer.id, bytesReceived, bytesSent, rttMs, lossRate, framesDecoded, audioEnergy, quality: qualityOf(rttMs, lossRate, connected), concealedSamples, totalSamples, ...(video ? { video } : {}), ...(route ? { route } : {}) });
    }
    return out;
  }

  /** Relays one message to a participant; a failure is reported, never thrown into WebRTC callbacks. */
  async relay(to: string, data: SignalData): Promise<void> {
    try {
      await this.options.port.send(to, data);
    } catch (error) {
      // Someone who just left (or went back to the lobby) is no longer reachable, and a drop of our own signaling
      // is already on screen as "reconnecting" (the ICE restart after it renegotiates): not worth an error.
      const code = (error as { code?: string } | undefined)?.code ?? '';
      // A receive-only peer (the recorder) is in nobody's roster: that it is gone, we learn here.
      if (code === 'not_visible' && !this.#wanted.has(to)) this.#drop(to);
      if (TRANSIENT_RELAY_ERRORS.has(code)) return;
      if (data.kind !== 'ice') this.events.emit('error', { error: error instanceof MediaTransportError ? error : new MediaTransportError('media_failed', String((error as Error)?.message ?? error)) });
    }
  }

  #onSignal(from: string, data: SignalData): void {
    if (from === this.#self) return;
    if (data.kind === 'bye') {
      this.#drop(from);
      return;
    }
    let peer = this.#peers.get(from);
    // The server only relays between people who may see each other, so an offer from someone our roster has
    // not shown yet (events race) is accepted; their peer connection is made now.
    if (!peer) {
      // Only an offer starts a connection: a late candidate or answer of one that just ended (after its `bye`)
      // must not make a ghost peer.
      if (data.kind !== 'offer') return;
      peer = this.#create(from, true);
    }
    else if (data.kind === 'offer' && peer.pc.connectionState === 'failed') {
      // They reloaded (a new peer connection, new DTLS keys): start over with them.
      this.#drop(from);
      peer = this.#create(from, true);
    }
    const target = peer;
    void target.receive(data).then((applied) => {
      // They started over on their side (new DTLS keys): our connection cannot take that offer; a new one can.
      if (!applied && data.kind === 'offer' && this.#peers.get(from) === target) this.recreate(target)?.receive(data);
    });
  }

  #create(id: string, viaOffer = false): Peer {
    const peer = new Peer(id, this.#self > id, this.#config, this);
    this.#peers.set(id, peer);
    // Whoever was here first offers at once; a newcomer waits a moment for that offer and answers it with its
    // tracks. Two offers crossing are resolved by perfect negotiation, but Chromium's rollback of an offer that is
    // still gathering can leave that connection with no candidates at all, so we avoid making the glare.
    // Made for an offer: our tracks go on the transceivers that offer creates, added just before the answer
    // (Peer.#apply), so the answer carries them and no second negotiation follows.
    if (!viaOffer && (!this.#newcomer || this.options.receiveOnly)) this.#attach(peer);
    else peer.attachTimer = setTimeout(() => this.#peers.get(id) === peer && this.#attach(peer), this.options.politeWaitMs ?? POLITE_WAIT_MS);
    return peer;
  }

  /** Attaches our tracks to a polite peer that was waiting, just before it answers the first offer. */
  attachFor(peer: Peer): void {
    clearTimeout(peer.attachTimer);
    if (this.#peers.get(peer.id) === peer) this.#attach(peer);
  }

  /** Starts over with one participant (a connection that never came up); their side follows on our offer. */
  recreate(peer: Peer): Peer | undefined {
    if (this.#peers.get(peer.id) !== peer) return undefined;
    this.#peers.delete(peer.id);
    peer.close();
    return this.#create(peer.id, true);
  }

  #attach(peer: Peer): void {
    // Nothing to send (the recorder; someone without camera or microphone): ask for the other's audio and video
    // all the same, so there is an offer to answer.
    if (!this.#local && !this.#screen && peer.pc.getTransceivers().length === 0) {
      peer.pc.addTransceiver('audio', { direction: 'recvonly' });
      peer.pc.addTransceiver('video', { direction: 'recvonly' });
    }
    const wanted = new Map<string, { track: MediaStreamTrack; stream: MediaStream }>();
    for (const track of this.#local?.getTracks() ?? []) wanted.set(`cam:${track.kind}`, { track, stream: this.#local! });
    for (const track of this.#screen?.getTracks() ?? []) wanted.set(`screen:${track.kind}`, { track, stream: this.#screen! });
    for (const [key, { track, stream }] of wanted) {
      const sender = peer.senders.get(key);
      if (!sender) peer.senders.set(key, peer.pc.addTrack(track, stream));
      else if (sender.track !== track) {
        // A new camera or microphone from the device picker replaces the track without renegotiating.
        if (key.startsWith('cam:')) void sender.replaceTrack(track);
        else {
          peer.pc.removeTrack(sender);
          peer.senders.set(key, peer.pc.addTrack(track, stream));
        }
      }
    }
  }

  #drop(id: string): void {
    const peer = this.#peers.get(id);
    if (!peer) return;
    this.#peers.delete(id);
    peer.close();
    this.events.emit('remote-removed', { participantId: id });
  }

  #setState(state: TransportState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.events.emit('state', { state });
  }
}

/**
 * The path the media takes: the selected candidate pair's local and remote candidate types ("host", "srflx",
 * "prflx", "relay") and, through a relay, the transport to it ("udp", "tcp", "tls") — what an operator needs to
 * know when a firewall forces the relay.
 */
function routeOf(report: RTCStatsReport, pairId: string | undefined): MediaRoute | undefined {
  const pair = pairId ? (report.get(pairId) as { localCandidateId?: string; remoteCandidateId?: string } | undefined) : undefined;
  if (!pair?.localCandidateId || !pair.remoteCandidateId) return undefined;
  const local = report.get(pair.localCandidateId) as { candidateType?: string; relayProtocol?: string } | undefined;
  const remote = report.get(pair.remoteCandidateId) as { candidateType?: string } | undefined;
  if (!local?.candidateType || !remote?.candidateType) return undefined;
  return { local: local.candidateType, remote: remote.candidateType, ...(local.relayProtocol ? { relayProtocol: local.relayProtocol } : {}) };
}
