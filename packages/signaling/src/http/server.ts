/**
 * The app factory: builds the fastify instance with its capabilities (meta, registrations), the cross-cutting
 * layers (security headers, CORS allowlist, rate limits, error shape, request ids, logs) and the store.
 * `start()` listens and, for the CLI, closes cleanly on SIGTERM/SIGINT (server first, then the database).
 */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { resolve } from 'node:path';
import { createGuard } from '../auth/guard.js';
import type { Config } from '../config/schema.js';
import { meta } from '../meta/plugin.js';
import { deriveKeys } from '../privacy/keys.js';
import { AttachmentFiles } from '../registrations/files.js';
import { registrations } from '../registrations/plugin.js';
import { schedule } from '../schedule/plugin.js';
import { GuessBudget } from '../registrations/guesses.js';
import { SqliteStore } from '../store/sqlite.js';
import { rooms } from '../rooms/plugin.js';
import { recording, recordingOf } from '../recording/plugin.js';
import { roomRecording } from '../rooms/recording.js';
import { JwtJoinTokenVerifier, type JoinTokenVerifier } from '../rooms/join-tokens.js';
import { FirstJoinTokenVerifier, InvitationJoinTokenVerifier } from '../schedule/join-tokens.js';
import { scheduleRoomAccess } from '../schedule/room-access.js';
import type { Store } from '../store/store.js';
import { ApiError } from './api-error.js';
import { installErrorHandling, sendError } from './error-handler.js';
import { genReqId, loggerOptions } from './logging.js';
import { originMatcher } from './origins.js';

export const API_PREFIX = '/api/v1';
/** Slow clients on rural 3G still finish an upload of 30 MB well within this. */
const REQUEST_TIMEOUT_MS = 5 * 60_000;

export interface TiepdanServer {
  app: FastifyInstance;
  store: Store;
  config: Config;
  /** Listens on config.host:config.port; resolves to the URL. */
  start(options?: { handleSignals?: boolean }): Promise<string>;
  /** Stops accepting requests, lets the running ones finish, closes the database. */
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Another store (tests, PostgreSQL later); the SQLite store in dataDir otherwise. */
  store?: Store;
  /** Checks citizens' join tokens for rooms; a JWT verifier on the authSecret until the schedule's stored tokens plug in. */
  joinTokens?: JoinTokenVerifier;
}

export async function createServer(config: Config, options: ServerOptions = {}): Promise<TiepdanServer> {
  const store = options.store ?? new SqliteStore(config.dataDir, { provisionalShare: config.schedule.provisionalShare, provisionalPerPhone: config.schedule.provisionalPerPhone });
  const files = new AttachmentFiles(config.dataDir);
  await files.init();
  const keys = deriveKeys(config.dataKey);
  const isAllowedOrigin = originMatcher(config.allowedOrigins);
  const production = config.mode === 'production';
  // Citizens join with the token of their invitation (stored hashed by the schedule), or a signed join token.
  const joinTokens = options.joinTokens ?? new FirstJoinTokenVerifier(new InvitationJoinTokenVerifier(store), new JwtJoinTokenVerifier(config.authSecret));

  const app = Fastify({
    logger: loggerOptions(config.logLevel),
    genReqId,
    requestIdHeader: false,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    requestTimeout: REQUEST_TIMEOUT_MS,
    return503OnClosing: true,
  });
  installErrorHandling(app);
  app.addHook('onClose', async () => store.close());
  app.addHook('onRequest', async (request, reply) => void reply.header('X-Request-Id', request.id));

  await app.register(helmet, {
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

  if (config.rateLimits.enabled) {
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) => new ApiError(429, 'rate_limited', undefined, { retryAfter: Math.max(1, Math.ceil(context.ttl / 1000)) }),
    });
  }

  app.get('/healthz', async (_request, reply) => reply.header('Cache-Control', 'no-store').send({ status: 'ok' }));

  await app.register(
    async (api) => {
      // An embedding page outside the allowlist is refused outright rather than only left unreadable by
      // CORS: a form post from an unknown site should not create a registration the citizen never sees.
      api.addHook('onRequest', async (request, reply) => {
        const origin = request.headers.origin;
        if (!origin || isAllowedOrigin(origin) || origin === `${request.protocol}://${request.host}` || origin === publicOrigin(config)) return;
        return sendError(new ApiError(403, 'origin_not_allowed'), request, reply);
      });
      await api.register(cors, {
        origin: (origin, callback) => callback(null, Boolean(origin && isAllowedOrigin(origin))),
        methods: ['GET', 'POST', 'PATCH'],
        allowedHeaders: ['Content-Type', 'Idempotency-Key', 'Authorization', 'X-Request-Id', 'Accept-Language'],
        exposedHeaders: ['Idempotent-Replayed', 'X-Request-Id', 'Retry-After'],
        credentials: false,
        maxAge: 600,
      });
      await api.register(meta, { config });
      // One reference + phone guess budget across /lookup and the booking routes (issue 12 item 5).
      const guesses = new GuessBudget(config.rateLimits.lookupPerMinute, config.rateLimits.enabled);
      await api.register(registrations, { config, store, files, keys, requirePermission: createGuard(config.authSecret), guesses });
      await api.register(schedule, { config, store, keys, requirePermission: createGuard(config.authSecret), guesses });
      await api.register(recording, { config, store, joinTokens });
    },
    { prefix: API_PREFIX },
  );

  // Rooms keep their state in the same SQLite database; a store without one (a test double) runs without rooms.
  if (store instanceof SqliteStore) {
    const recordingBinding = roomRecording({ handle: () => recordingOf(app), isScheduled: async (id) => Boolean(await store.schedule.getSession(id).catch(() => undefined)) });
    await app.register(rooms, { config, db: store.db, joinTokens, sessionAccess: scheduleRoomAccess(store, config), recording: recordingBinding });
  }

  let decorated = false;
  if (config.sdkDir) {
    await app.register(fastifyStatic, {
      root: resolve(config.sdkDir),
      prefix: '/sdk/',
      decorateReply: !decorated,
      // Any ward site may load the embeddable bundle; it carries no data.
      setHeaders: (reply) => {
        reply.header('Access-Control-Allow-Origin', '*');
        reply.header('Cross-Origin-Resource-Policy', 'cross-origin');
        reply.header('Cache-Control', 'public, max-age=300');
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

function publicOrigin(config: Config): string | undefined {
  return config.publicUrl ? new URL(config.publicUrl).origin : undefined;
}
