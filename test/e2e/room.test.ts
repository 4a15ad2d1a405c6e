/**
 * The video room end to end, on the native transport: three browser contexts (citizen, clerk, chair) in
 * Debian's headless Chromium with the fake camera and microphone, on the ward site's room page (strict CSP, the
 * token in the URL fragment) against the real demo server. Pre-join → lobby → admitted → everyone receives the
 * others' video (bytes grow in getStats, the video elements show frames) → the citizen's network is cut and
 * restored → back in the room without re-admission → leave.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
// @ts-expect-error: plain ESM helpers without types.
import { startDemo } from '../../examples/demo.mjs';
// @ts-expect-error: plain ESM helpers without types.
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import { mintJoinToken, mintToken, SqliteAuditLog } from '../../packages/server/dist/index.js';

const SECRET = 'e2e-room-auth-secret-0123456789-abcdefghij';
const SESSION = `e2e-room-${process.pid}`;
const POINT = 'point=sadec-ubnd&pointName=Tr%E1%BB%A5%20s%E1%BB%9F%20UBND%20ph%C6%B0%E1%BB%9Dng%20Sa%20%C4%90%C3%A9c&unit=dongthap.sadec';

let demo: { siteUrl: string; server: { store: { db: import('better-sqlite3').Database } }; close(): Promise<void> };
let browser: Browser;
let dataDir: string;
const contexts: BrowserContext[] = [];
const pages: Page[] = [];

async function open(token: string, extra = ''): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['camera', 'microphone']);
  contexts.push(context);
  const page = await context.newPage();
  pages.push(page);
  // Shown in the test's output when something breaks in the page (the favicon's 404 is not news).
  page.on('pageerror', (error) => console.error(`[page ${pages.indexOf(page)}] ${String(error)}`));
  page.on('console', (m) => m.type() === 'error' && !m.text().includes('404') && console.error(`[page ${pages.indexOf(page)}] ${m.text()}`));
  await page.goto(`${demo.siteUrl}/room.html#session=${SESSION}&token=${token}${extra ? `&${extra}` : ''}`);
  // Record the element's lifecycle events where the test can read them.
  await page.evaluate(() => {
    const w = window as unknown as { roomEvents: { type: string; detail: unknown }[] };
    w.roomEvents = [];
    for (const type of ['tiepdan-joined', 'tiepdan-admitted', 'tiepdan-left', 'tiepdan-reconnecting', 'tiepdan-error']) {
      document.addEventListener(type, (e) => w.roomEvents.push({ type, detail: (e as CustomEvent).detail }));
    }
  });
  return { context, page };
}

const view = (page: Page) => page.evaluate(() => (document.querySelector('tiepdan-room') as unknown as { view: string }).view);
const events = (page: Page) => page.evaluate(() => (window as unknown as { roomEvents: { type: string; detail: any }[] }).roomEvents);

async function until<T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (ok(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

async function prejoinAndJoin(page: Page): Promise<void> {
  const join = page.locator('tiepdan-room #join');
  await join.waitFor();
  // The notice must be acknowledged first: joining without it shows the error and stays on the pre-join view.
  await join.click();
  await page.locator('tiepdan-room #notice-error').waitFor();
  assert.equal(await view(page), 'prejoin');
  await page.locator('tiepdan-room #notice-ack').check();
  await join.click();
}

/** Each remote tile's video: dimensions, playback time, and the transport's bytes received per participant. */
async function remoteVideo(page: Page) {
  return page.evaluate(async () => {
    const el = document.querySelector('tiepdan-room') as unknown as HTMLElement & { mediaStats(): Promise<{ participantId: string; bytesReceived: number; framesDecoded?: number }[]>; participantId: string };
    const tiles = [...el.shadowRoot!.querySelectorAll<HTMLElement>('li.tile')].filter((t) => t.dataset.participant !== el.participantId);
    const videos = tiles.map((t) => {
      const v = t.querySelector('video')!;
      return { id: t.dataset.participant!, width: v.videoWidth, time: v.currentTime };
    });
    const stats = await el.mediaStats();
    return { videos, stats: Object.fromEntries(stats.map((s) => [s.participantId, s.bytesReceived])) };
  });
}

