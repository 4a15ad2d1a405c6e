/**
 * The case opens when the clerk admits the citizen (issue 10 §1): over real sockets and SQLite, admitting a
 * citizen whose registration the server holds opens that registration's case and binds the room to it; sending
 * them back to the lobby and admitting again finds the same case (one line in the register, not two); a second
 * citizen admitted while the first case goes on joins it; the desk's case is the one the desk API then works on.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getJson, removeDir, token, type TestServer } from './helpers.js';
import { submitted } from './desk-helpers.js';
import { joinCitizen, joinOfficial, newSessionId, startRoomsServer, type TestClient } from './rooms-helpers.js';

let t: TestServer;
const open: TestClient[] = [];
const track = <T extends TestClient>(c: T) => (open.push(c), c);
before(async () => {
  t = await startRoomsServer({ units: undefined });
});
after(async () => {
  for (const c of open) c.terminate();
  await t.close();
  removeDir(t.dataDir);
});

const casesOf = (reference: string) => t.db.prepare('SELECT COUNT(*) FROM reception_cases WHERE registration_reference = ?').pluck().get(reference) as number;

test('admitting a citizen from a registration opens their case; a re-admit finds it again; the desk API works on it', async () => {
  const reference = await submitted(t);
  const sessionId = newSessionId('desk-admit');
  const chair = track(await joinOfficial(t, sessionId, 'chair'));
  const clerk = track(await joinOfficial(t, sessionId, 'clerk'));
  const citizen = track(await joinCitizen(t, sessionId, reference, { name: 'Nguyễn Thị Hoa' }));
  const companion = track(await joinCitizen(t, sessionId, 'NOT-A-REGISTRATION', { name: 'Người đi cùng' }));
  await chair.ok('room.open');
  await clerk.ok('lobby.admit', { participantId: citizen.participantId });
  const admitted = await citizen.event('lobby.admitted');
  assert.match(admitted.caseId, /^[0-9a-f-]{36}$/u, 'the room is bound to the desk case');
  assert.equal((await chair.ok('roster.get')).caseId, admitted.caseId);

  const res = await getJson(`${t.api}/desk/cases/${admitted.caseId}`, await token(t, 'clerk'));
  assert.equal(res.status, 200);
  const c = ((await res.json()) as { case: any }).case;
  assert.equal(c.registrationReference, reference);
  assert.equal(c.sessionId, sessionId);
  assert.equal(c.citizen.fullName, 'Nguyễn Thị Hoa');
  assert.equal(c.state, 'open');

  // Someone without a registration admitted while the case goes on joins it; no case is opened for them.
  await clerk.ok('lobby.admit', { participantId: companion.participantId });
  assert.equal((await companion.event('lobby.admitted')).caseId, admitted.caseId);

  // Back to the lobby (the connection was poor) and admitted again: the same case, still one register line.
  await clerk.ok('lobby.return', { participantId: companion.participantId });
  await clerk.ok('lobby.return', { participantId: citizen.participantId });
  await citizen.event('lobby.returned');
  await clerk.ok('lobby.admit', { participantId: citizen.participantId });
  const again = await citizen.event('lobby.admitted', (e) => e !== admitted);
  assert.equal(again.caseId, admitted.caseId);
  assert.equal(casesOf(reference), 1);

  // The admission is in the room's audit with the case it opened.
  const audited = t.db.prepare(`SELECT COUNT(*) FROM room_audit WHERE session_id = ? AND action = 'desk.open'`).pluck().get(sessionId) as number;
  assert.equal(audited, 1, 'opened once, audited once');
});

test('an explicit case code still wins, and a citizen the server does not know is admitted without a desk case', async () => {
  const sessionId = newSessionId('desk-admit');
  const chair = track(await joinOfficial(t, sessionId, 'chair'));
  const clerk = track(await joinOfficial(t, sessionId, 'clerk'));
  const a = track(await joinCitizen(t, sessionId, 'UNKNOWN-REF'));
  await chair.ok('room.open');
  await clerk.ok('lobby.admit', { participantId: a.participantId });
  assert.equal((await a.event('lobby.admitted')).caseId, null);
  const reference = await submitted(t);
  const b = track(await joinCitizen(t, sessionId, reference));
  await clerk.ok('lobby.return', { participantId: a.participantId });
  await clerk.ok('lobby.admit', { participantId: b.participantId, caseId: 'HS-2026-7' });
  assert.equal((await b.event('lobby.admitted')).caseId, 'HS-2026-7');
  assert.equal(casesOf(reference), 0, 'the clerk named the case: the desk opened none');
});
