/**
 * A call that failed, as every element shows and announces it: the server's own error body (code, vi/en message,
 * fields) when it answered, else an `internal` one carrying the error's text (network down, a bug).
 */
import { say, type ErrorBody } from '@tiepdan/core';
import { ApiError } from '@tiepdan/core/browser';
import type { TiepdanElement } from './element.js';
import { emit } from './events.js';

export function errorBodyOf(error: unknown): ErrorBody['error'] {
  return error instanceof ApiError ? error.body.error : { code: 'internal', message: { vi: String(error), en: String(error) } };
}

/** The body to show in the element, after `tiepdan-error` has told the page (in the element's language). */
export function reportFailure(host: TiepdanElement, error: unknown): ErrorBody['error'] {
  const body = errorBodyOf(error);
  emit(host, 'tiepdan-error', { code: body.code, message: say(body.message, host.speaks) });
  return body;
}
