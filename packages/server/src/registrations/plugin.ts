/**
 * The registrations capability as one fastify plugin: the citizen's submission and lookup, and the officials'
 * screening routes. Mounted under /api/v1 by http/server.ts.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { LookupResponseSchema, RegistrationRecordSchema, ScreeningPageSchema, SubmitResponseSchema } from '@tiepdan/core';
import type { RequirePermission } from '../auth/guard.js';
import type { Config } from '../config/schema.js';
import type { DataKeys } from '../privacy/keys.js';
import type { Store } from '../store/store.js';
import type { AttachmentFiles } from './files.js';
import type { GuessBudget } from './guesses.js';
import { KeyedLock } from './keyed-lock.js';
import { lookupHandler, LookupSchema } from './lookup.js';
import { attachmentHandler, getHandler, listHandler, ListQuery, transitionHandler, TransitionBody } from './officials.js';
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
/** Any text: the handler normalises a loosely typed code and answers 404 for one that is not. */
const ReferenceParams = z.strictObject({ reference: z.string() });

export async function registrations(app: FastifyInstance, opts: RegistrationsOptions): Promise<void> {
  const { config, store, files, keys, requirePermission, guesses } = opts;
  await app.register(multipart, {
    limits: { fileSize: config.rules.attachments.maxBytes + 1, files: config.rules.attachments.maxCount },
  });
  // Only JSON and multipart are spoken here; fastify's default text/plain parser would let a string through.
  app.removeContentTypeParser('text/plain');
  const limited = (max: number) => (config.rateLimits.enabled ? { rateLimit: { max, timeWindow: ONE_MINUTE } } : {});

  app.post('/registrations', {
    schema: {
      summary: "A citizen's registration: JSON, or multipart with the registration as a JSON part and its attachments; needs an Idempotency-Key",
      tags: ['registrations'],
      response: { 201: SubmitResponseSchema },
    },
    // The 201 is the only status with a schema here, and submitResponse builds it key by key from that schema:
    // zod's encode (the app's serializer) would copy it again before JSON.stringify, ~3 µs of the intake's
    // CPU per registration (issue 15). Errors keep the app's error serialization; the OpenAPI document is
    // built from the schema above, not from the serializer.
    serializerCompiler: () => (data) => JSON.stringify(data),
    config: limited(config.rateLimits.submitPerMinute),
    // Before the body is read: an upload without a usable key is refused without receiving its files.
    // A callback hook: an async one costs a promise on every submission (issue 15).
    onRequest: (request, _reply, done) => {
      try {
        idempotencyKeyOf(request);
      } catch (error) {
        return done(error as Error);
      }
      done();
    },
    handler: submitHandler({ config, store, files, keys, locks: new KeyedLock() }),
  });

  // Limited by the guess budget it shares with the booking routes (guesses.ts), not by a route limit of its own.
  app.post('/lookup', {
    schema: { summary: 'The state of a registration, its place and invitation, by reference code and phone', tags: ['registrations'], body: LookupSchema, response: { 200: LookupResponseSchema } },
    // A spent budget is refused before the body is even checked, as before the schema did the checking.
    preValidation: async (request) => guesses.refuseWhenSpent(request.ip),
    handler: lookupHandler({ config, store, keys, guesses }),
  });

  const officials = { store, files, sealKey: keys.seal };
  // The guard runs before validation (preValidation), so an anonymous caller learns nothing from the schema.
  const secured = { tags: ['screening'], security: [{ bearer: [] }] };
  app.get('/registrations', {
    schema: { ...secured, summary: 'The screening queue, newest first, paged with `before`', querystring: ListQuery, response: { 200: ScreeningPageSchema } },
    preValidation: requirePermission('registrations.read'),
    handler: listHandler(officials),
  });
  app.get('/registrations/:reference', {
    schema: { ...secured, summary: 'One registration with its history and booking', params: ReferenceParams, response: { 200: RegistrationRecordSchema } },
    preValidation: requirePermission('registrations.read'),
    handler: getHandler(officials),
  });
  app.post('/registrations/:reference/transitions', {
    schema: { ...secured, summary: "A change of the registration's state, with its reason", params: ReferenceParams, body: TransitionBody, response: { 200: RegistrationRecordSchema } },
    preValidation: requirePermission('registrations.transition'),
    handler: transitionHandler(officials),
  });
  app.get('/registrations/:reference/attachments/:id', {
    schema: { ...secured, summary: 'One attachment, byte for byte', params: z.strictObject({ reference: z.string(), id: z.string() }) },
    preValidation: requirePermission('registrations.read'),
    handler: attachmentHandler(officials),
  });
}
