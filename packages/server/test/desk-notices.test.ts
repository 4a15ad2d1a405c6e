/**
 * The desk tells the citizen through their channel (issue 10 §1 step 3 and 4, issue 9's outbox): when the Form
 * 02 receipt is issued and when the outcome is decided or the reception refused. A real SMTP server
 * (smtp-server, read back with mailparser) receives the e-mail with the receipt or the written refusal notice
 * attached as PDF (its text read with pdftotext); the SMS goes to a local stand-in for an SMS provider (none
 * can run here) with the lookup page's link; officials see each delivery's state in the session's notices.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { noticeChannels, smsGateway, type TestSmsGateway } from '../../../test/notices/sms-gateway.js';
import { startSmtpServer, type TestSmtpServer } from '../../../test/notices/smtp-server.js';
import { BODIES, as, caseAt, submitted } from './desk-helpers.js';
import { removeDir, startServer, validRegistration, type TestServer } from './helpers.js';
import { official, openSession } from './schedule-helpers.js';

const run = promisify(execFile);
const LOOKUP = 'https://sadec.dongthap.gov.vn/tiep-cong-dan/tra-cuu.html';
const EMAIL = 'nguyen.thi.hoa@example.vn';

async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('desk notices: the receipt and the outcome reach the citizen by e-mail (real SMTP) and SMS (stand-in)', () => {
  let t: TestServer;
  let smtp: TestSmtpServer;
  let sms: TestSmsGateway;
  let sessionId: string;
  before(async () => {
    smtp = await startSmtpServer();
    sms = await smsGateway();
    t = await startServer({ notices: { channels: noticeChannels(smtp.port, sms.url), lookupPage: LOOKUP, firstRetryMs: 50 } });
    sessionId = await openSession(t, { startsAt: '2030-07-01T08:00:00+07:00', endsAt: '2030-07-01T11:00:00+07:00' });
  });
  after(async () => {
    await t.close();
    await smtp.close();
    await sms.close();
    removeDir(t.dataDir);
  });

  const citizen = () => submitted(t, validRegistration({ contact: { phone: '0912 345 678', email: EMAIL } }));
  const mailsTo = (subject: RegExp) => smtp.messages.filter((m) => subject.test(m.subject ?? ''));
  const pdfText = async (content: Buffer, name: string) => {
    const file = join(t.dataDir, name);
    writeFileSync(file, content);
    return (await run('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout.normalize('NFC');
  };

  test('receipt: the e-mail lists the items and carries the Form 02 PDF; the SMS the code and the lookup link; outcome "thụ lý" with the answer date; both recorded as sent', async () => {
    const reference = await citizen();
    const c = await caseAt(t, 'receipt', reference, sessionId);
    assert.equal(smtp.messages.length + sms.requests.length, 0, 'nothing is sent before the receipt');
    const res = await as(t, 'clerk', `/desk/cases/${c.id}/receipt`, BODIES.receipt);
    assert.equal(res.status, 200, await res.clone().text());
    const code = ((await res.json()) as { case: { receipt: { code: string } } }).case.receipt.code;

    const mail = await until(() => mailsTo(/^Giấy biên nhận/u)[0], 'the receipt e-mail');
    assert.equal((mail.to as { text: string }).text, EMAIL);
    assert.equal(mail.subject, `Giấy biên nhận số ${code} – UBND phường Sa Đéc`);
    assert.match(mail.text!, /UBND phường Sa Đéc đã nhận của ông\/bà các thông tin, tài liệu, bằng chứng sau/u);
    assert.match(mail.text!, /1\. Đơn kiến nghị \(2 trang\/tờ, bản gốc\)\n2\. Ảnh chụp đoạn đường ngập \(3 trang\/tờ, bản sao\)/u);
    assert.ok(mail.text!.includes(`Tra cứu hồ sơ ${reference} tại: ${LOOKUP}`), mail.text);
    assert.match(mail.text!, /-- English --[\s\S]*Receipt no\./u);
    assert.equal(mail.attachments.length, 1);
    const pdf = mail.attachments[0]!;
    assert.equal(pdf.contentType, 'application/pdf');
    assert.match(pdf.filename!, /^giay-bien-nhan-\d{4}-\d+\.pdf$/u);
    const text = (await pdfText(pdf.content, 'receipt.pdf')).replace(/\s+/gu, ' ');
    for (const expected of ['GIẤY BIÊN NHẬN', `Số: ${code}`, 'Nguyễn Thị Hoa', 'Đơn kiến nghị', 'Ảnh chụp đoạn đường ngập']) assert.ok(text.includes(expected), `the attached receipt says "${expected}": ${text}`);

    const message = await until(() => sms.requests.find((r) => r.body.Content?.includes(code)), 'the receipt SMS');
    assert.equal(message.body.Phone, '84912345678');
    assert.equal(message.body.Content, `UBND phuong Sa Dec da nhan 2 tai lieu cua ong/ba, giay bien nhan so ${code}. Tra cuu ho so ${reference} tai: ${LOOKUP}`);
    assert.match(message.body.RequestId!, new RegExp(`^${sessionId}\\.${reference}\\.receipt\\.\\d+$`, 'u'), 'its own id, apart from the session change notices');

    // The outcome: accepted for settlement, answer by a date.
    assert.equal((await as(t, 'clerk', `/desk/cases/${c.id}/handling`, BODIES.handling)).status, 200);
    const outcome = await until(() => mailsTo(/^Kết quả tiếp công dân/u)[0], 'the outcome e-mail');
    assert.equal(outcome.subject, 'Kết quả tiếp công dân: Thụ lý giải quyết – UBND phường Sa Đéc');
    assert.match(outcome.text!, /được thụ lý giải quyết\. Ông\/bà sẽ được trả lời trước ngày 15\/01\/2027\./u);
    assert.equal(outcome.attachments.length, 0, 'nothing to attach to an acceptance');
    await until(() => sms.requests.find((r) => /duoc thu ly giai quyet/u.test(r.body.Content ?? '')), 'the outcome SMS');

    // Officials see both notices, each delivered on both channels.
    const clerk = await official(t, 'clerk');
    const notices = await until(async () => {
      const body = (await (await clerk.get(`/sessions/${sessionId}/notices?reference=${reference}`)).json()) as { items: { change: string; state: string; deliveries: { channel: string; state: string }[] }[] };
      return body.items.length === 2 && body.items.every((i) => i.state === 'sent') ? body : undefined;
    }, 'both notices recorded as sent');
    assert.deepEqual(notices.items.map((i) => [i.change, i.deliveries.map((d) => `${d.channel}:${d.state}`).join(' ')]).sort(), [['outcome', 'smtp:sent sms-http:sent'], ['receipt', 'smtp:sent sms-http:sent']]);
    assert.equal(await t.count("SELECT COUNT(*) FROM notices WHERE change IN ('receipt', 'outcome')"), 2, 'one row each, nothing twice');
    const stored = JSON.stringify(await t.sql("SELECT body FROM notices WHERE change IN ('receipt', 'outcome')"));
    assert.ok(!stored.includes('Nguyễn Thị Hoa') && !stored.includes('087185001234') && !stored.includes(EMAIL), 'the outbox holds no name, ID number or address');
  });

  test('refusal: cl.2 tells the reason; cl.3 (the chair) sends the written notice as PDF; a rejected step sends nothing', async () => {
    const first = await caseAt(t, 'receipt', await citizen(), sessionId);
    const before = smtp.messages.length;
    assert.equal((await as(t, 'clerk', `/desk/cases/${first.id}/handling`, { outcome: 'returned', answer: { mode: 'at_once' } })).status, 422, 'an outcome without agency is refused');
    assert.equal((await as(t, 'clerk', `/desk/cases/${first.id}/refusal`, BODIES.refusal)).status, 200);
    const told = await until(() => smtp.messages.slice(before).find((m) => m.subject?.startsWith('Thông báo từ chối tiếp công dân')), 'the refusal e-mail');
    assert.ok(told.text!.includes(`Lý do: ${BODIES.refusal.reason}`), told.text);
    assert.match(told.text!, /khoản 2 Điều 9/u);
    assert.equal(told.attachments.length, 0, 'cl.2: no written notice');

    const second = await caseAt(t, 'receipt', await citizen(), sessionId);
    const res = await as(t, 'chair', `/desk/cases/${second.id}/refusal-notice`, BODIES.notice);
    assert.equal(res.status, 200, await res.clone().text());
    const code = ((await res.json()) as { case: { refusal: { notice: { code: string } } } }).case.refusal.notice.code;
    const notice = await until(() => smtp.messages.find((m) => m.subject === `Thông báo từ chối tiếp công dân số ${code} – UBND phường Sa Đéc`), 'the refusal notice e-mail');
    assert.equal(notice.attachments.length, 1);
    assert.match(notice.attachments[0]!.filename!, /^thong-bao-tu-choi-\d{4}-\d+\.pdf$/u);
    const text = (await pdfText(notice.attachments[0]!.content, 'notice.pdf')).replace(/\s+/gu, ' ');
    // pdftotext may break a line after a slash: "123/ QĐ-UBND".
    assert.ok(text.includes(`Số: ${code}`) && text.replaceAll('/ ', '/').includes('123/QĐ-UBND'), text);
    // 422 above queued nothing: two refusals, two outcome notices for these cases.
    assert.equal(await t.count("SELECT COUNT(*) FROM notices WHERE change = 'outcome' AND registration_id IN (SELECT id FROM registrations WHERE reference IN (?, ?))", [first.reference, second.reference]), 2);
  });

  test('a case in a room the schedule does not hold (an ad-hoc room) is told in the room only: no notice is queued', async () => {
    const rows = () => t.count("SELECT COUNT(*) FROM notices WHERE change IN ('receipt', 'outcome')");
    const count = await rows();
    const adHoc = await caseAt(t, 'receipt', await citizen());
    assert.equal((await as(t, 'clerk', `/desk/cases/${adHoc.id}/receipt`, BODIES.receipt)).status, 200);
    assert.equal(await rows(), count);
  });
});
