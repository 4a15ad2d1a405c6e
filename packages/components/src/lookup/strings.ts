/** The lookup's words for the booking and the invitation (only the lookup shows them), Vietnamese first. */
import { byLang } from '../shared/lang.js';

const vi = {
  bookingTitle: 'Buổi tiếp',
  bookingHeld: 'Đã giữ chỗ: buổi tiếp {when}, tại {venue}.',
  bookingProvisional: 'Chỗ giữ tạm, được xác nhận khi hồ sơ được phân loại.',
  bookingCancelled: 'Chỗ trong buổi tiếp {when} đã hủy.',
  sessionPostponed: 'Buổi tiếp được hoãn{to}.',
  sessionCancelled: 'Buổi tiếp đã bị hủy.',
  invitationTitle: 'Lời mời tiếp công dân',
  invitationTime: 'Thời gian: {slot} (giờ Hà Nội)',
  invitationPlace: 'Địa điểm: {place}',
  invitationRemote: 'trực tuyến, từ điện thoại hoặc máy tính của ông/bà',
  invitationPoint: 'điểm cầu {name} ({venue})',
  invitationNote: 'Ghi chú: {note}',
  invitationJoin: 'Vào phòng tiếp công dân',
  invitationBring: 'Xin mang theo căn cước (CCCD) hoặc giấy tờ tùy thân và các giấy tờ liên quan.',
  addToCalendar: 'Thêm vào lịch (.ics)',
  casesTitle: 'Kết quả tiếp công dân',
};

export type LookupStrings = { [K in keyof typeof vi]: string };

const en: LookupStrings = {
  bookingTitle: 'Reception session',
  bookingHeld: 'Place held: the session of {when}, at {venue}.',
  bookingProvisional: 'The place is provisional until your registration is screened.',
  bookingCancelled: 'Your place in the session of {when} was cancelled.',
  sessionPostponed: 'The session is postponed{to}.',
  sessionCancelled: 'The session is cancelled.',
  invitationTitle: 'Invitation to the citizen reception',
  invitationTime: 'Time: {slot} (Hanoi time)',
  invitationPlace: 'Place: {place}',
  invitationRemote: 'online, from your own phone or computer',
  invitationPoint: 'connection point {name} ({venue})',
  invitationNote: 'Note: {note}',
  invitationJoin: 'Enter the reception room',
  invitationBring: 'Please bring your citizen identity card (CCCD) or another ID, and the papers about your matter.',
  addToCalendar: 'Add to calendar (.ics)',
  casesTitle: 'Result of your reception',
};

export const lookupStrings = byLang<LookupStrings>({ vi, en });
