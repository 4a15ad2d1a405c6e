/**
 * The cluster on Redis (bus `redis`): the same server the rooms' bus uses, under the same `tiepdan:` prefix.
 *
 * - A singleton job (`tiepdan:job:<name>:lease`) runs on the node that holds its lease: each node tries to take a
 *   free lease every third of `leaseMs`, the holder renews it as often, and a holder that cannot renew it for a
 *   whole lease (Redis unreachable) stops the job, since another node may have taken it by then. A node that dies
 *   leaves the lease to lapse: another node starts the job at most `leaseMs` plus a third later. A node that
 *   closes gives it back at once.
 * - A lock (`tiepdan:lock:<name>`) is the same lease taken once, renewed until released.
 * - Every taking of a job's lease or a lock gets an epoch (ACQUIRE, counted in `<key>:epoch`), higher than any
 *   earlier holder's; renewals keep it. A holder that was paused past its lease still believes it holds it until
 *   its next renewal, so writes that must not come from a stale holder carry the epoch to the store's fence
 *   (Store.fences), which refuses an epoch lower than one it has seen.
 * - Messages between nodes go on `tiepdan:cluster:<topic>` (Redis pub/sub: at most once; what must not be lost
 *   is in the store, and the messages only make the other nodes look sooner).
 * - Shared lists are hashes (`tiepdan:list:<key>`) whose entries carry their own expiry.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Cluster, HeldLock, SharedList, Singleton, SingletonJob } from './cluster.js';
import { ACQUIRE, EPOCH_TTL_MS, RELEASE, RENEW } from './lease-scripts.js';

const PREFIX = 'tiepdan:';
export const jobLeaseKey = (name: string) => `${PREFIX}job:${name}:lease`;
export const lockKey = (name: string) => `${PREFIX}lock:${name}`;
const CHANNELS = `${PREFIX}cluster:*`;
const channelOf = (topic: string) => `${PREFIX}cluster:${topic}`;
const listKey = (key: string) => `${PREFIX}list:${key}`;
export const epochKey = (leaseKey: string) => `${leaseKey}:epoch`;

/** Takes the lease `key` for `nodeId` if it is free: its epoch (≥ 1), or 0 when another node holds it. */
async function acquire(redis: Redis, key: string, nodeId: string, leaseMs: number): Promise<number> {
  return Number(await redis.eval(ACQUIRE, 2, key, epochKey(key), nodeId, String(leaseMs), String(EPOCH_TTL_MS)));
}

export interface RedisClusterOptions {
  url: string;
  leaseMs: number;
  nodeId?: string | undefined;
  onError?: ((error: unknown) => void) | undefined;
}

export class RedisCluster implements Cluster {
  readonly shared = true;
  readonly nodeId: string;
  /** Resolves once this node hears the other nodes' messages. */
  readonly ready: Promise<void>;
  readonly lists: SharedList;
  readonly leaseMs: number;
  private readonly redis: Redis;
  private readonly sub: Redis;
  private readonly onError: (error: unknown) => void;
  private readonly listeners = new Map<string, Set<(message: unknown) => void>>();
  private readonly singletons = new Set<RedisSingleton>();
  private readonly locks = new Set<HeldLock>();
  private closed = false;

  constructor(options: RedisClusterOptions) {
    this.nodeId = options.nodeId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs;
    this.onError = options.onError ?? (() => undefined);
    // Commands wait while Redis reconnects (ioredis's offline queue) instead of failing at the first blip.
    this.redis = new Redis(options.url, { maxRetriesPerRequest: null });
    this.sub = new Redis(options.url, { maxRetriesPerRequest: null });
    this.redis.on('error', (error) => this.onError(error));
    this.sub.on('error', (error) => this.onError(error));
    this.sub.on('pmessage', (_pattern: string, channel: string, text: string) => this.onMessage(channel, text));
    this.ready = this.sub.psubscribe(CHANNELS).then(() => undefined);
    this.lists = new RedisList(this.redis);
  }

  singleton(name: string, job: SingletonJob, onError: (error: unknown) => void = this.onError): Singleton {
    const singleton = new RedisSingleton(this.redis, jobLeaseKey(name), this.nodeId, this.leaseMs, job, onError, () => this.singletons.delete(singleton));
    this.singletons.add(singleton);
    return singleton;
  }

