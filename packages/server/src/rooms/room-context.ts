/**
 * What a room is given by its host: settings, the bus, the store, a clock, and the recording and desk it works
 * with. Apart from room-data.ts, which the store reads: the store must not import what imports the store.
 */
import type { RoomBus } from './bus.js';
import type { RoomDesk } from './desk.js';
import type { RoomRecording } from './recording.js';
import type { RoomSettings } from './room-data.js';
import type { RoomStore } from './room-store.js';

export interface RoomContext {
  settings: RoomSettings;
  bus: RoomBus;
  store: RoomStore;
  now: () => number;
  /** Called when the room has ended and everyone is gone: the host may forget it. */
  onEnded: (sessionId: string) => void;
  /** The session's recording (rooms/recording.ts); absent when the server runs without recording. */
  recording?: RoomRecording | undefined;
  /** The reception desk (rooms/desk.ts): admitting a citizen opens their registration's case; absent in room-only tests. */
  desk?: RoomDesk | undefined;
  /** Where a failed desk opening is logged. */
  onDeskError?: ((error: unknown) => void) | undefined;
}
