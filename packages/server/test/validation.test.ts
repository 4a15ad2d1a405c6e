/**
 * One validation path (issue 14): the same kind of mistake gets the same answer from every route and from the
 * signalling socket: 422 (an error frame on the socket) `validation_failed`, the field's path, a FIELD_MESSAGES
 * code, and our own vi/en words for it, never zod's English issue text.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ERROR_MESSAGES, FIELD_MESSAGES } from '@tiepdan/core';
import { getJson, removeDir, token, type TestServer } from './helpers.js';
import { newSessionId, officialToken, startRoomsServer, TestClient } from './rooms-helpers.js';

type Field = { path: string; code: string; message: { vi: string; en: string } };
type Answer = { status: number; error: { code: string; message: { vi: string; en: string }; fields?: Field[] } };

let t: TestServer;

async function send(method: string, path: string, body?: unknown, bearer?: string): Promise<Answer> {
  const res = await fetch(`${t.api}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Omit<Answer, 'status'>;
  return { status: res.status, ...json };
}

async function query(path: string, bearer?: string): Promise<Answer> {
  const res = await getJson(`${t.api}${path}`, bearer);
  return { status: res.status, ...((await res.json()) as Omit<Answer, 'status'>) };
}

/** A hello frame with its fields changed, answered on a socket of its own (a bad first frame closes it). */
async function frame(change: (hello: Record<string, unknown>) => void): Promise<Answer> {
  const hello: Record<string, unknown> = { auth: { kind: 'official', token: await officialToken(t, 'chair') }, sessionId: newSessionId('validation') };
  change(hello);
  const ws = await TestClient.open(t);
  try {
    const reply = await ws.request('hello', hello);
    assert.equal(reply.type, 'error');
    return { status: 422, error: reply.error };
  } finally {
    ws.close();
  }
}

/** The one shape: 422 validation_failed, our words for the request and for each field, `path` with `code`. */
function assertShape(answer: Answer, path: string, code: string, where: string): void {
  assert.equal(answer.status, 422, `${where}: ${JSON.stringify(answer)}`);
  assert.equal(answer.error.code, 'validation_failed', where);
  assert.deepEqual(answer.error.message, ERROR_MESSAGES.validation_failed, where);
  const field = answer.error.fields?.find((f) => f.path === path);
  assert.ok(field, `${where}: no field ${path} in ${JSON.stringify(answer.error.fields)}`);
  assert.equal(field.code, code, `${where}: ${JSON.stringify(field)}`);
  for (const f of answer.error.fields!) {
    assert.ok(f.code in FIELD_MESSAGES, `${where}: ${f.code} is one of our field codes`);
    assert.deepEqual(f.message, FIELD_MESSAGES[f.code as keyof typeof FIELD_MESSAGES], `${where}: the words are ours, not zod's`);
  }
}

describe('one validation path', () => {
  before(async () => {
    t = await startRoomsServer();
  });
  after(async () => {
    await t.close();
    removeDir(t.dataDir);
  });

  test('an unknown field is unknown_field at its path, from a public route, an officials’ route, sign-in and the socket', async () => {
    const chair = await token(t, 'chair');
    assertShape(await send('POST', '/lookup', { reference: 'TD-7K3Q-9PXM', phone: '0912345678', extra: 1 }), 'extra', 'unknown_field', 'lookup');
    assertShape(await send('POST', '/bookings/cancel', { reference: 'TD-7K3Q-9PXM', phone: '0912345678', extra: 1 }), 'extra', 'unknown_field', 'bookings/cancel');
    assertShape(await send('POST', '/auth/sign-in', { username: 'a', password: 'b', extra: 1 }), 'extra', 'unknown_field', 'sign-in');
    assertShape(await send('POST', '/recordings', { sessionId: 's1', extra: 1 }, chair), 'extra', 'unknown_field', 'recordings');
    assertShape(await frame((h) => (h.extra = 1)), 'extra', 'unknown_field', 'ws hello');
  });

  test('a missing field is required at its path, whatever the route', async () => {
    const chair = await token(t, 'chair');
    assertShape(await send('POST', '/lookup', { phone: '0912345678' }), 'reference', 'required', 'lookup');
    assertShape(await send('POST', '/bookings/cancel', { phone: '0912345678' }), 'reference', 'required', 'bookings/cancel');
    assertShape(await send('POST', '/auth/sign-in', { username: 'a' }), 'password', 'required', 'sign-in');
    assertShape(await send('POST', '/recordings', {}, chair), 'sessionId', 'required', 'recordings');
    assertShape(await frame((h) => delete h.sessionId), 'sessionId', 'required', 'ws hello');
    // No body at all is checked as an empty one: the answer still names the field.
    assertShape(await send('POST', '/lookup'), 'reference', 'required', 'lookup without a body');
  });

  test('a value of the wrong type is invalid_type (or the code its schema names), not zod’s text', async () => {
    const chair = await token(t, 'chair');
    assertShape(await send('POST', '/auth/sign-in', { username: 5, password: 'b' }), 'username', 'invalid_type', 'sign-in');
    assertShape(await send('POST', '/recordings', { sessionId: 5 }, chair), 'sessionId', 'invalid_type', 'recordings');
    assertShape(await frame((h) => (h.sessionId = 5)), 'sessionId', 'invalid_type', 'ws hello');
    assertShape(await send('POST', '/lookup', { reference: 5, phone: '0912345678' }), 'reference', 'reference', 'lookup names its own code');
  });

  test('a bad query parameter is a 422 naming it, like a bad body (it was a 400 on some routes)', async () => {
    const clerk = await token(t, 'clerk');
    assertShape(await query('/registrations?limit=500', clerk), 'limit', 'invalid', 'registrations');
    assertShape(await query('/registrations?colour=red', clerk), 'colour', 'unknown_field', 'registrations');
    assertShape(await query('/sessions?unit=dongthap.sadec&state=nope'), 'state', 'choose_one', 'sessions');
    assertShape(await query('/register?kind=other', clerk), 'kind', 'kind', 'register names its own code');
  });

  test('text longer than allowed is too_long from every route that caps it', async () => {
    assertShape(await send('POST', '/auth/sign-in', { username: 'x'.repeat(201), password: 'b' }), 'username', 'too_long', 'sign-in');
    assertShape(await send('POST', '/auth/devices', { label: 'x'.repeat(121) }, await token(t, 'chair')), 'label', 'too_long', 'devices');
    assertShape(await send('POST', '/desk/cases', { summary: 'x'.repeat(20_001) }, await token(t, 'clerk')), 'summary', 'too_long', 'desk/cases');
  });
});
