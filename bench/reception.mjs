// Issue 9's reception figures, in Debian Chromium on loopback against the demo server:
// - room open → recording active: a waiting recorder page, the chair's `room.open`, until the recorder is elected
//   and capturing (BENCH_OPENS sessions, median and max);
// - admit → first remote frame at the citizen: the chair, the clerk and an official in the room (each its own
//   Chromium process with a fake camera and microphone), a citizen admitted BENCH_ADMISSIONS times (a new
//   context each time), from the page's `tiepdan-admitted` to its first remote picture playing (median, p95);
// - the headless recorder's CPU (`tiepdan-server record`, its whole process tree from /proc) over a window with
//   three participants and with four, per participant composited.
// The demo server runs in this process (its CPU is not what is measured here).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { startDemo } from '../examples/demo.mjs';
import { mintJoinToken, mintToken } from '../packages/server/dist/index.js';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';
import { cpuMs, machineLoad, median, percentile, round, sleep } from './proc.mjs';

const SECRET = 'bench-reception-secret-0123456789-abcdefghij';
const UNIT = 'dongthap.sadec';
const WARD = `point=sadec-ubnd&pointName=${encodeURIComponent('UBND phường Sa Đéc')}&unit=${UNIT}`;
const OTHER = `point=dongthap-tinh&pointName=${encodeURIComponent('Trụ sở Tiếp công dân tỉnh Đồng Tháp')}&unit=${UNIT}`;
const ADMISSIONS = Number(process.env.BENCH_ADMISSIONS ?? 10);
const OPENS = Number(process.env.BENCH_OPENS ?? 5);
const CPU_WINDOW_MS = Number(process.env.BENCH_CPU_SECONDS ?? 10) * 1000;
const CLI = resolve(import.meta.dirname, '../packages/server/dist/cli.js');

function fakeMedia(dir, name, colour, tone) {
  const video = join(dir, `${name}.y4m`);
  const audio = join(dir, `${name}.wav`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=${colour}:s=320x240:r=15`, '-t', '2', '-pix_fmt', 'yuv420p', video]);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${tone}:sample_rate=48000`, '-t', '10', '-ac', '1', audio]);
  return [`--use-file-for-fake-video-capture=${video}`, `--use-file-for-fake-audio-capture=${audio}`];
}

const launch = (extra = []) => chromium.launch({ executablePath: chromiumPath(), args: [...chromiumArgs(), ...extra] });

/** One stderr line per phase, so that a run that hangs shows where. */
const phase = (what) => process.stderr.write(`[reception ${new Date().toISOString().slice(11, 23)}] ${what}\n`);

async function until(what, probe, timeoutMs = 60_000, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * The steps between admission and the first remote picture, in the order they should come. Each is the first time
 * it happened on any of the page's connections (the citizen has one per participant, and the recorder's brings no
 * picture, so the earliest step need not be on the connection of the first picture), in the page's clock.
 */
const PEER_STEPS = ['peerCreated', 'offerReceived', 'offerSent', 'answerReceived', 'answerSent', 'remoteOfferSet', 'iceChecking', 'iceConnected', 'connected', 'track'];
const STEPS = ['getUserMedia', 'peerCreated', 'offerReceived', 'offerSent', 'remoteOfferSet', 'answerSent', 'iceChecking', 'iceConnected', 'connected', 'track', 'firstFrameCallback'];

/**
 * Runs in the page before the app's own scripts: it observes the browser's RTCPeerConnection, WebSocket and
 * getUserMedia (subclassed or wrapped, the app is not changed) and notes when each step first happened, so the
 * product needs no timing hooks of its own.
 */
