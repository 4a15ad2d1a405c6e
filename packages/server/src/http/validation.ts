/**
 * The server's one validation path (issue 14): a zod (or zod/mini) schema checks what a request or a frame
 * carries, and a failure is always the same answer, 422 `validation_failed` naming each field with core's
 * bilingual FIELD_MESSAGES codes (core/validation/issues.ts), before anything is read or written.
 * `validatorCompiler` does this for the `schema` of a route; `parseWith` for values checked inside a handler
 * (a merged patch, a desk step chosen by its path, a frame on the signalling socket).
 */
import type { FastifySchemaCompiler } from 'fastify';
import { safeParse, type $ZodType, type output } from 'zod/v4/core';
import { ISSUE_PARSE_OPTIONS, issuesToFieldErrors, type FieldError } from '@tiepdan/core';
import { ApiError } from './api-error.js';

export function invalid(fields: FieldError[]): ApiError {
  return new ApiError(422, 'validation_failed', fields);
}

/** Parses `value` with `schema` or throws the 422 that names every bad field (under `prefix`, when given). */
export function parseWith<S extends $ZodType>(schema: S, value: unknown, prefix = ''): output<S> {
  const parsed = safeParse(schema, value, ISSUE_PARSE_OPTIONS);
  if (!parsed.success) throw invalid(issuesToFieldErrors(parsed.error.issues, prefix));
  return parsed.data;
}

/**
 * fastify's validator for route schemas written in zod. The ApiError it returns reaches the error handler as it
 * is (fastify keeps an Error's own statusCode), so a bad query, params or body gets the same answer as a bad
 * value checked later in the handler. An absent body is checked as `{}`: "reason is required" says more than
 * "the body is missing".
 */
export const validatorCompiler: FastifySchemaCompiler<$ZodType> = ({ schema, httpPart }) => (data: unknown) => {
  const parsed = safeParse(schema, httpPart === 'body' ? (data ?? {}) : data, ISSUE_PARSE_OPTIONS);
  if (parsed.success) return { value: parsed.data };
  return { error: invalid(issuesToFieldErrors(parsed.error.issues)) };
};
