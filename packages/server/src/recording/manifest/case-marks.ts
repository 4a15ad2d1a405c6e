/**
 * The reception desk's side of the case marks (issue 10): when a case was opened, its content confirmed, its
 * Form 02 receipt issued, its outcome decided and when it closed go into the session's recording through the
 * recording's own mark API (`RecordingHandle.marks`, manifest/marks.ts, whose format docs/recording-bundle.md
 * owns), each with the SHA-256 of the paper it produced: the confirmed content, the receipt, the refusal notice.
 * A case's opening and closing are also the timeline's `case` start/end, so a denunciation makes the recording
 * confidential as the coordinator already does for cases.
 */
import type { CaseMarkKind } from '@tiepdan/core';
import type { RecordingHandle } from '../plugin.js';
import { closedForWrites } from '../repo.js';

export interface CaseMark {
  caseId: string;
  mark: CaseMarkKind;
  matterKind: string;
  /** Register reference of the case (unit, year, line), for the timeline's `case` entries. */
  reference: string;
  /** SHA-256 of the paper the step produced; null when it produced none. */
  sha256: string | null;
}

export interface RecordingStamp {
  recordingId: string;
  recordingMs: number;
}

/** How far into the session's recording `at` is; undefined when the session has no recording that started. */
export async function recordingStampFor(handle: RecordingHandle | undefined, sessionId: string | undefined, at: string): Promise<RecordingStamp | undefined> {
  if (!handle || !sessionId) return undefined;
  const rec = await handle.coordinator.forSession(sessionId);
  if (!rec?.started_at) return undefined;
  return { recordingId: rec.id, recordingMs: Math.max(0, Date.parse(at) - Date.parse(rec.started_at)) };
}

/**
 * Adds one case mark to the session's live recording. False when there is none or it no longer takes marks
 * (finalizing): the case keeps its own stamps either way.
 */
export async function addCaseMark(handle: RecordingHandle | undefined, sessionId: string | undefined, mark: CaseMark, at: string): Promise<boolean> {
  if (!handle || !sessionId) return false;
  const rec = await handle.coordinator.forSession(sessionId);
  if (!rec || closedForWrites(rec.state)) return false;
  if (mark.mark === 'opened' || mark.mark === 'closed') {
    await handle.coordinator.note(rec.id, [{ kind: 'case', at, reference: mark.reference, action: mark.mark === 'opened' ? 'start' : 'end', matterKind: mark.matterKind }]);
  }
  await handle.marks.add({ sessionId, kind: mark.mark, caseId: mark.caseId, at, sha256: mark.sha256 });
  return true;
}
