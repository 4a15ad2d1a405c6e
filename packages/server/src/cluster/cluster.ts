/**
 * What the nodes of one deployment share beyond the rooms' bus: background jobs that must run on exactly one node
 * at a time (the notice dispatcher, the recording watchdog and its file sweeps), locks for work that must not run
 * twice (a recording's finalization), a few cross-node messages (a notice kick, the recording coordinator's
 * events) and short-lived shared lists (recorders waiting for a session). With one node (bus `memory`) all of it
 * is in process (cluster/memory.ts); with several (bus `redis`) it is in Redis (cluster/redis.ts).
 */

/** One taking of a lease (a job's or a lock's). */
export interface Lease {
  /**
   * Higher than the epoch of every earlier taking of the same lease, on any node; the same while it is renewed.
   * A write that a stale holder must not make carries it to the store's fence (Store.fences).
   */
  readonly epoch: number;
}

/** A background job that runs while its node holds the job's lease. */
export interface SingletonJob {
  /** This node took the lease: start (resume leases, sweep, start timers). */
  start(lease: Lease): Promise<void> | void;
  /** This node lost the lease or is closing: stop starting new work. */
  stop(): Promise<void> | void;
}

export interface Singleton {
  /** True while this node holds the job's lease (and the job was started). */
  readonly active: boolean;
  /** Stops the job (if running here) and gives the lease back at once, so another node takes it. */
  stop(): Promise<void>;
}

/** A lock held by this node until released; renewed meanwhile. */
export interface HeldLock extends Lease {
  /** True once the lock could not be renewed for a whole lease: another node may hold it now. */
  readonly lost: boolean;
  release(): Promise<void>;
}

/** A list of small entries under one key, each dropped once older than its time to live. */
export interface SharedList {
  put(key: string, field: string, value: string, ttlMs: number): Promise<void>;
  all(key: string): Promise<Map<string, string>>;
  clear(key: string): Promise<void>;
}

export interface Cluster {
  readonly nodeId: string;
  /** False for one node in one process: there is nobody to share with. */
  readonly shared: boolean;
  /** Runs `job` on one node at a time: started when this node takes the named lease, stopped when it loses it. */
  singleton(name: string, job: SingletonJob, onError?: (error: unknown) => void): Singleton;
  /** Takes the named lock when nobody holds it; undefined when another node does. */
  tryLock(name: string): Promise<HeldLock | undefined>;
  /** Sends a message to the listeners of `topic` on every other node. */
  broadcast(topic: string, message: unknown): void;
  listen(topic: string, listener: (message: unknown) => void): () => void;
  readonly lists: SharedList;
  close(): Promise<void>;
}
