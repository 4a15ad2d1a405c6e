/**
 * The room bus across nodes, on Redis (config `bus: { kind: 'redis', url }`). Any node takes sockets; each room
 * runs on exactly one node, the one holding its lease (`tiepdan:room:<id>:lease`, taken with the TAKE script of
 * cluster/lease-scripts.ts, renewed a few times per lease). A command for a room goes to its lease holder over the holder's node channel and comes back on the
 * asker's; a command for a room nobody holds makes the asker take the lease and load the room from the store.
 * When a node dies its leases lapse after `leaseMs` and the next command for each room moves it to the asker.
 *
 * Deliveries go out on one channel that every node hears, in the order the room published them (one Redis
 * connection publishes, Redis keeps the order). Deliveries from another node reach the sockets a turn later
 * (setImmediate): a reply to a hello that came in the same read is applied first, so a joining socket is already
 * attached when the events after its snapshot arrive (the transport drops the ones its snapshot already holds).
 *
 * Each taking of a room's lease has an epoch (TAKE counts it in `tiepdan:room:<id>:lease:epoch`), higher than any
 * earlier holder's. The host hands it to the room store (`leaseEpoch`), whose fence refuses the writes of a node
 * that lost the lease without noticing yet (paused past it) once the new holder loaded the room (store/room-queue.ts).
 *
 * Needs Redis 7 (Lua scripts calling TIME).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { signalingError } from '@tiepdan/core';
import { DeliveryListeners, type CommandReply, type Delivery, type RoomBus, type ServeHooks } from './bus.js';
import type { RoomCommand } from './commands.js';
import { EPOCH_TTL_MS, RELEASE, RENEW, TAKE } from '../cluster/lease-scripts.js';

const PREFIX = 'tiepdan:';
const DELIVERIES = `${PREFIX}deliveries`;
const nodeChannel = (node: string) => `${PREFIX}node:${node}`;
export const leaseKey = (sessionId: string) => `${PREFIX}room:${sessionId}:lease`;
const epochKey = (sessionId: string) => `${leaseKey(sessionId)}:epoch`;


type NodeMessage =
  | { t: 'cmd'; id: string; from: string; sessionId: string; command: RoomCommand }
  /** `moved`: this node does not hold the room (any more); the asker looks the holder up again. */
  | { t: 'reply'; id: string; reply?: CommandReply; moved?: true };

interface Pending {
  owner: string;
  resolve: (reply: CommandReply | undefined) => void;
}

export interface RedisBusOptions {
  url: string;
  leaseMs: number;
  nodeId?: string | undefined;
  onError?: ((error: unknown) => void) | undefined;
}

export class RedisRoomBus implements RoomBus {
  readonly hostsEveryRoom = false;
  readonly nodeId: string;
  /** Resolves once this node hears its channel and the deliveries (before that it may miss a reply). */
  readonly ready: Promise<void>;
  private readonly redis: Redis;
  private readonly sub: Redis;
  private readonly leaseMs: number;
  private readonly onError: (error: unknown) => void;
  private handler: ((sessionId: string, command: RoomCommand) => Promise<CommandReply>) | undefined;
  private hooks: ServeHooks = {};
  /** Rooms whose lease this node holds, with the epoch of its taking. */
  private readonly held = new Map<string, number>();
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new DeliveryListeners();
  private queued: [string, Delivery][] = [];
  private readonly renewTimer: ReturnType<typeof setInterval>;
  /** When every held lease was last confirmed; past leaseMs without it, they may be someone else's. */
  private renewedAt = Date.now();
  /** When the renewal in flight was sent (undefined when none is). */
  private renewingSince: number | undefined;
  private closed = false;

