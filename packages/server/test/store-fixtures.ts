/**
 * The stores the contract suite (store-contract.test.ts) runs against, each opened fresh: SQLite in a temp folder,
 * PostgreSQL as a real server started from Debian's binaries (pg-server.ts), a new database each time.
 * `lacks` lists the capabilities a store does not provide (the suite checks it says so); `unavailable` is why a
 * store cannot run on this machine, reported as the suite's skip reason.
 */
import type { Capability } from '../src/store/capabilities.js';
import { PostgresStore } from '../src/store/postgres.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { randomUUID } from 'node:crypto';
import type { Registration } from '@tiepdan/core';
import type { NewSession } from '../src/store/schedule-store.js';
import type { EngineStore, NewRegistration } from '../src/store/store.js';
import type { ConfigInput } from '../src/index.js';
import { PROVISIONAL_OFF, removeDir, startServer, tempDir, UNIT, validRegistration, type TestServer } from './helpers.js';
import { postgresUnavailable, startPostgres, type PgServer } from './pg-server.js';

export interface OpenedStore {
  store: EngineStore;
  /** Runs SQL on the store's database directly, as an operator's session could (to check what the database refuses). */
  raw(sql: string): Promise<void>;
  /** The rows of a query on the store's database, read directly (on PostgreSQL, not through the store's transactions). */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** A URL for the server's config (postgres only). */
  url?: string;
  dispose(): Promise<void>;
}

export interface StoreFixture {
  name: string;
  lacks: Capability[];
  /** SQL that takes room_audit's UPDATE guard away and puts it back, as the database's owner could. */
  auditGuard: { off: string; on: string };
  unavailable?: string | undefined;
  open(): Promise<OpenedStore>;
  /** The `store` config for a whole server on this store (a fresh database), and how to remove it afterwards. */
  serverStore(): Promise<{ values: Partial<ConfigInput>; dispose(): Promise<void> }>;
}

/** A test server (helpers.startServer) whose store is `fixture`'s; closing it removes the store's database too. */
export async function startServerOn(fixture: StoreFixture, values: Partial<ConfigInput> = {}): Promise<TestServer> {
  const { values: storeValues, dispose } = await fixture.serverStore();
  try {
    const t = await startServer({ ...values, ...storeValues });
    return {
      ...t,
      async close() {
        try {
          await t.close();
        } finally {
          await dispose();
        }
      },
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

export const STORE_FIXTURES: StoreFixture[] = [
  {
    name: 'sqlite',
    lacks: [],
    auditGuard: {
      off: 'DROP TRIGGER room_audit_no_update',
      // As migration 3 created it.
      on: "CREATE TRIGGER room_audit_no_update BEFORE UPDATE ON room_audit BEGIN SELECT RAISE(ABORT, 'room_audit is append-only'); END",
    },
    async serverStore() {
      return { values: {}, async dispose() {} };
    },
    async open() {
      const dir = tempDir('tiepdan-contract-');
      const store = new SqliteStore(dir, PROVISIONAL_OFF);
      return {
        store,
        async raw(sql) {
          store.db.exec(sql);
        },
        async rows(sql) {
          return store.db.prepare<[], Record<string, unknown>>(sql).all();
        },
        async dispose() {
          await store.close();
          removeDir(dir);
        },
      };
    },
  },
  {
    name: 'postgres',
    lacks: [],
    auditGuard: { off: 'ALTER TABLE room_audit DISABLE TRIGGER room_audit_no_update', on: 'ALTER TABLE room_audit ENABLE TRIGGER room_audit_no_update' },
    unavailable: postgresUnavailable,
    async serverStore() {
      const server = await startPostgres();
      try {
        return { values: { store: { kind: 'postgres', url: await server.createDatabase() } }, dispose: () => server.stop() };
      } catch (error) {
        await server.stop();
        throw error;
      }
    },
    async open() {
      const server: PgServer = await startPostgres();
      try {
        const url = await server.createDatabase();
        const store = await PostgresStore.open(url, PROVISIONAL_OFF);
        return {
          store,
          url,
          async raw(sql) {
            await store.pool.query(sql);
          },
          async rows(sql) {
            return (await store.pool.query<Record<string, unknown>>(sql)).rows;
          },
          async dispose() {
            await store.close();
            await server.stop();
          },
        };
      } catch (error) {
        await server.stop();
        throw error;
      }
    },
  },
];

/** A registration as the intake hands it to the store (a PDF attached unless `overrides` say otherwise). */
export function newRegistration(overrides: Partial<NewRegistration> = {}): NewRegistration {
  return {
    clientId: randomUUID(),
    contentHash: 'h-' + randomUUID(),
    unit: UNIT,
    kind: 'kien_nghi',
    phoneHash: 'phone-' + randomUUID(),
    displayName: 'Nguyễn Thị Hoa',
    summary: 'Kiến nghị sửa đường trước chợ.',
    groupSize: 1,
    registration: validRegistration() as Registration,
    receivedAt: new Date().toISOString(),
    attachments: [{ id: randomUUID(), name: 'đơn.pdf', type: 'application/pdf', size: 10, sha256: 'a'.repeat(64), purpose: 'evidence' }],
    ...overrides,
  };
}

/** An open periodic session a week from now, with three places. */
export function newSession(overrides: Partial<NewSession> = {}): NewSession {
  const starts = Date.now() + 7 * 86_400_000;
  return {
    id: `s-${randomUUID()}`,
    kind: 'periodic',
    host: { role: 'chair', name: 'Chủ tịch UBND phường' },
    level: 'commune',
    unit: UNIT,
    venue: 'Trụ sở UBND phường Sa Đéc',
    connectionPoints: [],
    startsAt: new Date(starts).toISOString(),
    endsAt: new Date(starts + 3_600_000).toISOString(),
    capacity: 3,
    remoteAllowed: true,
    state: 'open',
    createdAt: new Date().toISOString(),
    publishedAt: new Date().toISOString(),
    ...overrides,
  };
}
