/**
 * What recording needs from storage (recordings, leases, recorders, segments, timeline, citizens' copies) and the
 * access log, built by the chosen store (store/recording-sqlite.ts, store/recording-postgres.ts). Asynchronous, so
 * a networked database can provide it; every step that reads what it then decides on (a lease check before a
 * segment's row, an election, the start of a finalization, a copy request counted against its limit) is one
 * method, which each store runs as one transaction: SQLite as a synchronous transaction on its one connection
 * (an awaiting transaction there would take in every other capability's statements of the meantime), PostgreSQL
 * with the recording's row locked (`FOR UPDATE`), so two nodes deciding on one recording serialise on it.
 */
import type { RecordingPolicy, RecordingState } from '@tiepdan/core';
import type { Fence } from '../store/fences.js';

export interface RecordingRow {
  id: string;
  session_id: string;
  unit: string;
  policy: RecordingPolicy;
  confidential: number;
  state: RecordingState;
  epoch: number;
  holder: string | null;
  lease_expires_at: number | null;
  created_at: string;
  created_by: string;
  started_at: string | null;
  ended_at: string | null;
  ended_by: string | null;
  finalized_at: string | null;
  manifest_sha256: string | null;
  last_error: string | null;
}

export interface RecorderRow {
  recording_id: string;
  recorder_id: string;
  point_id: string | null;
  official: string;
  registered_at: string;
  last_seen_at: number;
  left_at: string | null;
}

export interface LeaseRow {
  recording_id: string;
  epoch: number;
  recorder_id: string;
  granted_at: string;
  ended_at: string | null;
  end_reason: string | null;
}

export interface SegmentRow {
  recording_id: string;
  epoch: number;
  seq: number;
  recorder_id: string;
  bytes: number;
  sha256: string;
  captured_at: number | null;
  received_at: string;
}

export interface TimelineRow {
  id: number;
  at: string;
  kind: string;
  data: string;
}

export interface AccessRow {
  id: number;
  at: string;
  recording_id: string | null;
  actor: string;
  role: string;
  action: string;
  outcome: 'allowed' | 'refused';
  status: number;
  ip: string | null;
  user_agent: string | null;
  detail: string | null;
}

export interface CopyRow {
  id: string;
  recording_id: string;
  reference: string;
  state: 'requested' | 'approved' | 'handed_over';
  requested_at: string;
  requested_by: string;
  approved_at: string | null;
  approved_by: string | null;
  checks: string | null;
  window: string | null;
  file: string | null;
  bytes: number | null;
  sha256: string | null;
  handed_over_at: string | null;
  handed_over_by: string | null;
  handover: string | null;
}

export type NewAccess = Omit<AccessRow, 'id'>;

export interface NewRecording {
  id: string;
  sessionId: string;
  unit: string;
  policy: RecordingPolicy;
  confidential: boolean;
  at: string;
  by: string;
}

export interface NewRecorder {
  recordingId: string;
  recorderId: string;
  pointId: string | null;
  official: string;
  /** ISO time of the first registration (kept on a re-registration). */
  at: string;
  /** ms since the epoch: the recorder was seen now. */
  now: number;
}

export interface NewSegment {
  recordingId: string;
  epoch: number;
  seq: number;
  recorderId: string;
  bytes: number;
  sha256: string;
  capturedAt: number | null;
  receivedAt: string;
}

export interface NewTimelineRow {
  at: string;
  kind: string;
  data: string;
}

export interface CopyApproval {
  at: string;
  by: string;
  checks: string;
  window: string;
  file: string;
  bytes: number;
  sha256: string;
}

/**
 * What storing a segment found: `inserted` (the row is stored and the lease renewed), `stored` (a row of that
 * place already stood: the chunk raced through another node, or a retry), `fenced` (the writer does not hold the
 * lease of its epoch now, or the recording closed: nothing stored).
 */
export type SegmentOutcome = 'inserted' | 'stored' | 'fenced';

/** True when `recorderId` holds the lease of `epoch` at `now`: the fencing rule, one for every store and caller. */
export function holdsLease(rec: Pick<RecordingRow, 'epoch' | 'holder' | 'lease_expires_at'> | undefined, recorderId: string, epoch: number, now: number): boolean {
  return Boolean(rec && rec.epoch === epoch && rec.holder === recorderId && (rec.lease_expires_at ?? 0) > now);
}

/** A recording that takes no more segments, marks or timeline entries: its manifest is being, or was, signed. */
export function closedForWrites(state: RecordingState): boolean {
  return state === 'finalizing' || state === 'finalized';
}

