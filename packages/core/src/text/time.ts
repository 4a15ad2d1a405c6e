/**
 * Times are stored in UTC and shown in Asia/Ho_Chi_Minh with dates as dd/mm/yyyy, whatever the device's own
 * time zone (SPEC §4). Formatting goes through Intl with an explicit zone so a phone set to another zone, or a
 * server in UTC, shows the same Hanoi time.
 */
export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

const dateFormat = /* @__PURE__ */ new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});
const timeFormat = /* @__PURE__ */ new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** dd/mm/yyyy in Hanoi time. */
export function formatDate(at: Date | string | number): string {
  return dateFormat.format(new Date(at));
}

/** HH:mm in Hanoi time. */
export function formatTime(at: Date | string | number): string {
  return timeFormat.format(new Date(at));
}

/** "HH:mm dd/mm/yyyy" in Hanoi time, the order Vietnamese documents use. */
export function formatDateTime(at: Date | string | number): string {
  return `${formatTime(at)} ${formatDate(at)}`;
}

/** "08:00–11:00, 03/12/2026" (Hanoi); across midnight "22:00, 03/12/2026–01:00, 04/12/2026". */
export function formatTimeRange(start: Date | string | number, end: Date | string | number): string {
  const day = formatDate(start);
  return formatDate(end) === day ? `${formatTime(start)}–${formatTime(end)}, ${day}` : `${formatTime(start)}, ${day}–${formatTime(end)}, ${formatDate(end)}`;
}

/** "08:30, 03/12/2026" (Hanoi): one instant in the order the range above uses. */
export function formatTimeDate(at: Date | string | number): string {
  return `${formatTime(at)}, ${formatDate(at)}`;
}

/** Turns an ISO calendar date (yyyy-mm-dd, as stored) into dd/mm/yyyy without any time-zone shift. */
export function isoDateToVi(isoDate: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(isoDate);
  return match ? `${match[3]}/${match[2]}/${match[1]}` : isoDate;
}

/** Parses dd/mm/yyyy (as typed by a citizen) into yyyy-mm-dd, or undefined when it is not a real date. */
export function viDateToIso(viDate: string): string | undefined {
  const match = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$/u.exec(viDate);
  if (!match) return undefined;
  const iso = `${match[3]}-${match[2]!.padStart(2, '0')}-${match[1]!.padStart(2, '0')}`;
  return isRealIsoDate(iso) ? iso : undefined;
}

/** True for yyyy-mm-dd strings naming a day that exists (no 31/02). */
export function isRealIsoDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
