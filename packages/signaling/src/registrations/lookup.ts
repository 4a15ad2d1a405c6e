/**
 * POST /api/v1/lookup: the citizen checks the state of a registration with its reference code and the phone
 * number given on it. Every miss (unknown code, unreadable code, wrong phone) is the same 404, so the endpoint
 * cannot be used to learn which codes exist; the per-IP rate limit makes guessing both slow.
 */
import type { FastifyRequest } from 'fastify';
import * as z from 'zod';
import { fieldError, normalizeReference, toE164, type FieldError } from '@tiepdan/core';
import { ApiError } from '../http/api-error.js';
import type { DataKeys } from '../privacy/keys.js';
import { keyedHash, sameHash } from '../privacy/seal.js';
import type { Store } from '../store/store.js';
import { lookupResponse } from './views.js';

const LookupSchema = z.strictObject({ reference: z.string().max(40), phone: z.string().max(40) });

export function lookupHandler(store: Store, keys: DataKeys) {
  return async function lookup(request: FastifyRequest) {
    const parsed = LookupSchema.safeParse(request.body);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue): FieldError =>
        issue.code === 'unrecognized_keys' ? fieldError(issue.keys.join(','), 'unknown_field') : fieldError(issue.path.join('.'), issue.path[0] === 'reference' ? 'reference' : issue.path[0] === 'phone' ? 'phone' : 'invalid'),
      );
      throw new ApiError(422, 'validation_failed', fields);
    }
    const reference = normalizeReference(parsed.data.reference);
    const phone = toE164(parsed.data.phone);
    const row = reference ? await store.findByReference(reference) : undefined;
    // Hash even when nothing matched, so a miss takes as long as a wrong phone.
    const given = keyedHash(keys.phone, phone ?? '');
    if (!row || !phone || !sameHash(row.phoneHash, given)) throw new ApiError(404, 'not_found');
    return lookupResponse(row);
  };
}
