/**
 * One reception day, end to end (issue 9, Acceptance). The real demo (server + ward site), a real SMTP server
 * (`smtp-server`, messages parsed with `mailparser`), Debian's Chromium with one process per participant, each
 * with its own fake camera (a plain colour) and microphone (a beeping tone):
 * 1. a citizen registers on a phone-sized page through `<tiepdan-registration>`, giving an e-mail address;
 * 2. the clerk screens it and invites it with a session, a slot and the connection point through
 *    `<tiepdan-screening>`, after the preview, by clicks;
 * 3. the invitation arrives by e-mail with the time and the join link; the citizen opens that link, passes
 *    pre-join and waits in the lobby;
 * 4. the chair opens the room, the clerk admits the citizen, and the citizen, the clerk, the chair and an official
 *    at another connection point all see and hear each other (every ordered pair, the right colour);
 * 5. the chair ends the session.
 *
 * NOT YET HERE (waits for i9-media's recording with the session to be on main): a recorder waiting as standby,
 * the recording started by the chair's `room.open` ("Đang ghi hình"), the finalized file with every tile and voice,
 * and `verify --public-key`. Until then the demo runs with `recording.mandatoryByDefault: false`, since on main a
 * scheduled session's room opens only once a recorder holds a lease on a recording opened by hand.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RegistrationRecord } from '@tiepdan/core';
// @ts-expect-error: plain ESM helpers without types.
import { startDemo } from '../../examples/demo.mjs';
import { mintToken } from '../../packages/signaling/dist/index.js';
import { startSmtpServer, type TestSmtpServer } from '../notices/smtp-server.js';
import { colourOf, launchWithMedia, makeFakeMedia, type FakeMedia } from './fake-media.js';
import { acknowledgeAndJoin, admittedToFrames, assertSeesAndHears, openRoom, point, roomEvents, until, view, watchFirstFrames } from './room-pages.js';

const SECRET = 'e2e-reception-day-auth-secret-0123456789';
const UNIT = 'dongthap.sadec';
const WARD = point('sadec-ubnd', 'UBND phường Sa Đéc');
const OTHER = point('dongthap-tinh', 'Trụ sở Tiếp công dân tỉnh Đồng Tháp');
const PHONE = { width: 360, height: 740 };
const EMAIL = 'nguyen.van.an@example.vn';

interface Demo {
  apiUrl: string;
  siteUrl: string;
  officialsUrl: string;
  token: string;
  close(): Promise<void>;
}

let demo: Demo;
let dataDir: string;
let smtp: TestSmtpServer;
const browsers: Browser[] = [];

const people: Record<'citizen' | 'clerk' | 'chair' | 'official', { name: string; media: FakeMedia; browser?: Browser; page?: Page }> = {} as never;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-e2e-day-'));
  smtp = await startSmtpServer();
  demo = await startDemo({
    port: 0,
    sitePort: 0,
    dataDir,
    env: {},
    logLevel: 'silent',
    warn: () => {},
    values: {
      authSecret: SECRET,
      notices: { channels: [{ type: 'smtp', host: '127.0.0.1', port: smtp.port, from: 'tiepcongdan@sadec.dongthap.gov.vn' }], firstRetryMs: 200 },
      recording: { mandatoryByDefault: false },
    },
  });
  people.citizen = { name: 'Nguyễn Văn An', media: makeFakeMedia(dataDir, 'citizen', [230, 220, 40], 3100) };
  people.clerk = { name: 'Trần Thị Bình', media: makeFakeMedia(dataDir, 'clerk', [220, 30, 30], 500) };
  people.chair = { name: 'Lê Văn Cường', media: makeFakeMedia(dataDir, 'chair', [30, 200, 40], 900) };
  people.official = { name: 'Phạm Minh Đức', media: makeFakeMedia(dataDir, 'official', [40, 60, 220], 1700) };
  // One process each: the fake camera and microphone files are per process. Started together (they are slow).
  await Promise.all(Object.values(people).map(async (p) => {
    p.browser = await launchWithMedia(p.media);
    browsers.push(p.browser);
  }));
});

after(async () => {
  for (const b of browsers) await b.close().catch(() => undefined);
  await demo?.close();
  await smtp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A published session of the ward that starts a few minutes from now (so its first slot is still ahead). */
