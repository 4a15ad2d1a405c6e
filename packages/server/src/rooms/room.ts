/**
 * One reception session's room: who is there (participants, connection points and their health), the lobby
 * queue, the case being received, the floor, hands, chat. Every request is checked against the role table
 * (core's ROOM_PERMISSIONS) and the room's state, applied, audited when it is a lobby decision or a role
 * action, and announced as sequenced events to exactly the participants who may see them.
 *
 * A participant who drops stays in place for the resume window (lobby position included); one who comes back
 * in time gets the events it missed. Everything that must outlive a restart is in RoomData.
 */
import { randomUUID } from 'node:crypto';
import {
  can,
  CLOSE_CODES,
  PROTOCOL_VERSION,
  canInRoom,
  signalingError,
  type ClientMessage,
  type ErrorCode,
  type LobbyEntry,
  type NetworkQuality,
  type Participant,
  type ParticipantStatus,
  type PointHealth,
  type RequestResult,
  type RoomEvent,
  type RoomPermission,
  type RoomRole,
  type RoomSnapshot,
  type RoomState,
  type SignalingErrorCode,
} from '@tiepdan/core';
import type { CommandReply, RoomBus } from './bus.js';
import type { RoomCommand, VerifiedIdentity } from './commands.js';
import { jitsiAccess, turnCredentials, type JitsiSettings, type TurnSettings } from './media.js';
import type { RoomStore, StoredEvent } from './room-store.js';
import type { RoomRecording } from './recording.js';
import type { RoomDesk } from './desk.js';
import type { RecordingEvent } from '../recording/events.js';

/** Shown instead of a denouncer's name to everyone who may not see it (SPEC §3). */
export const REDACTED_NAME = 'Người tố cáo';

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

class Refusal extends Error {
  constructor(
    readonly code: ErrorCode | SignalingErrorCode,
    readonly close?: { code: number; reason: string },
  ) {
    super(code);
  }
}

/** A declared function, not an arrow in a const: only then does TypeScript narrow after a call that returns never. */
function refuse(code: ErrorCode | SignalingErrorCode, close?: { code: number; reason: string }): never {
  throw new Refusal(code, close);
}

export class Room {
  readonly sessionId: string;
  private state: RoomState;
  private seq: number;
  private caseId: string | null;
  private floor: string | null;
  private readonly participants = new Map<string, ParticipantRecord>();
  private lobby: string[];
  private readonly points = new Map<string, PointRecord>();
  private readonly denied: Set<string>;
  private log: StoredEvent[];
  private readonly expiry = new Map<string, ReturnType<typeof setTimeout>>();
  /** A `room.open` is waiting on the recording: a second one is refused instead of opening twice. */
  private opening = false;

  constructor(
    data: RoomData,
    events: StoredEvent[],
    private readonly ctx: RoomContext,
    restored = false,
  ) {
    this.sessionId = data.sessionId;
    this.state = data.state;
    this.seq = Math.max(data.seq, events.at(-1)?.seq ?? 0);
    this.caseId = data.caseId;
    this.floor = data.floor;
    this.lobby = [...data.lobby];
    this.denied = new Set(data.denied);
    this.log = events.slice(-ctx.settings.eventLogSize);
    for (const point of data.points) this.points.set(point.id, point);
    for (const p of data.participants) {
      this.participants.set(p.participantId, p);
      // After a restart nobody is connected yet; everyone gets a full window from now to come back.
      if (restored) {
        p.connectionId = null;
        p.disconnectedAt = ctx.now();
        this.startExpiry(p);
      } else if (p.connectionId === null) this.startExpiry(p);
    }
  }

  static empty(sessionId: string): RoomData {
    return { sessionId, state: 'pending', seq: 0, caseId: null, floor: null, participants: [], lobby: [], points: [], denied: [] };
  }

  get ended(): boolean {
    return this.state === 'ended';
  }

  snapshotData(): RoomData {
    return {
      sessionId: this.sessionId,
      state: this.state,
      seq: this.seq,
      caseId: this.caseId,
      floor: this.floor,
      participants: [...this.participants.values()],
      lobby: [...this.lobby],
      points: [...this.points.values()],
      denied: [...this.denied],
    };
  }

  /** Stops timers (shutdown); the persisted data keeps everyone's place. */
  dispose(): void {
    for (const timer of this.expiry.values()) clearTimeout(timer);
    this.expiry.clear();
  }

  /** Tells everyone the server is restarting and closes their sockets; nobody loses their place. */
  announceRestart(reconnectAfterMs: number): void {
    const to = [...this.participants.values()].filter((p) => p.connectionId !== null).map((p) => p.participantId);
    if (to.length === 0) return;
    this.emit({ type: 'server.restarting', reconnectAfterMs }, to, { log: false });
    this.ctx.bus.publish(this.sessionId, { kind: 'close', to, code: CLOSE_CODES.SERVER_RESTARTING, reason: 'server restarting' });
  }

