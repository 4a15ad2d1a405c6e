/**
 * The session flow over real sockets: lobby order and positions, admit / deny / return, one case at a time,
 * floor and hands, chat kept with the session, WebRTC relays only between people who may see each other, media
 * credentials (TURN, Jitsi) only where due, connection points' health, and the hash-chained audit log.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { CLOSE_CODES } from '@tiepdan/core';
import { SqliteAuditLog } from '../src/index.js';
import { removeDir, type TestServer } from './helpers.js';
import { joinCitizen, joinOfficial, newSessionId, startRoomsServer, TestClient, citizenToken, officialToken, until, type Frame } from './rooms-helpers.js';

const TURN = { urls: ['turn:turn.sadec.example:3478?transport=udp', 'turns:turn.sadec.example:5349'], secret: 'turn-shared-secret-0123456789', ttl: 600 };
const JITSI = { domain: 'meet.sadec.example', appId: 'tiepdan', secret: 'jitsi-shared-secret-0123456789-abcdef' };

let t: TestServer;
const open: TestClient[] = [];
const track = <T extends TestClient>(c: T) => (open.push(c), c);

describe('rooms: lobby, case, floor, chat, relays, audit', () => {
  before(async () => {
    t = await startRoomsServer({ turn: TURN, jitsi: JITSI });
  });
  after(async () => {
    for (const c of open) c.terminate();
    await t.close();
    removeDir(t.dataDir);
  });

  test('citizens queue in arrival order with their positions; admit, deny (with reason) and return keep the queue right', async () => {
    const sessionId = newSessionId('lobby');
    const clerk = track(await joinOfficial(t, sessionId, 'clerk'));
    const chair = track(await joinOfficial(t, sessionId, 'chair'));
    const a = track(await joinCitizen(t, sessionId, 'REF-A', { name: 'Công dân A' }));
    const b = track(await joinCitizen(t, sessionId, 'REF-B', { name: 'Công dân B' }));
    const c = track(await joinCitizen(t, sessionId, 'REF-C', { name: 'Công dân C' }));
    assert.equal((await c.request('roster.get')).result.participants.length, 1, 'a waiting citizen sees only themself');
    const queue = (await clerk.ok('roster.get')).lobby.map((e: any) => e.participantId);
    assert.deepEqual(queue, [a.participantId, b.participantId, c.participantId]);

    // Nobody is admitted before the room opens.
    assert.equal((await clerk.request('lobby.admit', { participantId: a.participantId })).error.code, 'room_not_open');
    await chair.ok('room.open');
    await a.event('room.state', (e) => e.state === 'open');

    await clerk.ok('lobby.admit', { participantId: a.participantId, caseId: 'case-A' });
    assert.deepEqual(await a.event('lobby.admitted'), { type: 'lobby.admitted', caseId: 'case-A' });
    await b.event('lobby.position', (e) => e.position === 1 && e.size === 2);
    await c.event('lobby.position', (e) => e.position === 2 && e.size === 2);

    // One case at a time: B cannot be admitted for another case while A's is going on.
    assert.equal((await clerk.request('lobby.admit', { participantId: b.participantId, caseId: 'case-B' })).error.code, 'case_in_progress');
    // Admitting without a case joins the current one (a representative of the same group).
    await clerk.ok('lobby.admit', { participantId: b.participantId });
    const roster = await chair.ok('roster.get');
    assert.equal(roster.caseId, 'case-A');
    assert.equal(roster.participants.find((p: any) => p.participantId === b.participantId).caseId, 'case-A');
    await c.event('lobby.position', (e) => e.position === 1 && e.size === 1);

    // Back to the lobby goes to the front.
    await clerk.ok('lobby.return', { participantId: b.participantId });
    assert.deepEqual(await b.event('lobby.returned'), { type: 'lobby.returned', position: 1 });
    assert.deepEqual((await clerk.ok('roster.get')).lobby.map((e: any) => e.participantId), [b.participantId, c.participantId]);
    await c.event('lobby.position', (e) => e.position === 2);

    // Denied: told why, closed with DENIED, and cannot queue again in this session.
    await clerk.ok('lobby.deny', { participantId: c.participantId, reason: 'Vụ việc đã được giải quyết đúng pháp luật' });
    assert.equal((await c.event('lobby.denied')).reason, 'Vụ việc đã được giải quyết đúng pháp luật');
    assert.equal((await c.closed).code, CLOSE_CODES.DENIED);
    const again = track(await TestClient.open(t));
    const refused = await again.hello({ sessionId, auth: { kind: 'citizen', token: await citizenToken(t, sessionId, 'REF-C') } });
    assert.equal(refused.error.code, 'denied');
    assert.equal((await again.closed).code, CLOSE_CODES.DENIED);
    assert.deepEqual((await clerk.ok('roster.get')).lobby.map((e: any) => e.participantId), [b.participantId]);

    // Refusals on the wrong state.
    assert.equal((await clerk.request('lobby.admit', { participantId: a.participantId })).error.code, 'not_in_lobby');
    assert.equal((await clerk.request('lobby.return', { participantId: b.participantId })).error.code, 'not_admitted');
    // The case can change once nobody of case A is admitted any more.
    await clerk.ok('lobby.return', { participantId: a.participantId });
    await clerk.ok('lobby.admit', { participantId: b.participantId, caseId: 'case-B' });
    assert.equal((await chair.ok('roster.get')).caseId, 'case-B');

    // Every decision is in the audit log, in order, and the chain verifies.
    const audit = new SqliteAuditLog(t.db);
    const actions = (await audit.entries(sessionId)).map((e) => `${e.action}:${e.role}`);
    // Each citizen's acknowledged recording notice comes first: they joined (and queued) before the room opened.
    assert.deepEqual(actions, ['notice.ack:citizen', 'notice.ack:citizen', 'notice.ack:citizen', 'room.open:chair', 'lobby.admit:clerk', 'lobby.admit:clerk', 'lobby.return:clerk', 'lobby.deny:clerk', 'lobby.return:clerk', 'lobby.admit:clerk']);
    assert.equal((await audit.entries(sessionId)).find((e) => e.action === 'lobby.deny')!.detail!.reason, 'Vụ việc đã được giải quyết đúng pháp luật');
    assert.equal((await audit.verify()).ok, true);
  });

  test('floor, hands, chat (kept with the session) and mute requests reach the right people', async () => {
    const sessionId = newSessionId('flow');
    const chair = track(await joinOfficial(t, sessionId, 'chair'));
    const official = track(await joinOfficial(t, sessionId, 'official'));
    await chair.ok('room.open');
    const citizen = track(await joinCitizen(t, sessionId, 'REF-F'));
    const waiting = track(await joinCitizen(t, sessionId, 'REF-W'));
    await chair.ok('lobby.admit', { participantId: citizen.participantId });

    await citizen.ok('hand.raise', { raised: true });
    await chair.event('participant.updated', (e) => e.participant.participantId === citizen.participantId && e.participant.hand);
    await chair.ok('floor.give', { participantId: citizen.participantId });
    await official.event('floor.changed', (e) => e.participantId === citizen.participantId);
    await chair.event('participant.updated', (e) => e.participant.participantId === citizen.participantId && !e.participant.hand);
    // The floor goes only to someone in the room, not to the lobby.
    assert.equal((await chair.request('floor.give', { participantId: waiting.participantId })).error.code, 'not_found');

    const sent = await citizen.ok('chat.send', { text: 'Tôi xin trình bày nội dung kiến nghị.' });
    const got = await official.event('chat.message', (e) => e.messageId === sent.messageId);
    assert.equal(got.text, 'Tôi xin trình bày nội dung kiến nghị.');
    assert.equal(got.from, citizen.participantId);
    assert.equal((await waiting.request('chat.send', { text: 'x' })).error.code, 'not_admitted');
    await until(() => (t.db.prepare('SELECT COUNT(*) FROM room_chat WHERE session_id = ?').pluck().get(sessionId) as number) === 1, 2000, 'chat stored');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(waiting.events('chat.message').length, 0, 'the lobby does not hear the session');

    await chair.ok('mute.request', { participantId: citizen.participantId, media: 'audio' });
    assert.deepEqual(await citizen.event('mute.requested'), { type: 'mute.requested', media: 'audio', by: chair.participantId });
    assert.equal(official.events('mute.requested').length, 0);
  });

  test('WebRTC offers, answers and candidates are relayed only between people who may see each other', async () => {
    const sessionId = newSessionId('relay');
    const chair = track(await joinOfficial(t, sessionId, 'chair'));
    const observer = track(await joinOfficial(t, sessionId, 'observer'));
    await chair.ok('room.open');
    const citizen = track(await joinCitizen(t, sessionId, 'REF-R'));
    const waiting = track(await joinCitizen(t, sessionId, 'REF-RW'));
    await chair.ok('lobby.admit', { participantId: citizen.participantId });

    await chair.ok('signal', { to: citizen.participantId, data: { kind: 'offer', sdp: 'v=0 offer' } });
    assert.deepEqual((await citizen.event('signal')).data, { kind: 'offer', sdp: 'v=0 offer' });
    await citizen.ok('signal', { to: chair.participantId, data: { kind: 'answer', sdp: 'v=0 answer' } });
    await citizen.ok('signal', { to: chair.participantId, data: { kind: 'ice', candidate: 'candidate:1 1 udp 2122260223 10.0.0.2 54321 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
    assert.equal((await chair.event('signal', (e) => e.data.kind === 'ice')).from, citizen.participantId);
    await chair.ok('signal', { to: observer.participantId, data: { kind: 'offer', sdp: 'v=0' } });

    // Hidden observer ↔ citizen: neither way. Lobby: neither way. Unknown id: refused the same way.
    for (const [from, to] of [[citizen, observer], [observer, citizen], [chair, waiting], [waiting, chair]] as const) {
      const reply = await from.request('signal', { to: to.participantId, data: { kind: 'offer', sdp: 'v=0' } });
      assert.equal(reply.type, 'error');
      assert.ok(['not_visible', 'not_admitted'].includes(reply.error.code), reply.error.code);
    }
    assert.equal((await chair.request('signal', { to: 'nobody-here', data: { kind: 'bye' } })).error.code, 'not_visible');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(observer.events('signal').filter((e) => e.from === citizen.participantId).length, 0);
    assert.equal(waiting.events('signal').length, 0);
  });

  test('TURN credentials follow the coturn shared-secret scheme; the Jitsi room and token only once admitted', async () => {
    const sessionId = newSessionId('media');
    const chair = track(await joinOfficial(t, sessionId, 'chair'));
    const hello = chair.frames.find((f: Frame) => f.type === 'result')!.result;
    assert.ok(hello.turn, 'TURN in the join reply');
    const [expiry, user] = hello.turn.username.split(':');
    assert.equal(user, chair.participantId);
    assert.ok(Number(expiry) > Date.now() / 1000 + TURN.ttl - 5 && Number(expiry) <= Date.now() / 1000 + TURN.ttl + 1);
    assert.equal(hello.turn.credential, createHmac('sha1', TURN.secret).update(hello.turn.username).digest('base64'));
    assert.deepEqual(hello.turn.urls, TURN.urls);
    assert.equal(hello.jitsi.domain, JITSI.domain);
    const claims = decodeJwt(hello.jitsi.jwt);
    assert.equal(claims.room, hello.jitsi.room);
    assert.equal(claims.iss, JITSI.appId);
    assert.equal((claims.context as any).user.moderator, true);

    await chair.ok('room.open');
    const citizen = track(await joinCitizen(t, sessionId, 'REF-M', { name: 'Người tố cáo thật', matterKind: 'to_cao' }));
    const lobbyHello = citizen.frames.find((f) => f.type === 'result')!.result;
    assert.ok(lobbyHello.turn);
    assert.equal(lobbyHello.jitsi, undefined, 'no Jitsi access from the lobby');
    assert.equal((await citizen.ok('media.credentials')).jitsi, undefined);
    await chair.ok('lobby.admit', { participantId: citizen.participantId });
    await citizen.event('lobby.admitted');
    const media = await citizen.ok('media.credentials');
    assert.equal(media.jitsi.room, hello.jitsi.room);
    const citizenClaims = decodeJwt(media.jitsi.jwt) as any;
    assert.equal(citizenClaims.context.user.moderator, false);
    assert.equal(citizenClaims.context.user.name, 'Người tố cáo', 'a denouncer is not named in the video call');
  });

  test("a denouncer's name reaches only the officers who may read it, in events as in the roster", async () => {
    const sessionId = newSessionId('denounce');
    const clerk = track(await joinOfficial(t, sessionId, 'clerk'));
    const operator = track(await joinOfficial(t, sessionId, 'operator'));
    await clerk.ok('room.open');
    const denouncer = track(await joinCitizen(t, sessionId, 'REF-TC', { name: 'Trần Văn Bình', matterKind: 'to_cao' }));
    assert.equal((await clerk.event('participant.joined', (e) => e.participant.participantId === denouncer.participantId)).participant.name, 'Trần Văn Bình');
    const seenByOperator = await operator.event('participant.joined', (e) => e.participant.participantId === denouncer.participantId);
    assert.equal(seenByOperator.participant.name, 'Người tố cáo');
    assert.equal(seenByOperator.participant.redacted, true);
    const identity = await clerk.ok('identity.read', { participantId: denouncer.participantId });
    assert.deepEqual(identity, { participantId: denouncer.participantId, name: 'Trần Văn Bình', reference: 'REF-TC', kind: 'to_cao' });
    assert.ok((await new SqliteAuditLog(t.db).entries(sessionId)).some((e) => e.action === 'identity.read' && e.role === 'clerk'), 'reading an identity is audited');
  });

  test('connection points join as such; the roster shows each point, its participants and health', async () => {
    const sessionId = newSessionId('points');
    const point = { id: 'sadec-ubnd', name: 'Trụ sở UBND phường Sa Đéc', unit: 'dongthap.sadec', operator: 'Nguyễn Văn Kỹ Thuật' };
    const operator = track(await joinOfficial(t, sessionId, 'operator', { point }));
    const chair = track(await joinOfficial(t, sessionId, 'chair', { pointId: point.id }));
    const province = track(await joinOfficial(t, sessionId, 'official', { point: { id: 'tinh-dongthap', name: 'Điểm cầu tỉnh Đồng Tháp', unit: 'dongthap' } }, undefined, 'dongthap'));
    await operator.ok('health.report', { quality: 'fair', rttMs: 180, devices: { camera: true, microphone: true } });
    const health = await chair.event('point.health', (e) => e.point.id === point.id && e.point.quality === 'fair');
    assert.deepEqual(health.point.participants.sort(), [operator.participantId, chair.participantId].sort());
    assert.equal(health.point.operator, point.operator);
    const roster = await chair.ok('roster.get');
    assert.deepEqual(roster.points.map((p: any) => p.id).sort(), ['sadec-ubnd', 'tinh-dongthap']);
    const sadec = roster.points.find((p: any) => p.id === point.id);
    assert.equal(sadec.connected, true);
    assert.equal(sadec.rttMs, 180);
    assert.ok(sadec.lastHeartbeat);
    // A point nobody declared cannot be joined.
    const stray = track(await TestClient.open(t));
    const strayReply = await stray.hello({ sessionId, pointId: 'xa-khong-co', auth: { kind: 'official', token: await officialToken(t, 'official') } });
    assert.equal(strayReply.error.code, 'not_found');
    province.terminate();
    await chair.event('point.health', (e) => e.point.id === 'tinh-dongthap' && e.point.connected === false);
  });

  test('connection points come from configuration and the caller\'s unit: no redeclaring, no hijacking, no citizen members', async () => {
    const sessionId = newSessionId('hijack');
    const operator = track(await joinOfficial(t, sessionId, 'operator', { point: { id: 'sadec-ubnd', name: 'Trụ sở UBND phường Sa Đéc', unit: 'dongthap.sadec', operator: 'Nguyễn Văn Kỹ Thuật' } }));
    const chair = track(await joinOfficial(t, sessionId, 'chair'));
    const configured = { id: 'sadec-ubnd', name: 'Trụ sở UBND phường Sa Đéc', unit: 'dongthap.sadec' };
    const pointOf = async () => (await chair.ok('roster.get')).points.find((p: any) => p.id === 'sadec-ubnd');
    // A second operator of the same unit declares the point with another name and unit: the configured ones stay.
    const second = track(await joinOfficial(t, sessionId, 'operator', { point: { id: 'sadec-ubnd', name: 'HIJACKED', unit: 'evil' } }));
    assert.deepEqual((({ id, name, unit }) => ({ id, name, unit }))(await pointOf()), configured);
    assert.ok((await pointOf()).participants.includes(second.participantId));
    // An operator of another unit cannot declare or join this unit's point, nor a point nobody configured.
    const refusals: [Record<string, unknown>, string, string][] = [
      [{ point: { id: 'sadec-ubnd', name: 'HIJACKED', unit: 'dongthap.caolanh' } }, 'dongthap.caolanh', 'forbidden'],
      [{ pointId: 'sadec-ubnd' }, 'dongthap.caolanh', 'forbidden'],
      [{ point: { id: 'invented-point', name: 'Điểm cầu giả', unit: 'dongthap.sadec' } }, 'dongthap.sadec', 'not_found'],
    ];
    for (const [extra, unit, code] of refusals) {
      const client = track(await TestClient.open(t));
      const reply = await client.hello({ sessionId, auth: { kind: 'official', token: await officialToken(t, 'operator', undefined, undefined, unit) }, ...extra });
      assert.equal(reply.error?.code, code, JSON.stringify(extra));
    }
    // A citizen is never a point's member: neither by joining one nor by declaring one.
    for (const extra of [{ pointId: 'sadec-ubnd' }, { point: { id: 'sadec-ubnd', name: 'x', unit: 'dongthap.sadec' } }]) {
      const client = track(await TestClient.open(t));
      const reply = await client.hello({ sessionId, auth: { kind: 'citizen', token: await citizenToken(t, sessionId, 'REF-PT') }, ...extra });
      assert.equal(reply.error?.code, 'forbidden', JSON.stringify(extra));
    }
    const point = await pointOf();
    assert.deepEqual(point.participants.sort(), [operator.participantId, second.participantId].sort());
    assert.deepEqual((({ id, name, unit }) => ({ id, name, unit }))(point), configured);
  });

  test('the audit chain detects a changed entry', async () => {
    const sessionId = newSessionId('audit');
    const chair = track(await joinOfficial(t, sessionId, 'chair'));
    await chair.ok('room.open');
    await chair.ok('case.set', { caseId: 'case-9' });
    await chair.ok('case.set', { caseId: null });
    const audit = new SqliteAuditLog(t.db);
    const before = await audit.verify();
    assert.equal(before.ok, true);
    assert.ok(before.count >= 3);
    assert.throws(() => t.db.prepare("UPDATE room_audit SET role = 'citizen' WHERE session_id = ?").run(sessionId), /append-only/u);
    // Someone with the file in hand can drop the trigger; the chain still tells.
    const target = (await audit.entries(sessionId)).find((e) => e.action === 'case.set')!;
    t.db.exec('DROP TRIGGER room_audit_no_update');
    try {
      t.db.prepare('UPDATE room_audit SET detail = ? WHERE id = ?').run('{"caseId":"case-10"}', target.id);
      const after = await audit.verify();
      assert.equal(after.ok, false);
      assert.equal(after.ok === false && after.brokenAt, target.id);
    } finally {
      t.db.prepare('UPDATE room_audit SET detail = ? WHERE id = ?').run('{"caseId":"case-9"}', target.id);
      t.db.exec("CREATE TRIGGER room_audit_no_update BEFORE UPDATE ON room_audit BEGIN SELECT RAISE(ABORT, 'room_audit is append-only'); END");
    }
    assert.equal((await audit.verify()).ok, true, 'restoring the entry restores the chain');
  });

  test('the session ends for everyone when the head ends it; nobody can join it again', async () => {
    const sessionId = newSessionId('end');
    const chair = track(await joinOfficial(t, sessionId, 'chair'));
    await chair.ok('room.open');
    const citizen = track(await joinCitizen(t, sessionId, 'REF-E'));
    const waiting = citizen;
    await chair.ok('room.end');
    assert.equal((await waiting.event('room.state', (e) => e.state === 'ended')).state, 'ended');
    assert.equal((await waiting.closed).code, CLOSE_CODES.ROOM_ENDED);
    assert.equal((await chair.closed).code, CLOSE_CODES.ROOM_ENDED);
    const late = track(await TestClient.open(t));
    const reply = await late.hello({ sessionId, auth: { kind: 'citizen', token: await citizenToken(t, sessionId, 'REF-LATE') } });
    assert.equal(reply.error.code, 'room_ended');
    assert.equal((await late.closed).code, CLOSE_CODES.ROOM_ENDED);
  });
});
