/**
 * The conduct of the hearing: the floor (given by the chair, or taken back), raised hands, asking someone to mute,
 * and screen sharing. Only those past the lobby raise a hand or share; the floor and a mute request name someone
 * the caller can see.
 */
import { refuse } from '../refusal.js';
import { visible } from '../visibility.js';
import { requireMember, type RequestHandlers } from './scope.js';

export const floorRequests: RequestHandlers<'floor.give' | 'hand.raise' | 'mute.request' | 'screen.share'> = {
  'floor.give'(room, p, message) {
    if (message.participantId !== null) {
      const target = room.participants.get(message.participantId);
      if (!target || target.status === 'lobby' || !visible(p, target, room.ctx.settings)) refuse('not_found');
      room.audit(p, 'floor.give', target);
      if (target.hand) {
        target.hand = false;
        room.updated(target);
      }
    } else room.audit(p, 'floor.take');
    room.setFloor(message.participantId);
    room.dirty();
    return {};
  },

  'hand.raise'(room, p, message) {
    requireMember(p);
    if (p.hand !== message.raised) {
      p.hand = message.raised;
      room.updated(p);
      room.dirty();
    }
    return {};
  },

  'mute.request'(room, p, message) {
    const target = room.participants.get(message.participantId);
    if (!target || target.status === 'lobby' || !visible(p, target, room.ctx.settings)) refuse('not_found');
    room.audit(p, 'mute.request', target, { media: message.media });
    room.emit({ type: 'mute.requested', media: message.media, by: p.participantId }, [target.participantId]);
    return {};
  },

  'screen.share'(room, p, message) {
    requireMember(p);
    if (p.screen !== message.active) {
      p.screen = message.active;
      room.audit(p, message.active ? 'screen.start' : 'screen.stop');
      room.updated(p);
      room.dirty();
    }
    return {};
  },
};
