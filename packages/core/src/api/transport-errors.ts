/**
 * The errors a client makes up itself, when the server's own answer is missing or unreadable (network loss,
 * time-out, a proxy's HTML page). Kept apart from the full table in errors.ts so a browser bundle carries four
 * messages instead of every server error; errors.ts includes these, so each is written once.
 */
import type { ErrorBody } from '../error-shape.js';
import type { Message } from '../i18n/message.js';

export const TRANSPORT_ERROR_MESSAGES = {
  bad_request: { vi: 'Yêu cầu không hợp lệ.', en: 'The request is not valid.' },
  network: { vi: 'Không kết nối được máy chủ. Hồ sơ sẽ được gửi khi có mạng.', en: 'Cannot reach the server. The form will be sent when the network is back.' },
  timeout: { vi: 'Máy chủ phản hồi quá lâu.', en: 'The server took too long to answer.' },
  internal: { vi: 'Đã có lỗi ở máy chủ. Vui lòng thử lại sau.', en: 'Something went wrong on the server. Please try again later.' },
} satisfies Record<string, Message>;

export type TransportErrorCode = keyof typeof TRANSPORT_ERROR_MESSAGES;

export function transportError(code: TransportErrorCode): ErrorBody {
  return { error: { code, message: TRANSPORT_ERROR_MESSAGES[code] } };
}
