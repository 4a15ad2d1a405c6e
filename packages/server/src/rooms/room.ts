/**
 * One reception session's room: who is there (participants, connection points and their health), the lobby
 * queue, the case being received, the floor, hands, chat. Every request is checked against the role table
 * (core's REQUEST_PERMISSIONS), answered by its handler (rooms/requests/, by request type) against the room's
 * state, audited when it is a lobby decision or a role action, and announced as sequenced events to exactly the
 * participants who may see them (rooms/visibility.ts).
 *
 * A participant who drops stays in place for the resume window (lobby position included); one who comes back
 * in time gets the events it missed. Everything that must outlive a restart is in RoomData (rooms/room-data.ts).
 */
import { randomUUID } from 'node:crypto';
import {
  can,
  canInRoom,
  CLOSE_CODES,
  PROTOCOL_VERSION,
  RECORDED_REQUEST_TYPES,
  signalingError,
  type RequestResult,
  type RoomEvent,
  type RoomRole,
  type RoomSnapshot,
  type RoomState,
} from '@tiepdan/core';
import type { CommandReply } from './bus.js';
import type { RoomCommand, VerifiedIdentity } from './commands.js';
import { jitsiAccess, turnCredentials } from './media.js';
import { Refusal, refuse } from './refusal.js';
import type { RoomContext } from './room-context.js';
import { ANSWERED_KEPT, type ParticipantRecord, type PointRecord, type RoomData } from './room-data.js';
import type { StoredEvent } from './room-store.js';
import { answer } from './requests/index.js';
import type { EmitOptions, LeaveReason, RoomScope } from './requests/scope.js';
import type { RecordingEvent } from '../recording/events.js';
import {
  caseAudience,
  lobbyEntries,
  lobbyManagers,
  members,
  participantView,
  pointHealth,
  publicName,
  snapshotFor,
  staff,
  viewersOf,
} from './visibility.js';

/**
 * The room implements RoomScope for its request handlers: the members they use are public to them, and to
 * nothing else (the package exports no Room).
 */
