/**
 * One guess budget for every route that takes a reference code and a phone (/lookup, /bookings,
 * /bookings/move, /bookings/cancel, /bookings/calendar): per client (IP, or X-Forwarded-For behind a trusted
 * proxy) every attempt counts; per reference every attempt that did not match counts (a right pair is given
 * back), so spreading guesses over routes or over many clients does not buy more of them. Separate limits
 * per route gave an attacker five budgets (issue 12 item 5).
 *
 * Fixed one-minute windows in memory: one process per deployment today; a shared store (Redis) can replace
 * the two maps when there are several.
 */
import { ApiError } from '../http/api-error.js';

interface Window {
  count: number;
  resetAt: number;
}

const MAX_KEYS = 100_000;

class Counter {
  private readonly windows = new Map<string, Window>();
  constructor(private readonly windowMs: number) {}

  /** Adds one; returns the count in the current window and when it resets. */
  add(key: string, now: number): Window {
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

  /** The current window of `key`, without counting. */
  peek(key: string, now: number): Window | undefined {
    const window = this.windows.get(key);
    return window && window.resetAt > now ? window : undefined;
  }

  remove(key: string): void {
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

export class GuessBudget {
  private readonly clients: Counter;
  private readonly references: Counter;

  constructor(private readonly perMinute: number, private readonly enabled = true, windowMs = 60_000) {
    this.clients = new Counter(windowMs);
    this.references = new Counter(windowMs);
  }

  /**
   * Refuses a client whose budget is already spent, before its request is even read: a malformed body must not
   * be a way to keep probing (or to tell a spent budget from a wrong pair) once the limit is reached.
   */
  refuseWhenSpent(client: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    const window = this.clients.peek(client, now);
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
    const byClient = this.clients.add(client, now);
    const byReference = this.references.add(reference, now);
    const over = [byClient, byReference].filter((w) => w.count > this.perMinute);
    if (over.length) throw rateLimited(Math.max(...over.map((w) => w.resetAt)), now);
    const result = await check();
    this.references.remove(reference);
    return result;
  }
}

function rateLimited(resetAt: number, now: number): ApiError {
  const retryAfter = Math.max(1, Math.ceil((resetAt - now) / 1000));
  return new ApiError(429, 'rate_limited', undefined, { retryAfter }, { 'Retry-After': String(retryAfter) });
}
