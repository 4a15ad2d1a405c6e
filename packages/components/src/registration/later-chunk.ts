/** The lazily loaded part of the registration form (see later.ts): one chunk, one round trip. */
export { STEPS } from './steps/index.js';
export { parseRegistration, registrationErrors } from '@tiepdan/core/registration/validate';
export { prepareCapture } from './images.js';
