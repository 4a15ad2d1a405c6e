/**
 * Segment ingest, the same for HTTP and for the rooms WebSocket: check the declared length and SHA-256, answer
 * a retry of a stored segment with the same ack (a different hash under the same number is a conflict), refuse
 * any writer that does not hold the current lease epoch (fencing), then store the bytes durably (file fsynced,
 * renamed, folder fsynced) and only then insert the row and acknowledge. A crash before the row leaves a file
 * nobody acknowledged; the recorder sends it again and it is replaced.
 */
import { createHash } from 'node:crypto';
import { decodeSegmentFrame, type SegmentAck, type SegmentFrameHeader } from '@tiepdan/core';
import { ApiError } from '../../http/api-error.js';
import { KeyedLock } from '../../registrations/keyed-lock.js';
import type { RecordingCoordinator } from '../coordinator/coordinator.js';
import { closedForWrites, type RecordingRepo } from '../repo.js';
import type { RecordingStorage } from '../storage/storage.js';
import type { PartTracker } from './parts.js';

export interface SegmentUpload {
  recordingId: string;
  recorderId: string;
  epoch: number;
  seq: number;
  bytes: number;
  sha256: string;
  capturedAt?: number | undefined;
  last?: boolean | undefined;
}

const SHA256_HEX = /^[0-9a-f]{64}$/u;
export const MAX_SEQ = 10_000_000;

/** A segment's file name: epoch and sequence, zero-padded so a listing sorts in stream order. */
export function segmentName(epoch: number, seq: number): string {
  return `e${String(epoch).padStart(6, '0')}-s${String(seq).padStart(8, '0')}.chunk`;
}

export class Ingest {
  private readonly lock = new KeyedLock();

  constructor(
    private readonly repo: RecordingRepo,
    private readonly storage: RecordingStorage,
    private readonly coordinator: RecordingCoordinator,
    private readonly parts: PartTracker,
    private readonly maxSegmentBytes: number,
  ) {}

  async accept(upload: SegmentUpload, body: Uint8Array): Promise<SegmentAck> {
    const { recordingId, recorderId, epoch, seq } = upload;
    if (!Number.isSafeInteger(epoch) || epoch < 1 || !Number.isSafeInteger(seq) || seq < 0 || seq > MAX_SEQ || !SHA256_HEX.test(upload.sha256)) {
      throw new ApiError(400, 'bad_request');
    }
    if (body.length > this.maxSegmentBytes) throw new ApiError(413, 'payload_too_large');
    const sha256 = createHash('sha256').update(body).digest('hex');
    if (body.length !== upload.bytes || sha256 !== upload.sha256) throw new ApiError(400, 'segment_mismatch');
    const rec = await this.repo.get(recordingId);
    if (!rec) throw new ApiError(404, 'not_found');

    return this.lock.run(`${recordingId}:${epoch}:${seq}`, async () => {
      const stored = await this.repo.segment(recordingId, epoch, seq);
      if (stored) {
        if (stored.sha256 !== sha256) throw new ApiError(409, 'segment_conflict');
        return this.ack(upload, true);
      }
      const current = (await this.repo.get(recordingId))!;
      if (closedForWrites(current.state)) throw new ApiError(409, 'recording_closed');
      const checked = await this.coordinator.checkLease(current);
      if (!this.coordinator.holds(checked, recorderId, epoch)) throw new ApiError(409, 'lease_lost');

      const name = segmentName(epoch, seq);
      await this.storage.writeSegment(recordingId, name, body);
      // The lease may have moved while the bytes were being written: checked again with the insert, in one step.
      // The same chunk sent again through another node while this one stored it (the key lock is per process)
      // finds the first row standing, and is answered as the retry it is.
      const outcome = await this.coordinator.storeSegment({ recordingId, epoch, seq, recorderId, bytes: body.length, sha256, capturedAt: upload.capturedAt ?? null });
      if (outcome === 'stored') {
        if ((await this.repo.segment(recordingId, epoch, seq))!.sha256 !== sha256) throw new ApiError(409, 'segment_conflict');
        return this.ack(upload, true);
      }
      if (outcome === 'fenced') {
        await this.storage.removeSegment(recordingId, name);
        throw new ApiError(409, 'lease_lost');
      }
      await this.parts.stored(recordingId, epoch, seq);
      if (upload.last) await this.coordinator.lastChunk(recordingId);
      return this.ack(upload, false);
    });
  }

  /**
   * The rooms WebSocket adapter: one binary frame in (core's encodeSegmentFrame), the reply frame out. The
   * rooms transport calls it for binary frames once it knows the socket belongs to an official allowed to record.
   */
  async acceptFrame(frame: Uint8Array): Promise<{ id: string | null; ok: true; result: SegmentAck } | { id: string | null; ok: false; error: ApiError }> {
    const decoded = decodeSegmentFrame(frame);
    if (!decoded) return { id: null, ok: false, error: new ApiError(400, 'bad_request') };
    const h: SegmentFrameHeader = decoded.header;
    try {
      const result = await this.accept(
        { recordingId: h.recordingId, recorderId: h.recorderId, epoch: h.epoch, seq: h.seq, bytes: h.bytes, sha256: h.sha256, capturedAt: h.capturedAt, last: h.last },
        decoded.chunk,
      );
      return { id: h.id, ok: true, result };
    } catch (error) {
      if (error instanceof ApiError) return { id: h.id, ok: false, error };
      throw error;
    }
  }

  private async ack(upload: SegmentUpload, duplicate: boolean): Promise<SegmentAck> {
    return {
      ack: { recordingId: upload.recordingId, epoch: upload.epoch, seq: upload.seq, bytes: upload.bytes, sha256: upload.sha256, duplicate },
      missing: (await this.parts.resume(upload.recordingId, upload.epoch)).missing,
    };
  }
}
