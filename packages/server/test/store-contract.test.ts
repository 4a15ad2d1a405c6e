/**
 * The store contract: one suite, run against every store (store/store.ts and the capability interfaces it builds),
 * through the interfaces only. A capability a store does not provide is reported as skipped with that reason, and
 * the server refuses to start with such a store (the last test). Stores are listed in store-fixtures.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createServer } from '../src/index.js';
import { FenceRefusedError } from '../src/store/fences.js';
import { missingCapabilities, MissingCapabilityError, type Capability } from '../src/store/capabilities.js';
import type { EngineStore } from '../src/store/store.js';
import { testConfig, UNIT } from './helpers.js';
import { caseStoreContract } from './case-store-contract.js';
import { recordingStoreContract } from './recording-store-contract.js';
import { roomStoreContract } from './room-store-contract.js';
import { newRegistration as registration, newSession as session, STORE_FIXTURES, type OpenedStore } from './store-fixtures.js';

for (const fixture of STORE_FIXTURES) {
  describe(`store contract: ${fixture.name}`, { skip: fixture.unavailable }, () => {
    let opened: OpenedStore;
    let store: EngineStore;
    before(async () => {
      opened = await fixture.open();
      store = opened.store;
    });
    after(async () => opened?.dispose());

    /** A capability's tests run when the store provides it, and are reported skipped (with the reason) otherwise. */
    const lacks = (capability: Capability) => (fixture.lacks.includes(capability) ? `the ${fixture.name} store does not provide ${capability}` : false);

    test('names the capabilities it lacks, and no others', () => {
      assert.deepEqual(missingCapabilities(store), fixture.lacks);
    });

    describe('registrations', () => {
      test('an insert stores the row with its attachments and first history row; the same client id again stores nothing', async () => {
        const input = registration();
        const first = await store.insertRegistration(input);
        assert.equal(first.created, true);
        assert.match(first.row.reference, /\S/u);
        assert.equal(first.row.state, 'received');
        assert.equal(first.row.attachments[0]!.name, 'đơn.pdf');
        assert.deepEqual(first.row.history.map((h) => h.state), ['received']);
        const again = await store.insertRegistration({ ...input, summary: 'changed' });
        assert.equal(again.created, false);
        assert.equal(again.row.reference, first.row.reference);
        assert.equal(again.row.summary, input.summary, 'the stored registration is untouched');
        assert.equal((await store.findByClientId(input.clientId))?.reference, first.row.reference);
        assert.equal((await store.findByReference(first.row.reference))?.clientId, input.clientId);
        assert.equal(await store.findByReference('NOPE-NOPE'), undefined);
      });

      test('concurrent submissions of one client id create one registration', async () => {
        const input = registration();
        const results = await Promise.all(Array.from({ length: 8 }, () => store.insertRegistration({ ...input })));
        assert.equal(results.filter((r) => r.created).length, 1);
        assert.equal(new Set(results.map((r) => r.row.reference)).size, 1);
      });

      test('registrations submitted together are each all or nothing: a failing one stores nothing, the others are stored', async () => {
        const good = [registration(), registration()];
        // Two attachments with one id break the attachments' key after the registration row was written.
        const attachment = registration().attachments[0]!;
        const bad = registration({ attachments: [attachment, { ...attachment }] });
        const results = await Promise.allSettled([store.insertRegistration(good[0]!), store.insertRegistration(bad), store.insertRegistration(good[1]!)]);
        assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
        assert.equal(await store.findByClientId(bad.clientId), undefined, 'nothing of the failing registration is left');
        for (const input of good) {
          const stored = await store.findByClientId(input.clientId);
          assert.equal(stored?.history.length, 1);
          assert.equal(stored?.attachments.length, 1);
        }
      });

      test('a sealed blob comes back byte for byte', async () => {
        const sealed = Buffer.from([0, 1, 2, 250, 255]);
        const { row } = await store.insertRegistration(registration({ kind: 'to_cao', sealed }));
        assert.deepEqual((await store.findByReference(row.reference))?.sealed, sealed);
      });

      test('the queue pages newest first by cursor and filters by unit and state', async () => {
        const unit = `u-${randomUUID().slice(0, 8)}`;
        const refs: string[] = [];
        for (let i = 0; i < 5; i += 1) refs.push((await store.insertRegistration(registration({ unit }))).row.reference);
        const page1 = await store.listRegistrations({ unit }, undefined, 3);
        assert.deepEqual(page1.rows.map((r) => r.reference), refs.slice(2).reverse());
        assert.equal(page1.rows[0]!.attachmentCount, 1);
        assert.ok(page1.nextBefore);
        const page2 = await store.listRegistrations({ unit }, page1.nextBefore, 3);
        assert.deepEqual(page2.rows.map((r) => r.reference), refs.slice(0, 2).reverse());
        assert.equal(page2.nextBefore, undefined);
        assert.equal((await store.listRegistrations({ unit, state: 'screened' }, undefined, 10)).rows.length, 0);
      });

      test('a transition is a compare-and-set with its history row', async () => {
        const { row } = await store.insertRegistration(registration());
        const entry = { state: 'screened' as const, at: new Date().toISOString(), by: 'clerk-1', reason: 'đủ điều kiện' };
        assert.equal(await store.transition({ reference: row.reference, from: 'received', entry }), true);
        assert.equal(await store.transition({ reference: row.reference, from: 'received', entry }), false, 'a stale state changes nothing');
        const now = await store.findByReference(row.reference);
        assert.equal(now?.state, 'screened');
        assert.deepEqual(now?.history.map((h) => [h.state, h.by ?? null]), [['received', null], ['screened', 'clerk-1']]);
      });
    });

    describe('schedule and bookings', () => {
      test('a session is stored and listed', async () => {
        const s = session();
        const created = await store.schedule.createSession(s);
        assert.equal(created.id, s.id);
        assert.equal(created.placesLeft, 3);
        assert.equal((await store.schedule.getSession(s.id))?.venue, s.venue);
        const listed = await store.schedule.listSessions(UNIT, new Date(Date.parse(s.startsAt) - 1000).toISOString(), new Date(Date.parse(s.startsAt) + 1000).toISOString(), false);
        assert.deepEqual(listed.map((x) => x.id), [s.id]);
      });

      test('capacity holds under concurrent booking: never more places taken than the session has', async () => {
        const s = await store.schedule.createSession(session({ capacity: 3 }));
        const refs = await Promise.all(Array.from({ length: 8 }, async () => (await store.insertRegistration(registration())).row.reference));
        const at = new Date().toISOString();
        const results = await Promise.all(refs.map((ref) => store.schedule.book(ref, s.id, at, false)));
        assert.equal(results.filter((r) => r.status === 'booked').length, 3);
        assert.equal(results.filter((r) => r.status === 'full').length, 5);
        assert.equal((await store.schedule.listBookings(s.id)).length, 3);
        assert.equal((await store.schedule.getSession(s.id))?.placesLeft, 0);
      });

      test('a preferred session is booked in the insert, and a cancelled place is given back', async () => {
        const s = await store.schedule.createSession(session({ capacity: 1 }));
        const { row } = await store.insertRegistration(registration({ preferredSessionId: s.id }));
        assert.equal(row.booking?.status, 'booked');
        assert.equal((await store.schedule.findBooking(row.reference))?.sessionId, s.id);
        const second = await store.insertRegistration(registration({ preferredSessionId: s.id }));
        assert.equal(second.row.booking?.status, 'full');
        const cancelled = await store.schedule.cancelBooking(row.reference, new Date().toISOString());
        assert.equal(cancelled?.status, 'cancelled');
        assert.equal((await store.schedule.getSession(s.id))?.placesLeft, 1);
      });

      test('a session change is decided on the current row and queues one notice per booked citizen', async () => {
        const s = await store.schedule.createSession(session());
        const { row } = await store.insertRegistration(registration({ preferredSessionId: s.id }));
        const changed = await store.schedule.updateSession(s.id, (current) => ({
          at: new Date().toISOString(),
          state: 'cancelled',
          notice: { vi: 'Hoãn do mưa bão', en: 'Called off: storm' },
          notify: { change: 'cancelled', body: () => ({ message: { vi: 'Buổi tiếp đã hủy', en: 'The session is cancelled' }, session: { id: current.id, unit: current.unit, venue: current.venue, startsAt: current.startsAt, endsAt: current.endsAt, state: 'cancelled' } }) },
        }));
        assert.equal(changed?.session.state, 'cancelled');
        assert.equal(changed?.noticesQueued, 1);
        const refused = await store.schedule.updateSession(s.id, () => {
          throw new Error('refused');
        }).catch((error: Error) => error.message);
        assert.equal(refused, 'refused');
        assert.equal((await store.schedule.getSession(s.id))?.sequence, changed?.session.sequence, 'a refused change writes nothing');
        const pending = (await store.schedule.pendingNotices(100)).filter((n) => n.sessionId === s.id);
        assert.deepEqual(pending.map((n) => [n.reference, n.change]), [[row.reference, 'cancelled']]);
        await store.schedule.planDeliveries(pending[0]!.id, ['email', 'sms'], new Date().toISOString());
        const deliveries = await store.schedule.listDeliveries(s.id);
        assert.deepEqual(deliveries.map((d) => d.channel).sort(), ['email', 'sms']);
      });
    });

    describe('sign-in accounts', { skip: lacks('accounts') }, () => {
      test('a user name is taken once, and failures count in one statement', async () => {
        const accounts = store.accounts!;
        const base = { username: `u${randomUUID().slice(0, 8)}`, displayName: 'Lê Văn Tâm', createdAt: new Date().toISOString(), createdBy: 'cli' };
        const created = await accounts.createAccount({ id: randomUUID(), ...base });
        assert.notEqual(created, 'username_taken');
        assert.equal(await accounts.createAccount({ id: randomUUID(), ...base }), 'username_taken');
        const id = (created as { id: string }).id;
        const counts = await Promise.all(Array.from({ length: 5 }, () => accounts.recordFailure(id, Date.now(), 5, 60_000)));
        assert.deepEqual(counts.map((c) => c.failedCount).sort(), [1, 2, 3, 4, 5]);
        const locked = (await accounts.getAccount(id))?.lockedUntil;
        assert.equal(typeof locked, 'number', 'ms since the epoch come back as numbers');
        assert.ok(locked! > Date.now());
      });

      test('roles, sessions, single sign-on transactions (taken once), a TOTP step accepted once, the audit log', async () => {
        const accounts = store.accounts!;
        const now = Date.now();
        const created = (await accounts.createAccount({ id: randomUUID(), username: `u${randomUUID().slice(0, 8)}`, displayName: 'Phạm Thu', createdAt: new Date().toISOString(), createdBy: 'cli' })) as { id: string };
        assert.equal(await accounts.grant(created.id, 'clerk', UNIT, 'admin', new Date().toISOString()), true);
        assert.equal(await accounts.grant(created.id, 'clerk', UNIT, 'admin', new Date().toISOString()), false);
        assert.deepEqual((await accounts.assignments(created.id)).map((a) => a.role), ['clerk']);
        assert.ok((await accounts.listAccounts(UNIT)).some((a) => a.id === created.id));
        const sid = randomUUID();
        await accounts.createSession({ id: sid, secretHash: `h-${sid}`, accountId: created.id, kind: 'browser', method: 'password', createdAt: now, lastSeenAt: now, expiresAt: now + 3_600_000, idleSeconds: 900 });
        assert.equal((await accounts.sessionBySecretHash(`h-${sid}`))?.expiresAt, now + 3_600_000);
        assert.equal(await accounts.endSession(sid, now + 1, 'sign_out'), true);
        assert.equal(await accounts.endSession(sid, now + 2, 'sign_out'), false);
        assert.equal(await accounts.acceptTotpStep(created.id, 100), true);
        assert.equal(await accounts.acceptTotpStep(created.id, 100), false, 'a code is never accepted twice');
        const state = randomUUID();
        await accounts.putTransaction({ state, nonce: 'n', codeVerifier: 'v', returnTo: '/', createdAt: now });
        assert.equal((await accounts.takeTransaction(state, now - 1000))?.nonce, 'n');
        assert.equal(await accounts.takeTransaction(state, now - 1000), undefined);
        await accounts.appendAudit({ at: new Date().toISOString(), event: 'sign_in', accountId: created.id, actor: created.id, detail: { method: 'password' } });
        const audit = await accounts.listAudit({ accountIds: [created.id], limit: 10 });
        assert.deepEqual(audit.map((a) => [a.event, a.detail]), [['sign_in', { method: 'password' }]]);
      });
    });

    describe('rooms and the audit chain', { skip: lacks('rooms') }, () => {
      test('the audit chain appends, verifies and lists a session', async () => {
        const rooms = store.openRooms!({ eventLogSize: 100 });
        const sessionId = `room-${randomUUID()}`;
        rooms.audit.append({ sessionId, at: new Date().toISOString(), actor: 'clerk-1', role: 'clerk', action: 'lobby.admit', target: 'p1' });
        rooms.audit.append({ sessionId, at: new Date().toISOString(), actor: 'chair-1', role: 'chair', action: 'room.open' });
        await rooms.durable();
        const entries = await rooms.audit.entries(sessionId);
        assert.deepEqual(entries.map((e) => e.action), ['lobby.admit', 'room.open']);
        assert.equal(entries[1]!.id, entries[0]!.id + 1);
        assert.equal((await rooms.audit.verify()).ok, true);
      });

      roomStoreContract(() => ({ store, rows: (sql) => opened.rows(sql), raw: (sql) => opened.raw(sql), auditGuard: fixture.auditGuard }));
    });

    describe("the desk's cases and the register", { skip: lacks('cases') }, () => caseStoreContract(() => store, registration, session));

    describe('recording', { skip: lacks('recordings') }, () => recordingStoreContract(() => store.recordings!));

    describe('recordings access log', { skip: lacks('accessLog') }, () => {
      test('appended entries are listed newest first', async () => {
        const log = store.accessLog!;
        const base = { at: new Date().toISOString(), recording_id: null, actor: 'anonymous', role: 'none', outcome: 'refused' as const, status: 401, ip: '127.0.0.1', user_agent: null, detail: null };
        await log.append({ ...base, action: `list-${randomUUID()}` });
        const marker = `play-${randomUUID()}`;
        await log.append({ ...base, action: marker });
        assert.equal((await log.list({ recordingId: null, limit: 1 }))[0]!.action, marker);
      });
    });

    describe('fences', { skip: lacks('fences') }, () => {
      test('an epoch at least as high as any before passes and raises the fence; a lower one is refused and changes nothing', async () => {
        const fences = store.fences!;
        const name = `recording:${randomUUID()}:finalize`;
        assert.equal(await fences.pass({ name, epoch: 5 }), true, 'the first epoch of a name passes');
        assert.equal(await fences.pass({ name, epoch: 5 }), true, 'the same holder passes again');
        assert.equal(await fences.pass({ name, epoch: 4 }), false, 'an earlier holder is refused');
        assert.equal(await fences.pass({ name, epoch: 6 }), true, 'a later holder passes');
        assert.equal(await fences.pass({ name, epoch: 5 }), false, 'and the one before it is refused from then on');
        assert.equal(await fences.pass({ name: `${name}-other`, epoch: 1 }), true, 'each name has its own fence');
      });

      test("epochs as large as ACQUIRE's (Redis's clock in milliseconds) are kept exactly", async () => {
        const fences = store.fences!;
        const name = `job:${randomUUID()}`;
        const epoch = 1_764_766_895_123;
        assert.equal(await fences.pass({ name, epoch }), true);
        assert.equal(await fences.pass({ name, epoch: epoch - 1 }), false, 'one below is refused: not rounded to a 32-bit or a float column');
        assert.equal(await fences.pass({ name, epoch }), true);
      });

      test('two holders passing at once: the higher epoch always ends up as the fence', async () => {
        const fences = store.fences!;
        for (let round = 0; round < 5; round += 1) {
          const name = `job:${randomUUID()}`;
          // Both may pass (the lower one first), but never may the lower one be stored after the higher.
          await Promise.all([fences.pass({ name, epoch: 7 }), fences.pass({ name, epoch: 8 })]);
          assert.equal(await fences.pass({ name, epoch: 7 }), false, `round ${round}: the higher epoch is the fence`);
          assert.equal(await fences.pass({ name, epoch: 8 }), true);
        }
      });
    });

    describe("the notice dispatcher's fence", { skip: lacks('fences') }, () => {
      test("a delivery's claim and attempt at an epoch below one already passed are refused and change nothing; the same epoch passes", async () => {
        const s = await store.schedule.createSession(session());
        const { row } = await store.insertRegistration(registration({ preferredSessionId: s.id }));
        await store.schedule.updateSession(s.id, (current) => ({
          at: new Date().toISOString(),
          state: 'cancelled',
          notify: { change: 'cancelled', body: () => ({ message: { vi: 'Buổi tiếp đã hủy', en: 'The session is cancelled' }, session: { id: current.id, unit: current.unit, venue: current.venue, startsAt: current.startsAt, endsAt: current.endsAt, state: 'cancelled' } }) },
        }));
        const notice = (await store.schedule.pendingNotices(1000)).find((n) => n.sessionId === s.id)!;
        await store.schedule.planDeliveries(notice.id, ['email'], new Date().toISOString());
        const delivery = (await store.schedule.pendingNotices(1, notice.id - 1))[0]!.deliveries[0]!;
        const state = async () => (await store.schedule.listDeliveries(s.id, row.reference)).map((d) => [d.state, d.attempts]);
        const name = `job:notices-${randomUUID()}`;
        const later = { name, epoch: 1_764_766_895_124 };
        const stale = { name, epoch: later.epoch - 1 };

        assert.equal(await store.schedule.claimDelivery(delivery.id, stale), true, 'the first holder claims a queued delivery');
        assert.equal(await store.schedule.claimDelivery(delivery.id, later), true, 'a later holder claims it as well');
        await assert.rejects(store.schedule.claimDelivery(delivery.id, stale), FenceRefusedError, 'the stale holder may not send it any more');
        await assert.rejects(store.schedule.recordAttempt(delivery.id, { state: 'sent', at: new Date().toISOString() }, stale), FenceRefusedError);
        await assert.rejects(store.schedule.recordAttempt(delivery.id, { state: 'queued', at: new Date().toISOString(), nextAt: new Date().toISOString(), error: 'x' }, stale), FenceRefusedError);
        assert.deepEqual(await state(), [['queued', 0]], 'a refused attempt writes nothing');
        assert.equal(await store.fences!.pass(stale), false, 'and the refusals did not lower the fence');

        assert.equal(await store.schedule.claimDelivery(delivery.id, later), true, 'the same epoch passes again');
        await store.schedule.recordAttempt(delivery.id, { state: 'sent', at: new Date().toISOString() }, later);
        assert.deepEqual(await state(), [['sent', 1]]);
        assert.equal(await store.schedule.claimDelivery(delivery.id, later), false, 'a sent delivery is not claimed again');
        assert.equal(await store.schedule.claimDelivery(delivery.id), false, 'nor without a fence');
      });
    });

    // Last: the raw rows written here are not part of any chain.
    describe('append-only tables, refused by the database', () => {
      for (const [table, insert] of [
        ['room_audit', "INSERT INTO room_audit (id, session_id, at, actor, role, action, target, detail, prev_hash, hash) VALUES (900001, 's', '2026-01-01T00:00:00.000Z', 'a', 'clerk', 'lobby.admit', NULL, '{}', 'p', 'h')"],
        ['recording_access', "INSERT INTO recording_access (at, recording_id, actor, role, action, outcome, status) VALUES ('2026-01-01T00:00:00.000Z', NULL, 'a', 'clerk', 'list', 'allowed', 200)"],
        ['auth_audit', "INSERT INTO auth_audit (at, event, actor) VALUES ('2026-01-01T00:00:00.000Z', 'sign_in', 'a')"],
      ] as const) {
        test(`${table}: an UPDATE or DELETE from any session is refused`, async () => {
          await opened.raw(insert);
          await assert.rejects(opened.raw(`UPDATE ${table} SET actor = 'someone else'`), new RegExp(`${table} is append-only`, 'u'));
          await assert.rejects(opened.raw(`DELETE FROM ${table}`), new RegExp(`${table} is append-only`, 'u'));
        });
      }
    });
  });
}