function observeSteps() {
  const marks = (window.benchMarks = {});
  const mark = (step) => (marks[step] ??= performance.now());
  // Each connection's own marks too, with its tracks' ids: the earliest step on any connection may be on one that
  // brings no picture (the recorder receives only), so the first picture's own connection is told apart.
  const peers = (window.benchPeers = []);
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      // Made: the citizen's mesh is up (its setup after admission is over) or an offer made it.
      const own = { tracks: [], peerCreated: performance.now() };
      mark('peerCreated');
      peers.push(own);
      const note = (step) => (mark(step), (own[step] ??= performance.now()));
      this.benchNote = note;
      this.addEventListener('iceconnectionstatechange', () => {
        if (this.iceConnectionState === 'checking') note('iceChecking');
        if (this.iceConnectionState === 'connected' || this.iceConnectionState === 'completed') note('iceConnected');
      });
      // 'connected' here is ICE and DTLS both done: the gap after iceConnected is the DTLS handshake.
      this.addEventListener('connectionstatechange', () => this.connectionState === 'connected' && note('connected'));
      this.addEventListener('track', (e) => (note('track'), own.tracks.push(e.track.id)));
    }
    async setRemoteDescription(description) {
      const result = await super.setRemoteDescription(description);
      if (description?.type === 'offer') this.benchNote('remoteOfferSet');
      return result;
    }
  };
  // Signals travel as JSON over the one WebSocket; the description's kind is in the text. Each is also noted per
  // participant (the frame's `to` or `from`), with who sent the first offer: whether the citizen had to offer
  // itself (after the mesh's polite wait) or answered the other's offer.
  const signals = (window.benchSignals = {});
  const signal = (who, kind, dir) => {
    if (kind !== 'offer' && kind !== 'answer') return;
    const own = (signals[who] ??= { offers: [] });
    own[`${kind}${dir}`] ??= performance.now();
    // In wall-clock ms too: the other pages' times (when an incumbent sent its offer) are compared in it.
    own[`${kind}${dir}Epoch`] ??= performance.timeOrigin + performance.now();
    if (kind === 'offer') own.offers.push(dir === 'Sent' ? 'citizen' : 'them');
  };
  // When this page's roster first showed each participant out of the lobby (wall clock), and its last frames (a
  // run that stalls says what it last saw and sent).
  const roster = (window.benchRoster = {});
  const frames = (window.benchFrames = []);
  const keep = (dir, frame) => {
    frames.push(`${dir} ${frame?.type === 'event' ? `event ${frame.event?.type}` : frame?.type}${frame?.error ? ` ${frame.error.code}` : ''}`);
    if (frames.length > 30) frames.shift();
    const p = frame?.event?.participant;
    if (p && p.status !== 'lobby') roster[p.participantId] ??= performance.timeOrigin + performance.now();
  };
  const parse = (text) => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (typeof e.data !== 'string') return;
        if (!e.data.includes('"signal"')) return keep('in', parse(e.data));
        if (e.data.includes('"kind":"offer"')) mark('offerReceived');
        const event = parse(e.data)?.event;
        if (event?.type === 'signal') signal(event.from, event.data?.kind, 'Received');
      });
    }
    send(data) {
      if (typeof data === 'string' && data.includes('"kind":"offer"')) mark('offerSent');
      if (typeof data === 'string' && data.includes('"kind":"answer"')) mark('answerSent');
      if (typeof data === 'string' && !data.includes('"signal"')) keep('out', parse(data));
      if (typeof data === 'string' && data.includes('"signal"')) {
        const frame = parse(data);
        if (frame?.type === 'signal') signal(frame.to, frame.data?.kind, 'Sent');
      }
      return super.send(data);
    }
  };
  const media = navigator.mediaDevices;
  if (media?.getUserMedia) {
    const native = media.getUserMedia.bind(media);
    media.getUserMedia = async (...args) => {
      const stream = await native(...args);
      mark('getUserMedia');
      return stream;
    };
  }
}

