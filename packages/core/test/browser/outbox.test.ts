// The outbox in Chromium's real IndexedDB. The sender here is the test's own function (the outbox's injection
// point); the real HTTP path is covered by the end-to-end test against the real server.
import { expect } from '@open-wc/testing';
import { Drafts, Outbox, openLocalDatabase, type OutboxChange, type OutboxRecord } from '../../src/browser.js';

type Payload = { text: string };
type Answer = { reference: string };
const unique = () => `test-${crypto.randomUUID()}`;
const networkDown = Object.assign(new Error('network'), { retryable: true, body: { error: { code: 'network' } } });

async function draftIn(ns: string) {
  const { db } = await openLocalDatabase(ns);
  const drafts = new Drafts<Payload>(db, 'form');
  drafts.update({ text: 'nội dung' }, 'check');
  await drafts.flush();
  await drafts.addFile('f1', new Blob(['%PDF-1.4'], { type: 'application/pdf' }), 'don.pdf');
  return { db, drafts, clientId: drafts.record!.clientId };
}

describe('Outbox (IndexedDB)', () => {
  it('keeps a submission across a reload while the network is down, then sends it once', async () => {
    const ns = unique();
    const { db, clientId } = await draftIn(ns);
    const sent: string[] = [];
    let online = false;
    const send = async (record: OutboxRecord<Payload, Answer>) => {
      if (!online) throw networkDown;
      sent.push(record.clientId);
      return { reference: 'TD-0000-0001' };
    };
    const first = new Outbox<Payload, Answer>(db, send, { baseDelayMs: 60_000 });
    await first.enqueue({ clientId, draftId: 'form', payload: { text: 'nội dung' }, files: [{ id: 'f1', blob: new Blob(['%PDF-1.4']), name: 'don.pdf' }] });
    expect(await db.getDraft('form')).to.equal(undefined, 'the draft moved into the outbox');
    const waiting = await first.get(clientId);
    expect(waiting?.state).to.equal('pending');
    expect(waiting?.attempts).to.equal(1);
    expect(waiting?.files).to.have.length(1);
    first.stop();
    db.close();

    // Reload with the network back: a new page's outbox finds the entry and sends it.
    online = true;
    const reopened = (await openLocalDatabase(ns)).db;
    const second = new Outbox<Payload, Answer>(reopened, send);
    const changes: OutboxChange<Answer>[] = [];
    second.addEventListener('change', (e) => changes.push((e as CustomEvent<OutboxChange<Answer>>).detail));
    await second.retryNow();
    await second.retryNow();
    expect(sent).to.deep.equal([clientId], 'sent exactly once');
    const done = await second.get(clientId);
    expect(done?.state).to.equal('sent');
    expect(done?.response?.reference).to.equal('TD-0000-0001');
    expect(done?.files).to.have.length(0, 'files dropped once the server holds them');
    expect(changes.map((c) => c.state)).to.deep.equal(['sending', 'sent']);
  });

  it('retries on the online event even when navigator.onLine said nothing', async () => {
    const { db, clientId } = await draftIn(unique());
    let calls = 0;
    const outbox = new Outbox<Payload, Answer>(db, async () => {
      calls += 1;
      if (calls === 1) throw networkDown;
      return { reference: 'TD-0000-0002' };
    }, { baseDelayMs: 60_000 });
    outbox.start();
    await outbox.enqueue({ clientId, draftId: 'form', payload: { text: 'x' }, files: [] });
    expect((await outbox.get(clientId))?.state).to.equal('pending');
    const sent = new Promise((resolve) => outbox.addEventListener('change', (e) => (e as CustomEvent).detail.state === 'sent' && resolve(true)));
    window.dispatchEvent(new Event('online'));
    await sent;
    expect(calls).to.equal(2);
    outbox.stop();
  });

  it('retries by itself on a timer with backoff', async () => {
    const { db, clientId } = await draftIn(unique());
    let calls = 0;
    const outbox = new Outbox<Payload, Answer>(db, async () => {
      calls += 1;
      if (calls < 3) throw networkDown;
      return { reference: 'TD-0000-0003' };
    }, { baseDelayMs: 20, maxDelayMs: 40 });
    outbox.start();
    const sent = new Promise((resolve) => outbox.addEventListener('change', (e) => (e as CustomEvent).detail.state === 'sent' && resolve(true)));
    await outbox.enqueue({ clientId, draftId: 'form', payload: { text: 'x' }, files: [] });
    await sent;
    expect(calls).to.equal(3);
    outbox.stop();
  });

  it('stops retrying what the server refused, keeping the error for the form', async () => {
    const { db, clientId } = await draftIn(unique());
    const refusal = Object.assign(new Error('422'), { retryable: false, body: { error: { code: 'validation_failed', fields: [{ path: 'contact.phone' }] } } });
    const outbox = new Outbox<Payload, Answer>(db, async () => { throw refusal; });
    await outbox.enqueue({ clientId, draftId: 'form', payload: { text: 'x' }, files: [] });
    const entry = await outbox.get(clientId);
    expect(entry?.state).to.equal('rejected');
    expect((entry?.lastError as typeof refusal.body).error.code).to.equal('validation_failed');
    expect(await outbox.pending()).to.have.length(0);
  });

  it('backoff doubles, is capped, and is jittered', async () => {
    const { db } = await openLocalDatabase(unique());
    let r = 1;
    const outbox = new Outbox(db, async () => ({}), { baseDelayMs: 1000, maxDelayMs: 8000, random: () => r });
    expect([1, 2, 3, 4, 5, 9].map((n) => outbox.delay(n))).to.deep.equal([1000, 2000, 4000, 8000, 8000, 8000]);
    r = 0;
    expect(outbox.delay(1)).to.equal(500);
  });
});
