/**
 * POST /api/v1/lookup: the citizen checks the state of a registration with its reference code and the phone
 * number given on it, and sees the place it holds and the invitation (time, place, join link). Every miss
 * (unknown code, unreadable code, wrong phone) is the same 404, so the endpoint cannot be used to learn which
 * codes exist; the guess budget it shares with the booking routes makes guessing slow.
 */
import type { FastifyRequest } from 'fastify';
import * as z from 'zod';
import { fieldError, type FieldError, type LookupResponse } from '@tiepdan/core';
import type { Config } from '../config/schema.js';
import { ApiError } from '../http/api-error.js';
import type { DataKeys } from '../privacy/keys.js';
import { citizenBooking, citizenRegistration } from '../schedule/bookings.js';
import type { Store } from '../store/store.js';
import type { GuessBudget } from './guesses.js';
import { lookupResponse } from './views.js';

const LookupSchema = z.strictObject({ reference: z.string().max(40), phone: z.string().max(40) });

export function lookupHandler(ctx: { config: Config; store: Store; keys: DataKeys; guesses: GuessBudget }) {
  return async function lookup(request: FastifyRequest): Promise<LookupResponse> {
    await ctx.guesses.refuseWhenSpent(request.ip);
    const parsed = LookupSchema.safeParse(request.body);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue): FieldError =>
        issue.code === 'unrecognized_keys' ? fieldError(issue.keys.join(','), 'unknown_field') : fieldError(issue.path.join('.'), issue.path[0] === 'reference' ? 'reference' : issue.path[0] === 'phone' ? 'phone' : 'invalid'),
      );
      throw new ApiError(422, 'validation_failed', fields);
    }
    const row = await citizenRegistration(ctx, request, parsed.data.reference, parsed.data.phone);
    const booking = await citizenBooking(ctx, row.reference);
    return { ...lookupResponse(row), ...(booking ? { booking } : {}) };
  };
}
