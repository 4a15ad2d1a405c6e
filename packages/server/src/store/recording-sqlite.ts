/**
 * The recording store and the access log in SQLite (migration 4; interfaces in recording/repo.ts). The statements
 * are prepared once; better-sqlite3 answers synchronously, which the coordinator's one-step checks rely on.
 */
import type Database from 'better-sqlite3';
import type { AccessLog, AccessRow, CopyRow, LeaseRow, NewAccess, RecorderRow, RecordingRepo, RecordingRow, RecordingStatements, SegmentRow, TimelineRow } from '../recording/repo.js';

export class SqliteRecordingRepo implements RecordingRepo, AccessLog {
  readonly s: RecordingStatements;

  constructor(readonly db: Database.Database) {
    this.s = {
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
      release: db.prepare('UPDATE recordings SET holder = NULL, lease_expires_at = NULL WHERE id = ? AND epoch = ?'),
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
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      totals: db.prepare<[string], { count: number; bytes: number | null }>('SELECT COUNT(*) AS count, SUM(bytes) AS bytes FROM recording_segments WHERE recording_id = ?'),
      insertTimeline: db.prepare('INSERT INTO recording_timeline (recording_id, at, kind, data) VALUES (?, ?, ?, ?)'),
      timeline: db.prepare<[string], TimelineRow>('SELECT id, at, kind, data FROM recording_timeline WHERE recording_id = ? ORDER BY at, id'),
      insertAccess: db.prepare(
        `INSERT INTO recording_access (at, recording_id, actor, role, action, outcome, status, ip, user_agent, detail)
         VALUES (@at, @recording_id, @actor, @role, @action, @outcome, @status, @ip, @user_agent, @detail)`,
      ),
      access: db.prepare<[{ recordingId: string | null; limit: number }], AccessRow>('SELECT * FROM recording_access WHERE (@recordingId IS NULL OR recording_id = @recordingId) ORDER BY id DESC LIMIT @limit'),
      insertCopy: db.prepare(
        `INSERT INTO recording_copies (id, recording_id, reference, state, requested_at, requested_by) VALUES (?, ?, ?, 'requested', ?, ?)`,
      ),
      copy: db.prepare<[string, string], CopyRow>('SELECT * FROM recording_copies WHERE recording_id = ? AND id = ?'),
      copiesOf: db.prepare<[string, string], CopyRow>('SELECT * FROM recording_copies WHERE recording_id = ? AND reference = ? ORDER BY requested_at, id'),
      approveCopy: db.prepare(
        `UPDATE recording_copies SET state = 'approved', approved_at = ?, approved_by = ?, checks = ?, window = ?, file = ?, bytes = ?, sha256 = ?
         WHERE id = ? AND state = 'requested'`,
      ),
      handOver: db.prepare(
        "UPDATE recording_copies SET state = 'handed_over', handed_over_at = ?, handed_over_by = ?, handover = ? WHERE id = ? AND state = 'approved'",
      ),
    };
  }

  get(id: string): RecordingRow | undefined {
    return this.s.byId.get(id);
  }

  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  append(entry: NewAccess): void {
    this.s.insertAccess.run(entry);
  }

  list(filter: { recordingId: string | null; limit: number }): AccessRow[] {
    return this.s.access.all(filter);
  }
}
