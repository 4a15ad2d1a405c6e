/**
 * Reads a submission from the request: `application/json` (no attachments), or `multipart/form-data` with the
 * `registration` JSON field first and then one file part per listed attachment, named by its id. Files are
 * streamed to temp files and checked by size, by content type (magic bytes) and against the list. On any
 * problem every temp file is deleted before the error goes out: a refused submission leaves nothing behind.
 */
import type { FastifyMultipartBaseOptions } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { fieldError, jsonDepthWithin, type Registration } from '@tiepdan/core';
import type { Config } from '../config/schema.js';
import { ApiError } from '../http/api-error.js';
import { checkRegistration } from './checks.js';
import type { AttachmentFiles, ReceivedFile } from './files.js';

export interface Submission {
  registration: Registration;
  /** One per `registration.attachments`, in the same order, with the detected type. */
  files: (ReceivedFile & { type: string })[];
}

export async function readSubmission(request: FastifyRequest, config: Config, files: AttachmentFiles): Promise<Submission> {
  if (!request.isMultipart()) {
    const registration = checkRegistration(request.body, config);
    const listed = registration.attachments ?? [];
    if (listed.length) throw new ApiError(422, 'attachment_mismatch', [fieldError('attachments.0', 'required')]);
    return { registration, files: [] };
  }
  return readMultipart(request, config, files);
}

async function readMultipart(request: FastifyRequest, config: Config, files: AttachmentFiles): Promise<Submission> {
  const { maxCount, maxBytes, maxTotalBytes, types } = config.rules.attachments;
  const received = new Map<string, ReceivedFile & { type: string }>();
  const temps: ReceivedFile[] = [];
  let registration: Registration | undefined;
  let total = 0;
  try {
    const options: FastifyMultipartBaseOptions = {
      limits: { fields: 1, fieldSize: config.bodyLimit, files: maxCount, fileSize: maxBytes + 1, parts: maxCount + 1, headerPairs: 50 },
      // We count bytes ourselves (files.receive) to name the offending attachment in the error.
      throwFileSizeLimit: false,
    };
    const parts = request.parts(options);
    for await (const part of parts) {
      if (part.type === 'field') {
        if (part.fieldname !== 'registration') throw new ApiError(400, 'bad_request', [fieldError(part.fieldname, 'unknown_field')]);
        if (part.valueTruncated) throw new ApiError(413, 'payload_too_large', [fieldError('registration', 'too_long')]);
        registration = checkRegistration(parseJsonField(part.value), config);
        continue;
      }
      // Checking the registration first means a refused form never has its files written to disk.
      if (!registration) {
        part.file.resume();
        throw new ApiError(400, 'bad_request', [fieldError('registration', 'required')]);
      }
      const listed = registration.attachments ?? [];
      const index = listed.findIndex((a) => a.id === part.fieldname);
      if (index < 0 || received.has(part.fieldname)) {
        part.file.resume();
        throw new ApiError(422, 'attachment_mismatch', [fieldError(index < 0 ? 'attachments' : `attachments.${index}.id`, index < 0 ? 'unknown_field' : 'invalid')]);
      }
      const file = await files.receive(part.file, maxBytes);
      temps.push(file);
      if (file.tooLarge || part.file.truncated) throw new ApiError(413, 'attachment_too_large', [fieldError(`attachments.${index}`, 'attachment_size')]);
      total += file.size;
      if (total > maxTotalBytes) throw new ApiError(413, 'attachment_too_large', [fieldError('attachments', 'attachment_size')]);
      const type = await files.detectType(file.head);
      if (!type || !types.includes(type)) throw new ApiError(415, 'attachment_type_not_allowed', [fieldError(`attachments.${index}`, 'attachment_type')]);
      received.set(part.fieldname, { ...file, type });
    }
    if (!registration) throw new ApiError(400, 'bad_request', [fieldError('registration', 'required')]);
    const listed = registration.attachments ?? [];
    const missing = listed.findIndex((a) => !received.has(a.id));
    if (missing >= 0) throw new ApiError(422, 'attachment_mismatch', [fieldError(`attachments.${missing}`, 'required')]);
    return { registration, files: listed.map((a) => received.get(a.id)!) };
  } catch (error) {
    await files.discard(temps);
    // Read and drop what the client is still sending, so it receives our answer instead of a reset connection.
    request.raw.resume();
    throw mapMultipartError(error);
  }
}

function parseJsonField(value: unknown): unknown {
  if (typeof value !== 'string') throw new ApiError(400, 'bad_json', [fieldError('registration', 'invalid_type')]);
  if (!jsonDepthWithin(value)) throw new ApiError(400, 'json_too_deep', [fieldError('registration', 'invalid')]);
  try {
    return JSON.parse(value);
  } catch {
    throw new ApiError(400, 'bad_json', [fieldError('registration', 'invalid')]);
  }
}

/** @fastify/multipart and busboy errors, in our shape. */
function mapMultipartError(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new ApiError(413, 'too_many_attachments', [fieldError('attachments', 'attachments_count')]);
    case 'FST_FIELDS_LIMIT':
      return new ApiError(400, 'bad_request', [fieldError('registration', 'invalid')]);
    case 'FST_PROTO_VIOLATION':
    case 'FST_MP_PREMATURE_CLOSE':
      return new ApiError(400, 'bad_request');
    default:
      // busboy's own parse errors ("Malformed part header", "Unexpected end of form") carry no code.
      if (error instanceof Error && !code && /multipart|form|part|boundary/iu.test(error.message)) return new ApiError(400, 'bad_request');
      return error;
  }
}
