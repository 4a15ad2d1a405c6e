/**
 * Everyone sees and hears everyone (issue 9 §5): four participants on the native mesh — the clerk and the chair
 * at the ward's connection point, an official at another point, and a citizen admitted from the lobby — each in
 * its own Chromium process with its own fake camera (a plain colour) and microphone (a beeping tone). For every
 * ordered pair, the tile plays (size, clock advancing, not paused), shows the other's colour (so it is the right
 * stream, not a frozen or swapped one), and the sound element plays while the sound energy received grows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
// @ts-expect-error: plain ESM helpers without types.
import { startDemo } from '../../examples/demo.mjs';
import { mintJoinToken, mintToken } from '../../packages/server/dist/index.js';
import { colourOf, launchWithMedia, makeFakeMedia, type FakeMedia } from './fake-media.js';
import { acknowledgeAndJoin, admittedToFrames, assertSeesAndHears, openRoom, point, roomEvents, until, view, watchFirstFrames } from './room-pages.js';

const SECRET = 'e2e-four-way-auth-secret-0123456789-abcdef';
const SESSION = `e2e-four-${process.pid}`;
const UNIT = 'dongthap.sadec';
const WARD = point('sadec-ubnd', 'UBND phường Sa Đéc');
/** The citizen is on a phone: some tiles are below the fold, where Chromium pauses muted autoplay videos. */
const PHONE = { width: 360, height: 740 };
// Another configured point of the unit (the demo's province office): rooms take points from the configuration.
const OTHER = point('dongthap-tinh', 'Trụ sở Tiếp công dân tỉnh Đồng Tháp');

let demo: { siteUrl: string; close(): Promise<void> };
let dataDir: string;
const browsers: Browser[] = [];

interface Person {
  name: string;
  media: FakeMedia;
  page?: Page;
}

describe('four participants on the native mesh', () => {
  const people: Record<'clerk' | 'chair' | 'official' | 'citizen', Person> = {} as never;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-e2e-four-'));
    demo = await startDemo({ port: 0, sitePort: 0, dataDir, env: {}, logLevel: 'silent', warn: () => {}, values: { authSecret: SECRET } });
    people.clerk = { name: 'Trần Thị Bình', media: makeFakeMedia(dataDir, 'clerk', [220, 30, 30], 500) };
    people.chair = { name: 'Lê Văn Cường', media: makeFakeMedia(dataDir, 'chair', [30, 200, 40], 900) };
    people.official = { name: 'Phạm Minh Đức', media: makeFakeMedia(dataDir, 'official', [40, 60, 220], 1700) };
    people.citizen = { name: 'Nguyễn Văn An', media: makeFakeMedia(dataDir, 'citizen', [230, 220, 40], 3100) };
  });
  after(async () => {
    for (const b of browsers) await b.close().catch(() => undefined);
    await demo?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('every pair gets live video and audio, and the right one', async (t) => {
    const token = (sub: string, role: 'chair' | 'clerk' | 'official', name: string) => mintToken(SECRET, { sub, role, unit: UNIT, name });
    const all = Object.values(people).map((p) => p.media);
    const open = async (who: keyof typeof people, tok: string, extra: string, viewport?: { width: number; height: number }) => {
      const browser = await launchWithMedia(people[who].media);
      browsers.push(browser);
      people[who].page = await openRoom(browser, demo.siteUrl, SESSION, tok, who, extra, viewport);
      await acknowledgeAndJoin(people[who].page!);
      return people[who].page!;
    };

    const clerk = await open('clerk', await token('e2e-clerk', 'clerk', people.clerk.name), WARD);
    await until('clerk in the room', () => view(clerk), (v) => v === 'room', 30_000);
    await clerk.locator('tiepdan-room #open-room').click();
    await until('room open', () => clerk.locator('tiepdan-room #open-room').count(), (n) => n === 0);
    const chair = await open('chair', await token('e2e-chair', 'chair', people.chair.name), WARD);
    const official = await open('official', await token('e2e-official', 'official', people.official.name), OTHER);
    const citizen = await open('citizen', await mintJoinToken(SECRET, { reference: 'TCD-E2E-4444', sessionId: SESSION, name: people.citizen.name }), '', PHONE);
    await until('officials in the room', async () => [await view(chair), await view(official)], (v) => v.every((x) => x === 'room'), 30_000);
    await until('citizen in the lobby', () => view(citizen), (v) => v === 'lobby', 30_000);

    await watchFirstFrames(citizen);
    await clerk.locator('tiepdan-room ol.queue li').filter({ hasText: people.citizen.name }).getByRole('button', { name: /Mời vào/u }).click();
    await until('citizen admitted', () => view(citizen), (v) => v === 'room');

    const pages = Object.values(people).map((p) => p.page!);
    for (const [who, person] of Object.entries(people)) {
      const others = Object.entries(people).filter(([w]) => w !== who);
      await assertSeesAndHears(person.page!, who, others.map(([, o]) => ({ name: o.name, colour: (rgb) => colourOf(rgb, all) === o.media.name })), pages);
    }
    const frames = await admittedToFrames(citizen);
    assert.equal(frames.count, 3);
    t.diagnostic(`citizen: admitted → first remote picture ${frames.first} ms, → all three ${frames.last} ms`);
    for (const page of pages) assert.deepEqual((await roomEvents(page)).filter((e) => e.type === 'tiepdan-error').map((e) => e.detail), [], 'no errors');
    t.diagnostic('every one of the 12 directions plays the right picture and sound');
  });
});
