/**
 * One error handler for the whole server, so every failure, ours or fastify's or a plugin's, reaches the
 * client in the one error shape with the request id, and nothing internal (stack, SQL, paths) leaks out.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, type ErrorCode } from '@tiepdan/core';
import { ApiError } from './api-error.js';

/** Fastify's own error codes → ours. */
const FASTIFY_CODES: Record<string, [number, ErrorCode]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'bad_json'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'bad_json'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request'],
  FST_ERR_NOT_FOUND: [404, 'not_found'],
};

export function toApiError(error: FastifyError | Error): ApiError {
  if (error instanceof ApiError) return error;
  const code = (error as FastifyError).code;
  const known = code ? FASTIFY_CODES[code] : undefined;
  if (known) return new ApiError(known[0], known[1]);
  const status = (error as FastifyError).statusCode;
  // JSON.parse errors thrown by the body parser carry status 400 and no code.
  if (status === 400 && error instanceof SyntaxError) return new ApiError(400, 'bad_json');
  if (status === 413) return new ApiError(413, 'payload_too_large');
  if (status === 415) return new ApiError(415, 'unsupported_media_type');
  if (status === 404) return new ApiError(404, 'not_found');
  if (status !== undefined && status >= 400 && status < 500) return new ApiError(status, 'bad_request');
  return new ApiError(500, 'internal');
}

export function sendError(error: ApiError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  if (error.body.error.retryAfter !== undefined) reply.header('Retry-After', String(error.body.error.retryAfter));
  const body = { error: { ...error.body.error, requestId: request.id } };
  return reply.code(error.statusCode).type('application/json; charset=utf-8').send(body);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: apiError.code, status: apiError.statusCode, cause: error instanceof ApiError ? undefined : error.message }, 'request refused');
    return sendError(apiError, request, reply);
  });
  app.setNotFoundHandler((request, reply) => sendError(new ApiError(404, 'not_found'), request, reply));
}

export { errorBody };
