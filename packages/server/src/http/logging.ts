/**
 * Structured logs (pino, through fastify) with request ids. Personal data never reaches a log: bodies are not
 * logged at all, and the redaction list below covers the places it could still slip in (an error object that
 * carries a registration, a header with a token). URLs are logged without their query values: a calendar link
 * carries the citizen's join token (`/bookings/:ref.ics?token=…`), a sign-in callback its code, and a query
 * string is where the next such credential would go too; the parameter names are enough to read a log.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest, FastifyServerOptions } from 'fastify';

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

/** `/path?token=abc&unit=x` → `/path?token=[redacted]&unit=[redacted]`. */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const names = url
    .slice(at + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => `${pair.split('=', 1)[0]!.slice(0, 64)}=[redacted]`);
  return `${url.slice(0, at)}?${names.join('&')}`;
}

/** Fastify's own request serializer (method, url, host, remote address), with the URL's query values redacted. */
function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

export function loggerOptions(level: string, stream?: { write(line: string): void }): FastifyServerOptions['logger'] {
  return { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, serializers: { req: serializeRequest }, ...(stream ? { stream } : {}) };
}
