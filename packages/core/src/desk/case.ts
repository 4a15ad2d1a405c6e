/**
 * The reception case (vụ việc, `ReceptionCase`): one citizen's matter as received at the desk, following the
 * steps of Circular 04/2021/TT-TTCP (SPEC §2 step 4): identity and helpers checked, content recorded and
 * confirmed, documents received against a Form 02 receipt, classification and handling, or a refusal under
 * Art. 9 of the Law on Citizen Reception. The shapes here are what the server answers and the desk shows; the
 * request bodies are in desk/requests.ts.
 */
import type { MatterKind } from '../registration/choices.js';
import type { HelperRole } from '../registration/choices.js';
import type { IdType } from '../registration/identity.js';

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
export interface StepStamp {
  by: string;
  at: string;
  /** Milliseconds since the recording started; absent when the session was not being recorded. */
  recordingMs?: number;
  recordingId?: string;
}

export interface CaseCitizen {
  fullName: string;
  address?: string;
  idType?: IdType;
  idNumber?: string;
  idPaperName?: string;
  phone?: string;
}

export interface IdentityCheck extends StepStamp {
  verified: boolean;
  /** What differed from the registration (name, address, ID paper), in the clerk's words. */
  differences?: string;
  idType?: IdType;
  idNumber?: string;
}

/** A representative, authorised person, lawyer, legal-aid provider or interpreter, checked one by one. */
export interface HelperCheck extends StepStamp {
  role: HelperRole | 'representative';
  fullName: string;
  document: { kind: string; number?: string };
  verified: boolean;
  differences?: string;
}

export interface CaseContent extends StepStamp {
  /** Counts up with every edit; a confirmation names the version it confirms. */
  version: number;
  text: string;
  /** SHA-256 (hex) of the NFC text's UTF-8 bytes. */
  sha256: string;
}

export interface CaseConfirmation extends StepStamp {
  mode: ConfirmationMode;
  version: number;
  sha256: string;
  /** The text as confirmed, kept even when a later edit replaces the content. */
  text: string;
}

export interface ReceiptItem {
  name: string;
  /** Number of pages (documents) or pieces (evidence). */
  pages: number;
  form: DocumentForm;
  /** The state it was handed over in ("nguyên vẹn", "bản photo mờ"…). */
  condition?: string;
}

/** Form 02: numbered per unit and year. */
export interface CaseReceipt extends StepStamp {
  number: number;
  year: number;
  /** "02/2026/BN-dongthap.sadec": what the paper shows after "Số:". */
  code: string;
  items: ReceiptItem[];
  /** Officer who received (the signer). */
  receivedBy: string;
  /** SHA-256 of the receipt's canonical JSON: what the recording manifest carries. */
  sha256: string;
}

export interface HeadDirection extends StepStamp {
  to: string;
  what: string;
  /** yyyy-mm-dd. */
  deadline: string;
}

export interface CaseHandling extends StepStamp {
  outcome: CaseOutcome;
  /** Returned: the competent agency guided to; transferred: the agency it goes to. */
  agency?: string;
  /** Returned: the guidance document's number; transferred: the transfer document's number. */
  documentNumber?: string;
  answer: { mode: AnswerMode; text?: string; due?: string };
}

export interface CaseRefusal extends StepStamp {
  ground: RefusalGround;
  reason: string;
  /** cl.1–2: the officer explained, the reason was shown to the citizen and reported to the head. */
  reportedToHead: boolean;
  /** cl.3: the head's written notice. */
  notice?: RefusalNotice;
}

export interface RefusalNotice extends StepStamp {
  number: number;
  year: number;
  code: string;
  /** The document that settled the matter lawfully. */
  settled: { agency: string; document: string; number: string; date: string };
  /** The head who signs. */
  signer: string;
  sha256: string;
}

export interface CaseEvent {
  at: string;
  by: string;
  action: string;
}

export interface ReceptionCase {
  id: string;
  unit: string;
  state: CaseState;
  origin: CaseOrigin;
  kind: MatterKind;
  /** Line number in the unit's register for the year it was opened. */
  registerNumber: number;
  registerYear: number;
  sessionId?: string;
  pointId?: string;
  registrationReference?: string;
  /** The case it was split from (a petition mixing kinds becomes one case per kind). */
  splitFrom?: string;
  citizen: CaseCitizen;
  /** True when the citizen's identity was withheld from this caller (a denunciation, SPEC §3). */
  redacted?: boolean;
  groupSize: number;
  /** Agencies that already handled it (register column 7). */
  previousHandling: string[];
  summary: string;
  identity?: IdentityCheck;
  helpers: HelperCheck[];
  content?: CaseContent;
  confirmation?: CaseConfirmation;
  receipt?: CaseReceipt;
  handling?: CaseHandling;
  directions: HeadDirection[];
  refusal?: CaseRefusal;
  /** When the result of settlement came (register column 11). */
  settledAt?: string;
  /** Register column 11 and 12. */
  followUp?: string;
  notes?: string;
  openedAt: string;
  openedBy: string;
  closedAt?: string;
  updatedAt: string;
  events: CaseEvent[];
}

/**
 * What the citizen is told of their case's result, in their room view and on the public lookup (issue 10: the
 * outcome and a refusal's reason reach the citizen in the product, not only by e-mail or SMS). No officer's
 * name, no content text: only the decision, as the notices carry it.
 */
export interface CitizenCaseOutcome {
  state: CaseState;
  kind: MatterKind;
  /** "12/2026": the register line, for the citizen to quote. */
  register: string;
  receipt?: { code: string; items: ReceiptItem[]; at: string };
  handling?: {
    outcome: CaseOutcome;
    agency?: string;
    documentNumber?: string;
    answer: { mode: AnswerMode; text?: string; due?: string };
    at: string;
  };
  refusal?: {
    ground: RefusalGround;
    reason: string;
    at: string;
    /** Ground cl.3: the head's written notice (the citizen downloads it from their room view). */
    notice?: { code: string; settled: RefusalNotice['settled'] };
  };
  closedAt?: string;
}

/**
 * What the citizen's room view shows: the content to confirm (absent until the officer writes it, and on a case
 * refused before any content), the receipt, and the result once there is one.
 */
export interface PendingConfirmation {
  caseId: string;
  version?: number;
  text?: string;
  sha256?: string;
  confirmed: boolean;
  receipt?: { code: string; items: ReceiptItem[] };
  /** The case's state and result (CitizenCaseOutcome). */
  outcome: CitizenCaseOutcome;
}
