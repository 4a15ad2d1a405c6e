/**
 * The app factory: builds the fastify instance with its capabilities (meta, registrations, schedule, recording,
 * sign-in, desk, register, rooms), the cross-cutting layers (security headers, CORS allowlist, rate limits, error
 * shape, request ids, logs) and the store.
 * `start()` listens and, for the CLI, closes cleanly on SIGTERM/SIGINT (server first, then the database).
 */
import cors from '@fastify/cors';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { createGuard } from '../auth/guard.js';
import { createOidcSignIn } from '../auth/oidc.js';
import { auth } from '../auth/plugin.js';
import { AuthService } from '../auth/service.js';
import { officialVerifier } from '../auth/tokens.js';
import type { Config } from '../config/schema.js';
import { desk, deskOf } from '../desk/plugin.js';
import { register } from '../register/plugin.js';
import { meta } from '../meta/plugin.js';
import { probe } from '../meta/probe.js';
import { deriveKeys } from '../privacy/keys.js';
import { AttachmentFiles } from '../registrations/files.js';
import { registrations } from '../registrations/plugin.js';
import { schedule } from '../schedule/plugin.js';
import { GuessBudget } from '../registrations/guesses.js';
import { requireCapabilities } from '../store/capabilities.js';
import { openStore } from '../store/open.js';
import type { Cluster } from '../cluster/cluster.js';
import { openCluster } from '../cluster/open.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { rooms } from '../rooms/plugin.js';
import { recording, recordingOf } from '../recording/plugin.js';
import { roomRecording } from '../rooms/recording.js';
import { roomDesk } from '../rooms/desk.js';
import { JwtJoinTokenVerifier, type JoinTokenVerifier } from '../rooms/join-tokens.js';
import { FirstJoinTokenVerifier, InvitationJoinTokenVerifier } from '../schedule/join-tokens.js';
import { scheduleRoomAccess } from '../schedule/room-access.js';
import type { EngineStore, Store } from '../store/store.js';
import { ApiError } from './api-error.js';
import { installErrorHandling, sendError } from './error-handler.js';
import { openApi } from './openapi.js';
import { validatorCompiler } from './validation.js';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { boundJsonDepth } from './json.js';
import { genReqId, loggerOptions } from './logging.js';
import { originMatcher, requestOriginCheck } from './origins.js';

export const API_PREFIX = '/api/v1';
/** Slow clients on rural 3G still finish an upload of 30 MB well within this. */
const REQUEST_TIMEOUT_MS = 5 * 60_000;

export interface TiepdanServer {
  app: FastifyInstance;
  store: Store;
  /** Officials' sign-in (accounts, sessions, audit log). */
  auth: AuthService;
  config: Config;
  /** Listens on config.host:config.port; resolves to the URL. */
  start(options?: { handleSignals?: boolean }): Promise<string>;
  /** Stops accepting requests, lets the running ones finish, closes the database. */
  close(): Promise<void>;
}

export interface ServerOptions {
  /** An already opened store (tests); the one `config.store` names otherwise. */
  store?: EngineStore;
  /** Checks citizens' join tokens for rooms; a JWT verifier on the authSecret until the schedule's stored tokens plug in. */
  joinTokens?: JoinTokenVerifier;
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: { write(line: string): void };
  /**
   * A worker of the supervisor (deploy/supervisor.ts) listens while the worker before it still drains. What only
   * one process may do at a time (own the rooms, resume recording leases and sweep their files, dispatch
   * notices) waits until this resolves, when the one before has written its last and closed the database.
   */
  takeover?: Promise<void>;
}

