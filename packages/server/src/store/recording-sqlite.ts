/**
 * The recording store and the access log in SQLite (migration 4; interfaces in recording/repo.ts). The statements
 * are prepared once. A step that decides on what it reads runs as one synchronous IMMEDIATE transaction (it takes
 * the write lock first, and nothing else runs on the connection until it commits), wrapped in a resolved promise.
 */
import type Database from 'better-sqlite3';
import {
  closedForWrites,
  holdsLease,
  type AccessLog,
  type AccessRow,
  type CopyApproval,
  type CopyRow,
  type LeaseRow,
  type NewAccess,
  type NewRecorder,
  type NewRecording,
  type NewSegment,
  type NewTimelineRow,
  type RecorderRow,
  type RecordingRepo,
  type RecordingRow,
  type SegmentOutcome,
  type SegmentRow,
  type TimelineRow,
} from '../recording/repo.js';
import { FenceRefusedError, type Fence } from './fences.js';
import { SqliteFences } from './fences-sqlite.js';

function statements(db: Database.Database) {
  return {
    byId: db.prepare<[string], RecordingRow>('SELECT * FROM recordings WHERE id = ?'),
    bySession: db.prepare<[string], RecordingRow>('SELECT * FROM recordings WHERE session_id = ?'),
    live: db.prepare<[], RecordingRow>("SELECT * FROM recordings WHERE state IN ('armed', 'recording', 'ending', 'finalizing')"),
    list: db.prepare<[{ unit: string | null; limit: number }], RecordingRow>('SELECT * FROM recordings WHERE (@unit IS NULL OR unit = @unit) ORDER BY created_at DESC LIMIT @limit'),
    insert: db.prepare(
      `INSERT INTO recordings (id, session_id, unit, policy, confidential, state, created_at, created_by)
       VALUES (@id, @sessionId, @unit, @policy, @confidential, 'armed', @at, @by)`,
    ),
    setState: db.prepare('UPDATE recordings SET state = ? WHERE id = ?'),
    start: db.prepare("UPDATE recordings SET state = 'recording', started_at = ? WHERE id = ? AND state = 'armed'"),
    end: db.prepare("UPDATE recordings SET state = 'ending', ended_at = ?, ended_by = ? WHERE id = ? AND state IN ('armed', 'recording')"),
    finalized: db.prepare("UPDATE recordings SET state = 'finalized', finalized_at = ?, manifest_sha256 = ?, last_error = NULL WHERE id = ?"),
    failed: db.prepare('UPDATE recordings SET last_error = ? WHERE id = ?'),
    confidential: db.prepare('UPDATE recordings SET confidential = 1 WHERE id = ?'),
    grant: db.prepare('UPDATE recordings SET epoch = ?, holder = ?, lease_expires_at = ? WHERE id = ? AND epoch = ?'),
    renew: db.prepare('UPDATE recordings SET lease_expires_at = ? WHERE id = ? AND epoch = ? AND holder = ?'),
    release: db.prepare('UPDATE recordings SET holder = NULL, lease_expires_at = NULL WHERE id = ? AND epoch = ? AND holder IS NOT NULL'),
    insertLease: db.prepare('INSERT INTO recording_leases (recording_id, epoch, recorder_id, granted_at) VALUES (?, ?, ?, ?)'),
    endLease: db.prepare('UPDATE recording_leases SET ended_at = ?, end_reason = ? WHERE recording_id = ? AND epoch = ? AND ended_at IS NULL'),
    leases: db.prepare<[string], LeaseRow>('SELECT * FROM recording_leases WHERE recording_id = ? ORDER BY epoch'),
    recorder: db.prepare<[string, string], RecorderRow>('SELECT * FROM recording_recorders WHERE recording_id = ? AND recorder_id = ?'),
    recorders: db.prepare<[string], RecorderRow>('SELECT * FROM recording_recorders WHERE recording_id = ? ORDER BY registered_at, recorder_id'),
    upsertRecorder: db.prepare(
      `INSERT INTO recording_recorders (recording_id, recorder_id, point_id, official, registered_at, last_seen_at)
       VALUES (@recordingId, @recorderId, @pointId, @official, @at, @now)
       ON CONFLICT (recording_id, recorder_id) DO UPDATE SET last_seen_at = @now, left_at = NULL, point_id = COALESCE(@pointId, point_id)`,
    ),
    seen: db.prepare('UPDATE recording_recorders SET last_seen_at = ? WHERE recording_id = ? AND recorder_id = ?'),
    seenAll: db.prepare('UPDATE recording_recorders SET last_seen_at = ? WHERE recording_id = ? AND left_at IS NULL'),
    leave: db.prepare('UPDATE recording_recorders SET left_at = ? WHERE recording_id = ? AND recorder_id = ?'),
    segment: db.prepare<[string, number, number], SegmentRow>('SELECT * FROM recording_segments WHERE recording_id = ? AND epoch = ? AND seq = ?'),
    segments: db.prepare<[string], SegmentRow>('SELECT * FROM recording_segments WHERE recording_id = ? ORDER BY epoch, seq'),
    epochSeqs: db.prepare<[string, number], number>('SELECT seq FROM recording_segments WHERE recording_id = ? AND epoch = ? ORDER BY seq').pluck(),
    insertSegment: db.prepare(
      `INSERT INTO recording_segments (recording_id, epoch, seq, recorder_id, bytes, sha256, captured_at, received_at)
       VALUES (@recordingId, @epoch, @seq, @recorderId, @bytes, @sha256, @capturedAt, @receivedAt)`,
    ),
    totals: db.prepare<[string], { count: number; bytes: number | null }>('SELECT COUNT(*) AS count, SUM(bytes) AS bytes FROM recording_segments WHERE recording_id = ?'),
    insertTimeline: db.prepare('INSERT INTO recording_timeline (recording_id, at, kind, data) VALUES (?, ?, ?, ?)'),
    timeline: db.prepare<[string], TimelineRow>('SELECT id, at, kind, data FROM recording_timeline WHERE recording_id = ? ORDER BY at, id'),
    insertAccess: db.prepare(
      `INSERT INTO recording_access (at, recording_id, actor, role, action, outcome, status, ip, user_agent, detail)
       VALUES (@at, @recording_id, @actor, @role, @action, @outcome, @status, @ip, @user_agent, @detail)`,
    ),
    access: db.prepare<[{ recordingId: string | null; limit: number }], AccessRow>('SELECT * FROM recording_access WHERE (@recordingId IS NULL OR recording_id = @recordingId) ORDER BY id DESC LIMIT @limit'),
    insertCopy: db.prepare(`INSERT INTO recording_copies (id, recording_id, reference, state, requested_at, requested_by) VALUES (?, ?, ?, 'requested', ?, ?)`),
    copy: db.prepare<[string, string], CopyRow>('SELECT * FROM recording_copies WHERE recording_id = ? AND id = ?'),
    copiesOf: db.prepare<[string, string], CopyRow>('SELECT * FROM recording_copies WHERE recording_id = ? AND reference = ? ORDER BY requested_at, id'),
    approveCopy: db.prepare(
      `UPDATE recording_copies SET state = 'approved', approved_at = @at, approved_by = @by, checks = @checks, window = @window, file = @file, bytes = @bytes, sha256 = @sha256
       WHERE id = @id AND state = 'requested'`,
    ),
    handOver: db.prepare("UPDATE recording_copies SET state = 'handed_over', handed_over_at = ?, handed_over_by = ?, handover = ? WHERE id = ? AND state = 'approved'"),
  };
}

