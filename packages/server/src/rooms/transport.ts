/**
 * The WebSocket side of rooms: one Connection per socket. It enforces the protocol's limits before anything
 * reaches a room (frame size, message rate, authentication timeout, heartbeat, slow consumers), checks frames
 * against the schemas and tokens, and turns frames into bus commands and bus deliveries into frames.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import {
  CLOSE_CODES,
  ClientMessageSchema,
  jsonDepthWithin,
  PROTOCOL_VERSION,
  REQUEST_TYPES,
  ISSUE_PARSE_OPTIONS,
  issuesToFieldErrors,
  signalingError,
  type ErrorBody,
} from '@tiepdan/core';
import { officialVerifier, type OfficialVerifier } from '../auth/tokens.js';
import type { CommandReply, Delivery, RoomBus } from './bus.js';
import type { RoomCommand, VerifiedIdentity } from './commands.js';
import type { JoinTokenVerifier } from './join-tokens.js';

const OPEN = 1;
/** How long a closing socket may take to say goodbye before it is cut. */
const CLOSE_GRACE_MS = 1000;

export interface TransportSettings {
  authTimeoutMs: number;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  messagesPerSecond: number;
  messageBurst: number;
  maxFrameBytes: number;
  maxBufferedBytes: number;
}

export interface TransportDeps {
  bus: RoomBus;
  settings: TransportSettings;
  authSecret: string;
  /** Checks officials' tokens with their sign-in sessions (auth/tokens.ts); CLI tokens only when absent. */
  verifyOfficial?: OfficialVerifier | undefined;
  joinTokens: JoinTokenVerifier;
  /** May this identity enter this session's room? (The schedule knows sessions' units and connection points.) */
  sessionAccess?: ((identity: VerifiedIdentity, sessionId: string) => Promise<boolean>) | undefined;
  log: FastifyBaseLogger;
}

/** The socket's Connection, kept on the socket itself for the shared listeners. */
const CONNECTION = Symbol('connection');
type SocketWithConnection = WebSocket & { [CONNECTION]: Connection };
const ignore = (): void => undefined;

class Connection {
  readonly id = randomUUID();
  participantId: string | undefined;
  sessionId: string | undefined;
  helloPending = false;
  closing = false;
  /** Epoch ms of the last frame or pong: silence past the heartbeat timeout means the link is dead. */
  lastSeen = Date.now();
  /** When the room last heard of this socket's heartbeat (point health). */
  beatReported = 0;
  tokens: number;
  refilledAt = performance.now();
  authTimer: ReturnType<typeof setTimeout> | undefined;
  corked = false;
  /**
   * The highest event number this socket has (its hello's snapshot, replay included): a delivery at or below it
   * is already here. With the Redis bus the events after a hello can arrive around its reply.
   */
  lastSeq = 0;
  /** Bytes written while corked this turn: still ours to flush, not a sign of a slow reader. */
  corkedBytes = 0;
  /** Who the hello proved this socket is: the room's next node is told again when the room moves (reattach). */
  identity: VerifiedIdentity | undefined;
  recorder: { recorderId: string } | undefined;
  /**
   * While the room's new node is being told about this socket again (reattach): settles true when the socket
   * has its place back. Events for it wait in `held`, to go after the ones the rejoin replays, in order.
   */
  rejoining: Promise<boolean> | undefined;
  held: Extract<Delivery, { kind: 'event' }>[] = [];

  constructor(
    readonly socket: WebSocket,
    burst: number,
  ) {
    this.tokens = burst;
  }
}

export class Transport {
  private readonly connections = new Set<Connection>();
  /** Per room on this process: participant id → its socket here. */
  private readonly local = new Map<string, Map<string, Connection>>();
  private readonly unsubscribe = new Map<string, () => void>();
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private closing = false;
  private lastPing = 0;
  /** Sockets corked in this turn of the event loop, uncorked together in setImmediate. */
  private corked: Connection[] = [];
  /** How many sockets were closed with each code (operations metrics, tests). */
  readonly closeCounts = new Map<number, number>();

  constructor(private readonly deps: TransportDeps) {
    // Checked often enough that a dead link is cut within a second of its timeout; pings go once per interval.
    this.heartbeat = setInterval(() => this.beat(), Math.min(1000, deps.settings.heartbeatIntervalMs));
    this.heartbeat.unref();
  }

  get size(): number {
    return this.connections.size;
  }

