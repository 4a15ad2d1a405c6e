/**
 * The signaling protocol: versioned JSON frames over one WebSocket (`/ws`). Every client frame is a request
 * with an `id` and gets exactly one reply, a `result` or an `error` frame with the project's error shape; the
 * server also sends `event` frames, each with the room's sequence number, which a client keeps to resume.
 *
 * One zod/mini schema per message type, in one discriminated union per direction; docs/protocol.md is
 * generated from these schemas and DESCRIPTIONS (and a test fails when it is stale).
 */
import * as z from 'zod/mini';
import { ROOM_ROLES, type RoomPermission } from './permissions.js';
import { PROTOCOL_VERSION, RECORDED_REQUEST_TYPES, SIGNALING_LIMITS } from './limits.js';
import { RECORDING_STATES } from '../recording/protocol.js';
import { CASE_STATES } from '../desk/case.js';

z.config({ jitless: true });

const version = z.literal(PROTOCOL_VERSION);
const requestId = z.string().check(z.minLength(1), z.maxLength(64));
const ident = z.string().check(z.regex(/^[A-Za-z0-9_.:-]{1,128}$/u));
const shortText = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const seq = z.int().check(z.minimum(0));

export const MEDIA_KINDS = ['audio', 'video'] as const;
export const NETWORK_QUALITIES = ['good', 'fair', 'poor', 'lost'] as const;
export type NetworkQuality = (typeof NETWORK_QUALITIES)[number];
export const PARTICIPANT_STATUSES = ['present', 'lobby', 'admitted'] as const;
export type ParticipantStatus = (typeof PARTICIPANT_STATUSES)[number];
export const ROOM_STATES = ['pending', 'open', 'ended'] as const;
export type RoomState = (typeof ROOM_STATES)[number];

// ---------------------------------------------------------------------------------------------- requests
/**
 * `resent`: the client sends a request again, with its id, after its socket dropped before the reply and it
 * resumed its place; a recorded request (RECORDED_REQUEST_TYPES) the room had already carried out is answered from
 * its record instead of being done twice. The id must then be one this client never used for anything else.
 */
const request = <T extends string, S extends z.core.$ZodLooseShape>(type: T, shape: S) =>
  z.strictObject({ v: version, id: requestId, resent: z.optional(z.literal(true)), type: z.literal(type), ...shape });

export const ConnectionPointSchema = z.strictObject({
  id: ident,
  name: shortText(200),
  /** The unit (ward, province, central board) the point belongs to. */
  unit: shortText(64),
  /** The operator keeping the point online (name or phone). */
  operator: z.optional(shortText(200)),
});
export type ConnectionPointInfo = z.infer<typeof ConnectionPointSchema>;

export const HelloSchema = request('hello', {
  auth: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('official'), token: shortText(4096) }),
    z.strictObject({ kind: z.literal('citizen'), token: shortText(4096) }),
  ]),
  /** The reception session whose room to join. */
  sessionId: ident,
  /** Declares the connection point this client runs (operators, and officials at a point). */
  point: z.optional(ConnectionPointSchema),
  /** Joins an already declared point as one of its participants. */
  pointId: z.optional(ident),
  /** Come back to the same place: the participant id from the last `hello` and the last event seen. */
  resume: z.optional(z.strictObject({ participantId: ident, lastSeq: seq })),
  /**
   * Joins as the session's recorder (an official with `recordings.record`, or a `recorder` device credential):
   * a hidden, receive-only participant that nobody sees in the roster, that sends no media and may do nothing
   * but receive everyone's audio and video for the recording. `recorderId` is its id in the lease election.
   */
  recorder: z.optional(z.strictObject({ recorderId: ident })),
  /**
   * The recording and privacy notice the participant acknowledged before joining (SPEC §7); audited by the room.
   * Required of a citizen joining (`notice_required` otherwise); a resume need not repeat it.
   */
  notice: z.optional(z.strictObject({ version: shortText(64), acknowledgedAt: shortText(64) })),
});

