// Browser tests of <tiepdan-recorder> against the real server started by the test runner (leases of 3 s,
// heartbeats every second): a short recording of two synthetic tiles (the fake camera and a canvas with a tone)
// acknowledged chunk by chunk with IndexedDB emptying as acknowledgements arrive; uploads cut and the server
// unreachable for a while (chunks kept in IndexedDB, sent afterwards, none missing); a reload that leaves
// chunks behind (the next page sends them, then records under a new epoch); and axe on the status.
import { hanoiClock, openChunkStore, RoomCompositor, StaticMediaSource, type RecorderStatus, type RoomMediaTile, type TickSource } from '@tiepdan/core/browser';
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { TiepdanRecorder } from './recorder.component.js';
import './recorder.js';
import '../room/room.js';
import type { TiepdanRoom } from '../room/room.component.js';

// Typed where the other element tests declare them (the runner's page sets both).
const server = window.TIEPDAN_TEST_SERVER!;
const tokens = window.TIEPDAN_TEST_TOKENS!;
const WORKER = new URL('./recorder-tick.ts', import.meta.url);
let sessionCounter = 0;
const cleanup: (() => void)[] = [];

afterEach(async () => {
  for (const fn of cleanup.splice(0)) fn();
  for (const el of document.querySelectorAll('tiepdan-recorder')) await (el as TiepdanRecorder).stop();
});

function newSession(): string {
  sessionCounter += 1;
  return `wtr-rec-${Date.now().toString(36)}-${sessionCounter}`;
}

