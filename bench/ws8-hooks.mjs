// Module hook for the PeerJS baseline: `peer` imports `WebSocketServer` from 'ws', a named export of ws 8, but
// the workspace root hoists ws 7 (another tool's dependency). Point peer's 'ws' at the ws 8 the server uses.
const WS8 = new URL('../packages/server/node_modules/ws/wrapper.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'ws' && context.parentURL?.includes('/node_modules/peer/')) return { url: WS8, shortCircuit: true, format: 'module' };
  return next(specifier, context);
}
