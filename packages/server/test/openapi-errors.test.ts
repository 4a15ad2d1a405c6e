/**
 * The error shape in the API's contract (issue 14): the OpenAPI document has one `Error` component, rendered from
 * core's ErrorBodySchema, and every 4xx response of every route refers to it (each route has at least the `4XX`
 * range; those that check a body, query or path also 422). The server's real refusals are bodies of that schema.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { safeParse } from 'zod/v4/core';
import { ErrorBodySchema } from '@tiepdan/core';
import { ERROR_SCHEMA_REF, errorJsonSchema } from '../src/http/openapi.js';
import { postJson, removeDir, startServer, type TestServer } from './helpers.js';

const DOC = new URL('../../../docs/openapi.json', import.meta.url);

type Reply = { description?: string; content?: Record<string, { schema?: unknown }>; $ref?: string };
type Operation = { requestBody?: unknown; parameters?: { in: string }[]; responses?: Record<string, Reply> };
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

function operations(doc: Doc): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op]));
}

describe('the error shape in the OpenAPI document', () => {
  const doc = JSON.parse(readFileSync(DOC, 'utf8')) as Doc;
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(async () => {
    await t.close();
    removeDir(t.dataDir);
  });

  test('one Error component, rendered from core\'s ErrorBodySchema', () => {
    assert.equal(ERROR_SCHEMA_REF, '#/components/schemas/Error');
    assert.deepEqual(doc.components.schemas.Error, errorJsonSchema());
    const error = doc.components.schemas.Error as { required: string[]; properties: { error: { required: string[] } } };
    assert.deepEqual(error.required, ['error']);
    assert.deepEqual(error.properties.error.required, ['code', 'message']);
  });

  test('every 4xx response of every route refers to it, and every route has one', () => {
    const ops = operations(doc);
    assert.ok(ops.length >= 90, `only ${ops.length} routes in the document`);
    const without: string[] = [];
    const other: string[] = [];
    for (const [name, op] of ops) {
      const refusals = Object.entries(op.responses ?? {}).filter(([code]) => /^4(\d\d|XX)$/u.test(code));
      if (refusals.length === 0) without.push(name);
      for (const [code, reply] of refusals) {
        const schemas = Object.values(reply.content ?? {}).map((c) => c.schema);
        if (schemas.length === 0 || !schemas.every((s) => (s as { $ref?: string } | undefined)?.$ref === ERROR_SCHEMA_REF)) other.push(`${name} ${code}`);
      }
    }
    assert.deepEqual(without, [], 'routes with no 4xx response');
    assert.deepEqual(other, [], '4xx responses that do not refer to the Error component');
  });

  test('a route that checks its input documents the 422', () => {
    const lookup = doc.paths['/api/v1/lookup']!.post!;
    assert.ok(lookup.responses?.['422'], 'POST /lookup checks its body');
    const cancel = doc.paths['/api/v1/sessions/{id}/cancel']!.post!;
    assert.ok(cancel.responses?.['422'], 'a body checked by the handler is input too');
    for (const [name, op] of operations(doc)) {
      const checks = Boolean(op.requestBody) || (op.parameters ?? []).some((p) => p.in === 'query' || p.in === 'path');
      assert.equal(Boolean(op.responses?.['422']), checks, `${name}: a 422 exactly when it checks a body, query or path`);
    }
  });

  test('the server\'s refusals are bodies of that schema (a 422 naming fields, a 404, a 401)', async () => {
    const refusals = [
      await postJson(`${t.api}/lookup`, { reference: 'TD-7K3Q-9PXM' }),
      await fetch(`${t.api}/no-such-route`),
      await fetch(`${t.api}/accounts`),
    ];
    assert.deepEqual(refusals.map((r) => r.status), [422, 404, 401]);
    for (const res of refusals) {
      const body: unknown = await res.json();
      const parsed = safeParse(ErrorBodySchema, body);
      assert.ok(parsed.success, `${res.url} ${res.status}: ${JSON.stringify(body)}`);
    }
    // The schema is not a rubber stamp: a body without the bilingual message does not pass.
    assert.equal(safeParse(ErrorBodySchema, { error: { code: 'not_found', message: 'Not found' } }).success, false);
  });
});
