/**
 * Error codes that only the signaling protocol uses, with their bilingual messages; frames carry them in the
 * project's one error shape (`{ error: { code, message: { vi, en } } }`), next to the shared codes of errors.ts.
 */
import { errorBody, type ErrorBody, type ErrorCode } from '../errors.js';
import type { Message } from '../i18n/message.js';

export const SIGNALING_ERROR_MESSAGES = {
  unknown_type: { vi: 'Loại thông điệp không được hỗ trợ.', en: 'This message type is not supported.' },
  unsupported_version: { vi: 'Phiên bản giao thức không được hỗ trợ. Vui lòng tải lại trang.', en: 'This protocol version is not supported. Please reload the page.' },
  already_authenticated: { vi: 'Kết nối này đã được xác thực.', en: 'This connection is already authenticated.' },
  recording_not_active: {
    vi: 'Chưa thể mời công dân vào: phiên này phải được ghi hình mà chưa có máy ghi nào đang ghi. Hãy mở máy ghi hình của điểm cầu và chờ "Đang ghi hình".',
    en: 'The citizen cannot be admitted yet: this session must be recorded and no recorder is recording. Open the connection point\'s recorder and wait for "Recording".',
  },
  notice_required: {
    vi: 'Ông/bà cần đọc và xác nhận thông báo ghi hình trước khi vào phiên.',
    en: 'Please read and confirm the recording notice before joining.',
  },
  room_not_open: { vi: 'Phiên tiếp công dân chưa bắt đầu.', en: 'The reception session has not started yet.' },
  room_ended: { vi: 'Phiên tiếp công dân đã kết thúc.', en: 'The reception session has ended.' },
  denied: { vi: 'Cán bộ tiếp dân đã từ chối tiếp trong phiên này.', en: 'The reception officer declined to receive you in this session.' },
  not_in_lobby: { vi: 'Người này không ở phòng chờ.', en: 'This person is not in the lobby.' },
  not_admitted: { vi: 'Bạn chưa được mời vào phiên.', en: 'You have not been admitted yet.' },
  case_in_progress: { vi: 'Đang tiếp một vụ việc khác; hãy kết thúc vụ việc đó trước.', en: 'Another case is being received; finish it first.' },
  not_visible: { vi: 'Không thể gửi tới người này.', en: 'This participant cannot be reached.' },
  room_moved: {
    vi: 'Phiên vừa chuyển sang máy chủ khác nên yêu cầu này chưa được thực hiện. Vui lòng thử lại.',
    en: 'The session moved to another server and this request was not carried out. Please try again.',
  },
} as const satisfies Record<string, Message>;
export type SignalingErrorCode = keyof typeof SIGNALING_ERROR_MESSAGES;

/** The error body for a shared or a signaling code. */
export function signalingError(code: ErrorCode | SignalingErrorCode, extra?: Partial<ErrorBody['error']>): ErrorBody {
  if (code in SIGNALING_ERROR_MESSAGES) return { error: { code, message: SIGNALING_ERROR_MESSAGES[code as SignalingErrorCode], ...extra } };
  return errorBody(code as ErrorCode, undefined, extra);
}
