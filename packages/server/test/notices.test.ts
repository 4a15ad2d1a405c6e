/**
 * The notice outbox: cancelling or postponing a session with bookings queues one notice per booked citizen,
 * and each is written once, across restarts between queueing and sending and after sending.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { countRows, filesUnder, removeDir, startServer, testConfig, type TestServer } from './helpers.js';
import { book, official, openSession, registrations } from './schedule-helpers.js';

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const noticeFiles = (t: TestServer) => filesUnder(join(t.dataDir, 'notices')).filter((f) => f.endsWith('.json'));

test('cancel and postpone → one notice per booked citizen; none twice after restarts', async () => {
  const config = testConfig({ schedule: { noticeDispatch: 'off' } });
  let t = await startServer({}, config);
  try {
    const id = await openSession(t, { capacity: 5 });
    const other = await openSession(t, { capacity: 5, startsAt: '2030-03-16T08:00:00+07:00', endsAt: '2030-03-16T10:00:00+07:00' });
    const references = await registrations(t, 4);
    for (const reference of references.slice(0, 3)) assert.equal((await book(t, reference, id)).status, 201);
    assert.equal((await book(t, references[3]!, other)).status, 201);

    const clerk = await official(t, 'clerk');
    const postponed = await clerk.post(`/sessions/${id}/postpone`, { reason: 'Trùng lịch họp', notice: { vi: 'Hoãn vì trùng lịch.' }, startsAt: '2030-03-22T08:00:00+07:00', endsAt: '2030-03-22T10:00:00+07:00' });
    const body = (await postponed.json()) as { noticesQueued: number; session: { postponedFrom: { startsAt: string }; startsAt: string } };
    assert.equal(postponed.status, 200, JSON.stringify(body));
    assert.equal(body.noticesQueued, 3);
    assert.equal(body.session.postponedFrom.startsAt, '2030-03-15T01:00:00.000Z');
    const cancelled = await clerk.post(`/sessions/${id}/cancel`, { reason: 'Chủ tịch ốm', notice: { vi: 'Hủy buổi tiếp.', en: 'Session cancelled.' } });
    assert.equal(((await cancelled.json()) as { noticesQueued: number }).noticesQueued, 3);
    assert.equal(countRows(t.db, 'notices'), 6);
    assert.equal(noticeFiles(t).length, 0, 'dispatch is off: queued, not sent');

    // Restart between queueing and sending: the new process sends what was queued.
    await t.close();
    t = await startServer({}, { ...config, schedule: { ...config.schedule, noticeDispatch: 'auto' } });
    await until(() => noticeFiles(t).length === 6);
    await until(() => t.db.prepare('SELECT COUNT(*) FROM notices WHERE sent_at IS NULL').pluck().get() === 0);
    const files = noticeFiles(t).sort();
    for (const reference of references.slice(0, 3)) assert.equal(files.filter((f) => f.includes(reference)).length, 2, `two notices for ${reference}`);
    assert.ok(!files.some((f) => f.includes(references[3]!)), 'the citizen of another session is not told');
    const notice = JSON.parse(readFileSync(join(t.dataDir, 'notices', files.find((f) => f.endsWith('.2.json') || f.endsWith('.3.json'))!), 'utf8')) as { message: { vi: string; en: string }; to: { phone: string } };
    assert.match(notice.message.vi, /Buổi tiếp công dân/u);
    assert.ok(notice.message.en.length > 0);
    assert.equal(notice.to.phone, '+84******678', 'the demo file shows a masked phone only');
    const mtimes = files.map((f) => statSync(join(t.dataDir, 'notices', f)).mtimeMs);

    // Restart after sending: nothing is sent again, even when the dispatcher runs.
    await t.close();
    t = await startServer({}, { ...config, schedule: { ...config.schedule, noticeDispatch: 'auto' } });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(noticeFiles(t).sort(), files);
    assert.deepEqual(files.map((f) => statSync(join(t.dataDir, 'notices', f)).mtimeMs), mtimes);
    assert.equal(countRows(t.db, 'notices'), 6);
  } finally {
    await t.close();
    removeDir(config.dataDir);
  }
});

test('a notice sent but not marked (crash in between) is not written twice', async () => {
  const config = testConfig({ schedule: { noticeDispatch: 'off' } });
  let t = await startServer({}, config);
  try {
    const id = await openSession(t, { capacity: 2 });
    const [reference] = await registrations(t, 1);
    await book(t, reference!, id);
    const clerk = await official(t, 'clerk');
    await clerk.patch(`/sessions/${id}`, { startsAt: '2030-03-15T09:00:00+07:00' });
    assert.equal(countRows(t.db, 'notices'), 1);
    await t.close();
    // Dispatch once, then pretend the mark was lost.
    t = await startServer({}, { ...config, schedule: { ...config.schedule, noticeDispatch: 'auto' } });
    await until(() => noticeFiles(t).length === 1 && t.db.prepare('SELECT COUNT(*) FROM notices WHERE sent_at IS NULL').pluck().get() === 0);
    const [file] = noticeFiles(t);
    const before = readFileSync(join(t.dataDir, 'notices', file!), 'utf8');
    t.db.prepare('UPDATE notices SET sent_at = NULL').run();
    await t.close();
    t = await startServer({}, { ...config, schedule: { ...config.schedule, noticeDispatch: 'auto' } });
    await until(() => t.db.prepare('SELECT COUNT(*) FROM notices WHERE sent_at IS NULL').pluck().get() === 0);
    assert.deepEqual(noticeFiles(t), [file]);
    assert.equal(readFileSync(join(t.dataDir, 'notices', file!), 'utf8'), before);
    assert.equal(JSON.parse(before).change, 'time_changed');
  } finally {
    await t.close();
    removeDir(config.dataDir);
  }
});

test('a session without bookings queues nothing', async () => {
  const t = await startServer();
  try {
    const id = await openSession(t);
    const clerk = await official(t, 'chair');
    const res = await clerk.post(`/sessions/${id}/cancel`, { reason: 'r', notice: { vi: 'n' } });
    assert.equal(((await res.json()) as { noticesQueued: number }).noticesQueued, 0);
    assert.equal(countRows(t.db, 'notices'), 0);
  } finally {
    await t.close();
    removeDir(t.dataDir);
  }
});

