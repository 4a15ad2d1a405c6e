/**
 * The registrations' screening views as zod schemas, with their types inferred (issue 14): the server's response
 * schema for GET /registrations and the type `<tiepdan-screening>` reads come from one source. Routes in
 * api/types.ts. The full RegistrationRecord too: its `registration` is a redacted copy for some callers, which
 * the registration's input schema would refuse, so it is that schema's shape only. The citizen's lookup
 * (POST /lookup) is here too, and the citizen's receipt of a submission (POST /registrations).
 */
import * as z from 'zod/mini';
import { CitizenCaseOutcomeSchema } from '../desk/case.js';
import { MATTER_KINDS } from '../registration/choices.js';
import { ANSWER_OUTCOMES, REGISTRATION_STATES } from '../registration/states.js';
import { RegistrationSchema } from '../registration/schema.js';
import { AttendanceViewSchema, BookingViewSchema, CitizenBookingSchema, SubmitBookingSchema } from './booking-views.js';
import { MessageSchema, shapeOnly } from './view-parts.js';

z.config({ jitless: true });

export const RegistrationSummarySchema = z.object({
  reference: z.string(),
  unit: z.string(),
  kind: z.enum(MATTER_KINDS),
  state: z.enum(REGISTRATION_STATES),
  receivedAt: z.string(),
  updatedAt: z.string(),
  /** Redacted ("Người tố cáo (bảo mật)") for denunciations when the caller may not see the denouncer. */
  displayName: z.string(),
  summary: z.string(),
  groupSize: z.number(),
  attachmentCount: z.number(),
});
export type RegistrationSummary = z.infer<typeof RegistrationSummarySchema>;

/** GET /registrations */
export const ScreeningPageSchema = z.object({
  items: z.array(RegistrationSummarySchema),
  /** Pass as `before` to get the next page; absent on the last page. */
  nextBefore: z.optional(z.string()),
});
export type ScreeningPage = z.infer<typeof ScreeningPageSchema>;

export const HistoryEntrySchema = z.object({
  state: z.enum(REGISTRATION_STATES),
  at: z.string(),
  /** What the citizen may read; internal reasons stay with officials. */
  note: z.optional(MessageSchema),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

/** POST /lookup */
export const LookupResponseSchema = z.object({
  reference: z.string(),
  kind: z.enum(MATTER_KINDS),
  state: z.enum(REGISTRATION_STATES),
  receivedAt: z.string(),
  history: z.array(HistoryEntrySchema),
  next: MessageSchema,
  /** The place the registration holds (or the last cancelled one), with the invitation when there is one. */
  booking: z.optional(CitizenBookingSchema),
  /** The desk's cases of this registration (one per kind after a split), with their result: accepted, returned, transferred or refused and why. */
  cases: z.optional(z.array(CitizenCaseOutcomeSchema)),
});
export type LookupResponse = z.infer<typeof LookupResponseSchema>;

export const StoredAttachmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Type detected from the content (magic bytes) by the server. */
  type: z.string(),
  size: z.number(),
  sha256: z.string(),
  purpose: z.string(),
});
export type StoredAttachment = z.infer<typeof StoredAttachmentSchema>;

/** POST /registrations: 201, and the same body on an identical replay (header Idempotent-Replayed: true). */
export const SubmitResponseSchema = z.object({
  reference: z.string(),
  clientId: z.string(),
  state: z.enum(REGISTRATION_STATES),
  /** ISO 8601, UTC. */
  receivedAt: z.string(),
  attachments: z.array(StoredAttachmentSchema),
  next: MessageSchema,
  /** Present when the registration named a `preferredSessionId` (api/schedule-types.ts). */
  booking: z.optional(SubmitBookingSchema),
});
export type SubmitResponse = z.infer<typeof SubmitResponseSchema>;

export const OfficialHistoryEntrySchema = z.object({
  ...HistoryEntrySchema.shape,
  by: z.optional(z.string()),
  reason: z.optional(z.string()),
  outcome: z.optional(z.enum(ANSWER_OUTCOMES)),
});

/** GET /registrations/:reference, POST /registrations/:reference/transitions */
export const RegistrationRecordSchema = z.object({
  reference: z.string(),
  clientId: z.string(),
  state: z.enum(REGISTRATION_STATES),
  receivedAt: z.string(),
  updatedAt: z.string(),
  /**
   * For denunciations seen by a role that may not read the denouncer, identity, address and contact are redacted:
   * the registration's shape without its input rules (shapeOnly), since a redacted copy breaks them.
   */
  registration: shapeOnly(RegistrationSchema),
  redacted: z.boolean(),
  attachments: z.array(StoredAttachmentSchema),
  history: z.array(OfficialHistoryEntrySchema),
  /** The place the registration holds (or last held), with the invitation's attendance once invited. */
  booking: z.optional(z.object({ ...BookingViewSchema.shape, attendance: z.optional(AttendanceViewSchema) })),
});
export type RegistrationRecord = z.infer<typeof RegistrationRecordSchema>;
