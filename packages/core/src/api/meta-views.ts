/**
 * GET /meta as a zod schema, with its type inferred (issue 14): what the citizen's form needs from a deployment,
 * the server's response schema and the type the elements read from one source. The rules are the deployment's
 * RegistrationRules (registration/limits.ts keeps its interface, without zod, for the validators; the check below
 * keeps the two the same).
 */
import * as z from 'zod/mini';
import type { RegistrationRules } from '../registration/limits.js';
import { MessageSchema } from './view-parts.js';

z.config({ jitless: true });

export const CommuneOptionSchema = z.object({ code: z.string(), name: z.string() });
export type CommuneOption = z.infer<typeof CommuneOptionSchema>;

export const RegistrationRulesSchema = z.object({
  /** Bands in ascending `fromSize`; a group uses the last band whose `fromSize` it reaches. */
  representatives: z.array(z.object({ fromSize: z.number(), min: z.number(), max: z.number() })),
  attachments: z.object({
    maxCount: z.number(),
    maxBytes: z.number(),
    maxTotalBytes: z.number(),
    /** Types checked on the server by content (magic bytes), not by name or declared type. */
    types: z.array(z.string()),
  }),
});

/** GET /meta?unit=… (public, cacheable for a few minutes) */
export const MetaResponseSchema = z.object({
  unit: z.object({ code: z.string(), name: z.string(), provinceCode: z.string() }),
  communes: z.array(CommuneOptionSchema),
  privacyNotice: z.object({ version: z.string(), text: MessageSchema }),
  rules: RegistrationRulesSchema,
  remoteAttendanceAllowed: z.boolean(),
  /** The unit's connection points as configured; `parent` is the point above one in the tree (absent at the root). */
  connectionPoints: z.array(z.object({ id: z.string(), name: z.string(), parent: z.optional(z.string()) })),
});
export type MetaResponse = z.infer<typeof MetaResponseSchema>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** Compile-time only: the rules the meta answers are the RegistrationRules the validators apply. */
export type RulesSchemaIsRegistrationRules = Assert<Same<z.output<typeof RegistrationRulesSchema>, RegistrationRules>>;
