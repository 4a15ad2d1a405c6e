/**
 * The reception desk's actions on a case (Circular 04/2021/TT-TTCP steps, SPEC §2 step 4 and 5). Each action:
 * the role was checked by the route's guard; here the unit (the case's, against the caller's token), the state
 * (an open case only, and the step's own preconditions), then one store transaction writes the case, its numbers
 * and its hash-chained audit entry. Every step is stamped with who, when and the offset into the session's
 * recording; the case marks go into the recording's timeline for the manifest (recording/manifest/case-marks.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  fieldError,
  normalizeReference,
  type CaseContentInput,
  type CitizenCaseOutcome,
  type CaseMarkKind,
  type ConfirmInput,
  type CloseInput,
  type DirectionInput,
  type FollowUpInput,
  type RegisterEntryInput,
  type HandlingInput,
  type HelperCheckInput,
  type IdentityCheckInput,
  type OpenCaseInput,
  type PendingConfirmation,
  type ReceiptInput,
  type ReceptionCase,
  type RefusalInput,
  type RefusalNoticeInput,
  type SplitInput,
  type StepStamp,
  type OfficialSession,
  type TokenClaims,
} from '@tiepdan/core';
import { assertUnit } from '../auth/guard.js';
import type { UnitConfig } from '../config/schema.js';
import { ApiError } from '../http/api-error.js';
import { addCaseMark, recordingStampFor, type RecordingStamp } from '../recording/manifest/case-marks.js';
import type { RecordingHandle } from '../recording/plugin.js';
import { recordView } from '../registrations/views.js';
import { canonicalJson } from '../rooms/audit.js';
import type { JoinClaims } from '../rooms/join-tokens.js';
import type { NoticeAttachment } from '../schedule/notices/sender.js';
import type { CaseNotice, CaseRow, NextNumber } from '../store/case-store.js';
import type { PendingNotice } from '../store/schedule-store.js';
import type { Store } from '../store/store.js';
import { outcomeNotice, receiptNotice, type NoticeFacts } from './notices.js';
import { paperFileName, renderPaper } from './papers/render.js';
import { citizenOutcome } from './citizen.js';
import { fromStored, toStored } from './privacy.js';

export interface DeskDeps {
  store: Store;
  sealKey: Buffer;
  units: UnitConfig[];
  /** The recording capability, looked up lazily (another plugin scope registers it). */
  recording: () => RecordingHandle | undefined;
  /** The schedule's notice dispatcher, asked for a run once a step has queued a notice to the citizen. */
  notices?: () => { kick(): void } | undefined;
  /** The ward site's lookup page, linked from those notices (config `notices.lookupPage`). */
  lookupPage?: string | undefined;
  /**
   * Told after each committed step on a case (rooms/plugin.ts turns it into the room's `case.updated` event), so
   * the desk and the citizen's view read the case again without anyone pressing "Tải lại" and without polling.
   */
  onChanged?: (c: ReceptionCase, step: string) => void;
  now?: () => number;
}

/** Builds the notice a step sends the citizen (desk/notices.ts), from the changed case. */
type Notify = (c: ReceptionCase, session: OfficialSession, facts: NoticeFacts) => CaseNotice;

/** Who acts: an official with a token, or a citizen with their join token (the confirmation only). */
type Actor = { kind: 'official'; claims: TokenClaims } | { kind: 'citizen'; claims: JoinClaims };

export const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/** The calendar year in Vietnam: a case opened at 23:30 UTC on 31 December belongs to the next year's book. */
export function hanoiYear(at: string): number {
  return new Date(Date.parse(at) + 7 * 3_600_000).getUTCFullYear();
}

const invalidState = (path = 'state'): never => {
  throw new ApiError(409, 'invalid_transition', [fieldError(path, 'invalid')]);
};

/** What one decision did: the marks it leaves in the recording. */
interface Effect {
  marks?: CaseMarkKind[];
  action: string;
  detail?: Record<string, unknown>;
}

