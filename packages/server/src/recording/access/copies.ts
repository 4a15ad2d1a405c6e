/**
 * A citizen's copy of their own case (SPEC §6, practice in Hà Nội): the citizen asks (with their join token,
 * or a clerk asks on their behalf), an official approves after checking the copy for denouncer secrets, the
 * server cuts the case's window out of the finalized media, and the handover (to whom, how, which file by its
 * SHA-256) is recorded. Nothing leaves without that record.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import * as z from 'zod';
import type { RecordingCopy } from '@tiepdan/core';
import { ApiError } from '../../http/api-error.js';
import { cut, type MediaTools } from '../media/ffmpeg.js';
import { sha256File } from '../manifest/finalize.js';
import { MANIFEST_FILE, type Manifest } from '../manifest/manifest.js';
import type { CopyRow, RecordingRepo, RecordingRow } from '../repo.js';
import type { RecordingStorage } from '../storage/storage.js';
import { readFile, stat } from 'node:fs/promises';

/** Copies of one case from one recording, in all: a lost copy can be asked for again, not without end. */
export const MAX_COPIES_PER_CASE = 3;

export const ApproveSchema = z.strictObject({
  /** The approver attests the copy holds no denouncer's identity of another case (SPEC §3). */
  denouncerSecretsChecked: z.literal(true),
  /** The case's window in the media, seconds; taken from the timeline's case entries when absent. */
  fromSeconds: z.number().min(0).optional(),
  toSeconds: z.number().positive().optional(),
  note: z.string().max(1000).optional(),
});

export const HandoverSchema = z.strictObject({
  recipient: z.strictObject({ name: z.string().min(1).max(200), idPaper: z.string().max(40).optional() }),
  method: z.enum(['download', 'usb', 'disc', 'email']),
  note: z.string().max(1000).optional(),
});

/** The copy as the routes answer it (core's RecordingCopy); the JSON columns as they were recorded. */
export function copyView(row: CopyRow): RecordingCopy {
  const json = (text: string | null) => (text ? (JSON.parse(text) as Record<string, unknown>) : null);
  return {
    id: row.id,
    recordingId: row.recording_id,
    reference: row.reference,
    state: row.state,
    requestedAt: row.requested_at,
    requestedBy: row.requested_by,
    approvedAt: row.approved_at,
    approvedBy: row.approved_by,
    checks: json(row.checks),
    window: json(row.window),
    file: row.file ? { name: row.file, bytes: row.bytes, sha256: row.sha256 } : null,
    handedOverAt: row.handed_over_at,
    handedOverBy: row.handed_over_by,
    handover: json(row.handover),
  };
}

/**
 * A copy request, bounded: while one is open (requested or approved) for this case, asking again answers that
 * one (a double tap, a retry, or a script with the join token all get the same request); once handed over,
 * another may be asked for, up to MAX_COPIES_PER_CASE. One transaction, so concurrent asks cannot both insert.
 */
export async function requestCopy(repo: RecordingRepo, rec: RecordingRow, reference: string, by: string): Promise<{ copy: CopyRow; created: boolean }> {
  const result = await repo.requestCopy(rec.id, reference, `copy_${randomUUID()}`, new Date().toISOString(), by, MAX_COPIES_PER_CASE);
  if (result === 'limit') throw new ApiError(409, 'copy_limit');
  return result;
}

export async function approveCopy(
  deps: { repo: RecordingRepo; storage: RecordingStorage; tools: MediaTools },
  rec: RecordingRow,
  copy: CopyRow,
  input: z.infer<typeof ApproveSchema>,
  by: string,
): Promise<CopyRow> {
  if (copy.state !== 'requested') throw new ApiError(409, 'invalid_transition');
  if (rec.state !== 'finalized') throw new ApiError(409, 'invalid_transition');
  if (!deps.tools.ffmpeg) throw new ApiError(409, 'invalid_transition');
  // The finalized files as local files for ffmpeg (the data folder itself, or downloaded from object storage).
  const dir = await deps.storage.stage(rec.id);
  const manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  const media = manifest.media.files[0];
  if (!media) throw new ApiError(409, 'invalid_transition');
  const window = input.fromSeconds !== undefined && input.toSeconds !== undefined ? { fromSeconds: input.fromSeconds, toSeconds: input.toSeconds } : caseWindow(manifest, copy.reference);
  if (!window || window.toSeconds <= window.fromSeconds) {
    throw new ApiError(422, 'validation_failed', [{ path: 'fromSeconds', code: 'required', message: { vi: 'Cần khoảng thời gian của vụ việc trong bản ghi.', en: 'The case’s time window in the recording is needed.' } }]);
  }
  const name = `${copy.id}.webm`;
  const tmp = join(dir, `.${name}.cut.tmp`);
  await cut(deps.tools.ffmpeg, join(dir, media.file), window.fromSeconds, window.toSeconds, tmp);
  const sha256 = await sha256File(tmp);
  const bytes = (await stat(tmp)).size;
  await deps.storage.publish(rec.id, name, tmp);
  const checks = { denouncerSecretsChecked: true, note: input.note ?? null, sourceSha256: media.sha256, manifestSha256: rec.manifest_sha256 };
  const approval = { at: new Date().toISOString(), by, checks: JSON.stringify(checks), window: JSON.stringify(window), file: name, bytes, sha256 };
  if (!(await deps.repo.approveCopy(copy.id, approval))) throw new ApiError(409, 'invalid_transition');
  return (await deps.repo.copy(rec.id, copy.id))!;
}

export async function handOver(repo: RecordingRepo, rec: RecordingRow, copy: CopyRow, input: z.infer<typeof HandoverSchema>, by: string): Promise<CopyRow> {
  if (copy.state !== 'approved') throw new ApiError(409, 'invalid_transition');
  const record = { ...input, file: copy.file, sha256: copy.sha256, bytes: copy.bytes };
  if (!(await repo.handOver(copy.id, new Date().toISOString(), by, JSON.stringify(record)))) throw new ApiError(409, 'invalid_transition');
  return (await repo.copy(rec.id, copy.id))!;
}

/** The case's start and end in media seconds, from the timeline and the first segment's time. */
function caseWindow(manifest: Manifest, reference: string): { fromSeconds: number; toSeconds: number } | undefined {
  const first = manifest.segments[0];
  if (!first) return undefined;
  const origin = Date.parse(first.capturedAt ?? first.receivedAt);
  const start = manifest.cases.find((c) => c.reference === reference && c.action === 'start');
  const end = manifest.cases.find((c) => c.reference === reference && c.action === 'end');
  if (!start) return undefined;
  const fromSeconds = Math.max(0, (Date.parse(start.at) - origin) / 1000);
  const toSeconds = Math.max(fromSeconds, (Date.parse(end?.at ?? manifest.recording.endedAt ?? start.at) - origin) / 1000);
  return { fromSeconds, toSeconds };
}
