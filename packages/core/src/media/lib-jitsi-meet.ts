/**
 * Type declarations for the part of lib-jitsi-meet the Jitsi adapter uses. The library is not bundled: it is
 * loaded at run time from the deployment (its version must match the deployment's videobridge and prosody), so
 * these are hand-written from its documented API (jitsi/lib-jitsi-meet doc/API.md) rather than taken from a
 * package. Only declarations: this module emits no code.
 */

export interface JitsiTrack {
  getType(): 'audio' | 'video';
  /** 'camera' or 'desktop' (a screen share) for video tracks. */
  getVideoType?(): 'camera' | 'desktop' | undefined;
  isLocal(): boolean;
  /** The Jitsi endpoint id of a remote track's owner. */
  getParticipantId(): string;
  getOriginalStream(): MediaStream;
  getTrack(): MediaStreamTrack;
  isMuted(): boolean;
  mute(): Promise<void>;
  unmute(): Promise<void>;
  dispose(): Promise<void>;
}

export interface JitsiParticipant {
  getId(): string;
  getDisplayName(): string | undefined;
}

export interface JitsiConference {
  on(event: string, listener: (...args: any[]) => void): void;
  off?(event: string, listener: (...args: any[]) => void): void;
  addEventListener?(event: string, listener: (...args: any[]) => void): void;
  join(password?: string): void;
  leave(): Promise<void>;
  addTrack(track: JitsiTrack): Promise<void>;
  removeTrack(track: JitsiTrack): Promise<void>;
  setDisplayName(name: string): void;
  getParticipants(): JitsiParticipant[];
  myUserId(): string;
}

export interface JitsiConnectionOptions {
  hosts: { domain: string; muc: string; focus?: string };
  /** wss://<domain>/xmpp-websocket?room=<room> (or the BOSH URL). */
  serviceUrl: string;
  /** Older builds read `bosh` instead of serviceUrl. */
  bosh?: string;
  clientNode?: string;
}

export interface JitsiConnection {
  connect(options?: object): void;
  disconnect(): Promise<void> | void;
  addEventListener(event: string, listener: (...args: any[]) => void): void;
  removeEventListener(event: string, listener: (...args: any[]) => void): void;
  initJitsiConference(room: string, options: object): JitsiConference;
}

export interface CreateLocalTracksOptions {
  devices: ('audio' | 'video' | 'desktop')[];
  cameraDeviceId?: string;
  micDeviceId?: string;
  resolution?: number;
}

export interface JitsiMeetJSStatic {
  version?: string;
  init(options?: object): unknown;
  setLogLevel?(level: unknown): void;
  logLevels?: Record<string, unknown>;
  JitsiConnection: new (appId: string | null, token: string | null, options: JitsiConnectionOptions) => JitsiConnection;
  createLocalTracks(options: CreateLocalTracksOptions): Promise<JitsiTrack[]>;
  /** Newer builds: wrap tracks we already have (the device picker's). */
  createLocalTracksFromMediaStreams?(specs: { stream: MediaStream; sourceType: string; mediaType: 'audio' | 'video'; track: MediaStreamTrack; videoType?: string }[]): JitsiTrack[];
  events: {
    connection: {
      CONNECTION_ESTABLISHED: string;
      CONNECTION_FAILED: string;
      CONNECTION_DISCONNECTED?: string;
    };
    conference: {
      CONFERENCE_JOINED: string;
      CONFERENCE_FAILED: string;
      CONNECTION_INTERRUPTED: string;
      CONNECTION_RESTORED?: string;
      TRACK_ADDED: string;
      TRACK_REMOVED: string;
      USER_JOINED: string;
      USER_LEFT: string;
    };
  };
}

declare global {
  interface Window {
    JitsiMeetJS?: JitsiMeetJSStatic;
  }
}
