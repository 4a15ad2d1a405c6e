/**
 * The pre-join network check's measuring stick: `GET /api/v1/meta/probe?bytes=N` answers N bytes that do not
 * compress (so a proxy's gzip cannot flatter a slow line), and `POST /api/v1/meta/probe` takes up to
 * PROBE_UPLOAD_MAX bytes and throws them away. The browser times both to estimate its download and upload rates
 * before a citizen on 3G joins a video room. Public, never cached, and rate-limited: a probe is ~200 kB of traffic.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod';
import type { Config } from '../config/schema.js';
import { ApiError } from '../http/api-error.js';

export const PROBE_DOWNLOAD_MAX = 256 * 1024;
export const PROBE_UPLOAD_MAX = 64 * 1024;
/** A check is three round trips, a download and an upload; a citizen who presses "check again" a few times is fine. */
const PROBES_PER_MINUTE = 30;
const ONE_MINUTE = 60_000;

export async function probe(app: FastifyInstance, opts: { config: Config }): Promise<void> {
  // Drawn once: random bytes per request would cost the server more than the line costs the citizen.
  const payload = randomBytes(PROBE_DOWNLOAD_MAX);
  const limited = opts.config.rateLimits.enabled ? { rateLimit: { max: PROBES_PER_MINUTE, timeWindow: ONE_MINUTE } } : {};
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: PROBE_UPLOAD_MAX }, (_request, body, done) => done(null, body));

  app.get('/meta/probe', {
    config: limited,
    // Read by the handler, which names `bytes` in its own 422.
    schema: { tags: ['meta'], summary: 'N bytes that do not compress, for the pre-join network check to time (64 KiB by default)', checkedByHandler: { querystring: z.object({ bytes: z.string().optional() }) },
      response: { 200: { description: 'The bytes asked for (random, so they do not compress).', content: { 'application/octet-stream': { schema: z.file() } } } },
    },
  }, async (request: FastifyRequest<{ Querystring: { bytes?: string } }>, reply: FastifyReply) => {
    const raw = request.query.bytes;
    const bytes = raw === undefined ? 64 * 1024 : Number(raw);
    if (!Number.isInteger(bytes) || bytes < 1 || bytes > PROBE_DOWNLOAD_MAX) {
      throw new ApiError(422, 'validation_failed', [{ path: 'bytes', code: 'invalid', message: { vi: `Từ 1 đến ${PROBE_DOWNLOAD_MAX} byte.`, en: `From 1 to ${PROBE_DOWNLOAD_MAX} bytes.` } }]);
    }
    return reply.header('Cache-Control', 'no-store').type('application/octet-stream').send(payload.subarray(0, bytes));
  });

  app.post('/meta/probe', { config: limited, schema: { tags: ['meta'], summary: 'Takes up to 64 KiB of application/octet-stream and throws it away, for the upload half of the check', response: { 204: z.null().describe('Received and thrown away; no body.') } } }, async (request: FastifyRequest, reply: FastifyReply) => {
    if (!Buffer.isBuffer(request.body)) throw new ApiError(415, 'unsupported_media_type');
    return reply.header('Cache-Control', 'no-store').code(204).send();
  });
}
