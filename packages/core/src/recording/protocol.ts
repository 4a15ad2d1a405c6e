/**
 * The recording ingest protocol, shared by the server and the browser recorder (MediaRecorder) that comes with
 * the room element. Browser-safe: no Node APIs. docs/recording.md describes the flow; in short:
 *
 * 1. `POST /recordings/:id/recorders {recorderId, pointId}`: join the election; the reply says `active` (with
 *    the lease `epoch`, the fencing token) or `standby`.
 * 2. `POST /recordings/:id/recorders/:recorderId/heartbeat` every `heartbeatMs`; a standby learns here that it
 *    was elected, the holder renews its lease, and both learn what the server has acknowledged (`resume`).
 * 3. Each MediaRecorder chunk goes to `POST /recordings/:id/segments?recorder=&epoch=&seq=&bytes=&sha256=` with
 *    the raw bytes as body (application/octet-stream), or as one binary frame on the rooms WebSocket
 *    (`encodeSegmentFrame`). `seq` counts from 0 within each epoch: a new lease is a new WebM stream, with its
 *    own header chunk. The reply (`SegmentAck`) comes only after the bytes are durably stored; a recorder keeps
 *    every chunk until it is acknowledged and, after any failure, sends again from the first unacknowledged one.
 */

/** Defaults; the server's config may shorten them (tests) or lengthen them. */
export const RECORDING_LIMITS = {
  /** A lease not renewed for this long lapses and a standby is elected (goal: failover within 5 s). */
  leaseMs: 3000,
  /** Recorders heartbeat this often: three beats per lease, so one lost request does not cost the lease. */
  heartbeatMs: 1000,
  /** Largest segment body; MediaRecorder at 2 Mbit/s with a 1 s timeslice gives about 250 kB. */
  maxSegmentBytes: 8 * 1024 * 1024,
  /** After the head ends the session, the holder's last chunks are still taken for this long. */
  drainMs: 3000,
} as const;

export const RECORDING_POLICIES = ['mandatory', 'optional'] as const;
export type RecordingPolicy = (typeof RECORDING_POLICIES)[number];

/** armed: waiting for the session to start · recording · ending: draining the last chunks · finalizing · finalized. */
export const RECORDING_STATES = ['armed', 'recording', 'ending', 'finalizing', 'finalized'] as const;
export type RecordingState = (typeof RECORDING_STATES)[number];

/** What the server has durably stored of one epoch's stream, so a recorder resumes from the right chunk. */
export interface ResumePoint {
  epoch: number;
  /** The first sequence number not yet acknowledged in order (every seq below it is stored). */
  nextSeq: number;
  /** Sequence numbers above nextSeq that are stored (arrived out of order). */
  storedAbove: number[];
  /** Sequence numbers below the highest stored one that are still missing. */
  missing: number[];
}

/**
 * `POST /recordings/sessions/:sessionId/recorders`: a recorder waits for a session whose recording is not opened
 * yet (standby before anything starts). `recordingId` is null while it waits; once the room is opened it names
 * the recording, which this recorder has already been registered in (and perhaps elected to).
 */
export interface SessionRecorderReply {
  recordingId: string | null;
  state: RecordingState | 'waiting';
  heartbeatMs: number;
  leaseMs: number;
}

export interface RecorderReply {
  recorderId: string;
  /** `active`: this recorder holds the lease and must upload under `epoch`; `standby`: keep heartbeating. */
  role: 'active' | 'standby';
  /** The current lease epoch (fencing token); 0 before the first lease. */
  epoch: number;
  leaseMs: number;
  heartbeatMs: number;
  /** When the lease runs out unless renewed (active only). */
  leaseExpiresAt?: string;
  /** For the holder: where to resume (after a reconnect or a server restart). */
  resume?: ResumePoint;
  state: RecordingState;
}

export interface SegmentAck {
  ack: {
    recordingId: string;
    epoch: number;
    seq: number;
    bytes: number;
    sha256: string;
    /** True when this exact segment was already stored (a retry): acknowledged again, stored once. */
    duplicate: boolean;
  };
  /** Missing sequence numbers of this epoch below the highest stored one. */
  missing: number[];
}

/** Header of a segment sent over the rooms WebSocket as one binary frame. */
export interface SegmentFrameHeader {
  type: 'recording.segment';
  /** Request id, echoed in the reply frame. */
  id: string;
  recordingId: string;
  recorderId: string;
  epoch: number;
  seq: number;
  bytes: number;
  sha256: string;
  /** Capture time of the chunk's start, ms since the epoch (the recorder's clock). */
  capturedAt?: number;
  /** The recorder's last chunk after the session ended. */
  last?: boolean;
}

const MAX_HEADER_BYTES = 4096;

/** Binary frame: 4-byte big-endian header length, the header as UTF-8 JSON, then the chunk's bytes. */
export function encodeSegmentFrame(header: SegmentFrameHeader, chunk: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const frame = new Uint8Array(4 + json.length + chunk.length);
  new DataView(frame.buffer).setUint32(0, json.length, false);
  frame.set(json, 4);
  frame.set(chunk, 4 + json.length);
  return frame;
}

/** The header and the chunk of a binary frame; undefined for anything malformed. */
export function decodeSegmentFrame(frame: Uint8Array): { header: SegmentFrameHeader; chunk: Uint8Array } | undefined {
  if (frame.length < 4) return undefined;
  const length = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, false);
  if (length > MAX_HEADER_BYTES || 4 + length > frame.length) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(4, 4 + length)));
  } catch {
    return undefined;
  }
  const h = header as Partial<SegmentFrameHeader> | null;
  if (
    !h ||
    h.type !== 'recording.segment' ||
    typeof h.id !== 'string' ||
    typeof h.recordingId !== 'string' ||
    typeof h.recorderId !== 'string' ||
    !Number.isSafeInteger(h.epoch) ||
    !Number.isSafeInteger(h.seq) ||
    !Number.isSafeInteger(h.bytes) ||
    typeof h.sha256 !== 'string'
  ) {
    return undefined;
  }
  return { header: h as SegmentFrameHeader, chunk: frame.subarray(4 + length) };
}

/** Query string of the HTTP segment upload. */
export function segmentQuery(header: Omit<SegmentFrameHeader, 'type' | 'id' | 'recordingId'>): string {
  const params = new URLSearchParams({
    recorder: header.recorderId,
    epoch: String(header.epoch),
    seq: String(header.seq),
    bytes: String(header.bytes),
    sha256: header.sha256,
  });
  if (header.capturedAt !== undefined) params.set('capturedAt', String(header.capturedAt));
  if (header.last) params.set('last', '1');
  return params.toString();
}