async function api(method: string, path: string, token = tokens.chair): Promise<any> {
  const res = await fetch(`${server}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Two tiles: the fake camera and microphone, and a canvas with moving bars and a 440 Hz tone. */
async function twoTiles(): Promise<RoomMediaTile[]> {
  const camera = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: true });
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 240;
  const g = canvas.getContext('2d')!;
  let frame = 0;
  const timer = setInterval(() => {
    frame += 1;
    g.fillStyle = `hsl(${(frame * 7) % 360} 70% 50%)`;
    g.fillRect(0, 0, 320, 240);
  }, 66);
  const audio = new AudioContext();
  const tone = audio.createOscillator();
  const out = audio.createMediaStreamDestination();
  tone.connect(out);
  tone.start();
  const synthetic = new MediaStream([...canvas.captureStream(15).getVideoTracks(), ...out.stream.getAudioTracks()]);
  cleanup.push(() => {
    clearInterval(timer);
    void audio.close();
    for (const t of [...camera.getTracks(), ...synthetic.getTracks()]) t.stop();
  });
  return [
    { id: 'local', stream: camera, point: 'UBND phường Sa Đéc', name: 'Nguyễn Văn Chủ Tịch', role: 'Chủ trì' },
    { id: 'remote-1', stream: synthetic, point: 'Thanh tra tỉnh Đồng Tháp', name: 'Trần Thị Cán Bộ', role: 'Cán bộ' },
  ];
}

interface Cut {
  mode: 'none' | 'uploads' | 'all';
}
/** A fetch that fails like a dead network for segment uploads only, or for everything. */
function cuttable(cut: Cut): typeof fetch {
  return (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (cut.mode === 'all' || (cut.mode === 'uploads' && url.includes('/segments'))) return Promise.reject(new TypeError('Failed to fetch (cut by the test)'));
    return fetch(input, init);
  };
}

async function mount(session: string, options: { fetcher?: typeof fetch; recorderId?: string; token?: string } = {}): Promise<TiepdanRecorder> {
  // The session's recording is opened by hand here (no room): a recorder finds it and is elected at once.
  const opened = await fetch(`${server}/api/v1/recordings`, { method: 'POST', headers: { authorization: `Bearer ${tokens.chair}`, 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: session }) });
  expect(opened.status).to.be.oneOf([200, 201]);
  const el = await fixture<TiepdanRecorder>(html`<tiepdan-recorder lang="vi" point="sadec-ubnd" recorder-id=${options.recorderId ?? `wtr-${session}`}></tiepdan-recorder>`);
  el.source = new StaticMediaSource(await twoTiles());
  el.workerUrl = WORKER;
  if (options.fetcher) el.fetcher = options.fetcher;
  el.server = server;
  el.session = session;
  el.token = options.token ?? tokens.clerk;
  return el;
}

const status = (el: TiepdanRecorder): RecorderStatus => el.status ?? ({} as RecorderStatus);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function storedCount(recordingId: string): Promise<number> {
  const store = await openChunkStore();
  try {
    return await store.count(recordingId);
  } finally {
    store.close();
  }
}

async function endAndWait(recordingId: string): Promise<any> {
  await api('POST', `/recordings/${recordingId}/end`);
  let last: any;
  await waitUntil(async () => {
    last = (await api('GET', `/recordings/${recordingId}`)).recording;
    return last.state === 'finalized';
  }, 'recording finalized', { timeout: 20_000, interval: 200 });
  return last;
}

describe('<tiepdan-recorder>', function () {
  this.timeout(60_000);

  it('prints the clock in Hanoi time as dd/mm/yyyy HH:mm:ss whatever the device zone', () => {
    // 17:00:05 UTC on 1 January is 00:00:05 on 2 January in Hanoi.
    expect(hanoiClock(Date.UTC(2026, 0, 1, 17, 0, 5))).to.equal('02/01/2026 00:00:05');
  });

  it('a backlog of ticks (a starved page) is not drawn frame after frame; the tiles with a picture are counted', async () => {
    const tiles = await twoTiles();
    cleanup.push(() => tiles.forEach((t) => t.stream?.getTracks().forEach((track) => track.stop())));
    let tick: (() => void) | undefined;
    const ticks: TickSource = { kind: 'timer', start: (_ms, fn) => (tick = fn), stop: () => (tick = undefined) };
    const compositor = new RoomCompositor(new StaticMediaSource([...tiles, { id: 'late', stream: null, name: 'Chưa có hình' }]), { fps: 15, ticks });
    cleanup.push(() => compositor.stop());
    compositor.start();
    // Ten ticks delivered back to back, as a queue that built up behind a slow frame: one frame, nine dropped.
    await sleep(100);
    const before = compositor.frames;
    for (let i = 0; i < 10; i += 1) tick!();
    expect(compositor.frames - before).to.equal(1);
    expect(compositor.skipped).to.equal(9);
    // Once the videos play, a tick an interval later draws them: two of the three tiles have a picture.
    await waitUntil(() => {
      tick!();
      return compositor.pictured === 2;
    }, 'both videos drawn', { timeout: 10_000, interval: 70 });
  });

  it("takes the room element's tiles as its source: own tile first, labelled with point, name and role, and told of changes", async () => {
    const room = await fixture<TiepdanRoom>(html`<tiepdan-room lang="vi"></tiepdan-room>`);
    let changes = 0;
    const off = room.mediaSource.onChange(() => (changes += 1));
    room.participantId = 'p-chair';
    room.points = [{ id: 'sadec-ubnd', name: 'UBND phường Sa Đéc', unit: 'dongthap.sadec', connected: true, participants: ['p-chair'] }];
    room.participants = [
      { participantId: 'p-other', role: 'clerk', name: 'Trần Thị Bình', status: 'present', connected: true, hand: false, screen: false },
      { participantId: 'p-chair', role: 'chair', name: 'Lê Văn Cường', status: 'present', connected: true, hand: false, screen: false, pointId: 'sadec-ubnd' },
    ];
    await room.updateComplete;
    off();
    expect(changes).to.be.at.least(1);
    // Remote tiles appear only once their media arrives; the own tile is there at once.
    const tiles = room.mediaSource.tiles();
    expect(tiles.map((t) => [t.id, t.point, t.name, t.role])).to.deep.equal([['p-chair', 'UBND phường Sa Đéc', 'Lê Văn Cường', 'Chủ trì']]);
  });

  it('records two tiles for ~8 s: every chunk acknowledged, IndexedDB emptied as the acknowledgements arrive, last chunk on end', async () => {
    const session = newSession();
    const el = await mount(session);
    await waitUntil(() => status(el).role === 'active' && status(el).capturing, 'elected and capturing', { timeout: 10_000 });
    expect(status(el).epoch).to.equal(1);
    const recordingId = el.recordingId!;
    expect(el.compositor!.tickKind).to.equal('worker');

    const kept: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      await sleep(1000);
      kept.push(await storedCount(recordingId));
    }
    // Acknowledgements keep up: the store never holds more than a few chunks, and it held some at all.
    expect(Math.max(...kept)).to.be.at.most(4);
    expect(status(el).acked).to.be.at.least(6);
    expect(el.compositor!.frames).to.be.at.least(60);
    // Both tiles carry their video (not the empty tile's #222), side by side under the clock bar.
    const canvas = el.compositor!.canvas;
    const g = canvas.getContext('2d')!;
    for (const x of [canvas.width / 4, (3 * canvas.width) / 4]) {
      const [r, gr, b] = g.getImageData(Math.round(x), Math.round(canvas.height / 2), 1, 1).data;
      expect([r, gr, b], `pixel at x=${x}`).to.not.deep.equal([34, 34, 34]);
    }

    const finalized = await endAndWait(recordingId);
    await waitUntil(() => status(el).role === 'stopped', 'recorder stopped', { timeout: 10_000 });
    expect(status(el).pending).to.equal(0);
    expect(status(el).orphaned).to.equal(0);
    expect(await storedCount(recordingId)).to.equal(0);
    expect(finalized.segments.count).to.equal(status(el).acked);
    expect(finalized.missing).to.deep.equal([]);
    expect(finalized.lastError).to.equal(null);
    const manifest = await api('GET', `/recordings/${recordingId}/manifest`);
    const segments = (manifest.manifest ?? manifest).segments as { epoch: number; seq: number }[];
    expect(segments.map((s) => s.seq)).to.deep.equal(segments.map((_, i) => i));
  });

  it('keeps chunks in IndexedDB while uploads fail or the server is unreachable, and sends them all afterwards', async () => {
    const session = newSession();
    const cut: Cut = { mode: 'none' };
    const el = await mount(session, { fetcher: cuttable(cut) });
    await waitUntil(() => status(el).role === 'active' && status(el).acked >= 2, 'recording and acknowledged', { timeout: 10_000 });
    const recordingId = el.recordingId!;

    // Uploads fail for 4 s (heartbeats still renew the lease): chunks pile up on the device.
    cut.mode = 'uploads';
    const ackedBefore = status(el).acked;
    await sleep(4000);
    expect(status(el).acked).to.equal(ackedBefore);
    expect(status(el).alarm).to.equal('offline');
    expect(status(el).pending).to.be.at.least(3);
    expect(await storedCount(recordingId)).to.be.at.least(3);
    expect(el.shadowRoot!.querySelector('#alarm')?.textContent).to.contain('Mất kết nối');
    expect(el.shadowRoot!.querySelector('.behind')?.textContent).to.match(/Chậm \d+ đoạn/u);

    cut.mode = 'none';
    await waitUntil(() => status(el).pending === 0, 'backlog sent', { timeout: 15_000 });
    expect(status(el).alarm).to.equal(undefined);
    expect(await storedCount(recordingId)).to.equal(0);

    // The server unreachable altogether (heartbeats too) for well under a lease (3 s here): same epoch, nothing
    // lost. (Longer than the lease, the server fences the epoch; its unsent chunks are then kept as orphaned.)
    cut.mode = 'all';
    await sleep(1200);
    expect(status(el).online, 'offline seen').to.equal(false);
    cut.mode = 'none';
    await waitUntil(() => status(el).online && status(el).pending <= 1, 'back online', { timeout: 15_000 });
    expect(status(el).epoch, 'same epoch after the outage').to.equal(1);

    const finalized = await endAndWait(recordingId);
    await waitUntil(() => status(el).role === 'stopped', 'recorder stopped', { timeout: 10_000 });
    expect(await storedCount(recordingId)).to.equal(0);
    expect(status(el).orphaned).to.equal(0);
    expect(finalized.missing).to.deep.equal([]);
    expect(finalized.segments.count).to.equal(status(el).acked);
    expect(finalized.leases.length, 'one lease for the whole recording').to.equal(1);
  });

  it('after a reload, sends the chunks the previous page kept, then records under a new epoch', async () => {
    const session = newSession();
    const cut: Cut = { mode: 'none' };
    const first = await mount(session, { fetcher: cuttable(cut), recorderId: `reload-${session}` });
    await waitUntil(() => status(first).role === 'active' && status(first).acked >= 1, 'first page recording', { timeout: 10_000 });
    const recordingId = first.recordingId!;
    cut.mode = 'uploads';
    await waitUntil(() => status(first).pending >= 2, 'chunks kept', { timeout: 10_000 });
    const acked = status(first).acked;
    // The page goes away (no leave: its lease stays until it lapses); what it kept is in IndexedDB.
    await first.stop();
    first.remove();
    const left = await storedCount(recordingId);
    expect(left).to.be.at.least(2);

    const second = await mount(session, { recorderId: `reload-${session}` });
    await waitUntil(() => status(second).role === 'active' && status(second).capturing && status(second).epoch === 2, 'new epoch after the backlog', { timeout: 15_000 });
    expect(await storedCount(recordingId)).to.be.at.most(2);
    const server = (await api('GET', `/recordings/${recordingId}`)).recording;
    const firstLease = server.leases.find((l: { epoch: number }) => l.epoch === 1);
    expect(firstLease.endReason).to.equal('left');
    // The new epoch's first chunk is in before the end (the manifest must show epoch 2 from seq 0).
    await waitUntil(() => (status(second).acked ?? 0) >= 1, 'a chunk acknowledged in epoch 2', { timeout: 15_000 });
    const finalized = await endAndWait(recordingId);
    await waitUntil(() => status(second).role === 'stopped', 'recorder stopped', { timeout: 10_000 });
    expect(await storedCount(recordingId)).to.equal(0);
    // Epoch 1 has everything the first page captured (acknowledged before the reload, plus the kept chunks).
    const manifest = await api('GET', `/recordings/${recordingId}/manifest`);
    const segments = (manifest.manifest ?? manifest).segments as { epoch: number; seq: number }[];
    const epoch1 = segments.filter((s) => s.epoch === 1).map((s) => s.seq);
    expect(epoch1).to.deep.equal(epoch1.map((_, i) => i));
    expect(epoch1.length).to.be.at.least(acked + left);
    expect(segments.some((s) => s.epoch === 2 && s.seq === 0)).to.equal(true);
    expect(finalized.missing).to.deep.equal([]);
  });

  it('shows standby to a second recorder and its state accessibly (axe)', async () => {
    const session = newSession();
    const active = await mount(session, { recorderId: `a-${session}` });
    await waitUntil(() => status(active).role === 'active' && status(active).capturing, 'active', { timeout: 10_000 });
    const standby = await mount(session, { recorderId: `b-${session}`, token: tokens.operator });
    await waitUntil(() => status(standby).role === 'standby', 'standby', { timeout: 10_000 });
    expect(standby.shadowRoot!.querySelector('#state')!.textContent).to.contain('dự phòng');
    expect(active.shadowRoot!.querySelector('#state')!.textContent).to.contain('Đang ghi hình');
    await expect(active).to.be.accessible();
    await expect(standby).to.be.accessible();
  });
});
