/**
 * The headless recorder (`tiepdan-server record --session ID`), as Jibri is for Jitsi: Debian's Chromium, driven
 * by playwright-core, runs the same `<tiepdan-recorder capture="room">` a connection point's laptop runs. It
 * waits for the session as a standby, takes part in the lease election like any recorder, joins the room as its
 * hidden receive-only participant and records everyone. Nobody has to open a page.
 *
 * The page is served to the browser by the browser itself (a route under the server's origin, fulfilled from the
 * components bundle on this machine), so it is same-origin with the API and needs no allowlist entry, and the
 * device credential is handed to the element in memory, never in a URL. The browser profile is kept in
 * `profileDir`: chunks not yet acknowledged when the process dies are in its IndexedDB, and the next run sends
 * them (the recorder's reload path).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

/** Where the page lives, under the server's origin (never reaches the server: the browser answers it). */
const PAGE_PREFIX = '/recorder/headless/';
const STATUS_EVERY_MS = 500;
/** How long SIGTERM waits for the last chunk and the backlog before leaving the election. */
const FINISH_MS = 10_000;

/** What the functions run in the page see (they are sent to the browser; this package has no DOM types). */
type InPage = { document: { querySelector(selector: string): any }; customElements: { get(name: string): unknown } };

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.html': 'text/html; charset=utf-8', '.map': 'application/json' };

export interface HeadlessRecorderOptions {
  /** The tiepdan server's base URL, e.g. https://tiepdan.dongthap.gov.vn. */
  server: string;
  sessionId: string;
  /** A recorder device credential (POST /api/v1/auth/devices) or any token allowed to record. */
  token: string;
  recorderId: string;
  /** The components bundle folder (dist/bundle: tiepdan.js, its chunks, recorder-tick.js). */
  sdkDir: string;
  chromium: string;
  profileDir: string;
  lang?: 'vi' | 'en';
  /** One line per change of what the recorder does. */
  report: (line: RecorderReport) => void;
}

export interface RecorderReport {
  at: string;
  recorderId: string;
  phase: string;
  role?: string | undefined;
  epoch?: number | undefined;
  capturing?: boolean | undefined;
  acked?: number | undefined;
  pending?: number | undefined;
  state?: string | undefined;
  /** What went wrong, as the page shows it (offline, lease_lost, media, storage, unauthorized, rejected). */
  alarm?: string | undefined;
  error?: string | undefined;
  tiles?: number | undefined;
  /** Tiles with a picture in the last frame drawn (a tile whose video has not arrived yet is empty). */
  pictured?: number | undefined;
  /** How the compositor is paced ('worker' when the tick worker runs) and whether the audio mix runs. */
  tick?: string | undefined;
  audio?: boolean | undefined;
  text: string;
}

export interface RunningRecorder {
  /** Resolves with the exit code: 0 once the session ended and everything was sent, 1 on failure. */
  done: Promise<number>;
  /** Sends the last chunk and the backlog (bounded), leaves the election so a standby takes over, closes. */
  stop(): Promise<void>;
}

