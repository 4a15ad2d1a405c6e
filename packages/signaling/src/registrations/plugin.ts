/**
 * The registrations capability as one fastify plugin: the citizen's submission and lookup, and the officials'
 * screening routes. Mounted under /api/v1 by http/server.ts.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { RequirePermission } from '../auth/guard.js';
import type { Config } from '../config/schema.js';
import type { DataKeys } from '../privacy/keys.js';
import type { Store } from '../store/store.js';
import type { AttachmentFiles } from './files.js';
import type { GuessBudget } from './guesses.js';
import { KeyedLock } from './keyed-lock.js';
import { lookupHandler } from './lookup.js';
import { attachmentHandler, getHandler, listHandler, transitionHandler } from './officials.js';
import { idempotencyKeyOf, submitHandler } from './submit.js';

export interface RegistrationsOptions {
  config: Config;
  store: Store;
  files: AttachmentFiles;
  keys: DataKeys;
  requirePermission: RequirePermission;
  guesses: GuessBudget;
}

const ONE_MINUTE = 60_000;

export async function registrations(app: FastifyInstance, opts: RegistrationsOptions): Promise<void> {
  const { config, store, files, keys, requirePermission, guesses } = opts;
  await app.register(multipart, {
    limits: { fileSize: config.rules.attachments.maxBytes + 1, files: config.rules.attachments.maxCount },
  });
  // Only JSON and multipart are spoken here; fastify's default text/plain parser would let a string through.
  app.removeContentTypeParser('text/plain');
  const limited = (max: number) => (config.rateLimits.enabled ? { rateLimit: { max, timeWindow: ONE_MINUTE } } : {});

  app.post('/registrations', {
    config: limited(config.rateLimits.submitPerMinute),
    // Before the body is read: an upload without a usable key is refused without receiving its files.
    onRequest: async (request) => void idempotencyKeyOf(request),
    handler: submitHandler({ config, store, files, keys, locks: new KeyedLock() }),
  });

  // Limited by the guess budget it shares with the booking routes (guesses.ts), not by a route limit of its own.
  app.post('/lookup', lookupHandler({ config, store, keys, guesses }));

  const officials = { store, files, sealKey: keys.seal };
  app.get('/registrations', { preHandler: requirePermission('registrations.read'), handler: listHandler(officials) });
  app.get('/registrations/:reference', { preHandler: requirePermission('registrations.read'), handler: getHandler(officials) });
  app.post('/registrations/:reference/transitions', {
    preHandler: requirePermission('registrations.transition'),
    handler: transitionHandler(officials),
  });
  app.get('/registrations/:reference/attachments/:id', {
    preHandler: requirePermission('registrations.read'),
    handler: attachmentHandler(officials),
  });
}
