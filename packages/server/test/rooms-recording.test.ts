/**
 * The rooms and the recording together, against the real server with short leases: a session that must be
 * recorded does not open without an active recorder (`recorder_required`), opening it starts the recording,
 * the coordinator's events reach the room (state to everyone; recorder changes and alarms to officials only),
 * and the head's `room.end` ends the recording, which is then finalized. The recorder is a synthetic HTTP client.
 * From issue 9: a recorder waits for a session before anything exists, and the room's opening creates the
 * recording, elects it and starts it; a citizen is not admitted while a mandatory recording is not active; the
 * recorder in the room is hidden and receive-only but exchanges signals with everyone it records.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { removeDir, token, type TestServer } from './helpers.js';
import { call, chunks, FAST_RECORDING, makeWebm, openRecording, Recorder, waitFor } from './recording-helpers.js';
import { citizenToken, FAST_ROOMS, joinOfficial, newSessionId, officialToken, TestClient } from './rooms-helpers.js';
import { startServer, testConfig } from './helpers.js';
import { openSession } from './schedule-helpers.js';

let t: TestServer;
const PRACTICE = 'phong-thu-e2e';

before(async () => {
  makeWebm(3);
  const values = { rooms: FAST_ROOMS, recording: { ...FAST_RECORDING, practiceRooms: [PRACTICE] } };
  t = await startServer(values, testConfig(values));
});
after(async () => {
  await t.close();
  removeDir(t.dataDir);
});

async function joinCitizen(sessionId: string, reference: string): Promise<TestClient> {
  const client = await TestClient.open(t);
  const reply = await client.hello({ sessionId, auth: { kind: 'citizen', token: await citizenToken(t, sessionId, reference) } });
  assert.equal(reply.type, 'result', JSON.stringify(reply.error));
  return client;
}

async function status(recordingId: string): Promise<any> {
  const res = await call(t, await token(t, 'chair'), 'GET', `/recordings/${recordingId}`);
  assert.equal(res.status, 200);
  return res.body.recording;
}

describe('rooms and recording', () => {
  it('refuses room.open with recorder_required until a recorder is active, then opens and starts the recording', async () => {
    const sessionId = newSessionId('rec-open');
    const recordingId = await openRecording(t, sessionId);
    const clerk = await joinOfficial(t, sessionId, 'clerk');
    const refused = await clerk.request('room.open');
    assert.equal(refused.type, 'error');
    assert.equal(refused.error.code, 'recorder_required');
    assert.equal(refused.error.message.vi.length > 0, true);
    assert.equal((await status(recordingId)).state, 'armed');

    const recorder = await Recorder.create(t, recordingId, 'open-a');
    assert.equal((await recorder.register()).role, 'active');
    recorder.beat(FAST_RECORDING.heartbeatMs);
    try {
      const opened = await clerk.request('room.open');
      assert.equal(opened.type, 'result', JSON.stringify(opened.error));
      assert.equal((await status(recordingId)).state, 'recording');
      const state = await clerk.event('recording.state', (e) => e.state === 'recording');
      assert.equal(state.state, 'recording');
    } finally {
      recorder.stopBeating();
      clerk.close();
    }
  });

  it('opens a session without a recording of its own when it is not a scheduled session (no gate)', async () => {
    const sessionId = newSessionId('rec-none');
    const clerk = await joinOfficial(t, sessionId, 'clerk');
    const opened = await clerk.request('room.open');
    assert.equal(opened.type, 'result', JSON.stringify(opened.error));
    assert.equal((await clerk.ok('roster.get')).state, 'open');
    assert.equal((await clerk.ok('roster.get')).recording, undefined);
    clerk.close();
  });

  it('tells officials who records and raises the alarm when the recorder is lost; citizens see only the state', async () => {
    const sessionId = newSessionId('rec-events');
    const recordingId = await openRecording(t, sessionId);
    const a = await Recorder.create(t, recordingId, 'ev-a');
    const b = await Recorder.create(t, recordingId, 'ev-b');
    const chair = await joinOfficial(t, sessionId, 'chair');
    const operator = await joinOfficial(t, sessionId, 'operator');
    const citizen = await joinCitizen(sessionId, 'TCD-REC-0001');
    try {
      assert.equal((await a.register()).role, 'active');
      const elected = await chair.event('recording.recorder', (e) => e.change === 'elected' && e.recorderId === 'ev-a');
      assert.equal(elected.epoch, 1);
      a.beat(FAST_RECORDING.heartbeatMs);
      assert.equal((await chair.request('room.open')).type, 'result');
      await citizen.event('recording.state', (e) => e.state === 'recording');

      // The holder dies with no standby: the alarm goes to officials at once (the recording does not stop).
      a.stopBeating();
      const alarm = await operator.event('recording.alarm', () => true, FAST_RECORDING.leaseMs * 4);
      assert.equal(alarm.alarm.code, 'no_recorder');
      const lost = await chair.event('recording.recorder', (e) => e.change === 'lost');
      assert.deepEqual([lost.recorderId, lost.reason, lost.epoch], ['ev-a', 'lapsed', 1]);
      // A late official sees the alarm in the snapshot; a citizen sees the state and nothing else.
      const late = await joinOfficial(t, sessionId, 'official');
      const lateHello = late.frames.find((f) => f.type === 'result')!;
      assert.equal(lateHello.result.room.recording.state, 'recording');
      assert.equal(lateHello.result.room.recording.alarm.code, 'no_recorder');
      const roster = await citizen.ok('roster.get');
      assert.deepEqual(roster.recording, { state: 'recording' });

      // Another recorder joins: elected at epoch 2, the alarm clears.
      assert.equal((await b.register()).role, 'active');
      b.beat(FAST_RECORDING.heartbeatMs);
      await chair.event('recording.alarm_cleared');
      const second = await chair.event('recording.recorder', (e) => e.change === 'elected' && e.recorderId === 'ev-b');
      assert.equal(second.epoch, 2);
      late.close();

      // Citizens never receive recorder internals.
      const citizenTypes = new Set(citizen.frames.filter((f) => f.type === 'event').map((f) => f.event.type));
      for (const internal of ['recording.recorder', 'recording.alarm', 'recording.alarm_cleared']) assert.equal(citizenTypes.has(internal), false, internal);
      assert.equal(citizenTypes.has('recording.state'), true);
    } finally {
      a.stopBeating();
      b.stopBeating();
      for (const c of [chair, operator, citizen]) c.close();
    }
  });

  it("ends the recording with the head's room.end; the segments drain and the recording is finalized", async () => {
    const sessionId = newSessionId('rec-end');
    const recordingId = await openRecording(t, sessionId);
    const recorder = await Recorder.create(t, recordingId, 'end-a');
    const chair = await joinOfficial(t, sessionId, 'chair');
    const citizen = await joinCitizen(sessionId, 'TCD-REC-0002');
    try {
      assert.equal((await recorder.register()).role, 'active');
      recorder.beat(FAST_RECORDING.heartbeatMs);
      assert.equal((await chair.request('room.open')).type, 'result');
      const parts = chunks(makeWebm(3), 16 * 1024);
      for (const [seq, part] of parts.entries()) assert.equal((await recorder.send(seq, part)).status, 200);

      // A clerk cannot end (room permission); the recording keeps going.
      const clerk = await joinOfficial(t, sessionId, 'clerk');
      assert.equal((await clerk.request('room.end')).error?.code, 'forbidden');
      assert.equal((await status(recordingId)).state, 'recording');

      assert.equal((await chair.request('room.end')).type, 'result');
      const ending = (await status(recordingId)).state;
      assert.ok(['ending', 'finalizing', 'finalized'].includes(ending), ending);
      const citizenEnded = await citizen.closed;
      assert.equal(citizenEnded.code > 0, true);
      const done = await waitFor(async () => {
        const s = await status(recordingId);
        return s.state === 'finalized' ? s : undefined;
      }, 20_000, 'finalized');
      assert.equal(done.segments.count, parts.length);
      assert.equal(done.endedAt !== null, true);
      clerk.close();
    } finally {
      recorder.stopBeating();
      chair.close();
    }
  });

  it('records a practice room (settings practiceRooms) like a scheduled session: closed without a recorder, mandatory once opened', async () => {
    const clerk = await joinOfficial(t, PRACTICE, 'clerk');
    const refused = await clerk.request('room.open');
    assert.equal(refused.error?.code, 'recorder_required');
    assert.equal((await call(t, await token(t, 'chair'), 'GET', `/recordings/by-session/${PRACTICE}`)).status, 404);
    const operator = await token(t, 'operator', undefined, undefined, 'operator.practice');
    const wait = () => call(t, operator, 'POST', `/recordings/sessions/${PRACTICE}/recorders`, { recorderId: 'practice-a', pointId: 'sadec-ubnd' });
    assert.equal((await wait()).status, 200);
    try {
      const opened = await clerk.request('room.open');
      assert.equal(opened.type, 'result', JSON.stringify(opened.error));
      const recording = (await call(t, operator, 'GET', `/recordings/by-session/${PRACTICE}`)).body.recording;
      assert.deepEqual([recording.policy, recording.state], ['mandatory', 'recording']);
    } finally {
      clerk.close();
    }
  });

  it('keeps a scheduled session closed without a recording when recording is mandatory by default', async () => {
    const sessionId = await openSession(t);
    const clerk = await joinOfficial(t, sessionId, 'clerk');
    const refused = await clerk.request('room.open');
    assert.equal(refused.error?.code, 'recorder_required');
    clerk.close();
  });

  it('a recorder waits for a session before anything is opened; room.open creates the recording, elects it and starts it', async () => {
    const sessionId = newSessionId('rec-wait');
    const operator = await token(t, 'operator', undefined, undefined, 'operator.waiting');
    const wait = () => call(t, operator, 'POST', `/recordings/sessions/${sessionId}/recorders`, { recorderId: 'wait-a', pointId: 'sadec-ubnd' });
    const first = await wait();
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual([first.body.recordingId, first.body.state], [null, 'waiting']);
    assert.equal((await call(t, operator, 'GET', `/recordings/by-session/${sessionId}`)).status, 404, 'nothing is created by waiting');
    const beating = setInterval(() => void wait(), FAST_RECORDING.heartbeatMs);
    const clerk = await joinOfficial(t, sessionId, 'clerk');
    try {
      const opened = await clerk.request('room.open');
      assert.equal(opened.type, 'result', JSON.stringify(opened.error));
      await clerk.event('recording.state', (e) => e.state === 'recording');
      const elected = await clerk.event('recording.recorder', (e) => e.change === 'elected');
      assert.deepEqual([elected.recorderId, elected.epoch], ['wait-a', 1]);
      const after = await wait();
      assert.equal(after.body.state, 'recording');
      const status = (await call(t, operator, 'GET', `/recordings/${after.body.recordingId}`)).body.recording;
      assert.equal(status.holder.recorderId, 'wait-a');
      assert.equal(status.policy, 'mandatory');
      // The waiting recorder holds the lease: its per-recording heartbeat says so.
      const beat = await call(t, operator, 'POST', `/recordings/${after.body.recordingId}/recorders/wait-a/heartbeat`);
      assert.deepEqual([beat.body.role, beat.body.epoch], ['active', 1]);
    } finally {
      clearInterval(beating);
      clerk.close();
    }
  });

  it('refuses waiting to a role that may not record, and for a session of another unit', async () => {
    const sessionId = await openSession(t);
    const observer = await token(t, 'observer');
    assert.equal((await call(t, observer, 'POST', `/recordings/sessions/${sessionId}/recorders`, { recorderId: 'x' })).status, 403);
    const other = await token(t, 'operator', 'dongthap.caolanh');
    assert.equal((await call(t, other, 'POST', `/recordings/sessions/${sessionId}/recorders`, { recorderId: 'x' })).status, 403);
    const bad = await call(t, await token(t, 'operator'), 'POST', `/recordings/sessions/${sessionId}/recorders`, { recorderId: 'x y' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.fields[0].path, 'recorderId');
  });

  it('does not admit a citizen while a mandatory recording has no recorder recording it, and says why', async () => {
    const sessionId = newSessionId('rec-admit');
    const recordingId = await openRecording(t, sessionId);
    const recorder = await Recorder.create(t, recordingId, 'admit-a');
    const clerk = await joinOfficial(t, sessionId, 'clerk');
    const citizen = await joinCitizen(sessionId, 'TCD-REC-0003');
    try {
      assert.equal((await recorder.register()).role, 'active');
      recorder.beat(FAST_RECORDING.heartbeatMs);
      assert.equal((await clerk.request('room.open')).type, 'result');
      // The recorder dies: nobody records, so nobody is admitted.
      recorder.stopBeating();
      await clerk.event('recording.alarm', () => true, FAST_RECORDING.leaseMs * 4);
      const refused = await clerk.request('lobby.admit', { participantId: citizen.participantId });
      assert.equal(refused.type, 'error');
      assert.equal(refused.error.code, 'recording_not_active');
      assert.match(refused.error.message.vi, /ghi hình/u);
      assert.match(refused.error.message.en, /recorded/u);
      assert.equal((await citizen.ok('roster.get')).participants.find((p: any) => p.participantId === citizen.participantId).status, 'lobby');
      // It comes back: the citizen is admitted.
      recorder.beat(FAST_RECORDING.heartbeatMs);
      await clerk.event('recording.alarm_cleared', () => true, FAST_RECORDING.leaseMs * 4);
      const admitted = await clerk.request('lobby.admit', { participantId: citizen.participantId });
      assert.equal(admitted.type, 'result', JSON.stringify(admitted.error));
    } finally {
      recorder.stopBeating();
      clerk.close();
      citizen.close();
    }
  });

  it('the recorder in the room is hidden and receive-only, and signals go both ways between it and those it records', async () => {
    const sessionId = newSessionId('rec-hidden');
    const clerk = await joinOfficial(t, sessionId, 'clerk');
    const citizen = await joinCitizen(sessionId, 'TCD-REC-0004');
    const recorderClient = await TestClient.open(t);
    const hello = await recorderClient.hello({ sessionId, auth: { kind: 'official', token: await officialToken(t, 'operator') }, recorder: { recorderId: 'room-rec' } });
    try {
      assert.equal(hello.type, 'result', JSON.stringify(hello.error));
      assert.equal(hello.result.role, 'recorder');
      assert.equal(hello.result.status, 'present');
      // The recorder sees the clerk and the citizen waiting; nobody sees the recorder.
      assert.deepEqual(hello.result.room.participants.map((p: any) => p.role).sort(), ['citizen', 'clerk', 'recorder']);
      const roster = await clerk.ok('roster.get');
      assert.deepEqual(roster.participants.map((p: any) => p.role).sort(), ['citizen', 'clerk']);
      assert.equal(clerk.events('participant.joined').some((e) => e.participant.role === 'recorder'), false);
      // It may do nothing but receive.
      for (const [type, params] of [['chat.send', { text: 'xin chào' }], ['hand.raise', { raised: true }], ['screen.share', { active: true }], ['room.open', {}], ['lobby.admit', { participantId: citizen.participantId }]] as const) {
        assert.equal((await recorderClient.request(type, params)).error?.code, 'forbidden', type);
      }
      // Signals: with the clerk both ways; never with the citizen in the lobby.
      const offer = { kind: 'offer', sdp: 'v=0 recorder offer' };
      assert.equal((await recorderClient.request('signal', { to: clerk.participantId, data: offer })).type, 'result');
      const got = await clerk.event('signal', (e) => e.from === hello.result.participantId);
      assert.equal(got.data.sdp, 'v=0 recorder offer');
      assert.equal((await clerk.request('signal', { to: hello.result.participantId, data: { kind: 'answer', sdp: 'v=0 answer' } })).type, 'result');
      await recorderClient.event('signal', (e) => e.from === clerk.participantId);
      assert.equal((await recorderClient.request('signal', { to: citizen.participantId, data: offer })).error?.code, 'not_visible');
      // A hello as recorder needs a role that may record.
      const observer = await TestClient.open(t);
      const refused = await observer.hello({ sessionId, auth: { kind: 'official', token: await officialToken(t, 'observer') }, recorder: { recorderId: 'obs' } });
      assert.equal(refused.error?.code, 'forbidden');
    } finally {
      for (const c of [clerk, citizen, recorderClient]) c.close();
    }
  });
});
