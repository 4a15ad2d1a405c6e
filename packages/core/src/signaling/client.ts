/**
 * The signaling client for browsers (and Node 20, passing `ws`'s WebSocket): connects, authenticates with
 * `hello`, sends requests with time-outs, streams events, and reconnects by itself with jittered backoff
 * (skipping the wait when the device comes back `online`), resuming its place with the last sequence seen.
 *
 * It keeps its own heartbeat (a `ping` request every `limits.heartbeatIntervalMs`): browsers never see WebSocket
 * pings, and a link cut silently (a phone leaving Wi-Fi, rural 3G) would otherwise look alive until the network
 * came back. With nothing from the server for `limits.heartbeatTimeoutMs` it drops the socket and reconnects.
 * A `server.restarting` event says when the server expects to be back: the next attempt waits a random time
 * spread over that `reconnectAfterMs`, so thousands of clients do not come back in the same millisecond.
 *
 * Its `state` is what an element shows: connecting → connected; on a drop reconnecting → resumed (same place,
 * missed events replayed) or connected (a clean rejoin, the window had passed); failed when the server said
 * not to come back (denied, session ended, token refused) or the attempts ran out; closed after `close()`.
 */
import type { ErrorBody } from '../errors.js';
import { transportError } from '../api/transport-errors.js';
import { CLOSE_CODES, PROTOCOL_VERSION, RECONNECTABLE_CLOSE_CODES, RECORDED_REQUEST_TYPES } from './limits.js';
import type { ConnectionPointInfo, EventFrame, Hello, RequestParams, RequestResult, RequestType, RoomEvent } from './protocol.js';

export const SIGNALING_STATES = ['idle', 'connecting', 'connected', 'reconnecting', 'resumed', 'failed', 'closed'] as const;
export type SignalingState = (typeof SIGNALING_STATES)[number];

/** What we use of a WebSocket: the browser's and `ws`'s both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: any) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface SignalingClientOptions {
  /** ws:// or wss:// URL of the server's `/ws`. */
  url: string;
  sessionId: string;
  /** The credentials for `hello`; a function is asked again on every reconnect (tokens get refreshed). */
  auth: Hello['auth'] | (() => Hello['auth'] | Promise<Hello['auth']>);
  point?: ConnectionPointInfo;
  pointId?: string;
  /** The recording and privacy notice acknowledged before joining; sent with `hello` so the room audits it. */
  notice?: { version: string; acknowledgedAt: string };
  /** Join as the session's hidden, receive-only recorder (docs/recording.md). */
  recorder?: { recorderId: string };
  /** Defaults to the global WebSocket (browsers). */
  WebSocket?: WebSocketConstructor;
  requestTimeoutMs?: number;
  /** Reconnect backoff: the first wait, the longest, and how many tries before `failed`. */
  backoff?: { initialMs?: number; maxMs?: number; maxAttempts?: number };
  /** Where the `online` event comes from; the global object in browsers. */
  onlineTarget?: { addEventListener(type: 'online', listener: () => void): void; removeEventListener(type: 'online', listener: () => void): void } | undefined;
  random?: () => number;
  /** Overrides the heartbeat the server gives in `hello` (`limits`). */
  heartbeat?: { intervalMs?: number; timeoutMs?: number };
}

export class SignalingError extends Error {
  override readonly name = 'SignalingError';
  constructor(readonly body: ErrorBody) {
    super(body.error.message.en);
  }
  get code(): string {
    return this.body.error.code;
  }
}

type HelloResult = RequestResult<'hello'>;
interface Pending {
  resolve(value: unknown): void;
  reject(error: SignalingError): void;
  timer: ReturnType<typeof setTimeout>;
  /** A recorded request's frame marked `resent`: sent again on the next socket after a resume (see #resend). */
  resend?: string | undefined;
}

const OPEN = 1;