  async handle(command: RoomCommand): Promise<CommandReply> {
    try {
      switch (command.kind) {
        case 'hello':
          return await this.hello(command);
        case 'detach':
          this.detach(command.participantId, command.connectionId, command.lastSeenAt);
          return { ok: true, result: {} };
        case 'case':
          this.caseUpdated(command);
          return { ok: true, result: {} };
        case 'heartbeat': {
          const p = this.participants.get(command.participantId);
          if (p && p.connectionId === command.connectionId) p.lastHeartbeat = new Date(this.ctx.now()).toISOString();
          return { ok: true, result: {} };
        }
        case 'request': {
          const p = this.participants.get(command.participantId);
          if (!p || p.connectionId !== command.connectionId) refuse('unauthenticated');
          const result = await this.request(p!, command.message);
          // The caller gets its reply first, then its own close; everyone else was closed by the room.
          if (command.message.type === 'room.end') return { ok: true, result, close: { code: CLOSE_CODES.ROOM_ENDED, reason: 'session ended' } };
          if (command.message.type === 'bye') return { ok: true, result, close: { code: CLOSE_CODES.LEFT, reason: 'bye' } };
          return { ok: true, result };
        }
      }
    } catch (error) {
      if (error instanceof Refusal) return { ok: false, error: signalingError(error.code), ...(error.close ? { close: error.close } : {}) };
      throw error;
    }
  }

  // ------------------------------------------------------------------------------------------ joining

  private async hello(command: Extract<RoomCommand, { kind: 'hello' }>): Promise<CommandReply> {
    // Read from the recording's store first, so everything after decides on the room as it is, without a wait.
    const recording = await this.ctx.recording?.view(this.sessionId);
    const { identity } = command;
    if (this.state === 'ended') refuse('room_ended', { code: CLOSE_CODES.ROOM_ENDED, reason: 'session ended' });
    if (identity.kind === 'citizen' && identity.sessionId !== this.sessionId) refuse('forbidden', { code: CLOSE_CODES.AUTH_FAILED, reason: 'token is for another session' });
    if (command.recorder && (identity.kind !== 'official' || !can(identity.role, 'recordings.record'))) refuse('forbidden', { code: CLOSE_CODES.AUTH_FAILED, reason: 'may not record' });
    const key = identityKey(identity, command.recorder);
    if (this.denied.has(key)) refuse('denied', { code: CLOSE_CODES.DENIED, reason: 'denied' });

    let p: ParticipantRecord | undefined;
    let resumed = false;
    let replay: string[] | undefined;
    const wanted = command.resume && this.participants.get(command.resume.participantId);
    if (wanted && wanted.identity === key) {
      p = wanted;
      resumed = true;
      replay = this.missedEvents(p.participantId, command.resume!.lastSeq);
    } else {
      // The same person on a new device (or a phone that lost its storage) takes over their place.
      p = [...this.participants.values()].find((candidate) => candidate.identity === key);
    }

    if (p) {
      // Back in their place: only the connection changed (presence). The room's row and the others' notice are
      // written with the next commit instead of one per resume (RoomStore `presence`); the reply still waits for it.
      this.stopExpiry(p.participantId);
      const previous = p.connectionId;
      p.connectionId = command.connectionId;
      p.disconnectedAt = undefined;
      if (previous !== null && previous !== command.connectionId) {
        this.ctx.bus.publish(this.sessionId, { kind: 'close', to: [p.participantId], code: CLOSE_CODES.REPLACED, reason: 'replaced by a newer connection', exceptConnection: command.connectionId });
      }
      if (previous === null) this.emitAbout(p, { type: 'participant.updated', participant: this.view(p, p) }, { exceptSelf: true, presence: true });
      this.dirty({ presence: true });
    } else {
      // SPEC §7: a citizen is told before joining that the session is recorded as evidence, and the room keeps
      // their acknowledgement. A page that skipped the pre-join does not get in without it (a resume or the same
      // person on a new device already acknowledged when they first joined).
      if (identity.kind === 'citizen' && !command.notice) refuse('notice_required');
      p = this.join(command);
      this.dirty();
    }
    // The notice shown before joining (recording, privacy): its acknowledgement goes in the audit chain once.
    if (command.notice && !resumed) this.audit(p, 'notice.ack', undefined, { version: command.notice.version, acknowledgedAt: command.notice.acknowledgedAt });

    const result: RequestResult<'hello'> = {
      protocol: PROTOCOL_VERSION,
      participantId: p.participantId,
      role: p.role,
      status: p.status,
      resumed,
      replay: replay !== undefined,
      room: this.snapshotFor(p, recording),
      limits: {
        heartbeatIntervalMs: this.ctx.settings.heartbeatIntervalMs,
        heartbeatTimeoutMs: this.ctx.settings.heartbeatTimeoutMs,
        resumeWindowMs: this.ctx.settings.resumeWindowMs,
        maxFrameBytes: this.ctx.settings.maxFrameBytes,
        messagesPerSecond: this.ctx.settings.messagesPerSecond,
      },
    };
    if (p.status === 'lobby') result.lobbyPosition = this.lobby.indexOf(p.participantId) + 1;
    Object.assign(result, await this.credentials(p));
    return { ok: true, result, ...(replay?.length ? { replay } : {}) };
  }

