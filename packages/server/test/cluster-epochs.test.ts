/**
 * Epochs of job leases and locks (issue 13, fencing): every taking of a lease gets a number higher than every
 * earlier taking's, on any node, and renewing keeps it, so a store can refuse a write from a holder that lost the
 * lease without knowing it yet. On a real Redis (redis-server.ts; skipped with the reason where it is absent), with
 * node A behind a TCP relay the test cuts: A stays alive and believes it holds the lease, as a node cut off from
 * Redis (or paused) does, while its lease lapses in Redis and node B takes it. The in-memory cluster counts in process.
 */
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Lease } from '../src/cluster/cluster.js';
import { MemoryCluster } from '../src/cluster/memory.js';
import { epochKey, jobLeaseKey, lockKey, RedisCluster } from '../src/cluster/redis.js';
import { redisUnavailable, startRedis, type RedisServer } from './redis-server.js';
import { until } from './rooms-helpers.js';

const LEASE_MS = 600;
const WAIT = 15_000;

/**
 * A TCP relay to Redis; `cut()` drops its connections and refuses new ones, as a network partition would, and
 * `heal()` listens again (so the cut-off node can close at the end).
 */
interface Relay {
  url: string;
  cut(): Promise<void>;
  heal(): Promise<void>;
}
const relays: Relay[] = [];

async function relay(target: string): Promise<Relay> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect(Number(port), hostname);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => (sockets.delete(s), inbound.destroy(), outbound.destroy()));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const listening = (server.address() as { port: number }).port;
  let open = true;
  const made: Relay = {
    url: `redis://127.0.0.1:${listening}`,
    cut: () =>
      new Promise<void>((done) => {
        open = false;
        server.close(() => done());
        for (const s of sockets) s.destroy();
      }),
    heal: async () => {
      if (open) return;
      open = true;
      await new Promise<void>((done) => server.listen(listening, '127.0.0.1', done));
    },
  };
  relays.push(made);
  return made;
}

