/**
 * Fences (issue 13): a stale holder of a job's lease or a lock must not write over what a later holder wrote.
 * A node paused (or cut off from Redis) past its lease still believes it holds it until its next renewal, and the
 * lease alone cannot stop a write it already started. Every taking of a lease gets a higher epoch
 * (cluster/lease-scripts.ts, ACQUIRE); a guarded write carries it, and the store keeps the highest epoch seen per
 * name in `job_fences`: a lower one is refused, and what it guards is not written.
 *
 * The rule is one statement, the same on both engines, run first inside the guarded write's transaction: it
 * raises the stored epoch to the caller's when that is at least as high (1 row changed: allowed) and changes
 * nothing otherwise (0 rows: refused). On PostgreSQL the upsert locks the fence's row, so two holders writing at
 * once serialise on it and the later one re-checks against what the first committed.
 */
import type { Migration } from './migration.js';

/** A write's claim: the lease's name (any string naming the job or the lock) and the epoch it was taken with. */
export interface Fence {
  readonly name: string;
  readonly epoch: number;
}

/** The store's fences (Store.fences). */
export interface FenceStore {
  /**
   * Checks `fence` on its own (outside any guarded write) and raises the stored epoch to it: false when a higher
   * epoch has passed the same name, so the caller lost its lease and must not start the write it guards.
   */
  pass(fence: Fence): Promise<boolean>;
}

/** A guarded write refused by its fence: nothing was written. */
export class FenceRefusedError extends Error {
  constructor(readonly fence: Fence) {
    super(`refused by the fence "${fence.name}": a later holder (epoch above ${fence.epoch}) has taken over, so this node's write is stale and nothing was written`);
    this.name = 'FenceRefusedError';
  }
}

const FENCE = 'INSERT INTO job_fences (name, epoch) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET epoch = excluded.epoch WHERE excluded.epoch >= job_fences.epoch';
/** The rule, with SQLite's placeholders (name, epoch). */
export const FENCE_SQLITE = FENCE;
/** The same rule with PostgreSQL's placeholders ($1 name, $2 epoch). */
export const FENCE_PG = FENCE.replace('(?, ?)', '($1, $2)');

/** SQLite migration 13. PostgreSQL's twin is version 9 (store/migrations-postgres.ts). */
export const JOB_FENCES_MIGRATION: Migration = {
  version: 13,
  name: 'fences: the highest epoch seen per job lease or lock, so a stale holder\'s write is refused',
  sql: `
    -- One row per guarded name; epochs are ACQUIRE's (Redis's clock in ms at least), so 64-bit integers.
    CREATE TABLE job_fences (
      name   TEXT PRIMARY KEY,
      epoch  INTEGER NOT NULL
    ) STRICT;
  `,
};
