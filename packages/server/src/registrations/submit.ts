/**
 * POST /api/v1/registrations: the citizen's submission. Idempotent by the draft's client id (Idempotency-Key):
 * the citizen's outbox resends until it gets an answer, so the same key with the same content must give the
 * same 201 body again (with `Idempotent-Replayed: true`) and store nothing new, while the same key with other
 * content is a 409. Submissions with one key are committed one at a time (KeyedLock), and the store's insert
 * is itself idempotent on the client id, so racing duplicates store exactly once.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Registration } from '@tiepdan/core';
import type { Config } from '../config/schema.js';
import { ApiError } from '../http/api-error.js';
import { isConfidential, REDACTED_NAME, redactedAttachmentName, splitDenouncer } from '../privacy/denouncer.js';
import type { DataKeys } from '../privacy/keys.js';
import { keyedHash, sameHash, seal } from '../privacy/seal.js';
import type { RegistrationRow, Store } from '../store/store.js';
import { contentHash } from './content-hash.js';
import type { AttachmentFiles } from './files.js';
import { readSubmission, type Submission } from './intake.js';
import type { KeyedLock } from './keyed-lock.js';
import { submitResponse } from './views.js';

/** Any RFC 9562 UUID; clients send v7 (time-ordered), but refusing a v4 would only break older drafts. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/iu;

export interface SubmitContext {
  config: Config;
  store: Store;
  files: AttachmentFiles;
  keys: DataKeys;
  locks: KeyedLock;
}

/** onRequest check, before any of the body is read: a request without a usable key is refused at once. */
export function idempotencyKeyOf(request: FastifyRequest): string {
  const value = request.headers['idempotency-key'];
  if (value === undefined || value === '') throw new ApiError(400, 'idempotency_key_missing');
  if (typeof value !== 'string' || !UUID.test(value.trim())) throw new ApiError(400, 'idempotency_key_invalid');
  return value.trim().toLowerCase();
}

export function submitHandler(ctx: SubmitContext) {
  return async function submit(request: FastifyRequest, reply: FastifyReply) {
    const clientId = idempotencyKeyOf(request);
    const submission = await readSubmission(request, ctx.config, ctx.files);
    let result: { row: RegistrationRow; created: boolean };
    try {
      const hash = contentHash(ctx.keys.content, submission.registration, submission.files.map((f) => f.sha256));
      result = await ctx.locks.run(clientId, () => commit(ctx, clientId, hash, submission));
    } finally {
      // Committed files were moved away; what is left in tmp belongs to a refused or replayed submission. Done
      // before answering, so a client that got its answer never races a leftover temp file.
      await ctx.files.discard(submission.files);
    }
    if (!result.created) reply.header('Idempotent-Replayed', 'true');
    return reply.code(201).send(submitResponse(result.row));
  };
}

async function commit(ctx: SubmitContext, clientId: string, hash: string, submission: Submission): Promise<{ row: RegistrationRow; created: boolean }> {
  // With files, a replay is recognised before they are moved into the store. Without, the insert itself is the
  // check (it is idempotent on the client id), which saves a lookup per registration.
  if (submission.files.length) {
    const existing = await ctx.store.findByClientId(clientId);
    if (existing) return { row: replayable(existing, hash), created: false };
  }

  const created: string[] = [];
  try {
    for (const file of submission.files) if (await ctx.files.commit(file)) created.push(file.sha256);
    const result = await ctx.store.insertRegistration({ ...storedForm(ctx, clientId, submission.registration), contentHash: hash, receivedAt: new Date().toISOString(), attachments: storedAttachments(submission) });
    if (!result.created) {
      // A replay, or another server process stored this key between our check and our insert.
      await ctx.files.remove(created);
      return { row: replayable(result.row, hash), created: false };
    }
    return result;
  } catch (error) {
    await ctx.files.remove(created);
    throw error;
  }
}

function replayable(row: RegistrationRow, hash: string): RegistrationRow {
  if (!sameHash(row.contentHash, hash)) throw new ApiError(409, 'idempotency_conflict');
  return row;
}

/** What goes into the row: denunciations have their denouncer sealed and a redacted copy in clear. */
function storedForm(ctx: SubmitContext, clientId: string, registration: Registration) {
  const common = {
    clientId,
    unit: registration.unit,
    kind: registration.kind,
    phoneHash: keyedHash(ctx.keys.phone, registration.contact.phone),
    summary: registration.content.summary.slice(0, 280),
    groupSize: registration.group?.size ?? 1,
    // Booked atomically with the insert (api/schedule-types.ts): a full session never refuses the registration.
    preferredSessionId: registration.preferredSessionId || undefined,
  };
  if (!isConfidential(registration)) return { ...common, displayName: registration.identity.fullName, registration };
  const { redacted, secret } = splitDenouncer(registration);
  return { ...common, displayName: REDACTED_NAME, registration: redacted, sealed: seal(ctx.keys.seal, JSON.stringify(secret), clientId) };
}

function storedAttachments(submission: Submission) {
  const confidential = isConfidential(submission.registration);
  return (submission.registration.attachments ?? []).map((meta, i) => {
    const file = submission.files[i]!;
    // A denouncer's file names are sealed with the rest (privacy/denouncer.ts); the row keeps a neutral one.
    const name = confidential ? redactedAttachmentName(i, file.type) : meta.name;
    return { id: meta.id, name, type: file.type, size: file.size, sha256: file.sha256, purpose: meta.purpose };
  });
}
