/**
 * The rooms' side of the reception desk (issue 10): admitting a citizen from the lobby opens the case (vụ việc)
 * of their registration in this session, so the officer never types a case code. Re-admitting the same citizen
 * (after "back to the lobby", or a reconnect) finds the same open case: the desk's opening is idempotent per
 * registration and session.
 *
 * The room sees the desk only through `RoomDesk`, so room tests run without one; a citizen whose registration
 * the server does not hold (a test token, a walk-in joining by link) is admitted without a desk case.
 */
import type { OfficialRole } from '@tiepdan/core';
import type { Desk } from '../desk/service.js';

export interface AdmittingOfficial {
  sub: string;
  role: OfficialRole;
  name?: string | undefined;
}

/** What a room needs of the desk. */
export interface RoomDesk {
  /** The open case of this citizen's registration in this session, opened now if there is none; undefined when the server holds no such registration. */
  caseForAdmission(sessionId: string, reference: string, by: AdmittingOfficial): Promise<string | undefined>;
}

export function roomDesk(desk: () => Desk | undefined): RoomDesk {
  return {
    async caseForAdmission(sessionId, reference, by) {
      return (await desk()?.openForAdmission(sessionId, reference, by))?.case.id;
    },
  };
}
