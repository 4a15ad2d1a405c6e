/**
 * What the recorder records: the room's tiles (one per connection point or participant, each with its stream
 * and the words to print on it). The room element supplies one from its `MediaTransport` (native mesh or
 * Jitsi, the same way: `transportMediaSource`); a test or a stand-alone recorder supplies a fixed list.
 */
import type { MediaTransport } from '../media/transport.js';

export interface RoomMediaTile {
  /** Stable id (the participant id; `local` for this device). */
  id: string;
  stream: MediaStream | null;
  /** The connection point's name, printed first on the tile. */
  point?: string | undefined;
  /** The participant's display name (already redacted for a denouncer). */
  name: string;
  /** The role as shown to people ("Chủ trì", "Cán bộ tiếp dân"…). */
  role?: string | undefined;
}

export interface RoomMediaSource {
  /** The tiles to record now, local first. */
  tiles(): RoomMediaTile[];
  /** Calls `listener` whenever the tiles or their streams change; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
}

/** A fixed (but replaceable) list of tiles. */
export class StaticMediaSource implements RoomMediaSource {
  #tiles: RoomMediaTile[];
  readonly #listeners = new Set<() => void>();
  constructor(tiles: RoomMediaTile[] = []) {
    this.#tiles = tiles;
  }
  tiles(): RoomMediaTile[] {
    return this.#tiles;
  }
  set(tiles: RoomMediaTile[]): void {
    this.#tiles = tiles;
    for (const listener of [...this.#listeners]) listener();
  }
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export interface TransportSourceOptions {
  transport: Pick<MediaTransport, 'remotes' | 'on'>;
  /** This device's tile (its own camera and microphone). */
  local: () => RoomMediaTile | undefined;
  /** Point, name and role of a remote participant (from the room's roster); undefined hides the tile. */
  describe: (participantId: string) => Omit<RoomMediaTile, 'id' | 'stream'> | undefined;
}

/** The room's media as the transport delivers it, labelled from the roster. Call `changed()` when the roster changes. */
export function transportMediaSource({ transport, local, describe }: TransportSourceOptions): RoomMediaSource & { changed(): void } {
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of [...listeners]) listener();
  };
  let unsubscribe: (() => void)[] = [];
  return {
    tiles() {
      const out: RoomMediaTile[] = [];
      const own = local();
      if (own) out.push(own);
      for (const remote of transport.remotes()) {
        const label = describe(remote.participantId);
        if (!label) continue;
        out.push({ id: remote.participantId, stream: remote.stream, ...label });
        if (remote.screen) out.push({ id: `${remote.participantId}:screen`, stream: remote.screen, ...label });
      }
      return out;
    },
    onChange(listener) {
      if (listeners.size === 0) unsubscribe = [transport.on('remote', changed), transport.on('remote-removed', changed)];
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) for (const off of unsubscribe.splice(0)) off();
      };
    },
    changed,
  };
}
