/**
 * Coming back: a participant who drops and returns within the resume window keeps its place (lobby position
 * included) and gets the events it missed; after the window it rejoins cleanly at the back. A server restart
 * tells everyone, persists the rooms, and the clients resume on the new process as if from a network drop.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLOSE_CODES } from '@tiepdan/core';
import { SqliteAuditLog } from '../src/index.js';
import { removeDir, tempDir, type TestServer } from './helpers.js';
import { citizenToken, joinCitizen, joinOfficial, newSessionId, officialToken, sleep, startRoomsServer, TestClient, until, FAST_ROOMS } from './rooms-helpers.js';

let t: TestServer;
const open: TestClient[] = [];
const track = <T extends TestClient>(c: T) => (open.push(c), c);

async function resume(server: TestServer, sessionId: string, old: TestClient, auth: { kind: string; token: string }) {
  const client = track(await TestClient.open(server));
  const reply = await client.hello({ sessionId, auth, resume: { participantId: old.participantId, lastSeq: old.lastSeq } });
  assert.equal(reply.type, 'result', JSON.stringify(reply.error));
  return { client, result: reply.result };
}

describe('rooms: resume', () => {
  before(async () => {
    t = await startRoomsServer();
  });
  after(async () => {
    for (const c of open) c.terminate();
    await t.close();
    removeDir(t.dataDir);
  });

  test('within the window: same participant, missed events replayed in order, others see it come back', async () => {
    const sessionId = newSessionId('resume');
    const chair = track(await joinOfficial(t, sessionId, 'chair'));
    await chair.ok('room.open');
    const token = await citizenToken(t, sessionId, 'REF-RES');
    const citizen = track(await joinCitizen(t, sessionId, 'REF-RES'));
    await chair.ok('lobby.admit', { participantId: citizen.participantId });
    await citizen.event('lobby.admitted');

    citizen.terminate();
    await chair.event('participant.updated', (e) => e.participant.participantId === citizen.participantId && !e.participant.connected);
    const missed = [];
    for (const text of ['một', 'hai', 'ba']) missed.push((await chair.ok('chat.send', { text })).seq);
    await chair.ok('mute.request', { participantId: citizen.participantId, media: 'video' });

    const { client, result } = await resume(t, sessionId, citizen, { kind: 'citizen', token });
    assert.equal(result.resumed, true);
    assert.equal(result.replay, true);
    assert.equal(result.participantId, citizen.participantId);
    assert.equal(result.status, 'admitted');
    await client.event('mute.requested');
    const chats = client.events('chat.message').map((e) => e.text);
    assert.deepEqual(chats, ['một', 'hai', 'ba']);
    const seqs = client.frames.filter((f) => f.type === 'event').map((f) => f.seq!);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'replayed in order');
    assert.ok(seqs.every((s) => s > citizen.lastSeq), 'nothing it had already seen');
    await chair.event('participant.updated', (e) => e.participant.participantId === citizen.participantId && e.participant.connected);
  });

  test('a citizen who drops from the lobby comes back to the same position', async () => {
    const sessionId = newSessionId('lobbypos');
    const clerk = track(await joinOfficial(t, sessionId, 'clerk'));
    const first = track(await joinCitizen(t, sessionId, 'REF-1'));
    const second = track(await joinCitizen(t, sessionId, 'REF-2'));
    const third = track(await joinCitizen(t, sessionId, 'REF-3'));
    second.terminate();
    await clerk.event('participant.updated', (e) => e.participant.participantId === second.participantId && !e.participant.connected);
    const { result } = await resume(t, sessionId, second, { kind: 'citizen', token: await citizenToken(t, sessionId, 'REF-2') });
    assert.equal(result.resumed, true);
    assert.equal(result.lobbyPosition, 2);
    assert.deepEqual((await clerk.ok('roster.get')).lobby.map((e: any) => e.participantId), [first.participantId, second.participantId, third.participantId]);
  });

  test('a second socket for the same place replaces the first (REPLACED), which then cannot act', async () => {
    const sessionId = newSessionId('replace');
    const official = track(await joinOfficial(t, sessionId, 'official', {}, 'official.same'));
    const again = track(await joinOfficial(t, sessionId, 'official', {}, 'official.same'));
    assert.equal(again.participantId, official.participantId);
    assert.equal((await official.closed).code, CLOSE_CODES.REPLACED);
    assert.equal((await again.ok('roster.get')).participants.filter((p: any) => p.participantId === official.participantId)[0].connected, true);
  });

  test('after the window: the place is gone (participant.left expired) and a resume rejoins cleanly at the back', async () => {
    const sessionId = newSessionId('expire');
    const clerk = track(await joinOfficial(t, sessionId, 'clerk'));
    const early = track(await joinCitizen(t, sessionId, 'REF-E1'));
    const other = track(await joinCitizen(t, sessionId, 'REF-E2'));
    early.terminate();
    const left = await clerk.event('participant.left', (e) => e.participantId === early.participantId, FAST_ROOMS.resumeWindowMs + 2000);
    assert.equal(left.reason, 'expired');
    await other.event('lobby.position', (e) => e.position === 1);
    const { client, result } = await resume(t, sessionId, early, { kind: 'citizen', token: await citizenToken(t, sessionId, 'REF-E1') });
    assert.equal(result.resumed, false);
    assert.equal(result.replay, false);
    assert.notEqual(result.participantId, early.participantId);
    assert.equal(result.lobbyPosition, 2);
    assert.equal(client.participantId, result.participantId);
  });

  test('a resume with someone else\'s participant id does not take their place', async () => {
    const sessionId = newSessionId('steal');
    const victim = track(await joinCitizen(t, sessionId, 'REF-V'));
    const thief = track(await TestClient.open(t));
    const reply = await thief.hello({ sessionId, auth: { kind: 'citizen', token: await citizenToken(t, sessionId, 'REF-T') }, resume: { participantId: victim.participantId, lastSeq: 0 } });
    assert.equal(reply.result.resumed, false);
    assert.notEqual(reply.result.participantId, victim.participantId);
    assert.equal(victim.isOpen, true);
  });

  test('a silent socket (no pongs) is taken for dead and its participant shown disconnected', async () => {
    const sessionId = newSessionId('heartbeat');
    const chair = track(await joinOfficial(t, sessionId, 'chair'));
    const silent = track(await joinOfficial(t, sessionId, 'operator'));
    (silent.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await chair.event('participant.updated', (e) => e.participant.participantId === silent.participantId && !e.participant.connected, FAST_ROOMS.heartbeatIntervalMs * 3 + 2000);
  });
});

describe('rooms: server restart', () => {
  test('clients are told, closed with SERVER_RESTARTING, and resume on the new server with lobby order, case and audit intact', async () => {
    const dataDir = tempDir('tiepdan-restart-');
    const first = await startRoomsServer({}, dataDir);
    const sessionId = newSessionId('restart');
    const chairToken = await officialToken(first, 'chair', 'chair.restart');
    const chair = await TestClient.open(first);
    await chair.hello({ sessionId, auth: { kind: 'official', token: chairToken } });
    await chair.ok('room.open');
    const tokens = await Promise.all(['R1', 'R2', 'R3'].map((ref) => citizenToken(first, sessionId, ref)));
    const citizens: TestClient[] = [];
    for (const token of tokens) {
      const c = await TestClient.open(first);
      await c.hello({ sessionId, auth: { kind: 'citizen', token } });
      citizens.push(c);
    }
    await chair.ok('lobby.admit', { participantId: citizens[0]!.participantId, caseId: 'case-restart' });
    await chair.ok('chat.send', { text: 'trước khi khởi động lại' });
    const before = (await chair.ok('roster.get')).lobby.map((e: any) => e.participantId);

    await first.close();
    for (const c of [chair, ...citizens]) {
      assert.equal((await c.closed).code, CLOSE_CODES.SERVER_RESTARTING);
      assert.equal(c.events('server.restarting').length, 1);
    }

    const second = await startRoomsServer({}, dataDir);
    try {
      const back = await resume(second, sessionId, chair, { kind: 'official', token: chairToken });
      assert.equal(back.result.resumed, true);
      assert.equal(back.result.room.state, 'open');
      assert.equal(back.result.room.caseId, 'case-restart');
      const positions: number[] = [];
      for (const [i, c] of citizens.entries()) {
        const r = await resume(second, sessionId, c, { kind: 'citizen', token: tokens[i]! });
        assert.equal(r.result.resumed, true);
        assert.equal(r.result.participantId, c.participantId);
        if (r.result.status === 'lobby') positions.push(r.result.lobbyPosition);
        else assert.equal(r.result.status, 'admitted');
      }
      assert.deepEqual(positions, [1, 2]);
      assert.deepEqual((await back.client.ok('roster.get')).lobby.map((e: any) => e.participantId), before);
      await until(() => (back.client.frames.length > 0), 1000);
      assert.equal((await new SqliteAuditLog(second.db).verify()).ok, true);
      assert.equal(second.db.prepare('SELECT COUNT(*) FROM room_chat WHERE session_id = ?').pluck().get(sessionId), 1);
      // The new server goes on numbering events after the old one.
      const sent = await back.client.ok('chat.send', { text: 'sau khi khởi động lại' });
      assert.ok(sent.seq > chair.lastSeq);
      await sleep(10);
    } finally {
      for (const c of open) c.terminate();
      await second.close();
      removeDir(dataDir);
    }
  });
});
