/**
 * The room page as the end-to-end tests drive it: open the ward site's room.html with a token (and a connection
 * point) in the fragment, pass pre-join, and read what each remote tile really plays: its picture's size, clock,
 * whether it is paused, its average colour, and per participant the bytes and sound energy received.
 */
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';

export async function until<T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (ok(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

/** A connection point in the room link's fragment. */
export const point = (id: string, name: string, unit = 'dongthap.sadec') => `point=${id}&pointName=${encodeURIComponent(name)}&unit=${unit}`;

/** Opens the room page in a new context of `browser`; page errors go to the test output with `label`. */
export async function openRoom(browser: Browser, siteUrl: string, session: string, token: string, label: string, extra = '', viewport = { width: 1000, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  // Clicks and navigation wait up to 60 s, not Playwright's 30: four Chromium pages on a loaded 2-core machine
  // (load 68 once) can take longer to lay out a button; a test's own conditions carry their own bounds.
  context.setDefaultTimeout(60_000);
  await context.grantPermissions(['camera', 'microphone']);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${label}] ${String(error)}`));
  page.on('console', (m) => m.type() === 'error' && !m.text().includes('404') && console.error(`[${label}] ${m.text()}`));
  await page.goto(`${siteUrl}/room.html#session=${session}&token=${token}${extra ? `&${extra}` : ''}`);
  await page.evaluate(() => {
    const w = window as unknown as { roomEvents: { type: string; detail: unknown; at: number }[] };
    w.roomEvents = [];
    for (const type of ['tiepdan-joined', 'tiepdan-admitted', 'tiepdan-left', 'tiepdan-reconnecting', 'tiepdan-error', 'tiepdan-recording-state']) {
      document.addEventListener(type, (e) => w.roomEvents.push({ type, detail: (e as CustomEvent).detail, at: performance.now() }));
    }
  });
  return page;
}

export const view = (page: Page) => page.evaluate(() => (document.querySelector('tiepdan-room') as unknown as { view: string }).view);
export const roomEvents = (page: Page) => page.evaluate(() => (window as unknown as { roomEvents: { type: string; detail: any; at: number }[] }).roomEvents);

export async function acknowledgeAndJoin(page: Page): Promise<void> {
  await page.locator('tiepdan-room #notice-ack').check();
  await page.locator('tiepdan-room #join').click();
}

export interface RemoteTile {
  id: string;
  name: string;
  width: number;
  time: number;
  paused: boolean;
  rgb: [number, number, number];
  audioPaused: boolean | null;
  audioTime: number;
}

/** Every remote tile of this page as it plays now, and the transport's figures per participant. */
export function remoteTiles(page: Page): Promise<{ tiles: RemoteTile[]; stats: Record<string, { bytes: number; audioEnergy: number }> }> {
  return page.evaluate(async () => {
    const el = document.querySelector('tiepdan-room') as unknown as HTMLElement & {
      mediaStats(): Promise<{ participantId: string; bytesReceived: number; audioEnergy?: number }[]>;
      participantId: string;
    };
    const canvas = document.createElement('canvas');
    canvas.width = 8;
    canvas.height = 8;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const tiles = [...el.shadowRoot!.querySelectorAll<HTMLElement>('li.tile')].filter((t) => t.dataset.participant !== el.participantId);
    const out = tiles.map((t) => {
      const v = t.querySelector('video')!;
      const a = t.querySelector('audio');
      let rgb: [number, number, number] = [0, 0, 0];
      if (v.videoWidth > 0) {
        ctx.drawImage(v, 0, 0, 8, 8);
        const d = ctx.getImageData(0, 0, 8, 8).data;
        const sum = [0, 0, 0];
        for (let i = 0; i < d.length; i += 4) for (let c = 0; c < 3; c += 1) sum[c]! += d[i + c]!;
        rgb = sum.map((s) => Math.round(s / 64)) as [number, number, number];
      }
      return { id: t.dataset.participant!, name: t.querySelector('.label strong')?.textContent ?? '', width: v.videoWidth, time: v.currentTime, paused: v.paused, rgb, audioPaused: a ? a.paused : null, audioTime: a?.currentTime ?? 0 };
    });
    const stats = await el.mediaStats();
    return { tiles: out, stats: Object.fromEntries(stats.map((s) => [s.participantId, { bytes: s.bytesReceived, audioEnergy: s.audioEnergy ?? 0 }])) };
  });
}

/** The peer connections' states of every page, for a failure message that says why media is missing. */
export async function diagnostics(pages: Page[]): Promise<string> {
  const all = await Promise.all(pages.map((p) => p.evaluate(() => {
    const el = document.querySelector('tiepdan-room') as unknown as { mediaDiagnostics(): unknown; participantId: string };
    // A signaling socket that dropped and came back restarts ICE with everyone: say so.
    const events = (window as unknown as { roomEvents?: { type: string; at: number }[] }).roomEvents ?? [];
    return { self: el.participantId, reconnecting: events.filter((e) => e.type === 'tiepdan-reconnecting').map((e) => Math.round(e.at)), peers: el.mediaDiagnostics() };
  }).catch((error: unknown) => String(error))));
  return JSON.stringify(all);
}

/**
 * This page sees and hears each of `expected` (tile name → colour check): every remote picture has a size, is
 * not paused, shows the right participant's colour and its clock advances; every remote sound element plays
 * and the sound energy received from each participant grows.
 */
export async function assertSeesAndHears(page: Page, who: string, expected: { name: string; colour: (rgb: [number, number, number]) => boolean }[], pages: Page[]): Promise<void> {
  const ready = (t: RemoteTile | undefined, e: (typeof expected)[number]) => Boolean(t && t.width > 0 && t.time > 0 && !t.paused && e.colour(t.rgb) && t.audioPaused === false);
  const find = (tiles: RemoteTile[], name: string) => tiles.find((t) => t.name === name);
  const first = await until(`${who} sees and hears ${expected.map((e) => e.name).join(', ')}`, () => remoteTiles(page), (r) => r.tiles.length === expected.length && expected.every((e) => ready(find(r.tiles, e.name), e)), 45_000).catch(async (error: Error) => {
    throw new Error(`${error.message}; peer connections: ${await diagnostics(pages)}`);
  });
  await until(`${who}: every picture and sound advances`, () => remoteTiles(page), (r) => expected.every((e) => {
    const before = find(first.tiles, e.name)!;
    const now = find(r.tiles, e.name);
    return Boolean(now && now.time > before.time + 0.5 && now.audioTime > before.audioTime + 0.5 && (r.stats[now.id]?.audioEnergy ?? 0) > (first.stats[before.id]?.audioEnergy ?? 0) && (r.stats[now.id]?.bytes ?? 0) > (first.stats[before.id]?.bytes ?? 0));
  }), 20_000);
  for (const e of expected) assert.ok(find(first.tiles, e.name), `${who} has a tile for ${e.name}`);
}

/** From now on, notes when each remote tile first shows a playing picture (performance.now(), the page's clock). */
export function watchFirstFrames(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as { firstFrames: Record<string, number> };
    w.firstFrames = {};
    const el = document.querySelector('tiepdan-room') as unknown as HTMLElement & { participantId: string };
    const timer = setInterval(() => {
      for (const t of el.shadowRoot?.querySelectorAll<HTMLElement>('li.tile') ?? []) {
        const id = t.dataset.participant!;
        const v = t.querySelector('video');
        if (id !== el.participantId && v && v.videoWidth > 0 && v.currentTime > 0 && !v.paused) w.firstFrames[id] ??= performance.now();
      }
      if (Object.keys(w.firstFrames).length >= 8) clearInterval(timer);
    }, 20);
  });
}