export class SignalingClient {
  #state: SignalingState = 'idle';
  #socket: WebSocketLike | undefined;
  #pending = new Map<string, Pending>();
  #nextId = 1;
  /**
   * Makes this client's request ids its own: a request sent again after a drop is looked up by its id among the
   * place's recorded requests, which a later page of the same person (counting from 1 again) also adds to.
   */
  readonly #idPrefix = `${Math.floor(Math.random() * 36 ** 8).toString(36)}.`;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryNow: (() => void) | undefined;
  #eventListeners = new Set<(event: RoomEvent, frame: EventFrame) => void>();
  #stateListeners = new Set<(state: SignalingState, detail?: { code?: number; reason?: string }) => void>();
  #closedByUs = false;
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  /** When the current socket last brought a frame. */
  #lastSeen = 0;
  /** From `server.restarting`: spread the next attempt over this many ms instead of the backoff. */
  #restartHintMs: number | undefined;
  readonly #options: SignalingClientOptions;
  readonly #onOnline = () => this.#retryNow?.();

  /** The participant id the server gave, kept to resume. */
  participantId: string | undefined;
  /** The last event sequence seen, kept to resume. */
  lastSeq = 0;
  /** The last `hello` result (room snapshot, credentials). */
  hello: HelloResult | undefined;
  /** Close code of the last drop, for the UI and tests. */
  lastClose: { code: number; reason: string } | undefined;

