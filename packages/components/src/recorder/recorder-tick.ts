/**
 * The recorder's clock, as a dedicated module Worker: a background tab throttles the page's timers but not a
 * worker's, so compositing and heartbeats keep their pace while officials use other tabs. A separate file (not
 * a Blob URL) so a strict Content-Security-Policy (`worker-src 'self'`) allows it. Messages: `{start: ms}`
 * starts ticking (one message per tick), `{stop: true}` stops.
 */
let timer: ReturnType<typeof setInterval> | undefined;
const scope = self as unknown as { onmessage: ((event: MessageEvent<{ start?: number; stop?: boolean }>) => void) | null; postMessage(message: unknown): void };
scope.onmessage = (event) => {
  clearInterval(timer);
  timer = undefined;
  const ms = event.data?.start;
  if (typeof ms === 'number' && ms > 0) timer = setInterval(() => scope.postMessage(0), ms);
};
export {};
