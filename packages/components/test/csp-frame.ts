// A ward page with a strict Content-Security-Policy, in an iframe: no 'unsafe-inline' scripts or styles, no
// 'unsafe-eval', connections only to the page itself and the tiepdan server (http and its WebSocket origin,
// which an http source does not cover). The violation listener is in place before anything else runs
// (csp-probe.ts is the frame's first script), so a violation during loading is counted too.

/** The policy a ward site is told to set (docs/room.md "Content-Security-Policy on the embedding page"). */
export function strictPolicy(server: string): string {
  const http = new URL(server).origin;
  const ws = http.replace(/^http/u, 'ws');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ${http} ${ws}`,
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "worker-src 'self'",
  ].join('; ');
}

export interface CspFrame {
  frame: HTMLIFrameElement;
  win: Window & { cspViolations: string[] };
  element<T extends HTMLElement>(selector: string): T;
  remove(): void;
}

/** Mounts `body` in a strict-CSP frame that loads the SDK entry (tiepdan.ts) and waits for the frame's load. */
export async function cspFrame(body: string, policy: string, size = { width: 420, height: 700 }): Promise<CspFrame> {
  const probe = new URL('./csp-probe.ts', import.meta.url).pathname;
  const entry = new URL('../src/tiepdan.ts', import.meta.url).pathname;
  const frame = document.createElement('iframe');
  frame.style.width = `${size.width}px`;
  frame.style.height = `${size.height}px`;
  frame.setAttribute('allow', 'camera; microphone; autoplay');
  frame.srcdoc = `<!doctype html><html lang="vi"><head><meta charset="utf-8">
    <meta http-equiv="Content-Security-Policy" content="${policy}">
    <script type="module" src="${probe}"></script>
    <script type="module" src="${entry}"></script></head>
    <body>${body}</body></html>`;
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  document.body.append(frame);
  await loaded;
  const win = frame.contentWindow as CspFrame['win'];
  if (!Array.isArray(win.cspViolations)) throw new Error('the CSP probe did not run first in the frame');
  return { frame, win, element: <T extends HTMLElement>(selector: string) => win.document.querySelector<T>(selector)!, remove: () => frame.remove() };
}
