/**
 * Media between participants: WebRTC signals (only between people who may see each other, and between the recorder
 * and everyone it records), the network and device health each one reports for its connection point, and the
 * TURN and Jitsi credentials.
 */
import { refuse } from '../refusal.js';
import { mediaLink } from '../visibility.js';
import { requireMember, type RequestHandlers } from './scope.js';

export const mediaRequests: RequestHandlers<'signal' | 'health.report' | 'media.credentials'> = {
  signal(room, p, message) {
    requireMember(p);
    const target = room.participants.get(message.to);
    // Media flows only between people who may see each other: never to the lobby, never to hidden observers;
    // and between the recorder and everyone it records (they do not see it, it sees them).
    if (!target || target === p || target.status === 'lobby' || !mediaLink(p, target, room.ctx.settings)) refuse('not_visible');
    room.emit({ type: 'signal', from: p.participantId, data: message.data }, [target.participantId], { persist: false });
    return {};
  },

  'health.report'(room, p, message, now) {
    p.quality = message.quality;
    p.rttMs = message.rttMs;
    if (message.devices) p.devices = message.devices;
    p.lastHeartbeat = now;
    if (p.pointId) room.pointChanged(p.pointId);
    return {};
  },

  'media.credentials': (room, p) => room.credentials(p),
};
