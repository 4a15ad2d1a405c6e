/**
 * The lazily loaded part of the registration form (see later.ts): one chunk, one round trip. The send queue and
 * the API client are here too (issue 15): nothing is sent before the citizen's first Continue, and a submission
 * left in the queue by an earlier visit waits the few hundred milliseconds this chunk takes (registration.component.ts,
 * #openOutbox).
 */
export { STEPS } from './steps/index.js';
export { parseRegistration, registrationErrors } from '@tiepdan/core/registration/validate';
export { prepareCapture } from './images.js';
export { ApiClient, createRegistrationOutbox } from '@tiepdan/core/browser';
