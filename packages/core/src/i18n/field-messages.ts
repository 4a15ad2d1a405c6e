/**
 * Messages for field-level validation errors. Schemas attach these codes to their checks; `validate` turns a
 * code into `{ vi, en }`. Keeping the wording here means the server and the form say exactly the same thing.
 */
import type { FieldError } from '../error-shape.js';
import type { Message } from './message.js';

export const FIELD_MESSAGES = {
  required: { vi: 'Vui lòng nhập thông tin này.', en: 'Please fill this in.' },
  invalid: { vi: 'Giá trị không hợp lệ.', en: 'This value is not valid.' },
  invalid_type: { vi: 'Kiểu dữ liệu không đúng.', en: 'This value has the wrong type.' },
  unknown_field: { vi: 'Trường thông tin không được hỗ trợ.', en: 'This field is not supported.' },
  too_long: { vi: 'Nội dung quá dài.', en: 'This is too long.' },
  too_short: { vi: 'Nội dung quá ngắn.', en: 'This is too short.' },
  choose_one: { vi: 'Vui lòng chọn một mục.', en: 'Please choose one option.' },
  kind: { vi: 'Vui lòng chọn loại vụ việc.', en: 'Please choose the kind of matter.' },
  full_name: { vi: 'Vui lòng nhập họ và tên đầy đủ.', en: 'Please enter your full name.' },
  name_letters: { vi: 'Họ và tên phải có chữ cái.', en: 'A name must contain letters.' },
  hidden_characters: {
    vi: 'Mục này có ký tự ẩn hoặc ký tự điều khiển (thường do sao chép từ nơi khác). Vui lòng xóa và gõ lại.',
    en: 'This contains hidden or control characters (often from copying and pasting). Please delete it and type it again.',
  },
  cccd_format: { vi: 'Số CCCD phải gồm đúng 12 chữ số.', en: 'A citizen ID (CCCD) number has exactly 12 digits.' },
  cccd_province: { vi: 'Ba số đầu của CCCD không phải mã tỉnh hợp lệ.', en: 'The first three digits of the CCCD are not a valid province code.' },
  cccd_birth: { vi: 'Số CCCD không khớp với ngày sinh hoặc giới tính đã nhập.', en: 'The CCCD number does not match the date of birth or sex given.' },
  cmnd_format: { vi: 'Số CMND cũ gồm 9 hoặc 12 chữ số.', en: 'A legacy ID (CMND) number has 9 or 12 digits.' },
  passport_format: { vi: 'Số hộ chiếu gồm 1 chữ cái và 7 hoặc 8 chữ số.', en: 'A passport number is one letter followed by 7 or 8 digits.' },
  id_paper_name: { vi: 'Vui lòng ghi tên loại giấy tờ.', en: 'Please name the kind of ID paper.' },
  date: { vi: 'Ngày không hợp lệ (dd/mm/yyyy).', en: 'This is not a valid date (dd/mm/yyyy).' },
  date_future: { vi: 'Ngày sinh không thể ở tương lai.', en: 'The date of birth cannot be in the future.' },
  sex: { vi: 'Vui lòng chọn giới tính.', en: 'Please choose sex.' },
  phone: { vi: 'Số điện thoại gồm 10 số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 (hoặc +84).', en: 'A phone number has 10 digits starting 03, 05, 07, 08 or 09 (or +84).' },
  email: { vi: 'Địa chỉ thư điện tử không hợp lệ.', en: 'This e-mail address is not valid.' },
  contact: { vi: 'Vui lòng nhập số điện thoại hoặc thư điện tử để cơ quan liên hệ.', en: 'Please give a phone number or e-mail so the authority can contact you.' },
  province: { vi: 'Vui lòng chọn tỉnh, thành phố.', en: 'Please choose a province or city.' },
  commune: { vi: 'Vui lòng chọn xã, phường, đặc khu.', en: 'Please choose a commune, ward or special zone.' },
  address_detail: { vi: 'Vui lòng nhập số nhà, đường, ấp/khóm/tổ.', en: 'Please enter the street, hamlet or group.' },
  content: { vi: 'Vui lòng trình bày nội dung vụ việc.', en: 'Please describe the matter.' },
  violation: { vi: 'Đơn tố cáo phải nêu hành vi vi phạm pháp luật.', en: 'A denunciation must state the violation of law.' },
  accused: { vi: 'Đơn tố cáo phải nêu người bị tố cáo.', en: 'A denunciation must name the person accused.' },
  group_size: { vi: 'Số người cùng nội dung phải từ 1 đến 10.000.', en: 'The number of people must be between 1 and 10,000.' },
  representatives_count: { vi: 'Số người đại diện không đúng quy định cho nhóm này.', en: 'The number of representatives does not fit the rule for this group size.' },
  helper_document: { vi: 'Vui lòng nêu giấy tờ chứng minh tư cách (giấy ủy quyền, thẻ luật sư…).', en: 'Please name the document that proves this role (power of attorney, lawyer card…).' },
  privacy: { vi: 'Vui lòng xác nhận đã đọc thông báo xử lý dữ liệu cá nhân.', en: 'Please confirm you have read the personal data notice.' },
  attendance: { vi: 'Vui lòng chọn cách tham dự.', en: 'Please choose how you will attend.' },
  attachment_type: { vi: 'Chỉ nhận ảnh (JPEG, PNG, WebP) và PDF.', en: 'Only images (JPEG, PNG, WebP) and PDF are accepted.' },
  attachment_size: { vi: 'Tệp quá lớn.', en: 'The file is too large.' },
  attachments_count: { vi: 'Quá nhiều tệp đính kèm.', en: 'Too many attachments.' },
  reference: { vi: 'Mã hồ sơ không đúng định dạng (ví dụ TD-7K3Q-9PXM).', en: 'The reference code is not in the right form (e.g. TD-7K3Q-9PXM).' },
  reason: { vi: 'Vui lòng nêu lý do.', en: 'Please give a reason.' },
  time_order: { vi: 'Giờ kết thúc phải sau giờ bắt đầu.', en: 'The end time must be after the start time.' },
  time: { vi: 'Giờ không hợp lệ (HH:mm).', en: 'This is not a valid time (HH:mm).' },
  capacity_booked: { vi: 'Số chỗ không thể ít hơn số người đã đăng ký.', en: 'The capacity cannot be lower than the places already taken.' },
  connection_point: { vi: 'Điểm cầu không có trong danh sách của đơn vị.', en: 'This connection point is not configured for the unit.' },
  slot: { vi: 'Thời điểm mời phải nằm trong thời gian của buổi tiếp.', en: 'The invitation time must be within the session.' },
  slot_past: { vi: 'Thời điểm mời đã qua: hãy chọn một giờ sắp tới.', en: 'The invitation time has passed: choose a time still ahead.' },
  agency: { vi: 'Vui lòng nêu cơ quan có thẩm quyền.', en: 'Please name the competent agency.' },
  document_number: { vi: 'Vui lòng nêu số văn bản.', en: 'Please give the document number.' },
  receipt_items: { vi: 'Giấy biên nhận phải có ít nhất một tài liệu, bằng chứng.', en: 'A receipt must list at least one document or piece of evidence.' },
  pages: { vi: 'Số trang (số lượng) phải là số nguyên dương.', en: 'The number of pages or pieces must be a positive whole number.' },
  docx_lines: {
    vi: 'Sổ có quá nhiều dòng để xuất ra tệp Word (.docx). Xin chọn khoảng thời gian ngắn hơn, hoặc tải tệp Excel (.xlsx).',
    en: 'The register has too many lines for a Word file (.docx). Please choose a shorter period, or download the Excel file (.xlsx).',
  },
  content_version: { vi: 'Nội dung đã được sửa; vui lòng xác nhận lại bản mới nhất.', en: 'The content was edited; please confirm the latest version.' },
  refusal_ground: { vi: 'Vui lòng chọn căn cứ từ chối (Điều 9 Luật Tiếp công dân).', en: 'Please choose the ground for refusal (Art. 9 of the Law on Citizen Reception).' },
  settled_document: { vi: 'Vui lòng nêu văn bản đã giải quyết vụ việc (cơ quan, tên, số, ngày).', en: 'Please give the document that settled the matter (agency, title, number, date).' },
  split_kinds: { vi: 'Mỗi phần tách phải có loại vụ việc khác nhau, ít nhất hai loại.', en: 'A split needs at least two parts, each of a different kind.' },
} satisfies Record<string, Message>;

export type FieldCode = keyof typeof FIELD_MESSAGES;

/**
 * Builds one field error from a field code, looking up its bilingual message. It lives beside the table (not in
 * errors.ts) so that code which only handles whole-request errors does not carry every field message.
 */
export function fieldError(path: string, code: FieldCode): FieldError {
  return { path, code, message: FIELD_MESSAGES[code] };
}