const RoomOpenSchema = request('room.open', {});
const RoomEndSchema = request('room.end', {});
const RosterGetSchema = request('roster.get', {});
const LobbyAdmitSchema = request('lobby.admit', { participantId: ident, caseId: z.optional(ident) });
const LobbyDenySchema = request('lobby.deny', { participantId: ident, reason: shortText(500) });
const LobbyReturnSchema = request('lobby.return', { participantId: ident });
const CaseSetSchema = request('case.set', { caseId: z.nullable(ident) });
const FloorGiveSchema = request('floor.give', { participantId: z.nullable(ident) });
const HandRaiseSchema = request('hand.raise', { raised: z.boolean() });
const ChatSendSchema = request('chat.send', { text: shortText(SIGNALING_LIMITS.chatMaxChars) });
const MuteRequestSchema = request('mute.request', { participantId: ident, media: z.enum(MEDIA_KINDS) });
const ScreenShareSchema = request('screen.share', { active: z.boolean() });

export const SignalDataSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('offer'), sdp: shortText(SIGNALING_LIMITS.maxSdpChars) }),
  z.strictObject({ kind: z.literal('answer'), sdp: shortText(SIGNALING_LIMITS.maxSdpChars) }),
  z.strictObject({
    kind: z.literal('ice'),
    /** null marks the end of candidates. */
    candidate: z.nullable(z.string().check(z.maxLength(2048))),
    sdpMid: z.optional(z.nullable(z.string().check(z.maxLength(64)))),
    sdpMLineIndex: z.optional(z.nullable(z.int().check(z.minimum(0), z.maximum(64)))),
  }),
  z.strictObject({ kind: z.literal('bye') }),
]);
export type SignalData = z.infer<typeof SignalDataSchema>;
const SignalSchema = request('signal', { to: ident, data: SignalDataSchema });

const HealthReportSchema = request('health.report', {
  quality: z.enum(NETWORK_QUALITIES),
  rttMs: z.optional(z.int().check(z.minimum(0), z.maximum(60_000))),
  devices: z.optional(z.strictObject({ camera: z.boolean(), microphone: z.boolean() })),
});
const MediaCredentialsSchema = request('media.credentials', {});
const IdentityReadSchema = request('identity.read', { participantId: ident });
const ByeSchema = request('bye', {});
/** The client's heartbeat: browsers cannot see WebSocket pings, so each side needs a frame it can see. */
const PingSchema = request('ping', {});

