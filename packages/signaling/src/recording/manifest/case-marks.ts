/**
 * The reception desk's marks in a session's recording (issue 10): when a case was opened, its content confirmed,
 * its Form 02 receipt issued, its outcome decided and when it closed, each with the hashes of the papers, so the
 * signed manifest proves which content and which receipt belong to which moment of the recording. They travel as
 * timeline entries of kind `mark` and come out in the manifest's `marks` (finalize.ts).
 */
import type { CaseMarkKind } from '@tiepdan/core';
import { iso } from '../coordinator/coordinator.js';
import type { RecordingHandle } from '../plugin.js';

export interface CaseMark {
  caseId: string;
  mark: CaseMarkKind;
  registerNumber: number;
  matterKind: string;
  /** SHA-256 of the content the citizen confirmed. */
  contentSha256?: string | undefined;
  receiptSha256?: string | undefined;
  noticeSha256?: string | undefined;
  outcome?: string | undefined;
  /** Milliseconds since the recording started. */
  recordingMs?: number | undefined;
}

export interface RecordingStamp {
  recordingId: string;
  recordingMs: number;
}

/** How far into the session's recording `at` is; undefined when the session has no recording that started. */
export function recordingStampFor(handle: RecordingHandle | undefined, sessionId: string | undefined, at: string): RecordingStamp | undefined {
  if (!handle || !sessionId) return undefined;
  const rec = handle.coordinator.forSession(sessionId);
  if (!rec?.started_at) return undefined;
  return { recordingId: rec.id, recordingMs: Math.max(0, Date.parse(at) - Date.parse(rec.started_at)) };
}

/**
 * Adds one case mark to the session's recording timeline. False when there is no recording or it no longer
 * takes entries (finalizing): the case keeps its own stamps either way, and the desk says so.
 */
export function addCaseMark(handle: RecordingHandle | undefined, sessionId: string | undefined, mark: CaseMark, at: string): boolean {
  if (!handle || !sessionId) return false;
  const rec = handle.coordinator.forSession(sessionId);
  if (!rec || rec.state === 'finalizing' || rec.state === 'finalized') return false;
  handle.coordinator.note(rec.id, [{ kind: 'mark', at: iso(Date.parse(at)), ...mark }]);
  return true;
}
