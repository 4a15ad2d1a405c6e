/**
 * The bodies of the sign-in and accounts routes, and their one way of failing: 422 `validation_failed` naming
 * each field, like every other route (http/validation.ts).
 */
import * as z from 'zod';
import { OFFICIAL_ROLES } from '@tiepdan/core';
import { parseWith } from '../http/validation.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './passwords.js';

const UNIT = z.string().regex(/^(\*|[A-Za-z0-9_.-]{1,64})$/u);
export const Username = z
  .string()
  .transform((v) => v.normalize('NFC').trim().toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9._-]{3,64}$/u));
const Password = z.string().min(MIN_PASSWORD_LENGTH, { error: 'too_short' }).max(MAX_PASSWORD_LENGTH, { error: 'too_long' });
export const RoleAssignment = z.strictObject({ role: z.enum(OFFICIAL_ROLES), unit: UNIT });

export const SignInBody = z.strictObject({
  username: z.string().min(1, { error: 'required' }).max(200, { error: 'too_long' }),
  // Not checked for length here: a short password is simply wrong, not a form error that would tell the rule.
  password: z.string().min(1, { error: 'required' }).max(MAX_PASSWORD_LENGTH, { error: 'too_long' }),
  code: z.string().max(12, { error: 'too_long' }).optional(),
});

export const TokenBody = z.strictObject({ role: z.enum(OFFICIAL_ROLES).optional(), unit: UNIT.optional() }).default({});

export const DeviceBody = z.strictObject({
  label: z.string().trim().min(1, { error: 'required' }).max(120, { error: 'too_long' }),
  unit: UNIT.optional(),
});

export const NewAccountBody = z.strictObject({
  username: Username,
  displayName: z.string().transform((v) => v.normalize('NFC').trim()).pipe(z.string().min(1, { error: 'required' }).max(200, { error: 'too_long' })),
  password: Password,
  roles: z.array(RoleAssignment).min(1, { error: 'required' }).max(20),
});

export const AccountPatchBody = z.strictObject({
  disabled: z.boolean().optional(),
  displayName: z.string().transform((v) => v.normalize('NFC').trim()).pipe(z.string().min(1).max(200)).optional(),
});

export const PasswordBody = z.strictObject({ password: Password });

/** Parses a body with a schema or throws 422 naming every bad field (the server's one path, http/validation.ts). */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  return parseWith(schema, body ?? undefined);
}