export class SqliteRecordingRepo implements RecordingRepo, AccessLog {
  private readonly s: ReturnType<typeof statements>;

  private readonly fences: SqliteFences;

  constructor(readonly db: Database.Database) {
    this.s = statements(db);
    this.fences = new SqliteFences(db);
  }

  /** Runs `fn` as one IMMEDIATE transaction (the write lock first); a throw writes nothing. */
  private atomically<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(this.db.transaction(fn).immediate());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A synchronous step as the interface's promise (a throw becomes the rejection). */
  private async now<T>(fn: () => T): Promise<T> {
    return fn();
  }

  get(id: string) {
    return this.now(() => this.s.byId.get(id));
  }
  bySession(sessionId: string) {
    return this.now(() => this.s.bySession.get(sessionId));
  }
  live() {
    return this.now(() => this.s.live.all());
  }
  recent(filter: { unit: string | null; limit: number }) {
    return this.now(() => this.s.list.all(filter));
  }
  insert(rec: NewRecording) {
    return this.now(() => void this.s.insert.run({ ...rec, confidential: rec.confidential ? 1 : 0 }));
  }
  start(id: string, at: string) {
    return this.now(() => this.s.start.run(at, id).changes === 1);
  }
  end(id: string, at: string, by: string) {
    return this.now(() => this.s.end.run(at, by, id).changes === 1);
  }
  finalized(id: string, at: string, manifestSha256: string, fence?: Fence) {
    return this.atomically(() => {
      if (fence && !this.fences.passNow(fence)) throw new FenceRefusedError(fence);
      this.s.finalized.run(at, manifestSha256, id);
    });
  }
  failed(id: string, error: string) {
    return this.now(() => void this.s.failed.run(error, id));
  }

