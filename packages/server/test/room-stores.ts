/**
 * The stores the rooms' process tests (rooms-crash, rooms-restart, rooms-cluster) run a server on: SQLite in its data folder,
 * and PostgreSQL, a real server started once for the file (pg-server.ts) with a new database per run, named by the
 * config's `store`. What a test reads back afterwards is the same SQL on both (room_chat is a view on both).
 * The postgres run is skipped, with the reason, where PostgreSQL's binaries are absent or the postgres store lacks a
 * capability the server needs to start.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import type { ConfigInput } from '../src/index.js';
import { missingCapabilities } from '../src/store/capabilities.js';
import { PostgresStore } from '../src/store/postgres.js';
import { postgresUnavailable, startPostgres, type PgServer } from './pg-server.js';

let postgres: PgServer | undefined;

/** Stops the PostgreSQL server the runs started (call in the file's `after`). */
export async function stopRoomStores(): Promise<void> {
  await postgres?.stop();
}

/** What a test reads back from the store once the server stopped. */
export type Rows = (sql: string) => Promise<Record<string, unknown>[]>;

export interface RoomProcessStore {
  name: string;
  unavailable?: string | undefined;
  /** The config's `store` (and its reader) for a server on `dataDir`. */
  open(dataDir: string): Promise<{ values: Partial<ConfigInput>; rows: Rows; close(): Promise<void> }>;
}

/**
 * Why the postgres run cannot start a server here: no PostgreSQL binaries, or a capability the postgres store does
 * not provide yet (the server refuses to start without it), asked of a store opened on the test's own server.
 */
async function postgresSkip(): Promise<string | undefined> {
  if (postgresUnavailable) return postgresUnavailable;
  postgres = await startPostgres();
  const store = await PostgresStore.open(await postgres.createDatabase());
  const missing = missingCapabilities(store);
  await store.close();
  return missing.length > 0 ? `the postgres store does not provide ${missing.join(', ')} yet, so a server does not start on it` : undefined;
}

export const ROOM_STORES: RoomProcessStore[] = [
  {
    name: 'sqlite',
    async open(dataDir) {
      let db: Database.Database | undefined;
      return {
        values: {},
        async rows(sql) {
          db ??= new Database(`${dataDir}/tiepdan.sqlite`, { readonly: true });
          return db.prepare<[], Record<string, unknown>>(sql).all();
        },
        async close() {
          db?.close();
        },
      };
    },
  },
  {
    name: 'postgres',
    unavailable: await postgresSkip(),
    async open() {
      postgres ??= await startPostgres();
      const url = await postgres.createDatabase();
      const client = new pg.Client({ connectionString: url });
      let connected = false;
      return {
        values: { store: { kind: 'postgres', url } },
        async rows(sql) {
          if (!connected) await client.connect();
          connected = true;
          return (await client.query<Record<string, unknown>>(sql)).rows;
        },
        async close() {
          if (connected) await client.end();
        },
      };
    },
  },
];

