/**
 * The coordinator's election against the real server with short leases (600 ms, heartbeats every 150 ms):
 * one active recorder and standbys, renewal, failover after the lease lapses within the 5 s goal with the gap
 * in the manifest, a fenced (stale) recorder's writes refused, the alarm of a mandatory recording left without
 * a recorder, and the start refused without one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { recordingOf, type RecordingEvent } from '../src/index.js';
import { removeDir, token, type TestServer } from './helpers.js';
import { call, chunks, endAndFinalize, FAST_RECORDING, keysFile, makeWebm, openRecording, Recorder, recordingDir, runRecipe, runVerify, sleep, startRecordingServer, waitFor } from './recording-helpers.js';

const FAILOVER_GOAL_MS = 5000;
let t: TestServer;

before(async () => {
  makeWebm(6);
  makeWebm(4, 'smptebars');
  t = await startRecordingServer();
});
after(async () => {
  await t.close();
  removeDir(t.dataDir);
});

function events(sessionId: string): RecordingEvent[] {
  const seen: RecordingEvent[] = [];
  recordingOf(t.server.app)!.events.subscribe(sessionId, (e) => seen.push(e));
  return seen;
}

describe('lease election', () => {
  it('elects the first recorder, keeps the second as standby, and renews the lease by heartbeat beyond its duration', async () => {
    const id = await openRecording(t, 'lease-elect');
    const a = await Recorder.create(t, id, 'a');
    const b = await Recorder.create(t, id, 'b');
    assert.equal((await a.register()).role, 'active');
    assert.equal((await b.register()).role, 'standby');
    a.beat(FAST_RECORDING.heartbeatMs);
    b.beat(FAST_RECORDING.heartbeatMs);
    try {
      await sleep(FAST_RECORDING.leaseMs * 4);
      const status = (await call(t, await token(t, 'operator'), 'GET', `/recordings/${id}`)).body.recording;
      assert.equal(status.holder.recorderId, 'a');
      assert.equal(status.epoch, 1);
      assert.deepEqual(status.standbys.map((s: any) => [s.recorderId, s.alive]), [['b', true]]);
      assert.equal(status.alarm, null);
      assert.equal((await a.heartbeat()).role, 'active');
      assert.equal((await b.heartbeat()).role, 'standby');
    } finally {
      a.stopBeating();
      b.stopBeating();
    }
  });

  it('fails over to the standby when the lease lapses, within the goal; the stale recorder is fenced; the gap is in the manifest', async () => {
    const sessionId = 'lease-failover';
    const seen = events(sessionId);
    const id = await openRecording(t, sessionId);
    const a = await Recorder.create(t, id, 'a');
    const b = await Recorder.create(t, id, 'b');
    await a.register();
    await b.register();
    const streamA = chunks(makeWebm(6), 8000);
    const streamB = chunks(makeWebm(4, 'smptebars'), 8000);
    b.beat(FAST_RECORDING.heartbeatMs);
    try {
      for (let seq = 0; seq < 4; seq += 1) assert.equal((await a.send(seq, streamA[seq]!)).status, 200);
      // A dies: no more heartbeats, no more chunks.
      const diedAt = Date.now();
      const elected = await waitFor(
        () => seen.find((e): e is Extract<typeof e, { type: 'recorder.elected' }> => e.type === 'recorder.elected' && e.recorderId === 'b'),
        FAILOVER_GOAL_MS + 1000,
        'b elected',
      );
      const failoverMs = Date.parse(elected.at) - diedAt;
      assert.ok(failoverMs <= FAILOVER_GOAL_MS, `failover took ${failoverMs} ms`);
      assert.ok(failoverMs >= FAST_RECORDING.leaseMs - 50, `not before the lease lapsed (${failoverMs} ms)`);
      assert.ok(seen.some((e) => e.type === 'recorder.lost' && e.recorderId === 'a' && e.reason === 'lapsed'));
      assert.equal(elected.epoch, 2);

      const beat = await b.heartbeat();
      assert.equal(beat.role, 'active');
      assert.equal(beat.epoch, 2);
      assert.deepEqual(beat.resume, { epoch: 2, nextSeq: 0, storedAbove: [], missing: [] });
      for (const [seq, part] of streamB.entries()) assert.equal((await b.send(seq, part)).status, 200);

      // A comes back from its partition and tries to go on under its old epoch: fenced.
      const stale = await a.send(4, streamA[4]!, { epoch: 1 });
      assert.equal(stale.status, 409);
      assert.equal(stale.body.error.code, 'lease_lost');
      assert.equal(typeof stale.body.error.message.en, 'string');
      // Nor can it write into the new epoch.
      const forged = await a.send(99, streamA[4]!, { epoch: 2 });
      assert.equal(forged.body.error.code, 'lease_lost');
      assert.equal((await a.heartbeat()).role, 'standby');
      assert.equal(t.db.prepare('SELECT COUNT(*) FROM recording_segments WHERE recording_id = ? AND recorder_id = ?').pluck().get(id, 'a'), 4);
    } finally {
      b.stopBeating();
    }

    await endAndFinalize(t, id);
    const dir = recordingDir(t, id);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.deepEqual(manifest.leases.map((l: any) => [l.epoch, l.recorderId, l.endReason]), [[1, 'a', 'lapsed'], [2, 'b', 'ended']]);
    assert.deepEqual(manifest.failovers.map((f: any) => [f.fromRecorder, f.toRecorder, f.endReason]), [['a', 'b', 'lapsed']]);
    const gap = manifest.gaps.find((g: any) => g.kind === 'failover');
    assert.ok(gap, JSON.stringify(manifest.gaps));
    assert.equal(gap.fromEpoch, 1);
    assert.equal(gap.toEpoch, 2);
    assert.ok(gap.durationMs >= FAST_RECORDING.leaseMs - 50, `gap ${gap.durationMs} ms`);
    assert.equal(manifest.segments.length, 4 + streamB.length);
    const verified = await runVerify([dir, '--keys', await keysFile(t)]);
    assert.equal(verified.code, 0, verified.stdout);
    assert.match(verified.stdout, /decode lease 1/u);
    assert.match(verified.stdout, /decode lease 2/u);
    // The interrupted lease ends early, and the manifest's gap says so: the common-tools recipe passes it too.
    const recipe = await runRecipe(dir, manifest.signing.keyId);
    assert.equal(recipe.code, 0, recipe.out);
    assert.match(recipe.out, /^VERIFIED$/mu);
  });

  it('a lease lost after its last segment, with a successor that recorded nothing: the gap says the stream stops there, and both verifiers pass it', async () => {
    const sessionId = 'lease-tail';
    const seen = events(sessionId);
    const id = await openRecording(t, sessionId);
    const a = await Recorder.create(t, id, 'a');
    const b = await Recorder.create(t, id, 'b');
    await a.register();
    await b.register();
    b.beat(FAST_RECORDING.heartbeatMs);
    try {
      const stream = chunks(makeWebm(6), 8000);
      for (let seq = 0; seq < 4; seq += 1) assert.equal((await a.send(seq, stream[seq]!)).status, 200);
      await waitFor(() => seen.find((e) => e.type === 'recorder.elected' && e.recorderId === 'b'), FAILOVER_GOAL_MS + 5000, 'b elected');
    } finally {
      b.stopBeating();
    }
    await endAndFinalize(t, id);
    const dir = recordingDir(t, id);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const tail = manifest.gaps.find((g: any) => g.kind === 'no_recorder');
    assert.equal(tail?.afterEpoch, 1, JSON.stringify(manifest.gaps));
    assert.deepEqual(manifest.streams.map((x: any) => [x.epoch, x.complete]), [[1, false]]);
    const verified = await runVerify([dir, '--keys', await keysFile(t)]);
    assert.equal(verified.code, 0, verified.stdout);
    assert.match(verified.stdout, /decode lease 1: \d+ packets, ends early as the manifest's gap says/u);
    const recipe = await runRecipe(dir, manifest.signing.keyId);
    assert.equal(recipe.code, 0, recipe.out);
  });

  it('raises the alarm at once when a mandatory recording loses its only recorder, clears it when one comes back', async () => {
    const sessionId = 'lease-alarm';
    const seen = events(sessionId);
    const id = await openRecording(t, sessionId);
    const a = await Recorder.create(t, id, 'a');
    await a.register();
    await call(t, await token(t, 'clerk'), 'POST', `/recordings/${id}/start`);
    const alarm = await waitFor(() => seen.find((e) => e.type === 'recording.alarm'), FAILOVER_GOAL_MS, 'alarm');
    assert.equal(alarm.type === 'recording.alarm' && alarm.code, 'no_recorder');
    const status = (await call(t, await token(t, 'official'), 'GET', `/recordings/by-session/${sessionId}`)).body.recording;
    assert.equal(status.alarm.code, 'no_recorder');
    assert.equal(status.holder, null);
    assert.equal(status.state, 'recording', 'losing the recorder does not stop the recording');

    const back = await a.heartbeat();
    assert.equal(back.role, 'active');
    assert.equal(back.epoch, 2);
    assert.ok(seen.some((e) => e.type === 'recording.alarm_cleared'));
    assert.equal((await call(t, await token(t, 'official'), 'GET', `/recordings/${id}`)).body.recording.alarm, null);
  });

  it('refuses to start a mandatory session without an active recorder; an optional one starts', async () => {
    const clerk = await token(t, 'clerk');
    const id = await openRecording(t, 'lease-start');
    const refused = await call(t, clerk, 'POST', `/recordings/${id}/start`);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'recorder_required');
    assert.equal(await recordingOf(t.server.app)!.coordinator.canStart('lease-start'), false);
    const a = await Recorder.create(t, id, 'a');
    await a.register();
    assert.equal(await recordingOf(t.server.app)!.coordinator.canStart('lease-start'), true);
    const started = await call(t, clerk, 'POST', `/recordings/${id}/start`);
    assert.equal(started.status, 200);
    assert.equal(started.body.recording.state, 'recording');

    const optional = await openRecording(t, 'lease-start-optional', { policy: 'optional' });
    assert.equal((await call(t, clerk, 'POST', `/recordings/${optional}/start`)).status, 200);
  });

  it('a recorder that leaves hands over at once, without waiting for the lease to lapse', async () => {
    const id = await openRecording(t, 'lease-leave');
    const a = await Recorder.create(t, id, 'a');
    const b = await Recorder.create(t, id, 'b');
    await a.register();
    await b.register();
    const res = await call(t, a.bearer, 'POST', `/recordings/${id}/recorders/a/leave`);
    assert.equal(res.body.role, 'standby');
    assert.equal((await b.heartbeat()).role, 'active');
    const leases = (await call(t, await token(t, 'chair'), 'GET', `/recordings/${id}`)).body.recording.leases;
    assert.deepEqual(leases.map((l: any) => [l.recorderId, l.endReason]), [['a', 'left'], ['b', null]]);
  });
});
