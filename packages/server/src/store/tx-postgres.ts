/**
 * Transactions on the PostgreSQL pool: one client per transaction, READ COMMITTED plus explicit row locks
 * (`SELECT … FOR UPDATE`) where a decision reads what it then writes (capacity, a state change), so two nodes
 * deciding at once serialise on the row instead of both seeing the last free place.
 */
import type { Pool, PoolClient } from 'pg';

export type Tx = PoolClient;

export async function inTransaction<T>(pool: Pool, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  } finally {
    client.release();
  }
}

/** The first row of a query, or undefined. */
export async function one<R extends object>(tx: Pool | Tx, sql: string, params: unknown[] = []): Promise<R | undefined> {
  return (await tx.query<R>(sql, params)).rows[0];
}

export async function all<R extends object>(tx: Pool | Tx, sql: string, params: unknown[] = []): Promise<R[]> {
  return (await tx.query<R>(sql, params)).rows;
}
