export * from './case.js';
export * from './requests.js';
export * from './labels.js';
