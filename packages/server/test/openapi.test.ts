/**
 * The HTTP API as a contract (issue 14): /api/v1/openapi.json is built from the routes' schemas, docs/openapi.json
 * is that document committed (regenerate with `npm run docs:openapi`), and a route without a schema fails here:
 * every route has one since the last 84 were described (the PENDING list that exempted them is gone).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { renderOpenApiDoc } from '../src/http/openapi-doc.js';
import { postJson, removeDir, startServer, token, type TestServer } from './helpers.js';

const DOC = new URL('../../../docs/openapi.json', import.meta.url);

type Operation = { summary?: string; parameters?: { in: string; name: string }[]; requestBody?: unknown; responses?: Record<string, { content?: Record<string, { schema?: object }> }> };
function operations(doc: { paths: Record<string, Record<string, Operation>> }): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op]));
}

/** Routes that answer a file (a calendar, a paper, an export, media, the network probe's bytes), not JSON: no JSON schema to give. */
const FILE_ROUTES = [
  'GET /api/v1/meta/probe',
  'GET /api/v1/registrations/{reference}/attachments/{id}',
  'GET /api/v1/units/{unit}/schedule.ics',
  'POST /api/v1/bookings/calendar',
  'GET /api/v1/bookings/{reference}.ics',
  'GET /api/v1/recordings/{id}/media',
  'GET /api/v1/recordings/{id}/download',
  'GET /api/v1/recordings/{id}/copies/{copyId}/file',
  'GET /api/v1/desk/cases/{id}/papers/{paper}',
  'GET /api/v1/desk/cases/{id}/citizen-papers/{paper}',
  'GET /api/v1/register/export',
];


