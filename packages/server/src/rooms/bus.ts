/**
 * The room bus: the one seam between the transport (sockets, on any process) and the rooms (state, on the
 * process that hosts each room). Everything that crosses it is plain JSON, so the in-process bus here can be
 * swapped for a Redis one: `request` becomes a publish on the room's command channel with a reply channel
 * (the room's host found through a Redis lease), and `publish`/`subscribe` become the room's event channel.
 */
import type { ErrorBody } from '@tiepdan/core';
import type { RoomCommand } from './commands.js';

/** What a room sends towards sockets. Event frames are serialised once by the room, not per recipient. */
export type Delivery =
  /** An event frame for these participants; `seq` is the one inside the frame. */
  | { kind: 'event'; to: string[]; frame: string; seq: number }
  /** Close the sockets of these participants (all but `except`, the connection that replaced it). */
  | {
      kind: 'close';
      to: string[];
      code: number;
      reason: string;
      exceptConnection?: string;
      /** Only these sockets (a room taken over by another node closes the sockets it had before, not newer ones). */
      connections?: string[];
    }
  /**
   * The room was restored on another node (its node died or lost the lease): these sockets, still open on their
   * nodes, are unknown to it. Each node hellos again on behalf of its own (rooms/transport.ts) instead of closing them.
   */
  | { kind: 'moved'; to: string[]; connections: string[] };

export type CommandReply =
  | { ok: true; result: unknown; replay?: string[]; close?: { code: number; reason: string } }
  /**
   * `rejoin`: the room knows the participant but not this socket (it was restored on another node with nobody
   * connected). The socket's node hellos again on its behalf (hello `rejoin`) and sends the command once more.
   */
  | { ok: false; error: ErrorBody; close?: { code: number; reason: string }; rejoin?: true };

/** What the host hears from a bus that spreads rooms over several nodes. */
export interface ServeHooks {
  /** This node no longer holds the room's lease (another node took it): forget the room, write nothing more. */
  lost?(sessionId: string): void;
}

export interface RoomBus {
  /**
   * True when this process hosts every room (the in-process bus): the host restores all unfinished rooms at
   * start. A bus with leases (rooms/bus-redis.ts) says false: a room is loaded by the node that takes its lease.
   */
  readonly hostsEveryRoom: boolean;
  /** Transport → the room's host; resolves with the room's reply. */
  request(sessionId: string, command: RoomCommand): Promise<CommandReply>;
  /** The rooms' host takes commands (one host per room; with Redis, per lease). */
  serve(handler: (sessionId: string, command: RoomCommand) => Promise<CommandReply>, hooks?: ServeHooks): () => void;
  /** The room ended here (or its store refused this node's writes): its lease (if any) is given up at once. */
  release(sessionId: string): void;
  /**
   * The epoch of this node's lease on the room, a number each taking of the lease raises (rooms/bus-redis.ts): the
   * host hands it to the store's fence. Absent or undefined: not fenced (the in-process bus: one process holds
   * every room; a counter of its own would restart below what an earlier process wrote).
   */
  leaseEpoch?(sessionId: string): number | undefined;
  /** Room → every transport that has sockets in the room. */
  publish(sessionId: string, delivery: Delivery): void;
  subscribe(sessionId: string, listener: (delivery: Delivery) => void): () => void;
  /** Every room at once (shutdown notices). */
  subscribeAll(listener: (sessionId: string, delivery: Delivery) => void): () => void;
}

/** This process's transports listening to rooms' deliveries: what every bus dispatches to, once per node. */
export class DeliveryListeners {
  private readonly bySession = new Map<string, Set<(delivery: Delivery) => void>>();
  private readonly all = new Set<(sessionId: string, delivery: Delivery) => void>();

  subscribe(sessionId: string, listener: (delivery: Delivery) => void): () => void {
    let set = this.bySession.get(sessionId);
    if (!set) this.bySession.set(sessionId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.bySession.get(sessionId) === set) this.bySession.delete(sessionId);
    };
  }

  subscribeAll(listener: (sessionId: string, delivery: Delivery) => void): () => void {
    this.all.add(listener);
    return () => this.all.delete(listener);
  }

  dispatch(sessionId: string, delivery: Delivery): void {
    const set = this.bySession.get(sessionId);
    if (set) for (const listener of set) listener(delivery);
    for (const listener of this.all) listener(sessionId, delivery);
  }
}

export class InProcessRoomBus implements RoomBus {
  readonly hostsEveryRoom = true;
  private handler: ((sessionId: string, command: RoomCommand) => Promise<CommandReply>) | undefined;
  private readonly local = new DeliveryListeners();

  request(sessionId: string, command: RoomCommand): Promise<CommandReply> {
    if (!this.handler) return Promise.reject(new Error('no room host is serving this bus'));
    return this.handler(sessionId, command);
  }

  serve(handler: (sessionId: string, command: RoomCommand) => Promise<CommandReply>): () => void {
    this.handler = handler;
    return () => {
      if (this.handler === handler) this.handler = undefined;
    };
  }

  release(): void {
    // One process holds every room: nothing to give up.
  }

  publish(sessionId: string, delivery: Delivery): void {
    this.local.dispatch(sessionId, delivery);
  }

  subscribe(sessionId: string, listener: (delivery: Delivery) => void): () => void {
    return this.local.subscribe(sessionId, listener);
  }

  subscribeAll(listener: (sessionId: string, delivery: Delivery) => void): () => void {
    return this.local.subscribeAll(listener);
  }
}

/**
 * The bus as the transport of a process that listens before it owns the rooms (a worker started by the
 * supervisor while the last one drains): its requests wait until `ready`, so a hello that comes early is
 * answered late, never refused.
 */
export function heldUntil(bus: RoomBus, ready: Promise<void>): RoomBus {
  return {
    hostsEveryRoom: bus.hostsEveryRoom,
    request: (sessionId, command) => ready.then(() => bus.request(sessionId, command)),
    serve: (handler, hooks) => bus.serve(handler, hooks),
    release: (sessionId) => bus.release(sessionId),
    leaseEpoch: (sessionId) => bus.leaseEpoch?.(sessionId),
    publish: (sessionId, delivery) => bus.publish(sessionId, delivery),
    subscribe: (sessionId, listener) => bus.subscribe(sessionId, listener),
    subscribeAll: (listener) => bus.subscribeAll(listener),
  };
}
