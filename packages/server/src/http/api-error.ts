/**
 * An error that already knows its HTTP status and its body in the project's one error shape. Routes throw it;
 * the error handler (http/error-handler.ts) sends it as is, adding the request id.
 */
import { errorBody, type ErrorCode, type FieldError } from '@tiepdan/core';

export class ApiError extends Error {
  readonly body: ReturnType<typeof errorBody>;

  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    fields?: FieldError[],
    extra?: { retryAfter?: number },
    readonly headers: Record<string, string> = {},
  ) {
    super(code);
    this.name = 'ApiError';
    this.body = errorBody(code, fields, extra);
  }
}