async function publishedSession(): Promise<{ id: string; startsAt: string; endsAt: string }> {
  const headers = { authorization: `Bearer ${demo.token}`, 'content-type': 'application/json' };
  const start = new Date(Math.ceil((Date.now() + 10 * 60_000) / 60_000) * 60_000);
  const created = await fetch(`${demo.apiUrl}/api/v1/sessions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      kind: 'periodic', host: { role: 'chair', name: 'Chủ tịch UBND phường Sa Đéc' }, level: 'commune', unit: UNIT,
      venue: 'Trụ sở UBND phường Sa Đéc', connectionPoints: ['sadec-ubnd', 'dongthap-tinh'], capacity: 5, remoteAllowed: false,
      startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 3 * 3_600_000).toISOString(),
    }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  const { session } = (await created.json()) as { session: { id: string; startsAt: string; endsAt: string } };
  assert.equal((await fetch(`${demo.apiUrl}/api/v1/sessions/${session.id}/publish`, { method: 'POST', headers, body: '{}' })).status, 200);
  return session;
}

/** The citizen fills the form on the ward site, on a phone, and sends it; returns the reference shown. */
async function register(page: Page): Promise<string> {
  const f = page.locator('tiepdan-registration');
  const proceed = () => f.getByRole('button', { name: 'Tiếp tục' }).click();
  await page.goto(demo.siteUrl);
  await f.getByRole('heading', { name: 'Thông báo xử lý dữ liệu cá nhân' }).waitFor();
  await f.getByLabel('Tôi đã đọc và hiểu thông báo trên').check();
  await proceed();
  await f.getByRole('radio', { name: /Kiến nghị/u }).check();
  await proceed();
  await f.getByLabel('Họ và tên').fill(people.citizen.name);
  await f.getByLabel('Loại giấy tờ tùy thân').selectOption('cccd');
  await f.getByLabel('Số giấy tờ').fill('087 085 123 456');
  await f.getByLabel(/^Ngày sinh/u).fill('02/03/1985');
  await f.getByRole('radio', { name: 'Nam', exact: true }).check();
  await proceed();
  await f.getByLabel('Xã, phường, đặc khu').selectOption({ label: 'Phường Sa Đéc' });
  await f.getByLabel('Số nhà, đường, ấp/khóm/tổ').fill('Số 12, khóm 3');
  await proceed();
  await f.getByLabel('Số điện thoại').fill('0912 345 678');
  await f.getByLabel(/^Thư điện tử/u).fill(EMAIL);
  await proceed();
  await f.getByLabel('Trình bày nội dung').fill('Kiến nghị sửa đoạn đường Hùng Vương trước chợ Sa Đéc, ngập mỗi khi mưa.');
  await proceed();
  await f.getByRole('heading', { name: 'Người cùng nội dung và người hỗ trợ' }).waitFor();
  await proceed();
  await proceed(); // no attachments
  await f.getByRole('radio', { name: /điểm cầu/u }).first().check();
  await proceed();
  await f.getByRole('heading', { name: 'Ông/bà muốn được tiếp vào buổi nào?' }).waitFor();
  await proceed(); // the board chooses the session when it invites
  await f.getByRole('heading', { name: 'Kiểm tra lại trước khi gửi' }).waitFor();
  await f.getByRole('button', { name: 'Gửi hồ sơ' }).click();
  await f.getByRole('heading', { name: 'Đã gửi hồ sơ' }).waitFor({ timeout: 30_000 });
  return (await f.locator('.reference').textContent())!.trim();
}

test('a reception day: registered on a phone, screened and invited by clicks, the e-mail link leads to the lobby, admitted, everyone sees and hears everyone', { timeout: 600_000 }, async (t) => {
  const session = await publishedSession();
  const started = Date.now();
  const mark = (what: string) => t.diagnostic(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // 1. The citizen registers on a phone-sized page.
  const phone = await people.citizen.browser!.newContext({ viewport: PHONE, locale: 'vi-VN', isMobile: true, hasTouch: true });
  const reference = await register(await phone.newPage());
  await phone.close();
  mark('registered');

  // 2. The clerk screens and invites through the screening queue.
  const desk = await people.clerk.browser!.newContext({ viewport: { width: 1100, height: 900 }, locale: 'vi-VN' });
  const officials = await desk.newPage();
  await officials.goto(demo.officialsUrl);
  const queue = officials.locator('tiepdan-screening');
  await queue.getByRole('heading', { name: reference }).waitFor({ timeout: 30_000 });
  await queue.getByRole('button', { name: `Xem hồ sơ ${reference}` }).click();
  await queue.getByRole('heading', { name: `Hồ sơ ${reference}` }).waitFor();
  await queue.getByLabel('Chuyển sang').selectOption('screened');
  await queue.getByLabel('Lý do (lưu hồ sơ)').fill('Đủ điều kiện, thuộc thẩm quyền.');
  await queue.getByRole('button', { name: 'Xác nhận' }).click();
  await queue.locator('#invite-session').waitFor();
  await queue.locator('#invite-session').selectOption(session.id);
  const slotTime = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(session.startsAt));
  assert.equal(await queue.locator('#invite-slot').inputValue(), slotTime, 'the slot starts at the session start');
  await queue.locator('#invite-point-sadec-ubnd').check();
  await queue.locator('#invite-note').fill('Vào cổng phụ đường Hùng Vương.');
  await queue.getByRole('button', { name: 'Xem trước thư mời' }).click();
  const preview = queue.locator('.preview');
  await preview.waitFor();
  const day = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date(session.startsAt));
  assert.match((await preview.textContent())!, new RegExp(`Giấy mời tiếp công dân – ${slotTime}, ${day.replaceAll('/', '\\/')}`, 'u'));
  assert.match((await preview.textContent())!, /Thư điện tử n\S*@example\.vn/u, 'the preview names the e-mail channel (masked address)');
  assert.equal(await preview.locator('.warning').count(), 0, 'a delivering channel: no log-only warning');
  await preview.getByRole('button', { name: 'Gửi lời mời' }).click();
  await queue.locator('.delivery').filter({ hasText: /đã gửi 1/u }).waitFor({ timeout: 30_000 });
  mark('invited (the clerk sees it sent)');

  // 3. The e-mail: to the citizen, with the time, the place and the link to the session's lobby.
  const mail = await until('the invitation e-mail', async () => smtp.messages.length, (n) => n > 0, 30_000).then(() => smtp.messages[0]!);
  assert.equal(smtp.messages.length, 1);
  assert.deepEqual((Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a!.value.map((v) => v.address)), [EMAIL]);
  assert.equal(mail.subject, `Giấy mời tiếp công dân – ${slotTime}, ${day}`);
  assert.match(mail.text!, new RegExp(`Thời gian: ${slotTime}, ${day.replaceAll('/', '\\/')} \\(giờ Hà Nội\\)`, 'u'));
  assert.match(mail.text!, /Vào cổng phụ đường Hùng Vương\./u);
  const link = new RegExp(`${demo.siteUrl.replaceAll('.', '\\.')}/room\\.html#session=([^&\\s]+)&token=([\\w-]+)`, 'u').exec(mail.text!);
  assert.ok(link, `the e-mail carries the join link:\n${mail.text}`);
  assert.equal(decodeURIComponent(link[1]!), session.id);
  const record = (await (await fetch(`${demo.apiUrl}/api/v1/registrations/${reference}`, { headers: { authorization: `Bearer ${demo.token}` } })).json()) as RegistrationRecord;
  assert.equal(record.state, 'invited');

  // Officials join at their connection points; the chair opens the room.
  const official = (sub: string, role: 'chair' | 'clerk' | 'official', name: string) => mintToken(SECRET, { sub, role, unit: UNIT, name });
  const join = async (who: 'clerk' | 'chair' | 'official', token: string, where: string) => {
    const page = await openRoom(people[who].browser!, demo.siteUrl, session.id, token, who, where);
    people[who].page = page;
    await acknowledgeAndJoin(page);
    await until(`${who} in the room`, () => view(page), (v) => v === 'room', 30_000);
    return page;
  };
  const chair = await join('chair', await official('e2e-chair', 'chair', people.chair.name), WARD);
  await chair.locator('tiepdan-room #open-room').click();
  await until('room open', () => chair.locator('tiepdan-room #open-room').count(), (n) => n === 0);
  const clerk = await join('clerk', await official('e2e-clerk', 'clerk', people.clerk.name), WARD);
  await join('official', await official('e2e-official', 'official', people.official.name), OTHER);

  // The citizen opens the e-mail's link (exactly its session and token), passes pre-join, waits in the lobby.
  const citizen = await openRoom(people.citizen.browser!, demo.siteUrl, link[1]!, link[2]!, 'citizen', '', PHONE);
  people.citizen.page = citizen;
  await acknowledgeAndJoin(citizen);
  await until('citizen in the lobby', () => view(citizen), (v) => v === 'lobby', 30_000);
  mark('citizen in the lobby');

  // 4. The clerk admits; every ordered pair sees and hears the right participant.
  await watchFirstFrames(citizen);
  await clerk.locator('tiepdan-room ol.queue li').filter({ hasText: people.citizen.name }).getByRole('button', { name: /Mời vào/u }).click();
  await until('citizen admitted', () => view(citizen), (v) => v === 'room');
  const all = Object.values(people).map((p) => p.media);
  const pages = Object.values(people).map((p) => p.page!);
  for (const [who, person] of Object.entries(people)) {
    const others = Object.entries(people).filter(([w]) => w !== who);
    await assertSeesAndHears(person.page!, who, others.map(([, o]) => ({ name: o.name, colour: (rgb) => colourOf(rgb, all) === o.media.name })), pages);
  }
  const frames = await admittedToFrames(citizen);
  assert.equal(frames.count, 3);
  t.diagnostic(`citizen: admitted → first remote picture ${frames.first} ms, → all three ${frames.last} ms`);
  mark('four-way audio and video checked');

  // 5. The chair ends the session: everyone is out of the room.
  chair.once('dialog', (dialog) => void dialog.accept());
  await chair.locator('tiepdan-room #end').click();
  for (const page of pages) await until('the room ended', () => view(page), (v) => v === 'ended', 30_000);
  for (const page of pages) assert.deepEqual((await roomEvents(page)).filter((e) => e.type === 'tiepdan-error').map((e) => e.detail), [], 'no errors');
  await desk.close();
  mark('ended');
});
