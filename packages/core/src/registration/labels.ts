/** Bilingual labels for the registration's choices, shared by the form, the lookup and officials' lists. */
import type { Message } from '../i18n/message.js';
import type { IdType, Sex } from './identity.js';
import type { AttachmentPurpose, AttendanceMode, HelperRole, MatterKind } from './choices.js';

export const MATTER_KIND_LABELS: Record<MatterKind, Message & { hint: Message }> = {
  khieu_nai: {
    vi: 'Khiếu nại', en: 'Complaint',
    hint: { vi: 'Đề nghị xem xét lại quyết định, hành vi hành chính xâm phạm quyền, lợi ích của chính mình.', en: 'Ask for review of an administrative decision or act that harms your own rights.' },
  },
  to_cao: {
    vi: 'Tố cáo', en: 'Denunciation',
    hint: { vi: 'Báo cho cơ quan biết hành vi vi phạm pháp luật của bất kỳ ai. Danh tính người tố cáo được giữ bí mật.', en: "Report anyone's violation of law. The denouncer's identity is kept confidential." },
  },
  kien_nghi: {
    vi: 'Kiến nghị', en: 'Petition',
    hint: { vi: 'Đề xuất, góp ý về chính sách, pháp luật, quản lý.', en: 'Proposals on policy, law or management.' },
  },
  phan_anh: {
    vi: 'Phản ánh', en: 'Feedback',
    hint: { vi: 'Cung cấp thông tin, trình bày ý kiến về vấn đề quản lý.', en: 'Information and views on a management matter.' },
  },
};

export const ID_TYPE_LABELS: Record<IdType, Message> = {
  cccd: { vi: 'Căn cước / CCCD (12 số)', en: 'Citizen ID card (CCCD, 12 digits)' },
  cmnd: { vi: 'Chứng minh nhân dân (cũ)', en: 'Legacy ID card (CMND)' },
  passport: { vi: 'Hộ chiếu', en: 'Passport' },
  other: { vi: 'Giấy tờ khác', en: 'Other ID paper' },
};

export const SEX_LABELS: Record<Sex, Message> = {
  male: { vi: 'Nam', en: 'Male' },
  female: { vi: 'Nữ', en: 'Female' },
};

export const HELPER_ROLE_LABELS: Record<HelperRole, Message> = {
  authorised: { vi: 'Người được ủy quyền', en: 'Authorised person' },
  lawyer: { vi: 'Luật sư', en: 'Lawyer' },
  legal_aid: { vi: 'Trợ giúp viên pháp lý', en: 'Legal-aid provider' },
  interpreter: { vi: 'Người phiên dịch', en: 'Interpreter' },
};

export const ATTENDANCE_LABELS: Record<AttendanceMode, Message> = {
  connection_point: { vi: 'Đến điểm cầu tại UBND xã/phường', en: 'At the ward or commune connection point' },
  remote: { vi: 'Tham dự trực tuyến tại nhà (nếu được cho phép)', en: 'Online from home (where allowed)' },
};

export const ATTACHMENT_PURPOSE_LABELS: Record<AttachmentPurpose, Message> = {
  evidence: { vi: 'Tài liệu, chứng cứ', en: 'Documents and evidence' },
  id_paper: { vi: 'Giấy tờ tùy thân', en: 'ID paper' },
  power_of_attorney: { vi: 'Giấy ủy quyền', en: 'Power of attorney' },
  representative_appointment: { vi: 'Văn bản cử người đại diện', en: 'Appointment of representatives' },
  other: { vi: 'Khác', en: 'Other' },
};
