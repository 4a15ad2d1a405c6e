/**
 * The rooms' host: keeps the rooms this process owns, loads them from the store on demand (and all unfinished
 * ones at start, so participants keep their places across a restart), and serves the bus's commands.
 *
 * What the rooms announce leaves only once it is durable: their deliveries go out after the store's commit of
 * that turn (RoomStore.afterCommit), and a reply waits for the same commit, so an acknowledged chat message or
 * a delivered event is on disk even if the process is killed the next instant.
 *
 * Several nodes (issue 13): a room is loaded under the epoch of this node's lease on it (RoomBus.leaseEpoch), and the
 * store's fence is raised to it before the room is read (RoomStore.leaseEpoch). A node that lost the lease without
 * noticing (paused past it) is refused its next commit for the room; it then unloads the room as when a lease is
 * lost, answers nothing of that commit as done, and tells the room's sockets it moved (their nodes rejoin them there).
 */
import { CLOSE_CODES, signalingError } from '@tiepdan/core';
import type { CommandReply, RoomBus } from './bus.js';
import type { RoomCommand } from './commands.js';
import { Room } from './room.js';
import type { RoomSettings } from './room-data.js';
import type { RoomStore } from './room-store.js';
import type { RoomRecording } from './recording.js';
import type { RoomDesk } from './desk.js';

/**
 * A command whose commit the store refused (another node runs the room now): a request is sent again there after
 * its socket rejoins (rooms/transport.ts); a hello's socket is closed, and its client resumes there.
 */
const lostReply = (command: RoomCommand): CommandReply =>
  command.kind === 'hello'
    ? { ok: false, error: signalingError('room_moved'), close: { code: CLOSE_CODES.SERVER_RESTARTING, reason: 'room moved to another node' } }
    : { ok: false, error: signalingError('room_moved'), rejoin: true };

/** The store's fence refused this node's lease epoch before the room was read: a later holder has it. */
class RoomLost extends Error {}

export class RoomHost {
  private readonly rooms = new Map<string, Room>();
  /** Per room, the highest sequence number delivered so far. */
  private readonly released = new Map<string, number>();
  /** Rooms being read from the store: a second command for one waits for the same read, not a second room. */
  private readonly loading = new Map<string, Promise<Room | undefined>>();
  /** The bus as the rooms see it: a delivery waits for the commit that holds what it announces. */
  private readonly durableBus: RoomBus;
  private stopServing: (() => void) | undefined;
  private stopRecording: (() => void) | undefined;
  private closed = false;
  /** Rooms whose commit the store refused (RoomStore.onRefused): nothing of theirs leaves any more. */
  private readonly lost = new WeakSet<Room>();
  /** Rooms refused since their load began (the fence at load, see load()). */
  private readonly refusedRooms = new Set<string>();

  constructor(
    private readonly settings: RoomSettings,
    private readonly bus: RoomBus,
    private readonly store: RoomStore,
    private readonly now: () => number = Date.now,
    private readonly recording?: RoomRecording | undefined,
    private readonly desk?: { desk: RoomDesk; onError: (error: unknown) => void } | undefined,
  ) {
    this.durableBus = {
      hostsEveryRoom: bus.hostsEveryRoom,
      release: (sessionId) => bus.release(sessionId),
      request: (sessionId, command) => bus.request(sessionId, command),
      serve: (handler, hooks) => bus.serve(handler, hooks),
      subscribe: (sessionId, listener) => bus.subscribe(sessionId, listener),
      subscribeAll: (listener) => bus.subscribeAll(listener),
      publish: (sessionId, delivery) => {
        if (delivery.kind === 'event') store.sequenced(sessionId, delivery.seq);
        const room = this.rooms.get(sessionId);
        store.afterCommit(() => {
          if (room && this.lost.has(room)) return; // its commit was refused: what it announces was not written
          if (delivery.kind === 'event') this.released.set(sessionId, delivery.seq);
          bus.publish(sessionId, delivery);
        });
      },
    };
    store.onRefused((sessionIds) => {
      for (const sessionId of sessionIds) this.refused(sessionId);
    });
  }

  /**
   * Restores unfinished rooms and starts taking commands. With a bus that spreads rooms over nodes, a room is
   * loaded by the node that takes its lease, when its first command comes, and dropped when the lease is lost.
   */
  async start(): Promise<void> {
    if (this.bus.hostsEveryRoom) for (const sessionId of await this.store.activeSessions()) await this.room$(sessionId);
    if (this.closed) return;
    this.stopServing = this.bus.serve((sessionId, command) => this.handle(sessionId, command), { lost: (sessionId) => this.drop(sessionId) });
    // Only rooms in memory have anyone to tell; a room loaded later reads the recording into its snapshot.
    this.stopRecording = this.recording?.subscribe((event) => this.rooms.get(event.sessionId)?.onRecording(event));
  }

  room(sessionId: string): Room | undefined {
    return this.rooms.get(sessionId);
  }

  async handle(sessionId: string, command: RoomCommand): Promise<CommandReply> {
    if (this.closed) return { ok: false, error: signalingError('internal') };
    let room: Room | undefined;
    try {
      room = await this.room$(sessionId);
    } catch (error) {
      if (error instanceof RoomLost) return lostReply(command);
      throw error;
    }
    if (!room) {
      if (command.kind !== 'hello') return command.kind === 'request' ? { ok: false, error: signalingError('unauthenticated') } : { ok: true, result: {} };
      // Hellos that came while the store was read all found nothing: the first creates the room, the rest join it
      // (on a store whose read is a round trip, two officials opening one new room at once would get two rooms).
      room = this.rooms.get(sessionId) ?? this.create(sessionId);
    }
    const reply = await room.handle(command);
    if (command.kind === 'heartbeat') return reply;
    await this.store.durable();
    if (this.lost.has(room)) return lostReply(command);
    if (command.kind === 'hello' && reply.ok) this.catchUp(room, reply);
    return reply;
  }

