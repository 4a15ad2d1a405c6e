/**
 * The notices' delivery views as zod schemas, with their types inferred (issue 14): the response schema of
 * GET /sessions/:id/notices (api/schedule-types.ts) and the type the schedule editor and the screening read.
 * Shapes only (api/view-parts.ts).
 */
import * as z from 'zod/mini';

z.config({ jitless: true });

export const DELIVERY_STATES = ['queued', 'sent', 'logged', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** A session's change, an invitation, or the desk's Form 02 receipt and outcome (refusal included) of a case. */
export const NOTICE_CHANGES = ['cancelled', 'postponed', 'time_changed', 'invited', 'receipt', 'outcome'] as const;

export const NoticeDeliverySchema = z.object({
  channel: z.string(),
  state: z.enum(DELIVERY_STATES),
  attempts: z.number(),
  lastError: z.optional(z.string()),
  sentAt: z.optional(z.string()),
  /** When the next attempt is due (queued only). */
  nextAt: z.optional(z.string()),
});
export type NoticeDelivery = z.infer<typeof NoticeDeliverySchema>;

/**
 * One notice to one citizen. Its state: "sent" once a delivering channel took it; "failed" when none did and
 * none is left to try; "logged" when only the log channel (which delivers nothing) had it; else "queued".
 */
export const NoticeViewSchema = z.object({
  reference: z.string(),
  change: z.enum(NOTICE_CHANGES),
  createdAt: z.string(),
  state: z.enum(DELIVERY_STATES),
  deliveries: z.array(NoticeDeliverySchema),
});
export type NoticeView = z.infer<typeof NoticeViewSchema>;

/** GET /sessions/:id/notices */
export const SessionNoticesSchema = z.object({
  sessionId: z.string(),
  /** Citizens per state, over every notice of the session (or of the one registration asked for). */
  summary: z.object({ queued: z.number(), sent: z.number(), logged: z.number(), failed: z.number() }),
  items: z.array(NoticeViewSchema),
});
export type SessionNotices = z.infer<typeof SessionNoticesSchema>;
