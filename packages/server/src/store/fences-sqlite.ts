/** The fences (store/fences.ts) in SQLite: the rule as one prepared statement, for a check alone or inside a write's transaction. */
import type Database from 'better-sqlite3';
import { FENCE_SQLITE, type Fence, type FenceStore } from './fences.js';

export class SqliteFences implements FenceStore {
  private readonly statement: Database.Statement<[string, number]>;

  constructor(db: Database.Database) {
    this.statement = db.prepare<[string, number]>(FENCE_SQLITE);
  }

  /** Synchronous, so it runs inside the caller's transaction (better-sqlite3's are synchronous): true = allowed. */
  passNow(fence: Fence): boolean {
    return this.statement.run(fence.name, fence.epoch).changes === 1;
  }

  async pass(fence: Fence): Promise<boolean> {
    return this.passNow(fence);
  }
}