  private join(command: Extract<RoomCommand, { kind: 'hello' }>): ParticipantRecord {
    const { identity } = command;
    // The recorder (hello `recorder`, or a recorder device credential) is hidden and receive-only: no point of
    // its own in the roster, no permission in the room table; it only takes everyone's media (visible(), signal).
    const role: RoomRole = identity.kind === 'citizen' ? 'citizen' : command.recorder ? 'recorder' : identity.role;
    if (role === 'recorder' && command.point) refuse('forbidden');
    // (A recorder is counted at no point: the point's health and roster are about people.)
    const pointId = role === 'recorder' ? undefined : command.point?.id ?? command.pointId;
    if (pointId) this.enterPoint(identity, role, pointId, command.point?.operator, Boolean(command.point));
    const at = new Date(this.ctx.now()).toISOString();
    const p: ParticipantRecord = {
      participantId: randomUUID(),
      role,
      identity: identityKey(identity, command.recorder),
      name: identity.kind === 'citizen' ? identity.name ?? 'Công dân' : identity.name ?? identity.sub,
      pointId,
      status: role === 'citizen' ? 'lobby' : 'present',
      connectionId: command.connectionId,
      hand: false,
      screen: false,
      lastHeartbeat: at,
    };
    if (identity.kind === 'citizen') p.citizen = { reference: identity.reference, kind: identity.matterKind };
    else p.unit = identity.unit;
    if (p.status === 'lobby') {
      p.lobbySince = at;
      this.lobby.push(p.participantId);
    }
    this.participants.set(p.participantId, p);
    this.emitAbout(p, { type: 'participant.joined', participant: this.view(p, p) }, { exceptSelf: true });
    if (p.status === 'lobby') this.lobbyChanged();
    if (pointId) this.pointChanged(pointId);
    return p;
  }

  /**
   * A point is one of the configured ones, of the caller's own unit (an all-units token may use any): its name
   * and unit come from the configuration, never from the hello, so a second operator cannot rename it or move it
   * to another unit. Only the roles that may run a point declare one (setting its operator); a citizen is never
   * a point's member, whatever their hello says.
   */
  private enterPoint(identity: VerifiedIdentity, role: RoomRole, pointId: string, operator: string | undefined, declares: boolean): void {
    if (identity.kind === 'citizen') refuse('forbidden');
    const configured = this.ctx.settings.connectionPoints.get(pointId) ?? refuse('not_found');
    if (identity.kind === 'official' && identity.unit !== '*' && identity.unit !== configured.unit) refuse('forbidden');
    if (declares && !canInRoom(role, 'point.register')) refuse('forbidden');
    const known = this.points.get(pointId);
    const record: PointRecord = { id: configured.id, name: configured.name, unit: configured.unit };
    const keeper = (declares ? operator : undefined) ?? known?.operator;
    if (keeper) record.operator = keeper;
    this.points.set(pointId, record);
  }

  private detach(participantId: string, connectionId: string, lastSeenAt?: number): void {
    const p = this.participants.get(participantId);
    // A socket that was replaced by a resume closes late; it must not mark the new one gone.
    if (!p || p.connectionId !== connectionId) return;
    p.connectionId = null;
    // The window runs from the last sign of life, not from when the silence was noticed.
    p.disconnectedAt = Math.min(lastSeenAt ?? this.ctx.now(), this.ctx.now());
    this.startExpiry(p);
    // Presence, as in hello: a storm of drops shares a few commits.
    this.emitAbout(p, { type: 'participant.updated', participant: this.view(p, p) }, { exceptSelf: true, presence: true });
    if (p.pointId) this.pointChanged(p.pointId);
    this.dirty({ presence: true });
  }

  private startExpiry(p: ParticipantRecord): void {
    this.stopExpiry(p.participantId);
    const left = Math.max(0, (p.disconnectedAt ?? this.ctx.now()) + this.ctx.settings.resumeWindowMs - this.ctx.now());
    const timer = setTimeout(() => {
      this.expiry.delete(p.participantId);
      if (p.connectionId === null && this.participants.get(p.participantId) === p) this.remove(p, 'expired');
    }, left);
    timer.unref?.();
    this.expiry.set(p.participantId, timer);
  }

