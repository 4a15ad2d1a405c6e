/**
 * What reaches the server log, read from the log itself (pino's JSON lines): no credential from a URL (the
 * per-booking calendar link carries the citizen's join token), and a hostile client on /ws costs a warn line,
 * not an error with a stack.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { CLOSE_CODES } from '@tiepdan/core';
import { removeDir, startLoggedServer } from './helpers.js';
import { until, wsUrl } from './rooms-helpers.js';

describe('logs', () => {
  let t: Awaited<ReturnType<typeof startLoggedServer>>;
  before(async () => {
    t = await startLoggedServer();
  });
  after(async () => {
    await t.close();
    removeDir(t.dataDir);
  });

  test('a join token in a calendar link is not written to the log; the path still is', async () => {
    const secret = randomBytes(32).toString('base64url');
    const res = await fetch(`${t.api}/bookings/TD-2030-0001.ics?token=${secret}`);
    assert.equal(res.status, 404);
    // Any query value on any route: a sign-in callback's code, a signed link's signature.
    await fetch(`${t.api}/meta?unit=dongthap.sadec&code=${secret}x&state=${secret}y`);
    await fetch(`${t.api}/nope?access_token=${secret}z`);
    const requests = t.logs().filter((line) => line.req);
    const urls = requests.map((line) => String(line.req.url));
    assert.ok(urls.some((url) => url.startsWith('/api/v1/bookings/TD-2030-0001.ics?token=')), urls.join('\n'));
    assert.ok(urls.some((url) => url.startsWith('/api/v1/meta?')));
    assert.ok(!t.logText().includes(secret), 'the secret appears nowhere in the log');
  });

  test('an unauthenticated oversized /ws frame is one warn line, without a stack; nothing at error level', async () => {
    const before = t.logs().length;
    const closes: number[] = [];
    for (const size of [t.config.rooms.maxFrameBytes + 10, t.config.rooms.maxFrameBytes * 3]) {
      const ws = new WebSocket(wsUrl(t));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const closed = new Promise<number>((resolve) => ws.once('close', resolve));
      ws.on('error', () => undefined);
      ws.send('x'.repeat(size));
      closes.push(await closed);
    }
    assert.deepEqual(closes, [CLOSE_CODES.FRAME_TOO_LARGE, 1009]);
    const frameLines = () => t.logs().slice(before).filter((line) => /frame|payload/iu.test(JSON.stringify(line)));
    await until(() => frameLines().length >= 2, 5000, 'a log line for each oversized frame');
    const lines = t.logs().slice(before);
    assert.deepEqual(lines.filter((line) => line.level >= 50), [], 'nothing at error level');
    for (const line of frameLines()) {
      assert.equal(line.level, 40, JSON.stringify(line));
      assert.ok(!JSON.stringify(line).includes('stack'), JSON.stringify(line));
    }
  });
});
