/**
 * @tiepdan/core: everything both the browser elements and the server need. Browser-safe: no Node-only code.
 */
export * from './i18n/message.js';
export * from './i18n/field-messages.js';
export * from './errors.js';
export * from './text/nfc.js';
export * from './text/json.js';
export * from './text/characters.js';
export * from './text/time.js';
export * from './registration/provinces.js';
export * from './registration/identity.js';
export * from './registration/phone.js';
export * from './registration/reference.js';
export * from './registration/limits.js';
export * from './registration/choices.js';
export * from './registration/schema.js';
export * from './registration/validate.js';
export * from './registration/states.js';
export * from './registration/labels.js';
export * from './auth/roles.js';
export type * from './api/types.js';
export type * from './api/schedule-types.js';
export * from './api/client.js';
export * from './local/database.js';
export * from './local/drafts.js';
export * from './local/outbox.js';
export * from './local/submission.js';
export * from './schedule/index.js';
export * from './desk/index.js';
export * from './signaling/index.js';
export * from './media/index.js';
export * from './api/transport-errors.js';
export * from './recording/protocol.js';
export * from './recording/chunk-store.js';
export * from './recording/ingest-client.js';
export * from './recording/media-source.js';
export * from './recording/compositor.js';
export * from './recording/recorder.js';
