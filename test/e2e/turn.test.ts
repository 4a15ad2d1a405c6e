/**
 * TURN proven on a real coturn (issue 18 §1): Debian's `turnserver` started by the test with the shared-secret
 * scheme. First coturn itself, driven by its own client (`turnutils_uclient`): the credentials the tiepdan server
 * mints are accepted, forged and expired ones are refused. Then the room with every peer forced through the relay
 * (`turn.relayOnly`, which sets `iceTransportPolicy: 'relay'`), once over each transport a network may leave open
 * — UDP, TCP, and TLS (`turns:`) for firewalls that pass only TLS — : media flows both ways and each side's
 * selected candidate pair is a relay candidate on that transport.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
// @ts-expect-error: plain ESM helpers without types.
import { startDemo } from '../../examples/demo.mjs';
// @ts-expect-error: plain ESM helpers without types.
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import { mintJoinToken, mintToken, turnCredentials } from '../../packages/server/dist/index.js';
import { startCoturn, type Coturn } from './coturn.js';
import { acknowledgeAndJoin, openRoom, point, until, view } from './room-pages.js';

const SECRET = 'e2e-turn-auth-secret-0123456789-abcdefghij';
const UNIT = 'dongthap.sadec';
const WARD = point('sadec-ubnd', 'UBND phường Sa Đéc');

let coturn: Coturn;
let browser: Browser;
before(async () => {
  coturn = await startCoturn();
  // The relay's certificate is our own throw-away one; a deployment's comes from a real CA.
  browser = await chromium.launch({ executablePath: chromiumPath() as string, args: [...(chromiumArgs() as string[]), '--ignore-certificate-errors'] });
});
after(async () => {
  await browser?.close();
  await coturn?.stop();
});

/** One allocation with coturn's own client; true when the relay accepted the credentials. */
function allocates(username: string, credential: string): { ok: boolean; output: string } {
  const run = spawnSync('turnutils_uclient', ['-y', '-n', '1', '-c', '-u', username, '-w', credential, '-p', String(coturn.port), '127.0.0.1'], { encoding: 'utf8', timeout: 20_000 });
  const output = `${run.stdout}${run.stderr}`;
  return { ok: run.status === 0 && !/Cannot complete Allocation/u.test(output) && /Total lost packets/u.test(output), output };
}

describe('coturn accepts only what the server minted', () => {
  test('minted credentials allocate; a forged credential, another secret and an expired username are refused', () => {
    const settings = { urls: [coturn.urls.udp], secret: coturn.secret, ttl: 600 };
    const good = turnCredentials(settings, 'e2e-participant');
    assert.ok(allocates(good.username, good.credential).ok, `minted credentials refused: ${allocates(good.username, good.credential).output}\n${coturn.log()}`);
    const forged = allocates(good.username, Buffer.from('not the HMAC of this username').toString('base64'));
    assert.equal(forged.ok, false, 'a forged credential is refused');
    const otherSecret = turnCredentials({ ...settings, secret: 'another-deployments-secret-0123' }, 'e2e-participant');
    assert.equal(allocates(otherSecret.username, otherSecret.credential).ok, false, 'a credential made with another secret is refused');
    const expired = turnCredentials(settings, 'e2e-participant', Date.now() - 2 * 600_000);
    assert.equal(allocates(expired.username, expired.credential).ok, false, 'an expired username is refused');
  });
});

/** The selected candidate pair of every peer connection of the page: candidate types and the relay's transport. */
function routes(page: Page) {
  return page.evaluate(async () => {
    const el = document.querySelector('tiepdan-room') as unknown as { mediaStats(): Promise<{ participantId: string; bytesReceived: number; bytesSent: number; route?: { local: string; remote: string; relayProtocol?: string } }[]> };
    return el.mediaStats();
  });
}

for (const transport of ['udp', 'tcp', 'tls'] as const) {
  describe(`relay only, TURN over ${transport.toUpperCase()}`, () => {
    let demo: { siteUrl: string; close(): Promise<void> };
    let dataDir: string;
    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), `tiepdan-e2e-turn-${transport}-`));
      demo = await startDemo({ port: 0, sitePort: 0, dataDir, env: {}, logLevel: 'silent', warn: () => {}, values: { authSecret: SECRET, turn: { urls: [coturn.urls[transport]], secret: coturn.secret, ttl: 600, relayOnly: true } } });
    });
    after(async () => {
      await demo?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('clerk and citizen see each other through the relay, and through nothing else', async (t) => {
      const session = `e2e-turn-${transport}-${process.pid}`;
      const clerk = await openRoom(browser, demo.siteUrl, session, await mintToken(SECRET, { sub: 'e2e-clerk', role: 'clerk', unit: UNIT, name: 'Trần Thị Bình' }), `clerk/${transport}`, WARD);
      await acknowledgeAndJoin(clerk);
      await until('clerk in the room', () => view(clerk), (v) => v === 'room', 30_000);
      await clerk.locator('tiepdan-room #open-room').click();
      await until('room open', () => clerk.locator('tiepdan-room #open-room').count(), (n) => n === 0);
      const citizen = await openRoom(browser, demo.siteUrl, session, await mintJoinToken(SECRET, { reference: `TCD-TURN-${transport}`, sessionId: session, name: 'Nguyễn Văn An' }), `citizen/${transport}`, '', { width: 360, height: 740 });
      await acknowledgeAndJoin(citizen);
      await until('citizen in the lobby', () => view(citizen), (v) => v === 'lobby', 30_000);
      const admittedAt = Date.now();
      await clerk.locator('tiepdan-room ol.queue li').filter({ hasText: 'Nguyễn Văn An' }).getByRole('button', { name: /Mời vào/u }).click();

      const relayed = (r: Awaited<ReturnType<typeof routes>>) => r.length === 1 && r[0]!.bytesReceived > 20_000 && r[0]!.bytesSent > 20_000 && r[0]!.route?.local === 'relay';
      const [atCitizen, atClerk] = await Promise.all([citizen, clerk].map((page, i) => until(`${i ? 'clerk' : 'citizen'}: media through the relay`, () => routes(page), relayed, 45_000).catch((error: Error) => {
        throw new Error(`${error.message}\ncoturn:\n${coturn.log().slice(-3000)}`);
      })));
      t.diagnostic(`${transport}: admitted → media both ways through the relay in ${Date.now() - admittedAt} ms`);
      for (const [who, r] of [['citizen', atCitizen!], ['clerk', atClerk!]] as const) {
        assert.equal(r[0]!.route!.local, 'relay', `${who}: local candidate is the relay`);
        // The relay leg to coturn runs over the transport the URL names (TLS shows as "tls").
        assert.equal(r[0]!.route!.relayProtocol, transport, `${who}: relay reached over ${transport}`);
      }
      await clerk.context().close();
      await citizen.context().close();
    });
  });
}