describe('OpenAPI document', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(async () => {
    await t.close();
    removeDir(t.dataDir);
  });

  test('docs/openapi.json is what the routes render (run npm run docs:openapi after changing a route)', async () => {
    const committed = readFileSync(DOC, 'utf8');
    const rendered = await renderOpenApiDoc();
    if (committed !== rendered) {
      const a = committed.split('\n');
      const b = rendered.split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      assert.fail(`docs/openapi.json is stale from line ${line + 1}: ${JSON.stringify(a[line])} vs ${JSON.stringify(b[line])}; run npm run docs:openapi`);
    }
  });

  test('the server serves the same document at /api/v1/openapi.json', async () => {
    const res = await fetch(`${t.url}/api/v1/openapi.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/u);
    const served = await res.json();
    assert.deepEqual(served, JSON.parse(readFileSync(DOC, 'utf8')));
  });

  test('every route has a schema (a summary and its path parameters)', () => {
    const doc = JSON.parse(readFileSync(DOC, 'utf8'));
    const missing: string[] = [];
    for (const [name, op] of operations(doc)) {
      if (!op.summary) missing.push(name);
      for (const param of name.match(/\{[^}]+\}/gu) ?? []) {
        assert.ok(op.parameters?.some((p) => p.in === 'path' && `{${p.name}}` === param), `${name}: path parameter ${param} is not described`);
      }
    }
    assert.deepEqual(missing, [], 'routes without a schema: give each a schema with its summary and parameters');
    assert.ok(operations(doc).length >= 90, `only ${operations(doc).length} routes in the document`);
  });

  test('the 2xx replies of every JSON route have a response schema (not {}), so they are documented and serialized by it', () => {
    const doc = JSON.parse(readFileSync(DOC, 'utf8'));
    const names = operations(doc).map(([name]) => name);
    for (const name of FILE_ROUTES) assert.ok(names.includes(name), `${name} is listed here but not in the document`);
    const missing: string[] = [];
    for (const [name, op] of operations(doc)) {
      if (FILE_ROUTES.includes(name)) continue;
      const replies = Object.entries(op.responses ?? {}).filter(([code]) => code.startsWith('2'));
      const schemaOf = (reply: (typeof replies)[number][1]) => reply.content?.['application/json']?.schema;
      // A 204 has no body: it is described by saying so (no content), not by a schema.
      const ok = replies.length > 0 && replies.every(([code, reply]) => (code === '204' ? !reply.content : Object.keys(schemaOf(reply) ?? {}).length > 0));
      if (!ok) missing.push(name);
    }
    assert.deepEqual(missing, [], 'JSON routes whose 2xx replies have no schema: give each a `response` schema');
  });

  test('shared views are components: every $ref resolves, every component is referred to, a case reply refers to ReceptionCase', () => {
    const doc = JSON.parse(readFileSync(DOC, 'utf8')) as { paths: unknown; components: { schemas: Record<string, unknown> } };
    const text = JSON.stringify(doc);
    const refs = new Set([...text.matchAll(/"\$ref":"([^"]+)"/gu)].map((m) => m[1]!));
    for (const ref of refs) {
      const id = /^#\/components\/schemas\/(.+)$/u.exec(ref)?.[1];
      assert.ok(id && doc.components.schemas[id], `${ref} resolves to no component`);
    }
    const ids = Object.keys(doc.components.schemas);
    for (const id of ['ReceptionCase', 'RegistrationRecord', 'RegisterEntry', 'SessionView', 'Error']) assert.ok(ids.includes(id), `no ${id} component`);
    const unreferenced = ids.filter((id) => !refs.has(`#/components/schemas/${id}`));
    assert.deepEqual(unreferenced, [], 'components nothing refers to');
    const closed = (doc.paths as Record<string, Record<string, Operation>>)['/api/v1/desk/cases/{id}/close']!.post!.responses!['200']!.content!['application/json']!.schema!;
    const closedText = JSON.stringify(closed);
    assert.ok(closedText.includes('"#/components/schemas/ReceptionCase"'), closedText.slice(0, 300));
    assert.ok(closedText.length < 2000, `the close reply is ${closedText.length} characters: the case is inlined again`);
  });

  test("a route schema's zod metadata reaches the document (the components' registry falls back to zod's global one)", () => {
    const doc = JSON.parse(readFileSync(DOC, 'utf8'));
    assert.deepEqual(doc.paths['/api/v1/meta/probe'].post.responses['204'], { description: 'Received and thrown away; no body.' });
    assert.equal(doc.paths['/api/v1/meta/probe'].get.responses['200'].content['application/octet-stream'].schema.format, 'binary');
  });

  test('the meta reply, serialized by its schema, is the configured unit as it was: a connection point keeps its parent', async () => {
    const units = [{ code: 'dongthap.sadec', name: 'UBND phường Sa Đéc', provinceCode: '82', communes: [{ code: '29869', name: 'Phường Sa Đéc' }], connectionPoints: [{ id: 'tinh', name: 'UBND tỉnh' }, { id: 'sadec-ubnd', name: 'Trụ sở UBND phường Sa Đéc', parent: 'tinh' }] }];
    const own = await startServer({ units });
    try {
      const res = await fetch(`${own.api}/meta`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ['communes', 'connectionPoints', 'privacyNotice', 'remoteAttendanceAllowed', 'rules', 'unit']);
      assert.deepEqual(body.unit, { code: 'dongthap.sadec', name: 'UBND phường Sa Đéc', provinceCode: '82' });
      assert.deepEqual(body.communes, units[0]!.communes);
      assert.deepEqual(body.connectionPoints, units[0]!.connectionPoints);
      assert.deepEqual(body.rules, own.config.rules);
      assert.deepEqual(body.privacyNotice, own.config.privacyNotice);
    } finally {
      await own.close();
      removeDir(own.dataDir);
    }
  });

  test('a body the schema describes is the body the route checks', async () => {
    const doc = JSON.parse(readFileSync(DOC, 'utf8'));
    const lookup = doc.paths['/api/v1/lookup'].post.requestBody.content['application/json'].schema;
    assert.deepEqual(lookup.required, ['reference', 'phone']);
    assert.equal(lookup.additionalProperties, false);
    const res = await fetch(`${t.api}/lookup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reference: 'TD-7K3Q-9PXM' }) });
    assert.equal(res.status, 422);
    const body = (await res.json()) as { error: { fields: { path: string }[] } };
    assert.deepEqual(body.error.fields.map((f) => f.path), ['phone']);
  });

  test('a booking body is checked by the route, as the document describes it, after the guess budget', async () => {
    const doc = JSON.parse(readFileSync(DOC, 'utf8'));
    const booking = doc.paths['/api/v1/bookings'].post.requestBody.content['application/json'].schema;
    assert.deepEqual(booking.required, ['reference', 'phone', 'sessionId']);
    const res = await postJson(`${t.api}/bookings`, { reference: 'TD-7K3Q-9PXM', sessionId: 's_x' });
    assert.equal(res.status, 422);
    const body = (await res.json()) as { error: { code: string; fields: { path: string; message: { vi: string; en: string } }[] } };
    assert.equal(body.error.code, 'validation_failed');
    assert.deepEqual(body.error.fields.map((f) => f.path), ['phone']);
    assert.ok(body.error.fields[0]!.message.vi && body.error.fields[0]!.message.en);
  });

  test('a body the handler checks (checkedByHandler) is described, and the caller and the record still answer before its shape', async () => {
    const doc = JSON.parse(readFileSync(DOC, 'utf8'));
    const cancel = doc.paths['/api/v1/sessions/{id}/cancel'].post.requestBody.content['application/json'].schema;
    assert.deepEqual(cancel.required, ['reason', 'notice']);
    const bad = { reason: '' };
    assert.equal((await postJson(`${t.api}/sessions/s_none/cancel`, bad)).status, 401, 'no token: 401, not 422');
    const bearer = await token(t, 'chair');
    const missing = await postJson(`${t.api}/sessions/s_none/cancel`, bad, { authorization: `Bearer ${bearer}` });
    assert.equal(missing.status, 404, 'unknown session: 404 before the body');
    const created = await postJson(
      `${t.api}/sessions`,
      { kind: 'regular', host: { role: 'chair', name: 'Nguyễn Văn Chủ' }, level: 'commune', unit: 'dongthap.sadec', venue: 'Hội trường UBND', connectionPoints: [], startsAt: '2030-03-01T01:00:00Z', endsAt: '2030-03-01T04:00:00Z', capacity: 10, remoteAllowed: false },
      { authorization: `Bearer ${bearer}` },
    );
    assert.equal(created.status, 201, await created.clone().text());
    const { session } = (await created.json()) as { session: { id: string } };
    const shaped = await postJson(`${t.api}/sessions/${session.id}/cancel`, bad, { authorization: `Bearer ${bearer}` });
    assert.equal(shaped.status, 422);
    const body = (await shaped.json()) as { error: { fields: { path: string }[] } };
    assert.deepEqual(body.error.fields.map((f) => f.path).sort(), ['notice', 'reason']);
  });

  test('replies with a response schema are serialized by it: the accounts routes answer the documented fields, no more', async () => {
    const doc = JSON.parse(readFileSync(DOC, 'utf8'));
    const listed = doc.paths['/api/v1/accounts'].get.responses['200'].content['application/json'].schema;
    const documented = Object.keys(listed.properties.accounts.items.properties).sort();
    assert.ok(documented.includes('assignments') && !documented.includes('passwordHash'));
    const admin = await token(t, 'admin');
    const auth = { authorization: `Bearer ${admin}` };
    const created = await postJson(`${t.api}/accounts`, { username: 'tiep.dan', displayName: 'Lê Thị Tiếp', password: 'mat-khau-du-dai-2026', roles: [{ role: 'clerk', unit: 'dongthap.sadec' }] }, auth);
    assert.equal(created.status, 201, await created.clone().text());
    const res = await fetch(`${t.api}/accounts`, { headers: auth });
    assert.equal(res.status, 200);
    const { accounts } = (await res.json()) as { accounts: Record<string, unknown>[] };
    const mine = accounts.find((a) => a.username === 'tiep.dan');
    assert.ok(mine, 'the new account is listed');
    assert.deepEqual(Object.keys(mine).sort(), documented);
    // The audit log too: an entry keeps every field the store gives it, who, from where, and the detail.
    const audit = doc.paths['/api/v1/accounts/audit'].get.responses['200'].content['application/json'].schema;
    const auditFields = Object.keys(audit.properties.entries.items.properties).sort();
    const log = (await (await fetch(`${t.api}/accounts/audit`, { headers: auth })).json()) as { entries: Record<string, unknown>[] };
    const entry = log.entries.find((e) => e.event === 'account_created' && e.username === 'tiep.dan');
    assert.ok(entry, JSON.stringify(log.entries.slice(0, 3)));
    assert.deepEqual(Object.keys(entry).sort(), auditFields);
    assert.ok(entry.detail && typeof entry.detail === 'object' && Object.keys(entry.detail).length > 0, JSON.stringify(entry));
    const methods = await fetch(`${t.api}/auth/methods`);
    assert.deepEqual(await methods.json(), { password: true });
  });
});
