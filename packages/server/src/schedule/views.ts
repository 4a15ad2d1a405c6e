/**
 * Sessions as callers see them: the public view has no internal reason and no counts beyond places left;
 * officials get the whole row.
 */
import type { OfficialSession, ReceptionSession } from '@tiepdan/core';

export function publicSession(session: OfficialSession): ReceptionSession {
  const { reason: _reason, booked: _booked, createdAt: _createdAt, publishedAt: _publishedAt, ...view } = session;
  return view;
}
