/**
 * The signaling protocol's numbers and close codes, named once and shared by server, client and docs (the way
 * `ws` names its limits). The server may be configured with shorter windows (tests) or looser rates (benches);
 * these are the defaults a deployment gets.
 */
export const PROTOCOL_VERSION = 1;
/** The WebSocket endpoint, on the same server and origin as the HTTP API. */
export const SIGNALING_PATH = '/ws';

export const SIGNALING_LIMITS = {
  /** Largest text frame the server reads; an SDP offer with many candidates fits in 16 kB. */
  maxFrameBytes: 64 * 1024,
  /** Sustained client messages per second per connection, and the burst allowed on top of it. */
  messagesPerSecond: 20,
  messageBurst: 40,
  /** Each side sends a heartbeat this often (the client a `ping` request, the server a WebSocket ping). */
  heartbeatIntervalMs: 2_500,
  /**
   * A link with no frame from the other side for this long is dead, on either side (rural 3G drops silently):
   * with the interval above, a cut link is noticed within 10 s by both.
   */
  heartbeatTimeoutMs: 6_000,
  /** A participant that comes back within this window keeps its place, lobby position included. */
  resumeWindowMs: 60_000,
  /** A socket that has not said `hello` by then is closed. */
  authTimeoutMs: 5_000,
  /** Bytes queued towards one client before it counts as a slow consumer and is cut. */
  maxBufferedBytes: 1024 * 1024,
  /** Events kept per room for resume (memory, and the persisted tail). */
  eventLogSize: 1000,
  /** Chat message length, in characters. */
  chatMaxChars: 2000,
  /** Largest SDP accepted in a relayed offer or answer. */
  maxSdpChars: 32 * 1024,
} as const;

/**
 * Close codes (4000–4999, application range of RFC 6455), so a client knows why it was closed and whether
 * reconnecting makes sense (`RECONNECTABLE_CLOSE_CODES`).
 */
export const CLOSE_CODES = {
  /** The first frame was not a valid `hello`, or the frame is binary. */
  PROTOCOL_ERROR: 4000,
  /** No `hello` within the authentication timeout. */
  AUTH_TIMEOUT: 4001,
  /** The token in `hello` was refused (bad, expired, or not for this session). */
  AUTH_FAILED: 4003,
  /** The protocol version is not one this server speaks. */
  UNSUPPORTED_VERSION: 4005,
  /** More messages per second than allowed. */
  RATE_LIMITED: 4008,
  /** A frame larger than the maximum frame size. */
  FRAME_TOO_LARGE: 4009,
  /** The client read too slowly: its send buffer passed the limit. */
  SLOW_CONSUMER: 4010,
  /** The client missed a heartbeat. */
  HEARTBEAT_TIMEOUT: 4011,
  /** The same participant connected again on another socket (resume); this one is replaced. */
  REPLACED: 4012,
  /** The reception officer denied this citizen. */
  DENIED: 4013,
  /** The server is restarting; reconnect and resume. */
  SERVER_RESTARTING: 4014,
  /** The head ended the session. */
  ROOM_ENDED: 4015,
  /** The participant said `bye`. */
  LEFT: 4016,
} as const;
export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/** Closes after which a client should reconnect (and resume): the network, the server, a transient limit. */
export const RECONNECTABLE_CLOSE_CODES: readonly number[] = [
  1001, 1005, 1006, 1011, 1012, 1013,
  CLOSE_CODES.AUTH_TIMEOUT,
  CLOSE_CODES.RATE_LIMITED,
  CLOSE_CODES.SLOW_CONSUMER,
  CLOSE_CODES.HEARTBEAT_TIMEOUT,
  CLOSE_CODES.SERVER_RESTARTING,
];

/** Why each close code is sent, for people (docs/protocol.md, logs). */
export const CLOSE_CODE_DESCRIPTIONS: Record<keyof typeof CLOSE_CODES, string> = {
  PROTOCOL_ERROR: 'The first frame was not a valid `hello`, or a frame was binary.',
  AUTH_TIMEOUT: 'No `hello` within the authentication timeout.',
  AUTH_FAILED: 'The token in `hello` was refused (bad, expired, or for another session).',
  UNSUPPORTED_VERSION: 'The frame\'s protocol version `v` is not one this server speaks.',
  RATE_LIMITED: 'More messages per second than allowed (after an error frame `rate_limited`).',
  FRAME_TOO_LARGE: 'A frame larger than the maximum frame size.',
  SLOW_CONSUMER: 'The client read too slowly: its send buffer passed the limit.',
  HEARTBEAT_TIMEOUT: 'Nothing came from the client (no frame, no ping, no pong) within the heartbeat timeout.',
  REPLACED: 'The same participant connected again on another socket.',
  DENIED: 'The reception officer denied this citizen (after `lobby.denied`).',
  SERVER_RESTARTING: 'The server is restarting (after `server.restarting`); reconnect and resume.',
  ROOM_ENDED: 'The head ended the session (after `room.state` "ended").',
  LEFT: 'The participant said `bye`.',
};

/**
 * Requests that would do something a second time if carried out again (a second admission's audit entry, a second
 * chat line): the room keeps their results in the participant's record, so one sent again (the client's `resent`
 * after a resume, or the server's own after the room moved to another node) is answered from it. The others are
 * reads, or set a value, and are simply carried out again.
 */
export const RECORDED_REQUEST_TYPES = ['chat.send', 'lobby.admit', 'lobby.deny', 'lobby.return', 'case.set', 'room.open', 'room.end', 'floor.give', 'mute.request'] as const;
