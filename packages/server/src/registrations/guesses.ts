/**
 * One guess budget for every route that takes a reference code and a phone (/lookup, /bookings,
 * /bookings/move, /bookings/cancel, /bookings/calendar): per client (IP, or X-Forwarded-For behind a trusted
 * proxy) every attempt counts; per reference every attempt that did not match counts (a right pair is given
 * back), so spreading guesses over routes or over many clients does not buy more of them. Separate limits
 * per route gave an attacker five budgets (issue 12 item 5).
 *
 * Fixed one-minute windows, counted in memory on one node, or in Redis when several nodes serve the same
 * citizens (config `bus: { kind: 'redis' }`): then a guesser spreading attempts over the nodes behind the load
 * balancer gets one budget, not one per node. Redis down: the budget cannot be checked, so guesses are refused
 * (500), not let through.
 */
import type { Redis } from 'ioredis';
import { ApiError } from '../http/api-error.js';

interface Window {
  count: number;
  resetAt: number;
}

const MAX_KEYS = 100_000;

/** Counts per key in fixed windows. */
interface Counter {
  /** Adds one; returns the count in the current window and when it resets. */
  add(key: string, now: number): Promise<Window>;
  /** The current window of `key`, without counting. */
  peek(key: string, now: number): Promise<Window | undefined>;
  /** Takes one back (a guess that matched). */
  remove(key: string): Promise<void>;
}

class MemoryCounter implements Counter {
  private readonly windows = new Map<string, Window>();
  constructor(private readonly windowMs: number) {}

  async add(key: string, now: number): Promise<Window> {
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      this.windows.delete(key);
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return window;
  }

  async peek(key: string, now: number): Promise<Window | undefined> {
    const window = this.windows.get(key);
    return window && window.resetAt > now ? window : undefined;
  }

  async remove(key: string): Promise<void> {
    const window = this.windows.get(key);
    if (window && window.count > 0) window.count -= 1;
  }

  /** Entries are kept in insertion order, which is reset order: drop expired ones from the front. */
  private sweep(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.resetAt > now && this.windows.size < MAX_KEYS) break;
      this.windows.delete(key);
    }
  }
}

/** INCR, and the window's expiry set by the first count: returns the count and the milliseconds left. */
const ADD = "local c = redis.call('incr', KEYS[1]) if c == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end return {c, redis.call('pttl', KEYS[1])}";
const REMOVE = "local c = tonumber(redis.call('get', KEYS[1]) or '0') if c > 0 then redis.call('decr', KEYS[1]) end return c";

/** The same windows in Redis, one key per client or reference, gone when its window ends. */
class RedisCounter implements Counter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly windowMs: number,
  ) {}

  async add(key: string, now: number): Promise<Window> {
    const [count, ttl] = (await this.redis.eval(ADD, 1, this.prefix + key, String(this.windowMs))) as [number, number];
    return { count, resetAt: now + (ttl > 0 ? ttl : this.windowMs) };
  }

  async peek(key: string, now: number): Promise<Window | undefined> {
    const [count, ttl] = await Promise.all([this.redis.get(this.prefix + key), this.redis.pttl(this.prefix + key)]);
    return count === null || ttl <= 0 ? undefined : { count: Number(count), resetAt: now + ttl };
  }

  async remove(key: string): Promise<void> {
    await this.redis.eval(REMOVE, 1, this.prefix + key);
  }
}

export class GuessBudget {
  private readonly clients: Counter;
  private readonly references: Counter;

  /** `redis`: count in Redis, shared by every node (the bus's Redis); in this process's memory otherwise. */
  constructor(private readonly perMinute: number, private readonly enabled = true, windowMs = 60_000, redis?: Redis) {
    this.clients = redis ? new RedisCounter(redis, 'tiepdan:guesses:client:', windowMs) : new MemoryCounter(windowMs);
    this.references = redis ? new RedisCounter(redis, 'tiepdan:guesses:reference:', windowMs) : new MemoryCounter(windowMs);
  }

  /**
   * Refuses a client whose budget is already spent, before its request is even read: a malformed body must not
   * be a way to keep probing (or to tell a spent budget from a wrong pair) once the limit is reached.
   */
  async refuseWhenSpent(client: string): Promise<void> {
    if (!this.enabled) return;
    const now = Date.now();
    const window = await this.clients.peek(client, now);
    if (window && window.count >= this.perMinute) throw rateLimited(window.resetAt, now);
  }

  /**
   * Spends one guess of `client` and of `reference` (the reference as typed, normalised by the caller, so an
   * unknown code spends like a known one), runs `check`, and gives the reference's guess back if it matched.
   * Throws 429 `rate_limited` with `retryAfter` once either budget is spent.
   */
  async spend<T>(client: string, reference: string, check: () => Promise<T>): Promise<T> {
    if (!this.enabled) return check();
    const now = Date.now();
    const [byClient, byReference] = await Promise.all([this.clients.add(client, now), this.references.add(reference, now)]);
    const over = [byClient, byReference].filter((w) => w.count > this.perMinute);
    if (over.length) throw rateLimited(Math.max(...over.map((w) => w.resetAt)), now);
    const result = await check();
    await this.references.remove(reference);
    return result;
  }
}

function rateLimited(resetAt: number, now: number): ApiError {
  const retryAfter = Math.max(1, Math.ceil((resetAt - now) / 1000));
  return new ApiError(429, 'rate_limited', undefined, { retryAfter }, { 'Retry-After': String(retryAfter) });
}
