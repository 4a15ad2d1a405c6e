/**
 * Officials' roles (SPEC §1) and what each may do, in one table. The server enforces it on every route; the
 * elements read it only to hide controls a role cannot use (hiding is a courtesy, the server is the guard).
 *
 * Two roles are not people at a reception: `admin` (the board's administrator of a unit) manages accounts and
 * role assignments and reads the sign-in audit log, and nothing else — an administrator who also handles cases
 * is given a case role as a second assignment. `recorder` is a device credential of a connection point's
 * recording machine: it may record and see the recording status, and nothing else.
 */
export const OFFICIAL_ROLES = ['chair', 'official', 'clerk', 'operator', 'observer', 'admin', 'recorder'] as const;
export type OfficialRole = (typeof OFFICIAL_ROLES)[number];

export const PERMISSIONS = {
  /** See the screening queue and open a registration. */
  'registrations.read': ['chair', 'official', 'clerk'],
  /** Screen, invite or answer a registration. */
  'registrations.transition': ['chair', 'clerk'],
  /** Read a denouncer's identity (SPEC §3: only the officers handling it). */
  'registrations.readDenouncer': ['chair', 'clerk'],
  /** See the schedule's drafts and the bookings count. */
  'schedule.read': ['chair', 'official', 'clerk', 'operator'],
  /** Create, edit, publish, cancel and postpone sessions and periodic series. */
  'schedule.manage': ['chair', 'clerk'],
  /** See who booked a session and invite them (time within the session, join link). */
  'bookings.invite': ['chair', 'clerk'],
  /** A session's recording status and its alarm (no active recorder): everyone who runs the session. */
  'recordings.status': ['chair', 'official', 'clerk', 'operator', 'recorder'],
  /** Act as a recorder at an official connection point: join the election, hold the lease, upload segments. */
  'recordings.record': ['chair', 'clerk', 'operator', 'recorder'],
  /** Open a session's recording, set its policy, start it, add participants and notices to its timeline. */
  'recordings.manage': ['chair', 'clerk'],
  /** End a recording: only the head, when ending the session (nobody else can stop it, SPEC §6). */
  'recordings.end': ['chair'],
  /** List, play and download recordings (a denunciation's also needs registrations.readDenouncer). */
  'recordings.read': ['chair', 'clerk'],
  /** Approve a citizen's copy of their own case and record its handover. */
  'recordings.approveCopy': ['chair', 'clerk'],
  /** Read the recordings' access log. */
  'recordings.audit': ['chair'],
  /** Create, disable and reset officials' accounts of the unit, assign and remove their roles, read the sign-in audit log. */
  'accounts.manage': ['admin'],
  /** Issue a recorder's device credential for a connection point (the person at the point signs the machine in). */
  'devices.issue': ['chair', 'clerk', 'operator'],
  /** See reception cases (vụ việc) at the desk. */
  'desk.read': ['chair', 'official', 'clerk'],
  /** Open a case and take it through the Circular 04 steps (identity, content, receipt, handling, refusal cl.1–2). */
  'desk.act': ['chair', 'clerk'],
  /** The head's own acts: directions with a deadline, the written refusal notice (Art. 9 cl.3). */
  'desk.head': ['chair'],
  /** Read and export the reception register (Form 03). */
  'register.read': ['chair', 'official', 'clerk'],
  /** Enter an in-person reception in the register by hand. */
  'register.write': ['chair', 'clerk'],
} as const satisfies Record<string, readonly OfficialRole[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: OfficialRole, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly OfficialRole[]).includes(role);
}

/** Roles that handle cases or run sessions, which need a second factor (TOTP) when they sign in with a password. */
export const SECOND_FACTOR_ROLES: readonly OfficialRole[] = ['chair', 'clerk', 'admin'];