export const ClientMessageSchema = z.discriminatedUnion('type', [
  HelloSchema,
  RoomOpenSchema,
  RoomEndSchema,
  RosterGetSchema,
  LobbyAdmitSchema,
  LobbyDenySchema,
  LobbyReturnSchema,
  CaseSetSchema,
  FloorGiveSchema,
  HandRaiseSchema,
  ChatSendSchema,
  MuteRequestSchema,
  ScreenShareSchema,
  SignalSchema,
  HealthReportSchema,
  MediaCredentialsSchema,
  IdentityReadSchema,
  ByeSchema,
  PingSchema,
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export type RequestType = ClientMessage['type'];
export const REQUEST_TYPES = ClientMessageSchema.def.options.map((o) => o.def.shape.type.def.values[0]) as RequestType[];
// Every recorded request is one of the protocol's (a misspelt name would never be recorded).
RECORDED_REQUEST_TYPES satisfies readonly RequestType[];
/** A request's parameters, without the envelope. */
export type RequestParams<T extends RequestType> = Omit<Extract<ClientMessage, { type: T }>, 'v' | 'id' | 'type' | 'resent'>;
export type Hello = z.infer<typeof HelloSchema>;

// ---------------------------------------------------------------------------------------------- shared views
export const ParticipantSchema = z.strictObject({
  participantId: ident,
  role: z.enum(ROOM_ROLES),
  /** Display name; "Người tố cáo" (redacted) for a denouncer, except for those who may see it. */
  name: z.string(),
  redacted: z.optional(z.boolean()),
  pointId: z.optional(ident),
  status: z.enum(PARTICIPANT_STATUSES),
  connected: z.boolean(),
  hand: z.boolean(),
  screen: z.boolean(),
  caseId: z.optional(ident),
});
export type Participant = z.infer<typeof ParticipantSchema>;

export const PointHealthSchema = z.strictObject({
  id: ident,
  name: z.string(),
  unit: z.string(),
  operator: z.optional(z.string()),
  connected: z.boolean(),
  /** ISO time of the last heartbeat from any of its participants. */
  lastHeartbeat: z.optional(z.string()),
  quality: z.optional(z.enum(NETWORK_QUALITIES)),
  rttMs: z.optional(z.int()),
  devices: z.optional(z.strictObject({ camera: z.boolean(), microphone: z.boolean() })),
  participants: z.array(ident),
});
export type PointHealth = z.infer<typeof PointHealthSchema>;

/** The recording's alarm, for officials: no active recorder on a mandatory recording, or finalization failed. */
export const RecordingAlarmSchema = z.strictObject({ code: z.enum(['no_recorder', 'failed']), since: z.string() });
export type RecordingAlarm = z.infer<typeof RecordingAlarmSchema>;
/** What the room says of its recording: the state to everyone ("đang ghi hình"), the alarm to officials only. */
export const RoomRecordingSchema = z.strictObject({ state: z.enum(RECORDING_STATES), alarm: z.optional(RecordingAlarmSchema) });
export type RoomRecording = z.infer<typeof RoomRecordingSchema>;

export const LobbyEntrySchema = z.strictObject({ participantId: ident, name: z.string(), position: z.int(), since: z.string() });
export type LobbyEntry = z.infer<typeof LobbyEntrySchema>;

export const RoomSnapshotSchema = z.strictObject({
  sessionId: ident,
  state: z.enum(ROOM_STATES),
  seq,
  caseId: z.nullable(ident),
  floor: z.nullable(ident),
  participants: z.array(ParticipantSchema),
  points: z.array(PointHealthSchema),
  /** The queue, for those who manage the lobby; absent for others. */
  lobby: z.optional(z.array(LobbyEntrySchema)),
  /** The session's recording, when it has one (the alarm only for officials). */
  recording: z.optional(RoomRecordingSchema),
});
export type RoomSnapshot = z.infer<typeof RoomSnapshotSchema>;

export const TurnCredentialsSchema = z.strictObject({
  urls: z.array(z.string()),
  username: z.string(),
  credential: z.string(),
  ttl: z.int(),
  /** The deployment sends all media through the relay (`iceTransportPolicy: 'relay'`). */
  relayOnly: z.optional(z.boolean()),
});
export type TurnCredentials = z.infer<typeof TurnCredentialsSchema>;
export const JitsiAccessSchema = z.strictObject({ domain: z.string(), room: z.string(), jwt: z.string() });
export type JitsiAccess = z.infer<typeof JitsiAccessSchema>;

// ---------------------------------------------------------------------------------------------- results
const Empty = z.strictObject({});
export const RESULT_SCHEMAS = {
  hello: z.strictObject({
    protocol: version,
    participantId: ident,
    role: z.enum(ROOM_ROLES),
    status: z.enum(PARTICIPANT_STATUSES),
    /** True when this is the same place as before (resume within the window). */
    resumed: z.boolean(),
    /** Missed events follow this reply (true), or the snapshot replaces them (false: too old). */
    replay: z.boolean(),
    lobbyPosition: z.optional(z.int()),
    room: RoomSnapshotSchema,
    turn: z.optional(TurnCredentialsSchema),
    jitsi: z.optional(JitsiAccessSchema),
    limits: z.strictObject({ heartbeatIntervalMs: z.int(), heartbeatTimeoutMs: z.int(), resumeWindowMs: z.int(), maxFrameBytes: z.int(), messagesPerSecond: z.number() }),
  }),
  'room.open': Empty,
  'room.end': Empty,
  'roster.get': RoomSnapshotSchema,
  'lobby.admit': Empty,
  'lobby.deny': Empty,
  'lobby.return': Empty,
  'case.set': Empty,
  'floor.give': Empty,
  'hand.raise': Empty,
  'chat.send': z.strictObject({ messageId: z.string(), seq }),
  'mute.request': Empty,
  'screen.share': Empty,
  signal: Empty,
  'health.report': Empty,
  'media.credentials': z.strictObject({ turn: z.optional(TurnCredentialsSchema), jitsi: z.optional(JitsiAccessSchema) }),
  'identity.read': z.strictObject({ participantId: ident, name: z.string(), reference: z.optional(z.string()), kind: z.optional(z.string()) }),
  bye: Empty,
  ping: Empty,
} satisfies Record<RequestType, z.ZodMiniType>;
export type RequestResult<T extends RequestType> = z.infer<(typeof RESULT_SCHEMAS)[T]>;

// ---------------------------------------------------------------------------------------------- events
const event = <T extends string, S extends z.core.$ZodLooseShape>(type: T, shape: S) => z.strictObject({ type: z.literal(type), ...shape });

export const RoomEventSchema = z.discriminatedUnion('type', [
  event('room.state', { state: z.enum(ROOM_STATES) }),
  event('participant.joined', { participant: ParticipantSchema }),
  event('participant.updated', { participant: ParticipantSchema }),
  event('participant.left', { participantId: ident, reason: z.enum(['bye', 'expired', 'denied', 'ended']) }),
  event('lobby.updated', { queue: z.array(LobbyEntrySchema) }),
  event('lobby.position', { position: z.int(), size: z.int() }),
  event('lobby.admitted', { caseId: z.nullable(ident) }),
  event('lobby.returned', { position: z.int() }),
  event('lobby.denied', { reason: z.string() }),
  event('case.changed', { caseId: z.nullable(ident) }),
  event('case.updated', { caseId: ident, state: z.enum(CASE_STATES), step: shortText(64) }),
  event('floor.changed', { participantId: z.nullable(ident) }),
  event('chat.message', { messageId: z.string(), from: ident, name: z.string(), text: z.string(), at: z.string() }),
  event('mute.requested', { media: z.enum(MEDIA_KINDS), by: ident }),
  event('signal', { from: ident, data: SignalDataSchema }),
  event('point.health', { point: PointHealthSchema }),
  event('server.restarting', { reconnectAfterMs: z.int() }),
  event('recording.state', { state: z.enum(RECORDING_STATES) }),
  event('recording.recorder', {
    change: z.enum(['elected', 'lost']),
    epoch: z.int(),
    recorderId: z.string(),
    reason: z.optional(z.enum(['lapsed', 'left'])),
  }),
  event('recording.alarm', { alarm: RecordingAlarmSchema }),
  event('recording.alarm_cleared', {}),
]);
export type RoomEvent = z.infer<typeof RoomEventSchema>;
export type EventType = RoomEvent['type'];
export const EVENT_TYPES = RoomEventSchema.def.options.map((o) => o.def.shape.type.def.values[0]) as EventType[];

// ---------------------------------------------------------------------------------------------- server frames
export const ErrorPayloadSchema = z.strictObject({
  code: z.string(),
  message: z.strictObject({ vi: z.string(), en: z.string() }),
  fields: z.optional(z.array(z.strictObject({ path: z.string(), code: z.string(), message: z.strictObject({ vi: z.string(), en: z.string() }) }))),
  retryAfter: z.optional(z.number()),
  requestId: z.optional(z.string()),
});

export const ServerMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ v: version, type: z.literal('result'), id: requestId, result: z.unknown() }),
  /** `id` is null when the frame could not be read far enough to find one. */
  z.strictObject({ v: version, type: z.literal('error'), id: z.nullable(z.string()), error: ErrorPayloadSchema }),
  z.strictObject({ v: version, type: z.literal('event'), seq, at: z.string(), event: RoomEventSchema }),
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
export type EventFrame = Extract<ServerMessage, { type: 'event' }>;

