/**
 * The recording store's contract (recording/repo.ts), run by store-contract.test.ts against every store that
 * provides it: the fencing of segments by the lease epoch, compare-and-set grants and releases, one row for a
 * chunk stored twice at once, the timeline closed once finalizing, copy requests bounded. The concurrent cases run
 * their calls together (Promise.all): on PostgreSQL they are on different connections, so the row locks decide.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { RecordingRepo } from '../src/recording/repo.js';

const SHA = 'a'.repeat(64);
const LEASE_MS = 60_000;

async function opened(repo: RecordingRepo, unit = 'dongthap.sadec'): Promise<string> {
  const id = `rec_${randomUUID()}`;
  await repo.insert({ id, sessionId: `s-${randomUUID()}`, unit, policy: 'mandatory', confidential: false, at: new Date().toISOString(), by: 'chair-1' });
  return id;
}

/** A recording whose lease of epoch 1 `recorderId` holds until now + LEASE_MS. */
async function leased(repo: RecordingRepo, recorderId = 'rec-a'): Promise<{ id: string; now: number }> {
  const id = await opened(repo);
  const now = Date.now();
  await repo.upsertRecorder({ recordingId: id, recorderId, pointId: 'p1', official: 'op-1', at: new Date(now).toISOString(), now });
  assert.equal(await repo.grantLease(id, 0, recorderId, now + LEASE_MS, new Date(now).toISOString()), true);
  return { id, now };
}

const segment = (recordingId: string, seq: number, epoch = 1, recorderId = 'rec-a', sha256 = SHA) => ({ recordingId, epoch, seq, recorderId, bytes: 10, sha256, capturedAt: null, receivedAt: new Date().toISOString() });