export class Room implements RoomScope {
  readonly sessionId: string;
  state: RoomState;
  seq: number;
  caseId: string | null;
  floor: string | null;
  readonly participants = new Map<string, ParticipantRecord>();
  lobby: string[];
  readonly points = new Map<string, PointRecord>();
  readonly denied: Set<string>;
  opening = false;
  private log: StoredEvent[];
  private readonly expiry = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    data: RoomData,
    events: StoredEvent[],
    readonly ctx: RoomContext,
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
          // A socket that missed the room's move (its node did not hear `moved`) finds out here and rejoins.
          if (p && p.connectionId === null) return { ok: false, error: signalingError('unauthenticated'), rejoin: true };
          if (p && p.connectionId === command.connectionId) p.lastHeartbeat = new Date(this.ctx.now()).toISOString();
          return { ok: true, result: {} };
        }
        case 'request': {
          const p = this.participants.get(command.participantId);
          // Restored on this node with nobody connected, while the socket stayed open on its own node: that node
          // rejoins on its behalf and sends the request again (a place taken by a newer socket is plainly refused).
          if (p && p.connectionId === null) return { ok: false, error: signalingError('unauthenticated'), rejoin: true };
          if (!p || p.connectionId !== command.connectionId) refuse('unauthenticated');
          const once = ONCE.has(command.message.type);
          // Sent again on the same socket after the room moved (its dead node had committed it with this record),
          // or by the client on its next socket after a drop (`resent`): answered from the record, not done twice.
          const done = once ? p.answered?.find((a) => a.id === command.message.id && (a.connectionId === command.connectionId || command.message.resent === true)) : undefined;
          if (done) return { ok: true, result: done.result };
          const result = await answer(this, p, command.message, new Date(this.ctx.now()).toISOString());
          if (once) this.remember(p, command.connectionId, command.message.id, result);
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
    const { resume } = command;
    const wanted = resume ? this.participants.get(resume.participantId) : undefined;
    if (resume && wanted && wanted.identity === key) {
      p = wanted;
      resumed = true;
      replay = this.missedEvents(p.participantId, resume.lastSeq);
    } else {
      // The same person on a new device (or a phone that lost its storage) takes over their place.
      p = [...this.participants.values()].find((candidate) => candidate.identity === key);
    }
    // A rejoin only takes back the socket's own place, never a new one, nor one a newer socket holds by now.
    if (command.rejoin && (!resumed || (p!.connectionId !== null && p!.connectionId !== command.connectionId))) refuse('unauthenticated');

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
      if (previous === null) this.emitAbout(p, { type: 'participant.updated', participant: participantView(p, p) }, { exceptSelf: true, presence: true });
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
      room: snapshotFor(this, p, recording, this.ctx.settings),
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
    this.emitAbout(p, { type: 'participant.joined', participant: participantView(p, p) }, { exceptSelf: true });
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
    this.emitAbout(p, { type: 'participant.updated', participant: participantView(p, p) }, { exceptSelf: true, presence: true });
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

  remove(p: ParticipantRecord, reason: LeaveReason): void {
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

  // ------------------------------------------------------------------------------------------ state

  setCase(caseId: string | null): void {
    this.caseId = caseId;
    this.emit({ type: 'case.changed', caseId }, this.members());
  }

  /**
   * A desk step on a case of this session: the officials in the room (not recorders) and the case's own citizens
   * (admitted or sent back to the lobby) read it again. Only the case id, state and step travel, never content.
   */
  private caseUpdated(command: Extract<RoomCommand, { kind: 'case' }>): void {
    if (this.state === 'ended') return;
    const to = caseAudience(this.participants, command.caseId);
    if (to.length) this.emit({ type: 'case.updated', caseId: command.caseId, state: command.state, step: command.step }, to);
  }

  setFloor(participantId: string | null): void {
    this.floor = participantId;
    this.emit({ type: 'floor.changed', participantId }, this.members());
  }

  async snapshot(viewer: ParticipantRecord): Promise<RoomSnapshot> {
    return snapshotFor(this, viewer, await this.ctx.recording?.view(this.sessionId), this.ctx.settings);
  }

  async credentials(p: ParticipantRecord): Promise<RequestResult<'media.credentials'>> {
    const out: RequestResult<'media.credentials'> = {};
    const { turn, jitsi } = this.ctx.settings;
    if (turn) out.turn = turnCredentials(turn, p.participantId);
    // The Jitsi room and token are for admitted participants only; a citizen in the lobby gets neither.
    if (jitsi && p.status !== 'lobby') {
      out.jitsi = await jitsiAccess(jitsi, this.sessionId, { id: p.participantId, name: publicName(p), moderator: canInRoom(p.role, 'participant.mute') });
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------ recording

  /** A coordinator event for this session: its state to everyone, recorder internals and alarms to officials. */
  onRecording(event: RecordingEvent): void {
    if (event.sessionId !== this.sessionId || this.state === 'ended' && event.type !== 'recording.state') return;
    const officials = staff(this.participants);
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

  everyone(): string[] {
    return [...this.participants.keys()];
  }

  members(): string[] {
    return members(this.participants);
  }

  emitAbout(subject: ParticipantRecord, event: RoomEvent, options: { exceptSelf?: boolean; alsoFormerMembers?: boolean; presence?: boolean } = {}): void {
    const viewers = viewersOf(subject, this.participants, this.ctx.settings, options);
    if (event.type === 'participant.left') {
      if (viewers.length) this.emit(event, viewers.map((v) => v.participantId));
      return;
    }
    // Two views at most: with the denouncer's name (those who may read it) and without.
    const groups = new Map<string, { event: RoomEvent; to: string[] }>();
    for (const v of viewers) {
      const participant = participantView(subject, v);
      const key = participant.redacted ? 'redacted' : 'clear';
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { event: { ...event, participant } as RoomEvent, to: [] }));
      group.to.push(v.participantId);
    }
    for (const group of groups.values()) this.emit(group.event, group.to, { presence: options.presence });
  }

  updated(p: ParticipantRecord, options: { exceptSelf?: boolean; alsoFormerMembers?: boolean } = {}): void {
    this.emitAbout(p, { type: 'participant.updated', participant: participantView(p, p) }, options);
  }

  lobbyChanged(): void {
    for (const manager of lobbyManagers(this.participants)) this.emit({ type: 'lobby.updated', queue: lobbyEntries(this.lobby, this.participants, manager) }, [manager.participantId]);
    this.lobby.forEach((id, index) => this.emit({ type: 'lobby.position', position: index + 1, size: this.lobby.length }, [id]));
  }

  pointChanged(pointId: string): void {
    const point = this.points.get(pointId);
    if (!point) return;
    const to = staff(this.participants);
    if (to.length) this.emit({ type: 'point.health', point: pointHealth(point, this.participants.values()) }, to, { persist: false });
  }

  emit(event: RoomEvent, to: string[], options: EmitOptions = {}): number {
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

  audit(actor: ParticipantRecord, action: string, target?: ParticipantRecord, detail?: Record<string, unknown>): void {
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

  dirty(options: { presence?: boolean } = {}): void {
    this.ctx.store.markDirty(this.sessionId, () => this.snapshotData(), options);
  }

  /** Keeps a request's result in the participant's record, written in the same commit as what the request changed. */
  private remember(p: ParticipantRecord, connectionId: string, id: string, result: unknown): void {
    const answered = (p.answered ??= []);
    answered.push({ connectionId, id, result });
    if (answered.length > ANSWERED_KEPT) answered.splice(0, answered.length - ANSWERED_KEPT);
    this.dirty();
  }
}

/** Requests whose results are kept in the participant's record (ParticipantRecord `answered`; core signaling/limits.ts says why). */
const ONCE: ReadonlySet<string> = new Set(RECORDED_REQUEST_TYPES);

/** One place per person; a recorder has its own, per recorder id (a clerk may run a recorder page beside their room). */
function identityKey(identity: VerifiedIdentity, recorder?: { recorderId: string }): string {
  if (identity.kind === 'citizen') return `citizen:${identity.reference}`;
  return recorder ? `recorder:${identity.sub}:${recorder.recorderId}` : `official:${identity.sub}`;
}
