/**
 * POST /api/v1/registrations: happy paths, idempotent replays, races, and every refusal with its error shape,
 * checking each time that nothing was stored and that the server is still up.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SubmitResponseSchema } from '@tiepdan/core';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { safeParse } from 'zod/v4/core';
import {
  PDF,
  PNG,
  attachmentMeta,
  healthy,
  removeDir,
  storedFiles,
  submitJson,
  submitMultipart,
  tableCount,
  uuidv7,
  validRegistration,
  type TestServer,
} from './helpers.js';
import { STORE_FIXTURES, startServerOn } from './store-fixtures.js';

type ErrorShape = { error: { code: string; message: { vi: string; en: string }; fields?: { path: string; code: string; message: { vi: string; en: string } }[]; requestId?: string } };

// Every test runs on each store (SQLite, and a real PostgreSQL when its binaries are here; otherwise reported as
// skipped with the reason). What is checked in the database is read with t.sql/t.count, which work on both.
let t: TestServer;
for (const fixture of STORE_FIXTURES) {
  describe(`intake on ${fixture.name}`, { skip: fixture.unavailable }, () => {
    before(async () => {
      t = await startServerOn(fixture, { rules: { attachments: { maxCount: 3, maxBytes: 64 * 1024 } } });
    });
    after(async () => {
      await t?.close();
      if (t) removeDir(t.dataDir);
    });
    intakeSuite();
  });
}

/** Asserts a refusal: status, code, the named field, nothing stored (rows, files, temps), server still up. */
async function assertRefused(res: Response, status: number, code: string, path?: string): Promise<ErrorShape> {
  const rowsBefore = await tableCount(t);
  const body = (await res.json()) as ErrorShape;
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.error.code, code);
  assert.ok(body.error.message.vi.length > 0 && body.error.message.en.length > 0);
  assert.ok(body.error.requestId, 'error carries the request id');
  if (path !== undefined) {
    const field = body.error.fields?.find((f) => f.path === path);
    assert.ok(field, `field ${path} named in ${JSON.stringify(body.error.fields)}`);
    assert.ok(field.message.vi && field.message.en);
  }
  assert.equal(await tableCount(t), rowsBefore);
  assert.ok(await healthy(t));
  return body;
}

async function assertNothingStored<T>(action: () => Promise<T>): Promise<T> {
  const rows = await tableCount(t);
  const history = await tableCount(t, 'history');
  const attachmentRows = await tableCount(t, 'attachments');
  const files = (await storedFiles(t));
  const result = await action();
  assert.equal(await tableCount(t), rows, 'no registration row');
  assert.equal(await tableCount(t, 'history'), history, 'no history row');
  assert.equal(await tableCount(t, 'attachments'), attachmentRows, 'no attachment row');
  const now = (await storedFiles(t));
  assert.deepEqual(now.attachments, files.attachments, 'no attachment file');
  assert.deepEqual(now.tmp, [], 'no temp file left');
  return result;
}