  renew(id: string, epoch: number, holder: string, expiresAt: number) {
    return this.now(() => void this.s.renew.run(expiresAt, id, epoch, holder));
  }
  releaseLease(id: string, epoch: number, at: string, reason: 'lapsed' | 'left') {
    return this.atomically(() => {
      const changed = this.s.release.run(id, epoch).changes === 1;
      this.s.endLease.run(at, reason, id, epoch);
      return changed;
    });
  }
  grantLease(id: string, fromEpoch: number, recorderId: string, expiresAt: number, at: string) {
    return this.atomically(() => {
      if (this.s.grant.run(fromEpoch + 1, recorderId, expiresAt, id, fromEpoch).changes !== 1) return false;
      this.s.insertLease.run(id, fromEpoch + 1, recorderId, at);
      return true;
    });
  }
  leases(id: string) {
    return this.now(() => this.s.leases.all(id));
  }

  recorder(id: string, recorderId: string) {
    return this.now(() => this.s.recorder.get(id, recorderId));
  }
  recorders(id: string) {
    return this.now(() => this.s.recorders.all(id));
  }
  upsertRecorder(recorder: NewRecorder) {
    return this.now(() => void this.s.upsertRecorder.run(recorder));
  }
  seen(id: string, recorderId: string, now: number) {
    return this.now(() => void this.s.seen.run(now, id, recorderId));
  }
  seenAll(id: string, now: number) {
    return this.now(() => void this.s.seenAll.run(now, id));
  }
  leave(id: string, recorderId: string, at: string) {
    return this.now(() => void this.s.leave.run(at, id, recorderId));
  }

  segment(id: string, epoch: number, seq: number) {
    return this.now(() => this.s.segment.get(id, epoch, seq));
  }
  segments(id: string) {
    return this.now(() => this.s.segments.all(id));
  }
  epochSeqs(id: string, epoch: number) {
    return this.now(() => this.s.epochSeqs.all(id, epoch));
  }
  totals(id: string) {
    return this.now(() => {
      const t = this.s.totals.get(id)!;
      return { count: t.count, bytes: t.bytes ?? 0 };
    });
  }
  insertSegment(segment: NewSegment, now: number, leaseUntil: number) {
    return this.atomically((): SegmentOutcome => {
      const rec = this.s.byId.get(segment.recordingId);
      if (!rec || !holdsLease(rec, segment.recorderId, segment.epoch, now) || closedForWrites(rec.state)) return 'fenced';
      if (this.s.segment.get(segment.recordingId, segment.epoch, segment.seq)) return 'stored';
      this.s.insertSegment.run(segment);
      this.s.renew.run(leaseUntil, segment.recordingId, segment.epoch, segment.recorderId);
      this.s.seen.run(now, segment.recordingId, segment.recorderId);
      return 'inserted';
    });
  }

  addTimeline(id: string, rows: NewTimelineRow[], confidential: boolean) {
    return this.atomically(() => {
      const rec = this.s.byId.get(id);
      if (!rec || closedForWrites(rec.state)) return false;
      for (const row of rows) this.s.insertTimeline.run(id, row.at, row.kind, row.data);
      if (confidential) this.s.confidential.run(id);
      return true;
    });
  }
  timeline(id: string) {
    return this.now(() => this.s.timeline.all(id));
  }
  beginFinalize(id: string, at: string) {
    return this.atomically(() => {
      const rec = this.s.byId.get(id);
      if (!rec || (rec.state !== 'ending' && rec.state !== 'finalizing')) return false;
      this.s.setState.run('finalizing', id);
      if (rec.holder) {
        this.s.endLease.run(at, 'ended', id, rec.epoch);
        this.s.release.run(id, rec.epoch);
      }
      return true;
    });
  }

  requestCopy(recordingId: string, reference: string, id: string, at: string, by: string, max: number) {
    return this.atomically(() => {
      const existing = this.s.copiesOf.all(recordingId, reference);
      const open = existing.find((copy) => copy.state !== 'handed_over');
      if (open) return { copy: open, created: false };
      if (existing.length >= max) return 'limit' as const;
      this.s.insertCopy.run(id, recordingId, reference, at, by);
      return { copy: this.s.copy.get(recordingId, id)!, created: true };
    });
  }
  copy(recordingId: string, copyId: string) {
    return this.now(() => this.s.copy.get(recordingId, copyId));
  }
  approveCopy(copyId: string, approval: CopyApproval) {
    return this.now(() => this.s.approveCopy.run({ ...approval, id: copyId }).changes === 1);
  }
  handOver(copyId: string, at: string, by: string, handover: string) {
    return this.now(() => this.s.handOver.run(at, by, handover, copyId).changes === 1);
  }

  append(entry: NewAccess) {
    return this.now(() => void this.s.insertAccess.run(entry));
  }
  list(filter: { recordingId: string | null; limit: number }) {
    return this.now(() => this.s.access.all(filter));
  }
}
