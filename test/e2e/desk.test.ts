/**
 * The reception desk across its parts (issue 10), in Debian's Chromium against the real demo (server + ward site,
 * SQLite in a temporary folder, a real SMTP server): a registered, screened and invited citizen waits in the
 * lobby of a published session; the clerk admits them in the room, and the room shows the desk for the case that
 * admission opened. The clerk checks identity and writes the content; the citizen confirms it in their own view
 * (`<tiepdan-confirmation>` inside the room); the clerk lists the documents received (Form 02) and records the
 * outcome, each told to the citizen by e-mail too (the receipt attached); the papers are downloaded (PDF text read back with pdftotext, the .docx in Times New Roman); and the
 * case is the register's line in `<tiepdan-register>` on the ward site's register page.
 *
 * The chair holds the room open over the signalling socket (no page): the desk is the clerk's and the citizen's.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import mammoth from 'mammoth';
import { chromium, type Browser, type Download, type Page } from 'playwright-core';
// @ts-expect-error: plain ESM helpers without types.
import { startDemo } from '../../examples/demo.mjs';
// @ts-expect-error: plain ESM helpers without types.
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import { mintToken } from '../../packages/signaling/dist/index.js';
import { startSmtpServer, type TestSmtpServer } from '../notices/smtp-server.js';
import { acknowledgeAndJoin, officialInRoom, openRoom, point, until, view } from './room-pages.js';

const run = promisify(execFile);
const SECRET = 'e2e-desk-auth-secret-0123456789-abcdefghij';
const UNIT = 'dongthap.sadec';
const EMAIL = 'le.thi.hoa@example.vn';
const CITIZEN = 'Lê Thị Hoa';
const SUMMARY = 'Kiến nghị lắp đèn hẻm 12, khóm 4.';
const CONTENT = 'Bà Hoa kiến nghị lắp đèn chiếu sáng hẻm 12, khóm 4, phường Sa Đéc; hẻm tối, người già đi lại khó khăn.';

let demo: { apiUrl: string; siteUrl: string; close(): Promise<void> };
let browser: Browser;
let dataDir: string;
let smtp: TestSmtpServer;
let chair: Awaited<ReturnType<typeof officialInRoom>> | undefined;

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
      recording: { mandatoryByDefault: false },
    },
  });
  browser = await chromium.launch({ executablePath: chromiumPath() as string, args: chromiumArgs() as string[] });
});

after(async () => {
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

/** A citizen's registration (by API: the form has its own e2e), screened, and invited to a published session of the ward. */
async function invitedCitizen(clerk: string): Promise<{ sessionId: string; reference: string; joinToken: string }> {
  const start = new Date(Math.ceil((Date.now() + 10 * 60_000) / 60_000) * 60_000);
  const { session } = await api<{ session: { id: string } }>(clerk, 'POST', '/sessions', {
    kind: 'periodic', host: { role: 'chair', name: 'Chủ tịch UBND phường Sa Đéc' }, level: 'commune', unit: UNIT,
    venue: 'Trụ sở UBND phường Sa Đéc', connectionPoints: ['sadec-ubnd'], capacity: 5, remoteAllowed: false,
    startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 3 * 3_600_000).toISOString(),
  }, 201);
  await api(clerk, 'POST', `/sessions/${session.id}/publish`, {});
  const meta = (await (await fetch(`${demo.apiUrl}/api/v1/meta?unit=${UNIT}`)).json()) as { privacyNotice: { version: string } };
  const submitted = await fetch(`${demo.apiUrl}/api/v1/registrations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({
      unit: UNIT, kind: 'kien_nghi',
      identity: { fullName: CITIZEN, idType: 'cccd', idNumber: '087158004321', dateOfBirth: '1958-04-09', sex: 'female' },
      address: { provinceCode: '82', communeCode: '29869', detail: 'Số 8, hẻm 12, khóm 4' },
      contact: { phone: '0912 345 679', email: EMAIL }, content: { summary: SUMMARY }, attendance: { mode: 'connection_point' },
      privacy: { version: meta.privacyNotice.version, acknowledged: true, acknowledgedAt: new Date().toISOString() },
    }),
  });
  const answer = (await submitted.json()) as { reference: string };
  assert.ok(answer.reference, `the registration is accepted: ${JSON.stringify(answer)}`);
  const { reference } = answer;
  await api(clerk, 'POST', `/registrations/${reference}/transitions`, { to: 'screened', reason: 'Đúng thẩm quyền' });
  const invitation = await api<{ joinToken: string }>(clerk, 'POST', `/sessions/${session.id}/invitations`, { reference, slotAt: start.toISOString(), attendance: { mode: 'connection_point', connectionPoint: 'sadec-ubnd' } }, 201);
  return { sessionId: session.id, reference, joinToken: invitation.joinToken };
}

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

test('the desk across its parts: admitted in the room, identity, content confirmed by the citizen, receipt, outcome, papers, the register line', { timeout: 240_000 }, async (t) => {
  const started = Date.now();
  const mark = (what: string) => t.diagnostic(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const clerkToken = await as('clerk', 'Trần Thị Bình');
  const { sessionId, reference, joinToken } = await invitedCitizen(clerkToken);
  chair = await officialInRoom(demo.apiUrl, sessionId, await as('chair', 'Lê Văn Cường'));
  assert.equal((await chair.request('room.open')).type, 'result');

  const clerk = await openRoom(browser, demo.siteUrl, sessionId, clerkToken, 'clerk', point('sadec-ubnd', 'UBND phường Sa Đéc'), { width: 1200, height: 900 });
  await acknowledgeAndJoin(clerk);
  await until('clerk in the room', () => view(clerk), (v) => v === 'room', 30_000);
  const citizen = await openRoom(browser, demo.siteUrl, sessionId, joinToken, 'citizen', '', { width: 360, height: 740 });
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

  // 2. Content, written by the clerk; the citizen reads it in their room view and confirms it.
  await desk.getByLabel('Nội dung', { exact: true }).fill(CONTENT);
  await desk.getByRole('button', { name: 'Lưu nội dung' }).click();
  await desk.getByText('Chờ công dân xác nhận trên màn hình.').waitFor();
  const view2 = citizen.locator('tiepdan-room tiepdan-confirmation');
  await view2.getByRole('button', { name: 'Tải lại' }).click();
  await view2.getByText(CONTENT).waitFor({ timeout: 30_000 });
  await view2.getByRole('button', { name: 'Tôi xác nhận nội dung trên là đúng' }).click();
  await view2.getByText('Ông/bà đã xác nhận nội dung này.').waitFor();
  await desk.getByRole('button', { name: 'Tải lại' }).click();
  await desk.getByText('Công dân đã xác nhận bản số 1 trên màn hình.').waitFor({ timeout: 30_000 });
  mark('content confirmed by the citizen');

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

  // 4. Outcome: accepted for settlement, answer later, by a date; 5. filed in the register.
  await desk.getByLabel('Thụ lý').check();
  await desk.getByLabel('Ngày hẹn trả lời').fill('2026-12-31');
  await desk.getByRole('button', { name: 'Ghi nhận kết quả' }).click();
  await desk.getByText(/Kết quả: Thụ lý/u).waitFor();
  await until('the outcome e-mail', async () => smtp.messages.find((m) => m.subject?.startsWith('Kết quả tiếp công dân: Thụ lý giải quyết')), Boolean, 30_000);
  await desk.getByRole('button', { name: 'Kết thúc vụ việc, vào sổ' }).click();
  await desk.getByText('Vụ việc đã vào sổ.').waitFor();
  mark('receipt, outcome, filed');

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

  // The register: the case is one line, with the right columns, on the ward site's register page.
  const book = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
  await book.goto(`${demo.siteUrl}/register.html#token=${clerkToken}`);
  const line = book.locator(`tiepdan-register li.line[data-case="${caseId}"]`);
  await line.waitFor({ timeout: 30_000 });
  const lineText = (await line.evaluate((el) => (el as HTMLElement).innerText)).replace(/\s+/gu, ' ');
  for (const expected of [CITIZEN, 'Số 8, hẻm 12, khóm 4', '087158004321', 'Kiến nghị; 1 người', SUMMARY, 'Thụ lý']) assert.ok(lineText.includes(expected), `the register line says "${expected}": ${lineText}`);
  const entries = await api<{ entries: { caseId: string; number: number }[] }>(clerkToken, 'GET', '/register');
  assert.deepEqual(entries.entries.map((e) => e.caseId), [caseId], 'one case, one line');
  mark('register line');
});
