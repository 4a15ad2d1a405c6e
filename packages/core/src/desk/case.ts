/**
 * The reception case (vụ việc, `ReceptionCase`): one citizen's matter as received at the desk, following the
 * steps of Circular 04/2021/TT-TTCP (SPEC §2 step 4): identity and helpers checked, content recorded and
 * confirmed, documents received against a Form 02 receipt, classification and handling, or a refusal under
 * Art. 9 of the Law on Citizen Reception. The shapes here are what the server answers and the desk shows, as zod
 * schemas with their types inferred (issue 14): the desk's routes answer through them (response schemas, hence the
 * OpenAPI document). Shapes only (api/view-parts.ts): a case redacted for a role that may not read a denouncer
 * keeps the same shape with fewer citizen fields, so those are optional. The request bodies are in desk/requests.ts.
 */
import * as z from 'zod/mini';
import { HELPER_ROLES, MATTER_KINDS } from '../registration/choices.js';
import { ID_TYPES } from '../registration/identity.js';

z.config({ jitless: true });

/** open: being received; closed: handled and filed in the register; refused: reception refused (Art. 9). */
export const CASE_STATES = ['open', 'closed', 'refused'] as const;
export type CaseState = (typeof CASE_STATES)[number];

/** Where the case came from: an online registration, a walk-in at a connection point, or a register entry by hand. */
export const CASE_ORIGINS = ['registration', 'walk_in', 'in_person'] as const;
export type CaseOrigin = (typeof CASE_ORIGINS)[number];

/** Step 5 of the Circular: accept for settlement, return and guide, or transfer. */
export const CASE_OUTCOMES = ['accepted', 'returned', 'transferred'] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

/** Law on Citizen Reception Art. 9: cl.1 not in control of oneself, cl.2 threats/insults/rules, cl.3 a settled matter prolonged. */
export const REFUSAL_GROUNDS = ['art9_cl1', 'art9_cl2', 'art9_cl3'] as const;
export type RefusalGround = (typeof REFUSAL_GROUNDS)[number];

export const DOCUMENT_FORMS = ['original', 'copy'] as const;
export type DocumentForm = (typeof DOCUMENT_FORMS)[number];

/** How the head answered: there and then, or by a date. */
export const ANSWER_MODES = ['at_once', 'later'] as const;
export type AnswerMode = (typeof ANSWER_MODES)[number];

/** How the citizen confirmed the content: in their own room view, or aloud (the clerk marks the moment). */
export const CONFIRMATION_MODES = ['screen', 'aloud'] as const;
export type ConfirmationMode = (typeof CONFIRMATION_MODES)[number];

/** The marks a case leaves in the session's recording manifest. */
export const CASE_MARKS = ['opened', 'confirmed', 'receipt', 'outcome', 'closed'] as const;
export type CaseMarkKind = (typeof CASE_MARKS)[number];

/** Who did a step and when: the wall clock (UTC) and the offset into the session's recording, when one runs. */
const stepStamp = {
  by: z.string(),
  at: z.string(),
  /** Milliseconds since the recording started; absent when the session was not being recorded. */
  recordingMs: z.optional(z.number()),
  recordingId: z.optional(z.string()),
};
export const StepStampSchema = z.object(stepStamp);
export type StepStamp = z.infer<typeof StepStampSchema>;

export const CaseCitizenViewSchema = z.object({
  fullName: z.string(),
  address: z.optional(z.string()),
  idType: z.optional(z.enum(ID_TYPES)),
  idNumber: z.optional(z.string()),
  idPaperName: z.optional(z.string()),
  phone: z.optional(z.string()),
});
export type CaseCitizen = z.infer<typeof CaseCitizenViewSchema>;

export const IdentityCheckViewSchema = z.object({
  ...stepStamp,
  verified: z.boolean(),
  /** What differed from the registration (name, address, ID paper), in the clerk's words. */
  differences: z.optional(z.string()),
  idType: z.optional(z.enum(ID_TYPES)),
  idNumber: z.optional(z.string()),
});
export type IdentityCheck = z.infer<typeof IdentityCheckViewSchema>;

