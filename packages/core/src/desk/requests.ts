/**
 * The desk's request bodies as zod/mini schemas, shared by the desk panel (to check before sending) and the
 * server (the one validation path). Checks carry field codes (i18n/field-messages.ts), never prose. Rules that
 * look across fields (an outcome needs its agency and document number) are in `deskFieldErrors`, so the panel
 * and the server say the same thing.
 */
import * as z from 'zod/mini';
import type { FieldError } from '../errors.js';
import { fieldError } from '../i18n/field-messages.js';
import { HELPER_ROLES, MATTER_KINDS } from '../registration/choices.js';
import { ID_TYPES } from '../registration/identity.js';
import { isRealIsoDate } from '../text/time.js';
import { ANSWER_MODES, CASE_OUTCOMES, DOCUMENT_FORMS, REFUSAL_GROUNDS } from './case.js';

z.config({ jitless: true });

/** Lengths a reception paper can carry without becoming a different document. */
export const DESK_LIMITS = { name: 200, short: 500, text: 20_000, items: 100, number: 64 } as const;

const text = (max: number, code: 'required' | 'content' | 'reason' | 'agency' | 'document_number' | 'full_name' = 'required') =>
  z.string({ error: code }).check(
    z.refine((value) => value.trim().length > 0, { error: code }),
    z.maxLength(max, { error: 'too_long' }),
  );
const optionalText = (max: number) => z.optional(z.string({ error: 'invalid_type' }).check(z.maxLength(max, { error: 'too_long' })));
const isoDate = z.string({ error: 'date' }).check(z.refine(isRealIsoDate, { error: 'date' }));
const id = z.string({ error: 'invalid' }).check(z.regex(/^[A-Za-z0-9_.:-]{1,128}$/u, { error: 'invalid' }));

export const CaseCitizenSchema = z.strictObject({
  fullName: text(DESK_LIMITS.name, 'full_name'),
  address: optionalText(DESK_LIMITS.short),
  idType: z.optional(z.enum(ID_TYPES, { error: 'choose_one' })),
  idNumber: optionalText(DESK_LIMITS.number),
  idPaperName: optionalText(DESK_LIMITS.name),
  phone: optionalText(20),
});

/** Open a case: from a registration (its reference), or by hand for a walk-in (kind, citizen, summary). */
export const OpenCaseSchema = z.strictObject({
  sessionId: z.optional(id),
  pointId: z.optional(id),
  registration: z.optional(z.string({ error: 'reference' }).check(z.maxLength(32, { error: 'reference' }))),
  kind: z.optional(z.enum(MATTER_KINDS, { error: 'kind' })),
  citizen: z.optional(CaseCitizenSchema),
  summary: optionalText(DESK_LIMITS.text),
  groupSize: z.optional(z.number({ error: 'group_size' }).check(z.int({ error: 'group_size' }), z.gte(1, { error: 'group_size' }), z.lte(10_000, { error: 'group_size' }))),
  previousHandling: z.optional(z.array(text(DESK_LIMITS.short)).check(z.maxLength(DESK_LIMITS.items, { error: 'too_long' }))),
});

export const IdentityCheckSchema = z.strictObject({
  verified: z.boolean({ error: 'choose_one' }),
  differences: optionalText(DESK_LIMITS.short),
  idType: z.optional(z.enum(ID_TYPES, { error: 'choose_one' })),
  idNumber: optionalText(DESK_LIMITS.number),
});

export const HelperCheckSchema = z.strictObject({
  role: z.enum([...HELPER_ROLES, 'representative'], { error: 'choose_one' }),
  fullName: text(DESK_LIMITS.name, 'full_name'),
  document: z.strictObject({ kind: text(DESK_LIMITS.name), number: optionalText(DESK_LIMITS.number) }),
  verified: z.boolean({ error: 'choose_one' }),
  differences: optionalText(DESK_LIMITS.short),
});

export const CaseContentSchema = z.strictObject({ text: text(DESK_LIMITS.text, 'content') });

/** The citizen (screen) or the clerk (aloud) confirms one version of the content, named by version and hash. */
export const ConfirmSchema = z.strictObject({
  version: z.number({ error: 'content_version' }).check(z.int({ error: 'content_version' }), z.gte(1, { error: 'content_version' })),
  sha256: z.string({ error: 'content_version' }).check(z.regex(/^[0-9a-f]{64}$/u, { error: 'content_version' })),
  /** Aloud only: the offset into the recording at which the citizen said so, when the clerk marks it later. */
  recordingMs: z.optional(z.number({ error: 'invalid' }).check(z.int({ error: 'invalid' }), z.gte(0, { error: 'invalid' }))),
});

export const ReceiptItemSchema = z.strictObject({
  name: text(DESK_LIMITS.name),
  pages: z.number({ error: 'pages' }).check(z.int({ error: 'pages' }), z.gte(1, { error: 'pages' }), z.lte(100_000, { error: 'pages' })),
  form: z.enum(DOCUMENT_FORMS, { error: 'choose_one' }),
  condition: optionalText(DESK_LIMITS.name),
});

export const ReceiptSchema = z.strictObject({
  items: z.array(ReceiptItemSchema, { error: 'receipt_items' }).check(z.minLength(1, { error: 'receipt_items' }), z.maxLength(DESK_LIMITS.items, { error: 'too_long' })),
});

