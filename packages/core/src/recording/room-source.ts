/**
 * The room as the recorder receives it, without anyone's page: it joins the session's room as the hidden,
 * receive-only `recorder` participant (hello `recorder`), takes every admitted or present participant's audio
 * and video over the native mesh (it offers; they answer with their tracks), and labels each tile from the
 * room's roster (connection point, name — already redacted for a denouncer — and role). A citizen's tile appears
 * when they are admitted and goes when they are returned to the lobby or leave.
 */
import { MeshTransport, signalingPort } from '../media/mesh.js';
import { SignalingClient, type SignalingClientOptions } from '../signaling/client.js';
import type { Participant, RoomEvent, RoomSnapshot } from '../signaling/protocol.js';
import type { RoomMediaSource, RoomMediaTile } from './media-source.js';

export interface RoomRecorderSourceOptions {
  /** The tiepdan server's origin (its `/ws` is the signaling endpoint). */
  server: string;
  sessionId: string;
  /** An official's token with `recordings.record`, or a recorder device credential. */
  token: string;
  recorderId: string;
  /** The words on a participant's tile: role as shown to people, and so on. */
  describe: (participant: Participant, pointName: string | undefined) => Omit<RoomMediaTile, 'id' | 'stream'>;
  /** The room ended (the head's `room.end`). */
  onEnded?: () => void;
  WebSocket?: SignalingClientOptions['WebSocket'];
}

export class RoomRecorderSource implements RoomMediaSource {
  readonly #o: RoomRecorderSourceOptions;
  readonly #client: SignalingClient;
  readonly #mesh: MeshTransport;
  readonly #participants = new Map<string, Participant>();
  readonly #points = new Map<string, string>();
  readonly #listeners = new Set<() => void>();
  #self = '';
  #joined = false;

  constructor(options: RoomRecorderSourceOptions) {
    this.#o = options;
    this.#client = new SignalingClient({
      url: `${options.server.replace(/\/+$/u, '').replace(/^http/u, 'ws')}/ws`,
      sessionId: options.sessionId,
      auth: { kind: 'official', token: options.token },
      recorder: { recorderId: options.recorderId },
      backoff: { initialMs: 500, maxMs: 5000 },
      ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
    });
    const port = signalingPort(this.#client);
    this.#mesh = new MeshTransport({ port, receiveOnly: true });
    this.#mesh.on('remote', () => this.#changed());
    this.#mesh.on('remote-removed', () => this.#changed());
    this.#client.onEvent((event) => this.#onEvent(event));
    this.#client.onState((state) => {
      if ((state === 'connected' || state === 'resumed') && this.#joined && this.#client.hello) {
        // Back after a drop: a new place (connected) means new peer connections with everyone.
        if (this.#client.hello.participantId !== this.#self) void this.#restartMedia();
        else this.#apply(this.#client.hello.room);
        this.#mesh.networkChanged();
      }
    });
  }

  /** The participant id the room gave this recorder. */
  get participantId(): string {
    return this.#self;
  }

  /** Joins the room; resolves once the server said hello (rejects with its refusal). */
  async connect(): Promise<void> {
    const hello = await this.#client.connect();
    this.#self = hello.participantId;
    await this.#mesh.join({ participantId: this.#self, turn: hello.turn });
    this.#joined = true;
    this.#apply(hello.room);
  }

  async close(): Promise<void> {
    await this.#mesh.leave().catch(() => undefined);
    await this.#client.close();
  }

  tiles(): RoomMediaTile[] {
    const out: RoomMediaTile[] = [];
    for (const remote of this.#mesh.remotes()) {
      const p = this.#participants.get(remote.participantId);
      if (!p || p.status === 'lobby') continue;
      const label = this.#o.describe(p, p.pointId ? this.#points.get(p.pointId) : undefined);
      out.push({ id: p.participantId, stream: remote.stream, ...label });
      if (remote.screen) out.push({ id: `${p.participantId}:screen`, stream: remote.screen, ...label });
    }
    return out;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Peer connection states, for the recorder page's diagnostics and tests. */
  diagnostics(): Record<string, unknown>[] {
    return this.#mesh.diagnostics();
  }

  async #restartMedia(): Promise<void> {
    await this.#mesh.leave().catch(() => undefined);
    const hello = this.#client.hello!;
    this.#self = hello.participantId;
    await this.#mesh.join({ participantId: this.#self, turn: hello.turn });
    this.#apply(hello.room);
  }

  #apply(room: RoomSnapshot): void {
    this.#participants.clear();
    for (const p of room.participants) this.#participants.set(p.participantId, p);
    for (const point of room.points) this.#points.set(point.id, point.name);
    if (room.state === 'ended') this.#o.onEnded?.();
    this.#sync();
  }

  #onEvent(event: RoomEvent): void {
    switch (event.type) {
      case 'participant.joined':
      case 'participant.updated':
        this.#participants.set(event.participant.participantId, event.participant);
        this.#sync();
        break;
      case 'participant.left':
        this.#participants.delete(event.participantId);
        this.#sync();
        break;
      case 'point.health':
        this.#points.set(event.point.id, event.point.name);
        this.#changed();
        break;
      case 'room.state':
        if (event.state === 'ended') this.#o.onEnded?.();
        break;
      default:
        break;
    }
  }

  /** Peer connections with everyone admitted or present (never the lobby, never another recorder). */
  #sync(): void {
    if (!this.#joined) return;
    const members = [...this.#participants.values()].filter((p) => p.participantId !== this.#self && p.status !== 'lobby' && p.role !== 'recorder').map((p) => p.participantId);
    this.#mesh.setParticipants(members);
    this.#changed();
  }

  #changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
