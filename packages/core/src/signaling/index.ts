/** The signaling protocol: schemas, limits, close codes, room permissions. Its client is in the browser entry (client.ts). */
export * from './limits.js';
export * from './permissions.js';
export * from './errors.js';
export * from './protocol.js';
