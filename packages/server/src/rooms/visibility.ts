/**
 * Who sees what in a room (SPEC §1, §3): whom each participant sees in the roster and exchanges media with, how
 * each one is shown to each viewer (a denouncer's name redacted for those who may not read it), the room as one
 * viewer sees it, and who receives each kind of event. The room and its request handlers decide with these
 * functions only, so the rules are read in one place.
 */
import {
  canInRoom,
  type LobbyEntry,
  type NetworkQuality,
  type Participant,
  type PointHealth,
  type RoomSnapshot,
  type RoomState,
} from '@tiepdan/core';
import type { ParticipantRecord, PointRecord, RoomSettings } from './room-data.js';

/** Shown instead of a denouncer's name to everyone who may not see it (SPEC §3). */
export const REDACTED_NAME = 'Người tố cáo';

/** The part of the room's settings that decides visibility. */
export type VisibilityPolicy = Pick<RoomSettings, 'hideObserversFromCitizens'>;

/** May `viewer` see `subject` in the roster (and so exchange media with it)? */
export function visible(viewer: ParticipantRecord, subject: ParticipantRecord, policy: VisibilityPolicy): boolean {
  if (viewer === subject) return true;
  // The recorder is in nobody's roster (not counted, not shown, citizens included); it sees what an official does.
  if (subject.role === 'recorder') return false;
  if (viewer.role !== 'citizen') return subject.role !== 'observer' || canInRoom(viewer.role, 'observers.see');
  if (viewer.status === 'lobby' || subject.status === 'lobby') return false;
  if (subject.role === 'observer') return !policy.hideObserversFromCitizens || canInRoom(viewer.role, 'observers.see');
  return true;
}

/** May `a` and `b` exchange media? Both must see each other, except the recorder, which only sees. */
export function mediaLink(a: ParticipantRecord, b: ParticipantRecord, policy: VisibilityPolicy): boolean {
  if (a.role === 'recorder' && b.role === 'recorder') return false;
  if (a.role === 'recorder') return visible(a, b, policy);
  if (b.role === 'recorder') return visible(b, a, policy);
  return visible(a, b, policy) && visible(b, a, policy);
}

/** The name shown where no viewer is known (chat lines, the Jitsi display name): a denouncer's is redacted. */
export function publicName(p: ParticipantRecord): string {
  return p.citizen?.kind === 'to_cao' ? REDACTED_NAME : p.name;
}

