/**
 * The case store's contract (store/case-store.ts), run by store-contract.test.ts against every store that provides
 * it: the register's numbers are handed out once each, without gaps, under concurrent creates, steps and splits;
 * a refused step writes nothing and uses no number; concurrent steps on one case each apply on the row the other
 * wrote; a citizen's notice is queued once per key; the register reads back in one order, asserted to the same
 * rows on every store. The concurrent cases run their calls together (Promise.all): on PostgreSQL they are on
 * different connections, so the row locks decide.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { MatterKind, ReceptionCase } from '@tiepdan/core';
import type { CaseRow, CaseWrite, NextNumber } from '../src/store/case-store.js';
import type { EngineStore, NewRegistration } from '../src/store/store.js';
import type { NewSession } from '../src/store/schedule-store.js';

const YEAR = 2026;
const AT = '2026-12-02T08:00:00.000Z';

/** A unit of its own for each test: its counters start at 1. */
const freshUnit = (name = 'u') => `${name}-${randomUUID().slice(0, 8)}`;

function receptionCase(unit: string, registerNumber: number, overrides: Partial<ReceptionCase> = {}): ReceptionCase {
  return {
    id: randomUUID(),
    unit,
    state: 'open',
    origin: 'walk_in',
    kind: 'kien_nghi',
    registerNumber,
    registerYear: YEAR,
    citizen: { fullName: 'Nguyễn Thị Hoa', address: 'Khóm 3, phường Sa Đéc' },
    groupSize: 1,
    previousHandling: [],
    summary: 'Kiến nghị sửa đường trước chợ.',
    helpers: [],
    directions: [],
    openedAt: AT,
    openedBy: 'clerk-1',
    updatedAt: AT,
    events: [{ at: AT, by: 'clerk-1', action: 'opened' }],
    ...overrides,
  };
}

const audit = (c: ReceptionCase, action: string) => ({ sessionId: c.sessionId ?? `desk:${c.unit}`, at: AT, actor: 'official:clerk-1', role: 'clerk', action: `desk.${action}`, target: `case:${c.id}` });

/** What a desk's open does: one new case on the next register line. */
const opening = (unit: string, overrides: Partial<ReceptionCase> = {}) => (next: NextNumber): CaseWrite => {
  const c = receptionCase(unit, next('register', unit, YEAR), overrides);
  return { rows: [{ case: c, revision: 1 }], audit: audit(c, 'open') };
};

/** A step on the current case: `apply` changes a copy, the store writes it with its audit entry. */
const step = (action: string, apply: (c: ReceptionCase, next: NextNumber) => ReceptionCase[] | void) => (current: CaseRow, next: NextNumber): CaseWrite => {
  const c = structuredClone(current.case);
  const extra = apply(c, next) ?? [];
  c.events.push({ at: AT, by: 'clerk-1', action });
  return { rows: [{ case: c, revision: current.revision }, ...extra.map((n) => ({ case: n, revision: 1 }))], audit: audit(c, action) };
};

async function open(store: EngineStore, unit: string, overrides: Partial<ReceptionCase> = {}): Promise<ReceptionCase> {
  return (await store.cases!.create(opening(unit, overrides)))[0]!.case;
}

const lines = (rows: CaseRow[]) => rows.map((r) => r.case.registerNumber);

