/**
 * The one error shape, from server to client and from validators to forms (STYLE.md):
 * `{ error: { code, message: { vi, en }, fields?: [{ path, code, message }] } }`.
 * `code` is for programs, `message` for people, `fields[].path` names the offending field ("identity.idNumber").
 */
import type { Message } from './i18n/message.js';
import type { ErrorBody, FieldError } from './error-shape.js';
import { TRANSPORT_ERROR_MESSAGES } from './api/transport-errors.js';

export type { FieldError, ErrorBody } from './error-shape.js';

/** Machine-readable codes for whole-request errors; their messages live in ERROR_MESSAGES. */
export const ERROR_CODES = [
  'validation_failed',
  'bad_json',
  'json_too_deep',
  'bad_request',
  'unsupported_media_type',
  'payload_too_large',
  'attachment_too_large',
  'too_many_attachments',
  'attachment_type_not_allowed',
  'attachment_mismatch',
  'idempotency_key_missing',
  'idempotency_key_invalid',
  'idempotency_conflict',
  'unauthenticated',
  'forbidden',
  'not_found',
  'invalid_transition',
  'session_full',
  'session_not_open',
  'already_booked',
  'rate_limited',
  'origin_not_allowed',
  'storage_unavailable',
  'network',
  'timeout',
  'internal',
  'recorder_required',
  'lease_lost',
  'segment_mismatch',
  'segment_conflict',
  'recording_closed',
  'not_streamable',
  'copy_limit',
  'sign_in_failed',
  'account_locked',
  'second_factor_required',
  'csrf_failed',
  'session_expired',
  'idp_unavailable',
  'username_taken',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ERROR_MESSAGES: Record<ErrorCode, Message> = {
  ...TRANSPORT_ERROR_MESSAGES,
  validation_failed: { vi: 'Thông tin chưa hợp lệ. Vui lòng kiểm tra các mục được đánh dấu.', en: 'Some information is not valid. Please check the marked fields.' },
  bad_json: { vi: 'Dữ liệu gửi lên không đúng định dạng JSON.', en: 'The request body is not valid JSON.' },
  json_too_deep: { vi: 'Dữ liệu gửi lên lồng nhau quá nhiều cấp.', en: 'The request body is nested too deeply.' },
  unsupported_media_type: { vi: 'Kiểu dữ liệu gửi lên không được hỗ trợ.', en: 'This content type is not supported.' },
  payload_too_large: { vi: 'Dữ liệu gửi lên quá lớn.', en: 'The request is too large.' },
  attachment_too_large: { vi: 'Tệp đính kèm vượt quá dung lượng cho phép.', en: 'An attachment is larger than allowed.' },
  too_many_attachments: { vi: 'Số tệp đính kèm vượt quá mức cho phép.', en: 'There are more attachments than allowed.' },
  attachment_type_not_allowed: { vi: 'Loại tệp không được chấp nhận. Chỉ nhận ảnh (JPEG, PNG, WebP) và PDF.', en: 'This file type is not accepted. Only images (JPEG, PNG, WebP) and PDF are.' },
  attachment_mismatch: { vi: 'Tệp đính kèm không khớp với danh sách đã khai.', en: 'The attached files do not match the attachments listed.' },
  idempotency_key_missing: { vi: 'Thiếu mã gửi (Idempotency-Key).', en: 'The Idempotency-Key header is missing.' },
  idempotency_key_invalid: { vi: 'Mã gửi (Idempotency-Key) phải là UUID.', en: 'The Idempotency-Key must be a UUID.' },
  idempotency_conflict: { vi: 'Mã gửi này đã được dùng cho một nội dung khác.', en: 'This Idempotency-Key was already used with different content.' },
  unauthenticated: { vi: 'Vui lòng đăng nhập.', en: 'Please sign in.' },
  forbidden: { vi: 'Bạn không có quyền thực hiện thao tác này.', en: 'You are not allowed to do this.' },
  not_found: { vi: 'Không tìm thấy.', en: 'Not found.' },
  invalid_transition: { vi: 'Không thể chuyển sang trạng thái này.', en: 'This state change is not allowed.' },
  session_full: { vi: 'Buổi tiếp công dân này đã đủ chỗ. Vui lòng chọn buổi khác.', en: 'This reception session is full. Please choose another session.' },
  session_not_open: { vi: 'Buổi tiếp công dân này hiện không nhận đăng ký.', en: 'This reception session is not open for registration.' },
  already_booked: { vi: 'Hồ sơ đã có chỗ trong một buổi tiếp. Hãy đổi buổi thay vì đăng ký thêm.', en: 'This registration already has a place in a session. Move it instead of booking another.' },
  rate_limited: { vi: 'Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút.', en: 'Too many requests. Please try again in a few minutes.' },
  origin_not_allowed: { vi: 'Trang web này chưa được phép nhúng dịch vụ.', en: 'This website is not allowed to embed the service.' },
  storage_unavailable: { vi: 'Trình duyệt không cho lưu bản nháp trên máy này.', en: 'This browser does not allow saving drafts on this device.' },
  recorder_required: { vi: 'Buổi tiếp bắt buộc ghi hình nhưng chưa có máy ghi hoạt động.', en: 'This session must be recorded and no recorder is active.' },
  lease_lost: { vi: 'Máy ghi này không còn giữ quyền ghi; một máy ghi khác đã thay thế.', en: 'This recorder no longer holds the lease; another recorder took over.' },
  segment_mismatch: { vi: 'Đoạn ghi không khớp với độ dài hoặc mã băm đã khai.', en: 'The segment does not match its declared length or SHA-256.' },
  segment_conflict: { vi: 'Đoạn ghi với số thứ tự này đã được lưu với nội dung khác.', en: 'A segment with this sequence number was already stored with different content.' },
  recording_closed: { vi: 'Bản ghi đã kết thúc, không nhận thêm dữ liệu.', en: 'This recording has ended and takes no more data.' },
  copy_limit: { vi: 'Vụ việc này đã được cấp đủ số bản sao cho phép. Vui lòng liên hệ bộ phận tiếp công dân.', en: 'This case has had as many copies as allowed. Please contact the reception office.' },
  not_streamable: { vi: 'Bản ghi buổi tiếp có nội dung tố cáo không được phát trực tuyến.', en: 'Recordings with denunciations are never streamed.' },
  sign_in_failed: { vi: 'Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng.', en: 'The user name, password or code is not correct.' },
  account_locked: { vi: 'Tài khoản tạm bị khóa do nhập sai nhiều lần. Vui lòng thử lại sau hoặc liên hệ quản trị viên.', en: 'The account is locked for a while after too many failed attempts. Try again later or ask your administrator.' },
  second_factor_required: { vi: 'Cần nhập mã xác thực 6 chữ số từ ứng dụng xác thực.', en: 'Enter the 6-digit code from your authenticator app.' },
  csrf_failed: { vi: 'Yêu cầu không kèm mã chống giả mạo hợp lệ. Vui lòng tải lại trang.', en: 'The request has no valid anti-forgery token. Please reload the page.' },
  session_expired: { vi: 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.', en: 'Your session has expired. Please sign in again.' },
  idp_unavailable: {
    vi: 'Hệ thống đăng nhập một lần (SSO) của tỉnh đang không phản hồi. Vui lòng thử lại sau ít phút hoặc dùng tài khoản nội bộ nếu được cấp.',
    en: 'The province’s single sign-on is not answering. Try again in a few minutes, or use a local account if you have one.',
  },
  username_taken: { vi: 'Tên đăng nhập này đã có người dùng.', en: 'This user name is already taken.' },
};

/** Builds the error body for a code, with optional field errors. */
export function errorBody(code: ErrorCode, fields?: FieldError[], extra?: Partial<ErrorBody['error']>): ErrorBody {
  return { error: { code, message: ERROR_MESSAGES[code], ...(fields?.length ? { fields } : {}), ...extra } };
}

/** True when a parsed JSON value has the project's error shape. */
export function isErrorBody(value: unknown): value is ErrorBody {
  const error = (value as ErrorBody | null)?.error;
  return typeof error?.code === 'string' && typeof error.message?.vi === 'string';
}