  constructor(options: RedisBusOptions) {
    this.nodeId = options.nodeId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs;
    this.onError = options.onError ?? (() => undefined);
    // Commands wait while Redis reconnects (ioredis's offline queue) instead of failing at the first blip.
    this.redis = new Redis(options.url, { enableAutoPipelining: true, maxRetriesPerRequest: null });
    this.sub = new Redis(options.url, { maxRetriesPerRequest: null });
    this.redis.on('error', (error) => this.onError(error));
    this.sub.on('error', (error) => this.onError(error));
    this.sub.on('message', (channel: string, text: string) => this.onMessage(channel, text));
    this.ready = this.sub.subscribe(DELIVERIES, nodeChannel(this.nodeId)).then(() => undefined);
    this.renewTimer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.leaseMs / 3)));
    this.renewTimer.unref();
  }

  async request(sessionId: string, command: RoomCommand): Promise<CommandReply> {
    for (;;) {
      if (this.closed) throw new Error('the room bus is closed');
      if (this.held.has(sessionId)) return this.local(sessionId, command);
      const [owner, epoch] = await this.takeOrFind(sessionId);
      if (owner === this.nodeId) {
        this.held.set(sessionId, epoch);
        return this.local(sessionId, command);
      }
      const reply = await this.remote(owner, sessionId, command);
      if (reply) return reply;
    }
  }

  serve(handler: (sessionId: string, command: RoomCommand) => Promise<CommandReply>, hooks: ServeHooks = {}): () => void {
    this.handler = handler;
    this.hooks = hooks;
    return () => {
      if (this.handler === handler) this.handler = undefined;
    };
  }

  /** The epoch of this node's lease on the room (for the store's fence); undefined when it does not hold it. */
  leaseEpoch(sessionId: string): number | undefined {
    return this.held.get(sessionId);
  }

  release(sessionId: string): void {
    if (!this.held.delete(sessionId)) return;
    void this.redis.eval(RELEASE, 1, leaseKey(sessionId), this.nodeId).catch((error: unknown) => this.onError(error));
  }

  publish(sessionId: string, delivery: Delivery): void {
    this.dispatch(sessionId, delivery);
    void this.redis.publish(DELIVERIES, JSON.stringify({ node: this.nodeId, sessionId, delivery })).catch((error: unknown) => this.onError(error));
  }

  subscribe(sessionId: string, listener: (delivery: Delivery) => void): () => void {
    return this.listeners.subscribe(sessionId, listener);
  }

  subscribeAll(listener: (sessionId: string, delivery: Delivery) => void): () => void {
    return this.listeners.subscribeAll(listener);
  }

  /** Gives every held lease back (after the host wrote its rooms) and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.renewTimer);
    await Promise.all([...this.held.keys()].map((sessionId) => this.redis.eval(RELEASE, 1, leaseKey(sessionId), this.nodeId).catch(() => undefined)));
    this.held.clear();
    for (const pending of this.pending.values()) pending.resolve(undefined);
    this.pending.clear();
    await Promise.all([this.sub.quit().catch(() => undefined), this.redis.quit().catch(() => undefined)]);
  }

  // ------------------------------------------------------------------------------------------ leases

  /** Takes the room's lease when nobody holds it; returns the holder (this node when taken) and its epoch. */
  private async takeOrFind(sessionId: string): Promise<[holder: string, epoch: number]> {
    const [holder, epoch] = (await this.redis.eval(TAKE, 2, leaseKey(sessionId), epochKey(sessionId), this.nodeId, String(this.leaseMs), String(EPOCH_TTL_MS))) as [string, number];
    return [holder, Number(epoch)];
  }

  private async renew(): Promise<void> {
    if (this.closed || this.held.size === 0) {
      this.renewedAt = Date.now();
      return;
    }
    const rooms = [...this.held.keys()];
    const started = Date.now();
    // A renewal that hangs (this node cut off from Redis; ioredis queues the commands) confirms nothing: past a
    // whole lease another node may run these rooms, so this one stops writing them, as when a renewal fails.
    if (this.renewingSince !== undefined) {
      if (started - this.renewingSince >= this.leaseMs) for (const sessionId of rooms) this.lose(sessionId);
      return;
    }
    this.renewingSince = started;
    try {
      const pipeline = this.redis.pipeline();
      for (const sessionId of rooms) pipeline.eval(RENEW, 1, leaseKey(sessionId), this.nodeId, String(this.leaseMs));
      const results = (await pipeline.exec()) ?? [];
      this.renewedAt = started;
      rooms.forEach((sessionId, i) => {
        const [error, value] = results[i] ?? [];
        if (!error && value === 0) this.lose(sessionId);
      });
    } catch (error) {
      this.onError(error);
      // Unconfirmed for a whole lease: another node may run these rooms now; this one must stop writing them.
      if (Date.now() - this.renewedAt >= this.leaseMs) for (const sessionId of rooms) this.lose(sessionId);
    } finally {
      this.renewingSince = undefined;
    }
  }

  private lose(sessionId: string): void {
    if (!this.held.delete(sessionId)) return;
    this.hooks.lost?.(sessionId);
  }

  // ------------------------------------------------------------------------------------------ commands

  private async local(sessionId: string, command: RoomCommand): Promise<CommandReply> {
    if (!this.handler) throw new Error('no room host is serving this bus');
    return this.handler(sessionId, command);
  }

  /**
   * Sends the command to the holder and waits for its reply, as long as the holder keeps the lease: undefined
   * when it lost it or is gone (the caller looks again). Never times out on a slow but living holder, which
   * would run a command twice.
   */
  private remote(owner: string, sessionId: string, command: RoomCommand): Promise<CommandReply | undefined> {
    const id = randomUUID();
    return new Promise((resolve) => {
      let watch: ReturnType<typeof setInterval> | undefined;
      const finish = (reply: CommandReply | undefined) => {
        if (!this.pending.delete(id)) return;
        clearInterval(watch);
        resolve(reply);
      };
      this.pending.set(id, { owner, resolve: finish });
      const message: NodeMessage = { t: 'cmd', id, from: this.nodeId, sessionId, command };
      void this.redis
        .publish(nodeChannel(owner), JSON.stringify(message))
        .then((heard) => {
          // Nobody listens on the holder's channel: it died and its lease has not lapsed yet. Look again shortly.
          if (heard === 0) setTimeout(() => finish(undefined), Math.max(50, Math.floor(this.leaseMs / 6))).unref();
        })
        .catch((error: unknown) => {
          this.onError(error);
          finish(undefined);
        });
      watch = setInterval(() => {
        void this.redis.get(leaseKey(sessionId)).then(
          (holder) => holder !== owner && finish(undefined),
          () => undefined,
        );
      }, Math.max(100, Math.floor(this.leaseMs / 2)));
      watch.unref();
    });
  }

  private onMessage(channel: string, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (error) {
      return this.onError(error);
    }
    if (channel === DELIVERIES) {
      const { node, sessionId, delivery } = message as { node: string; sessionId: string; delivery: Delivery };
      if (node === this.nodeId) return; // dispatched here when published
      if (this.queued.push([sessionId, delivery]) === 1) setImmediate(() => this.flushQueued());
      return;
    }
    const m = message as NodeMessage;
    if (m.t === 'reply') {
      this.pending.get(m.id)?.resolve(m.moved ? undefined : m.reply);
      return;
    }
    void this.answer(m);
  }

  private async answer(m: Extract<NodeMessage, { t: 'cmd' }>): Promise<void> {
    let reply: NodeMessage;
    if (!this.held.has(m.sessionId) || !this.handler) reply = { t: 'reply', id: m.id, moved: true };
    else {
      try {
        reply = { t: 'reply', id: m.id, reply: await this.handler(m.sessionId, m.command) };
      } catch (error) {
        this.onError(error);
        reply = { t: 'reply', id: m.id, reply: { ok: false, error: signalingError('internal') } };
      }
    }
    await this.redis.publish(nodeChannel(m.from), JSON.stringify(reply)).catch((error: unknown) => this.onError(error));
  }

  // ------------------------------------------------------------------------------------------ deliveries

  private flushQueued(): void {
    const queued = this.queued;
    this.queued = [];
    for (const [sessionId, delivery] of queued) this.dispatch(sessionId, delivery);
  }

  private dispatch(sessionId: string, delivery: Delivery): void {
    this.listeners.dispatch(sessionId, delivery);
  }
}
