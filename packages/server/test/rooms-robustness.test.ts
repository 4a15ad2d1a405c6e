/**
 * What a hostile or broken client can do to /ws: no hello, bad tokens, malformed, oversized, binary, unknown
 * and random frames (property-based), floods, and a client that stops reading. Each frame is answered or the
 * socket closed with the close code that says why; the server stays up and other rooms do not notice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { CLOSE_CODES, REQUEST_TYPES } from '@tiepdan/core';
import { roomsOf } from '../src/index.js';
import { healthy, removeDir, type TestServer } from './helpers.js';
import { citizenToken, joinCitizen, joinOfficial, newSessionId, officialToken, startRoomsServer, TestClient, until, wsUrl, type Frame } from './rooms-helpers.js';

const KNOWN_CLOSE_CODES = new Set<number>(Object.values(CLOSE_CODES));

let t: TestServer;
const open: TestClient[] = [];
const track = <T extends TestClient>(c: T) => (open.push(c), c);

/** The next reply frame (result or error) after `count` replies already seen, or the close. */
async function nextOutcome(client: TestClient, seen: number, timeoutMs = 2000): Promise<{ frame?: Frame; close?: { code: number } }> {
  const replies = () => client.frames.filter((f) => f.type !== 'event');
  const deadline = Date.now() + timeoutMs;
  const closed = client.closed.then((c) => c);
  let isClosed: { code: number } | undefined;
  void closed.then((c) => (isClosed = c));
  while (Date.now() < deadline) {
    if (replies().length > seen) return { frame: replies()[seen]! };
    if (isClosed) return { close: isClosed };
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error('neither answered nor closed');
}

/** A room in another session that must keep working whatever happens elsewhere. */
async function bystanders() {
  const sessionId = newSessionId('bystander');
  const chair = track(await joinOfficial(t, sessionId, 'chair'));
  const official = track(await joinOfficial(t, sessionId, 'official'));
  return {
    async stillWorks() {
      const { messageId } = await chair.ok('chat.send', { text: 'vẫn hoạt động' });
      await official.event('chat.message', (e) => e.messageId === messageId);
      assert.equal(chair.isOpen && official.isOpen, true);
    },
  };
}

describe('rooms: hostile and broken clients', () => {
  before(async () => {
    t = await startRoomsServer({ rooms: { messagesPerSecond: 20, messageBurst: 40, maxBufferedBytes: 64 * 1024 } });
  });
  after(async () => {
    for (const c of open) c.terminate();
    await t.close();
    removeDir(t.dataDir);
  });

  test('Origin: a page outside allowedOrigins gets 403 origin_not_allowed and no socket; allowed, own and absent origins connect', async () => {
    const attempt = (origin?: string) =>
      new Promise<{ status?: number; body?: string; open?: boolean }>((resolve, reject) => {
        const ws = new WebSocket(wsUrl(t), origin ? { origin } : {});
        ws.once('open', () => {
          ws.terminate();
          resolve({ open: true });
        });
        ws.once('unexpected-response', (_request, response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode, body }));
        });
        ws.once('error', reject);
      });
    for (const origin of ['https://evil.example', 'https://sadec.dongthap.gov.vn.evil.example', 'null']) {
      const refused = await attempt(origin);
      assert.equal(refused.status, 403, origin);
      assert.equal(JSON.parse(refused.body!).error.code, 'origin_not_allowed');
    }
    for (const origin of ['https://sadec.dongthap.gov.vn', 'http://127.0.0.1:5173', new URL(t.url).origin, undefined]) {
      assert.deepEqual(await attempt(origin), { open: true }, String(origin));
    }
  });

  test('a socket that never says hello is closed with AUTH_TIMEOUT', async () => {
    const client = track(await TestClient.open(t));
    assert.equal((await client.closed).code, CLOSE_CODES.AUTH_TIMEOUT);
  });

  test('bad, expired, foreign and wrong-session tokens: unauthenticated, then AUTH_FAILED', async () => {
    const sessionId = newSessionId('auth');
    const badTokens = [
      { kind: 'official', token: 'not.a.jwt' },
      { kind: 'official', token: await citizenToken(t, sessionId, 'REF-X') }, // a citizen token presented as an official's
      { kind: 'citizen', token: await officialToken(t, 'chair') }, // and the other way round
    ];
    for (const auth of badTokens) {
      const client = track(await TestClient.open(t));
      const reply = await client.hello({ sessionId, auth });
      assert.equal(reply.error.code, 'unauthenticated', JSON.stringify(auth).slice(0, 40));
      assert.equal((await client.closed).code, CLOSE_CODES.AUTH_FAILED);
    }
    const elsewhere = track(await TestClient.open(t));
    const reply = await elsewhere.hello({ sessionId, auth: { kind: 'citizen', token: await citizenToken(t, 'another-session', 'REF-Y') } });
    assert.equal(reply.error.code, 'forbidden');
    assert.equal((await elsewhere.closed).code, CLOSE_CODES.AUTH_FAILED);
  });

  test('before hello: anything else closes with PROTOCOL_ERROR; binary too; a newer protocol with UNSUPPORTED_VERSION', async () => {
    for (const frame of [JSON.stringify({ v: 1, id: 'a', type: 'roster.get' }), 'hello?', JSON.stringify({ v: 1, id: 'b', type: 'hello' })]) {
      const client = track(await TestClient.open(t));
      client.sendRaw(frame);
      assert.equal((await client.closed).code, CLOSE_CODES.PROTOCOL_ERROR, frame);
      assert.equal(client.frames[0]?.type, 'error');
    }
    const binary = track(await TestClient.open(t));
    binary.sendRaw(Buffer.from([1, 2, 3]), true);
    assert.equal((await binary.closed).code, CLOSE_CODES.PROTOCOL_ERROR);
    const future = track(await TestClient.open(t));
    future.sendRaw(JSON.stringify({ v: 2, id: 'f', type: 'hello' }));
    assert.equal((await future.closed).code, CLOSE_CODES.UNSUPPORTED_VERSION);
    assert.equal(future.frames[0]?.error.code, 'unsupported_version');
  });

  test('oversized frames: FRAME_TOO_LARGE (and ws\'s own 1009 far beyond); the room goes on', async () => {
    const room = await bystanders();
    const sessionId = newSessionId('big');
    const client = track(await joinOfficial(t, sessionId, 'official'));
    client.sendRaw(JSON.stringify({ v: 1, id: 'big', type: 'chat.send', text: 'x'.repeat(t.config.rooms.maxFrameBytes) }));
    assert.equal((await client.closed).code, CLOSE_CODES.FRAME_TOO_LARGE);
    const huge = track(await joinOfficial(t, sessionId, 'official'));
    huge.sendRaw('x'.repeat(t.config.rooms.maxFrameBytes * 3));
    assert.equal((await huge.closed).code, 1009);
    await room.stillWorks();
  });

  test('a frame nested 30,000 deep (within the frame size): json_too_deep (the room stays open for a member, a stranger is closed)', async () => {
    const room = await bystanders();
    const deep = `{"v":1,"id":"d","type":"chat.send","text":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
    const member = track(await joinOfficial(t, newSessionId('deep'), 'official'));
    member.sendRaw(deep);
    const reply = await member.wait((f) => f.type === 'error');
    assert.equal(reply.error.code, 'json_too_deep');
    assert.equal((await member.request('roster.get')).type, 'result');
    const stranger = track(await TestClient.open(t));
    stranger.sendRaw(deep);
    assert.equal((await stranger.closed).code, CLOSE_CODES.PROTOCOL_ERROR);
    assert.equal(stranger.frames[0]?.error.code, 'json_too_deep');
    await room.stillWorks();
  });

  test('property: any frame from an authenticated client is answered exactly once or closes the socket with a named code', async () => {
    const room = await bystanders();
    const sessionId = newSessionId('fuzz');
    await joinOfficial(t, sessionId, 'chair').then(track);
    let client = track(await joinOfficial(t, sessionId, 'observer'));
    const repliesSoFar = () => client.frames.filter((f) => f.type !== 'event').length;
    let replies = repliesSoFar();
    const frame = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc
        .record({
          v: fc.constantFrom(1, 1, 1, 0, '1'),
          id: fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.integer(), fc.string({ minLength: 65, maxLength: 80 })),
          type: fc.constantFrom(...REQUEST_TYPES.filter((type) => type !== 'hello'), 'hello', 'room.delete', '__proto__', ''),
          extra: fc.dictionary(fc.constantFrom('participantId', 'text', 'caseId', 'raised', 'to', 'data', 'media', 'sessionId', 'constructor'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
        })
        .map(({ extra, ...envelope }) => JSON.stringify({ ...extra, ...envelope })),
    );
    await fc.assert(
      fc.asyncProperty(frame, async (text) => {
        if (!client.isOpen) {
          client = track(await joinOfficial(t, sessionId, 'observer'));
          replies = repliesSoFar();
        }
        client.sendRaw(text);
        const outcome = await nextOutcome(client, replies);
        if (outcome.frame) {
          replies += 1;
          assert.ok(outcome.frame.type === 'result' || outcome.frame.type === 'error');
          if (outcome.frame.type === 'error') {
            assert.equal(typeof outcome.frame.error.code, 'string');
            assert.equal(typeof outcome.frame.error.message.vi, 'string');
            assert.equal(typeof outcome.frame.error.message.en, 'string');
          }
          // One reply per frame: nothing else arrives for it.
          await new Promise((resolve) => setTimeout(resolve, 1));
          assert.equal(client.frames.filter((f) => f.type !== 'event').length, replies);
        } else {
          assert.ok(KNOWN_CLOSE_CODES.has(outcome.close!.code), `closed with ${outcome.close!.code}`);
        }
      }),
      { numRuns: 150 },
    );
    assert.equal(await healthy(t), true);
    await room.stillWorks();
  });

  test('property: a flood from one socket is cut with RATE_LIMITED once past the burst, never before', async () => {
    const room = await bystanders();
    const burst = t.config.rooms.messageBurst;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: burst * 4 }), async (count) => {
        const client = track(await joinOfficial(t, newSessionId('flood'), 'observer'));
        const frame = JSON.stringify({ v: 1, id: 'f', type: 'roster.get' });
        // hello used one token; `count` more arrive at once.
        for (let i = 0; i < count; i += 1) client.sendRaw(frame);
        if (count <= burst - 1) {
          await until(() => client.frames.filter((f) => f.type === 'result').length === count + 1, 3000, 'all answered');
          assert.equal(client.isOpen, true);
          client.terminate();
        } else {
          assert.equal((await client.closed).code, CLOSE_CODES.RATE_LIMITED);
          assert.ok(client.frames.some((f) => f.type === 'error' && f.error.code === 'rate_limited'));
        }
      }),
      { numRuns: 12 },
    );
    assert.equal(await healthy(t), true);
    await room.stillWorks();
  });

  test('a client that stops reading is cut as a SLOW_CONSUMER instead of growing the server\'s memory', async () => {
    // A long heartbeat, so that the silent reader is cut for reading too slowly, not for missing a pong.
    const fast = await startRoomsServer({ rooms: { maxBufferedBytes: 16 * 1024, heartbeatIntervalMs: 60_000 } });
    try {
      const sessionId = newSessionId('slow');
      const chair = track(await joinOfficial(fast, sessionId, 'chair'));
      await chair.ok('room.open');
      const slow = track(await joinCitizen(fast, sessionId, 'REF-SLOW'));
      await chair.ok('lobby.admit', { participantId: slow.participantId });
      await slow.event('lobby.admitted');
      (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const text = 'n'.repeat(1900);
      const transport = roomsOf(fast.server.app)!.transport;
      for (let i = 0; i < 200 && !(transport.closeCounts.get(CLOSE_CODES.SLOW_CONSUMER) ?? 0); i += 1) {
        await Promise.all(Array.from({ length: 100 }, () => chair.ok('chat.send', { text })));
      }
      assert.equal(transport.closeCounts.get(CLOSE_CODES.SLOW_CONSUMER), 1);
      await chair.event('participant.updated', (e) => e.participant.participantId === slow.participantId && !e.participant.connected, 3000);
      assert.equal(chair.isOpen, true);
    } finally {
      await fast.close();
      removeDir(fast.dataDir);
    }
  });
});
