/**
 * The rooms capability: the `/ws` endpoint (signaling protocol, @tiepdan/core's signaling/protocol.ts), the
 * rooms' host on an in-process bus, and their persistence (rooms/room-store.ts, built by the chosen store). On close the participants are told the server
 * is restarting (event + SERVER_RESTARTING close code), so they reconnect and resume once it is back.
 */
import websocket from '@fastify/websocket';
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { SIGNALING_PATH, type CaseState } from '@tiepdan/core';
import type { Config } from '../config/schema.js';
import { ApiError } from '../http/api-error.js';
import { sendError } from '../http/error-handler.js';
import { heldUntil, InProcessRoomBus, type RoomBus } from './bus.js';
import { RedisRoomBus } from './bus-redis.js';
import { RoomHost } from './host.js';
import { JwtJoinTokenVerifier, type JoinTokenVerifier } from './join-tokens.js';
import type { RoomStore } from './room-store.js';
import type { RoomRecording } from './recording.js';
import type { RoomDesk } from './desk.js';
import { Transport, type TransportDeps } from './transport.js';
import { redactedUrl, REDIS_START_MS } from '../cluster/open.js';

/** How long shutdown waits for sockets to close after telling them. */
const DRAIN_MS = 2000;

export interface RoomsOptions {
  config: Config;
  /** The rooms' persistence, opened from the chosen store (Store.openRooms). */
  openStore: (options: { eventLogSize: number; onError: (error: unknown) => void }) => RoomStore;
  /** The HTTP API's Origin check (http/origins.ts); a socket from a page outside the allowlist is refused. */
  originAllowed?: ((request: FastifyRequest) => boolean) | undefined;
  joinTokens?: JoinTokenVerifier | undefined;
  sessionAccess?: TransportDeps['sessionAccess'];
  verifyOfficial?: TransportDeps['verifyOfficial'];
  bus?: RoomBus | undefined;
  /** The recording coordinator as the rooms see it (rooms/recording.ts). */
  recording?: RoomRecording | undefined;
  /** The reception desk as the rooms see it (rooms/desk.ts): admitting a citizen opens their case. */
  desk?: RoomDesk | undefined;
  /**
   * Resolves when this process may own the rooms (see ServerOptions.takeover): until then sockets are accepted
   * and their hellos wait, and no room is loaded, since the process before still writes them.
   */
  takeover?: Promise<void> | undefined;
}

export interface RoomsHandle {
  host: RoomHost;
  store: RoomStore;
  transport: Transport;
  /** A desk step was committed on a case of this session: through the bus to the room's node, which emits `case.updated`. */
  caseUpdated(sessionId: string, caseId: string, state: CaseState, step: string): Promise<void>;
}

/** Rooms are encapsulated in their plugin; operations code and tests reach them through the app's HTTP server. */
const handles = new WeakMap<object, RoomsHandle>();
export function roomsOf(app: FastifyInstance): RoomsHandle | undefined {
  return handles.get(app.server);
}

