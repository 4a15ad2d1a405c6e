/**
 * The JSON body parser: fastify's own (which refuses `__proto__` and `constructor` keys), behind a depth check
 * on the raw text (core's jsonDepthWithin). A 100,000-deep body parses, then overflows the stack of the first
 * recursive walk (NFC, validation): it is refused here, before any walk, as 400 json_too_deep.
 */
import type { FastifyInstance } from 'fastify';
import { jsonDepthWithin } from '@tiepdan/core';
import { ApiError } from './api-error.js';

export function boundJsonDepth(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (!jsonDepthWithin(text)) return done(new ApiError(400, 'json_too_deep'), undefined);
    parse(request, text, done);
  });
}
