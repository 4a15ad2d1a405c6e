/** Media transports behind one interface (the Jitsi adapter is imported on its own, lazily: media/jitsi.js). */
export * from './transport.js';
export * from './policy.js';
export * from './mesh.js';