/** `p` as `viewer` sees it in the roster and in events about it. */
export function participantView(p: ParticipantRecord, viewer: ParticipantRecord | null): Participant {
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

const QUALITY_ORDER: NetworkQuality[] = ['good', 'fair', 'poor', 'lost'];

/** A connection point's health, from the participants at it. */
export function pointHealth(point: PointRecord, participants: Iterable<ParticipantRecord>): PointHealth {
  const members = [...participants].filter((q) => q.pointId === point.id);
  const health: PointHealth = { id: point.id, name: point.name, unit: point.unit, connected: members.some((q) => q.connectionId !== null), participants: members.map((q) => q.participantId) };
  if (point.operator) health.operator = point.operator;
  const latest = members.map((q) => q.lastHeartbeat).filter((v): v is string => v !== undefined).sort().at(-1);
  if (latest !== undefined) health.lastHeartbeat = latest;
  // The point is as good as its worst reporting participant: one bad uplink spoils the session for all.
  const worst = members
    .filter((q): q is ParticipantRecord & { quality: NetworkQuality } => q.quality !== undefined)
    .sort((a, b) => QUALITY_ORDER.indexOf(b.quality) - QUALITY_ORDER.indexOf(a.quality))[0];
  if (worst?.quality) health.quality = worst.quality;
  if (worst?.rttMs !== undefined) health.rttMs = worst.rttMs;
  const devices = members.find((q) => q.devices)?.devices;
  if (devices) health.devices = devices;
  return health;
}

/** The lobby queue as `viewer` (one who manages it) sees it, first is next. */
export function lobbyEntries(lobby: readonly string[], participants: ReadonlyMap<string, ParticipantRecord>, viewer: ParticipantRecord): LobbyEntry[] {
  return lobby.flatMap((id, index) => {
    const q = participants.get(id);
    // Everyone in the queue is a participant (remove() takes them out of both); a stray id is not shown.
    return q ? [{ participantId: id, name: participantView(q, viewer).name, position: index + 1, since: q.lobbySince ?? '' }] : [];
  });
}

/** What a snapshot is made from. */
export interface RoomPicture {
  readonly sessionId: string;
  readonly state: RoomState;
  readonly seq: number;
  readonly caseId: string | null;
  readonly floor: string | null;
  readonly participants: ReadonlyMap<string, ParticipantRecord>;
  readonly points: ReadonlyMap<string, PointRecord>;
  readonly lobby: readonly string[];
}

/** The room as `viewer` sees it, with the recording's view read just before (`recording`). */
export function snapshotFor(room: RoomPicture, viewer: ParticipantRecord, recording: RoomSnapshot['recording'], policy: VisibilityPolicy): RoomSnapshot {
  const participants = [...room.participants.values()].filter((q) => visible(viewer, q, policy)).map((q) => participantView(q, viewer));
  const snapshot: RoomSnapshot = {
    sessionId: room.sessionId,
    state: room.state,
    seq: room.seq,
    caseId: viewer.status === 'lobby' ? null : room.caseId,
    floor: viewer.status === 'lobby' ? null : room.floor,
    participants,
    points: viewer.role === 'citizen' ? [] : [...room.points.values()].map((point) => pointHealth(point, room.participants.values())),
  };
  if (canInRoom(viewer.role, 'lobby.manage')) snapshot.lobby = lobbyEntries(room.lobby, room.participants, viewer);
  if (recording) snapshot.recording = viewer.role === 'citizen' ? { state: recording.state } : recording;
  return snapshot;
}

// ---------------------------------------------------------------------------------------------- audiences

/** Everyone past the lobby. */
export function members(participants: ReadonlyMap<string, ParticipantRecord>): string[] {
  return [...participants.values()].filter((q) => q.status !== 'lobby').map((q) => q.participantId);
}

/** Everyone but citizens: who sees connection points' health and the recorder's internals and alarms. */
export function staff(participants: ReadonlyMap<string, ParticipantRecord>): string[] {
  return [...participants.values()].filter((q) => q.role !== 'citizen').map((q) => q.participantId);
}

/** Those who see the lobby queue. */
export function lobbyManagers(participants: ReadonlyMap<string, ParticipantRecord>): ParticipantRecord[] {
  return [...participants.values()].filter((q) => canInRoom(q.role, 'lobby.manage'));
}

/**
 * Who is told of a desk step on a case: the officials in the room (not recorders) and the case's own citizens
 * (admitted or sent back to the lobby).
 */
export function caseAudience(participants: ReadonlyMap<string, ParticipantRecord>, caseId: string): string[] {
  return [...participants.values()]
    .filter((q) => (q.role === 'citizen' ? q.caseId === caseId : q.role !== 'recorder' && q.status !== 'lobby'))
    .map((q) => q.participantId);
}

/**
 * Who is told about `subject`: everyone who may see it (`exceptSelf`: not the subject itself), and with
 * `alsoFormerMembers` the citizens past the lobby who saw it before it went back there.
 */
export function viewersOf(
  subject: ParticipantRecord,
  participants: ReadonlyMap<string, ParticipantRecord>,
  policy: VisibilityPolicy,
  options: { exceptSelf?: boolean | undefined; alsoFormerMembers?: boolean | undefined } = {},
): ParticipantRecord[] {
  return [...participants.values()].filter(
    (v) => (!options.exceptSelf || v !== subject) && (visible(v, subject, policy) || (options.alsoFormerMembers && v.role === 'citizen' && v.status !== 'lobby')),
  );
}