describe('cluster epochs on Redis', { skip: redisUnavailable }, () => {
  let redis: RedisServer;
  const clusters: RedisCluster[] = [];
  const node = (url: string, nodeId: string) => {
    const cluster = new RedisCluster({ url, leaseMs: LEASE_MS, nodeId });
    clusters.push(cluster);
    return cluster;
  };

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    // A cut-off node's commands wait in ioredis's queue until it reaches Redis again.
    await Promise.all(relays.map((r) => r.heal()));
    await Promise.all(clusters.map((c) => c.close()));
    for (const r of relays) await r.cut();
    await redis?.stop();
  });

  test('a lock: renewals keep its epoch; the node that takes it after it lapses gets a strictly higher one', async () => {
    const looks = redis.client();
    const cutA = await relay(redis.url);
    const a = node(cutA.url, 'lock-a');
    const b = node(redis.url, 'lock-b');

    const held = await a.tryLock('finalize:r1');
    assert.ok(held, 'a free lock is taken');
    assert.ok(held.epoch >= 1);
    assert.equal(Number(await looks.get(epochKey(lockKey('finalize:r1')))), held.epoch, 'the epoch is the one counted in Redis');
    assert.equal(await b.tryLock('finalize:r1'), undefined, 'a held lock is not taken by another node');

    // Held past several leases: only renewals keep it, and they leave the epoch alone (a refused taking too).
    const since = Date.now();
    await until(async () => Date.now() - since > 3 * LEASE_MS && (await looks.get(lockKey('finalize:r1'))) === 'lock-a', WAIT, 'three leases of renewals');
    assert.equal(held.lost, false);
    assert.equal(Number(await looks.get(epochKey(lockKey('finalize:r1')))), held.epoch, 'renewing does not count a new epoch');
    assert.equal(await b.tryLock('finalize:r1'), undefined);
    assert.equal(Number(await looks.get(epochKey(lockKey('finalize:r1')))), held.epoch, 'a refused taking does not count one either');

    // A is cut off from Redis: its lease lapses there and B takes the lock, while A has not yet noticed.
    await cutA.cut();
    let taken: Awaited<ReturnType<RedisCluster['tryLock']>>;
    await until(async () => Boolean((taken = await b.tryLock('finalize:r1'))), WAIT, 'B takes the lapsed lock');
    assert.ok(taken!.epoch > held.epoch, `B's epoch ${taken!.epoch} is above A's ${held.epoch}`);
    await until(() => held.lost, WAIT, 'A notices it lost the lock');
    assert.equal(held.epoch < taken!.epoch, true, 'A keeps its old epoch, which a fence refuses');

    // Given back and taken again: higher again.
    await taken!.release();
    const again = await b.tryLock('finalize:r1');
    assert.ok(again && again.epoch > taken!.epoch);
    await again.release();
  });

  test('a job: each node that starts it gets a higher epoch than the one before, and Redis losing its data does not lower it', async () => {
    const looks = redis.client();
    const cutA = await relay(redis.url);
    const a = node(cutA.url, 'job-a');
    const b = node(redis.url, 'job-b');
    const starts: Array<{ node: string; epoch: number }> = [];
    const stopped = new Set<string>();
    const job = (name: string) => ({
      start: (lease: Lease) => void starts.push({ node: name, epoch: lease.epoch }),
      stop: () => void stopped.add(name),
    });

    const onA = a.singleton('epochs', job('a'));
    await until(() => onA.active, WAIT, 'A starts the job');
    const onB = b.singleton('epochs', job('b'));
    const since = Date.now();
    await until(async () => Date.now() - since > 3 * LEASE_MS && (await looks.get(jobLeaseKey('epochs'))) === 'job-a', WAIT, 'A renews for three leases');
    assert.deepEqual(starts.map((s) => s.node), ['a'], 'B does not start it while A renews');
    assert.equal(Number(await looks.get(epochKey(jobLeaseKey('epochs')))), starts[0]!.epoch, 'renewing keeps the epoch');

    await cutA.cut();
    await until(() => onB.active, WAIT, 'B takes the job over');
    assert.deepEqual(starts.map((s) => s.node), ['a', 'b']);
    assert.ok(starts[1]!.epoch > starts[0]!.epoch, `B's epoch ${starts[1]!.epoch} is above A's ${starts[0]!.epoch}`);
    await until(() => stopped.has('a'), WAIT, 'A stops the job once it cannot renew');

    // Redis restarted without its data (no persistence): the next taking is still above every earlier epoch.
    await onB.stop();
    await looks.flushall();
    const c = node(redis.url, 'job-c');
    const onC = c.singleton('epochs', job('c'));
    await until(() => onC.active, WAIT, 'C starts the job');
    assert.ok(starts[2]!.epoch > starts[1]!.epoch, `after the data is gone, C's epoch ${starts[2]!.epoch} is above B's ${starts[1]!.epoch}`);
    await onC.stop();
  });
});

describe('cluster epochs in memory (one node)', () => {
  test('counted per name in the process, and above those of a process before it (the fences outlive it)', async () => {
    const before = new MemoryCluster();
    const earlier = await before.tryLock('finalize:r1');
    const cluster = new MemoryCluster(); // the node restarted
    const first = await cluster.tryLock('finalize:r1');
    const second = await cluster.tryLock('finalize:r1');
    // Not lower is what matters (a fence passes an equal epoch); within one millisecond it may be equal.
    assert.ok(first.epoch >= earlier.epoch, `after a restart ${first.epoch} is not below ${earlier.epoch}`);
    assert.ok(second.epoch > first.epoch);

    const epochs: number[] = [];
    const job = { start: (lease: Lease) => void epochs.push(lease.epoch), stop: () => undefined };
    await cluster.singleton('notices', job).stop();
    await cluster.singleton('notices', job).stop();
    assert.equal(epochs.length, 2);
    assert.ok(epochs[1]! > epochs[0]!);
  });
});
