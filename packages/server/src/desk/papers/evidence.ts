/**
 * The recording's evidence on the papers (issue 16 §2, the trust anchor): once the session's recording is
 * finalized, the case record, the Form 02 receipt, the refusal notice and the case's Form 03 line carry the
 * signing key's fingerprint (keyId: SHA-256 of its SPKI DER) and the SHA-256 of the signed manifest, so the
 * authority's own files say which key and which bundle prove the reception (docs/recording-bundle.md "Trust").
 * Hex is printed in groups of 16 so a printed page never breaks it mid-group; a reader drops the spaces.
 */
import type { ReceptionCase } from '@tiepdan/core';
import type { RecordingEvidence } from '../../recording/plugin.js';
import { formatDateTime } from '@tiepdan/core';
import type { Block } from './paper.js';

export interface PaperEvidence extends RecordingEvidence {
  recordingId: string;
}

/** The recording the case was received in: the one its steps were stamped against. */
export function recordingIdOf(c: ReceptionCase): string | undefined {
  for (const step of [c.receipt, c.confirmation, c.content, c.handling, c.refusal, c.identity]) if (step?.recordingId) return step.recordingId;
  return undefined;
}

export const groupHex = (hex: string): string => hex.match(/.{1,16}/gu)!.join(' ');

export function evidenceBlocks(e: PaperEvidence): Block[] {
  return [
    { kind: 'p', text: `Buổi tiếp được ghi hình, bản ghi hoàn tất lúc ${formatDateTime(e.finalizedAt)}. Mã bản ghi, dấu vân tay khóa ký (keyId, SHA-256) và mã SHA-256 của manifest đã ký:`, italic: true },
    { kind: 'field', label: 'Bản ghi', value: e.recordingId },
    { kind: 'field', label: 'keyId', value: groupHex(e.keyId) },
    { kind: 'field', label: 'manifest SHA-256', value: groupHex(e.manifestSha256) },
  ];
}

/** The same facts in one line, for the register's notes (column 12). */
export const evidenceNote = (e: PaperEvidence): string => `Bản ghi hình ${e.recordingId}: keyId ${e.keyId}, manifest SHA-256 ${e.manifestSha256}`;