/** Chromium as scripts/chromium.mjs finds it: the configured path, CHROMIUM_PATH, then Debian's. */
export function findChromium(configured?: string): string {
  const candidates = [configured, process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((x): x is string => Boolean(x));
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error('Chromium not found: install Debian\'s "chromium" package, set recording.chromium in the configuration or CHROMIUM_PATH.');
  return found;
}

function pageHtml(o: HeadlessRecorderOptions): string {
  const attr = (s: string) => s.replace(/&/gu, '&amp;').replace(/"/gu, '&quot;').replace(/</gu, '&lt;');
  return `<!doctype html>
<html lang="${o.lang ?? 'vi'}"><head><meta charset="utf-8"><title>Máy ghi hình không giao diện</title>
<script type="module" src="tiepdan.js"></script></head>
<body><tiepdan-recorder server="${attr(o.server)}" capture="room" worker-url="recorder-tick.js" recorder-id="${attr(o.recorderId)}"></tiepdan-recorder></body></html>`;
}

export async function startHeadlessRecorder(o: HeadlessRecorderOptions): Promise<RunningRecorder> {
  const { chromium } = await import('playwright-core');
  await mkdir(o.profileDir, { recursive: true });
  const origin = new URL(o.server).origin;
  const context = await chromium.launchPersistentContext(o.profileDir, {
    executablePath: o.chromium,
    headless: true,
    // Signals are ours: playwright would close the browser on SIGTERM before the recorder hands over.
    handleSIGTERM: false,
    handleSIGINT: false,
    handleSIGHUP: false,
    viewport: { width: 1280, height: 720 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // The audio mix runs without a click: nobody is there to click.
      '--autoplay-policy=no-user-gesture-required',
      // A hidden tab's timers and media would be throttled; this one is the recording.
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
      // The page is answered by the browser itself (see the route below), so Chromium cannot tell it comes from
      // the server's own address, and its local network access checks would block the socket to a server on a
      // private or loopback address (a province's LAN server, the tests).
      '--disable-features=LocalNetworkAccessChecks',
    ],
  });
  const root = normalize(o.sdkDir);
  await context.route(`${origin}${PAGE_PREFIX}**`, async (route) => {
    const path = new URL(route.request().url()).pathname.slice(PAGE_PREFIX.length);
    if (path === '' || path === 'index.html') return route.fulfill({ status: 200, contentType: CONTENT_TYPES['.html']!, body: pageHtml(o) });
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep)) return route.fulfill({ status: 404, body: '' });
    const body = await readFile(file).catch(() => undefined);
    return body ? route.fulfill({ status: 200, contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', body }) : route.fulfill({ status: 404, body: '' });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  let crashed = '';
  page.on('crash', () => (crashed = 'the recorder page crashed'));
  // What the page says went wrong is the operator's only view into it.
  page.on('pageerror', (error) => o.report({ at: new Date().toISOString(), recorderId: o.recorderId, phase: 'page-error', text: error.message }));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') o.report({ at: new Date().toISOString(), recorderId: o.recorderId, phase: `console-${message.type()}`, text: message.text() });
  });
  page.on('requestfailed', (request) => o.report({ at: new Date().toISOString(), recorderId: o.recorderId, phase: 'request-failed', text: `${request.method()} ${new URL(request.url()).pathname}: ${request.failure()?.errorText ?? ''}` }));
  await page.goto(`${origin}${PAGE_PREFIX}index.html`);
  await page.waitForFunction(() => (globalThis as unknown as InPage).customElements.get('tiepdan-recorder') !== undefined);
  // The credential goes to the element in memory: not in the URL, not on the command line of the browser.
  await page.evaluate(
    ({ session, token }) => {
      const el = (globalThis as unknown as InPage).document.querySelector('tiepdan-recorder') as { session: string; token: string };
      el.token = token;
      el.session = session;
    },
    { session: o.sessionId, token: o.token },
  );

  let stopping: Promise<void> | undefined;
  let last = '';
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finish = resolve));
  const read = () =>
    page.evaluate(() => {
      const el = (globalThis as unknown as InPage).document.querySelector('tiepdan-recorder') as {
        phase: string;
        status?: { role?: string; epoch?: number; acked?: number; pending?: number; recordingState?: string; capturing?: boolean; alarm?: string; error?: string };
        roomSource?: { tiles(): unknown[] };
        compositor?: { tickKind: string; audioRunning: boolean; pictured: number };
        shadowRoot: { querySelector(selector: string): { textContent: string | null } | null } | null;
      };
      const s = el.status;
      return { phase: el.phase, role: s?.role, epoch: s?.epoch, capturing: s?.capturing, acked: s?.acked, pending: s?.pending, state: s?.recordingState, alarm: s?.alarm, error: s?.error, tiles: el.roomSource?.tiles().length, pictured: el.compositor?.pictured, tick: el.compositor?.tickKind, audio: el.compositor?.audioRunning, text: (el.shadowRoot?.querySelector('#state')?.textContent ?? '').trim() };
    });
  const watch = async () => {
    while (!stopping) {
      if (crashed) return finish(1);
      const now = await read().catch(() => undefined);
      if (!now) {
        if (!stopping) finish(1);
        return;
      }
      const line = JSON.stringify(now);
      if (line !== last) {
        last = line;
        o.report({ at: new Date().toISOString(), recorderId: o.recorderId, ...now });
      }
      if (now.phase === 'failed') return finish(1);
      // The session ended: the recording is closed (after this recorder's last chunk, or the drain).
      if (now.role === 'stopped' && (now.state === 'finalizing' || now.state === 'finalized')) return finish(0);
      await new Promise((r) => setTimeout(r, STATUS_EVERY_MS));
    }
  };
  void watch();
  context.on('close', () => finish(stopping ? 0 : 1));

  const stop = () =>
    (stopping ??= (async () => {
      await page
        .evaluate(async (finishMs) => {
          const el = (globalThis as unknown as InPage).document.querySelector('tiepdan-recorder') as { finish(ms: number): Promise<void>; stop(o: { leave: boolean }): Promise<void> };
          await el.finish(finishMs);
          await el.stop({ leave: true });
        }, FINISH_MS)
        .catch(() => undefined);
      await context.close().catch(() => undefined);
      finish(0);
    })());
  void done.then(() => (stopping ? undefined : context.close().catch(() => undefined)));
  return { done, stop };
}
