/**
 * Runs tasks one at a time per key. Twenty identical submissions arriving together (a citizen's outbox retrying
 * on a flaky 3G link) then check-and-store one after the other: the first stores, the rest see it and replay.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      // Forget the key once nobody queued behind us, so the map does not grow with every submission.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