async function roomPage(browser, siteUrl, session, token, extra) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  await context.grantPermissions(['camera', 'microphone']);
  await context.addInitScript(observeSteps);
  const page = await context.newPage();
  await page.goto(`${siteUrl}/room.html#session=${session}&token=${token}${extra ? `&${extra}` : ''}`);
  await page.evaluate(() => {
    window.benchAdmittedAt = undefined;
    window.benchFirstFrameAt = undefined;
    document.addEventListener('tiepdan-admitted', () => (window.benchAdmittedAt = performance.now()));
    const el = document.querySelector('tiepdan-room');
    const timer = setInterval(() => {
      if (window.benchAdmittedAt === undefined) return;
      for (const t of el.shadowRoot?.querySelectorAll('li.tile') ?? []) {
        const v = t.querySelector('video');
        if (t.dataset.participant !== el.participantId && v && !v.benchFrameHooked && 'requestVideoFrameCallback' in v) {
          v.benchFrameHooked = true;
          v.requestVideoFrameCallback(() => (window.benchMarks.firstFrameCallback ??= performance.now()));
        }
        if (t.dataset.participant !== el.participantId && v && v.videoWidth > 0 && v.currentTime > 0 && !v.paused) {
          window.benchFirstFrameAt = performance.now();
          window.benchFirstTrack = v.srcObject?.getVideoTracks?.()[0]?.id;
          window.benchFirstParticipant = t.dataset.participant;
          clearInterval(timer);
        }
      }
    }, 10);
  });
  await page.locator('tiepdan-room #notice-ack').check();
  await page.locator('tiepdan-room #join').click();
  return { context, page };
}

const viewOf = (page) => page.evaluate(() => document.querySelector('tiepdan-room').view);

/** An official's socket (hello, then requests), for the chair's opening and ending. */
async function socket(apiUrl, session, token) {
  const ws = new WebSocket(`${apiUrl.replace(/^http/u, 'ws')}/ws`);
  await new Promise((ok, fail) => (ws.once('open', ok), ws.once('error', fail)));
  let next = 1;
  const waiting = new Map();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    if (frame.id) waiting.get(frame.id)?.(frame);
  });
  const request = (type, params = {}) => new Promise((ok) => {
    const id = `b${next++}`;
    waiting.set(id, ok);
    ws.send(JSON.stringify({ v: 1, id, type, ...params }));
  });
  const hello = await request('hello', { sessionId: session, auth: { kind: 'official', token } });
  if (hello.type !== 'result') throw new Error(`hello: ${JSON.stringify(hello.error)}`);
  return { request, close: () => ws.close() };
}

/** CPU ms of a process and all its descendants (the headless recorder: node, Chromium and its children). */
function treeCpuMs(root) {
  const parent = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/u.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const inTree = (pid) => {
    for (let p = pid; p > 1; p = parent.get(p) ?? 0) if (p === root) return true;
    return false;
  };
  let total = 0;
  for (const pid of parent.keys()) if (inTree(pid)) total += cpuMs(pid) || 0;
  return total;
}

async function cpuOver(pid, ms) {
  const start = treeCpuMs(pid);
  const t0 = Date.now();
  await sleep(ms);
  return ((treeCpuMs(pid) - start) / (Date.now() - t0)) * 1000;
}

const stepMedians = (names, times) =>
  Object.fromEntries(
    names
      .map((s) => [s, times[s]?.filter((x) => x !== null) ?? []])
      .filter(([, seen]) => seen.length > 0)
      .map(([s, seen]) => [s, { median: round(median(seen), 0), seen: seen.length, all: times[s].map((x) => (x === null ? null : round(x, 0))) }]),
  );

