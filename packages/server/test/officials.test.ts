/**
 * Officials' routes: every role against every route, tokens (missing, bad, expired, other unit), the
 * denouncer's confidentiality (encrypted at rest in the raw SQLite bytes, redacted for roles that may not read
 * it), and state transitions including two clerks racing.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { OFFICIAL_ROLES, can, type OfficialRole, type Permission } from '@tiepdan/core';
import { SignJWT } from 'jose';
import {
  OTHER_UNIT,
  PDF,
  PNG,
  attachmentMeta,
  denunciation,
  getJson,
  postJson,
  removeDir,
  startServer,
  submitJson,
  submitMultipart,
  token,
  validRegistration,
  type TestServer,
} from './helpers.js';

let t: TestServer;
let petition: string;
let denounced: string;
before(async () => {
  t = await startServer();
  const a = await submitMultipart(t.api, validRegistration({ attachments: [attachmentMeta('p', PNG, 'image/png')] }), [{ field: 'p', bytes: PNG }]);
  assert.equal(a.status, 201);
  petition = ((await a.json()) as { reference: string }).reference;
  const b = await submitMultipart(t.api, denunciation({ attachments: [{ ...attachmentMeta('id', PNG, 'image/png'), purpose: 'id_paper' }] }), [{ field: 'id', bytes: PNG }]);
  assert.equal(b.status, 201, await b.clone().text());
  denounced = ((await b.json()) as { reference: string }).reference;
});
after(async () => {
  await t.close();
  removeDir(t.dataDir);
});

interface Route {
  name: string;
  permission: Permission;
  call(bearer?: string, reference?: string): Promise<Response>;
}

/** Transitions go received → screened → invited → screened → …, so repeated allowed calls keep succeeding. */
let toggle = false;
const routes: Route[] = [
  { name: 'GET /registrations', permission: 'registrations.read', call: (b) => getJson(`${t.api}/registrations`, b) },
  { name: 'GET /registrations/:reference', permission: 'registrations.read', call: (b, r = petition) => getJson(`${t.api}/registrations/${r}`, b) },
  {
    name: 'GET /registrations/:reference/attachments/:id',
    permission: 'registrations.read',
    call: (b, r = petition) => getJson(`${t.api}/registrations/${r}/attachments/p`, b),
  },
  {
    name: 'POST /registrations/:reference/transitions',
    permission: 'registrations.transition',
    call: async (b, r = petition) => {
      const current = (await (await getJson(`${t.api}/registrations/${r}`, await token(t, 'chair'))).json()) as { state: string };
      const to = current.state === 'screened' ? (toggle = !toggle) && 'invited' : 'screened';
      return postJson(`${t.api}/registrations/${r}/transitions`, { to: to || 'invited', reason: 'Thuộc thẩm quyền, mời tiếp.' }, b ? { authorization: `Bearer ${b}` } : {});
    },
  },
];

type ErrorShape = { error: { code: string; message: { vi: string; en: string } } };