/** A representative, authorised person, lawyer, legal-aid provider or interpreter, checked one by one. */
export const HelperCheckViewSchema = z.object({
  ...stepStamp,
  role: z.enum([...HELPER_ROLES, 'representative']),
  fullName: z.string(),
  document: z.object({ kind: z.string(), number: z.optional(z.string()) }),
  verified: z.boolean(),
  differences: z.optional(z.string()),
});
export type HelperCheck = z.infer<typeof HelperCheckViewSchema>;

export const CaseContentViewSchema = z.object({
  ...stepStamp,
  /** Counts up with every edit; a confirmation names the version it confirms. */
  version: z.number(),
  text: z.string(),
  /** SHA-256 (hex) of the NFC text's UTF-8 bytes. */
  sha256: z.string(),
});
export type CaseContent = z.infer<typeof CaseContentViewSchema>;

export const CaseConfirmationSchema = z.object({
  ...stepStamp,
  mode: z.enum(CONFIRMATION_MODES),
  version: z.number(),
  sha256: z.string(),
  /** The text as confirmed, kept even when a later edit replaces the content. */
  text: z.string(),
});
export type CaseConfirmation = z.infer<typeof CaseConfirmationSchema>;

export const ReceiptItemViewSchema = z.object({
  name: z.string(),
  /** Number of pages (documents) or pieces (evidence). */
  pages: z.number(),
  form: z.enum(DOCUMENT_FORMS),
  /** The state it was handed over in ("nguyên vẹn", "bản photo mờ"…). */
  condition: z.optional(z.string()),
});
export type ReceiptItem = z.infer<typeof ReceiptItemViewSchema>;

/** Form 02: numbered per unit and year. */
export const CaseReceiptSchema = z.object({
  ...stepStamp,
  number: z.number(),
  year: z.number(),
  /** "02/2026/BN-dongthap.sadec": what the paper shows after "Số:". */
  code: z.string(),
  items: z.array(ReceiptItemViewSchema),
  /** Officer who received (the signer). */
  receivedBy: z.string(),
  /** SHA-256 of the receipt's canonical JSON: what the recording manifest carries. */
  sha256: z.string(),
});
export type CaseReceipt = z.infer<typeof CaseReceiptSchema>;

export const HeadDirectionSchema = z.object({
  ...stepStamp,
  to: z.string(),
  what: z.string(),
  /** yyyy-mm-dd. */
  deadline: z.string(),
});
export type HeadDirection = z.infer<typeof HeadDirectionSchema>;

const answer = z.object({ mode: z.enum(ANSWER_MODES), text: z.optional(z.string()), due: z.optional(z.string()) });

export const CaseHandlingSchema = z.object({
  ...stepStamp,
  outcome: z.enum(CASE_OUTCOMES),
  /** Returned: the competent agency guided to; transferred: the agency it goes to. */
  agency: z.optional(z.string()),
  /** Returned: the guidance document's number; transferred: the transfer document's number. */
  documentNumber: z.optional(z.string()),
  answer,
});
export type CaseHandling = z.infer<typeof CaseHandlingSchema>;

/** The document that settled the matter lawfully. */
const settled = z.object({ agency: z.string(), document: z.string(), number: z.string(), date: z.string() });

export const RefusalNoticeViewSchema = z.object({
  ...stepStamp,
  number: z.number(),
  year: z.number(),
  code: z.string(),
  settled,
  /** The head who signs. */
  signer: z.string(),
  sha256: z.string(),
});
export type RefusalNotice = z.infer<typeof RefusalNoticeViewSchema>;

export const CaseRefusalSchema = z.object({
  ...stepStamp,
  ground: z.enum(REFUSAL_GROUNDS),
  reason: z.string(),
  /** cl.1–2: the officer explained, the reason was shown to the citizen and reported to the head. */
  reportedToHead: z.boolean(),
  /** cl.3: the head's written notice. */
  notice: z.optional(RefusalNoticeViewSchema),
});
export type CaseRefusal = z.infer<typeof CaseRefusalSchema>;

export const CaseEventSchema = z.object({ at: z.string(), by: z.string(), action: z.string() });
export type CaseEvent = z.infer<typeof CaseEventSchema>;