export function recordingStoreContract(repo: () => RecordingRepo): void {
  describe('recordings', () => {
    test('one recording per session: a second insert for the session throws, the first stands', async () => {
      const r = repo();
      const id = await opened(r);
      const rec = (await r.get(id))!;
      assert.equal(rec.state, 'armed');
      assert.equal(rec.epoch, 0);
      await assert.rejects(r.insert({ id: `rec_${randomUUID()}`, sessionId: rec.session_id, unit: rec.unit, policy: 'optional', confidential: false, at: rec.created_at, by: 'x' }));
      assert.equal((await r.bySession(rec.session_id))!.id, id);
      assert.ok((await r.live()).some((l) => l.id === id));
      assert.ok((await r.recent({ unit: rec.unit, limit: 500 })).some((l) => l.id === id));
      assert.equal((await r.recent({ unit: 'no.such.unit', limit: 10 })).length, 0);
    });

    test('state changes are compare-and-set: start once, end once', async () => {
      const r = repo();
      const id = await opened(r);
      const at = new Date().toISOString();
      assert.deepEqual(await Promise.all([r.start(id, at), r.start(id, at)]).then((v) => v.sort()), [false, true]);
      assert.equal(await r.end(id, at, 'chair-1'), true);
      assert.equal(await r.end(id, at, 'chair-1'), false);
      assert.equal((await r.get(id))!.state, 'ending');
    });

    test('a lease is granted once per epoch: of two grants from the same epoch at once, one wins', async () => {
      const r = repo();
      const id = await opened(r);
      const now = Date.now();
      const at = new Date(now).toISOString();
      const results = await Promise.all([r.grantLease(id, 0, 'rec-a', now + LEASE_MS, at), r.grantLease(id, 0, 'rec-b', now + LEASE_MS, at)]);
      assert.deepEqual([...results].sort(), [false, true]);
      const rec = (await r.get(id))!;
      assert.equal(rec.epoch, 1);
      assert.equal(rec.holder, results[0] ? 'rec-a' : 'rec-b');
      assert.deepEqual((await r.leases(id)).map((l) => [l.epoch, l.recorder_id]), [[1, rec.holder]]);
    });

    test('segments are fenced by the lease: the holder of the epoch is stored and renewed; another epoch, another recorder or a lapsed lease is not', async () => {
      const r = repo();
      const { id, now } = await leased(r);
      assert.equal(await r.insertSegment(segment(id, 0), now, now + 2 * LEASE_MS), 'inserted');
      assert.equal((await r.get(id))!.lease_expires_at, now + 2 * LEASE_MS, 'an accepted segment renews the lease');
      assert.equal(await r.insertSegment(segment(id, 1, 2), now, now + LEASE_MS), 'fenced', 'a later epoch nobody holds');
      assert.equal(await r.insertSegment(segment(id, 1, 1, 'rec-b'), now, now + LEASE_MS), 'fenced', 'not the holder');
      assert.equal(await r.insertSegment(segment(id, 1), now + 3 * LEASE_MS, now + 4 * LEASE_MS), 'fenced', 'the lease has lapsed');
      assert.equal(await r.insertSegment(segment(id, 0, 1, 'rec-a', 'b'.repeat(64)), now, now + LEASE_MS), 'stored', 'the place is taken: the first row stands');
      assert.equal((await r.segment(id, 1, 0))!.sha256, SHA);
      assert.equal(await r.insertSegment(segment(id, 2), now, now + LEASE_MS), 'inserted');
      assert.deepEqual(await r.epochSeqs(id, 1), [0, 2]);
      assert.deepEqual(await r.totals(id), { count: 2, bytes: 20 });
      assert.deepEqual((await r.segments(id)).map((s) => s.seq), [0, 2]);
    });

    test('the same chunk stored twice at once (two nodes) makes one row: one call inserts, the others find it stored', async () => {
      const r = repo();
      const { id, now } = await leased(r);
      const outcomes = await Promise.all(Array.from({ length: 4 }, () => r.insertSegment(segment(id, 7), now, now + LEASE_MS)));
      assert.deepEqual([...outcomes].sort(), ['inserted', 'stored', 'stored', 'stored']);
      assert.deepEqual(await r.epochSeqs(id, 1), [7]);
    });

    test('a lease ends once: of two releases at once, one ends it and writes why; the next epoch can then be granted', async () => {
      const r = repo();
      const { id, now } = await leased(r);
      const at = new Date(now).toISOString();
      assert.deepEqual((await Promise.all([r.releaseLease(id, 1, at, 'lapsed'), r.releaseLease(id, 1, at, 'lapsed')])).sort(), [false, true]);
      const rec = (await r.get(id))!;
      assert.equal(rec.holder, null);
      assert.equal(await r.insertSegment(segment(id, 0), now, now + LEASE_MS), 'fenced');
      assert.deepEqual((await r.leases(id)).map((l) => [l.epoch, l.end_reason]), [[1, 'lapsed']]);
      assert.equal(await r.grantLease(id, 0, 'rec-b', now + LEASE_MS, at), false, 'a grant from a stale epoch');
      assert.equal(await r.grantLease(id, 1, 'rec-b', now + LEASE_MS, at), true);
      assert.equal(await r.insertSegment(segment(id, 0, 2, 'rec-b'), now, now + LEASE_MS), 'inserted');
    });

    test('recorders: registered, seen, left, and back on a re-registration', async () => {
      const r = repo();
      const { id, now } = await leased(r);
      await r.seen(id, 'rec-a', now + 5);
      assert.equal((await r.recorder(id, 'rec-a'))!.last_seen_at, now + 5);
      await r.leave(id, 'rec-a', new Date().toISOString());
      assert.notEqual((await r.recorder(id, 'rec-a'))!.left_at, null);
      await r.seenAll(id, now + 10);
      assert.equal((await r.recorder(id, 'rec-a'))!.last_seen_at, now + 5, 'a recorder that left is not seen by seenAll');
      await r.upsertRecorder({ recordingId: id, recorderId: 'rec-a', pointId: null, official: 'op-1', at: new Date().toISOString(), now: now + 20 });
      const back = (await r.recorder(id, 'rec-a'))!;
      assert.equal(back.left_at, null);
      assert.equal(back.point_id, 'p1', 'the point is kept when a re-registration names none');
      assert.deepEqual((await r.recorders(id)).map((x) => x.recorder_id), ['rec-a']);
    });

    test('finalizing: ends the held lease, closes the timeline and segments; a failure is noted, the manifest hash ends it', async () => {
      const r = repo();
      const { id, now } = await leased(r);
      const at = new Date(now).toISOString();
      assert.equal(await r.addTimeline(id, [{ at, kind: 'case', data: '{"reference":"X"}' }], true), true);
      assert.equal((await r.get(id))!.confidential, 1);
      assert.equal(await r.beginFinalize(id, at), false, 'not ended yet');
      await r.end(id, at, 'chair-1');
      assert.equal(await r.beginFinalize(id, at), true);
      const rec = (await r.get(id))!;
      assert.equal(rec.state, 'finalizing');
      assert.equal(rec.holder, null);
      assert.deepEqual((await r.leases(id)).map((l) => l.end_reason), ['ended']);
      assert.equal(await r.addTimeline(id, [{ at, kind: 'mark', data: '{}' }], false), false);
      assert.equal(await r.insertSegment(segment(id, 0), now, now + LEASE_MS), 'fenced');
      assert.deepEqual((await r.timeline(id)).map((t) => t.kind), ['case']);
      await r.failed(id, 'tsa down');
      assert.equal((await r.get(id))!.last_error, 'tsa down');
      await r.finalized(id, at, 'c'.repeat(64));
      const done = (await r.get(id))!;
      assert.deepEqual([done.state, done.manifest_sha256, done.last_error], ['finalized', 'c'.repeat(64), null]);
    });

    test("finalized under the finalization lock's epoch: the later holder's stands, an earlier holder's is refused and writes nothing", async () => {
      const r = repo();
      const { id, now } = await leased(r);
      const at = new Date(now).toISOString();
      await r.end(id, at, 'chair-1');
      assert.equal(await r.beginFinalize(id, at), true);
      const name = `recording:${id}:finalize`;
      const later = new Date(now + 1000).toISOString();
      await r.finalized(id, later, 'b'.repeat(64), { name, epoch: 2 });
      await assert.rejects(r.finalized(id, at, 'c'.repeat(64), { name, epoch: 1 }), (error: Error) => error.name === 'FenceRefusedError' && /later holder/u.test(error.message));
      const done = (await r.get(id))!;
      assert.deepEqual([done.state, done.finalized_at, done.manifest_sha256], ['finalized', later, 'b'.repeat(64)], "the later holder's manifest hash and time are kept");
      await r.finalized(id, later, 'b'.repeat(64), { name, epoch: 2 });
      assert.equal((await r.get(id))!.manifest_sha256, 'b'.repeat(64), 'the same holder may finish again (a retry)');
    });

    test("citizens' copies: concurrent requests make one, a limit is kept, approve and hand over are compare-and-set", async () => {
      const r = repo();
      const id = await opened(r);
      const at = new Date().toISOString();
      const asks = await Promise.all([1, 2, 3].map((n) => r.requestCopy(id, 'REF-1', `copy_${n}_${randomUUID()}`, at, 'citizen:REF-1', 2)));
      const created = asks.filter((a) => a !== 'limit' && a.created);
      assert.equal(created.length, 1);
      const copy = (created[0] as { copy: { id: string } }).copy;
      assert.ok(asks.every((a) => a !== 'limit' && a.copy.id === copy.id));
      const approval = { at, by: 'chair-1', checks: '{}', window: '{"fromSeconds":0,"toSeconds":1}', file: 'x.webm', bytes: 5, sha256: SHA };
      assert.equal(await r.approveCopy(copy.id, approval), true);
      assert.equal(await r.approveCopy(copy.id, approval), false);
      assert.equal((await r.copy(id, copy.id))!.window, approval.window);
      assert.equal(await r.handOver(copy.id, at, 'chair-1', '{}'), true);
      assert.equal(await r.handOver(copy.id, at, 'chair-1', '{}'), false);
      const second = await r.requestCopy(id, 'REF-1', `copy_${randomUUID()}`, at, 'citizen:REF-1', 2);
      assert.ok(second !== 'limit' && second.created);
      await r.approveCopy(second.copy.id, approval);
      await r.handOver(second.copy.id, at, 'chair-1', '{}');
      assert.equal(await r.requestCopy(id, 'REF-1', `copy_${randomUUID()}`, at, 'citizen:REF-1', 2), 'limit');
    });
  });
}
