/**
 * The desk and the register over real HTTP and sockets on a server whose store is a real PostgreSQL
 * (`store: { kind: 'postgres', url }`, pg-server.ts): the clerk admits a citizen in the room, which opens the
 * registration's case; the case goes through its steps (a numbered receipt), is filed, and is one line in the
 * register; cases opened at once from several requests take distinct, consecutive lines; a refused step (a
 * handling before the confirmation) leaves the case and the numbers untouched; an in-person entry by hand joins
 * the register. What the case store guarantees under concurrency is in case-store-contract.ts; this checks the
 * desk's own code paths (the synchronous decision run again for its counter) on PostgreSQL end to end.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getJson, removeDir, token, type TestServer } from './helpers.js';
import { BODIES, as, openCase, submitted } from './desk-helpers.js';
import { postgresUnavailable, startPostgres, type PgServer } from './pg-server.js';
import { joinCitizen, joinOfficial, newSessionId, startRoomsServer, type TestClient } from './rooms-helpers.js';

describe('the desk on PostgreSQL', { skip: postgresUnavailable }, () => {
  let pg: PgServer;
  let t: TestServer;
  const open: TestClient[] = [];
  const track = <T extends TestClient>(c: T) => (open.push(c), c);

  before(async () => {
    pg = await startPostgres();
    t = await startRoomsServer({ units: undefined, store: { kind: 'postgres', url: await pg.createDatabase() } });
    assert.equal(t.server.store.kind, 'postgres');
  });
  after(async () => {
    for (const c of open) c.terminate();
    await t?.close();
    if (t) removeDir(t.dataDir);
    await pg?.stop();
  });

  const register = async (query = '') => {
    const res = await getJson(`${t.api}/register${query}`, await token(t, 'clerk'));
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { entries: any[] }).entries;
  };
  const step = async (id: string, path: string, body: unknown, status = 200) => {
    const res = await as(t, 'clerk', `/desk/cases/${id}/${path}`, body);
    assert.equal(res.status, status, `${path}: ${await res.clone().text()}`);
    return ((await res.json()) as { case: any }).case;
  };

  test('admitted in the room, the citizen has a case; its steps, a numbered receipt and its filing make one register line', async () => {
    const reference = await submitted(t);
    const sessionId = newSessionId('desk-pg');
    const chair = track(await joinOfficial(t, sessionId, 'chair'));
    const clerk = track(await joinOfficial(t, sessionId, 'clerk'));
    const citizen = track(await joinCitizen(t, sessionId, reference, { name: 'Nguyễn Thị Hoa' }));
    await chair.ok('room.open');
    await clerk.ok('lobby.admit', { participantId: citizen.participantId });
    const admitted = await citizen.event('lobby.admitted');
    const caseId: string = admitted.caseId;
    assert.match(caseId, /^[0-9a-f-]{36}$/u, 'the room is bound to the desk case');

    const res = await getJson(`${t.api}/desk/cases/${caseId}`, await token(t, 'clerk'));
    assert.equal(res.status, 200);
    const opened = ((await res.json()) as { case: any }).case;
    assert.deepEqual([opened.registrationReference, opened.sessionId, opened.state, opened.registerNumber], [reference, sessionId, 'open', 1]);

    // Back to the lobby and admitted again: the same case, not a second line.
    await clerk.ok('lobby.return', { participantId: citizen.participantId });
    await citizen.event('lobby.returned');
    await clerk.ok('lobby.admit', { participantId: citizen.participantId });
    assert.equal((await citizen.event('lobby.admitted', (e) => e !== admitted)).caseId, caseId);

    await step(caseId, 'identity', BODIES.identity);
    const written = await step(caseId, 'content', BODIES.content);
    // Handling before the confirmation is refused: nothing changes, and no number is used.
    await step(caseId, 'handling', BODIES.handling, 409);
    await step(caseId, 'confirmations/aloud', { version: written.content.version, sha256: written.content.sha256 });
    const receipted = await step(caseId, 'receipt', BODIES.receipt);
    assert.equal(receipted.receipt.code, '1/GBN-TCD', 'the first receipt of the unit this year');
    await step(caseId, 'handling', BODIES.handling);
    const closed = await step(caseId, 'close', BODIES.close);
    assert.equal(closed.state, 'closed');

    const lines = (await register()).filter((e) => e.caseId === caseId);
    assert.equal(lines.length, 1);
    assert.equal(Number(lines[0].number), 1);
    assert.equal(lines[0].accepted, 'x');
    assert.equal(lines[0].followUp, BODIES.close.followUp);
  });

  test('cases opened at once take distinct, consecutive lines; a second receipt is numbered next; an in-person entry joins the register', async () => {
    const before = (await register()).length;
    const references = await Promise.all(Array.from({ length: 6 }, () => submitted(t)));
    const opened = await Promise.all(references.map((reference) => openCase(t, reference, newSessionId('desk-pg'))));
    assert.deepEqual(opened.map((o) => o.case.registerNumber).sort((a, b) => a - b), Array.from({ length: 6 }, (_, i) => before + 1 + i));

    const first = opened[0]!;
    const written = await step(first.id, 'content', BODIES.content);
    await step(first.id, 'confirmations/aloud', { version: written.content.version, sha256: written.content.sha256 });
    assert.equal((await step(first.id, 'receipt', BODIES.receipt)).receipt.code, '2/GBN-TCD');

    const res = await as(t, 'clerk', '/register/entries', {
      kind: 'khieu_nai',
      citizen: { fullName: 'Lê Thị Mai', address: 'Khóm 4, phường Sa Đéc' },
      summary: 'Khiếu nại quyết định thu hồi đất',
      receivedOn: '2026-11-20',
      handling: { outcome: 'accepted', answer: { mode: 'later', due: '2026-12-20' } },
    });
    assert.equal(res.status, 201, await res.clone().text());
    const entry = ((await res.json()) as { entry: any }).entry;
    const all = await register();
    assert.equal(all.length, before + 7);
    assert.deepEqual(all.map((e) => Number(e.number)), Array.from({ length: before + 7 }, (_, i) => i + 1), 'every line once, in order, none skipped');
    assert.deepEqual((await register('?from=2026-11-20&to=2026-11-20')).map((e) => e.caseId), [entry.caseId]);
  });
});
