/**
 * The core SignalingClient in Node (with `ws` passed in) against the real server: connect and hello, requests,
 * the event stream, automatic reconnect with resume after a drop (missed events delivered once, in order),
 * skipping the backoff on `online`, reconnect after a server restart, and `failed` when the server says no.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { CLOSE_CODES, type RoomEvent } from '@tiepdan/core';
import { SignalingClient, type SignalingState, type WebSocketConstructor } from '@tiepdan/core/browser';
import { removeDir, tempDir, type TestServer } from './helpers.js';
import { citizenToken, joinOfficial, newSessionId, officialToken, startRoomsServer, TEST_NOTICE, until, wsUrl, type TestClient } from './rooms-helpers.js';

let t: TestServer;
const cleanup: (() => unknown)[] = [];

function client(server: TestServer, sessionId: string, auth: () => Promise<{ kind: 'official' | 'citizen'; token: string }>, options: Partial<ConstructorParameters<typeof SignalingClient>[0]> = {}) {
  const c = new SignalingClient({
    url: wsUrl(server),
    sessionId,
    auth,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    backoff: { initialMs: 50, maxMs: 400 },
    onlineTarget: undefined,
    notice: TEST_NOTICE,
    ...options,
  });
  const states: SignalingState[] = [];
  const events: RoomEvent[] = [];
  c.onState((state) => states.push(state));
  c.onEvent((event) => events.push(event));
  cleanup.push(() => c.close());
  return { c, states, events };
}

describe('core SignalingClient (Node, ws)', () => {
  before(async () => {
    t = await startRoomsServer();
  });
  after(async () => {
    for (const fn of cleanup) await fn();
    await t.close();
    removeDir(t.dataDir);
  });

  test('connects, requests, streams events; after a drop it reconnects and resumes with the missed events, once each', async () => {
    const sessionId = newSessionId('client');
    const chair = await joinOfficial(t, sessionId, 'chair');
    cleanup.push(() => chair.terminate());
    await chair.ok('room.open');
    const { c, states, events } = client(t, sessionId, () => citizenToken(t, sessionId, 'REF-CLIENT').then((token) => ({ kind: 'citizen' as const, token })));
    const hello = await c.connect();
    assert.equal(c.state, 'connected');
    assert.equal(hello.status, 'lobby');
    assert.equal(hello.lobbyPosition, 1);
    await chair.ok('lobby.admit', { participantId: c.participantId });
    await until(() => events.some((e) => e.type === 'lobby.admitted'), 2000, 'admitted');
    const sent = await c.request('chat.send', { text: 'trước khi mất mạng' });
    assert.equal(typeof sent.seq, 'number');

    const before = c.lastSeq;
    c.drop();
    await until(() => states.includes('reconnecting'), 2000, 'reconnecting');
    // While it is away, the room goes on.
    await chair.ok('chat.send', { text: 'trong lúc mất mạng' });
    await until(() => c.state === 'resumed', 3000, 'resumed');
    await until(() => events.some((e) => e.type === 'chat.message' && e.text === 'trong lúc mất mạng'), 2000, 'missed chat');
    assert.ok(c.lastSeq > before);
    assert.equal(c.hello?.participantId, hello.participantId, 'same place');
    const texts = events.filter((e): e is Extract<RoomEvent, { type: 'chat.message' }> => e.type === 'chat.message').map((e) => e.text);
    assert.deepEqual(texts, ['trước khi mất mạng', 'trong lúc mất mạng'], 'each event once');
    assert.deepEqual(states.slice(0, 2), ['connecting', 'connected']);
    assert.equal((await c.request('roster.get', {})).participants.find((p) => p.participantId === c.participantId)?.status, 'admitted');
  });

  test('a chat line whose reply was lost with the socket is sent again after the resume and written once', async () => {
    const sessionId = newSessionId('client-resent');
    const chair = await joinOfficial(t, sessionId, 'chair');
    cleanup.push(() => chair.terminate());
    await chair.ok('room.open');
    // The socket is cut right after this frame left: the room gets it and carries it out, its reply finds no socket.
    let cutAfter: string | undefined;
    class CuttingWebSocket extends WebSocket {
      override send(data: any, ...rest: any[]): void {
        if (cutAfter && typeof data === 'string' && data.includes(cutAfter)) {
          cutAfter = undefined;
          super.send(data, () => this.terminate());
          return;
        }
        super.send(data, ...rest);
      }
    }
    const { c, states } = client(t, sessionId, () => citizenToken(t, sessionId, 'REF-RESENT').then((token) => ({ kind: 'citizen' as const, token })), { WebSocket: CuttingWebSocket as unknown as WebSocketConstructor });
    await c.connect();
    await chair.ok('lobby.admit', { participantId: c.participantId });
    await until(() => chair.events('participant.updated').some((e) => e.participant.participantId === c.participantId && e.participant.status === 'admitted'), 5000, 'admitted');

    cutAfter = 'Tôi xin trình bày';
    const sent = await c.request('chat.send', { text: 'Tôi xin trình bày' });
    assert.ok(states.includes('reconnecting') && c.state === 'resumed', `the socket dropped and the client resumed (${states.join(' → ')})`);
    // The chair sees the line once: a second copy would come before this next one (events are in order).
    await c.request('chat.send', { text: 'dòng sau' });
    await chair.event('chat.message', (e) => e.text === 'dòng sau');
    const lines = chair.events('chat.message').filter((e) => e.text === 'Tôi xin trình bày');
    assert.deepEqual(lines.map((e) => e.messageId), [sent.messageId], 'one chat line, the one the reply names');
  });

  test("the backoff wait is skipped when the device is back 'online'", async () => {
    const sessionId = newSessionId('online');
    const online = new EventTarget();
    const { c, states } = client(t, sessionId, () => officialToken(t, 'operator', 'operator.online').then((token) => ({ kind: 'official' as const, token })), {
      backoff: { initialMs: 20_000, maxMs: 20_000 },
      onlineTarget: online as any,
      random: () => 1,
    });
    await c.connect();
    const started = Date.now();
    c.drop();
    await until(() => c.state === 'reconnecting', 2000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(c.state, 'reconnecting', 'still waiting for the 20 s backoff');
    online.dispatchEvent(new Event('online'));
    await until(() => c.state === 'resumed', 2000, 'resumed right after online');
    assert.ok(Date.now() - started < 5000);
    assert.deepEqual(states, ['connecting', 'connected', 'reconnecting', 'resumed']);
  });

  test('after a server restart the client reconnects by itself and resumes', async () => {
    const dataDir = tempDir('tiepdan-client-restart-');
    const first = await startRoomsServer({}, dataDir);
    const port = Number(new URL(first.url).port);
    const sessionId = newSessionId('client-restart');
    const { c, states, events } = client(first, sessionId, () => officialToken(first, 'clerk', 'clerk.restart').then((token) => ({ kind: 'official' as const, token })));
    await c.connect();
    await first.close();
    await until(() => events.some((e) => e.type === 'server.restarting'), 2000, 'told');
    await until(() => c.state === 'reconnecting', 2000);
    assert.equal(c.lastClose?.code, CLOSE_CODES.SERVER_RESTARTING);
    const second = await startRoomsServer({ port }, dataDir);
    try {
      await until(() => c.state === 'resumed', 5000, 'resumed on the new server');
      assert.equal(states.at(-1), 'resumed');
      assert.equal((await c.request('roster.get', {})).participants.length, 1);
    } finally {
      await c.close();
      await second.close();
      removeDir(dataDir);
    }
  });

  test('after a graceful restart the client waits within reconnectAfterMs, not its backoff, and resumes', async () => {
    const dataDir = tempDir('tiepdan-client-hint-');
    // The restored room keeps each place for resumeWindowMs from the restart, so the hint must fall inside it
    // (FAST_ROOMS' 1.5 s window would expire the place before the client's 8 s wait is over).
    const rooms = { reconnectAfterMs: 10_000, resumeWindowMs: 30_000 };
    const first = await startRoomsServer({ rooms }, dataDir);
    const port = Number(new URL(first.url).port);
    const sessionId = newSessionId('client-hint');
    // Its own backoff would wait at least 30 s; the server's window (10 s, at random 0.8) makes it 8 s, time
    // enough for the new server to be listening even on a loaded machine.
    const { c, states, events } = client(first, sessionId, () => officialToken(first, 'clerk', 'clerk.hint').then((token) => ({ kind: 'official' as const, token })), {
      backoff: { initialMs: 60_000, maxMs: 60_000 },
      random: () => 0.8,
    });
    const hello = await c.connect();
    await first.close();
    await until(() => c.state === 'reconnecting', 2000);
    const closedAt = Date.now();
    assert.equal(c.lastClose?.code, CLOSE_CODES.SERVER_RESTARTING);
    assert.equal(events.find((e): e is Extract<RoomEvent, { type: 'server.restarting' }> => e.type === 'server.restarting')?.reconnectAfterMs, 10_000, 'the configured window is sent');
    const second = await startRoomsServer({ port, rooms }, dataDir);
    try {
      await until(() => c.state !== 'reconnecting', 25_000, 'back within the window the server gave');
      assert.equal(c.state, 'resumed', 'resumed in its place, not joined afresh');
      assert.equal(c.participantId, hello.participantId);
      // 0.8 of the window, not at once: the wait is the hint's (a lower bound only; a loaded machine is late).
      assert.ok(Date.now() - closedAt >= 7_500, `waited ${Date.now() - closedAt} ms`);
      assert.deepEqual(states, ['connecting', 'connected', 'reconnecting', 'resumed'], 'one attempt, no backoff retries');
    } finally {
      await c.close();
      await second.close();
      removeDir(dataDir);
    }
  });

  test('failed when the server says not to come back (denied); closed after close()', async () => {
    const sessionId = newSessionId('client-denied');
    const clerk: TestClient = await joinOfficial(t, sessionId, 'clerk');
    cleanup.push(() => clerk.terminate());
    const { c, states } = client(t, sessionId, () => citizenToken(t, sessionId, 'REF-DENIED').then((token) => ({ kind: 'citizen' as const, token })));
    await c.connect();
    await clerk.ok('lobby.deny', { participantId: c.participantId, reason: 'Không thuộc thẩm quyền' });
    await until(() => c.state === 'failed', 2000, 'failed');
    assert.equal(c.lastClose?.code, CLOSE_CODES.DENIED);
    await assert.rejects(c.request('roster.get', {}), /server/iu);
    assert.deepEqual(states, ['connecting', 'connected', 'failed']);

    const { c: leaving } = client(t, sessionId, () => officialToken(t, 'official').then((token) => ({ kind: 'official' as const, token })));
    await leaving.connect();
    await leaving.close();
    assert.equal(leaving.state, 'closed');
  });
});