export async function createServer(config: Config, options: ServerOptions = {}): Promise<TiepdanServer> {
  const opened = options.store ?? (await openStore(config));
  let store: Store;
  try {
    store = requireCapabilities(opened);
  } catch (error) {
    // Not started: the store opened for it is closed again (a given store belongs to the caller).
    if (!options.store) await opened.close();
    throw error;
  }
  const keys = deriveKeys(config.dataKey);
  const files = new AttachmentFiles(config.dataDir, keys.files, store.attachments);
  await files.init();
  const isAllowedOrigin = originMatcher(config.allowedOrigins);
  const originAllowed = requestOriginCheck(isAllowedOrigin, config.publicUrl);
  const production = config.mode === 'production';
  const authService = new AuthService(store.accounts, config.auth, config.authSecret, keys.auth);
  const verifyOfficial = officialVerifier(config.authSecret, (claims) => authService.sessionStands(claims));
  const requirePermission = createGuard(verifyOfficial);
  // Citizens join with the token of their invitation (stored hashed by the schedule), or a signed join token.
  const joinTokens = options.joinTokens ?? new FirstJoinTokenVerifier(new InvitationJoinTokenVerifier(store), new JwtJoinTokenVerifier(config.authSecret));

  const app = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream),
    genReqId,
    requestIdHeader: false,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    requestTimeout: REQUEST_TIMEOUT_MS,
    return503OnClosing: true,
  });
  installErrorHandling(app);
  // Several nodes (bus `redis`): one id for this node in the rooms' leases, the jobs' leases and the logs.
  if (config.bus.kind === 'redis' && !config.bus.nodeId) config = { ...config, bus: { ...config.bus, nodeId: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}` } };
  let cluster: Cluster;
  try {
    cluster = await openCluster(config, (error) => app.log.error({ err: error }, 'cluster: redis'));
  } catch (error) {
    if (!options.store) await store.close();
    throw error;
  }
  // Route schemas are zod: one validation path with the handlers' own checks (http/validation.ts), replies
  // serialized through their schema where a route declares one, and the OpenAPI document built from them.
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await openApi(app);
  boundJsonDepth(app);
  app.addHook('onClose', async () => store.close());
  // After every plugin stopped its jobs (child plugins close first): whatever lease is left goes back now.
  app.addHook('onClose', async () => cluster.close());
  // helmet's middleware is built once here and applied to every reply (@fastify/helmet rebuilt it, CSP parsing
  // included, on every request: 3.5 % of the intake's CPU under load).
  const securityHeaders = helmet({
    // The API answers JSON only; the demo pages and the SDK are served with their own, looser CORP below.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        // The demo runs on plain http://127.0.0.1, where an upgrade would break every page it serves.
        upgradeInsecureRequests: production ? [] : null,
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS on a development host would pin https onto localhost for a year.
    strictTransportSecurity: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  // Every header above is the same on every reply (no nonces): they are taken from helmet once and set with the
  // request id in one callback hook, instead of helmet's chain of middlewares and an async hook (a promise) per
  // request (issue 15: 2.5 % of the intake's CPU).
  const fixedHeaders = headersOf(securityHeaders);
  app.addHook('onRequest', (request, reply, done) => {
    const raw = reply.raw;
    for (const name of fixedHeaders.removed) raw.removeHeader(name);
    for (const [name, value] of fixedHeaders.set) raw.setHeader(name, value);
    reply.header('X-Request-Id', request.id);
    done();
  });

  // Several nodes (bus `redis`): the public routes' limits and the guess budget are counted in Redis, so a client
  // spreading requests over the nodes behind the load balancer gets one budget, not one per node.
  const counters = config.bus.kind === 'redis' && config.rateLimits.enabled ? new Redis(config.bus.url, { connectTimeout: 2000, maxRetriesPerRequest: 1 }) : undefined;
  if (counters) {
    counters.on('error', (error) => app.log.error({ err: error }, 'rate limits: redis'));
    app.addHook('onClose', async () => void (await counters.quit().catch(() => undefined)));
  }
  if (config.rateLimits.enabled) {
    await app.register(rateLimit, {
      global: false,
      // Redis unreachable: the route limits are skipped (logged) rather than every registration refused; the
      // guess budget, which guards citizens' data, refuses instead (registrations/guesses.ts).
      ...(counters ? { redis: counters, nameSpace: 'tiepdan:rate:', skipOnError: true } : {}),
      errorResponseBuilder: (_request, context) => new ApiError(429, 'rate_limited', undefined, { retryAfter: Math.max(1, Math.ceil(context.ttl / 1000)) }),
    });
  }

  app.get('/healthz', { schema: { summary: 'Liveness: the process answers', tags: ['meta'], response: { 200: z.object({ status: z.literal('ok') }) } } }, async (_request, reply) => reply.header('Cache-Control', 'no-store').send({ status: 'ok' }));

  await app.register(
    async (api) => {
      // An embedding page outside the allowlist is refused outright rather than only left unreadable by
      // CORS: a form post from an unknown site should not create a registration the citizen never sees.
      // A callback hook: an async one costs a promise on every request (issue 15).
      api.addHook('onRequest', (request, reply, done) => {
        if (originAllowed(request)) return done();
        sendError(new ApiError(403, 'origin_not_allowed'), request, reply);
      });
      await api.register(cors, {
        origin: (origin, callback) => callback(null, Boolean(origin && isAllowedOrigin(origin))),
        methods: ['GET', 'POST', 'PATCH', 'DELETE'],
        allowedHeaders: ['Content-Type', 'Idempotency-Key', 'Authorization', 'X-Request-Id', 'Accept-Language', 'X-CSRF-Token'],
        exposedHeaders: ['Idempotent-Replayed', 'X-Request-Id', 'Retry-After', 'Content-Disposition'],
        // The officials' pages on the ward's site send the session cookie to /auth (its Path keeps it off every
        // other route). Credentials are only ever allowed for an allowlisted origin, never for "*".
        credentials: true,
        maxAge: 600,
      });
      await api.register(meta, { config });
      await api.register(probe, { config });
      // One reference + phone guess budget across /lookup and the booking routes (issue 12 item 5).
      const guesses = new GuessBudget(config.rateLimits.lookupPerMinute, config.rateLimits.enabled, undefined, counters);
      await api.register(registrations, { config, store, files, keys, requirePermission, guesses });
      await api.register(schedule, { config, store, keys, requirePermission, verifyOfficial, guesses, takeover: options.takeover, cluster, attachments: async (notice) => (await deskOf(app)?.noticeAttachments(notice)) ?? [] });
      await api.register(recording, { config, store, joinTokens, verifyOfficial, takeover: options.takeover, cluster });
      const oidc = config.auth.oidc ? createOidcSignIn(config, authService, isAllowedOrigin) : undefined;
      await api.register(auth, { config, service: authService, requirePermission, oidc });
      await api.register(desk, { config, store, sealKey: keys.seal, joinTokens, requirePermission });
      await api.register(register, { config, store, sealKey: keys.seal, requirePermission });
    },
    { prefix: API_PREFIX },
  );

  const recordingBinding = roomRecording({ handle: () => recordingOf(app), sessionUnit: async (id) => (await store.schedule.getSession(id).catch(() => undefined))?.unit });
  await app.register(rooms, {
    config,
    openStore: (roomOptions) => store.openRooms(roomOptions),
    originAllowed,
    joinTokens,
    verifyOfficial,
    sessionAccess: scheduleRoomAccess(store, config),
    recording: recordingBinding,
    desk: roomDesk(() => deskOf(app)),
    takeover: options.takeover,
  });

  let decorated = false;
  if (config.sdkDir) {
    await app.register(fastifyStatic, {
      root: resolve(config.sdkDir),
      prefix: '/sdk/',
      decorateReply: !decorated,
      // The build writes .br and .gz beside each script: sent as they are to a browser that accepts them.
      preCompressed: true,
      // Any ward site may load the embeddable bundle; it carries no data.
      setHeaders: (reply, path) => {
        reply.header('Access-Control-Allow-Origin', '*');
        reply.header('Cross-Origin-Resource-Policy', 'cross-origin');
        reply.header('Cache-Control', sdkCacheControl(path));
      },
    });
    decorated = true;
  }
  for (const { prefix, dir } of config.staticDirs) {
    await app.register(fastifyStatic, { root: resolve(dir), prefix: prefix.endsWith('/') ? prefix : `${prefix}/`, decorateReply: !decorated });
    decorated = true;
  }

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= app.close());

  return {
    app,
    store,
    auth: authService,
    config,
    close,
    async start({ handleSignals = false } = {}) {
      const url = await app.listen({ host: config.host, port: config.port });
      if (handleSignals) {
        for (const signal of ['SIGTERM', 'SIGINT'] as const) {
          process.once(signal, () => {
            app.log.info({ signal }, 'shutting down');
            close().then(
              () => process.exit(0),
              (error: unknown) => {
                app.log.error({ err: error }, 'shutdown failed');
                process.exit(1);
              },
            );
          });
        }
      }
      return url;
    },
  };
}

/**
 * A chunk's name carries the hash of its content, so it never changes: cached for a year. Everything else (the
 * loader `tiepdan.js`, whose name a ward page hard-codes, and the entries it imports) must pick up a new release
 * within minutes.
 */
const HASHED_CHUNK = /[\\/]chunks[\\/][^\\/]+-[A-Za-z0-9_-]{8}\.js(?:\.map)?(?:\.br|\.gz)?$/u;
export function sdkCacheControl(path: string): string {
  return HASHED_CHUNK.test(path) ? 'public, max-age=31536000, immutable' : 'public, max-age=300';
}

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * The headers a middleware sets, read once from a stand-in response. Only for one whose headers never depend on
 * the request (helmet here: no CSP nonces); it must finish synchronously, else this throws at startup.
 */
export function headersOf(middleware: Middleware): { set: [string, string | number | readonly string[]][]; removed: string[] } {
  const set: [string, string | number | readonly string[]][] = [];
  const removed: string[] = [];
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.push([name, value]);
      return res;
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  let finished = false;
  let failure: unknown;
  middleware({ headers: {}, method: 'GET', url: '/' } as IncomingMessage, res as unknown as ServerResponse, (error) => {
    finished = true;
    failure = error;
  });
  if (!finished || failure) throw new Error('security headers: the middleware did not finish at once; its headers cannot be fixed');
  return { set, removed };
}
