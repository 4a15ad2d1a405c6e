export * from './calendar.js';
export * from './recurrence.js';
export * from './frequency.js';
export * from './session.js';
