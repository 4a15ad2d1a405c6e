/** The typed error a refused room action rejects with. */
import type { Message } from '@tiepdan/core';

export const ROOM_ERROR_MESSAGES = {
  forbidden: { vi: 'Vai trò của ông/bà không được thực hiện thao tác này.', en: 'Your role may not do this.' },
  not_joined: { vi: 'Ông/bà chưa vào phiên.', en: 'You have not joined the session.' },
} as const satisfies Record<string, Message>;

/** A refused room action: `forbidden` and `not_joined` are decided here, anything else is the server's code. */
export class RoomActionError extends Error {
  override readonly name = 'RoomActionError';
  constructor(
    readonly code: keyof typeof ROOM_ERROR_MESSAGES | string,
    readonly text: Message = ROOM_ERROR_MESSAGES[code as keyof typeof ROOM_ERROR_MESSAGES] ?? { vi: code, en: code },
  ) {
    super(text.en);
  }
}
