/**
 * Roles in a room and what each may do, in one table (SPEC §1). The server checks it on every request; the
 * elements read it only to hide controls. Officials' roles come from their token (auth/roles.ts); a citizen is
 * anyone who joins with an invitation's join token.
 */
import { OFFICIAL_ROLES } from '../auth/roles.js';

export const ROOM_ROLES = [...OFFICIAL_ROLES, 'citizen'] as const;
export type RoomRole = (typeof ROOM_ROLES)[number];

export const ROOM_PERMISSIONS = {
  /** Open the room for the session. */
  'room.open': ['chair', 'clerk'],
  /** End the session: everyone is closed out. */
  'room.end': ['chair'],
  /** Admit, deny or return citizens in the lobby, and see the queue. */
  'lobby.manage': ['chair', 'clerk'],
  /** Say which case is being received. */
  'case.set': ['chair', 'clerk'],
  /** Give (or take) the floor. */
  'floor.give': ['chair'],
  /** Ask someone else to mute. */
  'participant.mute': ['chair', 'clerk'],
  /** Share a screen. */
  'screen.share': ['chair', 'official', 'clerk', 'operator'],
  /** Raise a hand to ask for the floor. */
  'hand.raise': ['official', 'clerk', 'operator', 'citizen'],
  /** Write in the session's chat. */
  'chat.send': ['chair', 'official', 'clerk', 'operator', 'citizen'],
  /** See observers in the roster (citizens only when the policy does not hide them). */
  'observers.see': ['chair', 'official', 'clerk', 'operator', 'observer'],
  /** See a denouncer's identity (SPEC §3: only the officers handling it). */
  'denouncer.read': ['chair', 'clerk'],
  /** Declare a connection point and report its health. */
  'point.register': ['chair', 'official', 'clerk', 'operator'],
} as const satisfies Record<string, readonly RoomRole[]>;

export type RoomPermission = keyof typeof ROOM_PERMISSIONS;
export const ROOM_PERMISSION_NAMES = Object.keys(ROOM_PERMISSIONS) as RoomPermission[];

export function canInRoom(role: RoomRole, permission: RoomPermission): boolean {
  return (ROOM_PERMISSIONS[permission] as readonly RoomRole[]).includes(role);
}