  private stopExpiry(participantId: string): void {
    clearTimeout(this.expiry.get(participantId));
    this.expiry.delete(participantId);
  }

  private remove(p: ParticipantRecord, reason: 'bye' | 'expired' | 'denied' | 'ended'): void {
    this.emitAbout(p, { type: 'participant.left', participantId: p.participantId, reason }, { exceptSelf: true });
    this.participants.delete(p.participantId);
    this.stopExpiry(p.participantId);
    const inLobby = this.lobby.includes(p.participantId);
    if (inLobby) this.lobby = this.lobby.filter((id) => id !== p.participantId);
    if (this.floor === p.participantId) this.setFloor(null);
    if (inLobby) this.lobbyChanged();
    if (p.pointId) this.pointChanged(p.pointId);
    this.dirty();
  }

  // ------------------------------------------------------------------------------------------ requests

  private async request(p: ParticipantRecord, message: Exclude<ClientMessage, { type: 'hello' }>): Promise<unknown> {
    const now = new Date(this.ctx.now()).toISOString();
    switch (message.type) {
      case 'roster.get':
        return this.snapshotFor(p, await this.ctx.recording?.view(this.sessionId));
      case 'bye':
        this.remove(p, 'bye');
        return {};
      case 'room.open':
        this.require(p, 'room.open');
        if (this.state !== 'pending' || this.opening) refuse('invalid_transition');
        this.opening = true;
        try {
          await this.open(p);
        } finally {
          this.opening = false;
        }
        return {};
      case 'room.end': {
        this.require(p, 'room.end');
        this.state = 'ended';
        this.audit(p, 'room.end');
        // The head's end is the only way a recording stops; its last chunks drain, then it is finalized.
        await this.ctx.recording?.end(this.sessionId, p.identity.replace(/^official:/u, ''));
        const everyone = this.everyone();
        this.emit({ type: 'room.state', state: 'ended' }, everyone);
        this.ctx.bus.publish(this.sessionId, { kind: 'close', to: everyone, code: CLOSE_CODES.ROOM_ENDED, reason: 'session ended', exceptConnection: p.connectionId ?? undefined });
        this.dispose();
        this.dirty();
        this.ctx.onEnded(this.sessionId);
        return {};
      }
      case 'lobby.admit': {
        this.require(p, 'lobby.manage');
        if (this.state !== 'open') refuse('room_not_open');
        const target = this.participants.get(message.participantId);
        if (!target || target.status !== 'lobby') refuse('not_in_lobby');
        // SPEC §6: nobody is received off the record. The clerk's error frame says why and what to do.
        if (this.ctx.recording && !(await this.ctx.recording.admissible(this.sessionId))) refuse('recording_not_active');
        if (target.status !== 'lobby' || this.participants.get(target.participantId) !== target) refuse('not_in_lobby');
        if (this.state !== 'open') refuse('room_not_open');
        // One case at a time: another case cannot start while a citizen of the current one is still admitted.
        if (message.caseId !== undefined && this.caseId !== null && this.caseId !== message.caseId && this.admittedFor(this.caseId)) refuse('case_in_progress');
        // No case named and none in progress: the desk opens (or finds again, on a re-admit) the case of this
        // citizen's registration. While a case is in progress, a citizen admitted without one joins it (a group).
        const deskCase = message.caseId === undefined && !(this.caseId !== null && this.admittedFor(this.caseId)) ? await this.deskCaseFor(p, target) : undefined;
        if (target.status !== 'lobby' || this.participants.get(target.participantId) !== target) refuse('not_in_lobby');
        if (this.state !== 'open') refuse('room_not_open');
        const caseId = message.caseId ?? deskCase ?? this.caseId ?? undefined;
        target.status = 'admitted';
        target.caseId = caseId;
        target.lobbySince = undefined;
        this.lobby = this.lobby.filter((id) => id !== target.participantId);
        this.audit(p, 'lobby.admit', target, { caseId: caseId ?? null });
        if (caseId !== undefined && caseId !== this.caseId) this.setCase(caseId);
        this.emit({ type: 'lobby.admitted', caseId: caseId ?? null }, [target.participantId]);
        this.emitAbout(target, { type: 'participant.updated', participant: this.view(target, target) }, { exceptSelf: true });
        this.lobbyChanged();
        this.dirty();
        return {};
      }
      case 'lobby.deny': {
        this.require(p, 'lobby.manage');
        const target = this.participants.get(message.participantId);
        if (!target || target.role !== 'citizen') refuse('not_in_lobby');
        this.audit(p, 'lobby.deny', target, { reason: message.reason, from: target.status });
        this.denied.add(target.identity);
        this.emit({ type: 'lobby.denied', reason: message.reason }, [target.participantId]);
        this.remove(target, 'denied');
        this.ctx.bus.publish(this.sessionId, { kind: 'close', to: [target.participantId], code: CLOSE_CODES.DENIED, reason: 'denied' });
        return {};
      }
      case 'lobby.return': {
        this.require(p, 'lobby.manage');
        const target = this.participants.get(message.participantId);
        if (!target || target.status !== 'admitted') refuse('not_admitted');
        this.audit(p, 'lobby.return', target);
        target.status = 'lobby';
        target.hand = false;
        target.screen = false;
        target.lobbySince = now;
        this.lobby.unshift(target.participantId);
        if (this.floor === target.participantId) this.setFloor(null);
        this.emit({ type: 'lobby.returned', position: 1 }, [target.participantId]);
        this.emitAbout(target, { type: 'participant.updated', participant: this.view(target, target) }, { exceptSelf: true, alsoFormerMembers: true });
        this.lobbyChanged();
        this.dirty();
        return {};
      }
      case 'case.set':
        this.require(p, 'case.set');
        this.audit(p, 'case.set', undefined, { caseId: message.caseId });
        this.setCase(message.caseId);
        this.dirty();
        return {};
      case 'floor.give': {
        this.require(p, 'floor.give');
        if (message.participantId !== null) {
          const target = this.participants.get(message.participantId);
          if (!target || target.status === 'lobby' || !this.visible(p, target)) refuse('not_found');
          this.audit(p, 'floor.give', target);
          if (target.hand) {
            target.hand = false;
            this.emitAbout(target, { type: 'participant.updated', participant: this.view(target, target) });
          }
        } else this.audit(p, 'floor.take');
        this.setFloor(message.participantId);
        this.dirty();
        return {};
      }
      case 'hand.raise':
        this.require(p, 'hand.raise');
        this.requireMember(p);
        if (p.hand !== message.raised) {
          p.hand = message.raised;
          this.emitAbout(p, { type: 'participant.updated', participant: this.view(p, p) });
          this.dirty();
        }
        return {};
      case 'chat.send': {
        this.require(p, 'chat.send');
        this.requireMember(p);
        const messageId = randomUUID();
        // The event is also the chat record (RoomStore StoredEvent `author`): one row, not a frame and a copy.
        const seq = this.emit({ type: 'chat.message', messageId, from: p.participantId, name: this.publicName(p), text: message.text, at: now }, this.members(), { author: p.name });
        return { messageId, seq };
      }
      case 'mute.request': {
        this.require(p, 'participant.mute');
        const target = this.participants.get(message.participantId);
        if (!target || target.status === 'lobby' || !this.visible(p, target)) refuse('not_found');
        this.audit(p, 'mute.request', target, { media: message.media });
        this.emit({ type: 'mute.requested', media: message.media, by: p.participantId }, [target.participantId]);
        return {};
      }
      case 'screen.share':
        this.require(p, 'screen.share');
        this.requireMember(p);
        if (p.screen !== message.active) {
          p.screen = message.active;
          this.audit(p, message.active ? 'screen.start' : 'screen.stop');
          this.emitAbout(p, { type: 'participant.updated', participant: this.view(p, p) });
          this.dirty();
        }
        return {};
      case 'signal': {
        this.requireMember(p);
        const target = this.participants.get(message.to);
        // Media flows only between people who may see each other: never to the lobby, never to hidden observers;
        // and between the recorder and everyone it records (they do not see it, it sees them).
        if (!target || target === p || target.status === 'lobby' || !this.mediaLink(p, target)) refuse('not_visible');
        this.emit({ type: 'signal', from: p.participantId, data: message.data }, [target.participantId], { persist: false });
        return {};
      }
      case 'health.report':
        p.quality = message.quality;
        p.rttMs = message.rttMs;
        if (message.devices) p.devices = message.devices;
        p.lastHeartbeat = now;
        if (p.pointId) this.pointChanged(p.pointId);
        return {};
      case 'media.credentials':
        return this.credentials(p);
      case 'identity.read': {
        this.require(p, 'denouncer.read');
        const target = this.participants.get(message.participantId);
        if (!target) refuse('not_found');
        this.audit(p, 'identity.read', target);
        const result: RequestResult<'identity.read'> = { participantId: target.participantId, name: target.name };
        if (target.citizen) {
          result.reference = target.citizen.reference;
          if (target.citizen.kind) result.kind = target.citizen.kind;
        }
        return result;
      }
    }
  }

