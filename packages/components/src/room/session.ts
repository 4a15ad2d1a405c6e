/**
 * The room's signalling session, as a Lit reactive controller: the one SignalingClient (join, resume, rejoin),
 * the participants, the lobby and admission, the case and the floor, the chat, the connection points' health and
 * the recording indicator (the element's `recordingState`), the view it leads to and what a role may request.
 * It owns the room's media controller and is that controller's link to the room. Its fields are what the views
 * show; every change asks the element to render again. It reads the element through `SessionHost`, so this module
 * does not import the element.
 */
import type { ReactiveController } from 'lit';
import {
  canInRoom,
  CLOSE_CODES,
  say,
  type Lang,
  type LobbyEntry,
  type Message,
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
import type { SignalingClient, SignalingPort } from '@tiepdan/core/browser';
import { loadConnection, loaded } from './connection-load.js';
import { emit } from '../shared/events.js';
import { fmt } from '../shared/lang.js';
import { RoomActionError } from './errors.js';
import { RoomMedia, type MediaHost, type MediaLink } from './media.js';
import type { ChatLine } from './panels.js';
import { ROOM_NOTICE_VERSION, roomStrings } from './strings.js';
import { tokenInfo } from './token.js';

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

/** The element the session serves: its settings, the recording indicator it shows, the language it speaks. */
export interface SessionHost extends MediaHost, EventTarget {
  readonly session: string;
  readonly token: string;
  readonly point: ConnectionPointInfo | undefined;
  recordingState: RoomRecording;
  readonly speaks: Lang;
}

/** What the session leaves to the element (its own DOM). */
export interface SessionLink {
  /** A desk step was recorded on that case: the panels showing it read it again. */
  caseUpdated(caseId: string): void;
}

export class RoomSession implements ReactiveController, MediaLink {
  view: RoomView = 'prejoin';
  roomRole: RoomRole | undefined;
  participantId: string | undefined;
  roomState: RoomState = 'pending';
  participants: Participant[] = [];
  queue: LobbyEntry[] = [];
  position: { position: number; size?: number } | undefined;
  caseId: string | null = null;
  floor: string | null = null;
  points: PointHealth[] = [];
  chat: ChatLine[] = [];
  reconnecting = false;
  deniedReason = '';
  error: Message | undefined;
  announcement = '';
  wasReturned = false;
  readonly media: RoomMedia;

  readonly #host: SessionHost;
  readonly #link: SessionLink;
  #client: SignalingClient | undefined;
  #port: SignalingPort | undefined;
  #offs: (() => void)[] = [];
  readonly #onOffline = () => this.#client?.drop();

  constructor(host: SessionHost, link: SessionLink) {
    this.#host = host;
    this.#link = link;
    host.addController(this);
    this.media = new RoomMedia(host, this);
  }

  hostConnected(): void {
    window.addEventListener('offline', this.#onOffline);
    // The signaling client and the mesh come while the pre-join screen is read (connection.ts).
    loadConnection().catch(() => undefined);
  }

  hostDisconnected(): void {
    window.removeEventListener('offline', this.#onOffline);
    void this.teardown();
  }

  /** Called after the fields change (before any await), so the element renders them. */
  #changed(): void {
    this.#host.requestUpdate();
  }

  get #s() {
    return roomStrings(this.#host.speaks);
  }

  /** The hello this client got (the room as it was then). */
  get hello(): RequestResult<'hello'> | undefined {
    return this.#client?.hello;
  }

  // ---------------------------------------------------------------------------------------------- the media's link

  port(): SignalingPort {
    return this.#port!;
  }

  async credentials(): Promise<RequestResult<'media.credentials'>> {
    const hello = this.#client?.hello;
    const credentials: RequestResult<'media.credentials'> = { ...(hello?.turn ? { turn: hello.turn } : {}), ...(hello?.jitsi ? { jitsi: hello.jitsi } : {}) };
    return credentials.jitsi ? credentials : this.#client!.request('media.credentials', {}).catch(() => credentials);
  }

  report(health: RequestParams<'health.report'>): void {
    void this.#client?.request('health.report', health).catch(() => undefined);
  }

  shared(active: boolean): Promise<unknown> {
    return this.act('screen.share', 'screen.share', { active });
  }

  // ---------------------------------------------------------------------------------------------- joining

  /** Connects (the element has checked the settings and the notice); resolves once the server said hello. */
  async join(): Promise<void> {
    const info = tokenInfo(this.#host.token);
    this.view = 'connecting';
    this.#changed();
    let connection: Awaited<ReturnType<typeof loadConnection>>;
    try {
      connection = await loadConnection();
    } catch (error) {
      this.#closed(undefined, error);
      return;
    }
    const { SignalingClient, signalingPort } = connection;
    const url = `${this.#host.server.replace(/\/+$/u, '').replace(/^http/u, 'ws')}/ws`;
    const client = new SignalingClient({
      url,
      sessionId: this.#host.session,
      auth: () => ({ kind: info.kind, token: this.#host.token }),
      notice: { version: ROOM_NOTICE_VERSION, acknowledgedAt: new Date().toISOString() },
      ...(this.#host.point ? { point: this.#host.point } : {}),
      backoff: { initialMs: 500, maxMs: 5000 },
    });
    this.#client = client;
    this.#port = signalingPort(client);
    this.#offs.push(client.onEvent((event) => this.#onEvent(event)));
    this.#offs.push(client.onState((s, detail) => void this.#onState(s, detail)));
    try {
      const hello = await client.connect();
      this.#applyHello(hello);
      emit(this.#host, 'tiepdan-joined', { participantId: hello.participantId, role: hello.role, status: hello.status });
      if (hello.status === 'lobby') (this.view = 'lobby'), this.#changed();
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
    this.#changed();
  }

  #applySnapshot(room: RequestResult<'roster.get'>): void {
    this.roomState = room.state;
    this.participants = room.participants;
    this.caseId = room.caseId;
    this.floor = room.floor;
    this.points = room.points;
    if (room.lobby) this.queue = room.lobby;
    this.#changed();
    // A session without a recording (or an older server) sends none: the indicator then says so.
    if (room.recording) this.#host.recordingState = { state: room.recording.state, source: 'server', alarm: room.recording.alarm?.code };
    this.#syncPeers();
  }

  /** Everyone in the room but this device (those in the lobby are not). */
  members(): string[] {
    return this.participants.filter((p) => p.status !== 'lobby' && p.participantId !== this.participantId).map((p) => p.participantId);
  }

  #syncPeers(): void {
    this.media.syncPeers();
  }

  async #enterRoom(): Promise<void> {
    this.view = 'room';
    this.wasReturned = false;
    this.#changed();
    await this.media.start();
  }

  // ---------------------------------------------------------------------------------------------- events

  #upsert(p: Participant): void {
    const i = this.participants.findIndex((q) => q.participantId === p.participantId);
    this.participants = i < 0 ? [...this.participants, p] : this.participants.map((q, j) => (j === i ? p : q));
    this.#changed();
  }

  #onEvent(event: RoomEvent): void {
    switch (event.type) {
      case 'recording.state':
        this.#host.recordingState = { ...this.#host.recordingState, state: event.state, source: 'server' };
        break;
      case 'recording.alarm':
        this.#host.recordingState = { ...this.#host.recordingState, source: 'server', alarm: event.alarm.code };
        break;
      case 'recording.alarm_cleared':
        this.#host.recordingState = { ...this.#host.recordingState, alarm: undefined };
        break;
      case 'room.state':
        this.roomState = event.state;
        if (event.state === 'ended') void this.finish('ended');
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
        emit(this.#host, 'tiepdan-admitted', { caseId: event.caseId });
        this.caseId = event.caseId;
        void this.#refresh().then(() => this.#enterRoom());
        break;
      case 'lobby.returned':
        this.position = { position: event.position };
        this.wasReturned = true;
        void this.media.stop();
        this.view = 'lobby';
        break;
      case 'lobby.denied':
        this.deniedReason = event.reason;
        void this.finish('denied');
        break;
      case 'case.changed':
        this.caseId = event.caseId;
        break;
      case 'case.updated':
        this.#link.caseUpdated(event.caseId);
        break;
      case 'floor.changed':
        this.floor = event.participantId;
        break;
      case 'chat.message':
        this.chat = [...this.chat, { messageId: event.messageId, name: event.name, text: event.text, at: event.at, mine: event.from === this.participantId }];
        break;
      case 'mute.requested':
        this.media.setMuted(event.media, true);
        this.announcement = fmt(this.#s.muteRequested, { media: event.media === 'audio' ? this.#s.mediaAudio : this.#s.mediaVideo });
        break;
      case 'point.health': {
        const i = this.points.findIndex((p) => p.id === event.point.id);
        this.points = i < 0 ? [...this.points, event.point] : this.points.map((p, j) => (j === i ? event.point : p));
        break;
      }
      default:
        break;
    }
    this.#changed();
  }

  async #refresh(): Promise<void> {
    const room = await this.#client?.request('roster.get', {}).catch(() => undefined);
    if (room) this.#applySnapshot(room);
  }

  async #onState(s: string, detail?: { code?: number; reason?: string }): Promise<void> {
    if (this.view === 'connecting' || this.view === 'prejoin') return;
    if (s === 'reconnecting') {
      if (!this.reconnecting) emit(this.#host, 'tiepdan-reconnecting', { state: 'reconnecting' });
      this.reconnecting = true;
      this.#changed();
    } else if (s === 'resumed' || s === 'connected') {
      const wasReconnecting = this.reconnecting;
      this.reconnecting = false;
      this.#changed();
      if (!wasReconnecting) return;
      this.announcement = this.#s.reconnected;
      const hello = this.#client!.hello!;
      const previousId = this.participantId;
      emit(this.#host, 'tiepdan-reconnecting', { state: s === 'resumed' ? 'resumed' : 'rejoined' });
      this.#applyHello(hello);
      if (s === 'connected') await this.#refresh();
      if (hello.status === 'lobby' && this.view === 'room') {
        await this.media.stop();
        this.view = 'lobby';
        this.#changed();
      } else if (hello.participantId !== previousId && this.media.kind) {
        // A new place (the resume window had passed): the others know us by the new id; start media over.
        await this.media.stop();
        await this.#enterRoom();
      }
      this.media.networkChanged();
    } else if (s === 'failed') this.#closed(detail?.code);
  }

  #closed(code: number | undefined, error?: unknown): void {
    if (code === CLOSE_CODES.DENIED) void this.finish('denied');
    else if (code === CLOSE_CODES.ROOM_ENDED) void this.finish('ended');
    else {
      const body = loaded && error instanceof loaded.SignalingError ? error.body.error : undefined;
      this.fail(body?.code ?? 'network', body?.message ?? { vi: 'Không kết nối được tới phòng họp trực tuyến.', en: 'Cannot connect to the online room.' });
      void this.finish('failed');
    }
  }

  fail(code: string, message: Message): void {
    this.error = message;
    this.#changed();
    emit(this.#host, 'tiepdan-error', { code, message: say(message, this.#host.speaks) });
  }

  // ---------------------------------------------------------------------------------------------- actions

  /** A request this role may make (else refused here, as the server would); a refusal is told as an error. */
  async act<T extends RequestType>(permission: RoomPermission | null, type: T, params: RequestParams<T>): Promise<RequestResult<T>> {
    const client = this.#client;
    if (!client || !this.roomRole) throw new RoomActionError('not_joined');
    if (permission && !canInRoom(this.roomRole, permission)) throw new RoomActionError('forbidden');
    try {
      return await client.request(type, params);
    } catch (error) {
      if (loaded && error instanceof loaded.SignalingError) {
        this.fail(error.code, error.body.error.message);
        throw new RoomActionError(error.code, error.body.error.message);
      }
      throw error;
    }
  }

  async finish(view: 'left' | 'denied' | 'ended' | 'failed'): Promise<void> {
    if (this.view === view) return;
    const was = this.view;
    this.view = view;
    this.reconnecting = false;
    this.#changed();
    await this.teardown(view === 'left');
    if (was !== 'prejoin') emit(this.#host, 'tiepdan-left', { reason: view === 'left' ? 'bye' : view });
  }

  async teardown(bye = false): Promise<void> {
    await this.media.stop();
    const client = this.#client;
    this.#client = undefined;
    for (const off of this.#offs.splice(0)) off();
    if (client) {
      if (bye) await client.close();
      else void client.close();
    }
    await this.media.close();
  }
}

