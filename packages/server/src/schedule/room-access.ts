/**
 * Which officials may enter a session's room. Connection points of other units take part in a session (the
 * province and the central board join a ward's reception), so the rule is: the session's own unit, or a unit
 * that owns one of the session's connection points, or an all-units token ('*'). Citizens are bound to their
 * session by their join token already.
 *
 * An administrator (role `admin`) enters no room: the role manages accounts, it does not take part in reception.
 *
 * A room whose session the schedule does not know is an ad-hoc room (drills, tests, an emergency meeting set up
 * by hand): it has no unit to check against and no citizen data, so any official may open it.
 */
import type { VerifiedIdentity } from '../rooms/commands.js';
import type { Config } from '../config/schema.js';
import type { Store } from '../store/store.js';

export type SessionAccess = (identity: VerifiedIdentity, sessionId: string) => Promise<boolean>;

export function scheduleRoomAccess(store: Store, config: Config): SessionAccess {
  const pointsOf = new Map(config.units.map((unit) => [unit.code, new Set(unit.connectionPoints.map((p) => p.id))]));
  return async (identity, sessionId) => {
    // An administrator manages accounts and opens no case: not even an ad-hoc room.
    if (identity.kind === 'official' && identity.role === 'admin') return false;
    if (identity.kind !== 'official' || identity.unit === '*') return true;
    const session = await store.schedule.getSession(sessionId);
    if (!session) return true;
    if (session.unit === identity.unit) return true;
    const own = pointsOf.get(identity.unit);
    return Boolean(own && session.connectionPoints.some((point) => own.has(point)));
  };
}
