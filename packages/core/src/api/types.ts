/**
 * The HTTP API's request and response bodies (version 1, under `/api/v1`). Server routes and the typed client
 * both use these types, so a change to the contract fails the type check on both sides.
 *
 * POST /api/v1/registrations              citizen submits (Idempotency-Key: the draft's client id, a UUID v7)
 *      multipart/form-data: field "registration" (JSON), then one file part per attachment, named by its id
 *      or application/json when there are no attachments
 *      201 SubmitResponse (same body on an identical replay, with header Idempotent-Replayed: true)
 *      409 idempotency_conflict, 400/413/415/422 with the error shape
 * POST /api/v1/lookup                     citizen looks up state: LookupRequest → LookupResponse (rate-limited)
 * GET  /api/v1/meta?unit=…                public config: MetaResponse
 * GET  /api/v1/registrations?kind=&state=&limit=&before=   officials: ScreeningPage
 * GET  /api/v1/registrations/:reference   officials: RegistrationRecord
 * POST /api/v1/registrations/:reference/transitions        officials: TransitionRequest → RegistrationRecord
 * GET  /api/v1/registrations/:reference/attachments/:id     officials: the file
 */
import type { AnswerOutcome, RegistrationState } from '../registration/states.js';
import type { Registration } from '../registration/schema.js';
import type { MatterKind } from '../registration/choices.js';
import type { OfficialRole } from '../auth/roles.js';
import type { BookingView, InvitationAttendance } from './schedule-types.js';

export type { HistoryEntry, LookupResponse, RegistrationRecord, RegistrationSummary, ScreeningPage, StoredAttachment, SubmitResponse } from './registration-views.js';
export type { CommuneOption, MetaResponse } from './meta-views.js';
import type { HistoryEntry } from './registration-views.js';

export interface LookupRequest {
  reference: string;
  phone: string;
}

export interface OfficialHistoryEntry extends HistoryEntry {
  by?: string;
  reason?: string;
  outcome?: AnswerOutcome;
}

export interface TransitionRequest {
  to: RegistrationState;
  /** Why, for the file (internal). Required. */
  reason: string;
  /** Required when `to` is "answered". */
  outcome?: AnswerOutcome;
  /** Optional text the citizen sees in the lookup. */
  publicNote?: string;
}

export interface TokenClaims {
  sub: string;
  role: OfficialRole;
  unit: string;
  name?: string;
  /** The sign-in session a token was issued for; the server refuses it once that session ends. CLI tokens have none. */
  sid?: string;
}
