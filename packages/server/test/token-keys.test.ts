/**
 * The HS256 key cache (auth/hmac-key.ts): tokens are checked with a key imported once per secret, and caching it
 * must not let anything through that a fresh import would refuse — a token signed with another secret, with the
 * previous secret after a rotation, or with a changed signature — in the token functions and in a real server
 * restarted on the same data folder with a new authSecret (the same process, so the cache holds both secrets).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLOSE_CODES } from '@tiepdan/core';
import { cachedKeyCount, hmacKey } from '../src/auth/hmac-key.js';
import { JwtJoinTokenVerifier, mintJoinToken, mintToken, verifyToken } from '../src/index.js';
import { getJson, removeDir, tempDir } from './helpers.js';
import { newSessionId, startRoomsServer, TestClient } from './rooms-helpers.js';

const OLD = 'rotation-old-secret-rotation-old-secret-0001';
const NEW = 'rotation-new-secret-rotation-new-secret-0002';
/** One data key for both starts: the same data folder, only the token secret rotates. */
const DATA_KEY = Buffer.alloc(32, 3).toString('base64');
const CLAIMS = { sub: 'chair.rotation', role: 'chair', unit: 'dongthap.sadec', name: 'Chủ tọa' } as const;

/** The token with one character of its signature changed (still valid base64url). */
function tampered(token: string): string {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -2)}${last}${token.at(-1)}`;
}

describe('token key cache', () => {
  test('one key per secret, reused; a token of another secret, of the previous secret or with a changed signature is refused', async () => {
    assert.equal(await hmacKey(OLD), await hmacKey(OLD), 'the same secret gives the cached key');
    assert.notEqual(await hmacKey(OLD), await hmacKey(NEW));

    const oldToken = await mintToken(OLD, CLAIMS);
    const newToken = await mintToken(NEW, CLAIMS);
    // Both keys are cached now; each check must still use its own secret's key.
    assert.equal((await verifyToken(OLD, oldToken))?.sub, 'chair.rotation');
    assert.equal((await verifyToken(NEW, newToken))?.sub, 'chair.rotation');
    assert.equal(await verifyToken(NEW, oldToken), undefined, 'rotated: the previous secret’s token is refused');
    assert.equal(await verifyToken(OLD, newToken), undefined, 'a token of another secret is refused');
    assert.equal(await verifyToken(NEW, tampered(newToken)), undefined, 'a changed signature is refused');
    // Checked again after the refusals: a refusal does not poison the cached key.
    assert.equal((await verifyToken(NEW, newToken))?.sub, 'chair.rotation');

    const join = { reference: 'TD-ROT-1', sessionId: 'rotation-1', name: 'Nguyễn Văn Quay' };
    const oldJoin = await mintJoinToken(OLD, join);
    assert.equal((await new JwtJoinTokenVerifier(OLD).verify(oldJoin))?.reference, 'TD-ROT-1');
    assert.equal(await new JwtJoinTokenVerifier(NEW).verify(oldJoin), undefined, 'a citizen’s token of the previous secret is refused');
    assert.equal(await new JwtJoinTokenVerifier(OLD).verify(tampered(oldJoin)), undefined);
  });

  test('the cache stays bounded when many secrets pass through one process', async () => {
    for (let i = 0; i < 20; i++) await mintToken(`bounded-secret-${i}-`.padEnd(40, 'x'), CLAIMS);
    assert.ok(cachedKeyCount() <= 8, `${cachedKeyCount()} keys cached`);
    // A secret pushed out is imported again and still works.
    const first = 'bounded-secret-0-'.padEnd(40, 'x');
    assert.equal((await verifyToken(first, await mintToken(first, CLAIMS)))?.sub, 'chair.rotation');
  });

  test('a server restarted with a new authSecret refuses the old secret’s tokens on the API and in rooms, and takes the new ones', async () => {
    const dataDir = tempDir();
    try {
      const before = await startRoomsServer({ authSecret: OLD, dataKey: DATA_KEY }, dataDir);
      const sessionId = newSessionId('rot');
      let oldOfficial: string;
      let oldCitizen: string;
      try {
        oldOfficial = await mintToken(OLD, CLAIMS);
        oldCitizen = await mintJoinToken(OLD, { reference: 'TD-ROT-2', sessionId, name: 'Trần Thị Quay' });
        const client = await TestClient.open(before);
        assert.equal((await client.hello({ sessionId, auth: { kind: 'official', token: oldOfficial } })).type, 'result', 'the old server takes its own token');
        client.close();
        assert.equal((await getJson(`${before.api}/register`, oldOfficial)).status, 200);
      } finally {
        await before.close();
      }

      const after = await startRoomsServer({ authSecret: NEW, dataKey: DATA_KEY }, dataDir);
      try {
        assert.equal((await getJson(`${after.api}/register`, oldOfficial)).status, 401, 'the API refuses the previous secret’s token');
        for (const auth of [
          { kind: 'official', token: oldOfficial },
          { kind: 'citizen', token: oldCitizen },
        ]) {
          const client = await TestClient.open(after);
          const reply = await client.hello({ sessionId, auth });
          assert.equal(reply.type, 'error', `${auth.kind}: refused`);
          assert.equal(reply.error.code, 'unauthenticated');
          assert.equal((await client.closed).code, CLOSE_CODES.AUTH_FAILED);
        }
        const client = await TestClient.open(after);
        assert.equal((await client.hello({ sessionId, auth: { kind: 'official', token: await mintToken(NEW, CLAIMS) } })).type, 'result', 'the new secret’s token is taken');
        client.close();
        assert.equal((await getJson(`${after.api}/register`, await mintToken(NEW, CLAIMS))).status, 200);
      } finally {
        await after.close();
      }
    } finally {
      removeDir(dataDir);
    }
  });
});
