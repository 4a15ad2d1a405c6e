/**
 * The schedule's session views as zod schemas, with their types inferred (issue 14): the same source gives the
 * server's response schemas (hence the OpenAPI document) and the types the elements read. The routes are listed
 * in api/schedule-types.ts. A session's facts are the input's (schedule/session.ts), with the nested `host` as a
 * plain object, so a reply drops what a view does not name instead of failing on it.
 */
import * as z from 'zod/mini';
import { ReceptionSessionInputSchema, SESSION_STATES } from '../schedule/session.js';
import { MessageSchema } from './view-parts.js';

/** What anyone sees of a published session. */
export const ReceptionSessionSchema = z.object({
  ...ReceptionSessionInputSchema.shape,
  host: z.object(ReceptionSessionInputSchema.shape.host.shape),
  id: z.string(),
  state: z.enum(SESSION_STATES),
  /** Why it was cancelled or postponed, shown to citizens. */
  notice: z.optional(MessageSchema),
  seriesId: z.optional(z.string()),
  /** Where a postponed session was first announced; its new times are startsAt/endsAt. */
  postponedFrom: z.optional(z.object({ startsAt: z.string(), endsAt: z.string() })),
  /** Places still free for cases. */
  placesLeft: z.number(),
  /** Incremented on every change; the ICS SEQUENCE. */
  sequence: z.number(),
  updatedAt: z.string(),
});
export type ReceptionSession = z.infer<typeof ReceptionSessionSchema>;

/** What officials see of a session: the public view plus internal fields. */
export const OfficialSessionSchema = z.object({
  ...ReceptionSessionSchema.shape,
  /** Internal reason of the last cancellation or postponement (never shown to citizens). */
  reason: z.optional(z.string()),
  /** Places taken. */
  booked: z.number(),
  createdAt: z.string(),
  /** First publication; absent for a draft. */
  publishedAt: z.optional(z.string()),
});
export type OfficialSession = z.infer<typeof OfficialSessionSchema>;

/**
 * A session as GET /sessions and GET /sessions/:id answer it: the official view for a caller who may see drafts,
 * the public one otherwise. The official view is tried first, so its internal fields survive serialization; a
 * public view lacks `booked` and falls through to the second.
 */
export const SessionViewSchema = z.union([OfficialSessionSchema, ReceptionSessionSchema]);

/** GET /sessions */
export const SessionListSchema = z.object({
  unit: z.string(),
  from: z.string(),
  to: z.string(),
  /** Sorted by start time. */
  items: z.array(SessionViewSchema),
});
export type SessionList = z.infer<typeof SessionListSchema>;

/** A legal minimum frequency not met in a period (schedule/frequency.ts). */
export const FrequencyWarningSchema = z.object({ period: z.string(), found: z.number(), required: z.number(), message: MessageSchema });
export type FrequencyWarning = z.infer<typeof FrequencyWarningSchema>;

/** POST /sessions, PATCH /sessions/:id and the state changes. */
export const SessionMutationResponseSchema = z.object({
  session: OfficialSessionSchema,
  /** Legal minimum frequencies not met in the periods around the session; a warning, never a refusal. */
  warnings: z.array(FrequencyWarningSchema),
  /** Notices queued for booked citizens by this change (0 when nobody had booked). */
  noticesQueued: z.number(),
});
export type SessionMutationResponse = z.infer<typeof SessionMutationResponseSchema>;
