/**
 * A real Redis server for tests, from Debian's `redis-server` (which .ci/run installs): a free port on 127.0.0.1,
 * no persistence (`--save ''`, no AOF), a temp working folder, killed and removed at the end.
 * `redisUnavailable` says why it cannot run here (no binary), which the suites report as their skip reason.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from './helpers.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
export const redisUnavailable: string | undefined = found.status === 0 ? undefined : 'redis-server not found on PATH (apt-get install redis-server; .ci/run installs it)';


export interface RedisServer {
  url: string;
  /** A client for the test's own looks (leases, counters). */
  client(): Redis;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  if (redisUnavailable) throw new Error(redisUnavailable);
  const dir = mkdtempSync(join(tmpdir(), 'tiepdan-redis-'));
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `redis://127.0.0.1:${port}`;
  const clients: Redis[] = [];
  // Ready when it answers PING (ioredis retries the connection until it listens).
  const probe = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
  probe.on('error', () => undefined);
  await Promise.race([probe.ping(), exited.then(() => Promise.reject(new Error('redis-server exited before listening')))]);
  await probe.quit();
  return {
    url,
    client() {
      const c = new Redis(url);
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
