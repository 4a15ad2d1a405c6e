/**
 * The desk's one validation path: a core zod/mini schema, then its cross-field rules, then NFC. A failure is a
 * 422 `validation_failed` naming each field with its bilingual message (core's field table), before anything
 * is read from or written to the store.
 */
import { issueToFieldErrors, nfc, type FieldError } from '@tiepdan/core';
import type * as z from 'zod/mini';
import { ApiError } from '../http/api-error.js';

export function parseBody<S extends z.ZodMiniType>(schema: S, body: unknown, rules?: (value: z.infer<S>) => FieldError[]): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new ApiError(422, 'validation_failed', parsed.error.issues.flatMap(issueToFieldErrors));
  const value = nfc(parsed.data) as z.infer<S>;
  const errors = rules?.(value) ?? [];
  if (errors.length) throw new ApiError(422, 'validation_failed', errors);
  return value;
}
