// Browser tests (@web/test-runner) in Debian's Chromium with real IndexedDB, fake camera and microphone.
// Tests are TypeScript, compiled on the fly by esbuild with each package's tsconfig (Lit decorators).
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';
import { countsReporter } from './scripts/wtr-counts-reporter.mjs';
import { defaultReporter } from '@web/test-runner';
import { mkdtempSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

// A real tiepdan server (SQLite in a temporary folder) for the elements to talk to; tests read its URL from
// window.TIEPDAN_TEST_SERVER. Demo mode allows the test runner's loopback origin.
const { loadConfig, createServer, mintToken, mintJoinToken, createAccount } = await import('./packages/server/dist/index.js');
const config = loadConfig({
    demo: true,
    env: {},
    values: {
      port: 0, dataDir: mkdtempSync(join(tmpdir(), 'tiepdan-wtr-')), logLevel: 'warn', rateLimits: { enabled: true, lookupPerMinute: 1000, submitPerMinute: 1000 },
      // Element tests book many unscreened registrations with one phone: no limit on provisional places here
      // (packages/server/test/bookings-provisional.test.ts tests them).
      schedule: { provisionalShare: 1, provisionalPerPhone: 0 },
      auth: { signInPerMinute: 1000 },
      // A small cap on the register's .docx, so <tiepdan-register>'s test meets the 422 and its advice.
      desk: { docxMaxLines: 8 },
      // A Jitsi deployment nobody runs (nothing listens on port 9): the room element must say so and fall back.
      jitsi: { domain: '127.0.0.1:9', appId: 'tiepdan-wtr', secret: 'wtr-jitsi-shared-secret-0123456789-abcdef' },
    },
    warn: () => {},
});
const server = await createServer(config);
// Officials' tokens for element tests, one per role, minted as the CLI would.
const tokens = {};
for (const role of ['chair', 'official', 'clerk', 'operator', 'observer']) {
  tokens[role] = await mintToken(config.authSecret, { sub: `test-${role}`, role, unit: 'dongthap.sadec' });
}
// Citizens' join tokens for the room element's tests: one person per key, each in the session its test uses.
for (const [key, sessionId, reference, name] of [
  ['citizenPrejoin', 'wtr-room-prejoin', 'WTR-ROOM-0', 'Phạm Thị Duyên'],
  ['citizenLobby1', 'wtr-room-lobby', 'WTR-ROOM-1', 'Nguyễn Văn An'],
  ['citizenLobby2', 'wtr-room-lobby', 'WTR-ROOM-2', 'Trần Thị Bình'],
  ['citizenRoles', 'wtr-room-roles', 'WTR-ROOM-3', 'Lê Văn Cường'],
]) tokens[key] = await mintJoinToken(config.authSecret, { reference, sessionId, name });
// Local accounts for <tiepdan-sign-in>'s tests: a clerk (password + TOTP; the test computes codes from the
// secret, as the authenticator app would) and an operator (password only) who signs a recorder machine in.
const accounts = {};
for (const [key, username, role] of [['clerk', 'wtr.clerk', 'clerk'], ['operator', 'wtr.operator', 'operator']]) {
  const password = `wtr mật khẩu ${role} 2026`;
  const created = await createAccount(server.auth, { username, displayName: `Cán bộ ${role} (thử)`, password, roles: [{ role, unit: 'dongthap.sadec' }] }, 'wtr');
  accounts[key] = { username, password, secret: created.secondFactorSecret ?? null };
}
const serverUrl = (await server.start()).replace('localhost', '127.0.0.1');
// A citizen with a real registration and their join token, for the confirmation view's test (the desk's case
// opens from a registration the server holds).
{
  const meta = await (await fetch(`${serverUrl}/api/v1/meta?unit=dongthap.sadec`)).json();
  const submitted = await fetch(`${serverUrl}/api/v1/registrations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({
      unit: 'dongthap.sadec', kind: 'kien_nghi', identity: { fullName: 'Huỳnh Thị Mai' }, address: { provinceCode: '82', communeCode: '29869' },
      contact: { phone: '0911222444' }, content: { summary: 'Kiến nghị về đèn đường khóm 4.' }, attendance: { mode: 'connection_point' },
      privacy: { version: meta.privacyNotice.version, acknowledged: true, acknowledgedAt: new Date().toISOString() },
    }),
  });
  const answer = await submitted.json();
  if (!answer.reference) throw new Error(`the confirmation citizen's registration was refused: ${JSON.stringify(answer)}`);
  const { reference } = answer;
  tokens.confirmationReference = reference;
  tokens.citizenConfirmation = await mintJoinToken(config.authSecret, { reference, sessionId: 'wtr-confirmation', name: 'Huỳnh Thị Mai' });
}
process.on('exit', () => void server.close());

// A free port rather than the default 8000: another test runner (or a developer's server) may hold that one.
const port = await new Promise((resolve, reject) => {
  const probe = createNetServer().once('error', reject);
  probe.listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});

export default {
  port,
  files: ['packages/*/test/browser/**/*.test.ts', 'packages/components/src/**/*.test.ts'],
  nodeResolve: { exportConditions: ['browser', 'development'] },
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'packages/components/tsconfig.json' })],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { executablePath: chromiumPath(), args: chromiumArgs() },
    }),
  ],
  testRunnerHtml: (testFramework) => `<!doctype html><html><head><meta charset="utf-8">
    <script>window.TIEPDAN_TEST_SERVER = ${JSON.stringify(serverUrl)}; window.TIEPDAN_TEST_TOKENS = ${JSON.stringify(tokens)}; window.TIEPDAN_TEST_ACCOUNTS = ${JSON.stringify(accounts)};</script></head>
    <body><script type="module" src="${testFramework}"></script></body></html>`,
  concurrency: 1,
  testsFinishTimeout: 180_000,
  testFramework: { config: { timeout: 20_000 } },
  reporters: [defaultReporter(), countsReporter()],
};