  /**
   * A joining socket is attached only after its reply; events for it that left while the reply waited for the
   * commit (numbered after its snapshot) follow the reply with the replay instead of being lost.
   */
  private catchUp(room: Room, reply: Extract<CommandReply, { ok: true }>): void {
    const result = reply.result as { participantId: string; room: { seq: number } };
    const late = room.eventsFor(result.participantId, result.room.seq, this.released.get(room.sessionId) ?? 0);
    if (late.length > 0) reply.replay = [...(reply.replay ?? []), ...late];
  }

  /** Tells every connected participant the server is restarting, then writes everything down. */
  async shutdown(reconnectAfterMs: number): Promise<void> {
    for (const room of this.rooms.values()) room.announceRestart(reconnectAfterMs);
    // A failed commit was reported by the store and stays queued: close()'s exact write takes it along. Throwing
    // here would skip that write, and the next process would number on from the reservation.
    await this.store.flush().catch(() => undefined);
  }

  /** Stops for good (after the sockets are gone): timers off, last write with every room's exact number. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopServing?.();
    this.stopRecording?.();
    for (const room of this.rooms.values()) {
      room.dispose();
      this.store.markDirty(room.sessionId, () => room.snapshotData());
    }
    this.rooms.clear();
    await this.store.close();
  }

  private context() {
    return { settings: this.settings, bus: this.durableBus, store: this.store, now: this.now, recording: this.recording, desk: this.desk?.desk, onDeskError: this.desk?.onError, onEnded: (sessionId: string) => {
        this.rooms.delete(sessionId);
        // Committed now: a hello right after must find the room ended, not a stale open copy (a store whose commit
        // is a round trip holds its reads until then). A failed commit is reported by the store and retried.
        this.store.flush().catch(() => undefined);
        this.bus.release(sessionId);
      },
    };
  }

  /** The room in memory, or read from the store (undefined: the store has no such room). */
  private room$(sessionId: string): Promise<Room | undefined> {
    const room = this.rooms.get(sessionId);
    if (room) return Promise.resolve(room);
    let loading = this.loading.get(sessionId);
    if (!loading) {
      loading = this.load(sessionId).finally(() => this.loading.delete(sessionId));
      this.loading.set(sessionId, loading);
    }
    return loading;
  }

  private async load(sessionId: string): Promise<Room | undefined> {
    const epoch = this.bus.leaseEpoch?.(sessionId);
    if (epoch !== undefined) {
      // The fence goes up before the room is read: from this commit on, the node that had the lease writes nothing
      // more of it, so what is read here is what the room was when it came to this node.
      this.refusedRooms.delete(sessionId);
      this.store.leaseEpoch(sessionId, epoch);
      await this.store.durable();
      if (this.refusedRooms.delete(sessionId)) throw new RoomLost(`room ${sessionId}: a later lease than ${epoch} wrote it`);
    }
    const saved = await this.store.load(sessionId);
    if (!saved || this.closed) return undefined;
    // Sockets the room had on any node (before this one took it over): read before the room forgets them.
    const sockets = saved.data.participants.filter((p) => p.connectionId !== null).map((p) => ({ participantId: p.participantId, connectionId: p.connectionId! }));
    const room = new Room(saved.data, saved.events, this.context(), true);
    // An ended room is answered from the store (room_ended), not kept in memory.
    if (room.ended) return room;
    this.rooms.set(sessionId, room);
    // Taken over from a node that died: the sockets still open on the other nodes point at a room that forgot them.
    // Their nodes hello again on their behalf (rooms/transport.ts), and what they had in flight is sent again, so
    // nobody's client notices beyond the events it missed, which come with the rejoin. Sockets of the dead node
    // are gone with it; their clients reconnect and resume.
    if (!this.bus.hostsEveryRoom && sockets.length > 0) {
      this.durableBus.publish(sessionId, { kind: 'moved', to: sockets.map((s) => s.participantId), connections: sockets.map((s) => s.connectionId) });
    }
    return room;
  }

  /** Another node took the room over (this one lost its lease): it stops here without writing anything more. */
  private drop(sessionId: string): void {
    this.rooms.get(sessionId)?.dispose();
    this.rooms.delete(sessionId);
    this.released.delete(sessionId);
  }

  /**
   * The store refused this node's commit for the room: a later lease holder has written it (this node lost the lease
   * and has not heard yet). The room stops here as when the lease is lost, and the lease is let go. Its sockets are
   * told the room moved, as the new holder told those it knew of: each node rejoins its own there (rooms/transport.ts),
   * which covers the sockets that joined here after the new holder read the room.
   */
  private refused(sessionId: string): void {
    this.refusedRooms.add(sessionId);
    this.bus.release(sessionId);
    const room = this.rooms.get(sessionId);
    if (!room) return;
    this.lost.add(room);
    const sockets = room.snapshotData().participants.filter((p) => p.connectionId !== null);
    this.drop(sessionId);
    if (sockets.length > 0) this.bus.publish(sessionId, { kind: 'moved', to: sockets.map((p) => p.participantId), connections: sockets.map((p) => p.connectionId!) });
  }

  private create(sessionId: string): Room {
    const room = new Room(Room.empty(sessionId), [], this.context());
    this.rooms.set(sessionId, room);
    return room;
  }
}
