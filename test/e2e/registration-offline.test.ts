/**
 * The story (with the schedule's booking riding in the same submission), end to end in headless Chromium on a phone-sized screen in another time zone: a citizen fills
 * the form on the ward's site (strict CSP, page wrapped in a <form>), loses the network, submits, reloads, the
 * queued submission is still there; the server's answer is then lost once on the way back; when the network is
 * back the page shows the reference code and the server holds exactly one registration, with its attachment.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { RegistrationRecord, ScreeningPage } from '@tiepdan/core';
import { official, PNG, startE2e } from './browser.js';

let env: Awaited<ReturnType<typeof startE2e>>;
let sessionId: string;
before(async () => {
  env = await startE2e();
  // An open reception session for the citizen to choose; its booking must ride in the same offline submission.
  const headers = { authorization: `Bearer ${env.demo.token}`, 'content-type': 'application/json' };
  const created = await fetch(`${env.demo.apiUrl}/api/v1/sessions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      kind: 'periodic', host: { role: 'chair', name: 'Chủ tịch UBND phường Sa Đéc' }, level: 'commune', unit: 'dongthap.sadec',
      venue: 'Trụ sở UBND phường Sa Đéc', connectionPoints: ['sadec-ubnd'], capacity: 5, remoteAllowed: false,
      startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(), endsAt: new Date(Date.now() + 7 * 86_400_000 + 3 * 3_600_000).toISOString(),
    }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  sessionId = ((await created.json()) as { session: { id: string } }).session.id;
  assert.equal((await fetch(`${env.demo.apiUrl}/api/v1/sessions/${sessionId}/publish`, { method: 'POST', headers, body: '{}' })).status, 200);
});
after(async () => {
  await env?.stop();
});

const form = (page: Page) => page.locator('tiepdan-registration');
const proceed = (page: Page) => form(page).getByRole('button', { name: 'Tiếp tục' }).click();

async function fillToCheck(page: Page) {
  const f = form(page);
  await f.getByRole('heading', { name: 'Thông báo xử lý dữ liệu cá nhân' }).waitFor();
  await f.getByLabel('Tôi đã đọc và hiểu thông báo trên').check();
  await proceed(page);
  await f.getByRole('radio', { name: /Khiếu nại/u }).check();
  await proceed(page);
  // Typed the way a phone keyboard delivers Vietnamese: NFD from some IMEs, extra spaces.
  await f.getByLabel('Họ và tên').fill('Nguyễn   Văn An'.normalize('NFD'));
  await f.getByLabel('Loại giấy tờ tùy thân').selectOption('cccd');
  await f.getByLabel('Số giấy tờ').fill('087 085 123 456');
  await f.getByLabel(/^Ngày sinh/u).fill('02/03/1985');
  await f.getByRole('radio', { name: 'Nam', exact: true }).check();
  await proceed(page);
  await f.getByLabel('Xã, phường, đặc khu').selectOption({ label: 'Phường Sa Đéc' });
  await f.getByLabel('Số nhà, đường, ấp/khóm/tổ').fill('Số 12, khóm 3');
  await proceed(page);
  await f.getByLabel('Số điện thoại').fill('0912 345 678');
  await proceed(page);
  await f.getByLabel('Trình bày nội dung').fill('Khiếu nại Quyết định số 123/QĐ-UBND về việc thu hồi đất của gia đình tôi.');
  await proceed(page);
  await f.getByRole('heading', { name: 'Người cùng nội dung và người hỗ trợ' }).waitFor();
  await proceed(page);
  await f.locator('input[type="file"]:not([capture])').setInputFiles({ name: 'quyet-dinh.png', mimeType: 'image/png', buffer: PNG });
  await f.getByText('quyet-dinh', { exact: false }).first().waitFor();
  await proceed(page);
  await f.getByRole('radio', { name: /điểm cầu/u }).first().check();
  await proceed(page);
  await f.getByRole('heading', { name: 'Ông/bà muốn được tiếp vào buổi nào?' }).waitFor();
  await f.getByRole('button', { name: /Chọn buổi này/u }).first().click();
  await f.getByText('Buổi tiếp đã chọn').waitFor();
  await proceed(page);
  await f.getByRole('heading', { name: 'Kiểm tra lại trước khi gửi' }).waitFor();
}

async function outboxEntries(page: Page): Promise<{ state: string; files: number }[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('tiepdan:registration:dongthap.sadec');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('outbox').objectStore('outbox').getAll();
          all.onsuccess = () => resolve(all.result.map((r: { state: string; files: unknown[] }) => ({ state: r.state, files: r.files.length })));
          all.onerror = () => reject(all.error);
        };
      }),
  );
}

test('offline submission survives a reload and a lost answer, and is stored exactly once', async () => {
  const context: BrowserContext = await env.browser.newContext({
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    locale: 'vi-VN',
    timezoneId: 'America/Los_Angeles',
  });
  const problems: string[] = [];
  const page = await context.newPage();
  page.on('console', (message) => {
    // Failed loads are reported below with their URL (the ones this test causes are expected).
    if (/^Failed to load resource/u.test(message.text())) return;
    if (message.type() === 'error' || /Content.Security.Policy|Refused to/iu.test(message.text())) problems.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) problems.push(`${response.status()} ${response.url()}`);
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  // The ward page's own form must never submit: that would navigate away from the citizen's work.
  let outerFormPosts = 0;
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().startsWith(env.demo.siteUrl)) outerFormPosts += 1;
  });

  await page.goto(env.demo.siteUrl);
  await fillToCheck(page);

  // Network away: the submission is queued on the device, nothing reaches the server.
  await context.setOffline(true);
  await form(page).getByRole('button', { name: 'Gửi hồ sơ' }).click();
  await form(page).getByRole('heading', { name: 'Đã lưu trên máy này, sẽ gửi khi có mạng' }).waitFor();
  assert.deepEqual(await outboxEntries(page), [{ state: 'pending', files: 1 }]);
  assert.equal((await official<ScreeningPage>(env.demo, '/api/v1/registrations')).items.length, 0);

  // Reload (the citizen closes the tab and comes back). Keep the API unreachable through the reload.
  await context.route('**/api/v1/registrations', (route) => route.abort('internetdisconnected'));
  await context.setOffline(false);
  await page.reload();
  await form(page).getByRole('heading', { name: 'Đã lưu trên máy này, sẽ gửi khi có mạng' }).waitFor();
  assert.deepEqual(await outboxEntries(page), [{ state: 'pending', files: 1 }], 'the queued submission survived the reload');

  // The network comes back, but the first answer is lost on the way: the server stores, the phone never hears.
  await context.unroute('**/api/v1/registrations');
  let lostOnce = false;
  let answerLost!: () => void;
  const lost = new Promise<void>((resolve) => (answerLost = resolve));
  await context.route('**/api/v1/registrations', async (route) => {
    if (lostOnce || route.request().method() !== 'POST') return route.continue();
    lostOnce = true;
    await route.fetch();
    await route.abort('connectionreset');
    answerLost();
  });
  await form(page).getByRole('button', { name: 'Gửi lại ngay' }).click();
  await lost;
  const storedAfterLoss = await official<ScreeningPage>(env.demo, '/api/v1/registrations');
  assert.equal(storedAfterLoss.items.length, 1, 'the server stored it although the answer was lost');

  // The outbox retries with the same idempotency key and gets the same answer.
  await form(page).getByRole('button', { name: 'Gửi lại ngay' }).click();
  await form(page).getByRole('heading', { name: 'Đã gửi hồ sơ' }).waitFor({ timeout: 15_000 });
  const shown = (await form(page).locator('.reference').textContent())?.trim();
  const stored = await official<ScreeningPage>(env.demo, '/api/v1/registrations');
  assert.equal(stored.items.length, 1, 'exactly one registration');
  assert.equal(shown, stored.items[0]!.reference);
  assert.deepEqual(await outboxEntries(page), [{ state: 'sent', files: 0 }]);

  const record = await official<RegistrationRecord>(env.demo, `/api/v1/registrations/${shown}`);
  assert.equal(record.registration.identity.fullName, 'Nguyễn Văn An', 'NFC, tidy');
  assert.equal(record.registration.identity.fullName, record.registration.identity.fullName.normalize('NFC'));
  assert.equal(record.registration.contact.phone, '+84912345678');
  assert.equal(record.attachments.length, 1);
  // A chosen file is evidence: stored exactly as picked (issue 9 §6), through the outbox and its retries too.
  assert.equal(record.attachments[0]!.type, 'image/png');
  assert.equal(record.attachments[0]!.sha256, createHash('sha256').update(PNG).digest('hex'), 'the stored file is the chosen file, byte for byte');

  // The chosen session's place was taken once, although the submission was sent twice.
  assert.equal(record.registration.preferredSessionId, sessionId);
  const session = (await (await fetch(`${env.demo.apiUrl}/api/v1/sessions/${sessionId}`)).json()) as { session?: { placesLeft: number }; placesLeft?: number };
  assert.equal(session.session?.placesLeft ?? session.placesLeft, 4, 'one place booked out of 5');

  assert.equal(outerFormPosts, 0, 'the ward page form was never submitted');
  assert.deepEqual(problems, [], 'no console errors or CSP violations');
  await context.close();
});
