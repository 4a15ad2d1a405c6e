/**
 * A reception session (buổi tiếp công dân, SPEC §2 step 1): who receives, where, which connection points take
 * part, when, how many cases it can take, and its state. Times are stored as UTC instants and shown in Hanoi time.
 */
import * as z from 'zod/mini';
import { hasHiddenCharacters } from '../text/characters.js';

z.config({ jitless: true });

export const SESSION_KINDS = ['periodic', 'unscheduled', 'regular'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

export const SESSION_STATES = ['planned', 'open', 'closed', 'in_progress', 'ended', 'cancelled', 'postponed'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/** Reasons for an unscheduled (đột xuất) session, from the Law on Citizen Reception. */
export const UNSCHEDULED_REASONS = ['urgent', 'complex', 'many_people', 'several_agencies', 'public_order'] as const;

export const SESSION_LEVELS = ['commune', 'province', 'central'] as const;

const id = z.string({ error: 'invalid' }).check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/u, { error: 'invalid' }));
const instant = z.string({ error: 'date' }).check(z.iso.datetime({ error: 'date', offset: true }));
/** Shown to citizens: no control or invisible characters (text/characters.ts), as in a registration. */
const visible = z.refine<string>((value) => !hasHiddenCharacters(value), { error: 'hidden_characters' });

export const ReceptionSessionInputSchema = z.strictObject({
  kind: z.enum(SESSION_KINDS, { error: 'choose_one' }),
  unscheduledReason: z.optional(z.enum(UNSCHEDULED_REASONS, { error: 'choose_one' })),
  host: z.strictObject({
    role: z.enum(['chair', 'official'], { error: 'choose_one' }),
    name: z.string({ error: 'required' }).check(visible, z.minLength(1, { error: 'required' }), z.maxLength(200, { error: 'too_long' })),
  }),
  level: z.enum(SESSION_LEVELS, { error: 'choose_one' }),
  unit: id,
  venue: z.string({ error: 'required' }).check(visible, z.minLength(1, { error: 'required' }), z.maxLength(500, { error: 'too_long' })),
  /** Connection point ids from the configured tree (ward → province → central board). */
  connectionPoints: z.array(id).check(z.maxLength(50, { error: 'too_long' })),
  startsAt: instant,
  endsAt: instant,
  capacity: z.number({ error: 'invalid' }).check(z.int({ error: 'invalid' }), z.gte(0, { error: 'invalid' }), z.lte(500, { error: 'invalid' })),
  remoteAllowed: z.boolean({ error: 'invalid' }),
});
export type ReceptionSessionInput = z.infer<typeof ReceptionSessionInputSchema>;

/**
 * Which state changes are allowed. Cancelled and ended are final; a postponed session is published again
 * ("open") once its new time is known. Booking is possible only in "open".
 */
export const SESSION_TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = {
  planned: ['open', 'cancelled', 'postponed'],
  open: ['closed', 'in_progress', 'cancelled', 'postponed'],
  closed: ['open', 'in_progress', 'cancelled', 'postponed'],
  in_progress: ['ended'],
  ended: [],
  cancelled: [],
  postponed: ['open', 'cancelled', 'postponed'],
};

export function canChangeSession(from: SessionState, to: SessionState): boolean {
  return SESSION_TRANSITIONS[from].includes(to);
}

