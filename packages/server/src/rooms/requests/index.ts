/**
 * Every request a room answers, by type, grouped as core's permissions table groups them (the session, the lobby,
 * the floor, chat, media, identity). The permission a request needs is core's REQUEST_PERMISSIONS, checked here
 * for all of them, before the handler runs: the table the elements read to hide controls is the one enforced.
 */
import { canInRoom, REQUEST_PERMISSIONS } from '@tiepdan/core';
import { refuse } from '../refusal.js';
import type { ParticipantRecord } from '../room-data.js';
import { chatRequests } from './chat.js';
import { floorRequests } from './floor.js';
import { identityRequests } from './identity.js';
import { lobbyRequests } from './lobby.js';
import { mediaRequests } from './media.js';
import type { RequestHandler, RequestHandlers, RoomRequest, RoomRequestType, RoomScope } from './scope.js';
import { sessionRequests } from './session.js';

export type { RoomRequest, RoomRequestType, RoomScope } from './scope.js';

/** One handler per request type: a type without one does not compile. */
const HANDLERS: RequestHandlers<RoomRequestType> = {
  ...sessionRequests,
  ...lobbyRequests,
  ...floorRequests,
  ...chatRequests,
  ...mediaRequests,
  ...identityRequests,
};

/** Applies one request of `caller` to the room: refused when the caller's role may not make it. */
export async function answer(room: RoomScope, caller: ParticipantRecord, message: RoomRequest, now: string): Promise<unknown> {
  const permission = REQUEST_PERMISSIONS[message.type];
  if (permission && !canInRoom(caller.role, permission)) refuse('forbidden');
  // The table pairs each type with its own handler; TypeScript cannot follow that pairing through the union.
  const handler = HANDLERS[message.type] as RequestHandler<RoomRequestType>;
  return handler(room, caller, message, now);
}
