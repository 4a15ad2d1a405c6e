/**
 * The life of a registration before the session (SPEC §2 step 3): received → screened → invited, or answered
 * another way at any point before the session (guided to the competent agency, not a matter for reception).
 * One table, read by the server to refuse impossible changes and by the elements to offer only possible ones.
 */
import type { Message } from '../i18n/message.js';

export const REGISTRATION_STATES = ['received', 'screened', 'invited', 'answered'] as const;
export type RegistrationState = (typeof REGISTRATION_STATES)[number];

export const TRANSITIONS: Readonly<Record<RegistrationState, readonly RegistrationState[]>> = {
  received: ['screened', 'answered'],
  screened: ['invited', 'answered'],
  invited: ['screened', 'answered'],
  answered: [],
};

export function canTransition(from: RegistrationState, to: RegistrationState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** How a registration was answered without a session. */
export const ANSWER_OUTCOMES = ['guided', 'not_for_reception', 'other'] as const;
export type AnswerOutcome = (typeof ANSWER_OUTCOMES)[number];

export const STATE_LABELS: Record<RegistrationState, Message> = {
  received: { vi: 'Đã tiếp nhận', en: 'Received' },
  screened: { vi: 'Đã phân loại', en: 'Screened' },
  invited: { vi: 'Đã mời tiếp', en: 'Invited to a session' },
  answered: { vi: 'Đã trả lời', en: 'Answered' },
};

/** What the citizen is told happens next, per state. */
export const STATE_NEXT: Record<RegistrationState, Message> = {
  received: {
    vi: 'Ban Tiếp công dân sẽ xem xét, phân loại và báo cho ông/bà trong thời gian sớm nhất.',
    en: 'The Citizen Reception Board will review and classify your registration and contact you soon.',
  },
  screened: {
    vi: 'Hồ sơ đã được phân loại. Ông/bà sẽ nhận được lời mời hoặc hướng dẫn.',
    en: 'Your registration has been classified. You will receive an invitation or guidance.',
  },
  invited: {
    vi: 'Ông/bà đã được mời tham dự buổi tiếp công dân. Vui lòng xem thời gian và đường dẫn tham dự.',
    en: 'You have been invited to a reception session. Please check the time and the link to join.',
  },
  answered: {
    vi: 'Cơ quan đã trả lời hoặc hướng dẫn ông/bà đến cơ quan có thẩm quyền.',
    en: 'The authority has answered or guided you to the competent agency.',
  },
};
