/**
 * Officials' local accounts: argon2id passwords, TOTP second factor for chair/clerk/admin (codes computed by the
 * test from the secret the administrator was given), lockout, the session cookie and its anti-forgery token,
 * short-lived access tokens that die with their session, a removed role or a disabled account, the recorder's
 * device credential, the administrator's unit scope, and the append-only audit log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../src/index.js';
import { getJson, OTHER_UNIT, removeDir, startServer, tempDir, token, UNIT, type TestServer } from './helpers.js';
import { Browser, codeFor, makeAccount, ORIGIN, secretOf } from './sign-in-helpers.js';

type ErrorShape = { error: { code: string; message: { vi: string; en: string }; fields?: { path: string }[] } };

let t: TestServer;
let admin: Browser;
let adminToken: string;
before(async () => {
  t = await startServer({ auth: { maxFailures: 3, lockSeconds: 600 } });
  const a = await makeAccount(t, 'quan.tri', [{ role: 'admin', unit: UNIT }]);
  admin = new Browser(t);
  assert.equal((await admin.signIn('quan.tri', a.password, await codeFor(a.secret!))).status, 200);
  adminToken = await admin.token();
});
after(async () => {
  await t.close();
  removeDir(t.dataDir);
});

async function createClerk(username: string, roles = [{ role: 'clerk', unit: UNIT }]) {
  const response = await admin.call('POST', '/accounts', { username, displayName: 'Lê Thị Thư Ký', password: 'mật khẩu thư ký 2026', roles }, { authorization: `Bearer ${adminToken}` });
  assert.equal(response.status, 201, await response.clone().text());
  const body = (await response.json()) as { account: { id: string }; secondFactorUri?: string };
  return { id: body.account.id, password: 'mật khẩu thư ký 2026', secret: body.secondFactorUri ? secretOf(body.secondFactorUri) : undefined };
}

const asAdmin = { get authorization() { return `Bearer ${adminToken}`; } };

describe('local accounts', () => {
  test('passwords are stored as argon2id hashes, TOTP secrets sealed', async () => {
    await createClerk('hash.check');
    const row = t.db.prepare('SELECT password_hash, totp_sealed FROM accounts WHERE username = ?').get('hash.check') as { password_hash: string; totp_sealed: Buffer };
    assert.match(row.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/u);
    assert.ok(!row.totp_sealed.toString('latin1').match(/^[A-Z2-7]{16,}$/u));
  });

  test('a clerk signs in with password and code; wrong password, missing and wrong code are refused', async () => {
    const clerk = await createClerk('le.thi.thu');
    assert.ok(clerk.secret, 'a clerk gets a second factor at creation');
    const b = new Browser(t);
    const wrong = await b.signIn('le.thi.thu', 'not the password at all');
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as ErrorShape).error.code, 'sign_in_failed');
    const noCode = await b.signIn('Le.Thi.Thu', clerk.password);
    assert.equal(noCode.status, 401);
    const noCodeBody = (await noCode.json()) as ErrorShape;
    assert.equal(noCodeBody.error.code, 'second_factor_required');
    assert.match(noCodeBody.error.message.vi, /mã xác thực/u);
    const wrongCode = await b.signIn('le.thi.thu', clerk.password, '000000' === (await codeFor(clerk.secret)) ? '111111' : '000000');
    assert.equal(((await wrongCode.json()) as ErrorShape).error.code, 'sign_in_failed');
    assert.equal(b.cookie, undefined, 'no cookie before a full sign-in');

    const code = await codeFor(clerk.secret);
    const ok = await b.signIn('le.thi.thu', clerk.password, code);
    assert.equal(ok.status, 200);
    const cookie = ok.headers.get('set-cookie')!;
    assert.match(cookie, /^tiepdan_session=[A-Za-z0-9_-]{40,};/u);
    assert.match(cookie, /; HttpOnly/u);
    assert.match(cookie, /; SameSite=Strict/u);
    assert.match(cookie, /; Path=\/api\/v1\/auth/u);
    assert.doesNotMatch(cookie, /Secure/u, 'plain-http loopback: a Secure cookie would be dropped');
    const session = (await ok.json()) as { account: { username: string }; assignments: { role: string; unit: string }[] };
    assert.equal(session.account.username, 'le.thi.thu');
    assert.deepEqual(session.assignments, [{ role: 'clerk', unit: UNIT }]);

    // The same code again (a code seen over a shoulder) is refused even with the right password.
    const replay = await new Browser(t).signIn('le.thi.thu', clerk.password, code);
    assert.equal(replay.status, 401);

    const access = await b.token();
    assert.equal((await getJson(`${t.api}/registrations`, access)).status, 200);
    // The session survives a reload: the cookie alone gives the session (and its CSRF token) back.
    const again = await b.call('GET', '/auth/session');
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { csrfToken: string }).csrfToken, b.csrf);
  });

  test('CSRF: the token and sign-out routes need the session’s anti-forgery token; other origins are refused', async () => {
    const clerk = await createClerk('csrf.clerk');
    const b = new Browser(t);
    assert.equal((await b.signIn('csrf.clerk', clerk.password, await codeFor(clerk.secret!))).status, 200);
    for (const path of ['/auth/token', '/auth/sign-out']) {
      const none = await b.call('POST', path, {});
      assert.equal(none.status, 403, path);
      assert.equal(((await none.json()) as ErrorShape).error.code, 'csrf_failed');
      const forged = await b.call('POST', path, {}, { 'x-csrf-token': 'A'.repeat(43) });
      assert.equal(forged.status, 403, path);
    }
    // A page of another site is refused before anything runs, with or without the cookie.
    const evil = new Browser(t, 'https://evil.example');
    evil.cookie = b.cookie;
    const fromEvil = await evil.call('POST', '/auth/token', {}, { 'x-csrf-token': b.csrf! });
    assert.equal(fromEvil.status, 403);
    assert.equal(((await fromEvil.json()) as ErrorShape).error.code, 'origin_not_allowed');
    // The ward's own site may send credentials (CORS), and only to an allowlisted origin.
    const preflight = await fetch(`${t.api}/auth/token`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-csrf-token' } });
    assert.equal(preflight.headers.get('access-control-allow-origin'), ORIGIN);
    assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
    // The cookie authenticates nothing but /auth: a state-changing case route with the cookie alone is 401.
    const withCookieOnly = await fetch(`${t.api}/registrations/HS-0000/transitions`, { method: 'POST', headers: { origin: ORIGIN, cookie: b.cookie!, 'content-type': 'application/json' }, body: '{"to":"screened","reason":"x"}' });
    assert.equal(withCookieOnly.status, 401);
    // Still signed in: nothing above changed the session.
    assert.ok(await b.token());
  });

  test('sign-out ends the session: its access tokens stop working at once', async () => {
    const clerk = await createClerk('sign.out');
    const b = new Browser(t);
    await b.signIn('sign.out', clerk.password, await codeFor(clerk.secret!));
    const access = await b.token();
    const out = await b.call('POST', '/auth/sign-out', {}, { 'x-csrf-token': b.csrf! });
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie')!, /tiepdan_session=;.*Max-Age=0/u);
    assert.equal((await getJson(`${t.api}/registrations`, access)).status, 401);
    assert.equal((await b.call('GET', '/auth/session')).status, 401);
  });

  test('an expired session gives no token and its tokens are refused', async () => {
    const clerk = await createClerk('expired.clerk');
    const b = new Browser(t);
    await b.signIn('expired.clerk', clerk.password, await codeFor(clerk.secret!));
    const access = await b.token();
    // The end of the working day, without waiting for it: the session's end is moved into the past.
    t.db.prepare('UPDATE auth_sessions SET expires_at = ? WHERE account_id = ?').run(Date.now() - 1000, clerk.id);
    assert.equal((await getJson(`${t.api}/registrations`, access)).status, 401);
    const session = await b.call('GET', '/auth/session');
    assert.equal(session.status, 401);
    assert.equal(((await session.json()) as ErrorShape).error.code, 'session_expired');
    const events = t.db.prepare("SELECT event FROM auth_audit WHERE account_id = ? AND event = 'session_expired'").all(clerk.id);
    assert.equal(events.length, 1);
  });

  test('an idle session ends after idleSeconds without a token request', async () => {
    const clerk = await createClerk('idle.clerk');
    const b = new Browser(t);
    await b.signIn('idle.clerk', clerk.password, await codeFor(clerk.secret!));
    t.db.prepare('UPDATE auth_sessions SET last_seen_at = ? WHERE account_id = ?').run(Date.now() - t.config.auth.idleSeconds * 1000 - 1, clerk.id);
    assert.equal((await b.call('POST', '/auth/token', {}, { 'x-csrf-token': b.csrf! })).status, 401);
  });

  test('a removed role stops the token at once; a disabled account loses every session and cannot sign in', async () => {
    const clerk = await createClerk('removed.role', [{ role: 'clerk', unit: UNIT }, { role: 'official', unit: UNIT }]);
    const b = new Browser(t);
    await b.signIn('removed.role', clerk.password, await codeFor(clerk.secret!));
    const clerkToken = await b.token({ role: 'clerk' });
    const officialToken = await b.token({ role: 'official' });
    assert.equal((await getJson(`${t.api}/registrations`, clerkToken)).status, 200);
    const removed = await admin.call('DELETE', `/accounts/${clerk.id}/roles/clerk/${UNIT}`, undefined, asAdmin);
    assert.equal(removed.status, 200, await removed.clone().text());
    assert.equal((await getJson(`${t.api}/registrations`, clerkToken)).status, 401);
    assert.equal((await b.call('POST', '/auth/token', { role: 'clerk' }, { 'x-csrf-token': b.csrf! })).status, 403);
    assert.equal((await getJson(`${t.api}/registrations`, officialToken)).status, 200, 'the other role still stands');

    const disabled = await admin.call('PATCH', `/accounts/${clerk.id}`, { disabled: true }, asAdmin);
    assert.equal(disabled.status, 200);
    assert.equal((await getJson(`${t.api}/registrations`, officialToken)).status, 401);
    assert.equal((await b.call('GET', '/auth/session')).status, 401);
    const retry = await new Browser(t).signIn('removed.role', clerk.password);
    assert.equal(((await retry.json()) as ErrorShape).error.code, 'sign_in_failed');
  });

  test('lockout after maxFailures wrong attempts, even for the right password; the administrator’s reset lifts it', async () => {
    const clerk = await createClerk('locked.clerk');
    const b = new Browser(t);
    for (let i = 0; i < 3; i += 1) assert.equal((await b.signIn('locked.clerk', `wrong password ${i}`)).status, 401);
    // The lock is checked before the password or the code, so any code does here.
    const locked = await b.signIn('locked.clerk', clerk.password, '123456');
    assert.equal(locked.status, 403);
    const body = (await locked.json()) as ErrorShape & { error: { retryAfter: number } };
    assert.equal(body.error.code, 'account_locked');
    assert.ok(body.error.retryAfter > 500);
    const lockouts = t.db.prepare("SELECT detail FROM auth_audit WHERE account_id = ? AND event = 'lockout'").all(clerk.id);
    assert.equal(lockouts.length, 1);

    const reset = await admin.call('POST', `/accounts/${clerk.id}/password`, { password: 'mật khẩu mới của thư ký' }, asAdmin);
    assert.equal(reset.status, 204);
    assert.equal((await b.signIn('locked.clerk', clerk.password)).status, 401, 'the old password is gone');
    assert.equal((await b.signIn('locked.clerk', 'mật khẩu mới của thư ký', await codeFor(clerk.secret!))).status, 200);
  });

  test('an administrator manages accounts of their unit only and reads no case', async () => {
    assert.equal((await getJson(`${t.api}/registrations`, adminToken)).status, 403);
    const otherUnit = await admin.call('POST', '/accounts', { username: 'cao.lanh', displayName: 'X', password: 'mật khẩu đủ dài 2026', roles: [{ role: 'clerk', unit: OTHER_UNIT }] }, asAdmin);
    assert.equal(otherUnit.status, 422);
    assert.equal(((await otherUnit.json()) as ErrorShape).error.fields?.[0]?.path, 'roles.0.unit');
    const foreign = await makeAccount(t, 'chu.tich.cao.lanh', [{ role: 'chair', unit: OTHER_UNIT }]);
    assert.equal((await admin.call('POST', `/accounts/${foreign.account.id}/password`, { password: 'chiếm tài khoản này nhé' }, asAdmin)).status, 404);
    const list = (await (await admin.call('GET', '/accounts', undefined, asAdmin)).json()) as { accounts: { username: string }[] };
    assert.ok(list.accounts.some((a) => a.username === 'le.thi.thu'));
    assert.ok(!list.accounts.some((a) => a.username === 'chu.tich.cao.lanh'));
    // A clerk is not an administrator.
    assert.equal((await getJson(`${t.api}/accounts`, await token(t, 'clerk'))).status, 403);
    const bad = await admin.call('POST', '/accounts', { username: 'x', displayName: '', password: 'short', roles: [] }, asAdmin);
    assert.equal(bad.status, 422);
    const paths = ((await bad.json()) as ErrorShape).error.fields!.map((f) => f.path).sort();
    assert.deepEqual(paths, ['displayName', 'password', 'roles', 'username']);
    const taken = await admin.call('POST', '/accounts', { username: 'LE.THI.THU', displayName: 'Y', password: 'mật khẩu đủ dài 2026', roles: [{ role: 'official', unit: UNIT }] }, asAdmin);
    assert.equal(taken.status, 409);
  });

  test('a recorder’s device credential records and reads nothing else; it ends with the account', async () => {
    const operator = await createClerk('van.hanh', [{ role: 'operator', unit: UNIT }]);
    assert.equal(operator.secret, undefined, 'an operator needs no second factor');
    const b = new Browser(t);
    assert.equal((await b.signIn('van.hanh', operator.password)).status, 200);
    const issued = await fetch(`${t.api}/auth/devices`, { method: 'POST', headers: { authorization: `Bearer ${await b.token()}`, 'content-type': 'application/json' }, body: JSON.stringify({ label: 'Máy ghi điểm cầu UBND' }) });
    assert.equal(issued.status, 201, await issued.clone().text());
    const device = (await issued.json()) as { token: string; role: string; unit: string; expiresAt: number };
    assert.equal(device.role, 'recorder');
    assert.equal(device.unit, UNIT);
    assert.ok(device.expiresAt - Date.now() > 11 * 3600_000, 'a working day');
    assert.equal((await getJson(`${t.api}/registrations`, device.token)).status, 403);
    assert.equal((await getJson(`${t.api}/accounts`, device.token)).status, 403);
    // A CLI token has no session to attach a device to.
    const cli = await fetch(`${t.api}/auth/devices`, { method: 'POST', headers: { authorization: `Bearer ${await token(t, 'operator')}`, 'content-type': 'application/json' }, body: '{"label":"x"}' });
    assert.equal(cli.status, 403);
    await admin.call('PATCH', `/accounts/${operator.id}`, { disabled: true }, asAdmin);
    assert.equal((await getJson(`${t.api}/registrations`, device.token)).status, 401);
  });

  test('tokens from `tiepdan-server token` keep working next to sign-in', async () => {
    assert.equal((await getJson(`${t.api}/registrations`, await token(t, 'chair'))).status, 200);
  });

  test('the audit log holds every event and SQLite refuses to change it', async () => {
    const events = new Set((t.db.prepare('SELECT DISTINCT event FROM auth_audit').all() as { event: string }[]).map((r) => r.event));
    for (const e of ['sign_in', 'sign_in_failed', 'lockout', 'sign_out', 'session_expired', 'role_granted', 'role_removed', 'account_created', 'account_disabled', 'password_reset', 'device_issued']) assert.ok(events.has(e), e);
    assert.throws(() => t.db.prepare("UPDATE auth_audit SET event = 'x'").run(), /append-only/u);
    assert.throws(() => t.db.prepare('DELETE FROM auth_audit').run(), /append-only/u);
    const listed = (await (await admin.call('GET', '/accounts/audit?limit=500', undefined, asAdmin)).json()) as { entries: { event: string; username?: string }[] };
    assert.ok(listed.entries.some((e) => e.event === 'lockout' && e.username === 'locked.clerk'));
    assert.ok(!listed.entries.some((e) => e.username === 'chu.tich.cao.lanh'), 'another unit’s accounts are not listed');
  });
});

describe('sign-in rate limit', () => {
  let limited: TestServer;
  before(async () => {
    limited = await startServer({ rateLimits: { enabled: true }, auth: { signInPerMinute: 3 } });
  });
  after(async () => {
    await limited.close();
    removeDir(limited.dataDir);
  });
  test('guessing from one address is cut off with 429', async () => {
    const b = new Browser(limited);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await b.signIn('nobody', `guess ${i}`)).status);
    assert.deepEqual(statuses, [401, 401, 401, 429]);
  });
});

describe('single sign-on configuration', () => {
  test('is checked at start: a provider needs a way back (redirectUri or publicUrl), and https in production', () => {
    const dataDir = tempDir();
    try {
      const oidc = { issuer: 'http://127.0.0.1:9/idp', clientId: 'tiepdan' };
      assert.throws(() => loadConfig({ env: {}, warn: () => {}, values: { dataDir, auth: { oidc } } }), /auth\.oidc\.redirectUri: required when publicUrl is not set/u);
      assert.throws(() => loadConfig({ env: {}, warn: () => {}, values: { dataDir, auth: { oidc: { ...oidc, scopes: ['open id'] } } } }), /auth\.oidc\.scopes\.0/u);
      const ok = loadConfig({ env: {}, warn: () => {}, values: { dataDir, publicUrl: 'https://tiepdan.dongthap.gov.vn', auth: { oidc } } });
      assert.deepEqual(ok.auth.oidc?.scopes, ['openid', 'profile']);
      assert.equal(ok.auth.oidc?.label.vi, 'Đăng nhập một lần (SSO) của tỉnh');
    } finally {
      removeDir(dataDir);
    }
  });
});
