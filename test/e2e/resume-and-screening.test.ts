/**
 * The citizen closes the tab halfway and comes back to the same draft; at 320 px and at 200 % zoom nothing scrolls
 * sideways; keyboard alone gets through a step; after submitting, the lookup finds the registration and an
 * official sees it in the screening queue and screens it, which the citizen's lookup then shows.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startE2e } from './browser.js';

let env: Awaited<ReturnType<typeof startE2e>>;
before(async () => {
  env = await startE2e();
});
after(async () => {
  await env?.stop();
});

const form = (page: Page) => page.locator('tiepdan-registration');

/** Widest overflow inside the element's shadow root, in CSS pixels (0 = nothing scrolls sideways). */
async function overflow(page: Page, selector: string): Promise<number> {
  return page.locator(selector).evaluate((host) => {
    const width = host.getBoundingClientRect().right;
    let worst = Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth);
    for (const node of host.shadowRoot!.querySelectorAll('*')) worst = Math.max(worst, node.getBoundingClientRect().right - width);
    return Math.round(worst);
  });
}

test('a half-filled draft is still there after the tab is closed, by keyboard alone, without sideways scrolling', async () => {
  const context = await env.browser.newContext({ viewport: { width: 320, height: 640 }, locale: 'vi-VN' });
  const page = await context.newPage();
  await page.goto(env.demo.siteUrl);
  await form(page).getByRole('heading', { name: 'Thông báo xử lý dữ liệu cá nhân' }).waitFor();
  assert.equal(await overflow(page, 'tiepdan-registration'), 0, '320 px: no horizontal overflow');

  // Keyboard only: focus the checkbox, Space ticks it, Enter in the form continues.
  await form(page).getByLabel('Tôi đã đọc và hiểu thông báo trên').focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('Enter');
  await form(page).getByRole('heading', { name: 'Ông/bà muốn gửi loại đơn nào?' }).waitFor();
  await form(page).getByRole('radio', { name: /Kiến nghị/u }).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('Enter');
  await form(page).getByLabel('Họ và tên').fill('Lê Thị Hồng');
  assert.equal(await overflow(page, 'tiepdan-registration'), 0, '320 px identity step');
  // Let the debounced autosave land, then close the tab without submitting.
  await form(page).getByText('Đã lưu trên thiết bị này').waitFor();
  await page.close();

  const again = await context.newPage();
  await again.goto(env.demo.siteUrl);
  await form(again).getByRole('heading', { name: 'Ông/bà có một hồ sơ đang làm dở' }).waitFor();
  await form(again).getByRole('button', { name: 'Tiếp tục hồ sơ đang làm' }).click();
  await form(again).getByRole('heading', { name: 'Thông tin người đứng đơn' }).waitFor();
  assert.equal(await form(again).getByLabel('Họ và tên').inputValue(), 'Lê Thị Hồng');
  await context.close();

  // 200 % zoom of a 1280 px desktop window is a 640 CSS px viewport at twice the pixel density.
  const zoomed = await env.browser.newContext({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
  const zpage = await zoomed.newPage();
  await zpage.goto(env.demo.siteUrl);
  await form(zpage).getByRole('heading', { name: 'Thông báo xử lý dữ liệu cá nhân' }).waitFor();
  assert.equal(await overflow(zpage, 'tiepdan-registration'), 0, '200 % zoom: no horizontal overflow');
  assert.equal(await overflow(zpage, 'tiepdan-lookup'), 0, '200 % zoom: lookup');
  await zoomed.close();
});

test('the lookup and the officials screening queue see the same registration', async () => {
  // Submit through the API the way the outbox does (the form itself is covered by the other tests).
  const meta = (await (await fetch(`${env.demo.apiUrl}/api/v1/meta?unit=dongthap.sadec`)).json()) as { privacyNotice: { version: string } };
  const submitted = await fetch(`${env.demo.apiUrl}/api/v1/registrations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID(), origin: env.demo.siteUrl },
    body: JSON.stringify({
      unit: 'dongthap.sadec', kind: 'to_cao',
      identity: { fullName: 'Phạm Văn Tâm' },
      address: { provinceCode: '82', communeCode: '29869', detail: 'Khóm 5' },
      contact: { phone: '0987 111 222' },
      content: { summary: 'Tố cáo hành vi nhận tiền khi cấp giấy phép xây dựng.', violation: 'Nhận hối lộ', accused: 'Ông X, cán bộ địa chính' },
      attendance: { mode: 'connection_point' },
      privacy: { version: meta.privacyNotice.version, acknowledged: true, acknowledgedAt: new Date().toISOString() },
    }),
  });
  assert.equal(submitted.status, 201, await submitted.clone().text());
  const { reference } = (await submitted.json()) as { reference: string };

  const context = await env.browser.newContext({ locale: 'vi-VN', timezoneId: 'Europe/Berlin' });
  const officials = await context.newPage();
  await officials.goto(env.demo.officialsUrl);
  const queue = officials.locator('tiepdan-screening');
  await queue.getByRole('heading', { name: reference }).waitFor();
  await queue.getByRole('button', { name: `Xem hồ sơ ${reference}` }).click();
  await queue.getByRole('heading', { name: `Hồ sơ ${reference}` }).waitFor();
  // The demo clerk handles denunciations, so the denouncer's name is readable here (and nowhere in the list).
  await queue.getByText('Phạm Văn Tâm').first().waitFor();
  await queue.getByLabel('Chuyển sang').selectOption('screened');
  await queue.getByLabel('Lý do (lưu hồ sơ)').fill('Đủ điều kiện, thuộc thẩm quyền.');
  await queue.getByLabel('Ghi chú cho công dân (không bắt buộc)').fill('Hồ sơ đã được phân loại.');
  await queue.getByRole('button', { name: 'Xác nhận' }).click();
  await queue.getByText(`Đã chuyển hồ sơ ${reference} sang "Đã phân loại".`).waitFor();

  const citizen = await context.newPage();
  await citizen.goto(env.demo.siteUrl);
  const lookup = citizen.locator('tiepdan-lookup');
  await lookup.getByLabel('Mã hồ sơ').fill(reference.toLowerCase());
  await lookup.getByLabel('Số điện thoại').fill('0987111222');
  await lookup.getByRole('button', { name: 'Tra cứu' }).click();
  await lookup.locator('.state').filter({ hasText: 'Đã phân loại' }).waitFor();
  // Times are Hanoi's although this browser is set to Berlin: the last history entry is within the last minutes.
  const times = await lookup.locator('time').allTextContents();
  const hanoiNow = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date());
  assert.ok(times.every((t) => t.endsWith(hanoiNow)), `${times.join(', ')} should be on ${hanoiNow} (Hanoi)`);
  await context.close();
});
