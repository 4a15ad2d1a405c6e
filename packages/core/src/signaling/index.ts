/** The signaling protocol (schemas, limits, close codes, room permissions) and its client. */
export * from './limits.js';
export * from './permissions.js';
export * from './errors.js';
export * from './protocol.js';
export * from './client.js';