  /**
   * SPEC §6: a session that must be recorded starts only with a recorder ready, and its recording starts with it
   * (created now when the session has none and a recorder waits for it; a waiting recorder is elected).
   */
  private async open(p: ParticipantRecord): Promise<void> {
    if (this.ctx.recording && !(await this.ctx.recording.canOpen(this.sessionId))) refuse('recorder_required');
    if (this.state !== 'pending') refuse('invalid_transition');
    try {
      await this.ctx.recording?.start(this.sessionId, { by: p.identity.replace(/^official:/u, ''), unit: p.unit });
    } catch {
      // The lease lapsed (or the waiting recorder went away) between the check and the start.
      refuse('recorder_required');
    }
    this.state = 'open';
    this.audit(p, 'room.open');
    this.emit({ type: 'room.state', state: 'open' }, this.everyone());
    this.dirty();
  }

  private require(p: ParticipantRecord, permission: RoomPermission): void {
    if (!canInRoom(p.role, permission)) refuse('forbidden');
  }

  private requireMember(p: ParticipantRecord): void {
    if (p.status === 'lobby') refuse('not_admitted');
  }

  /** The desk's case for a citizen from a registration; the admission goes on without one if the desk cannot open it. */
  private async deskCaseFor(by: ParticipantRecord, target: ParticipantRecord): Promise<string | undefined> {
    if (!this.ctx.desk || !target.citizen || by.role === 'citizen') return undefined;
    try {
      return await this.ctx.desk.caseForAdmission(this.sessionId, target.citizen.reference, { sub: by.identity.replace(/^official:/u, ''), role: by.role, name: by.name });
    } catch (error) {
      // A reception must not stall on the register: the clerk can still open the case from the desk panel.
      this.ctx.onDeskError?.(error);
      return undefined;
    }
  }

