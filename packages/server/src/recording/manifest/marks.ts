/**
 * Case marks: what the reception desk did while the recording ran (a case opened, the citizen's statement
 * confirmed, a receipt issued, the outcome, the case closed), each with the SHA-256 of the document it produced,
 * so the signed manifest ties a paper to the moment of the recording where it happened. The desk calls
 * `recordingOf(app).marks.add({ sessionId, kind, caseId, sha256 })`; marks are kept in the recording's timeline
 * and written into the manifest's `marks` array when it is finalized (docs/recording-bundle.md, "marks").
 * The kinds are open: a verifier must accept a kind it does not know.
 */
import * as z from 'zod';
import { ApiError } from '../../http/api-error.js';
import { parseWith } from '../../http/validation.js';
import type { RecordingRepo } from '../repo.js';

/** The kinds the desk uses today; others matching MARK_KIND are accepted (the array is extensible). */
export const MARK_KINDS = ['opened', 'confirmed', 'receipt', 'outcome', 'closed'] as const;
export const MARK_KIND = /^[a-z][a-z0-9_.-]{0,39}$/u;
export const MARK_TIMELINE_KIND = 'mark';

export const MarkSchema = z.strictObject({
  kind: z.string().regex(MARK_KIND),
  /** The reception case (ReceptionCase id or reference). */
  caseId: z.string().regex(/^[A-Za-z0-9_.:/-]{1,128}$/u),
  /** When it happened; now when absent. */
  at: z.iso.datetime({ offset: true }).optional(),
  /** SHA-256 (lowercase hex) of the content or receipt the step produced; null when it produced none. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/u).nullable().optional(),
});
export type MarkInput = z.infer<typeof MarkSchema>;

/** One mark as the manifest carries it. */
export interface ManifestMark {
  kind: string;
  at: string;
  /** Milliseconds from the media's origin (the first segment's capture time) to `at`; null without segments. */
  offsetMs: number | null;
  caseId: string;
  sha256: string | null;
}

/**
 * Adds a mark to a live recording. Refused (409 recording_closed) once finalizing: the manifest is signed and
 * cannot take it any more; the desk then records the finalized recording's manifest hash and key id instead.
 */
export async function addMark(repo: RecordingRepo, recordingId: string, input: MarkInput, now = new Date()): Promise<{ kind: string; at: string; caseId: string; sha256: string | null }> {
  const value = parseWith(MarkSchema, input);
  const rec = await repo.get(recordingId);
  if (!rec) throw new ApiError(404, 'not_found');
  const mark = { kind: value.kind, at: (value.at ? new Date(value.at) : now).toISOString(), caseId: value.caseId, sha256: value.sha256 ?? null };
  const row = { at: mark.at, kind: MARK_TIMELINE_KIND, data: JSON.stringify({ kind: mark.kind, caseId: mark.caseId, sha256: mark.sha256 }) };
  if (!(await repo.addTimeline(recordingId, [row], false))) throw new ApiError(409, 'recording_closed');
  return mark;
}

/** The manifest's marks from the timeline rows, with their offset from the media's origin. */
export function manifestMarks(rows: { at: string; kind: string; data: string }[], originMs: number | undefined): ManifestMark[] {
  return rows
    .filter((r) => r.kind === MARK_TIMELINE_KIND)
    .map((r) => {
      const data = JSON.parse(r.data) as { kind: string; caseId: string; sha256: string | null };
      return { kind: data.kind, at: r.at, offsetMs: originMs === undefined ? null : Date.parse(r.at) - originMs, caseId: data.caseId, sha256: data.sha256 };
    });
}
