/**
 * Builds the cluster the configuration names: in process for bus `memory`, on Redis for bus `redis`. A node that
 * cannot reach Redis does not start (it would run the notice dispatcher and the recording watchdog beside the
 * node that already runs them), and says which Redis, without its password.
 */
import type { Config } from '../config/schema.js';
import type { Cluster } from './cluster.js';
import { MemoryCluster } from './memory.js';
import { RedisCluster } from './redis.js';

/** How long a starting node waits for Redis (bus `redis`). */
export const REDIS_START_MS = 10_000;

/** The URL without its password, for the log and the start error. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}

export async function openCluster(config: Config, onError: (error: unknown) => void): Promise<Cluster> {
  if (config.bus.kind !== 'redis') return new MemoryCluster();
  const cluster = new RedisCluster({ url: config.bus.url, leaseMs: config.bus.leaseMs, nodeId: config.bus.nodeId, onError });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const unreachable = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bus: Redis at ${redactedUrl(config.bus.kind === 'redis' ? config.bus.url : '')} did not answer within ${REDIS_START_MS / 1000} s; tiepdan does not start without it`)), REDIS_START_MS);
  });
  try {
    await Promise.race([cluster.ready, unreachable]);
  } catch (error) {
    await cluster.close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return cluster;
}