  accept(socket: WebSocket): void {
    const { settings } = this.deps;
    const conn = new Connection(socket, settings.messageBurst);
    if (this.closing) {
      socket.close(CLOSE_CODES.SERVER_RESTARTING, 'server restarting');
      return;
    }
    this.connections.add(conn);
    conn.authTimer = setTimeout(this.authTimeout, settings.authTimeoutMs, conn);
    // One set of listeners for every socket (ws calls them with the socket as `this`), the connection found on
    // the socket: four closures per idle socket were a fifth of its heap beyond raw ws (issue 15).
    (socket as SocketWithConnection)[CONNECTION] = conn;
    socket.on('message', this.listeners.message);
    socket.on('pong', this.listeners.pong);
    socket.on('close', this.listeners.close);
    socket.on('error', ignore);
  }

  private readonly authTimeout = (conn: Connection): void => {
    if (!conn.participantId) this.close(conn, CLOSE_CODES.AUTH_TIMEOUT, 'no hello in time');
  };

  private readonly listeners = (() => {
    // The listeners' own `this` is the socket.
    const transport = this;
    return {
      message(this: WebSocket, data: unknown, isBinary: boolean) {
        transport.onMessage((this as SocketWithConnection)[CONNECTION], data as Buffer, isBinary);
      },
      pong(this: WebSocket) {
        transport.sawLife((this as SocketWithConnection)[CONNECTION]);
      },
      close(this: WebSocket) {
        transport.onClose((this as SocketWithConnection)[CONNECTION]);
      },
    };
  })();

