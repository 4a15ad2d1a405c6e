/** The session's chat: members write, members read; the event is also the chat record (kept with the session). */
import { randomUUID } from 'node:crypto';
import { publicName } from '../visibility.js';
import { requireMember, type RequestHandlers } from './scope.js';

export const chatRequests: RequestHandlers<'chat.send'> = {
  'chat.send'(room, p, message, now) {
    requireMember(p);
    const messageId = randomUUID();
    // The event is also the chat record (RoomStore StoredEvent `author`): one row, not a frame and a copy.
    const seq = room.emit({ type: 'chat.message', messageId, from: p.participantId, name: publicName(p), text: message.text, at: now }, room.members(), { author: p.name });
    return { messageId, seq };
  },
};