  private admittedFor(caseId: string): boolean {
    for (const q of this.participants.values()) if (q.status === 'admitted' && q.caseId === caseId) return true;
    return false;
  }

  private setCase(caseId: string | null): void {
    this.caseId = caseId;
    this.emit({ type: 'case.changed', caseId }, this.members());
  }

  /**
   * A desk step on a case of this session: the officials in the room (not recorders) and the case's own citizens
   * (admitted or sent back to the lobby) read it again. Only the case id, state and step travel, never content.
   */
  private caseUpdated(command: Extract<RoomCommand, { kind: 'case' }>): void {
    if (this.state === 'ended') return;
    const to = [...this.participants.values()]
      .filter((q) => (q.role === 'citizen' ? q.caseId === command.caseId : q.role !== 'recorder' && q.status !== 'lobby'))
      .map((q) => q.participantId);
    if (to.length) this.emit({ type: 'case.updated', caseId: command.caseId, state: command.state, step: command.step }, to);
  }

  private setFloor(participantId: string | null): void {
    this.floor = participantId;
    this.emit({ type: 'floor.changed', participantId }, this.members());
  }

  private async credentials(p: ParticipantRecord): Promise<RequestResult<'media.credentials'>> {
    const out: RequestResult<'media.credentials'> = {};
    const { turn, jitsi } = this.ctx.settings;
    if (turn) out.turn = turnCredentials(turn, p.participantId);
    // The Jitsi room and token are for admitted participants only; a citizen in the lobby gets neither.
    if (jitsi && p.status !== 'lobby') {
      out.jitsi = await jitsiAccess(jitsi, this.sessionId, { id: p.participantId, name: this.publicName(p), moderator: canInRoom(p.role, 'participant.mute') });
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------ visibility

  /** May `viewer` see `subject` in the roster (and so exchange media with it)? */
  private visible(viewer: ParticipantRecord, subject: ParticipantRecord): boolean {
    if (viewer === subject) return true;
    // The recorder is in nobody's roster (not counted, not shown, citizens included); it sees what an official does.
    if (subject.role === 'recorder') return false;
    if (viewer.role !== 'citizen') return subject.role !== 'observer' || canInRoom(viewer.role, 'observers.see');
    if (viewer.status === 'lobby' || subject.status === 'lobby') return false;
    if (subject.role === 'observer') return !this.ctx.settings.hideObserversFromCitizens || canInRoom(viewer.role, 'observers.see');
    return true;
  }

  /** May `a` and `b` exchange media? Both must see each other, except the recorder, which only sees. */
  private mediaLink(a: ParticipantRecord, b: ParticipantRecord): boolean {
    if (a.role === 'recorder' && b.role === 'recorder') return false;
    if (a.role === 'recorder') return this.visible(a, b);
    if (b.role === 'recorder') return this.visible(b, a);
    return this.visible(a, b) && this.visible(b, a);
  }

  private publicName(p: ParticipantRecord): string {
    return p.citizen?.kind === 'to_cao' ? REDACTED_NAME : p.name;
  }

  private view(p: ParticipantRecord, viewer: ParticipantRecord | null): Participant {
    const redact = p.citizen?.kind === 'to_cao' && viewer !== p && !(viewer && canInRoom(viewer.role, 'denouncer.read'));
    const out: Participant = {
      participantId: p.participantId,
      role: p.role,
      name: redact ? REDACTED_NAME : p.name,
      status: p.status,
      connected: p.connectionId !== null,
      hand: p.hand,
      screen: p.screen,
    };
    if (redact) out.redacted = true;
    if (p.pointId) out.pointId = p.pointId;
    if (p.caseId) out.caseId = p.caseId;
    return out;
  }

  private pointHealth(point: PointRecord): PointHealth {
    const members = [...this.participants.values()].filter((q) => q.pointId === point.id);
    const health: PointHealth = { id: point.id, name: point.name, unit: point.unit, connected: members.some((q) => q.connectionId !== null), participants: members.map((q) => q.participantId) };
    if (point.operator) health.operator = point.operator;
    const beats = members.map((q) => q.lastHeartbeat).filter((v): v is string => v !== undefined).sort();
    if (beats.length) health.lastHeartbeat = beats.at(-1)!;
    // The point is as good as its worst reporting participant: one bad uplink spoils the session for all.
    const order: NetworkQuality[] = ['good', 'fair', 'poor', 'lost'];
    const worst = members.filter((q) => q.quality).sort((a, b) => order.indexOf(b.quality!) - order.indexOf(a.quality!))[0];
    if (worst?.quality) health.quality = worst.quality;
    if (worst?.rttMs !== undefined) health.rttMs = worst.rttMs;
    const devices = members.find((q) => q.devices)?.devices;
    if (devices) health.devices = devices;
    return health;
  }

  /** The room as `viewer` sees it, with the recording's view read just before (`recording`). */
  private snapshotFor(viewer: ParticipantRecord, recording: RoomSnapshot['recording']): RoomSnapshot {
    const participants = [...this.participants.values()].filter((q) => this.visible(viewer, q)).map((q) => this.view(q, viewer));
    const snapshot: RoomSnapshot = {
      sessionId: this.sessionId,
      state: this.state,
      seq: this.seq,
      caseId: viewer.status === 'lobby' ? null : this.caseId,
      floor: viewer.status === 'lobby' ? null : this.floor,
      participants,
      points: viewer.role === 'citizen' ? [] : [...this.points.values()].map((point) => this.pointHealth(point)),
    };
    if (canInRoom(viewer.role, 'lobby.manage')) snapshot.lobby = this.lobbyEntries(viewer);
    if (recording) snapshot.recording = viewer.role === 'citizen' ? { state: recording.state } : recording;
    return snapshot;
  }

  private lobbyEntries(viewer: ParticipantRecord): LobbyEntry[] {
    return this.lobby.map((id, index) => {
      const q = this.participants.get(id)!;
      return { participantId: id, name: this.view(q, viewer).name, position: index + 1, since: q.lobbySince ?? '' };
    });
  }

  // ------------------------------------------------------------------------------------------ recording

  /** A coordinator event for this session: its state to everyone, recorder internals and alarms to officials. */
  onRecording(event: RecordingEvent): void {
    if (event.sessionId !== this.sessionId || this.state === 'ended' && event.type !== 'recording.state') return;
    const officials = [...this.participants.values()].filter((q) => q.role !== 'citizen').map((q) => q.participantId);
    switch (event.type) {
      case 'recording.state':
        this.emit({ type: 'recording.state', state: event.state }, this.everyone());
        return;
      case 'recorder.elected':
        this.emit({ type: 'recording.recorder', change: 'elected', epoch: event.epoch, recorderId: event.recorderId }, officials);
        return;
      case 'recorder.lost':
        this.emit({ type: 'recording.recorder', change: 'lost', epoch: event.epoch, recorderId: event.recorderId, reason: event.reason }, officials);
        return;
      case 'recording.alarm':
        this.emit({ type: 'recording.alarm', alarm: { code: event.code, since: event.since } }, officials);
        return;
      case 'recording.alarm_cleared':
        this.emit({ type: 'recording.alarm_cleared' }, officials);
        return;
      case 'recording.failed':
        this.emit({ type: 'recording.alarm', alarm: { code: 'failed', since: event.at } }, officials);
        return;
    }
  }

  // ------------------------------------------------------------------------------------------ events

  private everyone(): string[] {
    return [...this.participants.keys()];
  }

  private members(): string[] {
    return [...this.participants.values()].filter((q) => q.status !== 'lobby').map((q) => q.participantId);
  }

  /** An event about `subject`, to everyone who may see it, each with their own redaction. */
  private emitAbout(subject: ParticipantRecord, event: RoomEvent, options: { exceptSelf?: boolean; alsoFormerMembers?: boolean; presence?: boolean } = {}): void {
    const viewers = [...this.participants.values()].filter(
      (v) => (!options.exceptSelf || v !== subject) && (this.visible(v, subject) || (options.alsoFormerMembers && v.role === 'citizen' && v.status !== 'lobby')),
    );
    if (event.type === 'participant.left') {
      if (viewers.length) this.emit(event, viewers.map((v) => v.participantId));
      return;
    }
    // Two views at most: with the denouncer's name (those who may read it) and without.
    const groups = new Map<string, { event: RoomEvent; to: string[] }>();
    for (const v of viewers) {
      const participant = this.view(subject, v);
      const key = participant.redacted ? 'redacted' : 'clear';
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { event: { ...event, participant } as RoomEvent, to: [] }));
      group.to.push(v.participantId);
    }
    for (const group of groups.values()) this.emit(group.event, group.to, { presence: options.presence });
  }