describe('a store without a capability', () => {
  const postgres = STORE_FIXTURES.find((f) => f.name === 'postgres')!;
  test('the postgres store provides every capability: a server starts on it', { skip: postgres.unavailable }, async () => {
    const opened = await postgres.open();
    try {
      const server = await createServer(testConfig({ store: { kind: 'postgres', url: opened.url! } }));
      try {
        const url = await server.start();
        assert.equal((await fetch(`${url}/healthz`)).status, 200);
      } finally {
        await server.close();
      }
    } finally {
      await opened.dispose();
    }
  });

  test('stops the server at start, naming each missing capability', async () => {
    const fixture = STORE_FIXTURES.find((f) => !f.unavailable)!;
    const opened = await fixture.open();
    try {
      // The same store with its rooms and recording hidden: what a store that lacks them looks like.
      const partial = new Proxy(opened.store, { get: (target, key) => (key === 'openRooms' || key === 'recordings' ? undefined : Reflect.get(target, key)) });
      const refused = await createServer(testConfig(), { store: partial }).then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(refused instanceof MissingCapabilityError);
      assert.deepEqual(refused.missing, ['rooms', 'recordings']);
      assert.match(refused.message, /does not provide rooms and their audit chain .*; recording \(required by law/u);
    } finally {
      await opened.dispose();
    }
  });
});
