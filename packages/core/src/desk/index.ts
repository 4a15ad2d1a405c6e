export * from './case.js';
export * from './requests.js';
export * from './labels.js';
export * from './register.js';
export * from './deadlines.js';
