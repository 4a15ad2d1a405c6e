/**
 * @tiepdan/core/browser: the browser runtime that speaks the contract of `@tiepdan/core` (index.ts): drafts and
 * the outbox in IndexedDB, the API clients, sign-in's token keeper, the signaling client, the media transports
 * (mesh here; Jitsi on its own entry, `@tiepdan/core/media/jitsi`, loaded on demand) and the session recorder.
 * Only the elements (and tests that drive a real server as a browser would) import it; the server never does.
 */
export * from './auth/session-client.js';
export * from './api/client.js';
export * from './api/call.js';
export * from './api/meta.js';
export * from './local/database.js';
export * from './local/drafts.js';
export * from './local/outbox.js';
export * from './local/submission.js';
export * from './signaling/client.js';
export * from './media/index.js';
export * from './recording/chunk-store.js';
export * from './recording/ingest-client.js';
export * from './recording/media-source.js';
export * from './recording/compositor.js';
export * from './recording/recorder.js';
export * from './recording/room-source.js';