export function caseStoreContract(store: () => EngineStore, registration: (overrides?: Partial<NewRegistration>) => NewRegistration, newSession: () => NewSession): void {
  test('concurrent opens in one unit take the lines 1..N, each once, and the register lists them in order', async () => {
    const s = store();
    const unit = freshUnit();
    const created = await Promise.all(Array.from({ length: 12 }, () => open(s, unit)));
    assert.deepEqual(created.map((c) => c.registerNumber).sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i + 1));
    assert.deepEqual(lines(await s.cases!.list({ unit }, 100)), Array.from({ length: 12 }, (_, i) => i + 1));
    // Another unit's register, and the next year's, are numbered on their own.
    assert.equal((await open(s, freshUnit())).registerNumber, 1);
    assert.equal((await s.cases!.create((next) => {
      const c = receptionCase(unit, next('register', unit, YEAR + 1), { registerYear: YEAR + 1 });
      return { rows: [{ case: c, revision: 1 }], audit: audit(c, 'open') };
    }))[0]!.case.registerNumber, 1);
  });

  test('a refused open or step writes nothing and uses no number', async () => {
    const s = store();
    const unit = freshUnit();
    await assert.rejects(s.cases!.create((next) => {
      next('register', unit, YEAR);
      throw new Error('refused after numbering');
    }), /refused after numbering/u);
    const first = await open(s, unit);
    assert.equal(first.registerNumber, 1, 'the refused open left no gap');
    const before = (await s.cases!.get(first.id))!;
    await assert.rejects(s.cases!.update(first.id, step('receipt', (c, next) => {
      next('receipt', unit, YEAR);
      throw new Error('refused receipt');
    })), /refused receipt/u);
    assert.deepEqual(await s.cases!.get(first.id), before, 'the refused step changed nothing');
    const [receipted] = (await s.cases!.update(first.id, step('receipt', (c, next) => {
      c.notes = `receipt ${next('receipt', unit, YEAR)}`;
    })))!;
    assert.equal(receipted!.case.notes, 'receipt 1');
    assert.equal(receipted!.revision, before.revision + 1);
    assert.equal(await s.cases!.update(randomUUID(), step('x', () => undefined)), undefined, 'no such case');
  });

  test('concurrent steps on one case all apply, each on the row the one before wrote', async () => {
    const s = store();
    const unit = freshUnit();
    const c = await open(s, unit);
    const actions = Array.from({ length: 6 }, (_, i) => `direction ${i}`);
    const results = await Promise.all(actions.map((action) => s.cases!.update(c.id, step(action, (x) => {
      x.directions.push({ by: 'chair-1', at: AT, to: 'Phòng Kinh tế', what: action, deadline: '2027-01-10' });
    }))));
    assert.deepEqual(results.map((r) => r![0]!.revision).sort((a, b) => a - b), [2, 3, 4, 5, 6, 7]);
    const now = (await s.cases!.get(c.id))!;
    assert.equal(now.revision, 7);
    assert.deepEqual(now.case.directions.map((d) => d.what).sort(), [...actions].sort());
    assert.deepEqual(now.case.events.slice(1).map((e) => e.action).sort(), [...actions].sort());
  });

  test('receipts on different cases of one unit, at once, take the receipt numbers 1..N; the register lines stay as they were', async () => {
    const s = store();
    const unit = freshUnit();
    const cases = await Promise.all(Array.from({ length: 5 }, () => open(s, unit)));
    const numbered = await Promise.all(cases.map((c) => s.cases!.update(c.id, step('receipt', (x, next) => {
      x.notes = String(next('receipt', unit, YEAR));
    }))));
    assert.deepEqual(numbered.map((r) => Number(r![0]!.case.notes)).sort((a, b) => a - b), [1, 2, 3, 4, 5]);
    assert.deepEqual(lines(await s.cases!.list({ unit }, 100)), [1, 2, 3, 4, 5]);
  });

  test('a split numbers each new part once, also while other cases are opened at once; a step may number two series', async () => {
    const s = store();
    const unit = freshUnit();
    const c = await open(s, unit, { kind: 'kien_nghi' });
    const split = step('split', (x, next) => (['khieu_nai', 'to_cao'] as MatterKind[]).map((kind) => receptionCase(unit, next('register', unit, YEAR), { kind, splitFrom: x.id })));
    const [rows] = await Promise.all([s.cases!.update(c.id, split), ...Array.from({ length: 4 }, () => open(s, unit))]);
    assert.equal(rows!.length, 3);
    assert.equal(rows![0]!.case.id, c.id, 'the first row is the case itself');
    const parts = rows!.slice(1).map((r) => r.case);
    assert.deepEqual(parts.map((p) => [p.kind, p.splitFrom]), [['khieu_nai', c.id], ['to_cao', c.id]]);
    assert.equal(parts[1]!.registerNumber, parts[0]!.registerNumber + 1, 'the parts of one split are numbered together');
    const register = await s.cases!.list({ unit }, 100);
    assert.deepEqual(lines(register), [1, 2, 3, 4, 5, 6, 7], 'every line once, none skipped');
    for (const p of parts) assert.equal((await s.cases!.get(p.id))?.case.kind, p.kind);
    // One step that hands out numbers of two series: both come from their own counter.
    const [both] = (await s.cases!.update(c.id, step('numbers', (x, next) => {
      x.notes = `${next('refusal', unit, YEAR)} ${next('receipt', unit, YEAR)} ${next('refusal', unit, YEAR)}`;
    })))!;
    assert.equal(both!.case.notes, '1 1 2');
  });

  test('the register reads back the same rows in the same order: by unit in byte order, year, line; filters narrow it', async () => {
    const s = store();
    const prefix = freshUnit('reg');
    // Upper case sorts before lower case in byte order (SQLite's), unlike most locales' collations.
    const [upper, lower] = [`${prefix}.Zeta`, `${prefix}.alpha`];
    const sealed = Buffer.from([0, 1, 2, 250, 255]);
    const a1 = await open(s, lower, { kind: 'to_cao' });
    const z1 = await open(s, upper, { sessionId: 's-1', pointId: 'p-1', registrationReference: 'REF-1' });
    const a2 = await open(s, lower, { origin: 'in_person', openedAt: '2026-11-02T05:00:00.000Z' });
    const z2 = await s.cases!.create((next) => {
      const c = receptionCase(upper, next('register', upper, YEAR), { kind: 'to_cao', citizen: { fullName: '' } });
      return { rows: [{ case: c, sealed, revision: 1 }], audit: audit(c, 'open') };
    });
    await s.cases!.update(a1.id, step('refuse', (x) => {
      x.state = 'refused';
    }));
    const all = await s.cases!.list({}, 1000);
    const ours = all.filter((r) => r.case.unit.startsWith(prefix));
    assert.deepEqual(ours.map((r) => [r.case.unit, r.case.registerYear, r.case.registerNumber, r.case.kind, r.case.state, r.revision]), [
      [upper, YEAR, 1, 'kien_nghi', 'open', 1],
      [upper, YEAR, 2, 'to_cao', 'open', 1],
      [lower, YEAR, 1, 'to_cao', 'refused', 2],
      [lower, YEAR, 2, 'kien_nghi', 'open', 1],
    ]);
    assert.deepEqual(ours[0]!.case, z1, 'a case comes back as written');
    assert.deepEqual(ours[1]!.sealed, sealed, 'the sealed blob comes back byte for byte');
    assert.equal(ours[0]!.sealed, undefined);
    assert.deepEqual(lines(await s.cases!.list({ unit: lower, state: 'open' }, 10)), [2]);
    assert.deepEqual((await s.cases!.list({ unit: lower, origin: 'in_person' }, 10)).map((r) => r.case.id), [a2.id]);
    assert.deepEqual((await s.cases!.list({ unit: lower, from: '2026-11-01T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z' }, 10)).map((r) => r.case.id), [a2.id]);
    assert.deepEqual((await s.cases!.list({ kind: 'to_cao', unit: upper }, 10)).map((r) => r.case.id), [z2[0]!.case.id]);
    assert.deepEqual((await s.cases!.list({ pointId: 'p-1', sessionId: 's-1', registrationReference: 'REF-1' }, 10)).map((r) => r.case.id), [z1.id]);
    assert.equal((await s.cases!.list({ unit: lower }, 1)).length, 1, 'the limit holds');
  });

  test('the open case of a registration is found per session, and not once it is closed', async () => {
    const s = store();
    const unit = freshUnit();
    const reference = `REF-${randomUUID().slice(0, 8)}`;
    const inSession = await open(s, unit, { registrationReference: reference, sessionId: 's-a' });
    const noSession = await open(s, unit, { registrationReference: reference });
    assert.equal((await s.cases!.findOpen(reference, 's-a'))?.case.id, inSession.id);
    assert.equal((await s.cases!.findOpen(reference, undefined))?.case.id, noSession.id);
    assert.equal(await s.cases!.findOpen(reference, 's-b'), undefined);
    await s.cases!.update(inSession.id, step('close', (x) => {
      x.state = 'closed';
    }));
    assert.equal(await s.cases!.findOpen(reference, 's-a'), undefined);
  });

  test("a step's notice to the citizen is queued once, however often the step is written", async () => {
    const s = store();
    const created = await s.schedule.createSession(newSession());
    const sessionId = created.id;
    const { row: reg } = await s.insertRegistration(registration());
    const c = await open(s, freshUnit(), { registrationReference: reg.reference, sessionId });
    const session = { id: sessionId, unit: created.unit, venue: created.venue, startsAt: created.startsAt, endsAt: created.endsAt, state: created.state };
    const notified = (current: CaseRow, next: NextNumber): CaseWrite => ({
      ...step('receipt', () => undefined)(current, next),
      notice: { sessionId, reference: reg.reference, change: 'receipt', sequence: c.registerNumber, body: { message: { vi: 'Đã nhận hồ sơ', en: 'Documents received' }, session }, at: AT },
    });
    await s.cases!.update(c.id, notified);
    await s.cases!.update(c.id, notified);
    const queued = (await s.schedule.pendingNotices(1000)).filter((n) => n.sessionId === sessionId);
    assert.deepEqual(queued.map((n) => [n.reference, n.change]), [[reg.reference, 'receipt']]);
    assert.equal((await s.cases!.get(c.id))!.revision, 3, 'both steps were written');
  });
}
