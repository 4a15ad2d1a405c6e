/**
 * Structured logs (pino, through fastify) with request ids. Personal data never reaches a log: bodies are not
 * logged at all, and the redaction list below covers the places it could still slip in (an error object that
 * carries a registration, a header with a token).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyServerOptions } from 'fastify';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.phone',
  '*.identity',
  '*.idNumber',
  '*.contact',
  '*.address',
  '*.authorization',
  'registration.identity',
  'registration.contact',
  'registration.address',
  'body',
];

/** A client-chosen request id is echoed if it is harmless; otherwise we make one. */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/u;

export function genReqId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
}

export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
}