/** Milliseconds from the page's `tiepdan-admitted` to its first and its last remote picture. */
export async function admittedToFrames(page: Page): Promise<{ first: number; last: number; count: number }> {
  return page.evaluate(() => {
    const w = window as unknown as { firstFrames: Record<string, number>; roomEvents: { type: string; at: number }[] };
    const admitted = w.roomEvents.find((e) => e.type === 'tiepdan-admitted')!.at;
    const times = Object.values(w.firstFrames).map((t) => t - admitted);
    return { first: Math.round(Math.min(...times)), last: Math.round(Math.max(...times)), count: times.length };
  });
}

/** An official in the room over the signalling WebSocket, without a page: `hello` with `token`, then requests. */
export async function officialInRoom(apiUrl: string, session: string, token: string): Promise<{ request(type: string): Promise<any>; close(): void }> {
  const ws = new WebSocket(`${apiUrl.replace(/^http/u, 'ws')}/ws`);
  await new Promise((ok, fail) => (ws.once('open', ok), ws.once('error', fail)));
  let next = 1;
  const waiting = new Map<string, (frame: any) => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    if (frame.id && waiting.has(frame.id)) waiting.get(frame.id)!(frame);
  });
  const request = (type: string, params: Record<string, unknown> = {}) =>
    new Promise<any>((ok) => {
      const id = `r${next++}`;
      waiting.set(id, ok);
      ws.send(JSON.stringify({ v: 1, id, type, ...params }));
    });
  const hello = await request('hello', { sessionId: session, auth: { kind: 'official', token } });
  assert.equal(hello.type, 'result', JSON.stringify(hello.error));
  return { request: (type) => request(type), close: () => ws.close() };
}
