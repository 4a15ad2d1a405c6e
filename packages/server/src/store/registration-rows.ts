/**
 * The registration tables' rows as both engines return them (SQLite and PostgreSQL share the schema's column
 * names), and their one mapping to the store interface's types. Each engine runs its own SQL; what a row means
 * is written once, here.
 */
import type { AnswerOutcome, MatterKind, Registration, RegistrationState, StoredAttachment } from '@tiepdan/core';
import type { HistoryRow, RegistrationRow, SummaryRow } from './store.js';

export interface RegistrationRecordRow {
  id: number;
  reference: string;
  client_id: string;
  content_hash: string;
  unit: string;
  kind: string;
  state: string;
  phone_hash: string;
  display_name: string;
  summary: string;
  group_size: number;
  data: string;
  sealed: Buffer | null;
  received_at: string;
  updated_at: string;
  submit_booking: string | null;
}

export interface SummaryRecordRow extends Omit<RegistrationRecordRow, 'data' | 'content_hash' | 'phone_hash' | 'submit_booking'> {
  attachment_count: number;
}

export interface HistoryRecordRow {
  state: string;
  at: string;
  by: string | null;
  reason: string | null;
  outcome: string | null;
  public_note: string | null;
}

function historyOf(h: HistoryRecordRow): HistoryRow {
  const entry: HistoryRow = { state: h.state as RegistrationState, at: h.at };
  if (h.by !== null) entry.by = h.by;
  if (h.reason !== null) entry.reason = h.reason;
  if (h.outcome !== null) entry.outcome = h.outcome as AnswerOutcome;
  if (h.public_note !== null) entry.publicNote = h.public_note;
  return entry;
}

export function registrationOf(r: RegistrationRecordRow, attachments: StoredAttachment[], history: HistoryRecordRow[]): RegistrationRow {
  return {
    reference: r.reference,
    clientId: r.client_id,
    contentHash: r.content_hash,
    unit: r.unit,
    kind: r.kind as MatterKind,
    state: r.state as RegistrationState,
    phoneHash: r.phone_hash,
    displayName: r.display_name,
    summary: r.summary,
    groupSize: r.group_size,
    registration: JSON.parse(r.data) as Registration,
    sealed: r.sealed ?? undefined,
    receivedAt: r.received_at,
    updatedAt: r.updated_at,
    attachments: attachments.map((a) => ({ ...a })),
    history: history.map(historyOf),
    ...(r.submit_booking ? { booking: JSON.parse(r.submit_booking) as RegistrationRow['booking'] } : {}),
  };
}

/** A page of the list from `limit + 1` rows: the extra one tells whether there is a next page without a COUNT. */
export function summaryPage(found: SummaryRecordRow[], limit: number): { rows: SummaryRow[]; nextBefore?: string } {
  const rows = found.slice(0, limit).map((r): SummaryRow => ({
    cursor: String(r.id),
    reference: r.reference,
    clientId: r.client_id,
    unit: r.unit,
    kind: r.kind as MatterKind,
    state: r.state as RegistrationState,
    receivedAt: r.received_at,
    updatedAt: r.updated_at,
    displayName: r.display_name,
    summary: r.summary,
    groupSize: r.group_size,
    attachmentCount: r.attachment_count,
    sealed: r.sealed ?? undefined,
  }));
  const last = rows.at(-1);
  return found.length > limit && last ? { rows, nextBefore: last.cursor } : { rows };
}
