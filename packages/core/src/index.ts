/**
 * @tiepdan/core: the shared contract — what the browser elements and the server must agree on: the error shape and
 * its messages, i18n, text and time rules, the registration schema and its validators, roles, the API's views, the
 * schedule, the desk, the signaling protocol and the recording protocol. No I/O and no DOM, so the server imports
 * only this entry (a test in packages/server/test fails otherwise), and a change here is a change to the contract.
 * The browser runtime that talks that contract (IndexedDB drafts and outbox, the API and signaling clients, media
 * transports, the session recorder) is the second entry, `@tiepdan/core/browser` (browser.ts).
 *
 * An entry of this package, not a package of its own: the runtime is built from these types in the same
 * `tsc -b` step and ships at the same version, so a second package would add a workspace, a tsconfig and a
 * version to keep in step without separating anything the `exports` map does not already separate.
 */
export * from './i18n/message.js';
export * from './i18n/field-messages.js';
export * from './errors.js';
export * from './error-schema.js';
export * from './validation/issues.js';
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
export * from './api/view-parts.js';
export * from './api/session-views.js';
export * from './api/series-views.js';
export * from './api/booking-views.js';
export * from './api/notice-views.js';
export * from './api/registration-views.js';
export * from './api/meta-views.js';
export * from './api/auth-views.js';
export * from './api/transport-errors.js';
export * from './schedule/index.js';
export * from './desk/index.js';
export * from './signaling/index.js';
export * from './recording/protocol.js';
export * from './recording/views.js';
