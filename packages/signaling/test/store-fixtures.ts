/**
 * The stores the contract suite (store-contract.test.ts) runs against, each opened fresh: SQLite in a temp folder.
 * `lacks` lists the capabilities a store does not provide (the suite checks it says so); `unavailable` is why a
 * store cannot run on this machine, reported as the suite's skip reason.
 */
import type { Capability } from '../src/store/capabilities.js';
import { SqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/store.js';
import { PROVISIONAL_OFF, removeDir, tempDir } from './helpers.js';

export interface OpenedStore {
  store: Store;
  dispose(): Promise<void>;
}

export interface StoreFixture {
  name: string;
  lacks: Capability[];
  unavailable?: string | undefined;
  open(): Promise<OpenedStore>;
}

export const STORE_FIXTURES: StoreFixture[] = [
  {
    name: 'sqlite',
    lacks: [],
    async open() {
      const dir = tempDir('tiepdan-contract-');
      const store = new SqliteStore(dir, PROVISIONAL_OFF);
      return {
        store,
        async dispose() {
          await store.close();
          removeDir(dir);
        },
      };
    },
  },
];
