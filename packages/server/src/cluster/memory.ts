/**
 * One node in one process (bus `memory`): every singleton job runs here, every lock is free (the coordinator's
 * own map keeps a finalization from running twice in process), and there is no other node to tell anything.
 * Epochs are counted per name in the process, so code that carries them to a fence works the same on one node.
 * As in Redis (cluster/lease-scripts.ts, ACQUIRE) they are never below the clock in milliseconds: the store's
 * fences outlive the process, and a restarted node counting from 1 again would be refused by its own fences.
 */
import type { Cluster, HeldLock, Singleton, SingletonJob, SharedList } from './cluster.js';

class MemoryList implements SharedList {
  private readonly lists = new Map<string, Map<string, { value: string; until: number }>>();

  async put(key: string, field: string, value: string, ttlMs: number): Promise<void> {
    let list = this.lists.get(key);
    if (!list) this.lists.set(key, (list = new Map()));
    list.set(field, { value, until: Date.now() + ttlMs });
  }

  async all(key: string): Promise<Map<string, string>> {
    const list = this.lists.get(key);
    const out = new Map<string, string>();
    if (!list) return out;
    const now = Date.now();
    for (const [field, entry] of list) {
      if (entry.until <= now) list.delete(field);
      else out.set(field, entry.value);
    }
    if (list.size === 0) this.lists.delete(key);
    return out;
  }

  async clear(key: string): Promise<void> {
    this.lists.delete(key);
  }
}

export class MemoryCluster implements Cluster {
  readonly shared = false;
  readonly lists: SharedList = new MemoryList();

  private readonly epochs = new Map<string, number>();

  constructor(readonly nodeId = 'local') {}

  private nextEpoch(key: string): number {
    const epoch = Math.max((this.epochs.get(key) ?? 0) + 1, Date.now());
    this.epochs.set(key, epoch);
    return epoch;
  }

  singleton(name: string, job: SingletonJob, onError: (error: unknown) => void = () => undefined): Singleton {
    let active = true;
    const epoch = this.nextEpoch(`job:${name}`);
    // Started at once (synchronously up to its first await), as the job was before there were several nodes.
    const started = (async () => job.start({ epoch }))().catch(onError);
    return {
      get active() {
        return active;
      },
      async stop() {
        if (!active) return;
        active = false;
        await started;
        await job.stop();
      },
    };
  }

  async tryLock(name: string): Promise<HeldLock> {
    return { epoch: this.nextEpoch(`lock:${name}`), lost: false, release: async () => undefined };
  }

  broadcast(): void {
    // No other node.
  }

  listen(): () => void {
    return () => undefined;
  }

  async close(): Promise<void> {
    // Nothing held outside the process.
  }
}