  private lobbyChanged(): void {
    const managers = [...this.participants.values()].filter((q) => canInRoom(q.role, 'lobby.manage'));
    for (const manager of managers) this.emit({ type: 'lobby.updated', queue: this.lobbyEntries(manager) }, [manager.participantId]);
    this.lobby.forEach((id, index) => this.emit({ type: 'lobby.position', position: index + 1, size: this.lobby.length }, [id]));
  }

  private pointChanged(pointId: string): void {
    const point = this.points.get(pointId);
    if (!point) return;
    const staff = [...this.participants.values()].filter((q) => q.role !== 'citizen').map((q) => q.participantId);
    if (staff.length) this.emit({ type: 'point.health', point: this.pointHealth(point) }, staff, { persist: false });
  }

  /** Sequences, logs and publishes one event; returns its sequence number. */
  private emit(event: RoomEvent, to: string[], options: { log?: boolean; persist?: boolean; presence?: boolean | undefined; author?: string } = {}): number {
    this.seq += 1;
    const seq = this.seq;
    if (to.length === 0) return seq;
    const at = new Date(this.ctx.now()).toISOString();
    const frame = JSON.stringify({ v: PROTOCOL_VERSION, type: 'event', seq, at, event });
    if (options.log !== false) {
      const stored: StoredEvent = { seq, at, recipients: to, frame };
      if (options.author !== undefined) stored.author = options.author;
      this.log.push(stored);
      if (this.log.length > this.ctx.settings.eventLogSize * 2) this.log = this.log.slice(-this.ctx.settings.eventLogSize);
      if (options.persist !== false) this.ctx.store.appendEvent(this.sessionId, stored, { presence: options.presence === true });
    }
    this.ctx.bus.publish(this.sessionId, { kind: 'event', to, frame, seq });
    return seq;
  }

