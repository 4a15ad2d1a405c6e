/**
 * The one error shape as types only, with no messages: errors.ts (every server error's text), i18n/field-messages.ts
 * and api/transport-errors.ts all build it, and import it from here rather than from each other, so none of them
 * needs another to be loaded first (no import cycle).
 */
import type { Message } from './i18n/message.js';

export interface FieldError {
  /** Dotted path of the field, e.g. `identity.idNumber` or `attachments.0.type`. */
  path: string;
  /** A FieldCode (i18n/field-messages.ts), or a code a newer server sends. */
  code: string;
  message: Message;
}

export interface ErrorBody {
  error: {
    /** An ErrorCode (errors.ts), a transport code (api/transport-errors.ts), or a code a newer server sends. */
    code: string;
    message: Message;
    fields?: FieldError[];
    /** Seconds to wait before trying again (rate limits, busy server). */
    retryAfter?: number;
    requestId?: string;
  };
}