export const ReceptionCaseSchema = z.object({
  id: z.string(),
  unit: z.string(),
  state: z.enum(CASE_STATES),
  origin: z.enum(CASE_ORIGINS),
  kind: z.enum(MATTER_KINDS),
  /** Line number in the unit's register for the year it was opened. */
  registerNumber: z.number(),
  registerYear: z.number(),
  sessionId: z.optional(z.string()),
  pointId: z.optional(z.string()),
  registrationReference: z.optional(z.string()),
  /** The case it was split from (a petition mixing kinds becomes one case per kind). */
  splitFrom: z.optional(z.string()),
  citizen: CaseCitizenViewSchema,
  /** True when the citizen's identity was withheld from this caller (a denunciation, SPEC §3). */
  redacted: z.optional(z.boolean()),
  groupSize: z.number(),
  /** Agencies that already handled it (register column 7). */
  previousHandling: z.array(z.string()),
  summary: z.string(),
  identity: z.optional(IdentityCheckViewSchema),
  helpers: z.array(HelperCheckViewSchema),
  content: z.optional(CaseContentViewSchema),
  confirmation: z.optional(CaseConfirmationSchema),
  receipt: z.optional(CaseReceiptSchema),
  handling: z.optional(CaseHandlingSchema),
  directions: z.array(HeadDirectionSchema),
  refusal: z.optional(CaseRefusalSchema),
  /** When the result of settlement came (register column 11). */
  settledAt: z.optional(z.string()),
  /** Register column 11 and 12. */
  followUp: z.optional(z.string()),
  notes: z.optional(z.string()),
  openedAt: z.string(),
  openedBy: z.string(),
  closedAt: z.optional(z.string()),
  updatedAt: z.string(),
  events: z.array(CaseEventSchema),
});
export type ReceptionCase = z.infer<typeof ReceptionCaseSchema>;

/** The desk's steps answer the case, and every case a split made (the first is `case`). */
export const CaseResponseSchema = z.object({ case: ReceptionCaseSchema, cases: z.optional(z.array(ReceptionCaseSchema)) });
export type CaseResponse = z.infer<typeof CaseResponseSchema>;

/**
 * What the citizen is told of their case's result, in their room view and on the public lookup (issue 10: the
 * outcome and a refusal's reason reach the citizen in the product, not only by e-mail or SMS). No officer's
 * name, no content text: only the decision, as the notices carry it.
 */
export const CitizenCaseOutcomeSchema = z.object({
  state: z.enum(CASE_STATES),
  kind: z.enum(MATTER_KINDS),
  /** "12/2026": the register line, for the citizen to quote. */
  register: z.string(),
  receipt: z.optional(z.object({ code: z.string(), items: z.array(ReceiptItemViewSchema), at: z.string() })),
  handling: z.optional(
    z.object({
      outcome: z.enum(CASE_OUTCOMES),
      agency: z.optional(z.string()),
      documentNumber: z.optional(z.string()),
      answer,
      at: z.string(),
    }),
  ),
  refusal: z.optional(
    z.object({
      ground: z.enum(REFUSAL_GROUNDS),
      reason: z.string(),
      at: z.string(),
      /** Ground cl.3: the head's written notice (the citizen downloads it from their room view). */
      notice: z.optional(z.object({ code: z.string(), settled })),
    }),
  ),
  closedAt: z.optional(z.string()),
});
export type CitizenCaseOutcome = z.infer<typeof CitizenCaseOutcomeSchema>;

/**
 * What the citizen's room view shows: the content to confirm (absent until the officer writes it, and on a case
 * refused before any content), the receipt, and the result once there is one.
 */
export const PendingConfirmationSchema = z.object({
  caseId: z.string(),
  version: z.optional(z.number()),
  text: z.optional(z.string()),
  sha256: z.optional(z.string()),
  confirmed: z.boolean(),
  receipt: z.optional(z.object({ code: z.string(), items: z.array(ReceiptItemViewSchema) })),
  /** The case's state and result (CitizenCaseOutcome). */
  outcome: CitizenCaseOutcomeSchema,
});
export type PendingConfirmation = z.infer<typeof PendingConfirmationSchema>;

/** GET /desk/confirmation: null when there is nothing to confirm. */
export const ConfirmationPendingResponseSchema = z.object({ pending: z.nullable(PendingConfirmationSchema) });
