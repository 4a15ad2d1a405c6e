/**
 * The one error shape as a schema, for the API's contract: the OpenAPI document's `Error` component, which every
 * 4xx response of every route refers to, is rendered from it, and an integrator may check a reply with it. Its
 * type is error-shape.ts's ErrorBody (checked below); the builders (errors.ts, the field messages, the one
 * zod→error mapper in validation/issues.ts) keep importing that type, without zod. Open objects: a newer server
 * may add a member without breaking a client that checks with this.
 */
import * as z from 'zod/mini';
import type { ErrorBody } from './error-shape.js';

const MessageSchema = z.object({ vi: z.string(), en: z.string() }).check(z.describe('The same text in Vietnamese (shown first) and English.'));

export const FieldErrorSchema = z.object({
  path: z.string().check(z.describe('Dotted path of the field, e.g. `identity.idNumber` or `attachments.0.type`.')),
  code: z.string().check(z.describe('A field code (core FIELD_MESSAGES), e.g. `required`, `too_long`.')),
  message: MessageSchema,
});

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string().check(z.describe('For programs: an error code (core ERROR_CODES), e.g. `validation_failed`, `not_found`.')),
      message: MessageSchema,
      fields: z.optional(z.array(FieldErrorSchema).check(z.describe('With `validation_failed`: each offending field.'))),
      retryAfter: z.optional(z.number().check(z.describe('Seconds to wait before trying again (rate limits, busy server); also the Retry-After header.'))),
      requestId: z.optional(z.string().check(z.describe('The request id in the server log.'))),
    }),
  })
  .check(z.describe('The project\'s one error shape: `code` for programs, `message` for people, `fields[].path` naming each offending field.'));

/** True when A and B are each other's type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** Compile-time only: the schema describes exactly the ErrorBody the server builds (this fails to compile otherwise). */
export type ErrorSchemaIsErrorBody = Assert<Same<z.output<typeof ErrorBodySchema>, ErrorBody>>;