export async function benchReception() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-bench-reception-'));
  const browsers = [];
  let recorderProcess;
  const demo = await startDemo({ port: 0, sitePort: 0, dataDir, env: {}, logLevel: 'silent', warn: () => {}, values: { authSecret: SECRET, recording: { leaseMs: 5000, heartbeatMs: 500, drainMs: 15_000 } } });
  try {
    const token = (sub, role, name) => mintToken(SECRET, { sub, role, unit: UNIT, name });
    const chairToken = await token('bench-chair', 'chair', 'Lê Văn Cường');

    // 1. Room open → recording active, OPENS times, each with a fresh waiting recorder page.
    phase(`room open → recording active, ${OPENS} runs`);
    const recorderBrowser = await launch();
    browsers.push(recorderBrowser);
    const opens = [];
    for (let i = 0; i < OPENS; i += 1) {
      const session = `bench-open-${process.pid}-${i}`;
      const context = await recorderBrowser.newContext();
      const page = await context.newPage();
      await page.goto(`${demo.siteUrl}/recorder.html#session=${session}&token=${await token('bench-operator', 'operator', 'Kỹ thuật')}&recorderId=bench-${i}`);
      await page.waitForFunction(() => document.querySelector('tiepdan-recorder')?.phase === 'waiting', undefined, { timeout: 60_000 });
      const chair = await socket(demo.apiUrl, session, chairToken);
      const openedAt = Date.now();
      await chair.request('room.open');
      await page.waitForFunction(() => {
        const s = document.querySelector('tiepdan-recorder')?.status;
        return s?.role === 'active' && s.capturing === true;
      }, undefined, { timeout: 60_000, polling: 10 });
      opens.push(Date.now() - openedAt);
      phase(`open ${i + 1}: ${opens.at(-1)} ms`);
      await chair.request('room.end');
      chair.close();
      await context.close();
    }

    // 2. The room: chair, clerk, official with their own media; the headless recorder; ADMISSIONS citizens.
    const session = `bench-room-${process.pid}`;
    const operator = (await demo.demoAccounts).find((a) => a.role === 'operator');
    const headers = { origin: demo.siteUrl, 'content-type': 'application/json' };
    const signIn = await fetch(`${demo.apiUrl}/api/v1/auth/sign-in`, { method: 'POST', headers, body: JSON.stringify({ username: operator.username, password: operator.password }) });
    const cookie = signIn.headers.get('set-cookie').split(';')[0];
    const { csrfToken } = await signIn.json();
    const access = await (await fetch(`${demo.apiUrl}/api/v1/auth/token`, { method: 'POST', headers: { ...headers, cookie, 'x-csrf-token': csrfToken }, body: '{}' })).json();
    const device = await (await fetch(`${demo.apiUrl}/api/v1/auth/devices`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${access.token}` }, body: JSON.stringify({ label: 'Máy ghi (bench)' }) })).json();
    const tokenFile = join(dataDir, 'device-token.txt');
    writeFileSync(tokenFile, device.token, { mode: 0o600 });
    recorderProcess = spawn(process.execPath, [CLI, 'record', '--session', session, '--server', demo.apiUrl, '--token-file', tokenFile, '--recorder-id', 'bench-headless', '--profile', join(dataDir, 'profile')], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CHROMIUM_PATH: chromiumPath() } });
    let recorderReport = {};
    createInterface({ input: recorderProcess.stdout }).on('line', (line) => (recorderReport = { ...recorderReport, ...JSON.parse(line) }));
    phase('headless recorder starting');
    await until('headless recorder waiting', () => recorderReport.phase === 'waiting', 90_000);

    const people = [
      ['chair', 'Lê Văn Cường', '0x1ec828', 900, WARD],
      ['clerk', 'Trần Thị Bình', '0xdc1e1e', 500, WARD],
      ['official', 'Phạm Minh Đức', '0x283cdc', 1700, OTHER],
    ];
    const pages = {};
    for (const [role, name, colour, tone, at] of people) {
      phase(`${role} joining`);
      const browser = await launch(fakeMedia(dataDir, role, colour, tone));
      browsers.push(browser);
      pages[role] = (await roomPage(browser, demo.siteUrl, session, await token(`bench-${role}`, role, name), at)).page;
      await until(`${role} in the room`, async () => ['room', 'closed'].includes(await viewOf(pages[role])), 60_000);
    }
    // Participant id → role, to say whose connection brought the citizen's first picture.
    const roles = {};
    for (const role of Object.keys(pages)) roles[await pages[role].evaluate(() => document.querySelector('tiepdan-room').participantId)] = role;
    phase('room.open');
    const chair = await socket(demo.apiUrl, session, await token('bench-chair-socket', 'chair', 'Chủ tịch'));
    await chair.request('room.open');
    await until('recording', () => recorderReport.role === 'active' && (recorderReport.acked ?? 0) >= 2, 60_000);
    await until('everyone in the room', async () => (await Promise.all(Object.values(pages).map(viewOf))).every((v) => v === 'room'), 60_000);
    await until('three tiles at the recorder', () => (recorderReport.tiles ?? 0) >= 3, 60_000, 200);
    await sleep(3000);
    phase('recorder CPU with three');
    const cpuThree = await cpuOver(recorderProcess.pid, CPU_WINDOW_MS);

    const citizenBrowser = await launch(fakeMedia(dataDir, 'citizen', '0xe6dc28', 3100));
    browsers.push(citizenBrowser);
    const admissions = [];
    const steps = {};
    const peerSteps = {};
    const details = [];
    let cpuFour;
    for (let i = 0; i < ADMISSIONS; i += 1) {
      const name = `Công dân ${i + 1}`;
      phase(`admission ${i + 1}: citizen to the lobby`);
      const { context, page } = await roomPage(citizenBrowser, demo.siteUrl, session, await mintJoinToken(SECRET, { reference: `TCD-BENCH-${i}`, sessionId: session, name }), '');
      await until('citizen in the lobby', async () => (await viewOf(page)) === 'lobby', 60_000);
      phase(`admission ${i + 1}: clerk admits`);
      // On a loaded machine a click can land while the queue re-renders (on a button that is then replaced) and
      // send nothing: click again while the citizen is still in the clerk's queue and in the lobby.
      const admit = pages.clerk.locator('tiepdan-room ol.queue li').filter({ hasText: name }).getByRole('button', { name: /Mời vào/u });
      for (let tries = 1; ; tries += 1) {
        await admit.click({ timeout: 90_000 });
        const left = await until('citizen admitted', async () => (await viewOf(page)) !== 'lobby', 10_000).catch(() => false);
        if (left) break;
        if (tries >= 5 || (await admit.count()) === 0) throw new Error(`citizen ${i + 1} still in the lobby after ${tries} clicks`);
        phase(`admission ${i + 1}: still in the lobby, clicking again`);
      }
      const ms = await until('first remote frame', () => page.evaluate(() => (window.benchFirstFrameAt !== undefined ? window.benchFirstFrameAt - window.benchAdmittedAt : undefined)), 60_000).catch(async (error) => {
        // Say why: the citizen's view, its connections' states and the signals it saw.
        const state = await page.evaluate(() => {
          const el = document.querySelector('tiepdan-room');
          return { view: el.view, self: el.participantId, admittedAt: window.benchAdmittedAt, frames: window.benchFrames, signals: window.benchSignals, connections: el.mediaDiagnostics?.(), tiles: [...(el.shadowRoot?.querySelectorAll('li.tile') ?? [])].map((t) => t.dataset.participant) };
        }).catch((e) => String(e));
        const clerk = await pages.clerk.evaluate(() => ({ frames: window.benchFrames, queue: document.querySelector('tiepdan-room').shadowRoot?.querySelector('ol.queue')?.textContent })).catch((e) => String(e));
        phase(`admission ${i + 1}: no first frame; roles ${JSON.stringify(roles)}; citizen ${JSON.stringify(state)}; clerk ${JSON.stringify(clerk)}`);
        throw error;
      });
      admissions.push(ms);
      // The marks are read once the picture plays: every step before it has happened by then.
      const marks = await page.evaluate(() => ({ ...window.benchMarks, admitted: window.benchAdmittedAt }));
      const { self, from, signals, connection } = await page.evaluate(() => ({
        self: document.querySelector('tiepdan-room').participantId,
        from: window.benchFirstParticipant,
        signals: window.benchSignals,
        connection: window.benchPeers.find((p) => p.tracks.includes(window.benchFirstTrack)) ?? {},
      }));
      const own = { ...(signals[from] ?? {}), ...connection };
      for (const step of PEER_STEPS) (peerSteps[step] ??= []).push(own[step] === undefined ? null : own[step] - marks.admitted);
      // Per participant: who offered (in order: 'them' = answered their offer, 'citizen' = the citizen's own
      // offer), whether the citizen was the polite side (its id is the larger), and when the first offer went.
      const after = (t) => (t === undefined ? null : round(t - marks.admitted, 0));
      // The incumbents' side, in wall-clock ms after the citizen's admission: when their roster showed the
      // citizen, and when they sent their first offer to it.
      const admittedEpoch = await page.evaluate(() => performance.timeOrigin + window.benchAdmittedAt);
      const theirs = {};
      for (const [role, other] of Object.entries(pages)) {
        const seen = await other.evaluate((id) => ({ roster: window.benchRoster[id], offerSent: window.benchSignals[id]?.offerSentEpoch, answerSent: window.benchSignals[id]?.answerSentEpoch }), self);
        theirs[role] = Object.fromEntries(Object.entries(seen).map(([k, v]) => [k, v === undefined ? null : round(v - admittedEpoch, 0)]));
      }
      const peers = Object.fromEntries(
        Object.entries(signals).map(([id, sig]) => [
          roles[id] ?? `other:${id.slice(0, 6)}`,
          { offers: sig.offers.join(','), citizenPolite: self > id, offerReceived: after(sig.offerReceived), offerSent: after(sig.offerSent), answerSent: after(sig.answerSent), answerReceived: after(sig.answerReceived) },
        ]),
      );
      details.push({ ms: round(ms, 0), picture: roles[from] ?? from, peers, incumbents: theirs });
      phase(`admission ${i + 1}: first frame ${round(ms, 0)} ms from ${roles[from] ?? from}; ${Object.entries(peers).map(([r, p]) => `${r} offers ${p.offers} (received ${p.offerReceived}, sent ${p.offerSent})`).join('; ')}; incumbents ${JSON.stringify(theirs)}`);
      // A step that did not happen in this admission is noted as null, so each `all` lines up with the admissions.
      for (const step of STEPS) (steps[step] ??= []).push(marks[step] === undefined ? null : marks[step] - marks.admitted);
      if (i === 0) {
        phase('recorder CPU with four');
        await until('four tiles at the recorder', () => (recorderReport.tiles ?? 0) >= 4, 60_000, 200);
        await sleep(3000);
        cpuFour = await cpuOver(recorderProcess.pid, CPU_WINDOW_MS);
      }
      // The citizen's page goes away (held for the resume window, with no media: no peer to negotiate).
      await context.close();
    }
    phase('room.end; waiting for the recorder to exit');
    await chair.request('room.end');
    chair.close();
    // Bounded: a recorder that does not exit must not hang the run (its code is then null, and it is killed below).
    const exitCode = await Promise.race([new Promise((done) => recorderProcess.once('exit', done)), sleep(60_000).then(() => null)]);
    phase(`recorder exit ${exitCode}`);
    recorderProcess = undefined;

    return {
      ...machineLoad(),
      roomOpenToRecordingActiveMs: { runs: opens.length, median: round(median(opens), 0), max: round(Math.max(...opens), 0) },
      admitToFirstRemoteFrameMs: { admissions: admissions.length, median: round(median(admissions), 0), p95: round(percentile(admissions, 95), 0), all: admissions.map((x) => round(x, 0)) },
      // Median of each step's time after `tiepdan-admitted`, and in how many admissions it happened at all.
      admitToStepMedianMs: stepMedians(STEPS, steps),
      // The same steps on the connection whose track gave the first picture.
      admitToFirstPicturePeerStepMedianMs: stepMedians(PEER_STEPS, peerSteps),
      // Each admission: whose picture came first, and per participant who offered.
      admissionDetails: details,
      headlessRecorderCpu: {
        windowSeconds: CPU_WINDOW_MS / 1000,
        threeParticipantsMsPerS: round(cpuThree, 0),
        fourParticipantsMsPerS: round(cpuFour, 0),
        perParticipantMsPerS: round(cpuFour / 4, 0),
        fourthParticipantMsPerS: round(cpuFour - cpuThree, 0),
      },
      recorderExit: exitCode,
    };
  } finally {
    phase('closing');
    recorderProcess?.kill('SIGKILL');
    for (const b of browsers) await b.close().catch(() => undefined);
    await demo.close();
    phase('closed');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchReception(), null, 2));
