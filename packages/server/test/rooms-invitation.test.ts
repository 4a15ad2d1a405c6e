/**
 * The schedule's invitation token opens the room: a citizen booked into a session, screened and invited by the
 * clerk, joins with the token the invitation returned (stored only as a hash) and waits in that session's lobby.
 * A rotated, foreign or made-up token is refused with AUTH_FAILED.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLOSE_CODES } from '@tiepdan/core';
import { removeDir } from './helpers.js';
import { mintToken } from '../src/index.js';
import { joinOfficial, startRoomsServer, TestClient } from './rooms-helpers.js';
import { book, official, openSession, registrations } from './schedule-helpers.js';
import type { TestServer } from './helpers.js';

describe('rooms: joining with a schedule invitation', () => {
  let t: TestServer;
  const open: TestClient[] = [];
  before(async () => {
    t = await startRoomsServer();
  });
  after(async () => {
    for (const c of open) c.terminate();
    await t.close();
    removeDir(t.dataDir);
  });

  async function invite(sessionId: string, reference: string): Promise<string> {
    const clerk = await official(t, 'clerk');
    assert.equal((await clerk.post(`/registrations/${reference}/transitions`, { to: 'screened', reason: 'Đúng thẩm quyền' })).status, 200);
    const res = await clerk.post(`/sessions/${sessionId}/invitations`, { reference, slotAt: '2030-08-01T08:30:00+07:00' });
    assert.equal(res.status, 201);
    return ((await res.json()) as { joinToken: string }).joinToken;
  }

  async function hello(sessionId: string, token: string) {
    const client = await TestClient.open(t);
    open.push(client);
    return { client, reply: await client.hello({ sessionId, auth: { kind: 'citizen', token } }) };
  }

  test('the invited citizen lands in the lobby of the invited session; other tokens are refused', async () => {
    const sessionId = await openSession(t, { startsAt: '2030-08-01T08:00:00+07:00', endsAt: '2030-08-01T11:00:00+07:00' });
    const [reference] = await registrations(t, 1);
    assert.equal((await book(t, reference!, sessionId)).status, 201);
    const token = await invite(sessionId, reference!);

    const clerk = await joinOfficial(t, sessionId, 'clerk');
    open.push(clerk);
    const { reply } = await hello(sessionId, token);
    assert.equal(reply.type, 'result', JSON.stringify(reply.error));
    const lobby = (await clerk.ok('roster.get')).lobby as { reference?: string; participantId: string }[];
    assert.equal(lobby.length, 1);

    // Re-inviting rotates the token: the old one no longer opens anything.
    const rotated = await invite2(sessionId, reference!);
    const old = await hello(sessionId, token);
    assert.equal(old.reply.type, 'error');
    assert.equal((await old.client.closed).code, CLOSE_CODES.AUTH_FAILED);
    const fresh = await hello(sessionId, rotated);
    assert.equal(fresh.reply.type, 'result');

    // A token for this session does not open another session's room, and a made-up one opens nothing.
    const other = await openSession(t, { startsAt: '2030-08-02T08:00:00+07:00', endsAt: '2030-08-02T11:00:00+07:00' });
    for (const [sid, tok] of [[other, rotated], [sessionId, 'A'.repeat(43)]] as const) {
      const { client, reply: refused } = await hello(sid, tok);
      assert.equal(refused.type, 'error');
      assert.equal((await client.closed).code, CLOSE_CODES.AUTH_FAILED);
    }
  });

  test("officials of another unit stay out of a scheduled session's room, unless their connection point takes part", async () => {
    const sessionId = await openSession(t, { startsAt: '2030-08-03T08:00:00+07:00', endsAt: '2030-08-03T11:00:00+07:00' });
    const as = async (unit: string) => {
      const client = await TestClient.open(t);
      open.push(client);
      const token = await mintToken(t.config.authSecret, { sub: `chair.${unit}`, role: 'chair', unit });
      return { client, reply: await client.hello({ sessionId, auth: { kind: 'official', token } }) };
    };
    const stranger = await as('cantho.ninhkieu');
    assert.equal(stranger.reply.type, 'error');
    assert.equal(stranger.reply.error.code, 'forbidden');
    assert.equal((await stranger.client.closed).code, CLOSE_CODES.AUTH_FAILED);
    assert.equal((await as('dongthap.sadec')).reply.type, 'result', "the session's own unit");
    assert.equal((await as('*')).reply.type, 'result', 'an all-units token');
    // An ad-hoc room the schedule does not know has no unit to check.
    const adhoc = await TestClient.open(t);
    open.push(adhoc);
    const token = await mintToken(t.config.authSecret, { sub: 'chair.x', role: 'chair', unit: 'cantho.ninhkieu' });
    assert.equal((await adhoc.hello({ sessionId: `adhoc-${process.pid}`, auth: { kind: 'official', token } })).type, 'result');
  });

  async function invite2(sessionId: string, reference: string): Promise<string> {
    const clerk = await official(t, 'clerk');
    const res = await clerk.post(`/sessions/${sessionId}/invitations`, { reference, slotAt: '2030-08-01T09:00:00+07:00' });
    assert.equal(res.status, 201);
    return ((await res.json()) as { joinToken: string }).joinToken;
  }
});
