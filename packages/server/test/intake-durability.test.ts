/**
 * The SQLite intake's durable ack: a registration batch commits without waiting for the disk inside COMMIT, and
 * its answers wait for an fsync of the WAL that began after that commit (store/wal-sync.ts). These tests hold
 * the real fsync (node's fs.fsync on the real WAL) at a gate, to see what is answered while the disk has not
 * confirmed, and fail it, to see that a batch the disk did not confirm is refused.
 */
import assert from 'node:assert/strict';
import { fstatSync, fsync, statSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { SqliteStore } from '../src/store/sqlite.js';
import type { SyncFile } from '../src/store/wal-sync.js';
import { removeDir, startServer, submitJson, tempDir, testConfig, validRegistration } from './helpers.js';
import { newRegistration } from './store-fixtures.js';

/** fs.fsync behind a gate: each call is recorded and runs only when the test releases it (or fails it). */
function gatedSync() {
  const calls: { fd: number; release: () => void; fail: (error: NodeJS.ErrnoException) => void }[] = [];
  const syncFile: SyncFile = (fd, done) => {
    calls.push({ fd, release: () => fsync(fd, done), fail: (error) => done(error) });
  };
  return { calls, syncFile };
}

/** Waits (turn by turn of the event loop, up to 5 s) until `condition` holds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Settles `promise` into a record the test can look at without awaiting it. */
function watch<T>(promise: Promise<T>) {
  const state: { done: boolean; value?: T; error?: unknown } = { done: false };
  promise.then(
    (value) => Object.assign(state, { done: true, value }),
    (error: unknown) => Object.assign(state, { done: true, error }),
  );
  return state;
}

const registration = () => newRegistration({ attachments: [] });

describe('intake durability on SQLite: answered after the WAL fsync that follows the commit', () => {
  const dirs: string[] = [];
  const stores: SqliteStore[] = [];
  const open = (syncFile?: SyncFile) => {
    const dir = tempDir();
    dirs.push(dir);
    const store = new SqliteStore(dir, { syncFile });
    stores.push(store);
    return store;
  };
  const stored = (store: SqliteStore, clientId: string) => store.db.prepare('SELECT COUNT(*) FROM registrations WHERE client_id = ?').pluck().get(clientId) === 1;
  after(async () => {
    for (const store of stores) await store.close();
    for (const dir of dirs) removeDir(dir);
  });

  test('a batch is committed, then answered only once the fsync of the WAL after it finished', async () => {
    const gate = gatedSync();
    const store = open(gate.syncFile);
    const input = registration();
    const first = watch(store.insertRegistration(input));
    await until(() => gate.calls.length === 1, 'the first fsync');
    assert.ok(stored(store, input.clientId), 'committed before the fsync is asked for');
    assert.equal(fstatSync(gate.calls[0]!.fd).ino, statSync(`${store.db.name}-wal`).ino, 'the fsync is of the WAL file');
    // Every other write on the connection syncs inside its COMMIT, as before.
    assert.equal(store.db.pragma('synchronous', { simple: true }), 2, 'synchronous is FULL again right after the batch');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(first.done, false, 'not answered while the disk has not confirmed');
    gate.calls[0]!.release();
    await until(() => first.done, 'the first answer');
    assert.equal(first.error, undefined);
    assert.equal(first.value?.created, true);
  });

  test('what arrives while an fsync runs is committed together after it, and answered after an fsync of its own', async () => {
    const gate = gatedSync();
    const store = open(gate.syncFile);
    const [a, b, c] = [registration(), registration(), registration()];
    const first = watch(store.insertRegistration(a));
    await until(() => gate.calls.length === 1, 'the first fsync');
    const second = watch(store.insertRegistration(b));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const third = watch(store.insertRegistration(c));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(stored(store, b.clientId) || stored(store, c.clientId), false, 'nothing is committed while the fsync runs');
    assert.equal(gate.calls.length, 1, 'one fsync at a time');
    gate.calls[0]!.release();
    await until(() => first.done, 'the first answer');
    assert.equal(first.value?.created, true);
    await until(() => gate.calls.length === 2, 'the second fsync');
    assert.ok(stored(store, b.clientId) && stored(store, c.clientId), 'both committed before the second fsync, in one batch');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(second.done || third.done, false, 'the first fsync began before their commit: it does not count for them');
    gate.calls[1]!.release();
    await until(() => second.done && third.done, 'the second answers');
    assert.equal(second.value?.created, true);
    assert.equal(third.value?.created, true);
    assert.equal(gate.calls.length, 2, 'the two arrivals shared one fsync');
  });

  test('registrations of one turn share one commit and one fsync; a replay is answered after an fsync too', async () => {
    const gate = gatedSync();
    const store = open(gate.syncFile);
    const inputs = Array.from({ length: 20 }, registration);
    const all = watch(Promise.all(inputs.map((input) => store.insertRegistration(input))));
    await until(() => gate.calls.length === 1, 'the fsync');
    gate.calls[0]!.release();
    await until(() => all.done, 'the answers');
    assert.equal(gate.calls.length, 1);
    assert.deepEqual(all.value?.map((r) => r.created), inputs.map(() => true));
    const replay = watch(store.insertRegistration(inputs[0]!));
    await until(() => gate.calls.length === 2, 'the replay fsync');
    assert.equal(replay.done, false);
    gate.calls[1]!.release();
    await until(() => replay.done, 'the replay answer');
    assert.equal(replay.value?.created, false);
    assert.equal(replay.value?.row.reference, all.value?.[0]?.row.reference);
  });

  test('a failed fsync refuses its batch; the next batch gets an fsync of its own', async () => {
    const gate = gatedSync();
    const store = open(gate.syncFile);
    const failing = watch(store.insertRegistration(registration()));
    await until(() => gate.calls.length === 1, 'the fsync');
    gate.calls[0]!.fail(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    await until(() => failing.done, 'the refusal');
    assert.equal((failing.error as NodeJS.ErrnoException | undefined)?.code, 'EIO');
    const next = watch(store.insertRegistration(registration()));
    await until(() => gate.calls.length === 2, 'the next fsync');
    gate.calls[1]!.release();
    await until(() => next.done, 'the next answer');
    assert.equal(next.value?.created, true);
  });

  test('through the server: the 201 waits for the fsync, and a failed fsync is a 500 in the error shape, not a 201', async () => {
    const gate = gatedSync();
    const config = testConfig();
    dirs.push(config.dataDir);
    const t = await startServer({}, config, { store: new SqliteStore(config.dataDir, { syncFile: gate.syncFile }) });
    try {
      const answered = watch(submitJson(t.api, validRegistration()));
      await until(() => gate.calls.length === 1, 'the fsync');
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(answered.done, false, 'no answer before the disk confirmed');
      gate.calls[0]!.release();
      await until(() => answered.done, 'the answer');
      assert.equal(answered.value?.status, 201);

      const refused = watch(submitJson(t.api, validRegistration()));
      await until(() => gate.calls.length === 2, 'the second fsync');
      gate.calls[1]!.fail(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
      await until(() => refused.done, 'the refusal');
      const res = refused.value!;
      const body = (await res.json()) as { error: { code: string; message: { vi: string; en: string } } };
      assert.equal(res.status, 500);
      assert.ok(body.error.code && body.error.message.vi && body.error.message.en, JSON.stringify(body));
    } finally {
      await t.close();
    }
  });
});
