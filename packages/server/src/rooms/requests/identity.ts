/** A participant's identity, a denouncer's included (SPEC §3: only the roles handling it); every reading is audited. */
import type { RequestResult } from '@tiepdan/core';
import { refuse } from '../refusal.js';
import type { RequestHandlers } from './scope.js';

export const identityRequests: RequestHandlers<'identity.read'> = {
  'identity.read'(room, p, message) {
    const target = room.participants.get(message.participantId);
    if (!target) refuse('not_found');
    room.audit(p, 'identity.read', target);
    const result: RequestResult<'identity.read'> = { participantId: target.participantId, name: target.name };
    if (target.citizen) {
      result.reference = target.citizen.reference;
      if (target.citizen.kind) result.kind = target.citizen.kind;
    }
    return result;
  },
};
