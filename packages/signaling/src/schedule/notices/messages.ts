/**
 * What a notice says, in Vietnamese and English, with times in Hanoi (dd/mm/yyyy). Built once per change and
 * stored in the outbox, so a notice sent after a restart says what was true when the change was made.
 */
import { formatDateTime, formatTime, type Message, type OfficialSession } from '@tiepdan/core';
import type { NoticeBody, NoticeChange } from '../../store/schedule-store.js';

function when(startsAt: string, endsAt: string): string {
  return `${formatDateTime(startsAt)}–${formatTime(endsAt)}`;
}

export function noticeBody(change: NoticeChange, before: { startsAt: string; endsAt: string }, session: OfficialSession): NoticeBody {
  const was = when(before.startsAt, before.endsAt);
  const now = when(session.startsAt, session.endsAt);
  const extra = (m?: Message) => ({ vi: m ? ` ${m.vi}` : '', en: m ? ` ${m.en}` : '' });
  const note = extra(session.notice);
  const moved = before.startsAt !== session.startsAt || before.endsAt !== session.endsAt;
  const message: Message =
    change === 'cancelled'
      ? { vi: `Buổi tiếp công dân lúc ${was} tại ${session.venue} đã bị hủy.${note.vi}`, en: `The reception session at ${was} at ${session.venue} is cancelled.${note.en}` }
      : change === 'postponed'
        ? {
            vi: `Buổi tiếp công dân lúc ${was} tại ${session.venue} được hoãn${moved ? ` sang ${now}` : ' đến khi có thông báo mới'}.${note.vi}`,
            en: `The reception session at ${was} at ${session.venue} is postponed${moved ? ` to ${now}` : ' until further notice'}.${note.en}`,
          }
        : { vi: `Buổi tiếp công dân lúc ${was} tại ${session.venue} đổi sang ${now}.`, en: `The reception session at ${was} at ${session.venue} moves to ${now}.` };
  return {
    message,
    session: { id: session.id, unit: session.unit, venue: session.venue, startsAt: session.startsAt, endsAt: session.endsAt, state: session.state, notice: session.notice },
  };
}