export const rooms: FastifyPluginAsync<RoomsOptions> = async (app, { config, openStore, originAllowed, joinTokens, sessionAccess, verifyOfficial, bus: given, recording, desk, takeover }) => {
  const settings = config.rooms;
  // Several nodes: the rooms are spread over them by leases in Redis (rooms/bus-redis.ts); one node: in process.
  const clustered = !given && config.bus.kind === 'redis' ? new RedisRoomBus({ url: config.bus.url, leaseMs: config.bus.leaseMs, nodeId: config.bus.nodeId, onError: (error) => app.log.error({ err: error }, 'room bus: redis') }) : undefined;
  if (clustered) {
    // A node that cannot reach Redis must not start as if it were alone: it would run rooms another node runs.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unreachable = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`bus: Redis at ${redactedUrl(config.bus.kind === 'redis' ? config.bus.url : '')} did not answer within ${REDIS_START_MS / 1000} s; tiepdan does not start without it`)), REDIS_START_MS);
    });
    try {
      await Promise.race([clustered.ready, unreachable]);
    } catch (error) {
      await clustered.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    app.log.info({ node: clustered.nodeId }, 'rooms spread over nodes through redis');
  }
  const bus: RoomBus = given ?? clustered ?? new InProcessRoomBus();
  const store = openStore({ eventLogSize: settings.eventLogSize, onError: (error) => app.log.error({ err: error }, 'room store commit failed; retrying, nothing leaves meanwhile') });
  const host = new RoomHost(
    {
      resumeWindowMs: settings.resumeWindowMs,
      hideObserversFromCitizens: settings.hideObserversFromCitizens,
      eventLogSize: settings.eventLogSize,
      heartbeatIntervalMs: settings.heartbeatIntervalMs,
      heartbeatTimeoutMs: settings.heartbeatTimeoutMs,
      maxFrameBytes: settings.maxFrameBytes,
      messagesPerSecond: settings.messagesPerSecond,
      turn: config.turn,
      jitsi: config.jitsi,
      connectionPoints: new Map(config.units.flatMap((unit) => unit.connectionPoints.map((point) => [point.id, { id: point.id, name: point.name, unit: unit.code }] as const))),
    },
    bus,
    store,
    Date.now,
    recording,
    desk ? { desk, onError: (error) => app.log.error({ err: error }, 'desk: the case could not be opened on admission') } : undefined,
  );
  // Unfinished rooms are read back before any command is served; after a takeover, once the process before is gone.
  const started = takeover ? takeover.then(() => host.start()) : undefined;
  started?.catch((error: unknown) => app.log.error({ err: error }, 'rooms could not be restored from the store'));
  if (!started) await host.start();
  const transport = new Transport({
    bus: started ? heldUntil(bus, started) : bus,
    settings,
    authSecret: config.authSecret,
    joinTokens: joinTokens ?? new JwtJoinTokenVerifier(config.authSecret),
    sessionAccess,
    verifyOfficial,
    log: app.log,
  });
  handles.set(app.server, {
    host,
    store,
    transport,
    caseUpdated: async (sessionId, caseId, state, step) => {
      // Until this process owns the rooms nobody here can be told; the desk step itself is already committed.
      if (started) await started;
      const reply = await bus.request(sessionId, { kind: 'case', caseId, state, step });
      if (!reply.ok) app.log.warn({ sessionId, caseId, code: reply.error.error.code }, 'desk: the room could not be told of a case step');
    },
  });

  await app.register(websocket, {
    // ws's own cap (1009) is a backstop; frames between maxFrameBytes and it get our FRAME_TOO_LARGE close.
    options: { maxPayload: settings.maxFrameBytes * 2, perMessageDeflate: false },
    // ws's own refusals (a frame past maxPayload, a broken frame) come from the client, before or after hello:
    // a warn line naming the cause, not an error with a stack for every stranger who sends garbage.
    errorHandler: (error, socket, request) => onProtocolError(error, socket, request.log),
    preClose(done) {
      void (async () => {
        await transport.shutdown();
        await host.shutdown(settings.reconnectAfterMs);
        await transport.drain(DRAIN_MS);
        await host.close();
        // After the last write: the leases go back at once, so another node takes the rooms without waiting.
        await clustered?.close();
        this.websocketServer.close(() => done());
      })().catch(done);
    },
  });
  // One error listener for every socket (ws calls it with the socket as `this`), not a closure per socket.
  function onSocketError(this: WebSocket, error: Error): void {
    onProtocolError(error, this, app.log);
  }
  app.get(
    SIGNALING_PATH,
    {
      websocket: true,
      // Before the upgrade, so a refused page gets a plain 403 in the error shape and never a socket.
      onRequest: async (request, reply) => {
        if (originAllowed && !originAllowed(request)) return sendError(new ApiError(403, 'origin_not_allowed'), request, reply);
      },
    },
    (socket) => {
      releaseUpgradeRequest(socket, onSocketError);
      transport.accept(socket);
    },
  );
};

function onProtocolError(error: Error, socket: WebSocket, log: FastifyBaseLogger): void {
  log.warn({ code: (error as { code?: string }).code, reason: error.message }, 'websocket closed on a protocol error');
  socket.terminate();
}

/**
 * @fastify/websocket leaves the upgrade's HTTP response assigned to the socket and its error listener holding the
 * fastify request and reply, for as long as the socket lives: 4 KiB of heap per idle connection (issue 15, 10.9 →
 * 6.9 KiB at 2,000 connections). The response is detached and the listener replaced by one that logs through the
 * app's logger (without the request id), so an idle socket holds what ws needs and no more.
 */
function releaseUpgradeRequest(socket: WebSocket, onError: (this: WebSocket, error: Error) => void): void {
  const raw = (socket as unknown as { _socket?: Socket & { _httpMessage?: ServerResponse | null } })._socket;
  if (raw?._httpMessage) raw._httpMessage.detachSocket(raw);
  socket.removeAllListeners('error');
  socket.on('error', onError);
}
