/**
 * What a request handler may use of its room: the room's state and the few operations that change it and announce
 * the change (rooms/room.ts implements them). A handler is one function per request type; the room has already
 * checked that the caller is who they say and that their role may make the request (core's REQUEST_PERMISSIONS).
 */
import type { ClientMessage, RequestResult, RequestType, RoomEvent, RoomSnapshot, RoomState } from '@tiepdan/core';
import { refuse } from '../refusal.js';
import type { RoomContext } from '../room-context.js';
import type { ParticipantRecord } from '../room-data.js';
import type { RoomPicture } from '../visibility.js';

/** The requests a room answers (the transport answers `ping`; `hello` is a command of its own). */
export type RoomRequestType = Exclude<RequestType, 'hello' | 'ping'>;
export type RoomRequest<T extends RoomRequestType = RoomRequestType> = Extract<ClientMessage, { type: T }>;

export type LeaveReason = 'bye' | 'expired' | 'denied' | 'ended';

export interface EmitOptions {
  /** False: not kept for replay (a restart notice). */
  log?: boolean;
  /** False: kept for replay in memory, not written (signals, point health). */
  persist?: boolean;
  /** A presence change: written with the next commit (RoomStore `presence`). */
  presence?: boolean | undefined;
  /** A chat line's author: the event is also the chat record. */
  author?: string;
}

export interface RoomScope extends RoomPicture {
  readonly ctx: RoomContext;
  state: RoomState;
  lobby: string[];
  readonly denied: Set<string>;
  /** A `room.open` is waiting on the recording: a second one is refused instead of opening twice. */
  opening: boolean;
  everyone(): string[];
  /** Everyone past the lobby. */
  members(): string[];
  /** Sequences, logs and publishes one event; returns its sequence number. */
  emit(event: RoomEvent, to: string[], options?: EmitOptions): number;
  /** An event about `subject`, to everyone who may see it, each with their own redaction. */
  emitAbout(subject: ParticipantRecord, event: RoomEvent, options?: { exceptSelf?: boolean; alsoFormerMembers?: boolean; presence?: boolean }): void;
  /** Tells everyone who may see `p` that it changed. */
  updated(p: ParticipantRecord, options?: { exceptSelf?: boolean; alsoFormerMembers?: boolean }): void;
  audit(actor: ParticipantRecord, action: string, target?: ParticipantRecord, detail?: Record<string, unknown>): void;
  /** The room's state changed: it is written with the next commit. */
  dirty(options?: { presence?: boolean }): void;
  remove(p: ParticipantRecord, reason: LeaveReason): void;
  setCase(caseId: string | null): void;
  setFloor(participantId: string | null): void;
  lobbyChanged(): void;
  pointChanged(pointId: string): void;
  /** The room as `viewer` sees it, the recording's view read now. */
  snapshot(viewer: ParticipantRecord): Promise<RoomSnapshot>;
  credentials(p: ParticipantRecord): Promise<RequestResult<'media.credentials'>>;
  /** Stops the resume timers (the room ended). */
  dispose(): void;
}

/** One request type's handler: applies it to the room and returns its result, or refuses. */
export type RequestHandler<T extends RoomRequestType> = (
  room: RoomScope,
  caller: ParticipantRecord,
  message: RoomRequest<T>,
  /** When the request came in (ISO). */
  now: string,
) => RequestResult<T> | Promise<RequestResult<T>>;

export type RequestHandlers<T extends RoomRequestType> = { [K in T]: RequestHandler<K> };

/** Only those past the lobby take part (hand, chat, screen, media). */
export function requireMember(p: ParticipantRecord): void {
  if (p.status === 'lobby') refuse('not_admitted');
}

/** An official's subject from their identity key ("official:<sub>"). */
export function officialSub(p: ParticipantRecord): string {
  return p.identity.replace(/^official:/u, '');
}
