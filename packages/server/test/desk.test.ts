/**
 * The reception desk over real HTTP and SQLite: a case taken through the Circular 04 steps, the citizen's
 * confirmation with their join token (and a later edit needing a new one), Form 02 and refusal notice numbering
 * per unit and year, every desk action × every role, bad input named field by field with nothing stored, the
 * unit check, a denouncer's identity sealed at rest and redacted for roles without the right, and the hash chain.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { OFFICIAL_ROLES, can, type OfficialRole, type Permission } from '@tiepdan/core';
import { OTHER_UNIT, auditChain, denunciation, getJson, postJson, removeDir, startServer, token, type TestServer } from './helpers.js';
import { BODIES, CONTENT, SESSION, as, caseAt, citizenToken, openCase, submitted, type OpenedCase } from './desk-helpers.js';

let t: TestServer;
before(async () => {
  t = await startServer();
});
after(async () => {
  await t.close();
  removeDir(t.dataDir);
});

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const revision = (id: string) => t.count('SELECT revision FROM reception_cases WHERE id = ?', [id]);
const auditCount = () => t.count('SELECT COUNT(*) FROM room_audit');
const fieldsOf = async (res: Response) => ((await res.json()) as { error: { code: string; fields?: { path: string; message: { vi: string; en: string } }[] } }).error;

describe('a case through the five steps', () => {
  test('clerk opens from the registration, checks identity and a helper, records content, the citizen confirms, receipt, handling, head directs, close', async () => {
    const reference = await submitted(t);
    const opened = await as(t, 'clerk', '/desk/cases', { registration: reference, sessionId: SESSION, pointId: 'sadec-ubnd' });
    assert.equal(opened.status, 201);
    const c0 = ((await opened.json()) as { case: any }).case;
    assert.equal(c0.state, 'open');
    assert.equal(c0.citizen.fullName, 'Nguyễn Thị Hoa');
    assert.equal(c0.citizen.idNumber, '087185001234');
    assert.equal(c0.registrationReference, reference);
    assert.ok(c0.registerNumber >= 1);

    // Admitting the same citizen again (a reconnect) must not open a second case.
    const again = await as(t, 'clerk', '/desk/cases', { registration: reference, sessionId: SESSION });
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { case: any }).case.id, c0.id);

    const id = c0.id as string;
    let res = await as(t, 'clerk', `/desk/cases/${id}/identity`, { verified: false, differences: 'Địa chỉ trên CCCD là khóm 2, không phải khóm 3' });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as any).case.identity.differences, 'Địa chỉ trên CCCD là khóm 2, không phải khóm 3');
    res = await as(t, 'clerk', `/desk/cases/${id}/helpers`, BODIES.helper);
    res = await as(t, 'clerk', `/desk/cases/${id}/helpers`, { ...BODIES.helper, role: 'lawyer', fullName: 'Luật sư Phạm Minh', document: { kind: 'Thẻ luật sư', number: 'LS-0099' } });
    const withHelpers = ((await res.json()) as any).case;
    assert.deepEqual(withHelpers.helpers.map((h: any) => h.role), ['authorised', 'lawyer']);

    // Decomposed input (as some IMEs and PDF copies give it) is stored NFC, and hashed as NFC.
    res = await as(t, 'clerk', `/desk/cases/${id}/content`, { text: CONTENT.normalize('NFD') });
    assert.equal(res.status, 200);
    const content = ((await res.json()) as any).case.content;
    assert.equal(content.text, CONTENT);
    assert.equal(content.sha256, sha(CONTENT));
    assert.equal(content.version, 1);

    const joinToken = await citizenToken(t, reference);
    const pending = (await (await getJson(`${t.api}/desk/confirmation`, joinToken)).json()) as any;
    assert.deepEqual({ ...pending.pending, receipt: undefined }, { caseId: id, version: 1, text: CONTENT, sha256: sha(CONTENT), confirmed: false, receipt: undefined, outcome: { state: 'open', kind: 'kien_nghi', register: pending.pending.outcome.register } });

    // The clerk edits after the citizen read it: the old version can no longer be confirmed.
    const edited = `${CONTENT} Công dân bổ sung: tình trạng kéo dài từ năm 2024.`;
    res = await as(t, 'clerk', `/desk/cases/${id}/content`, { text: edited });
    assert.equal(((await res.json()) as any).case.content.version, 2);
    const before = await revision(id);
    res = await postJson(`${t.api}/desk/cases/${id}/confirmation`, { version: 1, sha256: sha(CONTENT) }, { authorization: `Bearer ${joinToken}` });
    assert.equal(res.status, 422);
    assert.deepEqual((await fieldsOf(res)).fields!.map((f) => f.path), ['version']);
    assert.equal(await revision(id), before, 'a stale confirmation stores nothing');

    res = await postJson(`${t.api}/desk/cases/${id}/confirmation`, { version: 2, sha256: sha(edited) }, { authorization: `Bearer ${joinToken}` });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(((await res.json()) as any).confirmation.sha256, sha(edited));

    // Another citizen's token cannot confirm this case.
    const stranger = await citizenToken(t, await submitted(t));
    res = await postJson(`${t.api}/desk/cases/${id}/confirmation`, { version: 2, sha256: sha(edited) }, { authorization: `Bearer ${stranger}` });
    assert.equal(res.status, 403);

    res = await as(t, 'clerk', `/desk/cases/${id}/receipt`, BODIES.receipt);
    assert.equal(res.status, 200);
    const receipt = ((await res.json()) as any).case.receipt;
    assert.match(receipt.code, /^\d+\/GBN-TCD$/u);
    assert.equal(receipt.items.length, 2);
    assert.match(receipt.sha256, /^[0-9a-f]{64}$/u);
    const withReceipt = (await (await getJson(`${t.api}/desk/confirmation`, joinToken)).json()) as any;
    assert.equal(withReceipt.pending.confirmed, true);
    assert.equal(withReceipt.pending.receipt.code, receipt.code);

    res = await as(t, 'clerk', `/desk/cases/${id}/handling`, BODIES.returned);
    assert.equal(res.status, 200);
    const handled = ((await res.json()) as any).case;
    assert.deepEqual([handled.handling.outcome, handled.handling.agency, handled.handling.documentNumber], ['returned', 'UBND tỉnh Đồng Tháp', '45/HD-UBND']);

    res = await as(t, 'chair', `/desk/cases/${id}/directions`, BODIES.direction);
    assert.equal(res.status, 200);
    res = await as(t, 'clerk', `/desk/cases/${id}/close`, BODIES.close);
    assert.equal(res.status, 200);
    const closed = ((await res.json()) as any).case;
    assert.equal(closed.state, 'closed');
    assert.equal(closed.directions[0].deadline, '2027-01-10');
    assert.equal(closed.confirmation.mode, 'screen');
    assert.equal(closed.confirmation.by, `citizen:${reference}`);

    // Every step is in the session's hash chain, and the chain verifies.
    const audit = auditChain(t);
    const actions = (await audit.entries(SESSION)).filter((e) => e.target === `case:${id}`).map((e) => e.action);
    assert.deepEqual(actions, ['desk.open', 'desk.identity', 'desk.helper', 'desk.helper', 'desk.content', 'desk.content', 'desk.confirm.screen', 'desk.receipt', 'desk.handling', 'desk.direction', 'desk.close']);
    assert.deepEqual(await audit.verify(), { ok: true, count: await auditCount() });

    // A closed case takes no more steps.
    res = await as(t, 'clerk', `/desk/cases/${id}/identity`, BODIES.identity);
    assert.equal(res.status, 409);
  });

  test('receipts and refusal notices are numbered per unit and year', async () => {
    const a = await caseAt(t, 'receipt');
    const b = await caseAt(t, 'receipt');
    const first = ((await (await as(t, 'clerk', `/desk/cases/${a.id}/receipt`, BODIES.receipt)).json()) as any).case.receipt;
    const second = ((await (await as(t, 'clerk', `/desk/cases/${b.id}/receipt`, BODIES.receipt)).json()) as any).case.receipt;
    assert.equal(second.number, first.number + 1);
    assert.equal(second.year, first.year);
    assert.equal(b.case.registerNumber, a.case.registerNumber + 1);
    // A second receipt on the same case is refused (one receipt per case), nothing stored.
    const before = await revision(a.id);
    assert.equal((await as(t, 'clerk', `/desk/cases/${a.id}/receipt`, BODIES.receipt)).status, 409);
    assert.equal(await revision(a.id), before);

    const x = await openCase(t);
    const y = await openCase(t);
    const n1 = ((await (await as(t, 'chair', `/desk/cases/${x.id}/refusal-notice`, BODIES.notice)).json()) as any).case.refusal.notice;
    const n2 = ((await (await as(t, 'chair', `/desk/cases/${y.id}/refusal-notice`, BODIES.notice)).json()) as any).case.refusal.notice;
    assert.equal(n2.number, n1.number + 1);
    assert.match(n1.code, /^\d+\/TB-UBND$/u);
  });

  test('refusal on Art. 9 cl.1–2 is the officer\'s; cl.3 only through the head\'s notice', async () => {
    const c = await openCase(t);
    let res = await as(t, 'clerk', `/desk/cases/${c.id}/refusal`, { ...BODIES.refusal, ground: 'art9_cl3' });
    assert.equal(res.status, 422);
    assert.deepEqual((await fieldsOf(res)).fields!.map((f) => f.path), ['ground']);
    res = await as(t, 'clerk', `/desk/cases/${c.id}/refusal`, BODIES.refusal);
    assert.equal(res.status, 200);
    const refused = ((await res.json()) as any).case;
    assert.equal(refused.state, 'refused');
    assert.equal(refused.refusal.reportedToHead, true);
    assert.equal(refused.refusal.reason, BODIES.refusal.reason);

    const d = await openCase(t);
    res = await as(t, 'chair', `/desk/cases/${d.id}/refusal-notice`, BODIES.notice);
    const noticed = ((await res.json()) as any).case;
    assert.equal(noticed.refusal.ground, 'art9_cl3');
    assert.equal(noticed.refusal.notice.settled.number, '123/QĐ-UBND');
    assert.equal(noticed.refusal.notice.signer, 'Cán bộ chair');
  });

  test('a petition mixing kinds is split into one case per kind, each its own register line', async () => {
    const c = await openCase(t);
    const res = await as(t, 'clerk', `/desk/cases/${c.id}/split`, BODIES.split);
    assert.equal(res.status, 200);
    const { cases } = (await res.json()) as { cases: any[] };
    assert.deepEqual(cases.map((x) => x.kind), ['kien_nghi', 'khieu_nai']);
    assert.equal(cases[1].splitFrom, c.id);
    assert.notEqual(cases[1].registerNumber, cases[0].registerNumber);
    assert.equal(cases[1].citizen.fullName, 'Nguyễn Thị Hoa');
    const bad = await as(t, 'clerk', `/desk/cases/${c.id}/split`, { parts: [{ kind: 'khieu_nai', summary: 'a' }, { kind: 'khieu_nai', summary: 'b' }] });
    assert.equal(bad.status, 422);
    assert.deepEqual((await fieldsOf(bad)).fields!.map((f) => f.path), ['parts']);
  });

  test('a walk-in case by hand names its missing fields', async () => {
    let res = await as(t, 'clerk', '/desk/cases', { sessionId: SESSION });
    assert.equal(res.status, 422);
    assert.deepEqual((await fieldsOf(res)).fields!.map((f) => f.path).sort(), ['citizen.fullName', 'kind', 'summary']);
    res = await as(t, 'clerk', '/desk/cases', { kind: 'phan_anh', citizen: { fullName: 'Võ Văn Kiệt', address: 'Khóm 1, phường Sa Đéc' }, summary: 'Phản ánh rác thải ở bờ kênh', pointId: 'sadec-ubnd' });
    assert.equal(res.status, 201);
    const c = ((await res.json()) as any).case;
    assert.equal(c.origin, 'walk_in');
    assert.equal(c.unit, 'dongthap.sadec');
    res = await as(t, 'clerk', '/desk/cases', { kind: 'phan_anh', citizen: { fullName: 'A' }, summary: 'x', pointId: 'nowhere' });
    assert.equal(res.status, 422);
    assert.deepEqual((await fieldsOf(res)).fields!.map((f) => f.path), ['pointId']);
  });
});

describe('bad input is named field by field and stores nothing', () => {
  let c: OpenedCase;
  before(async () => {
    c = await caseAt(t, 'handling');
  });

  const cases: { name: string; path: string; body: unknown; status: number; fields?: string[] }[] = [
    { name: 'empty content', path: 'content', body: { text: '   ' }, status: 422, fields: ['text'] },
    { name: 'content not a string', path: 'content', body: { text: 12 }, status: 422, fields: ['text'] },
    { name: 'a receipt with no items', path: 'receipt', body: { items: [] }, status: 422, fields: ['items'] },
    { name: 'a receipt item with 0 pages', path: 'receipt', body: { items: [{ name: 'Đơn', pages: 0, form: 'original' }] }, status: 422, fields: ['items.0.pages'] },
    { name: 'a return without agency or document number', path: 'handling', body: { outcome: 'returned', answer: { mode: 'at_once' } }, status: 422, fields: ['agency', 'documentNumber'] },
    { name: 'a transfer without document number', path: 'handling', body: { outcome: 'transferred', agency: 'Thanh tra tỉnh', answer: { mode: 'at_once' } }, status: 422, fields: ['documentNumber'] },
    { name: 'an answer later without its date', path: 'handling', body: { outcome: 'accepted', answer: { mode: 'later' } }, status: 422, fields: ['answer.due'] },
    { name: 'an unknown outcome', path: 'handling', body: { outcome: 'lost', answer: { mode: 'at_once' } }, status: 422, fields: ['outcome'] },
    { name: 'an unknown field', path: 'identity', body: { verified: true, secret: 1 }, status: 422, fields: ['secret'] },
    { name: 'a direction with an impossible deadline', path: 'directions', body: { ...BODIES.direction, deadline: '2027-02-30' }, status: 422, fields: ['deadline'] },
    { name: 'a refusal notice without the settling document number', path: 'refusal-notice', body: { ...BODIES.notice, settled: { ...BODIES.notice.settled, number: '' } }, status: 422, fields: ['settled.number'] },
  ];
  for (const bad of cases) {
    test(bad.name, async () => {
      const before = await revision(c.id);
      const audits = await auditCount();
      const res = await as(t, 'chair', `/desk/cases/${c.id}/${bad.path}`, bad.body);
      assert.equal(res.status, bad.status);
      const error = await fieldsOf(res);
      assert.equal(error.code, 'validation_failed');
      assert.deepEqual(error.fields!.map((f) => f.path).sort(), [...bad.fields!].sort());
      for (const f of error.fields!) assert.ok(f.message.vi && f.message.en && f.message.vi !== f.message.en, 'vi and en messages');
      assert.equal(await revision(c.id), before, 'nothing stored');
      assert.equal(await auditCount(), audits, 'nothing audited');
    });
  }

  test('an unknown case is 404, a malformed id too; an unknown registration is 422 on its field', async () => {
    assert.equal((await as(t, 'clerk', '/desk/cases/7f1c7a52-0000-4000-8000-000000000000/content', BODIES.content)).status, 404);
    assert.equal((await as(t, 'clerk', '/desk/cases/not-a-case/content', BODIES.content)).status, 404);
    assert.equal((await getJson(`${t.api}/desk/cases/7f1c7a52-0000-4000-8000-000000000000`, await token(t, 'clerk'))).status, 404);
    const res = await as(t, 'clerk', '/desk/cases', { registration: 'TD-ZZZZ-ZZZZ', sessionId: SESSION });
    assert.equal(res.status, 422);
    assert.deepEqual((await fieldsOf(res)).fields!.map((f) => f.path), ['registration']);
  });

  test('wrong state: handling before the confirmation, close before handling, steps on a refused case', async () => {
    const fresh = await caseAt(t, 'confirm');
    let res = await as(t, 'clerk', `/desk/cases/${fresh.id}/handling`, BODIES.handling);
    assert.equal(res.status, 409);
    assert.deepEqual((await fieldsOf(res)).fields!.map((f) => f.path), ['confirmation']);
    res = await as(t, 'clerk', `/desk/cases/${fresh.id}/close`, {});
    assert.equal(res.status, 409);
    const refused = await openCase(t);
    await as(t, 'clerk', `/desk/cases/${refused.id}/refusal`, BODIES.refusal);
    const before = await revision(refused.id);
    res = await as(t, 'clerk', `/desk/cases/${refused.id}/content`, BODIES.content);
    assert.equal(res.status, 409);
    assert.equal(await revision(refused.id), before);
    // Confirming before any content was written.
    const empty = await openCase(t);
    res = await as(t, 'clerk', `/desk/cases/${empty.id}/confirmations/aloud`, { version: 1, sha256: sha('x') });
    assert.equal(res.status, 409);
  });

  test('the server stays up after all of it', async () => {
    assert.equal((await fetch(`${t.url}/healthz`)).status, 200);
  });
});

describe('every desk action × every role', () => {
  /** Each action, the permission it needs, the step the case must be at, and a valid body. */
  const actions: { path: string; permission: Permission; at: Parameters<typeof caseAt>[1]; body: (c: OpenedCase) => unknown }[] = [
    { path: 'identity', permission: 'desk.act', at: 'identity', body: () => BODIES.identity },
    { path: 'helpers', permission: 'desk.act', at: 'identity', body: () => BODIES.helper },
    { path: 'content', permission: 'desk.act', at: 'content', body: () => BODIES.content },
    { path: 'confirmations/aloud', permission: 'desk.act', at: 'confirm', body: (c) => ({ version: c.case.content.version, sha256: c.case.content.sha256, recordingMs: 61_000 }) },
    { path: 'receipt', permission: 'desk.act', at: 'receipt', body: () => BODIES.receipt },
    { path: 'handling', permission: 'desk.act', at: 'handling', body: () => BODIES.handling },
    { path: 'directions', permission: 'desk.head', at: 'handling', body: () => BODIES.direction },
    { path: 'split', permission: 'desk.act', at: 'identity', body: () => BODIES.split },
    { path: 'refusal', permission: 'desk.act', at: 'identity', body: () => BODIES.refusal },
    { path: 'refusal-notice', permission: 'desk.head', at: 'identity', body: () => BODIES.notice },
    { path: 'close', permission: 'desk.act', at: 'close', body: () => BODIES.close },
  ];

  test('opening a case', async () => {
    for (const role of OFFICIAL_ROLES) {
      const reference = await submitted(t);
      const res = await as(t, role, '/desk/cases', { registration: reference, sessionId: SESSION });
      assert.equal(res.status, can(role, 'desk.act') ? 201 : 403, `${role} opens`);
    }
    assert.equal((await postJson(`${t.api}/desk/cases`, { registration: 'x' })).status, 401);
  });

  for (const action of actions) {
    test(action.path, async () => {
      for (const role of OFFICIAL_ROLES) {
        const c = await caseAt(t, action.at);
        const before = await revision(c.id);
        const res = await as(t, role, `/desk/cases/${c.id}/${action.path}`, action.body(c));
        if (can(role as OfficialRole, action.permission)) {
          assert.equal(res.status, 200, `${role} may ${action.path}: ${await res.clone().text()}`);
          assert.equal(await revision(c.id), before + 1);
        } else {
          assert.equal(res.status, 403, `${role} may not ${action.path}`);
          assert.equal(await revision(c.id), before, 'nothing stored');
        }
      }
    });
  }

  test('reading a case, and another unit\'s case', async () => {
    const c = await openCase(t);
    for (const role of OFFICIAL_ROLES) {
      const res = await getJson(`${t.api}/desk/cases/${c.id}`, await token(t, role));
      assert.equal(res.status, can(role, 'desk.read') ? 200 : 403, role);
    }
    assert.equal((await getJson(`${t.api}/desk/cases/${c.id}`, await token(t, 'chair', OTHER_UNIT))).status, 403);
    const before = await revision(c.id);
    assert.equal((await as(t, 'clerk', `/desk/cases/${c.id}/content`, BODIES.content, OTHER_UNIT)).status, 403);
    assert.equal(await revision(c.id), before);
    assert.equal((await getJson(`${t.api}/desk/cases/${c.id}`, await token(t, 'chair', '*'))).status, 200);
  });

  test('the citizen side needs a valid join token', async () => {
    assert.equal((await getJson(`${t.api}/desk/confirmation`)).status, 401);
    assert.equal((await getJson(`${t.api}/desk/confirmation`, 'not.a.token')).status, 401);
    // An official's token is not a citizen's.
    assert.equal((await getJson(`${t.api}/desk/confirmation`, await token(t, 'clerk'))).status, 401);
  });
});