/** One line per message type, for docs/protocol.md (a missing one is a type error). */
export const REQUEST_DESCRIPTIONS: Record<RequestType, string> = {
  hello: 'First frame on every socket: authenticates (an official\'s token or a citizen\'s join token), joins the session\'s room, and optionally declares or joins a connection point (a configured point of the caller\'s own unit, whose name and unit the server takes from its configuration; never a citizen) and resumes a previous place. Citizens land in the lobby.',
  'room.open': 'Opens the room; until then citizens wait in the lobby and nobody can be admitted. A session that must be recorded opens only once a recorder is active (`recorder_required`), and its recording starts.',
  'room.end': 'Ends the session: everyone gets `room.state` "ended" and is closed with ROOM_ENDED; the session\'s recording ends (its last chunks drain, then it is finalized).',
  'roster.get': 'The room as the caller may see it: participants, connection points and their health, and the lobby queue for those who manage it.',
  'lobby.admit': 'Admits a citizen from the lobby, optionally bound to the case being received (one case at a time).',
  'lobby.deny': 'Denies a citizen, with a reason the citizen is shown; the citizen is closed with DENIED.',
  'lobby.return': 'Sends an admitted citizen back to the lobby, at the front of the queue.',
  'case.set': 'Sets (or clears) the case currently being received.',
  'floor.give': 'Gives the floor to a participant, or takes it back (null).',
  'hand.raise': 'Raises or lowers the caller\'s hand.',
  'chat.send': 'Writes in the session\'s chat; the chat is kept with the session.',
  'mute.request': 'Asks a participant to mute their microphone or camera.',
  'screen.share': 'Tells the room the caller starts or stops sharing a screen.',
  signal: 'Relays a WebRTC offer, answer or ICE candidate to one participant who may see the caller (native peer-to-peer transport).',
  'health.report': 'Reports the caller\'s network quality and devices; shown on its connection point\'s health.',
  'media.credentials': 'Time-limited TURN credentials and, once admitted, the Jitsi room and token.',
  'identity.read': 'A participant\'s identity, including a denouncer\'s (only for roles that may see it).',
  bye: 'Leaves the room for good (no resume).',
  ping: 'The client\'s heartbeat, every `limits.heartbeatIntervalMs` (answered at once, never queued behind the room). Each side takes the link for dead after `limits.heartbeatTimeoutMs` without any frame from the other (WebSocket pings are invisible to browsers); the resume window counts from the last frame.',
};

