/**
 * The one interface the room element uses for audio and video, whatever carries it: the native peer-to-peer
 * mesh over our signaling (mesh.ts) or a Jitsi deployment (jitsi.ts). The server's room stays the authority on
 * who is in the session; a transport only carries media between the participants it is told about.
 */
import type { NetworkQuality } from '../signaling/protocol.js';
import type { TurnCredentials, JitsiAccess } from '../signaling/protocol.js';

export const TRANSPORT_KINDS = ['native', 'jitsi'] as const;
export type TransportKind = (typeof TRANSPORT_KINDS)[number];

export const TRANSPORT_STATES = ['idle', 'connecting', 'connected', 'reconnecting', 'failed', 'closed'] as const;
export type TransportState = (typeof TRANSPORT_STATES)[number];

export type MediaKind = 'audio' | 'video';

/** One remote participant's media, keyed by our participant id (not the transport's own ids). */
export interface RemoteMedia {
  participantId: string;
  stream: MediaStream;
  /** A second stream when the participant shares a screen or a document. */
  screen?: MediaStream | undefined;
}

/** Per-participant link figures, read from getStats (native) or the transport's own statistics (Jitsi). */
export interface ParticipantStats {
  participantId: string;
  bytesReceived: number;
  bytesSent: number;
  /** Round trip of the selected candidate pair, when known. */
  rttMs?: number | undefined;
  /** Fraction of packets lost since the previous sample, 0–1. */
  lossRate?: number | undefined;
  framesDecoded?: number | undefined;
  /** Energy of the sound received so far (inbound `totalAudioEnergy`): grows while the participant is heard. */
  audioEnergy?: number | undefined;
  quality: NetworkQuality;
  /** The selected candidate pair (native transport). */
  route?: MediaRoute | undefined;
  /**
   * Audio samples received and those the decoder had to invent (loss concealment), both cumulative: their
   * ratio over an interval says whether the participant's voice came through whole.
   */
  concealedSamples?: number | undefined;
  totalSamples?: number | undefined;
  /** The participant's picture as it arrives now: its size and frame rate. */
  video?: { width: number; height: number; fps: number } | undefined;
}

/** How media reaches a peer: candidate types of the selected pair, and the transport to the relay when relayed. */
export interface MediaRoute {
  local: string;
  remote: string;
  relayProtocol?: string | undefined;
}

export interface JoinOptions {
  /** Our participant id (from the room's `hello`). */
  participantId: string;
  turn?: TurnCredentials | undefined;
  jitsi?: JitsiAccess | undefined;
  /** Display name shown by the transport (Jitsi); our tiles use the room's roster. */
  displayName?: string | undefined;
}

export interface MediaTransportEvents {
  /** A remote participant's stream appeared or changed (a track was added, a screen share started). */
  remote: RemoteMedia;
  /** A remote participant's media went away. */
  'remote-removed': { participantId: string };
  state: { state: TransportState };
  /** A connection to one participant changed (native: the peer connection's state). */
  'peer-state': { participantId: string; state: string };
  error: { error: MediaTransportError };
}

export type MediaTransportListener<K extends keyof MediaTransportEvents> = (detail: MediaTransportEvents[K]) => void;

export interface MediaTransport {
  readonly kind: TransportKind;
  readonly state: TransportState;
  /** Connects the transport; rejects with a MediaTransportError (our own time-outs included). */
  join(options: JoinOptions): Promise<void>;
  leave(): Promise<void>;
  /** Sends these local tracks to everyone (replaces what was published before). */
  publish(stream: MediaStream): Promise<void>;
  unpublish(): Promise<void>;
  /** Mutes or unmutes what we send (the track is kept, so unmuting is instant). */
  setMuted(kind: MediaKind, muted: boolean): void;
  /** Sends a screen or document share next to the camera; `stopScreenShare` ends it. */
  startScreenShare(track: MediaStreamTrack): Promise<void>;
  stopScreenShare(): Promise<void>;
  /** The participants the room says we may exchange media with (native: one peer connection each). */
  setParticipants(participantIds: readonly string[]): void;
  remotes(): RemoteMedia[];
  stats(): Promise<ParticipantStats[]>;
  /** After the device's network changed: restart ICE (native) or let the transport reconnect. */
  networkChanged(): void;
  on<K extends keyof MediaTransportEvents>(type: K, listener: MediaTransportListener<K>): () => void;
}

export const MEDIA_ERROR_MESSAGES = {
  media_timeout: { vi: 'Máy chủ hình ảnh không phản hồi trong thời gian cho phép.', en: 'The video server did not answer in time.' },
  media_unreachable: { vi: 'Không kết nối được tới máy chủ hình ảnh (Jitsi).', en: 'The video server (Jitsi) cannot be reached.' },
  media_incompatible: { vi: 'Phiên bản máy chủ hình ảnh (Jitsi) không tương thích.', en: 'The video server (Jitsi) version is not compatible.' },
  media_failed: { vi: 'Kết nối hình ảnh bị lỗi.', en: 'The video connection failed.' },
  media_not_configured: { vi: 'Chưa cấu hình máy chủ hình ảnh cho phiên này.', en: 'No video server is configured for this session.' },
  media_devices: { vi: 'Không mở được camera hoặc micrô.', en: 'The camera or microphone cannot be opened.' },
} as const;
export type MediaErrorCode = keyof typeof MEDIA_ERROR_MESSAGES;

/** A transport's failure, with the bilingual message officials and citizens are shown. */
export class MediaTransportError extends Error {
  override readonly name = 'MediaTransportError';
  readonly message_: { vi: string; en: string };
  constructor(
    readonly code: MediaErrorCode,
    readonly detail?: string,
  ) {
    super(`${MEDIA_ERROR_MESSAGES[code].en}${detail ? ` (${detail})` : ''}`);
    this.message_ = MEDIA_ERROR_MESSAGES[code];
  }
  /** The message for people, in their language. */
  say(lang: 'vi' | 'en'): string {
    return this.message_[lang];
  }
}

/** A small typed event emitter the transports share. */
export class TransportEvents {
  #listeners = new Map<string, Set<(detail: any) => void>>();
  on<K extends keyof MediaTransportEvents>(type: K, listener: MediaTransportListener<K>): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }
  emit<K extends keyof MediaTransportEvents>(type: K, detail: MediaTransportEvents[K]): void {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) listener(detail);
  }
}

/** Rejects with `error` when `promise` has not settled after `ms`: a silent server gives no event at all. */
export function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(error()), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (reason: unknown) => (clearTimeout(timer), reject(reason)),
    );
  });
}

// Its own module: the pre-join's network check grades a line with it long before any transport is loaded.
export { qualityOf } from './quality.js';
