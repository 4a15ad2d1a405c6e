/**
 * Notices really delivered. A real SMTP server (smtp-server) started here receives the invitation; mailparser
 * reads it back: recipient, subject, Hanoi time, place, what to bring, the `.ics`, and a join link whose token
 * puts the citizen in the session's lobby. The SMS channel posts to a local HTTP server that records requests:
 * a stand-in for a brand-name SMS provider, which cannot run here. A failing channel is retried with backoff
 * and reported to officials with its reason; nothing is sent twice, across a restart too.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ICAL from 'ical.js';
import { noticeChannels as channels, smsGateway, type TestSmsGateway } from '../../../test/notices/sms-gateway.js';
import { startSmtpServer, type TestSmtpServer } from '../../../test/notices/smtp-server.js';
import { filesUnder, removeDir, startServer, submitJson, testConfig, uuidv7, validRegistration, type TestServer } from './helpers.js';
import { startRoomsServer, TestClient, joinOfficial } from './rooms-helpers.js';
import { official, openSession, type ErrorShape } from './schedule-helpers.js';

const JOIN_PAGE = 'https://sadec.dongthap.gov.vn/tiep-cong-dan/phong.html';
const EMAIL = 'nguyen.van.an@example.vn';

async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}


async function screened(t: TestServer, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await submitJson(t.api, validRegistration({ contact: { phone: '0912 345 678', email: EMAIL }, ...overrides }), uuidv7());
  const { reference } = (await res.json()) as { reference: string };
  const clerk = await official(t, 'clerk');
  assert.equal((await clerk.post(`/registrations/${reference}/transitions`, { to: 'screened', reason: 'Đúng thẩm quyền' })).status, 200);
  return reference;
}

const SESSION = { startsAt: '2030-07-01T08:00:00+07:00', endsAt: '2030-07-01T11:00:00+07:00' };

describe('invitation delivered by e-mail (real SMTP server) and SMS (HTTP stand-in)', () => {
  let t: TestServer;
  let smtp: TestSmtpServer;
  let sms: TestSmsGateway;
  before(async () => {
    smtp = await startSmtpServer();
    sms = await smsGateway();
    t = await startRoomsServer({ notices: { channels: channels(smtp.port, sms.url), joinPage: JOIN_PAGE, firstRetryMs: 50 } });
  });
  after(async () => {
    await t.close();
    await smtp.close();
    await sms.close();
    removeDir(t.dataDir);
  });

  test('preview, invite with a slot, a connection point and a note; the e-mail and the SMS carry the time, the place and a link to the lobby', async () => {
    const sessionId = await openSession(t, SESSION);
    const reference = await screened(t);
    const clerk = await official(t, 'clerk');
    const request = { reference, slotAt: '2030-07-01T08:30:00+07:00', attendance: { mode: 'connection_point', connectionPoint: 'sadec-ubnd' }, publicNote: 'Vào cổng phụ đường Hùng Vương.' };

    const preview = await clerk.post(`/sessions/${sessionId}/invitations/preview`, request);
    const shown = (await preview.json()) as { subject: { vi: string }; message: { vi: string; en: string }; channels: { channel: string; to?: string; delivers: boolean }[] };
    assert.equal(preview.status, 200, JSON.stringify(shown));
    assert.equal(shown.subject.vi, 'Giấy mời tiếp công dân – 08:30, 01/07/2030');
    assert.match(shown.message.vi, /token=…/u, 'the preview shows the link without a token');
    assert.deepEqual(shown.channels, [{ channel: 'smtp', to: 'n***@example.vn', delivers: true }, { channel: 'sms-http', to: '+84******678', delivers: true }]);
    assert.equal(smtp.messages.length + sms.requests.length, 0, 'a preview sends nothing');
    assert.equal(t.db.prepare("SELECT COUNT(*) FROM notices WHERE change = 'invited'").pluck().get(), 0, 'and stores nothing');

    const res = await clerk.post(`/sessions/${sessionId}/invitations`, request);
    const invitation = (await res.json()) as { joinUrl: string; joinToken: string; channels: string[]; attendance: { pointName: string } };
    assert.equal(res.status, 201, JSON.stringify(invitation));
    assert.equal(invitation.joinUrl, `${JOIN_PAGE}#session=${sessionId}&token=${invitation.joinToken}`);
    assert.deepEqual(invitation.channels, ['smtp', 'sms-http']);
    assert.equal(invitation.attendance.pointName, 'Trụ sở UBND phường Sa Đéc');
    assert.ok(!JSON.stringify(t.db.prepare('SELECT * FROM notices').all()).includes(invitation.joinToken), 'the token is sealed in the outbox');

    const mail = await until(() => smtp.messages[0], 'the e-mail');
    assert.equal((mail.to as { text: string }).text, EMAIL);
    assert.equal(mail.subject, 'Giấy mời tiếp công dân – 08:30, 01/07/2030');
    const text = mail.text!;
    assert.match(text, /Thời gian: 08:30, 01\/07\/2030 \(giờ Hà Nội\), trong buổi tiếp 08:00–11:00, 01\/07\/2030/u);
    assert.match(text, /Địa điểm: Điểm cầu Trụ sở UBND phường Sa Đéc/u);
    assert.match(text, /Xin mang theo: Căn cước \(CCCD\)/u);
    assert.match(text, /Ghi chú: Vào cổng phụ đường Hùng Vương\./u);
    assert.match(text, /Time: 08:30, 01\/07\/2030 \(Hanoi time\), in the session 08:00–11:00, 01\/07\/2030/u);
    assert.match(text, /Please bring: Your citizen identity card/u);
    const links: string[] = [...(text.match(/https:\/\/\S+/gu) ?? [])];
    assert.ok(links.includes(invitation.joinUrl), `the join link is in the e-mail: ${links.join(' ')}`);
    const ics = mail.attachments.find((a) => a.filename === `${reference}.ics`);
    assert.ok(ics, 'the .ics is attached');
    const event = new ICAL.Component(ICAL.parse(ics.content.toString('utf8'))).getFirstSubcomponent('vevent')!;
    assert.equal(event.getFirstPropertyValue('uid'), `session-${sessionId}@tiepdan`);
    assert.equal(String(event.getFirstPropertyValue('dtstart')), '2030-07-01T08:00:00');

    // The link opens the lobby: its token, taken from the e-mail, is accepted by the room of that session.
    const fragment = new URLSearchParams(new URL(links.find((l) => l.startsWith(JOIN_PAGE))!).hash.slice(1));
    assert.equal(fragment.get('session'), sessionId);
    const chair = await joinOfficial(t, sessionId, 'clerk');
    const citizen = await TestClient.open(t);
    const hello = await citizen.hello({ sessionId: fragment.get('session'), auth: { kind: 'citizen', token: fragment.get('token') } });
    assert.equal(hello.type, 'result', JSON.stringify(hello));
    const lobby = (await chair.ok('roster.get')).lobby as unknown[];
    assert.equal(lobby.length, 1, 'the citizen waits in the lobby');
    citizen.terminate();
    chair.terminate();

    const message = await until(() => sms.requests[0], 'the SMS');
    assert.equal(message.headers['x-api-key'], 'test-key');
    assert.equal(message.body.Phone, '84912345678');
    assert.equal(message.body.Brandname, 'UBND SADEC');
    assert.match(message.body.Content!, /08:30, 01\/07\/2030/u);
    assert.match(message.body.Content!, /Ma ho so/u, 'ascii: diacritics stripped');
    assert.ok(message.body.Content!.includes(invitation.joinUrl), 'the SMS carries the link');
    assert.equal(message.body.RequestId, `${sessionId}.${reference}.invited.1`);

    const notices = await until(async () => {
      const body = (await (await clerk.get(`/sessions/${sessionId}/notices?reference=${reference}`)).json()) as { summary: Record<string, number>; items: { state: string; deliveries: { channel: string; state: string; attempts: number }[] }[] };
      return body.summary.sent === 1 && body.items[0]!.deliveries.every((d) => d.state === 'sent') ? body : undefined;
    }, 'both deliveries recorded as sent');
    assert.deepEqual(notices.items[0]!.deliveries.map((d) => [d.channel, d.state, d.attempts]), [['smtp', 'sent', 1], ['sms-http', 'sent', 1]]);

    // The citizen's lookup shows the booking and the invitation with the same link.
    const lookup = (await (await fetch(`${t.api}/lookup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reference, phone: '0912345678' }) })).json()) as {
      state: string;
      booking: { sessionId: string; provisional?: boolean; invitation: { slotAt: string; joinUrl: string; note: string; attendance: { pointName: string } } };
    };
    assert.equal(lookup.state, 'invited');
    assert.equal(lookup.booking.sessionId, sessionId);
    assert.equal(lookup.booking.provisional, undefined);
    assert.deepEqual([lookup.booking.invitation.slotAt, lookup.booking.invitation.joinUrl, lookup.booking.invitation.note, lookup.booking.invitation.attendance.pointName], [
      '2030-07-01T01:30:00.000Z',
      invitation.joinUrl,
      'Vào cổng phụ đường Hùng Vương.',
      'Trụ sở UBND phường Sa Đéc',
    ]);
  });

  test('remote attendance is refused where the session does not allow it, naming the field', async () => {
    const sessionId = await openSession(t, { ...SESSION, startsAt: '2030-07-02T08:00:00+07:00', endsAt: '2030-07-02T11:00:00+07:00' });
    const reference = await screened(t);
    const clerk = await official(t, 'clerk');
    const res = await clerk.post(`/sessions/${sessionId}/invitations`, { reference, slotAt: '2030-07-02T08:30:00+07:00', attendance: { mode: 'remote' } });
    const body = (await res.json()) as ErrorShape;
    assert.equal(res.status, 422);
    assert.deepEqual(body.error.fields!.map((f) => f.path), ['attendance.mode']);
    const point = await clerk.post(`/sessions/${sessionId}/invitations`, { reference, slotAt: '2030-07-02T08:30:00+07:00', attendance: { mode: 'connection_point', connectionPoint: 'elsewhere' } });
    assert.deepEqual(((await point.json()) as ErrorShape).error.fields!.map((f) => f.path), ['attendance.connectionPoint']);
  });
});

describe('a failing channel is retried and reported; nothing is sent twice', () => {
  test('SMTP refuses twice then accepts (one e-mail, 3 attempts); the SMS gateway is down (failed with its reason)', async () => {
    const smtp = await startSmtpServer({ refuse: 2 });
    const sms = await smsGateway(500);
    const config = testConfig({ notices: { channels: channels(smtp.port, sms.url), joinPage: JOIN_PAGE, firstRetryMs: 40, maxRetryMs: 200, maxAttempts: 3 } });
    let t = await startServer({}, config);
    try {
      const sessionId = await openSession(t, SESSION);
      const reference = await screened(t);
      const clerk = await official(t, 'clerk');
      assert.equal((await clerk.post(`/sessions/${sessionId}/invitations`, { reference, slotAt: '2030-07-01T09:00:00+07:00' })).status, 201);
      type Notices = { summary: Record<string, number>; items: { state: string; deliveries: { channel: string; state: string; attempts: number; lastError?: string }[] }[] };
      const settled = await until(async () => {
        const body = (await (await clerk.get(`/sessions/${sessionId}/notices`)).json()) as Notices;
        return body.items[0]?.deliveries.every((d) => d.state !== 'queued') ? body : undefined;
      }, 'both deliveries settled');
      const [mail, text] = settled.items[0]!.deliveries;
      assert.deepEqual([mail!.channel, mail!.state, mail!.attempts], ['smtp', 'sent', 3]);
      assert.deepEqual([text!.channel, text!.state, text!.attempts], ['sms-http', 'failed', 3]);
      assert.match(text!.lastError!, /HTTP 500/u);
      assert.equal(settled.summary.sent, 1, 'the citizen was reached by e-mail');
      assert.equal(smtp.messages.length, 1);
      assert.equal(sms.requests.length, 3, 'the gateway was tried maxAttempts times');

      // A restart does not send anything again.
      await t.close();
      t = await startServer({}, config);
      await until(() => t.db.prepare('SELECT COUNT(*) FROM notices WHERE sent_at IS NULL').pluck().get() === 0, 'the outbox settled');
      await new Promise((r) => setTimeout(r, 300)); // give a wrongly re-queued delivery the time to go out
      assert.equal(smtp.messages.length, 1);
      assert.equal(sms.requests.length, 3);
    } finally {
      await t.close();
      await smtp.close();
      await sms.close();
      removeDir(config.dataDir);
    }
  });

  test('with only the log channel, a notice is "logged", not "sent", and its file says nothing was delivered', async () => {
    const t = await startServer();
    try {
      const sessionId = await openSession(t, SESSION);
      const reference = await screened(t);
      const clerk = await official(t, 'clerk');
      assert.equal((await clerk.post(`/sessions/${sessionId}/invitations`, { reference, slotAt: '2030-07-01T09:00:00+07:00' })).status, 201);
      const body = await until(async () => {
        const b = (await (await clerk.get(`/sessions/${sessionId}/notices`)).json()) as { summary: Record<string, number> };
        return b.summary.logged === 1 ? b : undefined;
      }, 'the notice logged');
      assert.deepEqual(body.summary, { queued: 0, sent: 0, logged: 1, failed: 0 });
      const [file] = filesUnder(join(t.dataDir, 'notices')).filter((f) => f.endsWith('.json'));
      const written = JSON.parse(readFileSync(join(t.dataDir, 'notices', file!), 'utf8')) as { delivered: boolean; note: string; message: { vi: string } };
      assert.equal(written.delivered, false);
      assert.match(written.note, /nothing was sent/u);
      assert.match(written.message.vi, /Mã hồ sơ/u);
    } finally {
      await t.close();
      removeDir(t.dataDir);
    }
  });
});
