/**
 * The recording and privacy notice a participant acknowledges before joining (SPEC §7) travels in `hello` and
 * lands once in the room's hash-chained audit log; a resume does not write it again, and a hello without it
 * writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SqliteAuditLog } from '../src/index.js';
import { removeDir, type TestServer } from './helpers.js';
import { citizenToken, joinCitizen, newSessionId, startRoomsServer, TestClient, type Frame } from './rooms-helpers.js';

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
    const silent = await joinCitizen(t, sessionId, 'REF-N2');
    open.push(silent);
    const audit = () => new SqliteAuditLog(t.db).entries(sessionId).filter((e) => e.action === 'notice.ack');
    assert.equal(audit().length, 1);
    assert.deepEqual(audit()[0]!.detail, notice);
    assert.match(audit()[0]!.actor, /REF-N1/u);

    citizen.terminate();
    const again = await TestClient.open(t);
    open.push(again);
    const reply: Frame = await again.hello({ auth: { kind: 'citizen', token: await citizenToken(t, sessionId, 'REF-N1') }, sessionId, resume: { participantId: citizen.participantId, lastSeq: citizen.lastSeq }, notice });
    assert.equal(reply.result.resumed, true);
    assert.equal(audit().length, 1, 'a resume does not acknowledge again');
    assert.equal(new SqliteAuditLog(t.db).verify().ok, true);
  });

  test('a malformed notice is refused by the schema', async () => {
    const client = await TestClient.open(t);
    open.push(client);
    const sessionId = newSessionId('notice');
    const reply = await client.request('hello', { auth: { kind: 'citizen', token: await citizenToken(t, sessionId, 'REF-N3') }, sessionId, notice: { version: '' } });
    assert.equal(reply.type, 'error');
  });
});
