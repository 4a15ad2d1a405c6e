// Drafts in Chromium's real IndexedDB: what a citizen typed must survive closing the tab.
import { expect, waitUntil } from '@open-wc/testing';
import { Drafts, openLocalDatabase, type SaveStatus } from '../../src/browser.js';

const unique = () => `test-${crypto.randomUUID()}`;

describe('Drafts (IndexedDB)', () => {
  it('autosaves after the debounce and a new page instance reads the same draft back', async () => {
    const ns = unique();
    const { db } = await openLocalDatabase(ns);
    expect(db.persistent).to.equal(true);
    const statuses: SaveStatus[] = [];
    const drafts = new Drafts<{ name: string }>(db, 'form-1', { debounceMs: 30, onStatus: (s) => statuses.push(s) });
    drafts.update({ name: 'Nguyễn Văn An' }, 'identity');
    expect(drafts.status).to.equal('pending');
    await waitUntil(() => statuses.includes('saved'), 'the debounced save', { timeout: 5000 });
    expect(statuses).to.deep.equal(['pending', 'saved']);
    const clientId = drafts.record!.clientId;
    db.close();

    // "Reload": a fresh connection and a fresh Drafts object.
    const reopened = await openLocalDatabase(ns);
    const again = new Drafts<{ name: string }>(reopened.db, 'form-1');
    const record = await again.load();
    expect(record?.data.name).to.equal('Nguyễn Văn An');
    expect(record?.step).to.equal('identity');
    expect(record?.clientId).to.equal(clientId);
    expect(clientId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/u, 'a UUID v7');
    reopened.db.close();
  });

  it('keeps attachments as Blobs and isolates namespaces', async () => {
    const a = (await openLocalDatabase(unique())).db;
    const b = (await openLocalDatabase(unique())).db;
    const drafts = new Drafts(a, 'form');
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    await drafts.addFile('f1', new Blob([bytes], { type: 'image/png' }), 'anh.png');
    const files = await drafts.files();
    expect(files).to.have.length(1);
    expect(new Uint8Array(await files[0]!.blob.arrayBuffer())).to.deep.equal(bytes);
    expect(await new Drafts(b, 'form').files()).to.have.length(0);
    await drafts.removeFile('f1');
    expect(await drafts.files()).to.have.length(0);
  });

  it('starting over gives a new client id and forgets the old draft', async () => {
    const { db } = await openLocalDatabase(unique());
    const drafts = new Drafts<{ n: number }>(db, 'form');
    drafts.update({ n: 1 }, 'kind');
    await drafts.flush();
    const first = drafts.record!.clientId;
    await drafts.startOver({ n: 0 }, 'privacy');
    expect(drafts.record!.clientId).to.not.equal(first);
    expect((await db.getDraft<{ n: number }>('form'))?.data.n).to.equal(0);
  });

  it('falls back to memory and says the draft will not be kept when IndexedDB cannot open', async () => {
    // Private modes and disabled storage make indexedDB.open fail; we make it fail the same way here.
    const original = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB')!;
    Object.defineProperty(globalThis, 'indexedDB', { configurable: true, get: () => ({ open: () => { throw new DOMException('denied', 'SecurityError'); } }) });
    try {
      const { db, reason } = await openLocalDatabase(unique());
      expect(db.persistent).to.equal(false);
      expect(reason).to.equal('unavailable');
      const drafts = new Drafts<{ n: number }>(db, 'form', { debounceMs: 1 });
      expect(drafts.status).to.equal('not-kept');
      drafts.update({ n: 5 }, 'kind');
      await drafts.flush();
      expect(drafts.status).to.equal('not-kept');
      expect((await drafts.load())?.data.n).to.equal(5, 'the form keeps working for this page');
    } finally {
      Object.defineProperty(globalThis, 'indexedDB', original);
    }
  });
});
