/**
 * The recording store and the access log on PostgreSQL (migration 5, and 2 for the access log; interfaces in
 * recording/repo.ts), for several nodes on one database. A step that decides on what it reads locks the
 * recording's row first (`SELECT … FOR UPDATE`): a segment's row with its lease check, a timeline entry against
 * the recording's state, the start of a finalization, a copy request counted against its limit. Two nodes deciding
 * on one recording at once serialise on that row, as SQLite's single writer serialises them in one process. The
 * lease's grant and release are compare-and-set UPDATEs on the epoch (READ COMMITTED re-checks the condition on
 * the locked row), each with its lease row in the same transaction.
 */
import type pg from 'pg';
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
import { passFence } from './fences-postgres.js';
import { all, inTransaction, one, type Tx } from './tx-postgres.js';

const LOCKED = 'SELECT * FROM recordings WHERE id = $1 FOR UPDATE';
const RELEASE = 'UPDATE recordings SET holder = NULL, lease_expires_at = NULL WHERE id = $1 AND epoch = $2 AND holder IS NOT NULL RETURNING id';
const END_LEASE = 'UPDATE recording_leases SET ended_at = $1, end_reason = $2 WHERE recording_id = $3 AND epoch = $4 AND ended_at IS NULL';
const RENEW = 'UPDATE recordings SET lease_expires_at = $1 WHERE id = $2 AND epoch = $3 AND holder = $4';
const SEEN = 'UPDATE recording_recorders SET last_seen_at = $1 WHERE recording_id = $2 AND recorder_id = $3';

export class PostgresRecordingRepo implements RecordingRepo, AccessLog {
  constructor(private readonly pool: pg.Pool) {}

