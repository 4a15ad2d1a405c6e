export * from './calendar.js';
export * from './recurrence.js';
export * from './frequency.js';
export * from './session.js';
// The labels live apart from the zod schemas so the public schedule does not download the validators; exported
// here, not through session.ts, because they take their types from it.
export * from './labels.js';
