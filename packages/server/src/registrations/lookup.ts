/**
 * POST /api/v1/lookup: the citizen checks the state of a registration with its reference code and the phone
 * number given on it, and sees the place it holds and the invitation (time, place, join link). Every miss
 * (unknown code, unreadable code, wrong phone) is the same 404, so the endpoint cannot be used to learn which
 * codes exist; the guess budget it shares with the booking routes makes guessing slow. Once the desk has decided,
 * the answer carries each case's result.
 */
import type { FastifyRequest } from 'fastify';
import * as z from 'zod';
import type { LookupResponse } from '@tiepdan/core';
import type { Config } from '../config/schema.js';
import type { DataKeys } from '../privacy/keys.js';
import { citizenBooking, citizenRegistration } from '../schedule/bookings.js';
import type { Store } from '../store/store.js';
import type { GuessBudget } from './guesses.js';
import { lookupResponse } from './views.js';
import { citizenOutcome } from '../desk/citizen.js';
import { fromStored } from '../desk/privacy.js';

export const LookupSchema = z.strictObject({
  reference: z.string({ error: 'reference' }).max(40, { error: 'reference' }),
  phone: z.string({ error: 'phone' }).max(40, { error: 'phone' }),
});

export function lookupHandler(ctx: { config: Config; store: Store; keys: DataKeys; guesses: GuessBudget }) {
  return async function lookup(request: FastifyRequest): Promise<LookupResponse> {
    // The route's schema checked the body (registrations/plugin.ts), after the guess budget (preValidation).
    const { reference, phone } = request.body as z.output<typeof LookupSchema>;
    const row = await citizenRegistration(ctx, request, reference, phone);
    const booking = await citizenBooking(ctx, row.reference);
    // The desk's result (accepted, returned, transferred, or refused and why): the citizen reads it here too, not
    // only in the notice that was sent (desk/citizen.ts says what of a case the citizen sees).
    const cases = (await ctx.store.cases.list({ registrationReference: row.reference }, 100)).map((c) => citizenOutcome(fromStored(c, ctx.keys.seal)));
    return { ...lookupResponse(row), ...(booking ? { booking } : {}), ...(cases.length ? { cases } : {}) };
  };
}
