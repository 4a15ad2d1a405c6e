/**
 * The reception desk across its parts (issue 10 §4), in Debian's Chromium against the real demo (server + ward
 * site, SQLite in a temporary folder, a real SMTP server, the connection point's headless recorder): two
 * registered, screened and invited citizens wait in the lobby of a published, recorded session. The clerk admits
 * the first in the room, and the room shows the desk for the case that admission opened: identity, the content
 * (the citizen's own view shows it and the citizen confirms it there; each side sees the other's step through
 * the room's `case.updated` event, nobody presses "Tải lại"), the Form 02 receipt (downloaded by the citizen in
 * their view, and by e-mail), the outcome "thụ lý" (shown in the citizen's view), filing; the papers read back
 * (pdftotext, mammoth, Times New Roman). The second citizen is admitted next and refused by the chair's written
 * notice (Art. 9 cl.3) from the register page's desk: their 320 px view shows the ground, the reason and the
 * notice, which they download. The register shows both lines; its .xlsx read back with exceljs has the 12 columns
 * and the lines' values; the finalized recording's manifest holds both cases' marks with the hashes of the
 * confirmed content, the receipt and the notice.
 *
 * The chair holds the room over the signalling socket (no camera page); the chair's desk act is on the register page.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import mammoth from 'mammoth';
import { chromium, type Browser, type Download, type Page } from 'playwright-core';
// @ts-expect-error: plain ESM helpers without types.
import { startDemo } from '../../examples/demo.mjs';
// @ts-expect-error: plain ESM helpers without types.
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import { REGISTER_COLUMN_LABELS, REGISTER_COLUMNS } from '@tiepdan/core';
import { mintToken } from '../../packages/server/dist/index.js';
import { deviceCredentialFile, runHeadlessRecorder, type RunningRecorder } from './headless-recorder.js';
import { startSmtpServer, type TestSmtpServer } from '../notices/smtp-server.js';
import { acknowledgeAndJoin, officialInRoom, openRoom, point, until, view } from './room-pages.js';

const run = promisify(execFile);
const SECRET = 'e2e-desk-auth-secret-0123456789-abcdefghij';
const UNIT = 'dongthap.sadec';
const EMAIL = 'le.thi.hoa@example.vn';
const CITIZEN = 'Lê Thị Hoa';
const SECOND = 'Võ Văn Tám';
const SUMMARY = 'Kiến nghị lắp đèn hẻm 12, khóm 4.';
const REFUSAL_REASON = 'Vụ việc đã được giải quyết đúng pháp luật, đã được tiếp và hướng dẫn nhiều lần.';
const CONTENT = 'Bà Hoa kiến nghị lắp đèn chiếu sáng hẻm 12, khóm 4, phường Sa Đéc; hẻm tối, người già đi lại khó khăn.';

let demo: { apiUrl: string; siteUrl: string; demoAccounts: { username: string; role: string; password: string }[]; close(): Promise<void> };
let browser: Browser;
let dataDir: string;
let smtp: TestSmtpServer;
let chair: Awaited<ReturnType<typeof officialInRoom>> | undefined;
let recorder: RunningRecorder | undefined;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-e2e-desk-'));
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
      // Recorded, as by default, by the connection point's headless recorder. A 10 s lease: three Chromium
      // processes on a loaded 2-core machine let a 3 s one lapse. Finalized as soon as the last chunk arrives.
      recording: { leaseMs: 10_000, drainMs: 30_000 },
    },
  });
  browser = await chromium.launch({ executablePath: chromiumPath() as string, args: chromiumArgs() as string[] });
});

after(async () => {
  if (recorder && recorder.child.exitCode === null) recorder.child.kill('SIGKILL');
  chair?.close();
  await browser?.close();
  await demo?.close();
  await smtp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const as = (role: 'chair' | 'clerk', name: string) => mintToken(SECRET, { sub: `e2e-${role}`, role, unit: UNIT, name });

async function api<T>(token: string, method: string, path: string, body?: unknown, expected = 200): Promise<T> {
  const res = await fetch(`${demo.apiUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  assert.equal(res.status, expected, `${method} ${path}: ${text}`);
  return JSON.parse(text) as T;
}

/** A published session of the ward, starting in ten minutes. */
async function publishedSession(clerk: string): Promise<{ sessionId: string; start: Date }> {
  const start = new Date(Math.ceil((Date.now() + 10 * 60_000) / 60_000) * 60_000);
  const { session } = await api<{ session: { id: string } }>(clerk, 'POST', '/sessions', {
    kind: 'periodic', host: { role: 'chair', name: 'Chủ tịch UBND phường Sa Đéc' }, level: 'commune', unit: UNIT,
    venue: 'Trụ sở UBND phường Sa Đéc', connectionPoints: ['sadec-ubnd'], capacity: 5, remoteAllowed: false,
    startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 3 * 3_600_000).toISOString(),
  }, 201);
  await api(clerk, 'POST', `/sessions/${session.id}/publish`, {});
  return { sessionId: session.id, start };
}