  constructor(options: SignalingClientOptions) {
    this.#options = options;
    const target = 'onlineTarget' in options ? options.onlineTarget : (globalThis as { addEventListener?: unknown }).addEventListener ? (globalThis as unknown as SignalingClientOptions['onlineTarget']) : undefined;
    target?.addEventListener('online', this.#onOnline);
    this.#onlineTarget = target;
  }
  readonly #onlineTarget: SignalingClientOptions['onlineTarget'];

  get state(): SignalingState {
    return this.#state;
  }

  /** Connects and says hello; resolves with the hello result, rejects if the first attempt fails for good. */
  connect(): Promise<HelloResult> {
    if (this.#state !== 'idle') throw new Error('connect() is called once; the client reconnects by itself');
    return new Promise((resolve, reject) => {
      const offState = this.onState((state, detail) => {
        if (state === 'connected' || state === 'resumed') (offState(), resolve(this.hello!));
        else if (state === 'failed' || state === 'closed') (offState(), reject(new SignalingError(detail?.reason ? { error: { ...transportError('network').error, requestId: detail.reason } } : transportError('network'))));
      });
      this.#open('connecting');
    });
  }

  /** Sends one request; resolves with its result or rejects with a SignalingError (the server's, or network/timeout). */
  request<T extends RequestType>(type: T, params: RequestParams<T>, timeoutMs = this.#options.requestTimeoutMs ?? 10_000): Promise<RequestResult<T>> {
    const socket = this.#socket;
    if (!socket || socket.readyState !== OPEN || !(this.#state === 'connected' || this.#state === 'resumed')) {
      return Promise.reject(new SignalingError(transportError('network')));
    }
    return this.#send(socket, type, params, timeoutMs) as Promise<RequestResult<T>>;
  }

  /** Every event, in order, without duplicates across a resume. Returns the unsubscribe function. */
  onEvent(listener: (event: RoomEvent, frame: EventFrame) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  onState(listener: (state: SignalingState, detail?: { code?: number; reason?: string }) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** Leaves: `bye` when connected (the place is given up), then closes. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    if (this.#socket?.readyState === OPEN && (this.#state === 'connected' || this.#state === 'resumed')) {
      await this.request('bye', {}, 2000).catch(() => undefined);
    }
    this.#shutdown('closed');
  }

  /** Drops the socket without `bye`, as a lost network would; the client reconnects (tests, "retry now" buttons). */
  drop(): void {
    const socket = this.#socket;
    if (!socket) return;
    socket.close(4999, 'client drop');
    // With the network gone the close handshake cannot finish, and its close event may come much later: act now
    // (the late event is ignored, the socket is no longer ours).
    this.#onClose(socket, 4999, 'client drop');
  }

  #setState(state: SignalingState, detail?: { code?: number; reason?: string }): void {
    if (this.#state === state) return;
    this.#state = state;
    for (const listener of [...this.#stateListeners]) listener(state, detail);
  }

  #shutdown(state: 'closed' | 'failed', detail?: { code?: number; reason?: string }): void {
    this.#closedByUs = true;
    this.#stopHeartbeat();
    clearTimeout(this.#retryTimer);
    this.#retryNow = undefined;
    this.#onlineTarget?.removeEventListener('online', this.#onOnline);
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket && socket.readyState <= OPEN) socket.close(1000);
    this.#failPending();
    this.#setState(state, detail);
  }

  #open(state: 'connecting' | 'reconnecting'): void {
    this.#setState(state);
    const Ctor = this.#options.WebSocket ?? (globalThis as unknown as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) throw new Error('no WebSocket: pass options.WebSocket (e.g. the ws package in Node)');
    let socket: WebSocketLike;
    try {
      socket = new Ctor(this.#options.url);
    } catch {
      this.#scheduleRetry(1006, 'cannot open');
      return;
    }
    this.#socket = socket;
    socket.onmessage = (event) => this.#onMessage(socket, event.data);
    socket.onerror = () => {};
    socket.onclose = (event) => this.#onClose(socket, event.code, event.reason);
    socket.onopen = () => void this.#sayHello(socket, state);
  }

  async #sayHello(socket: WebSocketLike, state: 'connecting' | 'reconnecting'): Promise<void> {
    const { auth, sessionId, point, pointId, notice, recorder } = this.#options;
    try {
      const credentials = typeof auth === 'function' ? await auth() : auth;
      const params: RequestParams<'hello'> = { auth: credentials, sessionId };
      if (point) params.point = point;
      if (pointId) params.pointId = pointId;
      if (notice) params.notice = notice;
      if (recorder) params.recorder = recorder;
      if (this.participantId) params.resume = { participantId: this.participantId, lastSeq: this.lastSeq };
      const result = (await this.#send(socket, 'hello', params, this.#options.requestTimeoutMs ?? 10_000)) as HelloResult;
      if (socket !== this.#socket) return;
      this.#attempt = 0;
      if (!result.resumed) this.lastSeq = result.room.seq;
      this.participantId = result.participantId;
      this.hello = result;
      this.#startHeartbeat(socket, result);
      this.#resend(socket, result.resumed);
      this.#setState(state === 'reconnecting' && result.resumed ? 'resumed' : 'connected');
    } catch (error) {
      // A refused hello is followed by the server's close, which decides between retry and failure.
      if (error instanceof SignalingError && error.code === 'timeout') socket.close(4999, 'hello timeout');
    }
  }

  #send(socket: WebSocketLike, type: RequestType, params: object, timeoutMs: number): Promise<unknown> {
    const id = `${this.#idPrefix}${this.#nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new SignalingError(transportError('timeout')));
      }, timeoutMs);
      const frame = { v: PROTOCOL_VERSION, id, type, ...params };
      this.#pending.set(id, { resolve, reject, timer, resend: (RECORDED_REQUEST_TYPES as readonly string[]).includes(type) ? JSON.stringify({ ...frame, resent: true }) : undefined });
      try {
        socket.send(JSON.stringify(frame));
      } catch {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(new SignalingError(transportError('network')));
      }
    });
  }

  #onMessage(socket: WebSocketLike, data: unknown): void {
    if (socket !== this.#socket || typeof data !== 'string') return;
    this.#lastSeen = Date.now();
    let frame: { type?: string; id?: string | null; result?: unknown; error?: ErrorBody['error']; seq?: number; event?: RoomEvent };
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (frame.type === 'event' && typeof frame.seq === 'number' && frame.event) {
      // Replayed events overlap with what we saw before the drop; the sequence tells them apart.
      if (frame.seq <= this.lastSeq) return;
      this.lastSeq = frame.seq;
      if (frame.event.type === 'server.restarting') this.#restartHintMs = frame.event.reconnectAfterMs;
      for (const listener of [...this.#eventListeners]) listener(frame.event, frame as EventFrame);
      return;
    }
    if ((frame.type === 'result' || frame.type === 'error') && typeof frame.id === 'string') {
      const pending = this.#pending.get(frame.id);
      if (!pending) return;
      this.#pending.delete(frame.id);
      clearTimeout(pending.timer);
      if (frame.type === 'result') pending.resolve(frame.result);
      else pending.reject(new SignalingError({ error: frame.error! }));
    }
  }

  #onClose(socket: WebSocketLike, code: number, reason: string): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    this.#stopHeartbeat();
    this.lastClose = { code, reason };
    const reconnectable = RECONNECTABLE_CLOSE_CODES.includes(code) || code === 4999 || (code < 4000 && code !== 1000 && code !== 1008);
    // A recorded request may have been carried out with only its reply lost: it waits for the resume (#resend).
    this.#failPending(reconnectable && !this.#closedByUs);
    if (this.#closedByUs) return;
    if (!reconnectable) {
      this.#shutdown(code === CLOSE_CODES.LEFT ? 'closed' : 'failed', { code, reason });
      return;
    }
    this.#scheduleRetry(code, reason);
  }

  #scheduleRetry(code: number, reason: string): void {
    const { initialMs = 500, maxMs = 15_000, maxAttempts = Infinity } = this.#options.backoff ?? {};
    if (this.#attempt >= maxAttempts) {
      this.#shutdown('failed', { code, reason });
      return;
    }
    const random = this.#options.random ?? Math.random;
    const hint = code === CLOSE_CODES.SERVER_RESTARTING ? this.#restartHintMs : undefined;
    this.#restartHintMs = undefined;
    // After a restart notice: spread over the window the server gave. Otherwise full jitter over the upper half
    // of the backoff: a ward's worth of phones dropped at once do not come back in lockstep.
    const ceiling = Math.min(maxMs, initialMs * 2 ** this.#attempt);
    const wait = hint !== undefined ? random() * hint : ceiling / 2 + random() * (ceiling / 2);
    this.#attempt += 1;
    this.#setState('reconnecting', { code, reason });
    const go = () => {
      clearTimeout(this.#retryTimer);
      this.#retryNow = undefined;
      if (!this.#closedByUs) this.#open('reconnecting');
    };
    this.#retryNow = go;
    this.#retryTimer = setTimeout(go, wait);
  }

  #startHeartbeat(socket: WebSocketLike, hello: HelloResult): void {
    this.#stopHeartbeat();
    const intervalMs = this.#options.heartbeat?.intervalMs ?? hello.limits.heartbeatIntervalMs;
    const timeoutMs = this.#options.heartbeat?.timeoutMs ?? hello.limits.heartbeatTimeoutMs;
    this.#lastSeen = Date.now();
    let pinged = Date.now();
    // Checked each second (or each interval, if shorter) so a dead link is seen soon after the timeout; a ping
    // goes once per interval.
    this.#heartbeatTimer = setInterval(() => {
      if (socket !== this.#socket) return this.#stopHeartbeat();
      const now = Date.now();
      if (now - this.#lastSeen > timeoutMs) {
        // Silence: the link is gone even if the socket does not know it yet. Reconnect (and resume) now.
        socket.close(4999, 'heartbeat timeout');
        this.#onClose(socket, CLOSE_CODES.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
        return;
      }
      if (now - pinged >= intervalMs - 10 && socket.readyState === OPEN) {
        pinged = now;
        this.#send(socket, 'ping', {}, timeoutMs).catch(() => undefined);
      }
    }, Math.min(intervalMs, 1000));
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
  }

  /**
   * After a resume: the recorded requests whose replies the last socket did not bring go again, with their ids and
   * `resent`; the room answers one it had carried out from its record. Without the place (not resumed) nobody can
   * tell whether they were carried out: they fail as before, with `network`.
   */
  #resend(socket: WebSocketLike, resumed: boolean): void {
    for (const [id, pending] of this.#pending) {
      if (!pending.resend) continue;
      if (!resumed) {
        clearTimeout(pending.timer);
        this.#pending.delete(id);
        pending.reject(new SignalingError(transportError('network')));
        continue;
      }
      try {
        socket.send(pending.resend);
      } catch {
        // Dropped again at once: the next resume sends it.
      }
    }
  }

  #failPending(keepRecorded = false): void {
    for (const [id, pending] of this.#pending) {
      if (keepRecorded && pending.resend) continue;
      clearTimeout(pending.timer);
      pending.reject(new SignalingError(transportError('network')));
      this.#pending.delete(id);
    }
  }
}