function intakeSuite(): void {
describe('submission: happy paths', () => {
  test('JSON registration → 201 with a reference, stored once with its first history row', async () => {
    const key = uuidv7();
    const res = await submitJson(t.api, validRegistration(), key);
    const body = (await res.json()) as Record<string, any>;
    assert.equal(res.status, 201, JSON.stringify(body));
    assert.match(body.reference, /^TD-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/u);
    assert.equal(body.clientId, key);
    assert.equal(body.state, 'received');
    assert.ok(body.next.vi && body.next.en);
    assert.ok(!Number.isNaN(Date.parse(body.receivedAt)));
    assert.equal(res.headers.get('idempotent-replayed'), null);
    const row = (await t.sql('SELECT * FROM registrations WHERE reference = ?', [body.reference]))[0] as Record<string, any>;
    assert.equal(row.client_id, key);
    const stored = JSON.parse(row.data);
    assert.equal(stored.contact.phone, '+84912345678', 'phone stored as E.164');
    assert.equal((await t.count('SELECT COUNT(*) FROM history h JOIN registrations r ON r.id = h.registration_id WHERE r.reference = ?', [body.reference])), 1);
  });

  test('multipart with a real PNG and PDF → stored content-addressed, type detected by content', async () => {
    const reg = validRegistration({ attachments: [attachmentMeta('photo1', PNG, 'image/png'), { ...attachmentMeta('doc1', PDF, 'application/pdf'), purpose: 'id_paper' }] });
    const res = await submitMultipart(t.api, reg, [
      { field: 'photo1', bytes: PNG, filename: 'anh duong ngap.png', type: 'image/png' },
      // The declared part type is wrong on purpose: the server trusts the bytes.
      { field: 'doc1', bytes: PDF, filename: 'giay-to.pdf', type: 'application/octet-stream' },
    ]);
    const body = (await res.json()) as Record<string, any>;
    assert.equal(res.status, 201, JSON.stringify(body));
    assert.equal(body.attachments.length, 2);
    const [png, pdf] = body.attachments;
    assert.equal(png.type, 'image/png');
    assert.equal(pdf.type, 'application/pdf');
    assert.equal(png.size, PNG.length);
    const files = (await storedFiles(t)).attachments;
    assert.ok(files.includes(`${png.sha256.slice(0, 2)}/${png.sha256}`));
    assert.ok(files.includes(`${pdf.sha256.slice(0, 2)}/${pdf.sha256}`));
    assert.deepEqual((await storedFiles(t)).tmp, []);
    assert.equal((await t.count('SELECT COUNT(*) FROM attachments a JOIN registrations r ON r.id = a.registration_id WHERE r.reference = ?', [body.reference])), 2);
  });

  test('the 201 body has the bytes the response schema serializes: keys in its order, no other key', async () => {
    // The route sends submitResponse with JSON.stringify, not zod's encode (registrations/plugin.ts); these are
    // the bytes the schema's serializer gives for the same body, with attachments and with a booking.
    const encode = serializerCompiler({ schema: SubmitResponseSchema, method: 'POST', url: '/api/v1/registrations' } as never) as (data: unknown) => string;
    const withFile = validRegistration({ attachments: [attachmentMeta('p1', PNG, 'image/png')], preferredSessionId: uuidv7() });
    const sent = [
      await submitJson(t.api, validRegistration()),
      await submitMultipart(t.api, withFile, [{ field: 'p1', bytes: PNG }]),
    ];
    const bodies: Record<string, any>[] = [];
    for (const res of sent) {
      const text = await res.text();
      assert.equal(res.status, 201, text);
      const body = JSON.parse(text) as Record<string, any>;
      assert.equal(text, encode(body));
      assert.ok(safeParse(SubmitResponseSchema, body).success);
      bodies.push(body);
    }
    assert.deepEqual(Object.keys(bodies[0]!), ['reference', 'clientId', 'state', 'receivedAt', 'attachments', 'next']);
    assert.deepEqual(Object.keys(bodies[1]!), ['reference', 'clientId', 'state', 'receivedAt', 'attachments', 'next', 'booking']);
    assert.deepEqual(Object.keys(bodies[1]!.attachments[0]), ['id', 'name', 'type', 'size', 'sha256', 'purpose']);
    assert.deepEqual(bodies[1]!.booking, { sessionId: withFile.preferredSessionId, status: 'not_open' });
  });

  test("the 201's headers: every name and value, the security headers included", async () => {
    // Pinned so that work on the intake's speed (issue 15) cannot drop or change a header unnoticed. Only the
    // values that differ per reply are matched by shape: the date, the request id, the length.
    const res = await submitJson(t.api, validRegistration());
    assert.equal(res.status, 201, await res.text());
    const headers = Object.fromEntries([...res.headers].map(([name, value]) => [name, value]));
    assert.match(headers.date!, /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/u);
    assert.match(headers['x-request-id']!, /\S{8,}/u);
    assert.match(headers['content-length']!, /^\d+$/u);
    for (const varying of ['date', 'x-request-id', 'content-length']) delete headers[varying];
    assert.deepEqual(headers, EXPECTED_201_HEADERS);
  });

  test('NFD input is stored NFC', async () => {
    const nfdName = 'Lê Thị Ngọc Ánh'.normalize('NFD');
    const nfdSummary = 'Phản ánh tình trạng rác thải ở khóm 3'.normalize('NFD');
    assert.notEqual(nfdName, nfdName.normalize('NFC'));
    const reg = validRegistration({ identity: { fullName: nfdName }, content: { summary: nfdSummary }, kind: 'phan_anh' });
    const res = await submitJson(t.api, reg);
    const body = (await res.json()) as Record<string, any>;
    assert.equal(res.status, 201, JSON.stringify(body));
    const row = (await t.sql('SELECT data, display_name, summary FROM registrations WHERE reference = ?', [body.reference]))[0] as Record<string, string>;
    const data = JSON.parse(row.data!);
    assert.equal(data.identity.fullName, 'Lê Thị Ngọc Ánh'.normalize('NFC'));
    assert.equal(row.display_name, 'Lê Thị Ngọc Ánh'.normalize('NFC'));
    assert.equal(row.summary, nfdSummary.normalize('NFC'));
    assert.ok(!row.data!.includes(nfdName), 'no NFD text in the stored JSON');
  });
});

describe('submission: idempotency', () => {
  test('an identical replay gives the same 201 body with Idempotent-Replayed and stores nothing new', async () => {
    const key = uuidv7();
    const reg = validRegistration({ attachments: [attachmentMeta('p', PNG, 'image/png')] });
    const first = await submitMultipart(t.api, reg, [{ field: 'p', bytes: PNG }], key);
    const firstBody = await first.text();
    assert.equal(first.status, 201, firstBody);
    const rows = await tableCount(t);
    const files = (await storedFiles(t)).attachments;
    // Same content, keys in another order and the phone typed differently: still the same registration.
    const reordered = { ...Object.fromEntries(Object.entries(reg).reverse()), contact: { phone: '+84912345678' } };
    const replay = await submitMultipart(t.api, reordered, [{ field: 'p', bytes: PNG }], key);
    assert.equal(replay.status, 201);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(await replay.text(), firstBody);
    assert.equal(await tableCount(t), rows);
    assert.equal((await t.count('SELECT COUNT(*) FROM registrations WHERE client_id = ?', [key])), 1);
    assert.deepEqual((await storedFiles(t)).attachments, files);
    assert.deepEqual((await storedFiles(t)).tmp, []);
  });

  test('the same key with different content → 409 idempotency_conflict, nothing new stored', async () => {
    const key = uuidv7();
    const first = await submitJson(t.api, validRegistration(), key);
    assert.equal(first.status, 201);
    const stored = (await t.sql('SELECT data FROM registrations WHERE client_id = ?', [key]))[0]?.data;
    await assertNothingStored(async () => {
      const changed = validRegistration({ content: { summary: 'Một nội dung khác hẳn.' } });
      await assertRefused(await submitJson(t.api, changed, key), 409, 'idempotency_conflict');
      // Different files under the same key conflict too, and the new file is not kept.
      const withFile = validRegistration({ attachments: [attachmentMeta('q', PDF, 'application/pdf')] });
      await assertRefused(await submitMultipart(t.api, withFile, [{ field: 'q', bytes: Buffer.concat([PDF, Buffer.from('% extra\n')]) }], key), 409, 'idempotency_conflict');
    });
    assert.equal((await t.sql('SELECT data FROM registrations WHERE client_id = ?', [key]))[0]?.data, stored, 'the first registration is untouched');
  });

  test('20 concurrent identical submissions store exactly one row', async () => {
    const key = uuidv7();
    const reg = validRegistration({ attachments: [attachmentMeta('p', PNG, 'image/png')] });
    const responses = await Promise.all(Array.from({ length: 20 }, () => submitMultipart(t.api, reg, [{ field: 'p', bytes: PNG }], key)));
    const bodies = await Promise.all(responses.map((r) => r.text()));
    assert.deepEqual(responses.map((r) => r.status), Array(20).fill(201));
    assert.equal(new Set(bodies).size, 1, 'every response has the same body');
    assert.equal(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 19);
    assert.equal((await t.count('SELECT COUNT(*) FROM registrations WHERE client_id = ?', [key])), 1);
    assert.equal((await t.count('SELECT COUNT(*) FROM history h JOIN registrations r ON r.id = h.registration_id WHERE r.client_id = ?', [key])), 1);
    assert.deepEqual((await storedFiles(t)).tmp, []);
  });

  test('20 concurrent JSON submissions with distinct keys store 20 rows with distinct references', async () => {
    const before = await tableCount(t);
    const responses = await Promise.all(Array.from({ length: 20 }, () => submitJson(t.api, validRegistration())));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { reference: string }[];
    assert.deepEqual(responses.map((r) => r.status), Array(20).fill(201));
    assert.equal(new Set(bodies.map((b) => b.reference)).size, 20);
    assert.equal(await tableCount(t), before + 20);
  });
});

describe('submission: refusals store nothing and name the field', () => {
  const cases: [string, () => Record<string, any>, string][] = [
    ['CCCD with a bad structure', () => validRegistration({ identity: { ...validRegistration().identity, idNumber: '08718500123' } }), 'identity.idNumber'],
    ['CCCD with an unknown province code', () => validRegistration({ identity: { ...validRegistration().identity, idNumber: '003185001234' } }), 'identity.idNumber'],
    ['CCCD whose birth year disagrees', () => validRegistration({ identity: { ...validRegistration().identity, dateOfBirth: '1986-04-12' } }), 'identity.idNumber'],
    ['CCCD whose sex digit disagrees', () => validRegistration({ identity: { ...validRegistration().identity, sex: 'male' } }), 'identity.idNumber'],
    ['a phone that is not Vietnamese mobile', () => validRegistration({ contact: { phone: '0212 345 678' } }), 'contact.phone'],
    ['an unknown top-level field', () => validRegistration({ favouriteColour: 'đỏ' }), 'favouriteColour'],
    ['an unknown nested field', () => validRegistration({ contact: { phone: '0912345678', fax: '123' } }), 'contact.fax'],
    ['an unknown unit', () => validRegistration({ unit: 'hanoi.hoankiem' }), 'unit'],
    ['a privacy notice version not in force', () => validRegistration({ privacy: { ...validRegistration().privacy, version: '2020-01-01' } }), 'privacy.version'],
    ['remote attendance where it is not allowed', () => validRegistration({ attendance: { mode: 'remote' } }), 'attendance.mode'],
    ['a name of only zero-width spaces', () => validRegistration({ identity: { ...validRegistration().identity, fullName: '\u200B\u200B\u200B' } }), 'identity.fullName'],
    ['a name with a right-to-left override', () => validRegistration({ identity: { ...validRegistration().identity, fullName: 'Nguyễn \u202EaoH ịhT' } }), 'identity.fullName'],
    ['a name with NUL and BEL', () => validRegistration({ identity: { ...validRegistration().identity, fullName: 'Nguyễn\u0000Thị\u0007Hoa' } }), 'identity.fullName'],
    ['a name without letters', () => validRegistration({ identity: { ...validRegistration().identity, fullName: '1234 5678' } }), 'identity.fullName'],
    ['a summary of only zero-width characters', () => validRegistration({ content: { summary: '\u200B\u200C\u200D\uFEFF' } }), 'content.summary'],
    ['an attachment name with a right-to-left override', () => validRegistration({ attachments: [{ id: 'a', name: 'anh\u202Egnp.exe', type: 'image/png', size: 10, purpose: 'evidence' }] }), 'attachments.0.name'],
  ];
  for (const [name, make, path] of cases) {
    test(`${name} → 422 validation_failed naming ${path}`, async () => {
      await assertNothingStored(async () => assertRefused(await submitJson(t.api, make()), 422, 'validation_failed', path));
    });
  }

  test('broken JSON → 400 bad_json', async () => {
    await assertNothingStored(async () => {
      const res = await fetch(`${t.api}/registrations`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': uuidv7() }, body: '{"unit": "dongthap.sadec",' });
      await assertRefused(res, 400, 'bad_json');
      // The same inside a multipart form.
      await assertRefused(await submitMultipart(t.api, null, [], uuidv7(), '{not json'), 400, 'bad_json', 'registration');
    });
  });

  test('missing or malformed Idempotency-Key → 400', async () => {
    await assertNothingStored(async () => {
      await assertRefused(await submitJson(t.api, validRegistration(), null), 400, 'idempotency_key_missing');
      await assertRefused(await submitJson(t.api, validRegistration(), 'not-a-uuid'), 400, 'idempotency_key_invalid');
      await assertRefused(await submitMultipart(t.api, validRegistration(), [], '1234'), 400, 'idempotency_key_invalid');
    });
  });

  test('wrong content type → 415 unsupported_media_type', async () => {
    await assertNothingStored(async () => {
      const res = await fetch(`${t.api}/registrations`, { method: 'POST', headers: { 'content-type': 'text/plain', 'idempotency-key': uuidv7() }, body: 'xin chào' });
      await assertRefused(res, 415, 'unsupported_media_type');
    });
  });

  test('an attachment larger than allowed → 413 attachment_too_large naming it', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(70 * 1024, 1)]);
    await assertNothingStored(async () => {
      // Declared honestly: refused before any byte is stored.
      const honest = validRegistration({ attachments: [attachmentMeta('a', PNG, 'image/png'), attachmentMeta('b', big, 'image/png')] });
      await assertRefused(await submitMultipart(t.api, honest, [{ field: 'a', bytes: PNG }, { field: 'b', bytes: big }]), 413, 'attachment_too_large', 'attachments.1');
      // Declared small, sent big: caught while streaming.
      const lying = validRegistration({ attachments: [attachmentMeta('a', PNG, 'image/png'), attachmentMeta('b', PNG, 'image/png')] });
      await assertRefused(await submitMultipart(t.api, lying, [{ field: 'a', bytes: PNG }, { field: 'b', bytes: big }]), 413, 'attachment_too_large', 'attachments.1');
    });
  });

  test('too many attachments → 413 too_many_attachments', async () => {
    await assertNothingStored(async () => {
      const metas = ['a', 'b', 'c', 'd'].map((id) => attachmentMeta(id, PNG, 'image/png'));
      const res = await submitMultipart(t.api, validRegistration({ attachments: metas }), metas.map((m) => ({ field: m.id, bytes: PNG })));
      await assertRefused(res, 413, 'too_many_attachments', 'attachments.3');
      // Listed within the limit, but more file parts sent than allowed.
      const three = ['a', 'b', 'c'].map((id) => attachmentMeta(id, PNG, 'image/png'));
      const parts = ['a', 'b', 'c', 'd'].map((id) => ({ field: id, bytes: PNG }));
      const extra = await submitMultipart(t.api, validRegistration({ attachments: three }), parts);
      const body = (await extra.json()) as ErrorShape;
      assert.ok([413, 422].includes(extra.status), `status ${extra.status}`);
      assert.ok(['too_many_attachments', 'attachment_mismatch'].includes(body.error.code), body.error.code);
    });
  });

  test('a .png name with other content → 415 attachment_type_not_allowed naming it', async () => {
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);
    const text = Buffer.from('Đây là tệp văn bản, không phải ảnh.\n'.repeat(10));
    for (const bytes of [exe, text]) {
      await assertNothingStored(async () => {
        const reg = validRegistration({ attachments: [attachmentMeta('ok', PNG, 'image/png'), attachmentMeta('fake', bytes, 'image/png', 'anh.png')] });
        const res = await submitMultipart(t.api, reg, [{ field: 'ok', bytes: PNG }, { field: 'fake', bytes, filename: 'anh.png', type: 'image/png' }]);
        await assertRefused(res, 415, 'attachment_type_not_allowed', 'attachments.1');
      });
    }
  });

  test('a listed attachment that never arrives, or an unlisted one → 422 attachment_mismatch', async () => {
    await assertNothingStored(async () => {
      const two = validRegistration({ attachments: [attachmentMeta('a', PNG, 'image/png'), attachmentMeta('b', PDF, 'application/pdf')] });
      await assertRefused(await submitMultipart(t.api, two, [{ field: 'a', bytes: PNG }]), 422, 'attachment_mismatch', 'attachments.1');
      const one = validRegistration({ attachments: [attachmentMeta('a', PNG, 'image/png')] });
      await assertRefused(await submitMultipart(t.api, one, [{ field: 'a', bytes: PNG }, { field: 'zzz', bytes: PDF }]), 422, 'attachment_mismatch', 'attachments');
      // Attachments listed in a JSON body can never arrive.
      await assertRefused(await submitJson(t.api, one), 422, 'attachment_mismatch', 'attachments.0');
    });
  });

  test('a file part before the registration field → 400 naming registration', async () => {
    await assertNothingStored(async () => {
      const form = new FormData();
      form.append('a', new Blob([PNG]), 'a.png');
      form.append('registration', JSON.stringify(validRegistration({ attachments: [attachmentMeta('a', PNG, 'image/png')] })));
      const res = await fetch(`${t.api}/registrations`, { method: 'POST', headers: { 'idempotency-key': uuidv7() }, body: form });
      await assertRefused(res, 400, 'bad_request', 'registration');
    });
  });

  test('a JSON body over the body limit → 413 payload_too_large', async () => {
    await assertNothingStored(async () => {
      const huge = validRegistration({ content: { summary: 'x'.repeat(t.config.bodyLimit + 10) } });
      await assertRefused(await submitJson(t.api, huge), 413, 'payload_too_large');
    });
  });
});
}

/** The 201's headers on the test servers (development mode: no HSTS, no upgrade-insecure-requests). */
const EXPECTED_201_HEADERS: Record<string, string> = {
  connection: 'keep-alive',
  'content-security-policy':
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'none';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline'",
  'content-type': 'application/json; charset=utf-8',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'keep-alive': 'timeout=72',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  vary: 'Origin',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};
