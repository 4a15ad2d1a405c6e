/** Which cases are the desk's: the room shows <tiepdan-desk> for them and does not name them on admission. */

/** A case the desk opened on admission (a UUID), as opposed to a code the clerk typed. */
const DESK_CASE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;

export function isDeskCase(caseId: string | null): caseId is string {
  return caseId !== null && DESK_CASE.test(caseId);
}

/**
 * The case an admission names: a code the clerk typed binds the citizen to it; a desk case (opened by the server
 * on admission) is not named, so the server opens the next citizen's own case once the previous one's citizens
 * have left or gone back to the lobby, or joins them to it while it is still being received (a group).
 * Naming the desk case bound every later citizen to the first case of the session.
 */
export function admitCase(caseId: string | null): string | undefined {
  return caseId !== null && !isDeskCase(caseId) ? caseId : undefined;
}
