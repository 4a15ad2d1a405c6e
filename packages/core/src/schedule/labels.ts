/** What citizens and officials read for a session's state and kind. Apart from the zod schemas (see session.ts). */
import type { Message } from '../i18n/message.js';
import type { SessionKind, SessionState } from './session.js';

export const SESSION_STATE_LABELS: Record<SessionState, Message> = {
  planned: { vi: 'Dự kiến', en: 'Planned' },
  open: { vi: 'Đang nhận đăng ký', en: 'Open for registration' },
  closed: { vi: 'Đã đủ / hết hạn đăng ký', en: 'Registration closed' },
  in_progress: { vi: 'Đang diễn ra', en: 'In progress' },
  ended: { vi: 'Đã kết thúc', en: 'Ended' },
  cancelled: { vi: 'Đã hủy', en: 'Cancelled' },
  postponed: { vi: 'Hoãn', en: 'Postponed' },
};

export const SESSION_KIND_LABELS: Record<SessionKind, Message> = {
  periodic: { vi: 'Định kỳ', en: 'Periodic' },
  unscheduled: { vi: 'Đột xuất', en: 'Unscheduled' },
  regular: { vi: 'Thường xuyên', en: 'Regular' },
};
