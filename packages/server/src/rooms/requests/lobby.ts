/**
 * The lobby and the case being received: admitting a citizen (SPEC §6: never off the record; one case at a time;
 * the desk opens the case of their registration), denying one (they cannot come back), sending one back to the
 * front of the queue, and saying which case is being received. Every decision goes in the audit chain.
 */
import { CLOSE_CODES } from '@tiepdan/core';
import { refuse } from '../refusal.js';
import type { ParticipantRecord } from '../room-data.js';
import { officialSub, type RequestHandlers, type RoomScope } from './scope.js';

export const lobbyRequests: RequestHandlers<'lobby.admit' | 'lobby.deny' | 'lobby.return' | 'case.set'> = {
  async 'lobby.admit'(room, p, message) {
    if (room.state !== 'open') refuse('room_not_open');
    const target = room.participants.get(message.participantId);
    if (!target || target.status !== 'lobby') refuse('not_in_lobby');
    // SPEC §6: nobody is received off the record. The clerk's error frame says why and what to do.
    if (room.ctx.recording && !(await room.ctx.recording.admissible(room.sessionId))) refuse('recording_not_active');
    // Each wait above and below may have let the citizen leave or the room end meanwhile.
    stillWaiting(room, target);
    // One case at a time: another case cannot start while a citizen of the current one is still admitted.
    if (message.caseId !== undefined && room.caseId !== null && room.caseId !== message.caseId && admittedFor(room, room.caseId)) refuse('case_in_progress');
    // No case named and none in progress: the desk opens (or finds again, on a re-admit) the case of this
    // citizen's registration. While a case is in progress, a citizen admitted without one joins it (a group).
    const deskCase = message.caseId === undefined && !(room.caseId !== null && admittedFor(room, room.caseId)) ? await deskCaseFor(room, p, target) : undefined;
    stillWaiting(room, target);
    const caseId = message.caseId ?? deskCase ?? room.caseId ?? undefined;
    target.status = 'admitted';
    target.caseId = caseId;
    target.lobbySince = undefined;
    room.lobby = room.lobby.filter((id) => id !== target.participantId);
    room.audit(p, 'lobby.admit', target, { caseId: caseId ?? null });
    if (caseId !== undefined && caseId !== room.caseId) room.setCase(caseId);
    room.emit({ type: 'lobby.admitted', caseId: caseId ?? null }, [target.participantId]);
    room.updated(target, { exceptSelf: true });
    room.lobbyChanged();
    room.dirty();
    return {};
  },

  'lobby.deny'(room, p, message) {
    const target = room.participants.get(message.participantId);
    if (!target || target.role !== 'citizen') refuse('not_in_lobby');
    room.audit(p, 'lobby.deny', target, { reason: message.reason, from: target.status });
    room.denied.add(target.identity);
    room.emit({ type: 'lobby.denied', reason: message.reason }, [target.participantId]);
    room.remove(target, 'denied');
    room.ctx.bus.publish(room.sessionId, { kind: 'close', to: [target.participantId], code: CLOSE_CODES.DENIED, reason: 'denied' });
    return {};
  },

  'lobby.return'(room, p, message, now) {
    const target = room.participants.get(message.participantId);
    if (!target || target.status !== 'admitted') refuse('not_admitted');
    room.audit(p, 'lobby.return', target);
    target.status = 'lobby';
    target.hand = false;
    target.screen = false;
    target.lobbySince = now;
    room.lobby.unshift(target.participantId);
    if (room.floor === target.participantId) room.setFloor(null);
    room.emit({ type: 'lobby.returned', position: 1 }, [target.participantId]);
    room.updated(target, { exceptSelf: true, alsoFormerMembers: true });
    room.lobbyChanged();
    room.dirty();
    return {};
  },

  'case.set'(room, p, message) {
    room.audit(p, 'case.set', undefined, { caseId: message.caseId });
    room.setCase(message.caseId);
    room.dirty();
    return {};
  },
};

/** The citizen being admitted is still in this room's lobby, and the room still open. */
function stillWaiting(room: RoomScope, target: ParticipantRecord): void {
  if (target.status !== 'lobby' || room.participants.get(target.participantId) !== target) refuse('not_in_lobby');
  if (room.state !== 'open') refuse('room_not_open');
}

function admittedFor(room: RoomScope, caseId: string): boolean {
  for (const q of room.participants.values()) if (q.status === 'admitted' && q.caseId === caseId) return true;
  return false;
}

/** The desk's case for a citizen from a registration; the admission goes on without one if the desk cannot open it. */
async function deskCaseFor(room: RoomScope, by: ParticipantRecord, target: ParticipantRecord): Promise<string | undefined> {
  const { desk, onDeskError } = room.ctx;
  if (!desk || !target.citizen || by.role === 'citizen') return undefined;
  try {
    return await desk.caseForAdmission(room.sessionId, target.citizen.reference, { sub: officialSub(by), role: by.role, name: by.name });
  } catch (error) {
    // A reception must not stall on the register: the clerk can still open the case from the desk panel.
    onDeskError?.(error);
    return undefined;
  }
}