describe('every role × every official route', () => {
  for (const route of routes) {
    for (const role of OFFICIAL_ROLES) {
      const allowed = can(role, route.permission);
      test(`${route.name} as ${role} → ${allowed ? 'allowed' : '403 forbidden'}`, async () => {
        const res = await route.call(await token(t, role));
        if (allowed) {
          assert.equal(res.status, 200, await res.clone().text());
        } else {
          assert.equal(res.status, 403);
          assert.equal(((await res.json()) as ErrorShape).error.code, 'forbidden');
        }
      });
    }

    test(`${route.name} without a token, with a bad one, an expired one or a foreign one → 401 unauthenticated`, async () => {
      const expired = await new SignJWT({ role: 'chair', unit: '*' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('old')
        .setIssuer('tiepdan')
        .setAudience('tiepdan-officials')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
        .sign(new TextEncoder().encode(t.config.authSecret));
      const otherSecret = await new SignJWT({ role: 'chair', unit: '*' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('intruder')
        .setIssuer('tiepdan')
        .setAudience('tiepdan-officials')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
      const tooLong = await new SignJWT({ role: 'chair', unit: '*' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('forever')
        .setIssuer('tiepdan')
        .setAudience('tiepdan-officials')
        .setIssuedAt()
        .setExpirationTime('30d')
        .sign(new TextEncoder().encode(t.config.authSecret));
      for (const bearer of [undefined, 'not.a.token', expired, otherSecret, tooLong]) {
        const res = await route.call(bearer);
        assert.equal(res.status, 401, `bearer ${bearer?.slice(0, 12)}`);
        const body = (await res.json()) as ErrorShape;
        assert.equal(body.error.code, 'unauthenticated');
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/u);
      }
    });

    test(`${route.name} with a token for another unit → 403 (or an empty queue)`, async () => {
      const res = await route.call(await token(t, 'chair', OTHER_UNIT));
      if (route.name === 'GET /registrations') {
        assert.equal(res.status, 200);
        assert.deepEqual(((await res.json()) as { items: unknown[] }).items, []);
      } else {
        assert.equal(res.status, 403);
        assert.equal(((await res.json()) as ErrorShape).error.code, 'forbidden');
      }
      // Unit "*" reaches every unit.
      assert.equal((await route.call(await token(t, 'chair', '*'))).status, 200);
    });
  }
});

describe('the screening queue', () => {
  test('newest first, filtered by kind and state, paged with `before`', async () => {
    const clerk = await token(t, 'clerk');
    const refs: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const res = await submitJson(t.api, validRegistration({ kind: 'phan_anh', content: { summary: `Phản ánh số ${i}` } }));
      refs.push(((await res.json()) as { reference: string }).reference);
    }
    const page1 = (await (await getJson(`${t.api}/registrations?kind=phan_anh&limit=3`, clerk)).json()) as { items: { reference: string; kind: string }[]; nextBefore?: string };
    assert.deepEqual(page1.items.map((i) => i.reference), refs.slice(-3).reverse());
    assert.ok(page1.nextBefore);
    const page2 = (await (await getJson(`${t.api}/registrations?kind=phan_anh&limit=3&before=${page1.nextBefore}`, clerk)).json()) as typeof page1;
    assert.deepEqual(page2.items.map((i) => i.reference), refs.slice(0, 2).reverse());
    assert.equal(page2.nextBefore, undefined);
    const received = (await (await getJson(`${t.api}/registrations?state=received&kind=phan_anh`, clerk)).json()) as typeof page1;
    assert.equal(received.items.length, 5);
    const bad = await getJson(`${t.api}/registrations?limit=500`, clerk);
    assert.equal(bad.status, 422);
    assert.equal(((await bad.json()) as { error: { fields: { path: string }[] } }).error.fields[0]!.path, 'limit');
  });
});

describe('denunciations', () => {
  const secrets = ['Trần Văn Bình', '087090004567', '+84987654321', '0987654321', 'Ấp Tân Hòa', 'Lê Lợi', 'binh.tv@example.vn'];

  test('the denouncer is not in the SQLite files in clear (main file after checkpoint, and the WAL)', async () => {
    const files = () => readdirSync(t.dataDir).filter((f) => f.startsWith('tiepdan.sqlite'));
    const scan = () => {
      const seen: string[] = [];
      for (const file of files()) {
        const bytes = readFileSync(join(t.dataDir, file));
        for (const secret of secrets) {
          for (const form of new Set([secret.normalize('NFC'), secret.normalize('NFD')])) {
            if (bytes.includes(Buffer.from(form, 'utf8'))) seen.push(`${secret} in ${file}`);
          }
        }
      }
      return seen;
    };
    assert.ok(files().includes('tiepdan.sqlite-wal'), 'the WAL exists before the checkpoint');
    assert.deepEqual(scan(), []);
    t.db.pragma('wal_checkpoint(TRUNCATE)');
    assert.deepEqual(scan(), []);
    // The scan is able to fail: the petitioner's (non-confidential) name is in the file.
    const all = Buffer.concat(files().map((f) => readFileSync(join(t.dataDir, f))));
    assert.ok(all.includes(Buffer.from('Nguyễn Thị Hoa', 'utf8')));
    // And the sealed blob is there.
    const sealed = t.db.prepare('SELECT sealed FROM registrations WHERE reference = ?').pluck().get(denounced) as Buffer;
    assert.ok(Buffer.isBuffer(sealed) && sealed.length > 100);
  });

  for (const role of ['chair', 'official', 'clerk'] as OfficialRole[]) {
    const reveal = can(role, 'registrations.readDenouncer');
    test(`${role} ${reveal ? 'sees' : 'does not see'} the denouncer, in the record and the queue`, async () => {
      const bearer = await token(t, role);
      const record = (await (await getJson(`${t.api}/registrations/${denounced}`, bearer)).json()) as Record<string, any>;
      assert.equal(record.redacted, !reveal);
      const json = JSON.stringify(record);
      for (const secret of ['Trần Văn Bình', '087090004567', '+84987654321', 'Ấp Tân Hòa']) assert.equal(json.includes(secret), reveal, secret);
      assert.equal(record.registration.content.violation, 'Nhận hối lộ khi cấp giấy phép xây dựng');
      const queue = (await (await getJson(`${t.api}/registrations?kind=to_cao`, bearer)).json()) as { items: { reference: string; displayName: string }[] };
      const item = queue.items.find((i) => i.reference === denounced);
      assert.equal(item?.displayName, reveal ? 'Trần Văn Bình' : 'Người tố cáo (bảo mật)');
      const file = await getJson(`${t.api}/registrations/${denounced}/attachments/id`, bearer);
      assert.equal(file.status, reveal ? 200 : 403, 'the denouncer\'s ID scan');
    });
  }

  test("a denouncer's helpers and attachment names are sealed: not in the SQLite bytes, redacted without readDenouncer, joined back with it", async () => {
    const lawyer = 'Phạm Thị Luật Sư';
    const cardNumber = 'LS-2019-77351';
    const fileName = 'Đơn tố cáo - Trần Văn Bình.pdf';
    const reg = denunciation({
      helpers: [{ role: 'lawyer', fullName: lawyer, document: { kind: 'Thẻ luật sư', number: cardNumber, attachmentId: 'card' } }],
      attachments: [{ ...attachmentMeta('card', PDF, 'application/pdf'), name: fileName, purpose: 'power_of_attorney' }],
    });
    const res = await submitMultipart(t.api, reg, [{ field: 'card', bytes: PDF, filename: fileName }]);
    assert.equal(res.status, 201, await res.clone().text());
    const { reference } = (await res.json()) as { reference: string };
    t.db.pragma('wal_checkpoint(TRUNCATE)');
    const raw = Buffer.concat(readdirSync(t.dataDir).filter((f) => f.startsWith('tiepdan.sqlite')).map((f) => readFileSync(join(t.dataDir, f))));
    for (const secret of [lawyer, cardNumber, fileName, 'Trần Văn Bình']) {
      for (const form of new Set([secret.normalize('NFC'), secret.normalize('NFD')])) assert.ok(!raw.includes(Buffer.from(form, 'utf8')), `${secret} in the database`);
    }
    assert.notEqual(t.db.prepare('SELECT a.name FROM attachments a JOIN registrations r ON r.id = a.registration_id WHERE r.reference = ?').pluck().get(reference), fileName);
    for (const role of ['chair', 'official', 'clerk'] as OfficialRole[]) {
      const reveal = can(role, 'registrations.readDenouncer');
      const record = (await (await getJson(`${t.api}/registrations/${reference}`, await token(t, role))).json()) as Record<string, any>;
      const json = JSON.stringify(record);
      for (const secret of [lawyer, cardNumber, fileName]) assert.equal(json.includes(secret), reveal, `${role}: ${secret}`);
      assert.equal(record.registration.helpers[0].role, 'lawyer', 'the role itself is not secret');
      if (reveal) {
        assert.equal(record.registration.helpers[0].document.number, cardNumber);
        assert.equal(record.attachments[0].name, fileName);
        const file = await getJson(`${t.api}/registrations/${reference}/attachments/card`, await token(t, role));
        assert.equal(file.status, 200);
        assert.ok((file.headers.get('content-disposition') ?? '').includes(encodeURIComponent(fileName)), 'the download keeps the real name');
        assert.deepEqual(Buffer.from(await file.arrayBuffer()), PDF);
      }
    }
  });

  test('the citizen can still look a denunciation up with the phone given', async () => {
    const res = await postJson(`${t.api}/lookup`, { reference: denounced, phone: '0987654321' });
    assert.equal(res.status, 200);
  });
});

describe('attachments download', () => {
  test('the file with its detected type, as an attachment', async () => {
    const res = await getJson(`${t.api}/registrations/${petition}/attachments/p`, await token(t, 'clerk'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment;/u);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);
    const missing = await getJson(`${t.api}/registrations/${petition}/attachments/nope`, await token(t, 'clerk'));
    assert.equal(missing.status, 404);
  });
});

describe('attachment files at rest', () => {
  test('encrypted on disk (no plaintext bytes, not even the PDF header), returned byte for byte with the SHA-256 of what was sent', async () => {
    const marker = Buffer.from(`%PDF-1.4\n% tiepdan-marker-${Date.now()}\n`, 'latin1');
    const pdf = Buffer.concat([marker, PDF.subarray(9)]);
    const reg = validRegistration({ attachments: [attachmentMeta('f', pdf, 'application/pdf')] });
    const res = await submitMultipart(t.api, reg, [{ field: 'f', bytes: pdf }]);
    const body = (await res.json()) as { reference: string; attachments: { sha256: string; size: number }[] };
    assert.equal(res.status, 201, JSON.stringify(body));
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    assert.equal(body.attachments[0]!.sha256, sha256, 'the hash is of the plaintext as sent');
    const stored = readFileSync(join(t.dataDir, 'attachments', sha256.slice(0, 2), sha256));
    assert.ok(!stored.includes(Buffer.from('tiepdan-marker')), 'the marker is not on disk in clear');
    assert.ok(!stored.includes(Buffer.from('%PDF')), 'nor the PDF header');
    assert.notEqual(stored.length, pdf.length - 1, 'sanity: this is the stored file');
    const file = await getJson(`${t.api}/registrations/${body.reference}/attachments/f`, await token(t, 'clerk'));
    assert.equal(file.status, 200);
    const back = Buffer.from(await file.arrayBuffer());
    assert.deepEqual(back, pdf);
    assert.equal(createHash('sha256').update(back).digest('hex'), sha256);
  });

  test('a stored file that was tampered with is not served as if it were whole', async () => {
    const png = Buffer.concat([PNG, Buffer.from(`tamper-${Date.now()}`)]);
    const res = await submitMultipart(t.api, validRegistration({ attachments: [attachmentMeta('g', png, 'image/png')] }), [{ field: 'g', bytes: png }]);
    const body = (await res.json()) as { reference: string; attachments: { sha256: string }[] };
    const path = join(t.dataDir, 'attachments', body.attachments[0]!.sha256.slice(0, 2), body.attachments[0]!.sha256);
    const stored = readFileSync(path);
    stored[stored.length - 20]! ^= 0xff;
    writeFileSync(path, stored);
    const clerk = await token(t, 'clerk');
    // The whole body of a 200 would be a changed file passed off as the citizen's: the download fails instead
    // (GCM's tag is checked at the end, so the response is cut before it completes).
    const outcome = await getJson(`${t.api}/registrations/${body.reference}/attachments/g`, clerk)
      .then(async (r) => (r.status === 200 ? `served ${(await r.arrayBuffer()).byteLength} bytes` : `refused ${r.status}`))
      .catch(() => 'cut');
    assert.ok(outcome === 'cut' || outcome.startsWith('refused'), outcome);
    assert.equal((await fetch(`${t.url}/healthz`)).status, 200);
  });
});

describe('transitions', () => {
  async function fresh(): Promise<string> {
    const res = await submitJson(t.api, validRegistration());
    return ((await res.json()) as { reference: string }).reference;
  }
  const move = async (reference: string, body: unknown, role: OfficialRole = 'clerk') =>
    postJson(`${t.api}/registrations/${reference}/transitions`, body, { authorization: `Bearer ${await token(t, role)}` });

  test('received → screened → invited → answered, each recorded; the citizen sees the public note only', async () => {
    const ref = await fresh();
    let res = await move(ref, { to: 'screened', reason: 'Kiến nghị thuộc thẩm quyền phường.' });
    assert.equal(res.status, 200);
    res = await move(ref, { to: 'invited', reason: 'Mời tiếp ngày 15.', publicNote: 'Mời ông/bà đến UBND phường ngày 15/09.' });
    assert.equal(res.status, 200);
    res = await move(ref, { to: 'answered', reason: 'Đã giải quyết tại buổi tiếp.', outcome: 'other' }, 'chair');
    const record = (await res.json()) as { state: string; history: { state: string; by?: string; reason?: string; outcome?: string }[] };
    assert.equal(res.status, 200);
    assert.equal(record.state, 'answered');
    assert.deepEqual(record.history.map((h) => h.state), ['received', 'screened', 'invited', 'answered']);
    assert.equal(record.history[3]!.by, 'chair.test');
    assert.equal(record.history[3]!.outcome, 'other');
    const lookup = (await (await postJson(`${t.api}/lookup`, { reference: ref, phone: '0912345678' })).json()) as { state: string; history: Record<string, unknown>[] };
    assert.equal(lookup.state, 'answered');
    assert.equal(lookup.history.length, 4);
    assert.deepEqual((lookup.history[2] as { note?: { vi: string } }).note?.vi, 'Mời ông/bà đến UBND phường ngày 15/09.');
    assert.ok(!JSON.stringify(lookup).includes('Mời tiếp ngày 15.'), 'internal reasons stay internal');
    assert.ok(!JSON.stringify(lookup).includes('chair.test'));
  });

  test('impossible changes → 409 invalid_transition; missing reason or outcome → 422 naming it', async () => {
    const ref = await fresh();
    const invited = await move(ref, { to: 'invited', reason: 'Bỏ qua bước phân loại' });
    assert.equal(invited.status, 409);
    assert.equal(((await invited.json()) as ErrorShape).error.code, 'invalid_transition');
    const noReason = await move(ref, { to: 'screened' });
    assert.equal(noReason.status, 422);
    assert.equal(((await noReason.json()) as { error: { fields: { path: string }[] } }).error.fields[0]!.path, 'reason');
    const blankReason = await move(ref, { to: 'screened', reason: '   ' });
    assert.equal(blankReason.status, 422);
    const noOutcome = await move(ref, { to: 'answered', reason: 'Hướng dẫn sang Tòa án' });
    assert.equal(noOutcome.status, 422);
    assert.equal(((await noOutcome.json()) as { error: { fields: { path: string }[] } }).error.fields[0]!.path, 'outcome');
    const unknownState = await move(ref, { to: 'archived', reason: 'x' });
    assert.equal(unknownState.status, 422);
    const answered = await move(ref, { to: 'answered', reason: 'Không thuộc thẩm quyền', outcome: 'guided' });
    assert.equal(answered.status, 200);
    const again = await move(ref, { to: 'screened', reason: 'Mở lại' });
    assert.equal(again.status, 409, 'answered is final');
    const unknown = await move('TD-0000-0000', { to: 'screened', reason: 'x' });
    assert.equal(unknown.status, 404);
  });

  test('two clerks racing: one success, one 409, one history row', async () => {
    for (let round = 0; round < 5; round += 1) {
      const ref = await fresh();
      const [a, b] = await Promise.all([move(ref, { to: 'screened', reason: 'Clerk A' }), move(ref, { to: 'screened', reason: 'Clerk B' })]);
      assert.deepEqual([a.status, b.status].sort(), [200, 409]);
      const rows = t.db.prepare('SELECT COUNT(*) FROM history h JOIN registrations r ON r.id = h.registration_id WHERE r.reference = ?').pluck().get(ref);
      assert.equal(rows, 2);
    }
  });

  test('the store\'s compare-and-set refuses a change from a state that is no longer current', async () => {
    const ref = await fresh();
    const change = (reason: string) => t.server.store.transition({ reference: ref, from: 'received', entry: { state: 'screened', at: new Date().toISOString(), by: 'x', reason } });
    const results = await Promise.all([change('A'), change('B')]);
    assert.deepEqual(results.sort(), [false, true]);
    const row = await t.server.store.findByReference(ref);
    assert.equal(row?.state, 'screened');
    assert.equal(row?.history.length, 2);
    // A stale clerk who still believes it is "received" cannot answer it.
    assert.equal(await t.server.store.transition({ reference: ref, from: 'received', entry: { state: 'answered', at: new Date().toISOString(), outcome: 'guided' } }), false);
  });
});
