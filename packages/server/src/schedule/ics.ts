/**
 * iCalendar output (ical-generator): a feed per unit and one file per booking. UIDs are stable
 * (`session-<id>@tiepdan`), SEQUENCE is the session's change counter, times carry TZID=Asia/Ho_Chi_Minh with
 * the VTIMEZONE included, and a cancelled session or booking gives METHOD:CANCEL with STATUS:CANCELLED.
 *
 * ical-generator formats a plain Date with the server process's own zone, so times go in as a small
 * Day.js-shaped value that formats in Hanoi time (UTC+7, no daylight saving) whatever TZ the server runs in.
 */
import ical, { ICalCalendarMethod, ICalEventStatus, type ICalDayJsStub } from 'ical-generator';
import { TIME_ZONE, formatDateTime, type ReceptionSession } from '@tiepdan/core';

const HANOI_OFFSET_MS = 7 * 3_600_000;

export const VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  `TZID:${TIME_ZONE}`,
  `X-LIC-LOCATION:${TIME_ZONE}`,
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0700',
  'TZOFFSETTO:+0700',
  'TZNAME:+07',
  'DTSTART:19700101T000000',
  'END:STANDARD',
  'END:VTIMEZONE',
].join('\r\n');

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** A Day.js-like value: `tz()` gives Hanoi wall time, `utc()` UTC; ical-generator only calls these. */
function at(iso: string, offsetMs = HANOI_OFFSET_MS): ICalDayJsStub {
  const instant = new Date(iso);
  const wall = new Date(instant.getTime() + offsetMs);
  const stub: ICalDayJsStub = {
    format: (format) =>
      format === 'YYYYMMDD'
        ? `${pad(wall.getUTCFullYear(), 4)}${pad(wall.getUTCMonth() + 1)}${pad(wall.getUTCDate())}`
        : format === 'HHmmss'
          ? `${pad(wall.getUTCHours())}${pad(wall.getUTCMinutes())}${pad(wall.getUTCSeconds())}`
          : instant.toISOString(),
    isValid: () => true,
    toDate: () => new Date(instant),
    toJSON: () => instant.toISOString(),
    tz: () => stub,
    utc: () => at(iso, 0),
  };
  return stub;
}

export const uidOf = (sessionId: string) => `session-${sessionId}@tiepdan`;

const STATUS: Record<ReceptionSession['state'], ICalEventStatus> = {
  planned: ICalEventStatus.TENTATIVE,
  open: ICalEventStatus.CONFIRMED,
  closed: ICalEventStatus.CONFIRMED,
  in_progress: ICalEventStatus.CONFIRMED,
  ended: ICalEventStatus.CONFIRMED,
  postponed: ICalEventStatus.TENTATIVE,
  cancelled: ICalEventStatus.CANCELLED,
};

interface EventExtra {
  cancelled?: boolean;
  description?: string;
}

function calendar(name: string, method: ICalCalendarMethod) {
  return ical({
    name,
    method,
    prodId: { company: 'tiepdan', product: 'reception-schedule', language: 'VI' },
    timezone: { name: TIME_ZONE, generator: (zone) => (zone === TIME_ZONE ? VTIMEZONE : null) },
  });
}

function addEvent(cal: ReturnType<typeof calendar>, session: ReceptionSession, unitName: string, extra: EventExtra = {}): void {
  const cancelled = extra.cancelled || session.state === 'cancelled';
  const notice = session.notice ? `\n${session.notice.vi}` : '';
  cal.createEvent({
    id: uidOf(session.id),
    sequence: session.sequence,
    stamp: at(session.updatedAt).utc!(),
    start: at(session.startsAt),
    end: at(session.endsAt),
    timezone: TIME_ZONE,
    summary: `Tiếp công dân – ${unitName}${cancelled ? ' (ĐÃ HỦY)' : session.state === 'postponed' ? ' (HOÃN)' : ''}`,
    location: session.venue,
    description: `Chủ trì: ${session.host.name}. Thời gian: ${formatDateTime(session.startsAt)} (giờ Hà Nội).${notice}${extra.description ? `\n${extra.description}` : ''}`,
    status: cancelled ? ICalEventStatus.CANCELLED : STATUS[session.state],
  });
}

/** The unit's published schedule. */
export function unitFeed(unitName: string, sessions: ReceptionSession[]): string {
  const cal = calendar(`Lịch tiếp công dân – ${unitName}`, ICalCalendarMethod.PUBLISH);
  for (const session of sessions) addEvent(cal, session, unitName);
  return cal.toString();
}

/** One booking's session; METHOD:CANCEL when the booking or the session is cancelled. */
export function bookingCalendar(unitName: string, session: ReceptionSession, booking: { reference: string; status: string; slotAt?: string | undefined }): string {
  const cancelled = booking.status === 'cancelled' || session.state === 'cancelled';
  const cal = calendar(`Tiếp công dân – ${booking.reference}`, cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.PUBLISH);
  const slot = booking.slotAt ? ` Giờ được mời: ${formatDateTime(booking.slotAt)}.` : '';
  addEvent(cal, session, unitName, { cancelled, description: `Mã hồ sơ: ${booking.reference}.${slot}` });
  return cal.toString();
}
