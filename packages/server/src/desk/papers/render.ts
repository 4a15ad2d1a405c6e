/**
 * One case's paper as bytes (.docx or PDF), with the recording's evidence when the recording is finalized: for
 * the papers routes (officials, the citizen) and for the notice that carries the paper by e-mail.
 */
import type { ReceptionCase } from '@tiepdan/core';
import type { UnitConfig } from '../../config/schema.js';
import type { RecordingHandle } from '../../recording/plugin.js';
import { paperOf, type PaperKind } from './content.js';
import { paperDocx } from './docx.js';
import { recordingIdOf } from './evidence.js';
import { paperPdf } from './pdf.js';

export const FILE_NAMES: Record<PaperKind, string> = { receipt: 'giay-bien-nhan', 'refusal-notice': 'thong-bao-tu-choi', record: 'phieu-ghi-noi-dung' };

/** The file name a paper is saved under: `giay-bien-nhan-2026-12.pdf`. */
export const paperFileName = (kind: PaperKind, c: Pick<ReceptionCase, 'registerYear' | 'registerNumber'>, format: 'docx' | 'pdf'): string =>
  `${FILE_NAMES[kind]}-${c.registerYear}-${c.registerNumber}.${format}`;

/** Undefined when the case has no such paper (no receipt yet, no written refusal notice). */
export async function renderPaper(kind: PaperKind, c: ReceptionCase, units: UnitConfig[], recording: RecordingHandle | undefined, format: 'docx' | 'pdf'): Promise<Buffer | undefined> {
  const recordingId = recordingIdOf(c);
  const facts = recordingId ? await recording?.evidence(recordingId) : null;
  const paper = paperOf(kind, c, units.find((u) => u.code === c.unit), facts && recordingId ? { ...facts, recordingId } : null);
  if (!paper) return undefined;
  return format === 'docx' ? paperDocx(paper) : paperPdf(paper);
}
