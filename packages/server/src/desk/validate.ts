/**
 * The desk's bodies: a core zod/mini schema through the server's one validation path (http/validation.ts), then its cross-field rules, then NFC. A failure is a
 * 422 `validation_failed` naming each field with its bilingual message (core's field table), before anything
 * is read from or written to the store.
 */
import { nfc, type FieldError } from '@tiepdan/core';
import type * as z from 'zod/mini';
import { invalid, parseWith } from '../http/validation.js';

export function parseBody<S extends z.ZodMiniType>(schema: S, body: unknown, rules?: (value: z.infer<S>) => FieldError[]): z.infer<S> {
  const value = nfc(parseWith(schema, body ?? {})) as z.infer<S>;
  const errors = rules?.(value) ?? [];
  if (errors.length) throw invalid(errors);
  return value;
}
