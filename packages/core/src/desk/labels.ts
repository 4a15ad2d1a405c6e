/** Bilingual labels of the desk's choices, shared by the desk panel, the register and the papers. */
import type { Message } from '../i18n/message.js';
import type { AnswerMode, CaseOutcome, CaseState, DocumentForm, RefusalGround } from './case.js';

export const CASE_STATE_LABELS: Record<CaseState, Message> = {
  open: { vi: 'Đang tiếp', en: 'Being received' },
  closed: { vi: 'Đã xử lý', en: 'Handled' },
  refused: { vi: 'Từ chối tiếp', en: 'Reception refused' },
};

export const CASE_OUTCOME_LABELS: Record<CaseOutcome, Message> = {
  accepted: { vi: 'Thụ lý giải quyết', en: 'Accepted for settlement' },
  returned: { vi: 'Trả lại và hướng dẫn', en: 'Returned and guided' },
  transferred: { vi: 'Chuyển đơn', en: 'Transferred' },
};

export const REFUSAL_GROUND_LABELS: Record<RefusalGround, Message> = {
  art9_cl1: {
    vi: 'Người trong tình trạng say do dùng chất kích thích, người mắc bệnh tâm thần hoặc bệnh khác làm mất khả năng nhận thức, điều khiển hành vi (khoản 1 Điều 9)',
    en: 'Intoxicated, or without the ability to understand or control their acts (Art. 9 cl.1)',
  },
  art9_cl2: {
    vi: 'Người có hành vi đe dọa, xúc phạm cơ quan, tổ chức, đơn vị, người tiếp công dân, người thi hành công vụ hoặc vi phạm nội quy nơi tiếp công dân (khoản 2 Điều 9)',
    en: 'Threatens or insults the officers or breaks the rules of the reception venue (Art. 9 cl.2)',
  },
  art9_cl3: {
    vi: 'Người khiếu nại, tố cáo về vụ việc đã giải quyết đúng chính sách, pháp luật, được cơ quan nhà nước có thẩm quyền kiểm tra, rà soát, thông báo bằng văn bản và đã được tiếp, giải thích, hướng dẫn nhưng vẫn cố tình khiếu nại, tố cáo kéo dài (khoản 3 Điều 9)',
    en: 'Keeps prolonging a matter already lawfully settled, reviewed, answered in writing, received and guided (Art. 9 cl.3)',
  },
};

export const DOCUMENT_FORM_LABELS: Record<DocumentForm, Message> = {
  original: { vi: 'Bản gốc', en: 'Original' },
  copy: { vi: 'Bản sao', en: 'Copy' },
};

export const ANSWER_MODE_LABELS: Record<AnswerMode, Message> = {
  at_once: { vi: 'Trả lời trực tiếp tại buổi tiếp', en: 'Answered at the session' },
  later: { vi: 'Hẹn trả lời', en: 'Answer to follow' },
};