/** A citizen's registration (by API: the form has its own e2e), screened, and invited to the session. */
async function invitedCitizen(clerk: string, session: { sessionId: string; start: Date }, who: Record<string, unknown>): Promise<{ reference: string; joinToken: string }> {
  const meta = (await (await fetch(`${demo.apiUrl}/api/v1/meta?unit=${UNIT}`)).json()) as { privacyNotice: { version: string } };
  const submitted = await fetch(`${demo.apiUrl}/api/v1/registrations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({
      unit: UNIT, attendance: { mode: 'connection_point' }, ...who,
      privacy: { version: meta.privacyNotice.version, acknowledged: true, acknowledgedAt: new Date().toISOString() },
    }),
  });
  const answer = (await submitted.json()) as { reference: string };
  assert.ok(answer.reference, `the registration is accepted: ${JSON.stringify(answer)}`);
  const { reference } = answer;
  await api(clerk, 'POST', `/registrations/${reference}/transitions`, { to: 'screened', reason: 'Đúng thẩm quyền' });
  const invitation = await api<{ joinToken: string }>(clerk, 'POST', `/sessions/${session.sessionId}/invitations`, { reference, slotAt: session.start.toISOString(), attendance: { mode: 'connection_point', connectionPoint: 'sadec-ubnd' } }, 201);
  return { reference, joinToken: invitation.joinToken };
}

const HOA = {
  kind: 'kien_nghi',
  identity: { fullName: CITIZEN, idType: 'cccd', idNumber: '087158004321', dateOfBirth: '1958-04-09', sex: 'female' },
  address: { provinceCode: '82', communeCode: '29869', detail: 'Số 8, hẻm 12, khóm 4' },
  contact: { phone: '0912 345 679', email: EMAIL }, content: { summary: SUMMARY },
};
const TAM = {
  kind: 'khieu_nai',
  identity: { fullName: SECOND, idType: 'cccd', idNumber: '087060001122', dateOfBirth: '1960-05-02', sex: 'male' },
  address: { provinceCode: '82', communeCode: '29869', detail: 'Số 3, đường Trần Hưng Đạo, khóm 1' },
  contact: { phone: '0903 111 222', email: 'vo.van.tam@example.vn' }, content: { summary: 'Khiếu nại lần ba quyết định bồi thường đất năm 2023.' },
};

/** Clicks a download button and returns the file's bytes. */
async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), click()]) as [Download, void];
  return { name: file.suggestedFilename(), bytes: readFileSync((await file.path())!) };
}

async function pdfText(bytes: Buffer, name: string): Promise<string> {
  const file = join(dataDir, name);
  await import('node:fs/promises').then((fs) => fs.writeFile(file, bytes));
  return (await run('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout;
}

test('the desk across its parts: recorded, admitted, identity, content confirmed by the citizen, receipt, outcome, papers; a second citizen refused by the chair\'s written notice; the register, its .xlsx and the recording\'s manifest', { timeout: 420_000 }, async (t) => {
  const started = Date.now();
  const mark = (what: string) => t.diagnostic(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const clerkToken = await as('clerk', 'Trần Thị Bình');
  const chairToken = await as('chair', 'Lê Văn Cường');
  const session = await publishedSession(clerkToken);
  const { sessionId } = session;
  const first = await invitedCitizen(clerkToken, session, HOA);
  const second = await invitedCitizen(clerkToken, session, TAM);

  // The connection point's headless recorder waits for the session; the chair opens the room and it is elected:
  // the reception is on the record from the start (SPEC §6), and the desk's marks go into this recording.
  recorder = runHeadlessRecorder({ apiUrl: demo.apiUrl, session: sessionId, tokenFile: await deviceCredentialFile(demo, dataDir), recorderId: 'sadec-ubnd-headless', profileDir: join(dataDir, 'recorder-profile') });
  await recorder.until('the recorder waiting for the chair', (r) => r.phase === 'waiting', 90_000);
  chair = await officialInRoom(demo.apiUrl, sessionId, chairToken);
  const opened = await chair.request('room.open');
  assert.equal(opened.type, 'result', JSON.stringify(opened.error));
  await recorder.until('the recorder elected', (r) => r.role === 'active', 60_000);
  const recordingId = (await api<{ recording: { id: string } }>(chairToken, 'GET', `/recordings/by-session/${sessionId}`)).recording.id;
  mark('recording');

  const clerk = await openRoom(browser, demo.siteUrl, sessionId, clerkToken, 'clerk', point('sadec-ubnd', 'UBND phường Sa Đéc'), { width: 1200, height: 900 });
  await acknowledgeAndJoin(clerk);
  await until('clerk in the room', () => view(clerk), (v) => v === 'room', 30_000);
  const citizen = await openRoom(browser, demo.siteUrl, sessionId, first.joinToken, 'citizen', '', { width: 360, height: 740 });
  await acknowledgeAndJoin(citizen);
  await until('citizen in the lobby', () => view(citizen), (v) => v === 'lobby', 30_000);
  mark('citizen in the lobby');

  // Admission opens the case of the registration: the room shows the desk for it.
  await clerk.locator('tiepdan-room ol.queue li').filter({ hasText: CITIZEN }).getByRole('button', { name: /Mời vào/u }).click();
  await until('citizen admitted', () => view(citizen), (v) => v === 'room', 30_000);
  const desk = clerk.locator('tiepdan-room tiepdan-desk');
  await desk.getByRole('heading', { name: new RegExp(`Vụ việc số \\d+/\\d{4} · ${CITIZEN}`, 'u') }).waitFor({ timeout: 30_000 });
  const caseId = await desk.evaluate((el) => (el as unknown as { caseId: string }).caseId);
  assert.match(caseId, /^[0-9a-f-]{36}$/u);
  const deskText = async () => (await desk.evaluate((el) => el.shadowRoot!.textContent!)).replace(/\s+/gu, ' ');
  assert.match(await deskText(), /087158004321/u, 'the registration’s ID paper is shown to check');
  mark('admitted, desk shown');

  // 1. Identity: matches the paper shown on camera.
  await desk.getByLabel('Khớp với giấy tờ').check();
  await desk.getByRole('button', { name: 'Ghi nhận kiểm tra nhân thân' }).click();
  await desk.getByText('Đã kiểm tra: Khớp với giấy tờ.').waitFor();

  // 2. Content, written by the clerk; the citizen's view shows it by itself (the room's case.updated event, no
  // "Tải lại"), the citizen confirms, and the clerk's desk shows the confirmation by itself too.
  await desk.getByLabel('Nội dung', { exact: true }).fill(CONTENT);
  await desk.getByRole('button', { name: 'Lưu nội dung' }).click();
  await desk.getByText('Chờ công dân xác nhận trên màn hình.').waitFor();
  const own = citizen.locator('tiepdan-room tiepdan-confirmation');
  await own.getByText(CONTENT).waitFor({ timeout: 30_000 });
  await own.getByRole('button', { name: 'Tôi xác nhận nội dung trên là đúng' }).click();
  await own.getByText('Ông/bà đã xác nhận nội dung này.').waitFor();
  await desk.getByText('Công dân đã xác nhận bản số 1 trên màn hình.').waitFor({ timeout: 30_000 });
  mark('content confirmed by the citizen, both views refreshed by the room');

  // 3. Documents received: Form 02.
  await desk.getByLabel('Tên tài liệu 1').fill('Đơn kiến nghị');
  await desk.getByLabel('Số trang, số tờ').fill('2');
  await desk.getByRole('button', { name: 'Thêm tài liệu' }).click();
  await desk.getByLabel('Tên tài liệu 2').fill('Ảnh chụp hẻm 12 ban đêm');
  await desk.getByRole('button', { name: 'Lập giấy biên nhận' }).click();
  const receiptCode = (await until('the receipt', () => deskText(), (s) => /Giấy biên nhận số \d+\/GBN-TCD, 2 tài liệu/u.test(s))).match(/Giấy biên nhận số (\d+\/GBN-TCD)/u)![1]!;
  // ... and through their channel: the e-mail with the receipt attached.
  const receiptMail = await until('the receipt e-mail', async () => smtp.messages.find((m) => m.subject?.startsWith(`Giấy biên nhận số ${receiptCode}`)), Boolean, 30_000);
  assert.equal((receiptMail!.to as { text: string }).text, EMAIL);
  assert.deepEqual(receiptMail!.attachments.map((a) => a.contentType), ['application/pdf']);
  // ... and in their own view, where the citizen downloads it.
  await own.getByRole('heading', { name: `Giấy biên nhận số ${receiptCode}` }).waitFor({ timeout: 30_000 });
  const citizenReceipt = await downloaded(citizen, () => own.getByRole('button', { name: 'Tải giấy biên nhận (PDF)' }).click());
  const citizenReceiptText = (await pdfText(citizenReceipt.bytes, 'citizen-receipt.pdf')).normalize('NFC').replace(/\s+/gu, ' ');
  for (const expected of ['GIẤY BIÊN NHẬN', receiptCode, CITIZEN, 'Ảnh chụp hẻm 12 ban đêm']) assert.ok(citizenReceiptText.includes(expected), `the citizen's receipt says "${expected}":\n${citizenReceiptText}`);

  // 4. Outcome: accepted for settlement, answer later, by a date; 5. filed in the register.
  await desk.getByLabel('Thụ lý').check();
  await desk.getByLabel('Ngày hẹn trả lời').fill('2026-12-31');
  await desk.getByRole('button', { name: 'Ghi nhận kết quả' }).click();
  await desk.getByText(/Kết quả: Thụ lý/u).waitFor();
  await until('the outcome e-mail', async () => smtp.messages.find((m) => m.subject?.startsWith('Kết quả tiếp công dân: Thụ lý giải quyết')), Boolean, 30_000);
  // The citizen reads the result in the room, not only in the e-mail.
  await own.getByText('Kết quả: Thụ lý giải quyết.').waitFor({ timeout: 30_000 });
  await own.getByText('Hẹn trả lời: ngày 31/12/2026.').waitFor();
  await desk.getByRole('button', { name: 'Kết thúc vụ việc, vào sổ' }).click();
  await desk.getByText('Vụ việc đã vào sổ.').waitFor();
  await own.getByText(/Vụ việc đã vào sổ tiếp công dân lúc/u).waitFor({ timeout: 30_000 });
  mark('receipt, outcome, filed; the citizen saw each');

  // The papers: the receipt as PDF (text selectable, Vietnamese intact) and as .docx (Times New Roman); the record.
  const receiptPdf = await downloaded(clerk, () => desk.getByRole('button', { name: 'Tải Giấy biên nhận (PDF)' }).click());
  assert.equal(receiptPdf.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  const receiptText = (await pdfText(receiptPdf.bytes, 'receipt.pdf')).normalize('NFC');
  for (const expected of ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', receiptCode, CITIZEN, 'Đơn kiến nghị', 'Ảnh chụp hẻm 12 ban đêm']) {
    assert.ok(receiptText.replace(/\s+/gu, ' ').includes(expected), `the receipt PDF says "${expected}":\n${receiptText}`);
  }
  const receiptDocx = await downloaded(clerk, () => desk.getByRole('button', { name: 'Tải Giấy biên nhận (DOCX)' }).click());
  assert.match(receiptDocx.name, /\.docx$/u);
  const docxText = (await mammoth.extractRawText({ buffer: receiptDocx.bytes })).value;
  assert.ok(docxText.includes(receiptCode) && docxText.includes('Đơn kiến nghị'), docxText);
  const xml = await (await JSZip.loadAsync(receiptDocx.bytes)).file('word/document.xml')!.async('string');
  assert.match(xml, /w:ascii="Times New Roman"/u, 'the .docx is set in Times New Roman');
  const recordPdf = await downloaded(clerk, () => desk.getByRole('button', { name: 'Tải Phiếu ghi nội dung (PDF)' }).click());
  const recordText = (await pdfText(recordPdf.bytes, 'record.pdf')).normalize('NFC').replace(/\s+/gu, ' ');
  assert.ok(recordText.includes('lắp đèn chiếu sáng hẻm 12, khóm 4'), `the case record holds the confirmed content:\n${recordText}`);
  mark('papers downloaded and read back');

  // The second citizen: the first goes back to the lobby (their case is filed), the second is admitted, and the
  // desk opens their case. The chair, from the register page's desk (no camera needed), issues the written
  // refusal notice (Art. 9 cl.3): the citizen's view shows the ground, the reason and the notice by itself.
  const back = clerk.locator('tiepdan-room').getByRole('button', { name: /^Đưa về phòng chờ/u });
  await until('one citizen to send back', () => back.count(), (n) => n === 1, 30_000);
  await back.click();
  await until('the first citizen back in the lobby', () => view(citizen), (v) => v === 'lobby', 30_000);
  const tam = await openRoom(browser, demo.siteUrl, sessionId, second.joinToken, 'second citizen', '', { width: 320, height: 700 });
  await acknowledgeAndJoin(tam);
  await until('the second citizen in the lobby', () => view(tam), (v) => v === 'lobby', 30_000);
  await clerk.locator('tiepdan-room ol.queue li').filter({ hasText: SECOND }).getByRole('button', { name: /Mời vào/u }).click();
  await until('the second citizen admitted', () => view(tam), (v) => v === 'room', 30_000);
  await until('the desk on the second case', () => deskText(), (s) => new RegExp(`Vụ việc số \\d+/\\d{4} · ${SECOND}`, 'u').test(s), 30_000);
  const secondId = await desk.evaluate((el) => (el as unknown as { caseId: string }).caseId);
  assert.notEqual(secondId, caseId);

  const chairBook = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
  await chairBook.goto(`${demo.siteUrl}/register.html#token=${chairToken}`);
  const chairLine = chairBook.locator(`tiepdan-register li.line[data-case="${secondId}"]`);
  await chairLine.waitFor({ timeout: 30_000 });
  await chairLine.getByRole('button', { name: /Mở vụ việc số/u }).click();
  const chairDesk = chairBook.locator('tiepdan-register tiepdan-desk');
  await chairDesk.getByRole('heading', { name: new RegExp(`Vụ việc số \\d+/\\d{4} · ${SECOND}`, 'u') }).waitFor({ timeout: 30_000 });
  await chairDesk.getByLabel('Từ chối tiếp (Điều 9 Luật Tiếp công dân)').check();
  await chairDesk.getByLabel('Căn cứ từ chối').selectOption('art9_cl3');
  await chairDesk.getByLabel('Lý do (hiển thị cho công dân)').fill(REFUSAL_REASON);
  await chairDesk.getByLabel('Cơ quan đã giải quyết').fill('UBND tỉnh Đồng Tháp');
  await chairDesk.getByLabel('Tên văn bản giải quyết').fill('Quyết định giải quyết khiếu nại lần hai');
  await chairDesk.getByLabel('Số văn bản').fill('123/QĐ-UBND');
  await chairDesk.getByLabel('Ngày văn bản').fill('2025-06-10');
  await chairDesk.getByRole('button', { name: 'Ban hành thông báo từ chối tiếp' }).click();
  const noticeCode = (await until('the notice', async () => (await chairDesk.evaluate((el) => el.shadowRoot!.textContent!)).replace(/\s+/gu, ' '), (s) => /Thông báo từ chối tiếp số \d+\/TB-UBND/u.test(s))).match(/Thông báo từ chối tiếp số (\d+\/TB-UBND)/u)![1]!;
  // The clerk's desk in the room and the citizen's own view read it by themselves.
  await desk.getByText(`Đã từ chối tiếp: ${REFUSAL_REASON}`).waitFor({ timeout: 30_000 });
  const tamView = tam.locator('tiepdan-room tiepdan-confirmation');
  await tamView.getByText('Từ chối tiếp công dân.').waitFor({ timeout: 30_000 });
  await tamView.getByText(`Lý do: ${REFUSAL_REASON}`).waitFor();
  await tamView.getByText(`Thông báo từ chối tiếp số ${noticeCode}.`).waitFor();
  assert.ok((await tamView.evaluate((el) => el.scrollWidth)) <= 320, 'the refused citizen\'s view fits 320 px');
  const notice = await downloaded(tam, () => tamView.getByRole('button', { name: 'Tải thông báo từ chối tiếp (PDF)' }).click());
  const noticeText = (await pdfText(notice.bytes, 'notice.pdf')).normalize('NFC').replace(/\s+/gu, ' ');
  for (const expected of ['THÔNG BÁO', SECOND, noticeCode, 'UBND tỉnh Đồng Tháp']) assert.ok(noticeText.includes(expected), `the notice says "${expected}":\n${noticeText}`);
  await until('the refusal e-mail', async () => smtp.messages.find((m) => (m.to as { text: string } | undefined)?.text === 'vo.van.tam@example.vn' && m.attachments.some((a) => a.contentType === 'application/pdf')), Boolean, 30_000);
  mark('second citizen refused by the chair\'s notice, seen in their view');

  // The register: both cases, one line each, on the ward site's register page; its .xlsx read back with exceljs.
  const book = await (await browser.newContext({ viewport: { width: 1200, height: 900 }, acceptDownloads: true })).newPage();
  await book.goto(`${demo.siteUrl}/register.html#token=${clerkToken}`);
  const line = book.locator(`tiepdan-register li.line[data-case="${caseId}"]`);
  await line.waitFor({ timeout: 30_000 });
  const lineText = (await line.evaluate((el) => (el as HTMLElement).innerText)).replace(/\s+/gu, ' ');
  for (const expected of [CITIZEN, 'Số 8, hẻm 12, khóm 4', '087158004321', 'Kiến nghị; 1 người', SUMMARY, 'Thụ lý']) assert.ok(lineText.includes(expected), `the register line says "${expected}": ${lineText}`);
  const refusedLine = (await book.locator(`tiepdan-register li.line[data-case="${secondId}"]`).evaluate((el) => (el as HTMLElement).innerText)).replace(/\s+/gu, ' ');
  for (const expected of [SECOND, '087060001122', 'Khiếu nại; 1 người', 'Từ chối tiếp (khoản 3 Điều 9)']) assert.ok(refusedLine.includes(expected), `the refused line says "${expected}": ${refusedLine}`);
  const entries = await api<{ entries: Record<string, string>[] }>(clerkToken, 'GET', '/register');
  assert.deepEqual(entries.entries.map((e) => e.caseId), [caseId, secondId], 'two cases, two lines, in register order');
  const xlsx = await downloaded(book, () => book.locator('tiepdan-register').getByRole('button', { name: 'Tải sổ (XLSX)' }).click());
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx.bytes as never);
  const sheet = workbook.getWorksheet('Sổ tiếp công dân')!;
  assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1), REGISTER_COLUMNS.map((c) => REGISTER_COLUMN_LABELS[c].vi), 'the 12 columns of Form 03');
  assert.equal(sheet.rowCount, 3, 'a header and two lines');
  for (const [i, entry] of entries.entries.entries()) {
    const row = (sheet.getRow(i + 2).values as unknown[]).slice(1);
    assert.equal(row.length, 12);
    assert.deepEqual(row, REGISTER_COLUMNS.map((c) => entry[c]), `line ${i + 1}`);
  }
  assert.equal((sheet.getRow(2).values as unknown[])[8], 'x', 'column 8: accepted for settlement');
  mark('register: two lines, .xlsx read back');

  // The chair ends the session: the recorder exits, the recording is finalized, and its manifest holds both
  // cases' marks with the hashes of the confirmed content, the receipt and the refusal notice.
  assert.equal((await chair.request('room.end')).type, 'result');
  assert.equal(await recorder.exited, 0, 'the recorder exits 0 once the session is over');
  const rec = await until('the recording finalized', async () => (await api<{ recording: any }>(chairToken, 'GET', `/recordings/${recordingId}`)).recording, (r) => r.state === 'finalized' || Boolean(r.lastError), 90_000, 500);
  assert.equal(rec.lastError, null);
  const manifest = JSON.parse(readFileSync(join(dataDir, 'recordings', recordingId, 'manifest.json'), 'utf8'));
  const marksOf = (id: string) => manifest.marks.filter((m: any) => m.caseId === id);
  assert.deepEqual(marksOf(caseId).map((m: any) => m.kind), ['opened', 'confirmed', 'receipt', 'outcome', 'closed']);
  assert.deepEqual(marksOf(secondId).map((m: any) => m.kind), ['opened', 'outcome', 'closed']);
  const filed = (await api<{ case: any }>(chairToken, 'GET', `/desk/cases/${caseId}`)).case;
  const refused = (await api<{ case: any }>(chairToken, 'GET', `/desk/cases/${secondId}`)).case;
  const byKind = (id: string) => Object.fromEntries(marksOf(id).map((m: any) => [m.kind, m]));
  assert.equal(byKind(caseId).confirmed.sha256, createHash('sha256').update(CONTENT, 'utf8').digest('hex'), 'the confirmed text\'s SHA-256');
  assert.equal(byKind(caseId).receipt.sha256, filed.receipt.sha256, 'the Form 02 receipt\'s hash');
  assert.equal(byKind(secondId).outcome.sha256, refused.refusal.notice.sha256, 'the refusal notice\'s hash');
  for (const m of [...marksOf(caseId), ...marksOf(secondId)]) assert.equal(typeof m.offsetMs, 'number', 'each mark has its place in the recording');
  mark('recording finalized; its manifest holds the marks and the hashes');
});
