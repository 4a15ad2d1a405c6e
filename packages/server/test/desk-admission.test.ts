/**
 * The case opens when the clerk admits the citizen (issue 10 §1): over real sockets and SQLite, admitting a
 * citizen whose registration the server holds opens that registration's case and binds the room to it; sending
 * them back to the lobby and admitting again finds the same case (one line in the register, not two); a second
 * citizen admitted while the first case goes on joins it; the desk's case is the one the desk API then works on.
 * Every committed desk step reaches the room as `case.updated` (officials and the case's own citizens, nobody
 * else), and the citizen reads the result (outcome, or refusal and why) in their view and on the public lookup.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getJson, postJson, removeDir, token, type TestServer } from './helpers.js';
import { BODIES, citizenToken, submitted } from './desk-helpers.js';
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

const casesOf = (reference: string) => t.count('SELECT COUNT(*) FROM reception_cases WHERE registration_reference = ?', [reference]);

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
  assert.equal(await casesOf(reference), 1);

  // The admission is in the room's audit with the case it opened.
  const audited = await t.count(`SELECT COUNT(*) FROM room_audit WHERE session_id = ? AND action = 'desk.open'`, [sessionId]);
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
  assert.equal(await casesOf(reference), 0, 'the clerk named the case: the desk opened none');
});

const lookupCases = async (reference: string) => {
  const res = await postJson(`${t.api}/lookup`, { reference, phone: '0912 345 678' });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { cases?: any[] }).cases;
};

test('each desk step reaches the room as case.updated (officials and the case\'s own citizen, nobody else); the citizen reads the outcome in their view and on the lookup', async () => {
  const reference = await submitted(t);
  const sessionId = newSessionId('desk-updated');
  const chair = track(await joinOfficial(t, sessionId, 'chair'));
  const clerk = track(await joinOfficial(t, sessionId, 'clerk'));
  const citizen = track(await joinCitizen(t, sessionId, reference, { name: 'Nguyễn Thị Hoa' }));
  const waiting = track(await joinCitizen(t, sessionId, await submitted(t), { name: 'Người chờ' }));
  await chair.ok('room.open');
  await clerk.ok('lobby.admit', { participantId: citizen.participantId });
  const { caseId } = await citizen.event('lobby.admitted');
  const opened = await lookupCases(reference);
  assert.deepEqual(opened, [{ state: 'open', kind: 'kien_nghi', register: opened![0].register }], 'being received, nothing decided yet');
  const clerkAuth = { authorization: `Bearer ${await token(t, 'clerk')}` };
  const step = async (path: string, body: unknown) => {
    const res = await postJson(`${t.api}/desk/cases/${caseId}/${path}`, body, clerkAuth);
    assert.equal(res.status, 200, await res.clone().text());
  };
  const updated = (c: TestClient, s: string) => c.event('case.updated', (e) => e.caseId === caseId && e.step === s);
  const joinToken = await citizenToken(t, reference, sessionId);
  const view = async () => ((await (await getJson(`${t.api}/desk/confirmation`, joinToken)).json()) as { pending: any }).pending;

  await step('content', BODIES.content);
  for (const c of [chair, clerk, citizen]) assert.deepEqual(await updated(c, 'content'), { type: 'case.updated', caseId, state: 'open', step: 'content' });
  const before = await view();
  assert.deepEqual(before.outcome, { state: 'open', kind: 'kien_nghi', register: before.outcome.register });
  assert.match(before.outcome.register, /^\d+\/20\d\d$/u);

  // The citizen's own confirmation tells the desk (the clerk's panel reloads on it).
  const confirmed = await postJson(`${t.api}/desk/cases/${caseId}/confirmation`, { version: before.version, sha256: before.sha256 }, { authorization: `Bearer ${joinToken}` });
  assert.equal(confirmed.status, 200, await confirmed.clone().text());
  for (const c of [chair, clerk]) await updated(c, 'confirm.screen');

  // A rejected step sends nothing: no event for a 422.
  const bad = await postJson(`${t.api}/desk/cases/${caseId}/handling`, { outcome: 'returned', answer: { mode: 'at_once' } }, clerkAuth);
  assert.equal(bad.status, 422);
  await step('handling', BODIES.returned);
  const handled = await updated(citizen, 'handling');
  assert.equal(handled.state, 'open');
  assert.equal(citizen.events('case.updated').filter((e) => e.step === 'handling').length, 1, 'one event per committed step');
  const outcome = (await view()).outcome;
  assert.deepEqual(outcome.handling, { outcome: 'returned', agency: 'UBND tỉnh Đồng Tháp', documentNumber: '45/HD-UBND', answer: { mode: 'at_once', text: 'Đã hướng dẫn' }, at: outcome.handling.at });

  await step('close', {});
  assert.equal((await updated(citizen, 'close')).state, 'closed');
  // Filed: no case is open any more, and the view still shows the result.
  const filed = await view();
  assert.equal(filed.caseId, caseId);
  assert.equal(filed.outcome.state, 'closed');
  assert.ok(filed.outcome.closedAt);
  assert.equal(filed.confirmed, true);
  const cases = await lookupCases(reference);
  assert.deepEqual(cases, [filed.outcome], 'the lookup says the same as the room view');
  assert.ok(!JSON.stringify(cases).includes('Nguyễn Thị Hoa') && !JSON.stringify(cases).includes(BODIES.content.text), 'no name, no content on the lookup');

  // The citizen waiting in the lobby for their own case heard none of it.
  assert.equal(waiting.events('case.updated').length, 0);
});

test('a refused citizen reads the ground and the reason in their view and on the lookup; the head\'s written notice names the settling document', async () => {
  const sessionId = newSessionId('desk-refused');
  const chair = track(await joinOfficial(t, sessionId, 'chair'));
  const reference = await submitted(t);
  const citizen = track(await joinCitizen(t, sessionId, reference));
  await chair.ok('room.open');
  await chair.ok('lobby.admit', { participantId: citizen.participantId });
  const { caseId } = await citizen.event('lobby.admitted');
  const joinToken = await citizenToken(t, reference, sessionId);
  assert.equal(((await (await getJson(`${t.api}/desk/confirmation`, joinToken)).json()) as any).pending, null, 'nothing to show before any step');
  const res = await postJson(`${t.api}/desk/cases/${caseId}/refusal-notice`, BODIES.notice, { authorization: `Bearer ${await token(t, 'chair')}` });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal((await citizen.event('case.updated', (e) => e.caseId === caseId)).state, 'refused');
  const pending = ((await (await getJson(`${t.api}/desk/confirmation`, joinToken)).json()) as any).pending;
  assert.equal(pending.text, undefined, 'refused before any content');
  const refusal = pending.outcome.refusal;
  assert.equal(refusal.ground, 'art9_cl3');
  assert.equal(refusal.reason, BODIES.notice.reason);
  assert.match(refusal.notice.code, /^\d+\/TB-UBND$/u);
  assert.deepEqual(refusal.notice.settled, BODIES.notice.settled);
  assert.deepEqual((await lookupCases(reference))![0].refusal, refusal);
  const paper = await getJson(`${t.api}/desk/cases/${caseId}/citizen-papers/refusal-notice?format=pdf`, joinToken);
  assert.equal(paper.status, 200);
  assert.equal(Buffer.from(await paper.arrayBuffer()).subarray(0, 5).toString('latin1'), '%PDF-');
});
