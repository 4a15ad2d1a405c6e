/**
 * Stored rows → the API's response bodies (core/api/types.ts). The one place that decides what a caller sees
 * of a denouncer: sealed data is opened only for a role with `registrations.readDenouncer`.
 */
import {
  STATE_NEXT,
  can,
  type HistoryEntry,
  type LookupResponse,
  type OfficialHistoryEntry,
  type RegistrationRecord,
  type RegistrationSummary,
  type SubmitResponse,
  type TokenClaims,
} from '@tiepdan/core';
import { joinDenouncer, withAttachmentNames, type DenouncerData } from '../privacy/denouncer.js';
import { open } from '../privacy/seal.js';
import type { HistoryRow, RegistrationRow, SummaryRow } from '../store/store.js';

/**
 * The body of a 201 and of every replay of it: built only from what was stored, so replays are identical.
 * Every object is built key by key in SubmitResponseSchema's order, with no other key: the route sends it with
 * JSON.stringify instead of zod's encode (registrations/plugin.ts), which would only copy it again; the bytes
 * are the same (intake.test.ts checks them against the schema's serializer).
 */
export function submitResponse(row: RegistrationRow): SubmitResponse {
  const booking = row.booking;
  return {
    reference: row.reference,
    clientId: row.clientId,
    state: 'received',
    receivedAt: row.receivedAt,
    attachments: row.attachments.map((a) => ({ id: a.id, name: a.name, type: a.type, size: a.size, sha256: a.sha256, purpose: a.purpose })),
    next: STATE_NEXT.received,
    ...(booking ? { booking: { sessionId: booking.sessionId, status: booking.status, ...(booking.startsAt !== undefined ? { startsAt: booking.startsAt } : {}), ...(booking.endsAt !== undefined ? { endsAt: booking.endsAt } : {}) } } : {}),
  };
}

function publicHistory(entry: HistoryRow): HistoryEntry {
  // Officials write the note in Vietnamese; the citizen's page shows it as written in either language.
  return entry.publicNote ? { state: entry.state, at: entry.at, note: { vi: entry.publicNote, en: entry.publicNote } } : { state: entry.state, at: entry.at };
}

export function lookupResponse(row: RegistrationRow): LookupResponse {
  return {
    reference: row.reference,
    kind: row.kind,
    state: row.state,
    receivedAt: row.receivedAt,
    history: row.history.map(publicHistory),
    next: STATE_NEXT[row.state],
  };
}

export function mayReadDenouncer(official: TokenClaims): boolean {
  return can(official.role, 'registrations.readDenouncer');
}

export function openDenouncer(sealKey: Buffer, sealed: Buffer, clientId: string): DenouncerData {
  return JSON.parse(open(sealKey, sealed, clientId)) as DenouncerData;
}

export function summaryView(row: SummaryRow, official: TokenClaims, sealKey: Buffer): RegistrationSummary {
  const displayName = row.sealed && mayReadDenouncer(official) ? openDenouncer(sealKey, row.sealed, row.clientId).identity.fullName : row.displayName;
  return {
    reference: row.reference,
    unit: row.unit,
    kind: row.kind,
    state: row.state,
    receivedAt: row.receivedAt,
    updatedAt: row.updatedAt,
    displayName,
    summary: row.summary,
    groupSize: row.groupSize,
    attachmentCount: row.attachmentCount,
  };
}

export function recordView(row: RegistrationRow, official: TokenClaims, sealKey: Buffer): RegistrationRecord {
  const reveal = Boolean(row.sealed) && mayReadDenouncer(official);
  const secret = reveal ? openDenouncer(sealKey, row.sealed!, row.clientId) : undefined;
  const registration = secret ? joinDenouncer(row.registration, secret) : row.registration;
  return {
    reference: row.reference,
    clientId: row.clientId,
    state: row.state,
    receivedAt: row.receivedAt,
    updatedAt: row.updatedAt,
    registration,
    redacted: Boolean(row.sealed) && !reveal,
    attachments: secret ? withAttachmentNames(row.attachments, secret) : row.attachments,
    history: row.history.map((h): OfficialHistoryEntry => {
      const entry: OfficialHistoryEntry = publicHistory(h);
      if (h.by !== undefined) entry.by = h.by;
      if (h.reason !== undefined) entry.reason = h.reason;
      if (h.outcome !== undefined) entry.outcome = h.outcome;
      return entry;
    }),
  };
}
