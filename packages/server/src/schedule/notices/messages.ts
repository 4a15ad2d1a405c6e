/**
 * What a notice says, in Vietnamese and English, with Hanoi times as "08:00–11:00, 03/12/2026". Built once per
 * change and stored in the outbox, so a notice sent after a restart says what was true when the change was
 * made. An invitation's text holds `{link}` where the join link goes: the link carries the citizen's token, so
 * it is sealed apart and filled in only when sending.
 */
import { formatTimeDate, formatTimeRange, type Message, type OfficialSession } from '@tiepdan/core';
import type { Attendance, NoticeBody, NoticeChange } from '../../store/schedule-store.js';

export const LINK = '{link}';

function sessionOf(session: OfficialSession): NoticeBody['session'] {
  return { id: session.id, unit: session.unit, venue: session.venue, startsAt: session.startsAt, endsAt: session.endsAt, state: session.state, notice: session.notice };
}

export function noticeBody(change: Exclude<NoticeChange, 'invited'>, before: { startsAt: string; endsAt: string }, session: OfficialSession): NoticeBody {
  const was = formatTimeRange(before.startsAt, before.endsAt);
  const now = formatTimeRange(session.startsAt, session.endsAt);
  const extra = (m?: Message) => ({ vi: m ? ` ${m.vi}` : '', en: m ? ` ${m.en}` : '' });
  const note = extra(session.notice);
  const moved = before.startsAt !== session.startsAt || before.endsAt !== session.endsAt;
  const message: Message =
    change === 'cancelled'
      ? { vi: `Buổi tiếp công dân ${was} tại ${session.venue} đã bị hủy.${note.vi}`, en: `The citizen reception session of ${was} at ${session.venue} is cancelled.${note.en}` }
      : change === 'postponed'
        ? {
            vi: `Buổi tiếp công dân ${was} tại ${session.venue} được hoãn${moved ? ` sang ${now}` : ' đến khi có thông báo mới'}.${note.vi}`,
            en: `The citizen reception session of ${was} at ${session.venue} is postponed${moved ? ` to ${now}` : ' until further notice'}.${note.en}`,
          }
        : { vi: `Buổi tiếp công dân ${was} tại ${session.venue} đổi sang ${now}.`, en: `The citizen reception session of ${was} at ${session.venue} moves to ${now}.` };
  const subject: Message =
    change === 'cancelled'
      ? { vi: `Hủy buổi tiếp công dân ${was}`, en: `Citizen reception of ${was} cancelled` }
      : change === 'postponed'
        ? { vi: `Hoãn buổi tiếp công dân ${was}`, en: `Citizen reception of ${was} postponed` }
        : { vi: `Đổi giờ buổi tiếp công dân ${was}`, en: `Citizen reception of ${was}: new time` };
  return { message, subject, session: sessionOf(session) };
}

export interface InvitationFacts {
  unitName: string;
  reference: string;
  slotAt: string;
  attendance: Attendance;
  note?: string | undefined;
  ics: string;
}

/** What to bring (SPEC §2: the citizen shows an ID paper; documents support the matter). */
const BRING: Message = {
  vi: 'Căn cước (CCCD) hoặc giấy tờ tùy thân có ảnh; giấy tờ, tài liệu liên quan đến nội dung đã đăng ký; giấy ủy quyền hoặc giấy tờ của người đại diện, luật sư (nếu có).',
  en: 'Your citizen identity card (CCCD) or another photo ID; papers and documents about the matter you registered; the power of attorney or papers of a representative or lawyer, if any.',
};

export function invitationBody(session: OfficialSession, facts: InvitationFacts): NoticeBody {
  const slot = formatTimeDate(facts.slotAt);
  const range = formatTimeRange(session.startsAt, session.endsAt);
  const where: Message =
    facts.attendance.mode === 'remote'
      ? { vi: 'Trực tuyến, từ điện thoại hoặc máy tính của ông/bà (mở đường dẫn bên dưới)', en: 'Online, from your own phone or computer (open the link below)' }
      : { vi: `Điểm cầu ${facts.attendance.pointName ?? facts.attendance.connectionPoint} (${session.venue})`, en: `Connection point ${facts.attendance.pointName ?? facts.attendance.connectionPoint} (${session.venue})` };
  const note = facts.note ? { vi: `\nGhi chú: ${facts.note}`, en: `\nNote: ${facts.note}` } : { vi: '', en: '' };
  const message: Message = {
    vi: [
      'Kính gửi ông/bà,',
      `${facts.unitName} mời ông/bà tham dự buổi tiếp công dân trực tuyến.`,
      `Mã hồ sơ: ${facts.reference}`,
      `Thời gian: ${slot} (giờ Hà Nội), trong buổi tiếp ${range}`,
      `Địa điểm: ${where.vi}`,
      `Đường dẫn tham dự: ${LINK}`,
      `Xin mang theo: ${BRING.vi}`,
      `Tệp lịch (.ics) đính kèm để thêm vào lịch của ông/bà.${note.vi}`,
    ].join('\n'),
    en: [
      'Dear citizen,',
      `${facts.unitName} invites you to an online citizen reception session.`,
      `Reference: ${facts.reference}`,
      `Time: ${slot} (Hanoi time), in the session ${range}`,
      `Place: ${where.en}`,
      `Join link: ${LINK}`,
      `Please bring: ${BRING.en}`,
      `The attached calendar file (.ics) adds it to your calendar.${note.en}`,
    ].join('\n'),
  };
  const sms: Message = {
    vi: `${facts.unitName} mời ông/bà tiếp công dân lúc ${slot}, ${facts.attendance.mode === 'remote' ? 'trực tuyến' : `tại ${where.vi}`}. Mã hồ sơ ${facts.reference}. Tham dự: ${LINK} . Mang theo CCCD và giấy tờ liên quan.`,
    en: `${facts.unitName} invites you to a citizen reception at ${slot}, ${facts.attendance.mode === 'remote' ? 'online' : `at ${where.en}`}. Reference ${facts.reference}. Join: ${LINK} . Bring your ID card and papers.`,
  };
  return {
    message,
    subject: { vi: `Giấy mời tiếp công dân – ${slot}`, en: `Invitation to a citizen reception – ${slot}` },
    sms,
    session: sessionOf(session),
    invitation: { reference: facts.reference, slotAt: facts.slotAt, attendance: facts.attendance, note: facts.note, ics: facts.ics },
  };
}