export const HandlingSchema = z.strictObject({
  outcome: z.enum(CASE_OUTCOMES, { error: 'choose_one' }),
  agency: optionalText(DESK_LIMITS.name),
  documentNumber: optionalText(DESK_LIMITS.number),
  answer: z.strictObject({
    mode: z.enum(ANSWER_MODES, { error: 'choose_one' }),
    text: optionalText(DESK_LIMITS.text),
    due: z.optional(isoDate),
  }),
});

export const DirectionSchema = z.strictObject({
  to: text(DESK_LIMITS.name),
  what: text(DESK_LIMITS.text),
  deadline: isoDate,
});

export const SplitSchema = z.strictObject({
  parts: z
    .array(z.strictObject({ kind: z.enum(MATTER_KINDS, { error: 'kind' }), summary: text(DESK_LIMITS.text, 'content') }), { error: 'split_kinds' })
    .check(z.minLength(2, { error: 'split_kinds' }), z.maxLength(4, { error: 'split_kinds' })),
});

export const RefusalSchema = z.strictObject({
  ground: z.enum(REFUSAL_GROUNDS, { error: 'refusal_ground' }),
  reason: text(DESK_LIMITS.short, 'reason'),
});

export const RefusalNoticeSchema = z.strictObject({
  reason: text(DESK_LIMITS.short, 'reason'),
  settled: z.strictObject({
    agency: text(DESK_LIMITS.name, 'agency'),
    document: text(DESK_LIMITS.name),
    number: text(DESK_LIMITS.number, 'document_number'),
    date: isoDate,
  }, { error: 'settled_document' }),
});

export const CloseSchema = z.strictObject({ followUp: optionalText(DESK_LIMITS.short), notes: optionalText(DESK_LIMITS.short) });

export type OpenCaseInput = z.infer<typeof OpenCaseSchema>;
export type IdentityCheckInput = z.infer<typeof IdentityCheckSchema>;
export type HelperCheckInput = z.infer<typeof HelperCheckSchema>;
export type CaseContentInput = z.infer<typeof CaseContentSchema>;
export type ConfirmInput = z.infer<typeof ConfirmSchema>;
export type ReceiptInput = z.infer<typeof ReceiptSchema>;
export type HandlingInput = z.infer<typeof HandlingSchema>;
export type DirectionInput = z.infer<typeof DirectionSchema>;
export type SplitInput = z.infer<typeof SplitSchema>;
export type RefusalInput = z.infer<typeof RefusalSchema>;
export type RefusalNoticeInput = z.infer<typeof RefusalNoticeSchema>;
export type CloseInput = z.infer<typeof CloseSchema>;

const blank = (value: string | undefined) => !value || value.trim() === '';

/** Rules across fields of a handling: returned and transferred need the agency and the document number. */
export function handlingFieldErrors(input: HandlingInput): FieldError[] {
  const errors: FieldError[] = [];
  if (input.outcome !== 'accepted') {
    if (blank(input.agency)) errors.push(fieldError('agency', 'agency'));
    if (blank(input.documentNumber)) errors.push(fieldError('documentNumber', 'document_number'));
  }
  if (input.answer.mode === 'later' && !input.answer.due) errors.push(fieldError('answer.due', 'date'));
  return errors;
}

/** A split names each kind once. */
export function splitFieldErrors(input: SplitInput): FieldError[] {
  const kinds = input.parts.map((p) => p.kind);
  return new Set(kinds).size === kinds.length ? [] : [fieldError('parts', 'split_kinds')];
}

/** A refusal on ground cl.3 is the head's written notice, not the officer's explanation. */
export function refusalFieldErrors(input: RefusalInput): FieldError[] {
  return input.ground === 'art9_cl3' ? [fieldError('ground', 'refusal_ground')] : [];
}

/** An in-person reception entered in the register by hand (the register is the board's whole book). */
export const RegisterEntryInputSchema = z.strictObject({
  kind: z.enum(MATTER_KINDS, { error: 'kind' }),
  citizen: CaseCitizenSchema,
  summary: text(DESK_LIMITS.text, 'content'),
  groupSize: z.optional(z.number({ error: 'group_size' }).check(z.int({ error: 'group_size' }), z.gte(1, { error: 'group_size' }), z.lte(10_000, { error: 'group_size' }))),
  previousHandling: z.optional(z.array(text(DESK_LIMITS.short)).check(z.maxLength(DESK_LIMITS.items, { error: 'too_long' }))),
  pointId: z.optional(id),
  unit: z.optional(z.string({ error: 'invalid' }).check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/u, { error: 'invalid' }))),
  /** The day of the reception, yyyy-mm-dd (Vietnam). */
  receivedOn: isoDate,
  handling: z.optional(HandlingSchema),
  followUp: optionalText(DESK_LIMITS.short),
  notes: optionalText(DESK_LIMITS.short),
});
export type RegisterEntryInput = z.infer<typeof RegisterEntryInputSchema>;

export const FollowUpSchema = z.strictObject({
  followUp: text(DESK_LIMITS.short),
  /** The day the result of settlement came, yyyy-mm-dd; it stops the settlement deadline. */
  settledOn: z.optional(isoDate),
});
export type FollowUpInput = z.infer<typeof FollowUpSchema>;

export function registerEntryFieldErrors(input: RegisterEntryInput): FieldError[] {
  return input.handling ? handlingFieldErrors(input.handling).map((e) => ({ ...e, path: `handling.${e.path}` })) : [];
}
