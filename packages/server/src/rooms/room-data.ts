/**
 * What a room is made of, apart from its behaviour: its settings, the records of its participants and connection
 * points, and what it persists (RoomData, everything that must outlive a restart). Kept apart from room.ts (and
 * from what the room is given, room-context.ts) so the store, the visibility rules and the request handlers read
 * these types without importing the room or the store (no import cycle, issue 14).
 */
import type { NetworkQuality, ParticipantStatus, RoomRole, RoomState } from '@tiepdan/core';
import type { JitsiSettings, TurnSettings } from './media.js';

export interface RoomSettings {
  resumeWindowMs: number;
  hideObserversFromCitizens: boolean;
  eventLogSize: number;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  maxFrameBytes: number;
  messagesPerSecond: number;
  turn?: TurnSettings | undefined;
  jitsi?: JitsiSettings | undefined;
  /** The configured connection points by id, each with its unit (config.units[].connectionPoints). */
  connectionPoints: ReadonlyMap<string, { id: string; name: string; unit: string }>;
}

export interface ParticipantRecord {
  participantId: string;
  role: RoomRole;
  /** "official:<sub>" or "citizen:<reference>": one place per person. */
  identity: string;
  name: string;
  pointId?: string | undefined;
  /** An official's unit (from the token): the recording opened with the room belongs to it when the schedule has none. */
  unit?: string | undefined;
  status: ParticipantStatus;
  connectionId: string | null;
  /** Epoch ms when the socket went away; the resume window runs from here. */
  disconnectedAt?: number | undefined;
  hand: boolean;
  screen: boolean;
  caseId?: string | undefined;
  citizen?: { reference: string; kind?: string | undefined } | undefined;
  lobbySince?: string | undefined;
  lastHeartbeat?: string | undefined;
  quality?: NetworkQuality | undefined;
  rttMs?: number | undefined;
  devices?: { camera: boolean; microphone: boolean } | undefined;
  /**
   * The last requests of this participant that changed the room (core RECORDED_REQUEST_TYPES), by socket and
   * request id, with their results, written with what they changed. A request whose reply was lost is sent again:
   * by the socket's node to the room's next node when the room's node died (rooms/transport.ts), or by the client
   * after a drop and a resume (`resent`); when it had already been carried out, the stored result is the answer
   * instead of a second admission or a second chat line.
   */
  answered?: AnsweredRequest[] | undefined;
}

/**
 * Kept per participant. Only what was in flight when a socket dropped or the room's node died is ever sent again,
 * and one socket has few requests in flight (the buttons wait for their answer): a few are plenty.
 */
export const ANSWERED_KEPT = 8;

export interface AnsweredRequest {
  connectionId: string;
  id: string;
  result: unknown;
}

export interface PointRecord {
  id: string;
  name: string;
  unit: string;
  operator?: string | undefined;
}

export interface RoomData {
  sessionId: string;
  state: RoomState;
  seq: number;
  caseId: string | null;
  floor: string | null;
  participants: ParticipantRecord[];
  lobby: string[];
  points: PointRecord[];
  /** Identities denied in this session: they cannot come back to the lobby. */
  denied: string[];
}
