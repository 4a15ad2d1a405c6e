/** The fences (store/fences.ts) on PostgreSQL: the rule on the pool for a check alone, or on a write's transaction. */
import type pg from 'pg';
import { FENCE_PG, type Fence, type FenceStore } from './fences.js';
import type { Tx } from './tx-postgres.js';

/** Applies `fence` on `tx` (first in the guarded write's transaction): true = allowed, and its row stays locked until commit. */
export async function passFence(tx: pg.Pool | Tx, fence: Fence): Promise<boolean> {
  return (await tx.query(FENCE_PG, [fence.name, fence.epoch])).rowCount === 1;
}

export class PostgresFences implements FenceStore {
  constructor(private readonly pool: pg.Pool) {}

  pass(fence: Fence): Promise<boolean> {
    return passFence(this.pool, fence);
  }
}