export class Desk {
  private readonly now: () => number;

  constructor(private readonly deps: DeskDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Who did a step and when, with where in the session's recording it happened (`rec`, read before the step). */
  private stamp(actor: Actor, at: string, rec: RecordingStamp | undefined): StepStamp {
    const by = actor.kind === 'official' ? actor.claims.sub : `citizen:${actor.claims.reference}`;
    return rec ? { by, at, recordingMs: rec.recordingMs, recordingId: rec.recordingId } : { by, at };
  }

  private auditOf(actor: Actor, c: ReceptionCase, at: string, effect: Effect) {
    return {
      sessionId: c.sessionId ?? `desk:${c.unit}`,
      at,
      actor: actor.kind === 'official' ? `official:${actor.claims.sub}` : `citizen:${actor.claims.reference}`,
      role: actor.kind === 'official' ? actor.claims.role : 'citizen',
      action: `desk.${effect.action}`,
      target: `case:${c.id}`,
      detail: { registerYear: c.registerYear, registerNumber: c.registerNumber, ...effect.detail },
    };
  }

  private async markAll(c: ReceptionCase, marks: CaseMarkKind[] | undefined, at: string): Promise<void> {
    for (const mark of marks ?? []) {
      // One hash per mark: the paper that step produced.
      const sha256 =
        mark === 'confirmed' ? c.confirmation?.sha256
        : mark === 'receipt' ? c.receipt?.sha256
        : mark === 'outcome' ? c.refusal?.notice?.sha256
        : undefined;
      const reference = `${c.unit}/${c.registerYear}/${c.registerNumber}`;
      await addCaseMark(this.deps.recording(), c.sessionId, { caseId: c.id, mark, matterKind: c.kind, reference, sha256: sha256 ?? null }, at);
    }
  }

  // ------------------------------------------------------------------------------------------ reading

  async load(id: string): Promise<CaseRow> {
    const row = await this.deps.store.cases.get(id);
    if (!row) throw new ApiError(404, 'not_found');
    return row;
  }

  async get(official: TokenClaims, id: string): Promise<CaseRow> {
    const row = await this.load(id);
    assertUnit(official, row.case.unit);
    return row;
  }

  /**
   * The case the citizen's room view shows: the open case of their registration in their session (the content
   * to confirm, the receipt), or once none is open the last one decided, with its result (accepted, returned,
   * transferred, or refused and why), so the citizen sees the outcome in the room and not only by e-mail or SMS.
   */
  async pendingFor(claims: JoinClaims): Promise<PendingConfirmation | undefined> {
    const row = (await this.deps.store.cases.findOpen(claims.reference, claims.sessionId)) ?? (await this.deps.store.cases.list({ registrationReference: claims.reference, sessionId: claims.sessionId }, 100)).at(-1);
    if (!row) return undefined;
    const c = fromStored(row, this.deps.sealKey);
    if (!c.content && !c.handling && !c.refusal) return undefined;
    const out: PendingConfirmation = {
      caseId: c.id,
      confirmed: c.content !== undefined && c.confirmation?.version === c.content.version,
      outcome: citizenOutcome(c),
    };
    if (c.content) Object.assign(out, { version: c.content.version, text: c.content.text, sha256: c.content.sha256 });
    if (c.receipt) out.receipt = { code: c.receipt.code, items: c.receipt.items };
    return out;
  }

  /** Every case of a registration with its result, for the public lookup (reference code and phone already checked). */
  async outcomesOf(reference: string): Promise<CitizenCaseOutcome[]> {
    const rows = await this.deps.store.cases.list({ registrationReference: reference }, 100);
    return rows.map((row) => citizenOutcome(fromStored(row, this.deps.sealKey)));
  }

  /** The paper a notice carries by e-mail (the receipt, the written refusal notice) as PDF, rendered when sending. */
  async noticeAttachments(notice: PendingNotice): Promise<NoticeAttachment[]> {
    const paper = notice.body.paper;
    const row = paper && (await this.deps.store.cases.get(paper.caseId));
    if (!paper || !row) return [];
    const c = fromStored(row, this.deps.sealKey);
    const content = await renderPaper(paper.kind, c, this.deps.units, this.deps.recording(), 'pdf');
    return content ? [{ filename: paperFileName(paper.kind, c, 'pdf'), contentType: 'application/pdf', content }] : [];
  }

  // ------------------------------------------------------------------------------------------ opening

  /** Opens a case from a registration (idempotent: the open case of the same registration and session is returned) or for a walk-in. */
  async open(official: TokenClaims, input: OpenCaseInput & { unit?: string | undefined }, options: { origin?: 'in_person'; openedAt?: string } = {}): Promise<{ row: CaseRow; created: boolean }> {
    const at = new Date(this.now()).toISOString();
    const openedAt = options.openedAt ?? at;
    let base: Omit<ReceptionCase, 'id' | 'registerNumber' | 'registerYear' | 'openedAt' | 'openedBy' | 'updatedAt' | 'events' | 'state'>;
    if (input.registration !== undefined) {
      const reference = normalizeReference(input.registration);
      const reg = reference ? await this.deps.store.findByReference(reference) : undefined;
      if (!reg) throw new ApiError(422, 'validation_failed', [fieldError('registration', 'reference')]);
      assertUnit(official, reg.unit);
      const existing = await this.deps.store.cases.findOpen(reg.reference, input.sessionId);
      if (existing) return { row: existing, created: false };
      // The desk works on the full registration; what leaves the desk is redacted per viewer (desk/privacy.ts).
      const full = recordView(reg, { sub: 'desk', role: 'chair', unit: reg.unit }, this.deps.sealKey).registration;
      const unit = this.deps.units.find((u) => u.code === reg.unit);
      const commune = unit?.communes.find((m) => m.code === full.address.communeCode)?.name;
      const address = [full.address.detail, commune].filter(Boolean).join(', ');
      base = {
        unit: reg.unit,
        origin: 'registration',
        kind: reg.kind,
        registrationReference: reg.reference,
        citizen: {
          fullName: full.identity.fullName,
          ...(address ? { address } : {}),
          ...(full.identity.idType ? { idType: full.identity.idType } : {}),
          ...(full.identity.idNumber ? { idNumber: full.identity.idNumber } : {}),
          ...(full.identity.idPaperName ? { idPaperName: full.identity.idPaperName } : {}),
          ...(full.contact.phone ? { phone: full.contact.phone } : {}),
        },
        groupSize: full.group?.size ?? 1,
        previousHandling: (full.content.previousHandling ?? []).map((p) => [p.agency, p.documentNumber].filter(Boolean).join(', số ')),
        summary: input.summary ?? full.content.summary,
        helpers: [],
        directions: [],
      };
    } else {
      const errors = [];
      if (!input.kind) errors.push(fieldError('kind', 'kind'));
      if (!input.citizen) errors.push(fieldError('citizen.fullName', 'full_name'));
      if (!input.summary?.trim()) errors.push(fieldError('summary', 'content'));
      const unit = input.unit ?? (official.unit === '*' ? undefined : official.unit);
      if (!unit || !this.deps.units.some((u) => u.code === unit)) errors.push(fieldError('unit', 'invalid'));
      if (errors.length) throw new ApiError(422, 'validation_failed', errors);
      assertUnit(official, unit!);
      base = {
        unit: unit!,
        origin: options.origin ?? 'walk_in',
        kind: input.kind!,
        citizen: input.citizen!,
        groupSize: input.groupSize ?? 1,
        previousHandling: input.previousHandling ?? [],
        summary: input.summary!,
        helpers: [],
        directions: [],
      };
    }
    if (input.pointId !== undefined) {
      const unit = this.deps.units.find((u) => u.code === base.unit);
      if (!unit?.connectionPoints.some((p) => p.id === input.pointId)) throw new ApiError(422, 'validation_failed', [fieldError('pointId', 'connection_point')]);
    }
    const actor: Actor = { kind: 'official', claims: official };
    const [row] = await this.deps.store.cases.create((next) => {
      // The register's line is numbered in the year of the reception, also for one entered later by hand.
      const year = hanoiYear(openedAt);
      const c: ReceptionCase = {
        ...base,
        id: randomUUID(),
        state: 'open',
        registerYear: year,
        registerNumber: next('register', base.unit, year),
        ...(input.sessionId ? { sessionId: input.sessionId } : {}),
        ...(input.pointId ? { pointId: input.pointId } : {}),
        openedAt,
        openedBy: official.sub,
        updatedAt: at,
        events: [{ at, by: official.sub, action: 'opened' }],
      };
      return { rows: [toStored(c, this.deps.sealKey, 1)], audit: this.auditOf(actor, c, at, { action: 'open', detail: { origin: c.origin, kind: c.kind } }) };
    });
    await this.markAll(fromStored(row!, this.deps.sealKey), ['opened'], at);
    return { row: row!, created: true };
  }

  /**
   * The room's admission of a citizen (rooms/desk.ts): the case of their registration in this session. The room
   * has already checked that the official may manage this session's lobby; the unit is the registration's own.
   */
  async openForAdmission(sessionId: string, reference: string, by: { sub: string; role: TokenClaims['role']; name?: string | undefined }): Promise<CaseRow | undefined> {
    const reg = await this.deps.store.findByReference(reference);
    if (!reg) return undefined;
    const claims: TokenClaims = { sub: by.sub, role: by.role, unit: reg.unit, ...(by.name ? { name: by.name } : {}) };
    return (await this.open(claims, { registration: reg.reference, sessionId })).row;
  }

  /** Enters an in-person reception in the register by hand: a case opened (on its day) and closed at once. */
  async enterInPerson(official: TokenClaims, input: RegisterEntryInput): Promise<CaseRow> {
    const { handling, followUp, notes, receivedOn, ...open } = input;
    // Noon in Vietnam: the day stays the same whatever zone reads it.
    const openedAt = new Date(`${receivedOn}T12:00:00+07:00`).toISOString();
    const { row } = await this.open(official, open, { origin: 'in_person', openedAt });
    const rows = await this.change({ kind: 'official', claims: official }, row.case.id, (c, _next, s) => {
      // The decision was taken at the reception itself, on its day.
      if (handling) c.handling = { ...s, at: openedAt, outcome: handling.outcome, ...(handling.agency ? { agency: handling.agency } : {}), ...(handling.documentNumber ? { documentNumber: handling.documentNumber } : {}), answer: handling.answer };
      c.state = 'closed';
      c.closedAt = s.at;
      if (followUp) c.followUp = followUp;
      if (notes) c.notes = notes;
      return { action: 'register.enter' };
    });
    return rows[0]!;
  }

  /** Register column 11: the result of settlement as it comes, on an open or closed case. */
  followUp(official: TokenClaims, id: string, input: FollowUpInput): Promise<CaseRow[]> {
    return this.change({ kind: 'official', claims: official }, id, (c) => {
      c.followUp = input.followUp;
      if (input.settledOn) c.settledAt = new Date(`${input.settledOn}T12:00:00+07:00`).toISOString();
      return { action: 'register.follow_up', detail: { settled: Boolean(input.settledOn) } };
    }, { allowClosed: true });
  }

  // ------------------------------------------------------------------------------------------ steps

  /**
   * The one way a case changes: load, check the unit and that it is open, apply `apply` to the full case inside
   * the store's transaction, write it back with the audit entry, then leave the marks in the recording.
   */
  private async change(actor: Actor, id: string, apply: (c: ReceptionCase, next: NextNumber, stamp: StepStamp) => Effect, options: { allowClosed?: boolean; notify?: Notify } = {}): Promise<CaseRow[]> {
    const at = new Date(this.now()).toISOString();
    let effect: Effect | undefined;
    let changed: ReceptionCase | undefined;
    // A step the citizen is told of needs the session (the outbox's notices belong to a scheduled session): read
    // before the transaction. A walk-in, or a case of an ad-hoc room, has none: the paper is handed over in the room.
    let session: OfficialSession | undefined;
    // Where in the session's recording the step happens, read before the transaction too (the store's
    // callback is synchronous). A case does not change its session, so the one read here is the case's.
    const before = await this.deps.store.cases.get(id);
    const sessionId = before?.case.sessionId;
    const recording = await recordingStampFor(this.deps.recording(), sessionId, at);
    if (options.notify && sessionId && before?.case.registrationReference) session = await this.deps.store.schedule.getSession(sessionId);
    let notice: CaseNotice | undefined;
    const rows = await this.deps.store.cases.update(id, (current, next) => {
      const c = structuredClone(fromStored(current, this.deps.sealKey));
      if (actor.kind === 'official') assertUnit(actor.claims, c.unit);
      if (c.state !== 'open' && !(options.allowClosed && c.state === 'closed')) invalidState();
      const s = this.stamp(actor, at, c.sessionId === sessionId ? recording : undefined);
      effect = apply(c, next, s);
      c.updatedAt = at;
      c.events.push({ at, by: s.by, action: effect.action });
      changed = c;
      const extra = (effect.detail?.['newCases'] as ReceptionCase[] | undefined) ?? [];
      const unitName = this.deps.units.find((u) => u.code === c.unit)?.name ?? c.unit;
      notice = session && c.registrationReference && options.notify ? options.notify(c, session, { unitName, lookupPage: this.deps.lookupPage, at }) : undefined;
      return {
        rows: [toStored(c, this.deps.sealKey, current.revision), ...extra.map((n) => toStored(n, this.deps.sealKey, 1))],
        audit: this.auditOf(actor, c, at, { ...effect, detail: { ...effect.detail, newCases: extra.map((n) => n.id), ...(notice ? { notice: notice.change } : {}) } }),
        notice,
      };
    });
    if (!rows) throw new ApiError(404, 'not_found');
    await this.markAll(changed!, effect!.marks, at);
    if (notice) this.deps.notices?.()?.kick();
    this.deps.onChanged?.(changed!, effect!.action);
    return rows;
  }

  identity(official: TokenClaims, id: string, input: IdentityCheckInput): Promise<CaseRow[]> {
    return this.change({ kind: 'official', claims: official }, id, (c, _n, s) => {
      c.identity = { ...s, verified: input.verified, ...(input.differences ? { differences: input.differences } : {}), ...(input.idType ? { idType: input.idType } : {}), ...(input.idNumber ? { idNumber: input.idNumber } : {}) };
      return { action: 'identity', detail: { verified: input.verified } };
    });
  }

  helper(official: TokenClaims, id: string, input: HelperCheckInput): Promise<CaseRow[]> {
    return this.change({ kind: 'official', claims: official }, id, (c, _n, s) => {
      const document = { kind: input.document.kind, ...(input.document.number ? { number: input.document.number } : {}) };
      c.helpers.push({ ...s, role: input.role, fullName: input.fullName, document, verified: input.verified, ...(input.differences ? { differences: input.differences } : {}) });
      return { action: 'helper', detail: { role: input.role, verified: input.verified, position: c.helpers.length } };
    });
  }

  /** Writes or edits the content; an edit after a confirmation needs a new one. */
  content(official: TokenClaims, id: string, input: CaseContentInput): Promise<CaseRow[]> {
    return this.change({ kind: 'official', claims: official }, id, (c, _n, s) => {
      const version = (c.content?.version ?? 0) + 1;
      const sha256 = sha256Hex(input.text);
      c.content = { ...s, version, text: input.text, sha256 };
      const superseded = c.confirmation?.sha256;
      delete c.confirmation;
      return { action: 'content', detail: { version, sha256, ...(superseded ? { supersedes: superseded } : {}) } };
    });
  }

  private confirmInto(c: ReceptionCase, s: StepStamp, input: ConfirmInput, mode: 'screen' | 'aloud'): Effect {
    if (!c.content) invalidState('content');
    const content = c.content!;
    if (input.version !== content.version || input.sha256 !== content.sha256) throw new ApiError(422, 'validation_failed', [fieldError('version', 'content_version')]);
    const stamp = mode === 'aloud' && input.recordingMs !== undefined ? { ...s, recordingMs: input.recordingMs } : s;
    c.confirmation = { ...stamp, mode, version: content.version, sha256: content.sha256, text: content.text };
    return { action: `confirm.${mode}`, marks: ['confirmed'], detail: { version: content.version, sha256: content.sha256 } };
  }

  /** The citizen confirms in their own room view, with their join token: only their own case in their session. */
  async confirmByCitizen(claims: JoinClaims, id: string, input: ConfirmInput): Promise<CaseRow[]> {
    const row = await this.load(id);
    if (row.case.registrationReference !== claims.reference || row.case.sessionId !== claims.sessionId) throw new ApiError(403, 'forbidden');
    return this.change({ kind: 'citizen', claims }, id, (c, _n, s) => this.confirmInto(c, s, { version: input.version, sha256: input.sha256 }, 'screen'));
  }

  /** A citizen who cannot use the screen confirms aloud; the clerk marks it (at the recording time given, or now). */
  confirmAloud(official: TokenClaims, id: string, input: ConfirmInput): Promise<CaseRow[]> {
    return this.change({ kind: 'official', claims: official }, id, (c, _n, s) => this.confirmInto(c, s, input, 'aloud'));
  }

  /** Form 02: documents and evidence received, numbered per unit and year. One receipt per case. */
  receipt(official: TokenClaims, id: string, input: ReceiptInput): Promise<CaseRow[]> {
    return this.change({ kind: 'official', claims: official }, id, (c, next, s) => {
      if (c.receipt) invalidState('receipt');
      const year = hanoiYear(s.at);
      const number = next('receipt', c.unit, year);
      const code = `${number}/GBN-TCD`;
      const items = input.items.map((item) => ({ name: item.name, pages: item.pages, form: item.form, ...(item.condition ? { condition: item.condition } : {}) }));
      const receivedBy = official.name ?? official.sub;
      const sha256 = sha256Hex(canonicalJson({ caseId: c.id, code, year, items, receivedBy, at: s.at }));
      c.receipt = { ...s, number, year, code, items, receivedBy, sha256 };
      return { action: 'receipt', marks: ['receipt'], detail: { code, sha256, items: items.length } };
    }, { notify: receiptNotice });
  }

  /** Step 5: accept for settlement, return and guide, or transfer; and whether the answer was given at once. */
  handling(official: TokenClaims, id: string, input: HandlingInput): Promise<CaseRow[]> {
    return this.change({ kind: 'official', claims: official }, id, (c, _n, s) => {
      if (!c.confirmation) invalidState('confirmation');
      if (c.handling) invalidState('handling');
      const answer = { mode: input.answer.mode, ...(input.answer.text ? { text: input.answer.text } : {}), ...(input.answer.due ? { due: input.answer.due } : {}) };
      c.handling = { ...s, outcome: input.outcome, ...(input.agency ? { agency: input.agency } : {}), ...(input.documentNumber ? { documentNumber: input.documentNumber } : {}), answer };
      return { action: 'handling', marks: ['outcome'], detail: { outcome: input.outcome } };
    }, { notify: outcomeNotice });
  }

  /** The head's direction (to whom, what, by when). Chair only (route guard `desk.head`). */
  direction(official: TokenClaims, id: string, input: DirectionInput): Promise<CaseRow[]> {
    return this.change({ kind: 'official', claims: official }, id, (c, _n, s) => {
      c.directions.push({ ...s, to: input.to, what: input.what, deadline: input.deadline });
      return { action: 'direction', detail: { to: input.to, deadline: input.deadline } };
    }, { allowClosed: true });
  }

  /** A petition mixing kinds becomes one case per kind: this case keeps the first part, the others are new cases. */
  split(official: TokenClaims, id: string, input: SplitInput): Promise<CaseRow[]> {
    return this.change({ kind: 'official', claims: official }, id, (c, next, s) => {
      if (c.handling || c.receipt) invalidState('handling');
      const [first, ...others] = input.parts;
      c.kind = first!.kind;
      c.summary = first!.summary;
      const newCases = others.map((part): ReceptionCase => ({
        ...structuredClone(c),
        id: randomUUID(),
        kind: part.kind,
        summary: part.summary,
        splitFrom: c.id,
        registerYear: hanoiYear(s.at),
        registerNumber: next('register', c.unit, hanoiYear(s.at)),
        openedAt: s.at,
        openedBy: s.by,
        updatedAt: s.at,
        helpers: structuredClone(c.helpers),
        directions: [],
        events: [{ at: s.at, by: s.by, action: `split from ${c.registerNumber}` }],
      }));
      for (const n of newCases) {
        delete n.content;
        delete n.confirmation;
      }
      return { action: 'split', detail: { kinds: input.parts.map((p) => p.kind), newCases } };
    });
  }

  /** Art. 9 cl.1–2: the officer explains, the reason is shown to the citizen and reported to the head. */
  refuse(official: TokenClaims, id: string, input: RefusalInput): Promise<CaseRow[]> {
    return this.change({ kind: 'official', claims: official }, id, (c, _n, s) => {
      c.refusal = { ...s, ground: input.ground, reason: input.reason, reportedToHead: true };
      c.state = 'refused';
      c.closedAt = s.at;
      return { action: 'refuse', marks: ['outcome', 'closed'], detail: { ground: input.ground } };
    }, { notify: outcomeNotice });
  }

  /** Art. 9 cl.3: the head's written refusal notice, numbered per unit and year. Chair only (route guard `desk.head`). */
  refusalNotice(official: TokenClaims, id: string, input: RefusalNoticeInput): Promise<CaseRow[]> {
    return this.change({ kind: 'official', claims: official }, id, (c, next, s) => {
      const year = hanoiYear(s.at);
      const number = next('refusal', c.unit, year);
      const code = `${number}/TB-UBND`;
      const signer = official.name ?? official.sub;
      const sha256 = sha256Hex(canonicalJson({ caseId: c.id, code, year, reason: input.reason, settled: input.settled, signer, at: s.at }));
      c.refusal = { ...s, ground: 'art9_cl3', reason: input.reason, reportedToHead: true, notice: { ...s, number, year, code, settled: input.settled, signer, sha256 } };
      c.state = 'refused';
      c.closedAt = s.at;
      return { action: 'refusal.notice', marks: ['outcome', 'closed'], detail: { code, sha256 } };
    }, { notify: outcomeNotice });
  }

  /** Files the case in the register: needs its handling. */
  close(official: TokenClaims, id: string, input: CloseInput): Promise<CaseRow[]> {
    return this.change({ kind: 'official', claims: official }, id, (c, _n, s) => {
      if (!c.handling) invalidState('handling');
      c.state = 'closed';
      c.closedAt = s.at;
      if (input.followUp) c.followUp = input.followUp;
      if (input.notes) c.notes = input.notes;
      return { action: 'close', marks: ['closed'] };
    });
  }
}
