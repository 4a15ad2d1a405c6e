/**
 * The session itself: opening the room (SPEC §6: with a recorder ready when it must be recorded), ending it (the
 * head's end is the only way a recording stops), reading the room, and leaving it.
 */
import { CLOSE_CODES } from '@tiepdan/core';
import { refuse } from '../refusal.js';
import type { ParticipantRecord } from '../room-data.js';
import { officialSub, type RequestHandlers, type RoomScope } from './scope.js';

export const sessionRequests: RequestHandlers<'roster.get' | 'bye' | 'room.open' | 'room.end'> = {
  'roster.get': (room, p) => room.snapshot(p),

  bye(room, p) {
    room.remove(p, 'bye');
    return {};
  },

  async 'room.open'(room, p) {
    if (room.state !== 'pending' || room.opening) refuse('invalid_transition');
    room.opening = true;
    try {
      await open(room, p);
    } finally {
      room.opening = false;
    }
    return {};
  },

  async 'room.end'(room, p) {
    room.state = 'ended';
    room.audit(p, 'room.end');
    // The head's end is the only way a recording stops; its last chunks drain, then it is finalized.
    await room.ctx.recording?.end(room.sessionId, officialSub(p));
    const everyone = room.everyone();
    room.emit({ type: 'room.state', state: 'ended' }, everyone);
    room.ctx.bus.publish(room.sessionId, { kind: 'close', to: everyone, code: CLOSE_CODES.ROOM_ENDED, reason: 'session ended', exceptConnection: p.connectionId ?? undefined });
    room.dispose();
    room.dirty();
    room.ctx.onEnded(room.sessionId);
    return {};
  },
};

/**
 * SPEC §6: a session that must be recorded starts only with a recorder ready, and its recording starts with it
 * (created now when the session has none and a recorder waits for it; a waiting recorder is elected).
 */
async function open(room: RoomScope, p: ParticipantRecord): Promise<void> {
  const { recording } = room.ctx;
  if (recording && !(await recording.canOpen(room.sessionId))) refuse('recorder_required');
  if (room.state !== 'pending') refuse('invalid_transition');
  try {
    await recording?.start(room.sessionId, { by: officialSub(p), unit: p.unit });
  } catch {
    // The lease lapsed (or the waiting recorder went away) between the check and the start.
    refuse('recorder_required');
  }
  room.state = 'open';
  room.audit(p, 'room.open');
  room.emit({ type: 'room.state', state: 'open' }, room.everyone());
  room.dirty();
}