  /** Shutdown: the rooms tell their participants; sockets not in a room are closed here; waits for all to go. */
  async shutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    for (const conn of this.connections) if (!conn.participantId) this.close(conn, CLOSE_CODES.SERVER_RESTARTING, 'server restarting');
  }

  /** Cuts every socket at once, as a network failure would (failover drills, the reconnect-storm bench). */
  terminateAll(): number {
    const count = this.connections.size;
    for (const conn of this.connections) conn.socket.terminate();
    return count;
  }

  /** Resolves when every socket is closed, or cuts the rest after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const conn of this.connections) conn.socket.terminate();
  }

  // ------------------------------------------------------------------------------------------ inbound

  private onMessage(conn: Connection, data: Buffer, isBinary: boolean): void {
    if (conn.closing) return;
    this.sawLife(conn);
    const { settings } = this.deps;
    const now = performance.now();
    conn.tokens = Math.min(settings.messageBurst, conn.tokens + ((now - conn.refilledAt) / 1000) * settings.messagesPerSecond);
    conn.refilledAt = now;
    if (conn.tokens < 1) {
      this.sendError(conn, null, signalingError('rate_limited', { retryAfter: 1 }));
      this.close(conn, CLOSE_CODES.RATE_LIMITED, 'too many messages');
      return;
    }
    conn.tokens -= 1;
    if (isBinary) return this.close(conn, CLOSE_CODES.PROTOCOL_ERROR, 'binary frames are not part of the protocol');
    if (data.length > settings.maxFrameBytes) {
      // A client's mistake or an attack, not a fault of ours: a warn line without a stack.
      this.deps.log.warn({ bytes: data.length, authenticated: Boolean(conn.participantId) }, 'signaling frame too large');
      this.sendError(conn, null, signalingError('payload_too_large'));
      return this.close(conn, CLOSE_CODES.FRAME_TOO_LARGE, 'frame too large');
    }
    const text = data.toString('utf8');
    if (!jsonDepthWithin(text)) {
      this.sendError(conn, null, signalingError('json_too_deep'));
      if (!conn.participantId) this.close(conn, CLOSE_CODES.PROTOCOL_ERROR, 'nested too deeply');
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.sendError(conn, null, signalingError('bad_json'));
      if (!conn.participantId) this.close(conn, CLOSE_CODES.PROTOCOL_ERROR, 'not JSON');
      return;
    }
    const id = typeof (raw as { id?: unknown })?.id === 'string' && ((raw as { id: string }).id.length <= 64) ? (raw as { id: string }).id : null;
    const v = (raw as { v?: unknown })?.v;
    if (typeof v === 'number' && v !== PROTOCOL_VERSION) {
      this.sendError(conn, id, signalingError('unsupported_version'));
      return this.close(conn, CLOSE_CODES.UNSUPPORTED_VERSION, `protocol ${PROTOCOL_VERSION} only`);
    }
    const parsed = ClientMessageSchema.safeParse(raw, ISSUE_PARSE_OPTIONS);
    if (!parsed.success) {
      const type = (raw as { type?: unknown })?.type;
      const known = typeof type === 'string' && (REQUEST_TYPES as string[]).includes(type);
      // The same field errors as an HTTP route's 422 (core/validation/issues.ts); ten are enough to fix a frame.
      const fields = issuesToFieldErrors(parsed.error.issues).slice(0, 10);
      this.sendError(conn, id, known ? signalingError('validation_failed', { fields }) : signalingError('unknown_type'));
      if (!conn.participantId && !conn.helloPending) this.close(conn, CLOSE_CODES.PROTOCOL_ERROR, 'the first frame must be a valid hello');
      return;
    }
    const message = parsed.data;
    // Answered here, at once: a heartbeat must not wait behind the room's work or its commit.
    if (message.type === 'ping') return this.sendResult(conn, message.id, {});
    if (message.type === 'hello') {
      if (conn.participantId || conn.helloPending) return this.sendError(conn, message.id, signalingError('already_authenticated'));
      conn.helloPending = true;
      void this.hello(conn, message).catch((error: unknown) => this.fail(conn, message.id, error));
      return;
    }
    if (!conn.participantId || !conn.sessionId) {
      this.sendError(conn, message.id, signalingError('unauthenticated'));
      if (!conn.helloPending) this.close(conn, CLOSE_CODES.PROTOCOL_ERROR, 'the first frame must be hello');
      return;
    }
    void this.request(conn, conn.sessionId, { kind: 'request', connectionId: conn.id, participantId: conn.participantId, message })
      .then((reply) => {
        if (reply.ok) this.sendResult(conn, message.id, reply.result);
        else this.sendError(conn, message.id, reply.error);
        if (reply.close) this.close(conn, reply.close.code, reply.close.reason);
      })
      .catch((error: unknown) => this.fail(conn, message.id, error));
  }

  /**
   * A request of an attached socket. When the room's node died, the room's next node knows the participant but
   * not this socket (`rejoin`): the socket takes its place back and the same request (same connection and id)
   * goes once more. If the dead node had already carried it out, the room answers from its record (room.ts
   * `answered`) instead of doing it twice; if the place cannot be taken back, the request fails with `room_moved`
   * and the socket is closed after, so the client resumes on its own.
   */
  private async request(conn: Connection, sessionId: string, command: Extract<RoomCommand, { kind: 'request' }>): Promise<CommandReply> {
    const reply = await this.deps.bus.request(sessionId, command);
    if (reply.ok || !reply.rejoin) return reply;
    if (!(await this.reattach(conn))) return { ok: false, error: signalingError('room_moved') };
    const again = await this.deps.bus.request(sessionId, command);
    // Moved again at once: the client is told rather than chasing the room here.
    return again.ok || !again.rejoin ? again : { ok: false, error: signalingError('room_moved') };
  }

  private async hello(conn: Connection, message: Extract<import('@tiepdan/core').ClientMessage, { type: 'hello' }>): Promise<void> {
    const identity = await this.identify(message.auth);
    if (conn.closing) return;
    if (identity && this.deps.sessionAccess && !(await this.deps.sessionAccess(identity, message.sessionId))) {
      conn.helloPending = false;
      this.sendError(conn, message.id, signalingError('forbidden'));
      return this.close(conn, CLOSE_CODES.AUTH_FAILED, 'not a participant of this session');
    }
    if (!identity) {
      conn.helloPending = false;
      this.sendError(conn, message.id, signalingError('unauthenticated'));
      return this.close(conn, CLOSE_CODES.AUTH_FAILED, 'token refused');
    }
    const reply = await this.deps.bus.request(message.sessionId, {
      kind: 'hello',
      connectionId: conn.id,
      identity,
      point: message.point,
      pointId: message.pointId,
      resume: message.resume,
      notice: message.notice,
      recorder: message.recorder,
    });
    conn.helloPending = false;
    if (!reply.ok) {
      this.sendError(conn, message.id, reply.error);
      if (reply.close) this.close(conn, reply.close.code, reply.close.reason);
      return;
    }
    const result = reply.result as { participantId: string };
    if (conn.closing) {
      // The socket went away while the room was answering: the room must not keep it as connected.
      void this.deps.bus.request(message.sessionId, { kind: 'detach', connectionId: conn.id, participantId: result.participantId }).catch(() => undefined);
      return;
    }
    clearTimeout(conn.authTimer);
    // The spent timer is let go: an idle socket lives for hours.
    conn.authTimer = undefined;
    conn.participantId = result.participantId;
    conn.sessionId = message.sessionId;
    conn.identity = identity;
    conn.recorder = message.recorder;
    conn.lastSeq = Math.max((reply.result as { room?: { seq?: number } }).room?.seq ?? 0, ...(reply.replay ?? []).map((frame) => (JSON.parse(frame) as { seq: number }).seq));
    this.attach(conn, message.sessionId, result.participantId);
    this.sendResult(conn, message.id, reply.result);
    for (const frame of reply.replay ?? []) this.send(conn, frame);
  }

  private async identify(auth: { kind: 'official' | 'citizen'; token: string }): Promise<VerifiedIdentity | undefined> {
    if (auth.kind === 'official') {
      const claims = await (this.deps.verifyOfficial ?? officialVerifier(this.deps.authSecret))(auth.token);
      return claims && { kind: 'official', ...claims };
    }
    const claims = await this.deps.joinTokens.verify(auth.token);
    return claims && { kind: 'citizen', ...claims };
  }

  private onClose(conn: Connection): void {
    conn.closing = true;
    clearTimeout(conn.authTimer);
    this.connections.delete(conn);
    const { participantId, sessionId } = conn;
    if (!participantId || !sessionId) return;
    const room = this.local.get(sessionId);
    if (room?.get(participantId) === conn) {
      room.delete(participantId);
      if (room.size === 0) {
        this.local.delete(sessionId);
        this.unsubscribe.get(sessionId)?.();
        this.unsubscribe.delete(sessionId);
      }
    }
    void this.deps.bus.request(sessionId, { kind: 'detach', connectionId: conn.id, participantId, lastSeenAt: conn.lastSeen }).catch(() => undefined);
  }

  /** Any frame or pong: the link works. The room hears of it about once per interval (point health). */
  private sawLife(conn: Connection): void {
    const now = Date.now();
    conn.lastSeen = now;
    if (conn.participantId && conn.sessionId && now - conn.beatReported >= this.deps.settings.heartbeatIntervalMs) {
      conn.beatReported = now;
      void this.deps.bus
        .request(conn.sessionId, { kind: 'heartbeat', connectionId: conn.id, participantId: conn.participantId })
        // The room moved and this node missed its `moved` (or it came before the socket attached): rejoin now.
        .then((reply) => !reply.ok && reply.rejoin && this.reattach(conn))
        .catch(() => undefined);
    }
  }

  private beat(): void {
    const now = Date.now();
    const { heartbeatIntervalMs, heartbeatTimeoutMs } = this.deps.settings;
    const pingDue = now - this.lastPing >= heartbeatIntervalMs - 10;
    if (pingDue) this.lastPing = now;
    for (const conn of this.connections) {
      if (conn.closing) continue;
      if (now - conn.lastSeen > heartbeatTimeoutMs) {
        // The link is dead: no close handshake can finish, so the socket goes at once and the room hears now.
        this.close(conn, CLOSE_CODES.HEARTBEAT_TIMEOUT, 'heartbeat timeout', 0);
        continue;
      }
      // A WebSocket ping as well: clients that do not send `ping` (raw ws, older ones) answer it with a pong.
      if (pingDue) {
        try {
          conn.socket.ping();
        } catch {
          // closed under us; the close handler cleans up
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------ outbound

  private attach(conn: Connection, sessionId: string, participantId: string): void {
    let room = this.local.get(sessionId);
    if (!room) {
      this.local.set(sessionId, (room = new Map()));
      this.unsubscribe.set(sessionId, this.deps.bus.subscribe(sessionId, (delivery) => this.deliver(sessionId, delivery)));
    }
    room.set(participantId, conn);
  }

  private deliver(sessionId: string, delivery: Delivery): void {
    const room = this.local.get(sessionId);
    if (!room) return;
    for (const participantId of delivery.to) {
      const conn = room.get(participantId);
      if (!conn) continue;
      if (delivery.kind === 'event') {
        if (conn.rejoining) conn.held.push(delivery);
        else this.sendEvent(conn, delivery.seq, delivery.frame);
      } else if (delivery.kind === 'moved') {
        if (delivery.connections.includes(conn.id)) void this.reattach(conn);
      } else if (conn.id !== delivery.exceptConnection && (!delivery.connections || delivery.connections.includes(conn.id))) this.close(conn, delivery.code, delivery.reason);
    }
  }

  /** An event once: a number at or below the socket's last is already there (a hello's or rejoin's replay). */
  private sendEvent(conn: Connection, seq: number, frame: string): void {
    if (seq <= conn.lastSeq) return;
    conn.lastSeq = seq;
    this.send(conn, frame);
  }

  /**
   * The room was restored on another node, which knows this socket's participant but not the socket: the room is
   * told again on its behalf (hello `rejoin`, same connection id, resumed from the socket's last event), and the
   * events it missed are sent, so the client notices nothing. One rejoin per socket at a time, shared by the
   * `moved` delivery, the heartbeat and every request that found the room moved. When the place cannot be taken
   * back (taken by a newer socket, or the events missed are no longer kept), the socket is closed as after a
   * restart and the client resumes by itself; the close waits a turn so waiting requests send their errors first.
   */
  private reattach(conn: Connection): Promise<boolean> {
    if (conn.rejoining) return conn.rejoining;
    const { sessionId, participantId, identity } = conn;
    if (conn.closing || !sessionId || !participantId || !identity) return Promise.resolve(false);
    const rejoin = async (): Promise<boolean> => {
      let reply: CommandReply;
      try {
        reply = await this.deps.bus.request(sessionId, {
          kind: 'hello',
          connectionId: conn.id,
          identity,
          recorder: conn.recorder,
          resume: { participantId, lastSeq: conn.lastSeq },
          rejoin: true,
        });
      } catch (error) {
        this.deps.log.warn({ err: error }, 'rejoining a moved room failed');
        reply = { ok: false, error: signalingError('internal') };
      }
      // Settled here, not in a later turn: an event delivered after this point goes straight out, after the replay.
      conn.rejoining = undefined;
      const held = conn.held;
      conn.held = [];
      const result = reply.ok ? (reply.result as { participantId: string; resumed: boolean; replay: boolean }) : undefined;
      if (conn.closing) return false;
      if (!reply.ok || !result || !result.resumed || !result.replay || result.participantId !== participantId) {
        if (reply.ok) {
          // Told about a place it will not use: the room must not keep this socket as connected.
          void this.deps.bus.request(sessionId, { kind: 'detach', connectionId: conn.id, participantId }).catch(() => undefined);
        }
        const close = (!reply.ok && reply.close) || { code: CLOSE_CODES.SERVER_RESTARTING, reason: 'room moved to another node' };
        setImmediate(() => this.close(conn, close.code, close.reason));
        return false;
      }
      for (const frame of reply.replay ?? []) this.sendEvent(conn, (JSON.parse(frame) as { seq: number }).seq, frame);
      for (const event of held) this.sendEvent(conn, event.seq, event.frame);
      return true;
    };
    const rejoining = rejoin();
    conn.rejoining = rejoining;
    return rejoining;
  }

  private send(conn: Connection, frame: string): void {
    const { socket } = conn;
    if (conn.closing || socket.readyState !== OPEN) return;
    // A client that stopped reading would make us buffer its whole room's traffic; cut it instead.
    if (socket.bufferedAmount - conn.corkedBytes > this.deps.settings.maxBufferedBytes) {
      this.close(conn, CLOSE_CODES.SLOW_CONSUMER, 'reading too slowly');
      return;
    }
    this.cork(conn);
    if (conn.corked) conn.corkedBytes += Buffer.byteLength(frame) + 10;
    socket.send(frame);
  }

  /**
   * Frames for one socket in the same turn of the event loop (a busy room's events, a request's reply) leave
   * in one write instead of one system call each; under load this is most of the server's CPU. ws has no
   * public cork, so this reaches for its net.Socket.
   */
  private cork(conn: Connection): void {
    if (conn.corked) return;
    const raw = (conn.socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (!raw) return;
    raw.cork();
    conn.corked = true;
    if (this.corked.push(conn) === 1) {
      setImmediate(() => {
        const corked = this.corked;
        this.corked = [];
        for (const c of corked) {
          c.corked = false;
          c.corkedBytes = 0;
          (c.socket as unknown as { _socket?: { uncork(): void } })._socket?.uncork();
        }
      });
    }
  }

  private sendResult(conn: Connection, id: string, result: unknown): void {
    this.send(conn, JSON.stringify({ v: PROTOCOL_VERSION, type: 'result', id, result }));
  }

  private sendError(conn: Connection, id: string | null, body: ErrorBody): void {
    this.send(conn, JSON.stringify({ v: PROTOCOL_VERSION, type: 'error', id, error: body.error }));
  }

  private fail(conn: Connection, id: string, error: unknown): void {
    conn.helloPending = false;
    this.deps.log.error({ err: error }, 'signaling request failed');
    this.sendError(conn, id, signalingError('internal'));
  }

  private close(conn: Connection, code: number, reason: string, graceMs = CLOSE_GRACE_MS): void {
    if (conn.closing) return;
    conn.closing = true;
    this.closeCounts.set(code, (this.closeCounts.get(code) ?? 0) + 1);
    try {
      conn.socket.close(code, reason);
    } catch {
      conn.socket.terminate();
    }
    const timer = setTimeout(() => conn.socket.terminate(), graceMs);
    timer.unref();
  }
}
