/**
 * What recording needs from storage (recordings, leases, recorders, segments, timeline, citizens' copies) and the
 * access log, built by the chosen store (store/recording-sqlite.ts for SQLite). Synchronous with an explicit
 * transaction (`atomically`): the coordinator checks a lease and inserts a segment as one step, and a store that
 * cannot answer synchronously does not provide recording, so the server refuses to start with it
 * (store/capabilities.ts) rather than run sessions unrecorded.
 */
import type { RecordingPolicy, RecordingState } from '@tiepdan/core';

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

/** One statement of the store: `run` reports the rows it changed, which compare-and-set steps rely on. */
export interface Statement<P extends unknown[] = unknown[], R = unknown> {
  run(...params: P): { changes: number };
  get(...params: P): R | undefined;
  all(...params: P): R[];
}

/** The recording store's statements, by what they do (their SQL is in store/recording-sqlite.ts). */
export interface RecordingStatements {
  byId: Statement<[string], RecordingRow>;
  bySession: Statement<[string], RecordingRow>;
  live: Statement<[], RecordingRow>;
  list: Statement<[{ unit: string | null; limit: number }], RecordingRow>;
  insert: Statement;
  setState: Statement;
  start: Statement;
  end: Statement;
  finalized: Statement;
  failed: Statement;
  confidential: Statement;
  grant: Statement;
  renew: Statement;
  release: Statement;
  insertLease: Statement;
  endLease: Statement;
  leases: Statement<[string], LeaseRow>;
  recorder: Statement<[string, string], RecorderRow>;
  recorders: Statement<[string], RecorderRow>;
  upsertRecorder: Statement;
  seen: Statement;
  seenAll: Statement;
  leave: Statement;
  segment: Statement<[string, number, number], SegmentRow>;
  segments: Statement<[string], SegmentRow>;
  epochSeqs: Statement<[string, number], number>;
  insertSegment: Statement;
  totals: Statement<[string], { count: number; bytes: number | null }>;
  insertTimeline: Statement;
  timeline: Statement<[string], TimelineRow>;
  insertAccess: Statement;
  access: Statement<[{ recordingId: string | null; limit: number }], AccessRow>;
  insertCopy: Statement;
  copy: Statement<[string, string], CopyRow>;
  copiesOf: Statement<[string, string], CopyRow>;
  approveCopy: Statement;
  handOver: Statement;
}


export interface RecordingRepo {
  readonly s: RecordingStatements;
  get(id: string): RecordingRow | undefined;
  /** Runs `fn` in one transaction (IMMEDIATE: takes the write lock first); a throw writes nothing. */
  atomically<T>(fn: () => T): T;
}

/**
 * The append-only log of every access to recordings (reads, downloads, refusals): the database refuses UPDATE
 * and DELETE on it, not only the code.
 */
export interface AccessLog {
  append(entry: NewAccess): void;
  /** Newest first; every recording's when `recordingId` is null. */
  list(filter: { recordingId: string | null; limit: number }): AccessRow[];
}
