/**
 * The rooms' host: keeps the rooms this process owns, loads them from the store on demand (and all unfinished
 * ones at start, so participants keep their places across a restart), and serves the bus's commands.
 */
import { signalingError } from '@tiepdan/core';
import type { CommandReply, RoomBus } from './bus.js';
import type { RoomCommand } from './commands.js';
import { Room, type RoomSettings } from './room.js';
import type { RoomStore } from './room-store.js';
import type { RoomRecording } from './recording.js';

export class RoomHost {
  private readonly rooms = new Map<string, Room>();
  private stopServing: (() => void) | undefined;
  private stopRecording: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly settings: RoomSettings,
    private readonly bus: RoomBus,
    private readonly store: RoomStore,
    private readonly now: () => number = Date.now,
    private readonly recording?: RoomRecording | undefined,
  ) {}

  /** Restores unfinished rooms and starts taking commands. */
  start(): void {
    for (const sessionId of this.store.activeSessions()) this.load(sessionId);
    this.stopServing = this.bus.serve((sessionId, command) => this.handle(sessionId, command));
    // Only rooms in memory have anyone to tell; a room loaded later reads the recording into its snapshot.
    this.stopRecording = this.recording?.subscribe((event) => this.rooms.get(event.sessionId)?.onRecording(event));
  }

  room(sessionId: string): Room | undefined {
    return this.rooms.get(sessionId);
  }

  async handle(sessionId: string, command: RoomCommand): Promise<CommandReply> {
    if (this.closed) return { ok: false, error: signalingError('internal') };
    let room = this.rooms.get(sessionId) ?? this.load(sessionId);
    if (!room) {
      if (command.kind !== 'hello') return command.kind === 'request' ? { ok: false, error: signalingError('unauthenticated') } : { ok: true, result: {} };
      room = this.create(sessionId);
    }
    return room.handle(command);
  }

  /** Tells every connected participant the server is restarting, then writes everything down. */
  shutdown(reconnectAfterMs: number): void {
    for (const room of this.rooms.values()) room.announceRestart(reconnectAfterMs);
    this.store.flush();
  }

  /** Stops for good (after the sockets are gone): timers off, last write. */
  close(): void {
    this.closed = true;
    this.stopServing?.();
    this.stopRecording?.();
    for (const room of this.rooms.values()) room.dispose();
    this.rooms.clear();
    this.store.flush();
  }

  private context() {
    return { settings: this.settings, bus: this.bus, store: this.store, now: this.now, recording: this.recording, onEnded: (sessionId: string) => {
        this.rooms.delete(sessionId);
        // Written at once: a hello right after must find the room ended, not a stale open copy.
        this.store.flush();
      },
    };
  }

  private load(sessionId: string): Room | undefined {
    const saved = this.store.load(sessionId);
    if (!saved) return undefined;
    const room = new Room(saved.data, saved.events, this.context(), true);
    // An ended room is answered from the store (room_ended), not kept in memory.
    if (!room.ended) this.rooms.set(sessionId, room);
    return room;
  }

  private create(sessionId: string): Room {
    const room = new Room(Room.empty(sessionId), [], this.context());
    this.rooms.set(sessionId, room);
    return room;
  }
}