export interface RecordingRepo {
  get(id: string): Promise<RecordingRow | undefined>;
  bySession(sessionId: string): Promise<RecordingRow | undefined>;
  /** Armed, recording, ending or finalizing: what the watchdog looks after. */
  live(): Promise<RecordingRow[]>;
  /** Newest first; every unit's when `unit` is null. */
  recent(filter: { unit: string | null; limit: number }): Promise<RecordingRow[]>;
  /** Throws when the session already has a recording (its session id is unique). */
  insert(rec: NewRecording): Promise<void>;
  /** armed → recording; false when it was not armed. */
  start(id: string, at: string): Promise<boolean>;
  /** armed or recording → ending; false otherwise. */
  end(id: string, at: string, by: string): Promise<boolean>;
  /**
   * → finalized with the manifest's hash. With `fence` (the finalization lock's epoch), the fence is applied first in
   * the same transaction: a node that lost the lock to another gets FenceRefusedError and nothing is written.
   */
  finalized(id: string, at: string, manifestSha256: string, fence?: Fence): Promise<void>;
  failed(id: string, error: string): Promise<void>;

  /** Extends the lease of `epoch` while `holder` holds it (compare-and-set). */
  renew(id: string, epoch: number, holder: string, expiresAt: number): Promise<void>;
  /**
   * Ends the lease of `epoch` (compare-and-set on the epoch: of several callers, of any node, one wins) and writes
   * down why. True for the caller whose call ended it.
   */
  releaseLease(id: string, epoch: number, at: string, reason: 'lapsed' | 'left'): Promise<boolean>;
  /** Grants epoch `fromEpoch + 1` to `recorderId` if the recording is still at `fromEpoch`, with its lease row. */
  grantLease(id: string, fromEpoch: number, recorderId: string, expiresAt: number, at: string): Promise<boolean>;
  leases(id: string): Promise<LeaseRow[]>;

  recorder(id: string, recorderId: string): Promise<RecorderRow | undefined>;
  recorders(id: string): Promise<RecorderRow[]>;
  /** Registers a recorder, or marks it seen (and back, if it had left) when it is registered already. */
  upsertRecorder(recorder: NewRecorder): Promise<void>;
  seen(id: string, recorderId: string, now: number): Promise<void>;
  /** Every recorder that has not left is seen now (the grace after a restart). */
  seenAll(id: string, now: number): Promise<void>;
  leave(id: string, recorderId: string, at: string): Promise<void>;

  segment(id: string, epoch: number, seq: number): Promise<SegmentRow | undefined>;
  segments(id: string): Promise<SegmentRow[]>;
  /** The sequence numbers stored in one epoch, ascending. */
  epochSeqs(id: string, epoch: number): Promise<number[]>;
  totals(id: string): Promise<{ count: number; bytes: number }>;
  /**
   * Stores a segment's row in one step with its fencing: only while the writer holds the lease of its epoch at
   * `now` and the recording is open, and only if no row holds that place; the lease is then renewed to
   * `leaseUntil` and the recorder seen (an accepted segment proves the holder alive).
   */
  insertSegment(segment: NewSegment, now: number, leaseUntil: number): Promise<SegmentOutcome>;

  /**
   * Adds timeline rows, and makes the recording confidential when `confidential` (a denunciation was heard), in
   * one transaction; refused (false, nothing written) once the recording is closed for writes.
   */
  addTimeline(id: string, rows: NewTimelineRow[], confidential: boolean): Promise<boolean>;
  timeline(id: string): Promise<TimelineRow[]>;
  /**
   * ending (or finalizing, again) → finalizing, ending the lease held then (as `ended`), in one transaction; false
   * (nothing changed) from any other state.
   */
  beginFinalize(id: string, at: string): Promise<boolean>;

  /**
   * A copy request for (recording, reference), counted under the recording's lock: the open one (requested or
   * approved) when there is one, else a new one with `id` unless `max` exist already (`limit`).
   */
  requestCopy(recordingId: string, reference: string, id: string, at: string, by: string, max: number): Promise<{ copy: CopyRow; created: boolean } | 'limit'>;
  copy(recordingId: string, copyId: string): Promise<CopyRow | undefined>;
  /** requested → approved with the cut file; false when it was no longer requested. */
  approveCopy(copyId: string, approval: CopyApproval): Promise<boolean>;
  /** approved → handed_over with the handover record; false when it was no longer approved. */
  handOver(copyId: string, at: string, by: string, handover: string): Promise<boolean>;
}

/**
 * The append-only log of every access to recordings (reads, downloads, refusals): the database refuses UPDATE
 * and DELETE on it, not only the code.
 */
export interface AccessLog {
  append(entry: NewAccess): Promise<void>;
  /** Newest first; every recording's when `recordingId` is null. */
  list(filter: { recordingId: string | null; limit: number }): Promise<AccessRow[]>;
}