  async tryLock(name: string): Promise<HeldLock | undefined> {
    if (this.closed) return undefined;
    const key = lockKey(name);
    const epoch = await acquire(this.redis, key, this.nodeId, this.leaseMs);
    if (epoch === 0) return undefined;
    let lost = false;
    let released = false;
    let renewedAt = Date.now();
    const timer = setInterval(() => {
      const started = Date.now();
      // Not confirmed for a whole lease (Redis unreachable, or this node cut off from it while the commands wait
      // in ioredis's queue): another node may hold it by now.
      if (started - renewedAt >= this.leaseMs) lost = true;
      this.redis.eval(RENEW, 1, key, this.nodeId, String(this.leaseMs)).then(
        (value) => {
          if (value === 0) ((lost = true), clearInterval(timer));
          else renewedAt = started;
        },
        (error: unknown) => {
          this.onError(error);
          if (Date.now() - renewedAt >= this.leaseMs) lost = true;
        },
      );
    }, Math.max(100, Math.floor(this.leaseMs / 3)));
    timer.unref();
    const lock: HeldLock = {
      epoch,
      get lost() {
        return lost;
      },
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(timer);
        this.locks.delete(lock);
        await this.redis.eval(RELEASE, 1, key, this.nodeId).catch((error: unknown) => this.onError(error));
      },
    };
    this.locks.add(lock);
    return lock;
  }

  broadcast(topic: string, message: unknown): void {
    if (this.closed) return;
    void this.redis.publish(channelOf(topic), JSON.stringify({ node: this.nodeId, message })).catch((error: unknown) => this.onError(error));
  }

  listen(topic: string, listener: (message: unknown) => void): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Stops the singletons (giving their leases back), releases the locks and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.singletons].map((s) => s.stop()));
    await Promise.all([...this.locks].map((l) => l.release()));
    this.closed = true;
    await Promise.all([this.sub.quit().catch(() => undefined), this.redis.quit().catch(() => undefined)]);
  }

  private onMessage(channel: string, text: string): void {
    let parsed: { node: string; message: unknown };
    try {
      parsed = JSON.parse(text) as { node: string; message: unknown };
    } catch (error) {
      return this.onError(error);
    }
    if (parsed.node === this.nodeId) return;
    for (const listener of this.listeners.get(channel.slice(`${PREFIX}cluster:`.length)) ?? []) {
      try {
        listener(parsed.message);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}

/**
 * One job's lease. Start and stop run one after the other (a chain), so a lease lost while the job is still
 * starting stops it once it has started, never concurrently.
 */
class RedisSingleton implements Singleton {
  private held = false;
  private running = false;
  private stopped = false;
  private ticking = false;
  private tickStarted = 0;
  private renewedAt = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly nodeId: string,
    private readonly leaseMs: number,
    private readonly job: SingletonJob,
    private readonly onError: (error: unknown) => void,
    private readonly forget: () => void,
  ) {
    this.timer = setInterval(() => {
      // A renewal that hangs (this node cut off from Redis; ioredis queues the command) must not keep the job
      // running past the lease: another node takes it once the lease lapses in Redis.
      if (this.ticking && this.held && Date.now() - this.tickStarted >= this.leaseMs) this.lose();
      void this.tick();
    }, Math.max(100, Math.floor(leaseMs / 3)));
    this.timer.unref();
    void this.tick();
  }

  get active(): boolean {
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.stopped) return this.chain;
    this.stopped = true;
    clearInterval(this.timer);
    this.forget();
    const wasHeld = this.held;
    this.held = false;
    await this.settle();
    if (wasHeld) await this.redis.eval(RELEASE, 1, this.key, this.nodeId).catch((error: unknown) => this.onError(error));
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.ticking) return;
    this.ticking = true;
    const started = (this.tickStarted = Date.now());
    try {
      if (this.held) {
        const renewed = (await this.redis.eval(RENEW, 1, this.key, this.nodeId, String(this.leaseMs))) !== 0;
        if (!this.held) return; // lost meanwhile (the renewal came too late)
        if (renewed && Date.now() - started < this.leaseMs) this.renewedAt = started;
        else this.lose();
      } else {
        const epoch = await acquire(this.redis, this.key, this.nodeId, this.leaseMs);
        if (epoch === 0) return;
        if (this.stopped) {
          await this.redis.eval(RELEASE, 1, this.key, this.nodeId);
          return;
        }
        this.held = true;
        this.renewedAt = started;
        this.chain = this.chain.then(async () => {
          if (!this.held || this.stopped) return;
          this.running = true;
          await this.job.start({ epoch });
        }).catch(this.onError);
      }
    } catch (error) {
      this.onError(error);
      // Unconfirmed for a whole lease: another node may run the job now; this one must stop it.
      if (this.held && Date.now() - this.renewedAt >= this.leaseMs) this.lose();
    } finally {
      this.ticking = false;
    }
  }

  private lose(): void {
    this.held = false;
    void this.settle();
  }

  /** Stops the job if it runs (after any start in progress). */
  private settle(): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (!this.running) return;
      this.running = false;
      await this.job.stop();
    }).catch(this.onError);
    return this.chain;
  }
}

class RedisList implements SharedList {
  constructor(private readonly redis: Redis) {}

  async put(key: string, field: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.multi().hset(listKey(key), field, JSON.stringify({ value, until: Date.now() + ttlMs })).pexpire(listKey(key), ttlMs).exec();
  }

  async all(key: string): Promise<Map<string, string>> {
    const raw = await this.redis.hgetall(listKey(key));
    const out = new Map<string, string>();
    const now = Date.now();
    const stale: string[] = [];
    for (const [field, text] of Object.entries(raw)) {
      const entry = JSON.parse(text) as { value: string; until: number };
      if (entry.until <= now) stale.push(field);
      else out.set(field, entry.value);
    }
    if (stale.length) await this.redis.hdel(listKey(key), ...stale);
    return out;
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(listKey(key));
  }
}