/** Every remote video plays (width > 0, currentTime advancing) and bytes received grow for each peer. */
async function assertReceives(page: Page, who: string, peers: number): Promise<void> {
  const first = await until(`${who} sees ${peers} remote videos`, () => remoteVideo(page), (r) => r.videos.length === peers && r.videos.every((v) => v.width > 0 && v.time > 0), 30_000).catch(async (error: Error) => {
    const diagnostics = await Promise.all(pages.map((p) => p.evaluate(() => {
      const el = document.querySelector('tiepdan-room') as unknown as { mediaDiagnostics(): unknown; participantId: string };
      return { self: el.participantId, peers: el.mediaDiagnostics() };
    })));
    throw new Error(`${error.message}; peer connections: ${JSON.stringify(diagnostics)}`);
  });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const second = await remoteVideo(page);
  for (const v of first.videos) {
    const later = second.videos.find((w) => w.id === v.id)!;
    assert.ok(later.time > v.time, `${who}: video of ${v.id} advances (${v.time} → ${later.time})`);
    assert.ok((second.stats[v.id] ?? 0) > (first.stats[v.id] ?? 0), `${who}: bytes from ${v.id} grow (${first.stats[v.id]} → ${second.stats[v.id]})`);
  }
}

describe('video room, native transport, three browsers', () => {
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-e2e-room-'));
    demo = await startDemo({ port: 0, sitePort: 0, dataDir, env: {}, logLevel: 'silent', warn: () => {}, values: { authSecret: SECRET } });
    browser = await chromium.launch({ executablePath: chromiumPath() as string, args: chromiumArgs() as string[] });
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await demo?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('pre-join → lobby → admitted → video both ways → network cut and back without re-admission → leave', async () => {
    const clerkToken = await mintToken(SECRET, { sub: 'e2e-clerk', role: 'clerk', unit: 'dongthap.sadec', name: 'Trần Thị Bình' });
    const chairToken = await mintToken(SECRET, { sub: 'e2e-chair', role: 'chair', unit: 'dongthap.sadec', name: 'Lê Văn Cường' });
    const citizenToken = await mintJoinToken(SECRET, { reference: 'TCD-E2E-0001', sessionId: SESSION, name: 'Nguyễn Văn An' });

    const clerk = await open(clerkToken, POINT);
    await prejoinAndJoin(clerk.page);
    await until('clerk in the room', () => view(clerk.page), (v) => v === 'room');
    await clerk.page.locator('tiepdan-room #open-room').click();
    await until('room open', () => clerk.page.locator('tiepdan-room #open-room').count(), (n) => n === 0);

    const chair = await open(chairToken, POINT);
    await prejoinAndJoin(chair.page);
    await until('chair in the room', () => view(chair.page), (v) => v === 'room');

    const citizen = await open(citizenToken);
    // Pre-join shows the name from the invitation, devices and a network result.
    await citizen.page.locator('tiepdan-room .who').getByText('Nguyễn Văn An').waitFor();
    await until('camera listed', () => citizen.page.locator('tiepdan-room #camera option').count(), (n) => n > 0);
    await citizen.page.locator('tiepdan-room .network').getByText(/ms tới máy chủ/u).waitFor();
    // Before joining, the citizen is told in plain words that the session is recorded as evidence (SPEC §7).
    const notice = await citizen.page.locator('tiepdan-room .notice-box').innerText();
    for (const words of ['được ghi hình, ghi âm', 'bằng chứng chính thức', 'Chỉ cán bộ có thẩm quyền', 'thời hạn lưu trữ']) assert.ok(notice.includes(words), `the notice says "${words}": ${notice}`);
    await prejoinAndJoin(citizen.page);
    await until('citizen in the lobby', () => view(citizen.page), (v) => v === 'lobby');
    // …and the server kept the acknowledgement, with the notice's version, in the room's audit chain.
    const acks = (await new SqliteAuditLog(demo.server.store.db).entries(SESSION)).filter((e) => e.action === 'notice.ack' && e.actor.includes('TCD-E2E-0001'));
    assert.equal(acks.length, 1, 'the citizen\'s acknowledgement is audited once');
    assert.equal((acks[0]!.detail as { version: string }).version, 'room-notice-2026-12-01');
    await citizen.page.locator('tiepdan-room').getByText('Vui lòng chờ, cán bộ tiếp dân sẽ mời ông/bà vào.').waitFor();
    await citizen.page.locator('tiepdan-room .position').getByText('vị trí thứ 1').waitFor();

    // The clerk sees the citizen in the queue and admits them.
    const admit = clerk.page.locator('tiepdan-room ol.queue li').filter({ hasText: 'Nguyễn Văn An' }).getByRole('button', { name: /Mời vào/u });
    await admit.click();
    await until('citizen admitted', () => view(citizen.page), (v) => v === 'room');
    assert.ok((await events(citizen.page)).some((e) => e.type === 'tiepdan-admitted'));

    await assertReceives(citizen.page, 'citizen', 2);
    await assertReceives(clerk.page, 'clerk', 2);
    await assertReceives(chair.page, 'chair', 2);
    // Tiles say who is who: role and connection point.
    await clerk.page.locator('tiepdan-room li.tile').filter({ hasText: 'Nguyễn Văn An' }).getByText('Công dân').waitFor();
    await until('the chair tile names role and point', () => clerk.page.locator('tiepdan-room li.tile').filter({ hasText: 'Lê Văn Cường' }).innerText(), (text) => /Chủ trì · Trụ sở UBND phường Sa Đéc/u.test(text));
    // Citizens are not given the points' health, so their tiles name the role only.
    await citizen.page.locator('tiepdan-room li.tile').filter({ hasText: 'Lê Văn Cường' }).getByText('Chủ trì').waitFor();

    // The chair shares a screen (or a document in a tab): the citizen sees it beside the chair's camera.
    await chair.page.locator('tiepdan-room #share').click();
    await until('the citizen sees the shared screen', () => citizen.page.evaluate(() => {
      const root = document.querySelector('tiepdan-room')!.shadowRoot!;
      const tile = [...root.querySelectorAll('li.tile')].find((t) => t.textContent!.includes('Lê Văn Cường'));
      const screen = tile?.querySelector<HTMLVideoElement>('video.screen');
      return { width: screen?.videoWidth ?? 0, sharing: tile?.textContent?.includes('đang chia sẻ màn hình') ?? false };
    }), (r) => r.width > 0 && r.sharing);
    await chair.page.locator('tiepdan-room #share').click();
    await until('the share ends for the citizen', () => citizen.page.locator('tiepdan-room video.screen').count(), (n) => n === 0);

    // The citizen's network goes away and comes back: the banner shows, the place is kept, no re-admission.
    await citizen.context.setOffline(true);
    await until('reconnecting banner', () => citizen.page.locator('tiepdan-room .banner').count(), (n) => n === 1);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await citizen.context.setOffline(false);
    await until('banner gone', () => citizen.page.locator('tiepdan-room .banner').count(), (n) => n === 0, 30_000);
    assert.equal(await view(citizen.page), 'room', 'still in the room');
    const reconnects = (await events(citizen.page)).filter((e) => e.type === 'tiepdan-reconnecting').map((e) => e.detail.state);
    assert.deepEqual(reconnects, ['reconnecting', 'resumed']);
    assert.equal(await clerk.page.locator('tiepdan-room ol.queue li').count(), 0, 'the citizen did not go back to the lobby');
    await assertReceives(citizen.page, 'citizen after reconnect', 2);
    await assertReceives(clerk.page, 'clerk after the citizen reconnected', 2);

    // Leave: the citizen's tile goes away for the officials.
    await citizen.page.locator('tiepdan-room #leave').click();
    await until('citizen left', () => view(citizen.page), (v) => v === 'left');
    await until('tiepdan-left (bye)', () => events(citizen.page), (list) => list.some((e) => e.type === 'tiepdan-left' && e.detail.reason === 'bye'), 5000);
    await until('clerk sees the citizen gone', () => clerk.page.locator('tiepdan-room li.tile').filter({ hasText: 'Nguyễn Văn An' }).count(), (n) => n === 0);
    assert.deepEqual((await events(citizen.page)).filter((e) => e.type === 'tiepdan-error').map((e) => e.detail), [], 'no errors on the citizen side');
  });
});