export const EVENT_DESCRIPTIONS: Record<EventType, string> = {
  'room.state': 'The room opened or ended.',
  'participant.joined': 'Someone joined (observers are not announced to citizens when the policy hides them).',
  'participant.updated': 'A participant\'s status changed (connection, lobby, hand, screen).',
  'participant.left': 'Someone left for good: said bye, did not come back within the resume window, was denied, or the session ended.',
  'lobby.updated': 'The lobby queue, to those who manage it.',
  'lobby.position': 'To a waiting citizen: their position in the queue (1 is next) and its size.',
  'lobby.admitted': 'To a citizen: you are admitted (ask `media.credentials` for the Jitsi room).',
  'lobby.returned': 'To a citizen: you are back in the lobby.',
  'lobby.denied': 'To a citizen: you were denied, with the reason; the socket closes with DENIED.',
  'case.changed': 'The case being received changed.',
  'case.updated': 'A desk step was recorded on a case of this session (content, confirmation, receipt, outcome, refusal, filing): the officials and the case\'s own citizens read it again over HTTP. It carries no content, only the case, its state and the step.',
  'floor.changed': 'The floor was given to someone, or taken back (null).',
  'chat.message': 'A chat message.',
  'mute.requested': 'To one participant: please mute this medium.',
  signal: 'A relayed WebRTC offer, answer or ICE candidate from another participant.',
  'point.health': 'A connection point\'s health changed.',
  'server.restarting': 'The server is restarting; the socket closes with SERVER_RESTARTING; reconnect and resume.',
  'recording.state': 'To everyone, citizens included: the recording\'s state changed ("recording" is shown as "đang ghi hình").',
  'recording.recorder': 'To officials: a recorder was elected (holds the lease for `epoch`) or lost its lease (lapsed or left).',
  'recording.alarm': 'To officials: a mandatory recording has no active recorder, or its finalization failed; it keeps going and the gap is recorded.',
  'recording.alarm_cleared': 'To officials: a recorder is active again.',
};

/** The permission each request needs beyond being in the room (the server also checks the room's state). */
export const REQUEST_PERMISSIONS: Partial<Record<RequestType, RoomPermission>> = {
  'room.open': 'room.open',
  'room.end': 'room.end',
  'lobby.admit': 'lobby.manage',
  'lobby.deny': 'lobby.manage',
  'lobby.return': 'lobby.manage',
  'case.set': 'case.set',
  'floor.give': 'floor.give',
  'hand.raise': 'hand.raise',
  'chat.send': 'chat.send',
  'mute.request': 'participant.mute',
  'screen.share': 'screen.share',
  'identity.read': 'denouncer.read',
};