  /** Runs `fn` in one transaction with the recording's row locked; `fn` gets undefined when there is no such recording. */
  private locked<T>(id: string, fn: (tx: Tx, rec: RecordingRow | undefined) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (tx) => fn(tx, await one<RecordingRow>(tx, LOCKED, [id])));
  }

  private async changed(sql: string, params: unknown[]): Promise<boolean> {
    return ((await this.pool.query(sql, params)).rowCount ?? 0) > 0;
  }

  get(id: string) {
    return one<RecordingRow>(this.pool, 'SELECT * FROM recordings WHERE id = $1', [id]);
  }
  bySession(sessionId: string) {
    return one<RecordingRow>(this.pool, 'SELECT * FROM recordings WHERE session_id = $1', [sessionId]);
  }
  live() {
    return all<RecordingRow>(this.pool, "SELECT * FROM recordings WHERE state IN ('armed', 'recording', 'ending', 'finalizing')");
  }
  recent(filter: { unit: string | null; limit: number }) {
    return all<RecordingRow>(this.pool, 'SELECT * FROM recordings WHERE ($1::text IS NULL OR unit = $1) ORDER BY created_at DESC LIMIT $2', [filter.unit, filter.limit]);
  }
  async insert(rec: NewRecording) {
    await this.pool.query(
      `INSERT INTO recordings (id, session_id, unit, policy, confidential, state, created_at, created_by) VALUES ($1, $2, $3, $4, $5, 'armed', $6, $7)`,
      [rec.id, rec.sessionId, rec.unit, rec.policy, rec.confidential ? 1 : 0, rec.at, rec.by],
    );
  }
  start(id: string, at: string) {
    return this.changed("UPDATE recordings SET state = 'recording', started_at = $1 WHERE id = $2 AND state = 'armed'", [at, id]);
  }
  end(id: string, at: string, by: string) {
    return this.changed("UPDATE recordings SET state = 'ending', ended_at = $1, ended_by = $2 WHERE id = $3 AND state IN ('armed', 'recording')", [at, by, id]);
  }
  finalized(id: string, at: string, manifestSha256: string, fence?: Fence) {
    return inTransaction(this.pool, async (tx) => {
      // First, so the fence's row is locked until commit: a later holder finalizing at once waits, then wins.
      if (fence && !(await passFence(tx, fence))) throw new FenceRefusedError(fence);
      await tx.query("UPDATE recordings SET state = 'finalized', finalized_at = $1, manifest_sha256 = $2, last_error = NULL WHERE id = $3", [at, manifestSha256, id]);
    });
  }
  async failed(id: string, error: string) {
    await this.pool.query('UPDATE recordings SET last_error = $1 WHERE id = $2', [error, id]);
  }

  async renew(id: string, epoch: number, holder: string, expiresAt: number) {
    await this.pool.query(RENEW, [expiresAt, id, epoch, holder]);
  }
  releaseLease(id: string, epoch: number, at: string, reason: 'lapsed' | 'left') {
    return inTransaction(this.pool, async (tx) => {
      const released = (await tx.query(RELEASE, [id, epoch])).rowCount === 1;
      await tx.query(END_LEASE, [at, reason, id, epoch]);
      return released;
    });
  }
  grantLease(id: string, fromEpoch: number, recorderId: string, expiresAt: number, at: string) {
    return inTransaction(this.pool, async (tx) => {
      const granted = await tx.query('UPDATE recordings SET epoch = $1, holder = $2, lease_expires_at = $3 WHERE id = $4 AND epoch = $5', [fromEpoch + 1, recorderId, expiresAt, id, fromEpoch]);
      if (granted.rowCount !== 1) return false;
      await tx.query('INSERT INTO recording_leases (recording_id, epoch, recorder_id, granted_at) VALUES ($1, $2, $3, $4)', [id, fromEpoch + 1, recorderId, at]);
      return true;
    });
  }
  leases(id: string) {
    return all<LeaseRow>(this.pool, 'SELECT * FROM recording_leases WHERE recording_id = $1 ORDER BY epoch', [id]);
  }

  recorder(id: string, recorderId: string) {
    return one<RecorderRow>(this.pool, 'SELECT * FROM recording_recorders WHERE recording_id = $1 AND recorder_id = $2', [id, recorderId]);
  }
  recorders(id: string) {
    return all<RecorderRow>(this.pool, 'SELECT * FROM recording_recorders WHERE recording_id = $1 ORDER BY registered_at, recorder_id', [id]);
  }
  async upsertRecorder(r: NewRecorder) {
    await this.pool.query(
      `INSERT INTO recording_recorders (recording_id, recorder_id, point_id, official, registered_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (recording_id, recorder_id) DO UPDATE SET last_seen_at = $6, left_at = NULL, point_id = COALESCE($3, recording_recorders.point_id)`,
      [r.recordingId, r.recorderId, r.pointId, r.official, r.at, r.now],
    );
  }
  async seen(id: string, recorderId: string, now: number) {
    await this.pool.query(SEEN, [now, id, recorderId]);
  }
  async seenAll(id: string, now: number) {
    await this.pool.query('UPDATE recording_recorders SET last_seen_at = $1 WHERE recording_id = $2 AND left_at IS NULL', [now, id]);
  }
  async leave(id: string, recorderId: string, at: string) {
    await this.pool.query('UPDATE recording_recorders SET left_at = $1 WHERE recording_id = $2 AND recorder_id = $3', [at, id, recorderId]);
  }

  segment(id: string, epoch: number, seq: number) {
    return one<SegmentRow>(this.pool, 'SELECT * FROM recording_segments WHERE recording_id = $1 AND epoch = $2 AND seq = $3', [id, epoch, seq]);
  }
  segments(id: string) {
    return all<SegmentRow>(this.pool, 'SELECT * FROM recording_segments WHERE recording_id = $1 ORDER BY epoch, seq', [id]);
  }
  async epochSeqs(id: string, epoch: number) {
    return (await all<{ seq: number }>(this.pool, 'SELECT seq FROM recording_segments WHERE recording_id = $1 AND epoch = $2 ORDER BY seq', [id, epoch])).map((r) => r.seq);
  }
  async totals(id: string) {
    const t = (await one<{ count: number; bytes: number | null }>(this.pool, 'SELECT COUNT(*) AS count, SUM(bytes) AS bytes FROM recording_segments WHERE recording_id = $1', [id]))!;
    return { count: t.count, bytes: t.bytes ?? 0 };
  }
  insertSegment(s: NewSegment, now: number, leaseUntil: number) {
    return this.locked(s.recordingId, async (tx, rec): Promise<SegmentOutcome> => {
      if (!rec || !holdsLease(rec, s.recorderId, s.epoch, now) || closedForWrites(rec.state)) return 'fenced';
      const inserted = await tx.query(
        `INSERT INTO recording_segments (recording_id, epoch, seq, recorder_id, bytes, sha256, captured_at, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
        [s.recordingId, s.epoch, s.seq, s.recorderId, s.bytes, s.sha256, s.capturedAt, s.receivedAt],
      );
      if (inserted.rowCount !== 1) return 'stored';
      await tx.query(RENEW, [leaseUntil, s.recordingId, s.epoch, s.recorderId]);
      await tx.query(SEEN, [now, s.recordingId, s.recorderId]);
      return 'inserted';
    });
  }

  addTimeline(id: string, rows: NewTimelineRow[], confidential: boolean) {
    return this.locked(id, async (tx, rec) => {
      if (!rec || closedForWrites(rec.state)) return false;
      for (const row of rows) await tx.query('INSERT INTO recording_timeline (recording_id, at, kind, data) VALUES ($1, $2, $3, $4)', [id, row.at, row.kind, row.data]);
      if (confidential) await tx.query('UPDATE recordings SET confidential = 1 WHERE id = $1', [id]);
      return true;
    });
  }
  timeline(id: string) {
    return all<TimelineRow>(this.pool, 'SELECT id, at, kind, data FROM recording_timeline WHERE recording_id = $1 ORDER BY at, id', [id]);
  }
  beginFinalize(id: string, at: string) {
    return this.locked(id, async (tx, rec) => {
      if (!rec || (rec.state !== 'ending' && rec.state !== 'finalizing')) return false;
      await tx.query("UPDATE recordings SET state = 'finalizing' WHERE id = $1", [id]);
      if (rec.holder) {
        await tx.query(END_LEASE, [at, 'ended', id, rec.epoch]);
        await tx.query(RELEASE, [id, rec.epoch]);
      }
      return true;
    });
  }

  requestCopy(recordingId: string, reference: string, id: string, at: string, by: string, max: number) {
    return this.locked(recordingId, async (tx) => {
      const existing = await all<CopyRow>(tx, 'SELECT * FROM recording_copies WHERE recording_id = $1 AND reference = $2 ORDER BY requested_at, id', [recordingId, reference]);
      const open = existing.find((copy) => copy.state !== 'handed_over');
      if (open) return { copy: open, created: false };
      if (existing.length >= max) return 'limit' as const;
      const copy = await one<CopyRow>(
        tx,
        "INSERT INTO recording_copies (id, recording_id, reference, state, requested_at, requested_by) VALUES ($1, $2, $3, 'requested', $4, $5) RETURNING *",
        [id, recordingId, reference, at, by],
      );
      return { copy: copy!, created: true };
    });
  }
  copy(recordingId: string, copyId: string) {
    return one<CopyRow>(this.pool, 'SELECT * FROM recording_copies WHERE recording_id = $1 AND id = $2', [recordingId, copyId]);
  }
  approveCopy(copyId: string, a: CopyApproval) {
    return this.changed(
      `UPDATE recording_copies SET state = 'approved', approved_at = $1, approved_by = $2, checks = $3, "window" = $4, file = $5, bytes = $6, sha256 = $7
       WHERE id = $8 AND state = 'requested'`,
      [a.at, a.by, a.checks, a.window, a.file, a.bytes, a.sha256, copyId],
    );
  }
  handOver(copyId: string, at: string, by: string, handover: string) {
    return this.changed("UPDATE recording_copies SET state = 'handed_over', handed_over_at = $1, handed_over_by = $2, handover = $3 WHERE id = $4 AND state = 'approved'", [at, by, handover, copyId]);
  }

  async append(e: NewAccess) {
    await this.pool.query(
      'INSERT INTO recording_access (at, recording_id, actor, role, action, outcome, status, ip, user_agent, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      [e.at, e.recording_id, e.actor, e.role, e.action, e.outcome, e.status, e.ip, e.user_agent, e.detail],
    );
  }
  list(filter: { recordingId: string | null; limit: number }) {
    return all<AccessRow>(this.pool, 'SELECT * FROM recording_access WHERE ($1::text IS NULL OR recording_id = $1) ORDER BY id DESC LIMIT $2', [filter.recordingId, filter.limit]);
  }
}
