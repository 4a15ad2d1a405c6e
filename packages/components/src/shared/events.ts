/**
 * Our one event convention: names start with `tiepdan-`, events bubble and cross shadow roots (composed), and each
 * detail is typed here so `addEventListener('tiepdan-submitted', …)` is type-checked in the host page's code.
 */
import type { OfficialRole, ParticipantStatus, RoomRole } from '@tiepdan/core';
import type { LookupResponse, ReceptionSession, RegistrationState, SubmitResponse } from '@tiepdan/core';
import type { RecorderStatus, SaveStatus } from '@tiepdan/core/browser';

export interface TiepdanEventDetails {
  'tiepdan-step-change': { step: string; index: number };
  'tiepdan-draft-saved': { status: SaveStatus };
  'tiepdan-submit-queued': { clientId: string };
  'tiepdan-submitted': { clientId: string; response: SubmitResponse };
  'tiepdan-error': { code: string; message: string };
  'tiepdan-lookup': { response: LookupResponse };
  'tiepdan-transitioned': { reference: string; state: RegistrationState };
  'tiepdan-invited': { reference: string; sessionId: string; slotAt: string; channels: string[] };
  'tiepdan-session-select': { session: ReceptionSession };
  'tiepdan-series-published': { seriesId: string; sessions: number };
  'tiepdan-session-changed': { session: ReceptionSession };
  'tiepdan-joined': { participantId: string; role: RoomRole; status: ParticipantStatus };
  'tiepdan-admitted': { caseId: string | null };
  'tiepdan-left': { reason: 'bye' | 'denied' | 'ended' | 'failed' };
  'tiepdan-reconnecting': { state: 'reconnecting' | 'resumed' | 'rejoined' };
  'tiepdan-recorder-status': RecorderStatus;
  /** A new access token from <tiepdan-sign-in> ('' once signed out): set it on the officials' elements. */
  'tiepdan-token': { token: string; role: OfficialRole | undefined; unit: string | undefined; expiresAt: number };
  'tiepdan-signed-in': { username: string; displayName: string; method: 'password' | 'oidc' | 'device' };
  'tiepdan-signed-out': { reason: 'expired' | 'user' };
  /** The desk recorded a step of a case (`step`: the desk route, e.g. "identity", "receipt", "close"). */
  'tiepdan-case-changed': { caseId: string; state: 'open' | 'closed' | 'refused'; step: string };
  'tiepdan-recording-state': { state: 'not_recording' | 'armed' | 'recording' | 'ending' | 'finalizing' | 'finalized'; source: 'server' | 'none'; alarm?: string | undefined };
}

export type TiepdanEventName = keyof TiepdanEventDetails;
export type TiepdanEvent<K extends TiepdanEventName> = CustomEvent<TiepdanEventDetails[K]>;

export function emit<K extends TiepdanEventName>(target: EventTarget, name: K, detail: TiepdanEventDetails[K]): boolean {
  return target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
  interface GlobalEventHandlersEventMap {
    'tiepdan-step-change': TiepdanEvent<'tiepdan-step-change'>;
    'tiepdan-draft-saved': TiepdanEvent<'tiepdan-draft-saved'>;
    'tiepdan-submit-queued': TiepdanEvent<'tiepdan-submit-queued'>;
    'tiepdan-submitted': TiepdanEvent<'tiepdan-submitted'>;
    'tiepdan-error': TiepdanEvent<'tiepdan-error'>;
    'tiepdan-lookup': TiepdanEvent<'tiepdan-lookup'>;
    'tiepdan-transitioned': TiepdanEvent<'tiepdan-transitioned'>;
    'tiepdan-invited': TiepdanEvent<'tiepdan-invited'>;
    'tiepdan-session-select': TiepdanEvent<'tiepdan-session-select'>;
    'tiepdan-series-published': TiepdanEvent<'tiepdan-series-published'>;
    'tiepdan-session-changed': TiepdanEvent<'tiepdan-session-changed'>;
    'tiepdan-joined': TiepdanEvent<'tiepdan-joined'>;
    'tiepdan-admitted': TiepdanEvent<'tiepdan-admitted'>;
    'tiepdan-left': TiepdanEvent<'tiepdan-left'>;
    'tiepdan-reconnecting': TiepdanEvent<'tiepdan-reconnecting'>;
    'tiepdan-recording-state': TiepdanEvent<'tiepdan-recording-state'>;
    'tiepdan-case-changed': TiepdanEvent<'tiepdan-case-changed'>;
    'tiepdan-recorder-status': TiepdanEvent<'tiepdan-recorder-status'>;
    'tiepdan-token': TiepdanEvent<'tiepdan-token'>;
    'tiepdan-signed-in': TiepdanEvent<'tiepdan-signed-in'>;
    'tiepdan-signed-out': TiepdanEvent<'tiepdan-signed-out'>;
  }
}
