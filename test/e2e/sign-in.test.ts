/**
 * Officials sign in on the example ward site in headless Chromium, with nothing mocked:
 * - single sign-on against a real OpenID provider (oidc-provider, started here on loopback) with the real
 *   authorization code + PKCE flow: the provider's login and consent pages, the callback, the role and unit from
 *   the ID token's claims, a reload that keeps the session, sign-out; and the bilingual message when the provider
 *   is down;
 * - a local account with the authenticator code computed here from the demo account's secret.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Provider from 'oidc-provider';
import { generate } from 'otplib';
import { chromium, type Browser, type Page } from 'playwright-core';
// @ts-expect-error: plain ESM helpers without types.
import { startDemo } from '../../examples/demo.mjs';
// @ts-expect-error: plain ESM helpers without types.
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createNetServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

interface DemoAccount { username: string; role: string; password: string; secret?: string }
let demo: { apiUrl: string; siteUrl: string; demoAccounts: DemoAccount[]; server: { store: { db: import('better-sqlite3').Database } }; close(): Promise<void> };
let browser: Browser;
let provider: Server;
let issuer: string;
let dataDir: string;

before(async () => {
  const [opPort, apiPort] = [await freePort(), await freePort()];
  issuer = `http://127.0.0.1:${opPort}`;
  const redirectUri = `http://127.0.0.1:${apiPort}/api/v1/auth/oidc/callback`;
  const op = new Provider(issuer, {
    clients: [{ client_id: 'tiepdan-e2e', client_secret: 'e2e-client-secret-0123456789', redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    // The province's directory: every login is Nguyễn Văn Chủ Trì, chair of the demo ward.
    async findAccount(_ctx: unknown, id: string) {
      return { accountId: id, claims: async () => ({ sub: id, name: 'Nguyễn Văn Chủ Trì', vn_roles: ['chu_tich'], vn_unit: 'dongthap.sadec' }) };
    },
    claims: { openid: ['sub'], profile: ['name'], tiepdan: ['vn_roles', 'vn_unit'] },
    // The claims go into the ID token, where tiepdan reads them (not only into the userinfo answer).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
  });
  provider = op.listen(opPort, '127.0.0.1');
  dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-e2e-signin-'));
  demo = await startDemo({
    port: apiPort,
    sitePort: 0,
    dataDir,
    env: {},
    logLevel: 'silent',
    warn: () => {},
    values: {
      auth: {
        oidc: {
          issuer,
          clientId: 'tiepdan-e2e',
          clientSecret: 'e2e-client-secret-0123456789',
          redirectUri,
          scopes: ['openid', 'profile', 'tiepdan'],
          claims: { roles: 'vn_roles', unit: 'vn_unit', roleMap: { chu_tich: 'chair' } },
          timeoutMs: 3000,
        },
      },
    },
  });
  browser = await chromium.launch({ executablePath: chromiumPath() as string, args: chromiumArgs() as string[] });
});

after(async () => {
  await browser?.close();
  await demo?.close();
  await new Promise((resolve) => (provider?.listening ? provider.close(resolve) : resolve(undefined)));
  rmSync(dataDir, { recursive: true, force: true });
});

const signIn = (page: Page) => page.locator('tiepdan-sign-in');
const queue = (page: Page) => page.locator('tiepdan-screening');
const audit = (event: string) => demo.server.store.db.prepare('SELECT username, actor, detail FROM auth_audit WHERE event = ?').all(event) as { username: string; actor: string; detail: string }[];

test('single sign-on: the real code flow with PKCE, roles from claims, a reload keeps the session, sign-out ends it', async () => {
  const context = await browser.newContext({ locale: 'vi-VN' });
  const page = await context.newPage();
  await page.goto(`${demo.siteUrl}/officials.html`);
  await signIn(page).getByRole('button', { name: 'Đăng nhập một lần (SSO) của tỉnh' }).click();
  // The provider's own pages (oidc-provider's development login and consent).
  await page.waitForURL((url) => url.origin === issuer);
  await page.locator('input[name="login"]').fill('nguyen.van.chu.tich');
  await page.locator('input[name="password"]').fill('bất kỳ');
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]').click(); // consent
  await page.waitForURL(`${demo.siteUrl}/officials.html`);
  await signIn(page).getByText('Đã đăng nhập: Nguyễn Văn Chủ Trì').waitFor();
  await signIn(page).getByText('Vai trò: Chủ trì · Đơn vị: dongthap.sadec').waitFor();
  await queue(page).getByRole('heading', { name: 'Hồ sơ đăng ký tiếp công dân' }).waitFor();
  await queue(page).getByText('Không có hồ sơ nào.').waitFor();
  assert.ok(audit('sign_in').some((e) => JSON.parse(e.detail).method === 'oidc'));
  assert.ok(audit('role_granted').some((e) => e.actor === 'idp' && JSON.parse(e.detail).role === 'chair'));

  await page.reload();
  await signIn(page).getByText('Đã đăng nhập: Nguyễn Văn Chủ Trì').waitFor();
  await queue(page).getByText('Không có hồ sơ nào.').waitFor();

  await signIn(page).getByRole('button', { name: 'Đăng xuất' }).click();
  // Sign-out goes on to the provider's own sign-out page, so the next person at this desk is asked again.
  await page.waitForURL((url) => url.origin === issuer);
  assert.ok(audit('sign_out').length >= 1);
  await page.goto(`${demo.siteUrl}/officials.html`);
  await signIn(page).getByRole('heading', { name: 'Đăng nhập dành cho cán bộ' }).waitFor();
  await context.close();
});

test('a local account signs in with password and the authenticator code; a wrong code is refused in Vietnamese', async () => {
  const clerk = demo.demoAccounts.find((a) => a.role === 'clerk')!;
  const context = await browser.newContext({ locale: 'vi-VN' });
  const page = await context.newPage();
  await page.goto(`${demo.siteUrl}/officials.html`);
  await signIn(page).getByLabel('Tên đăng nhập').fill(clerk.username);
  await signIn(page).getByLabel('Mật khẩu').fill(clerk.password);
  await signIn(page).getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  const code = signIn(page).getByLabel('Mã xác thực');
  await code.waitFor();
  const now = Math.floor(Date.now() / 30_000);
  const right = await generate({ secret: clerk.secret!, epoch: now * 30 });
  await code.fill(right === '000000' ? '111111' : '000000');
  await code.press('Enter');
  await signIn(page).getByText('Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng').first().waitFor();
  await signIn(page).getByLabel('Mã xác thực').fill(right);
  await signIn(page).getByLabel('Mã xác thực').press('Enter');
  await signIn(page).getByText('Đã đăng nhập: Cán bộ tiếp dân (demo)').waitFor();
  await queue(page).getByText('Không có hồ sơ nào.').waitFor();
  await context.close();
});

test('the provider is down: the official is told so, in Vietnamese, on the ward’s page', async () => {
  await new Promise((resolve) => provider.close(resolve));
  provider.closeAllConnections?.();
  const context = await browser.newContext({ locale: 'vi-VN' });
  const page = await context.newPage();
  await page.goto(`${demo.siteUrl}/officials.html`);
  await signIn(page).getByRole('button', { name: 'Đăng nhập một lần (SSO) của tỉnh' }).click();
  await signIn(page).getByRole('alert').getByText('Hệ thống đăng nhập một lần (SSO) của tỉnh đang không phản hồi').first().waitFor();
  assert.equal(new URL(page.url()).hash, '', 'the error marker is taken out of the address');
  assert.ok(audit('idp_unavailable').length >= 1);
  await context.close();
});
