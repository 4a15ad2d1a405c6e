/**
 * Bookings and invitations as zod schemas, with their types inferred (issue 14): the response schemas of the
 * citizens' booking routes and the officials' invitation routes (listed in api/schedule-types.ts), the citizen's
 * place in the lookup, and the types the elements read. Shapes only (api/view-parts.ts).
 */
import * as z from 'zod/mini';
import { MATTER_KINDS } from '../registration/choices.js';
import { REGISTRATION_STATES } from '../registration/states.js';
import { ReceptionSessionSchema } from './session-views.js';
import { MessageSchema } from './view-parts.js';

z.config({ jitless: true });

/** How an invited citizen attends. `remote` only where the session (and the unit) allow it. */
export const InvitationAttendanceSchema = z.object({
  mode: z.enum(['connection_point', 'remote']),
  /** A connection point of the session; default the registration's choice, else the session's first point. */
  connectionPoint: z.optional(z.string()),
});
export type InvitationAttendance = z.infer<typeof InvitationAttendanceSchema>;

/** The attendance as answered: with the connection point's name. */
export const AttendanceViewSchema = z.object({ ...InvitationAttendanceSchema.shape, pointName: z.optional(z.string()) });

export const BOOKING_STATUSES = ['booked', 'cancelled'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

/** `SubmitResponse.booking` (POST /registrations): what happened to the registration's `preferredSessionId`. */
export const SubmitBookingSchema = z.object({
  sessionId: z.string(),
  /**
   * "not_open": unknown session, another unit's, not open for registration, or already started. "full": no
   * place left that an unscreened registration may hold (see `provisional`). "limit": this phone already holds
   * a provisional place in a session. A "booked" place is provisional until the board screens the registration.
   */
  status: z.enum(['booked', 'full', 'not_open', 'limit']),
  /** The held session's times (when "booked"), so the confirmation can name it by date. */
  startsAt: z.optional(z.string()),
  endsAt: z.optional(z.string()),
});
export type SubmitBooking = z.infer<typeof SubmitBookingSchema>;

/** POST /bookings (201), /bookings/move, /bookings/cancel */
export const BookingViewSchema = z.object({
  reference: z.string(),
  sessionId: z.string(),
  status: z.enum(BOOKING_STATUSES),
  bookedAt: z.string(),
  /** The time within the session the citizen was invited for (after the official's invitation). */
  slotAt: z.optional(z.string()),
  /** Taken before screening: the board confirms it when it screens the registration (or gives it back). */
  provisional: z.optional(z.boolean()),
  session: ReceptionSessionSchema,
});
export type BookingView = z.infer<typeof BookingViewSchema>;

/** What the citizen's lookup shows of their place and invitation. */
export const CitizenBookingSchema = z.object({
  ...BookingViewSchema.shape,
  invitation: z.optional(
    z.object({
      slotAt: z.string(),
      attendance: AttendanceViewSchema,
      note: z.optional(z.string()),
      /** The page with the room, with the citizen's join token in the fragment. */
      joinUrl: z.optional(z.string()),
    }),
  ),
});
export type CitizenBooking = z.infer<typeof CitizenBookingSchema>;

export const SessionBookingEntrySchema = z.object({
  reference: z.string(),
  kind: z.enum(MATTER_KINDS),
  state: z.enum(REGISTRATION_STATES),
  /** Redacted for denunciations (SPEC §3). */
  displayName: z.string(),
  summary: z.string(),
  bookedAt: z.string(),
  slotAt: z.optional(z.string()),
  /** True once an invitation (and its join token) was issued. */
  invited: z.boolean(),
  provisional: z.optional(z.boolean()),
  attendance: z.optional(AttendanceViewSchema),
});
export type SessionBookingEntry = z.infer<typeof SessionBookingEntrySchema>;

/** GET /sessions/:id/bookings */
export const SessionBookingsSchema = z.object({ sessionId: z.string(), items: z.array(SessionBookingEntrySchema) });
export type SessionBookings = z.infer<typeof SessionBookingsSchema>;

/** POST /sessions/:id/invitations (201) */
export const InvitationResponseSchema = z.object({
  reference: z.string(),
  sessionId: z.string(),
  slotAt: z.string(),
  state: z.literal('invited'),
  attendance: AttendanceViewSchema,
  /** Shown once; the server keeps only its hash. A re-invitation replaces it. */
  joinToken: z.string(),
  /** `<joinPage>#session=<id>&token=<joinToken>`: the link the notice carries (absent when no join page is configured). */
  joinUrl: z.optional(z.string()),
  /** The channels the invitation notice is queued for. */
  channels: z.array(z.string()),
});
export type InvitationResponse = z.infer<typeof InvitationResponseSchema>;

/** POST /sessions/:id/invitations/preview */
export const InvitationPreviewSchema = z.object({
  subject: MessageSchema,
  /** The text as sent, with the link shown as "…" in place of the token. */
  message: MessageSchema,
  sms: z.optional(MessageSchema),
  slotAt: z.string(),
  attendance: AttendanceViewSchema,
  /** Channel and masked address ("n***@gmail.com", "+84******678"); empty: nothing would reach the citizen. */
  channels: z.array(z.object({ channel: z.string(), to: z.optional(z.string()), delivers: z.boolean() })),
});
export type InvitationPreview = z.infer<typeof InvitationPreviewSchema>;