  /** Logged frames for this participant numbered after `afterSeq` up to `uptoSeq` (what a joining socket has not seen yet). */
  eventsFor(participantId: string, afterSeq: number, uptoSeq: number): string[] {
    return this.log.filter((e) => e.seq > afterSeq && e.seq <= uptoSeq && e.recipients.includes(participantId)).map((e) => e.frame);
  }

  /** Frames after `lastSeq` meant for this participant, or undefined when the log no longer reaches back that far. */
  private missedEvents(participantId: string, lastSeq: number): string[] | undefined {
    const kept = this.log.slice(-this.ctx.settings.eventLogSize);
    const oldest = kept[0]?.seq ?? this.seq + 1;
    if (lastSeq > this.seq) return undefined;
    if (lastSeq + 1 < oldest && lastSeq < this.seq) return undefined;
    return kept.filter((e) => e.seq > lastSeq && e.recipients.includes(participantId)).map((e) => e.frame);
  }

  private audit(actor: ParticipantRecord, action: string, target?: ParticipantRecord, detail?: Record<string, unknown>): void {
    this.ctx.store.audit.append({
      sessionId: this.sessionId,
      at: new Date(this.ctx.now()).toISOString(),
      actor: actor.identity,
      role: actor.role,
      action,
      target: target ? `${target.identity}#${target.participantId}` : undefined,
      detail,
    });
  }

  private dirty(options: { presence?: boolean } = {}): void {
    this.ctx.store.markDirty(this.sessionId, () => this.snapshotData(), options);
  }
}

/** One place per person; a recorder has its own, per recorder id (a clerk may run a recorder page beside their room). */
function identityKey(identity: VerifiedIdentity, recorder?: { recorderId: string }): string {
  if (identity.kind === 'citizen') return `citizen:${identity.reference}`;
  return recorder ? `recorder:${identity.sub}:${recorder.recorderId}` : `official:${identity.sub}`;
}