describe("a denouncer's identity", () => {
  test('is sealed at rest and redacted for roles without the right', async () => {
    const reference = await submitted(t, denunciation());
    const c = await openCase(t, reference);
    assert.equal(c.case.citizen.fullName, 'Trần Văn Bình', 'the clerk handling it sees the name');
    await as(t, 'clerk', `/desk/cases/${c.id}/identity`, { verified: true, idType: 'cccd', idNumber: '087090004567' });
    const raw = (await t.sql('SELECT data, sealed FROM reception_cases WHERE id = ?', [c.id]))[0] as { data: string; sealed: Buffer };
    assert.ok(!raw.data.includes('Trần Văn Bình') && !raw.data.includes('087090004567'), 'not in the stored JSON');
    assert.ok(!raw.sealed.toString('latin1').includes('087090004567'), 'sealed, not plain');
    const official = (await (await getJson(`${t.api}/desk/cases/${c.id}`, await token(t, 'official'))).json()) as any;
    assert.equal(official.case.redacted, true);
    assert.ok(!JSON.stringify(official).includes('Trần Văn Bình'));
    assert.ok(!JSON.stringify(official).includes('087090004567'));
    const clerk = (await (await getJson(`${t.api}/desk/cases/${c.id}`, await token(t, 'clerk'))).json()) as any;
    assert.equal(clerk.case.identity.idNumber, '087090004567');
  });
});
