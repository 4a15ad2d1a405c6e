// Browser tests of <tiepdan-sign-in> against the real server of the test runner (web-test-runner.config.mjs):
// the session cookie, the second factor with codes computed here from the account's secret, the session found
// again by a new element (a reload), sign-out, and the recorder's device credential. Keyboard and axe too.
import { expect, fixture, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { generate } from 'otplib';
import { fieldId } from '../shared/controls.js';
import { TiepdanSignIn } from './sign-in.component.js';
import './sign-in.js';

// The session cookie is SameSite=Strict, so the server must be on the page's site: the runner serves the page
// from "localhost", and "127.0.0.1" would be another site (as a ward's officials' pages must share the server's).
const server = new URL((window as { TIEPDAN_TEST_SERVER?: string }).TIEPDAN_TEST_SERVER!).origin.replace('127.0.0.1', 'localhost');
const accounts = (window as { TIEPDAN_TEST_ACCOUNTS?: Record<string, { username: string; password: string; secret: string | null }> }).TIEPDAN_TEST_ACCOUNTS!;

const $ = <T extends Element = HTMLElement>(el: HTMLElement, selector: string) => el.shadowRoot!.querySelector<T>(selector)!;

async function mount(attrs = ''): Promise<TiepdanSignIn> {
  const el = await fixture<TiepdanSignIn>(`<tiepdan-sign-in server="${server}" ${attrs}></tiepdan-sign-in>`);
  await waitUntil(() => el.shadowRoot!.querySelector('form, .signed-in'), 'the element settles', { timeout: 10_000 });
  return el;
}

function type(el: TiepdanSignIn, path: string, value: string): void {
  const input = $<HTMLInputElement>(el, `#${fieldId(path)}`);
  input.value = value;
  input.dispatchEvent(new Event('input'));
}

/** The code of a time step not used yet: the server refuses a step twice. */
let lastStep = 0;
async function code(secret: string): Promise<string> {
  const step = Math.max(Math.floor(Date.now() / 30_000), lastStep + 1);
  lastStep = step;
  return generate({ secret, epoch: step * 30 });
}

async function signOut(el: TiepdanSignIn): Promise<void> {
  const out = oneEvent(el, 'tiepdan-signed-out');
  $<HTMLButtonElement>(el, '.signed-in button').click();
  await out;
}

describe('<tiepdan-sign-in>', () => {
  it('shows a labelled form in Vietnamese, in English with lang="en", and passes axe', async () => {
    const el = await mount();
    expect($(el, 'h2').textContent).to.equal('Đăng nhập dành cho cán bộ');
    expect($(el, `label[for="${fieldId('password')}"]`).textContent).to.equal('Mật khẩu');
    expect($<HTMLInputElement>(el, `#${fieldId('password')}`).type).to.equal('password');
    expect($<HTMLInputElement>(el, `#${fieldId('username')}`).autocomplete).to.equal('username');
    await expect(el).to.be.accessible();
    const en = await mount('lang="en"');
    expect($(en, 'h2').textContent).to.equal('Officials’ sign-in');
  });

  it('names the missing fields, then the server’s refusal of a wrong password, in a focused summary', async () => {
    const el = await mount();
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('.error-summary'));
    expect($(el, '.error-summary').textContent).to.contain('Vui lòng nhập tên đăng nhập');
    type(el, 'username', accounts.clerk!.username);
    type(el, 'password', 'không phải mật khẩu');
    const failed = oneEvent(el, 'tiepdan-error');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    expect((await failed).detail.code).to.equal('sign_in_failed');
    await waitUntil(() => el.shadowRoot!.activeElement?.classList.contains('error-summary'));
    expect($(el, '.error-summary').textContent).to.contain('Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng');
    await expect(el).to.be.accessible();
  });

  it('a clerk signs in by keyboard alone: password, then the authenticator code; the token works; a reload keeps the session', async () => {
    const clerk = accounts.clerk!;
    const el = await mount();
    $<HTMLInputElement>(el, `#${fieldId('username')}`).focus();
    await sendKeys({ type: clerk.username });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ type: clerk.password });
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.shadowRoot!.activeElement?.id === fieldId('code'), 'the code field appears and takes the focus', { timeout: 10_000 });
    expect($(el, `#${fieldId('code')}-hint`).textContent).to.contain('6 chữ số');
    await expect(el).to.be.accessible();
    const issued = oneEvent(el, 'tiepdan-token');
    await sendKeys({ type: await code(clerk.secret!) });
    await sendKeys({ press: 'Enter' });
    const { detail } = await issued;
    expect(detail.role).to.equal('clerk');
    expect(detail.unit).to.equal('dongthap.sadec');
    expect(el.token).to.equal(detail.token);
    const list = await fetch(`${server}/api/v1/registrations`, { headers: { authorization: `Bearer ${detail.token}` } });
    expect(list.status).to.equal(200);
    await waitUntil(() => el.shadowRoot!.querySelector('.signed-in'));
    expect($(el, '.signed-in').textContent).to.contain('Đã đăng nhập');
    await expect(el).to.be.accessible();

    // A reload: a new element finds the session in the cookie and hands out a token with nothing typed.
    const again = document.createElement('tiepdan-sign-in');
    const restored = oneEvent(again, 'tiepdan-token');
    again.server = server;
    document.body.append(again);
    expect((await restored).detail.role).to.equal('clerk');
    again.remove();

    await signOut(el);
    expect($(el, '.notice').textContent).to.contain('đã đăng xuất');
    expect((await fetch(`${server}/api/v1/registrations`, { headers: { authorization: `Bearer ${detail.token}` } })).status).to.equal(401);
    const after = await mount();
    expect(after.shadowRoot!.querySelector('form')).to.exist;
  });

  it('signs a recorder machine in with a recording-only device credential that survives a reload', async () => {
    const operator = accounts.operator!;
    const el = await mount('device-label="Máy ghi điểm cầu UBND"');
    expect($(el, '.hint').textContent).to.contain('chỉ ghi hình');
    type(el, 'username', operator.username);
    type(el, 'password', operator.password);
    const issued = oneEvent(el, 'tiepdan-token');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    const { detail } = await issued;
    expect(detail.role).to.equal('recorder');
    expect(detail.expiresAt - Date.now()).to.be.greaterThan(11 * 3600_000);
    expect((await fetch(`${server}/api/v1/registrations`, { headers: { authorization: `Bearer ${detail.token}` } })).status).to.equal(403);
    // The operator's own session was ended: the cookie gives no session any more.
    expect((await fetch(`${server}/api/v1/auth/session`, { credentials: 'include' })).status).to.equal(401);
    await waitUntil(() => el.shadowRoot!.querySelector('.signed-in'));
    await expect(el).to.be.accessible();

    const again = document.createElement('tiepdan-sign-in');
    again.setAttribute('device-label', 'Máy ghi điểm cầu UBND');
    const restored = oneEvent(again, 'tiepdan-token');
    again.server = server;
    document.body.append(again);
    expect((await restored).detail.token).to.equal(detail.token);
    const ended = oneEvent(again, 'tiepdan-signed-out');
    await again.updateComplete;
    $<HTMLButtonElement>(again, '.signed-in button').click();
    await ended;
    expect(sessionStorage.getItem(`tiepdan-device:${server}`)).to.equal(null);
    again.remove();
  });
});
