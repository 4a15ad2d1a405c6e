/**
 * The notice dispatcher under its lease's fence (issue 13), on each store, with a real SMTP server (smtp-server).
 * Two dispatchers share one outbox as two nodes would: A took the lease (epoch E) and read its batch, then was
 * paused (held in its contact lookup, where a SIGSTOP or a long GC pause could land); B took the lease over
 * (epoch E+1) and is in the middle of sending the same delivery (the SMTP server holds B's message unanswered,
 * so the delivery is still queued). When A resumes it must send nothing: one e-mail reaches the citizen, not two,
 * and A stops its run and says why.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import { startSmtpServer, type TestSmtpServer } from '../../../test/notices/smtp-server.js';
import { noticeChannels } from '../../../test/notices/sms-gateway.js';
import { NoticeDispatcher, type Contact } from '../src/schedule/notices/dispatcher.js';
import { SmtpSender } from '../src/schedule/notices/smtp.js';
import { NOTICES_FENCE } from '../src/schedule/plugin.js';
import type { Store } from '../src/store/store.js';
import { newRegistration, newSession, STORE_FIXTURES, type OpenedStore } from './store-fixtures.js';

const EMAIL = 'nguyen.van.an@example.vn';
const RETRY = { maxAttempts: 3, firstRetryMs: 50, maxRetryMs: 1000 };

/** Records what the dispatcher logs (an object and a message, pino's call shape), to read back why it stopped. */
function logger(): { log: FastifyBaseLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const at = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, ...(typeof obj === 'object' ? obj : { msg: obj }), ...(msg ? { msg } : {}) });
  const log = { level: 'info', info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug'), trace: at('trace'), fatal: at('fatal'), silent: () => undefined } as Record<string, unknown>;
  log.child = () => log;
  return { log: log as unknown as FastifyBaseLogger, lines };
}

/** One cancelled session with one booked citizen: one notice in the outbox, with one queued e-mail delivery. */
async function queuedNotice(store: Store): Promise<{ sessionId: string; reference: string }> {
  const s = await store.schedule.createSession(newSession());
  const { row } = await store.insertRegistration(newRegistration({ displayName: 'Nguyễn Văn An', attachments: [], preferredSessionId: s.id }));
  await store.schedule.updateSession(s.id, (current) => ({
    at: new Date().toISOString(),
    state: 'cancelled',
    notify: { change: 'cancelled', body: () => ({ message: { vi: 'Buổi tiếp đã hủy', en: 'The session is cancelled' }, session: { id: current.id, unit: current.unit, venue: current.venue, startsAt: current.startsAt, endsAt: current.endsAt, state: 'cancelled' } }) },
  }));
  const notice = (await store.schedule.pendingNotices(1000)).find((n) => n.sessionId === s.id)!;
  await store.schedule.planDeliveries(notice.id, ['smtp'], new Date().toISOString());
  return { sessionId: s.id, reference: row.reference };
}

for (const fixture of STORE_FIXTURES) {
  describe(`notice dispatcher fenced by its lease: ${fixture.name}`, { skip: fixture.unavailable }, () => {
    let opened: OpenedStore;
    let smtp: TestSmtpServer;
    before(async () => {
      opened = await fixture.open();
      smtp = await startSmtpServer();
    });
    after(async () => {
      await smtp.close();
      await opened.dispose();
    });

    test("a dispatcher whose lease was taken over sends nothing of the batch it held, and stops", async () => {
      const store = opened.store as Store;
      const { sessionId, reference } = await queuedNotice(store);
      const sender = () => new SmtpSender({ ...noticeChannels(smtp.port, 'http://127.0.0.1:9')[0], secure: false, requireTLS: false } as ConstructorParameters<typeof SmtpSender>[0]);
      const epoch = Date.now();

      let aLooking!: () => void;
      const aReached = new Promise<void>((resolve) => (aLooking = resolve));
      let resumeA!: () => void;
      const aGate = new Promise<void>((resolve) => (resumeA = resolve));
      const aLog = logger();
      const a = new NoticeDispatcher(store, [sender()], async (): Promise<Contact> => {
        aLooking();
        await aGate;
        return { email: EMAIL };
      }, () => undefined, RETRY, aLog.log);
      const b = new NoticeDispatcher(store, [sender()], async () => ({ email: EMAIL }), () => undefined, RETRY, logger().log);
      let askedElsewhere = 0;
      a.elsewhere = () => void (askedElsewhere += 1);

      try {
        a.start(3_600_000, { name: NOTICES_FENCE, epoch });
        await aReached; // A holds the notice with its queued delivery in memory, and is paused
        const bSending = smtp.hold();
        b.start(3_600_000, { name: NOTICES_FENCE, epoch: epoch + 1 });
        await bSending.reached; // B's e-mail is at the server, unanswered: the delivery is still queued
        assert.deepEqual((await store.schedule.listDeliveries(sessionId, reference)).map((d) => d.state), ['queued']);

        resumeA();
        await a.idle();
        assert.equal(smtp.messages.length, 1, 'the stale dispatcher sent nothing: only B\'s e-mail reached the server');
        const stopped = aLog.lines.filter((l) => String(l.msg).startsWith('notice dispatch stopped'));
        assert.equal(stopped.length, 1, `A logged why it stopped: ${JSON.stringify(aLog.lines)}`);
        assert.equal(stopped[0]!.fence, NOTICES_FENCE);
        assert.equal(aLog.lines.filter((l) => String(l.msg).startsWith('notice not delivered')).length, 0, 'the refusal is not a failed delivery');

        bSending.release();
        await b.idle();
        const deliveries = await store.schedule.listDeliveries(sessionId, reference);
        assert.deepEqual(deliveries.map((d) => [d.state, d.attempts, d.lastError ?? null]), [['sent', 1, null]], 'B recorded its send, once');
        assert.equal(smtp.messages.length, 1);
        assert.equal(smtp.messages[0]!.to && 'text' in smtp.messages[0]!.to ? smtp.messages[0]!.to.text : undefined, EMAIL);

        a.kick();
        assert.equal(askedElsewhere, 1, 'A stopped its run: a later change asks the other node instead of dispatching here');
      } finally {
        resumeA();
        await a.stop();
        await b.stop();
      }
    });
  });
}
