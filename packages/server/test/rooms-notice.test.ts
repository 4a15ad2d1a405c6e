/**
 * The recording and privacy notice a participant acknowledges before joining (SPEC §7) travels in `hello` and
 * lands once in the room's hash-chained audit log; a resume does not write it again. A citizen's hello without
 * it is refused (`notice_required`) and leaves nothing behind: no participant, no audit entry; the same socket
 * can then join with it. An official's hello does not need it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SqliteAuditLog } from '../src/index.js';
import { removeDir, type TestServer } from './helpers.js';
import { citizenToken, joinCitizen, joinOfficial, newSessionId, startRoomsServer, TestClient, type Frame } from './rooms-helpers.js';

let t: TestServer;
const open: TestClient[] = [];

describe('rooms: notice acknowledgement', () => {
  before(async () => {
    t = await startRoomsServer();
  });
  after(async () => {
    for (const c of open) c.terminate();
    await t.close();
    removeDir(t.dataDir);
  });

  test('an acknowledged notice is audited once per person, not again on resume', async () => {
    const sessionId = newSessionId('notice');
    const notice = { version: 'room-2025-07', acknowledgedAt: '2026-11-28T01:00:00.000Z' };
    const citizen = await joinCitizen(t, sessionId, 'REF-N1', { extra: { notice } });
    open.push(citizen);
    const audit = async () => (await new SqliteAuditLog(t.db).entries(sessionId)).filter((e) => e.action === 'notice.ack');
    assert.equal((await audit()).length, 1);
    assert.deepEqual((await audit())[0]!.detail, notice);
    assert.match((await audit())[0]!.actor, /REF-N1/u);

    citizen.terminate();
    const again = await TestClient.open(t);
    open.push(again);
    const reply: Frame = await again.hello({ auth: { kind: 'citizen', token: await citizenToken(t, sessionId, 'REF-N1') }, sessionId, resume: { participantId: citizen.participantId, lastSeq: citizen.lastSeq }, notice });
    assert.equal(reply.result.resumed, true);
    assert.equal((await audit()).length, 1, 'a resume does not acknowledge again');
    assert.equal((await new SqliteAuditLog(t.db).verify()).ok, true);
  });

  test('a citizen who did not acknowledge the notice is not let in, and nothing is kept of the attempt', async () => {
    const sessionId = newSessionId('notice');
    const chair = await joinOfficial(t, sessionId, 'chair');
    open.push(chair);
    const client = await TestClient.open(t);
    open.push(client);
    const token = await citizenToken(t, sessionId, 'REF-N2');
    const refused = await client.request('hello', { auth: { kind: 'citizen', token }, sessionId });
    assert.equal(refused.type, 'error');
    assert.equal(refused.error.code, 'notice_required');
    assert.match(refused.error.message.vi, /thông báo ghi hình/u);
    assert.match(refused.error.message.en, /recording notice/u);
    const entries = () => new SqliteAuditLog(t.db).entries(sessionId);
    assert.equal((await entries()).filter((e) => /REF-N2/u.test(e.actor)).length, 0, 'no audit entry for the refused hello');

    // The same socket, after the pre-join: let in, and the acknowledgement is in the chain.
    const notice = { version: 'room-2026-12', acknowledgedAt: '2026-12-01T02:00:00.000Z' };
    const joined = await client.request('hello', { auth: { kind: 'citizen', token }, sessionId, notice });
    assert.equal(joined.type, 'result');
    assert.equal(joined.result.role, 'citizen');
    // The chair saw the citizen arrive once: the refused hello had put nobody in the room.
    await chair.event('participant.joined', (e) => e.participant.participantId === joined.result.participantId);
    assert.equal(chair.events('participant.joined').filter((e) => e.participant.role === 'citizen').length, 1);
    const acks = (await entries()).filter((e) => e.action === 'notice.ack');
    assert.equal(acks.length, 1);
    assert.deepEqual(acks[0]!.detail, notice);
    assert.match(acks[0]!.actor, /REF-N2/u);
  });

  test('a malformed notice is refused by the schema', async () => {
    const client = await TestClient.open(t);
    open.push(client);
    const sessionId = newSessionId('notice');
    const reply = await client.request('hello', { auth: { kind: 'citizen', token: await citizenToken(t, sessionId, 'REF-N3') }, sessionId, notice: { version: '' } });
    assert.equal(reply.type, 'error');
  });
});
