#!/usr/bin/env node
// Signaling bench, loopback only, bounded in count and time. Each server runs in its own child process
// (bench/signaling-server.mjs); the load (ws and socket.io clients) comes from this one, so no server shares an
// event loop or a CPU count with its load. Server CPU is read from /proc/<pid>/stat of the server's process.
//   1. Fan-out: N rooms × 6 participants, every participant sending with WINDOW messages in flight for
//      BENCH_SECONDS; a message counts when the 5 others got it. tiepdan (chat.send: validated, permission-
//      checked, sequenced, logged, group-committed before it is delivered) against a raw `ws` broadcast server
//      (the ceiling; goal ≥ 0.8), socket.io 4 rooms (goal ≥ 1.2) and the PeerJS server doing the same relay (it
//      only relays one-to-one, so a fan-out is 6 unicasts: the 5 others and an echo to the sender, like the
//      others). The kinds run in turn, the order rotating, over BENCH_ROUNDS (≥ 3) rounds; medians are reported,
//      with server CPU per delivery.
//   2. Paced: the same rooms, every participant sending BENCH_RATE (5) messages a second, one at a time; the
//      sender's round trip (send → its own copy back, i.e. after the server delivered to the room) p50/p99,
//      tiepdan against raw `ws` and socket.io, alternated over the same rounds.
//   3. Join round trip (connect + hello + reply) p50/p99 for the fan-out participants.
//   4. Memory per idle, authenticated connection at BENCH_IDLE (10,000) connections, tiepdan and raw ws.
//   5. Reconnect storm: BENCH_STORM (2,000) core SignalingClients dropped at once by the server; time until
//      every one has resumed its place.
// BENCH_ONLY=fanout (with BENCH_KIND) runs one fan-out, for a CPU profile (BENCH_SERVER_ARGS=--cpu-prof);
// BENCH_ONLY=paced likewise; BENCH_ONLY=idle the idle memory of tiepdan and raw ws alone.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { mintToken } from '../packages/server/dist/index.js';
import { SignalingClient } from '../packages/core/dist/browser.js';
import { machineLoad, median, percentile as pct, round, sleep, spawnServer as spawnChild } from './proc.mjs';

const require = createRequire(new URL('../packages/server/package.json', import.meta.url));
const { WebSocket } = require('ws');
const { io: ioClient } = createRequire(import.meta.url)('socket.io-client');

const ROOMS = Number(process.env.BENCH_ROOMS ?? 20);
const PER_ROOM = 6;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 3));
const WINDOW = Number(process.env.BENCH_WINDOW ?? 16);
const RATE = Number(process.env.BENCH_RATE ?? 5);
const IDLE = Number(process.env.BENCH_IDLE ?? 10_000);
const STORM = Number(process.env.BENCH_STORM ?? 2000);
const TEXT = 'Kiến nghị sửa chữa đoạn đường trước chợ Sa Đéc bị ngập khi mưa.';

const percentile = (values, p) => round(pct(values, p));

async function spawnServer(kind) {
  const server = await spawnChild(fileURLToPath(new URL('./signaling-server.mjs', import.meta.url)), [kind], ['--expose-gc']);
  return { ...server, kind, port: server.ready };
}
/** Runs `count` async jobs, `concurrency` at a time. */
async function pool(count, concurrency, job) {
  const results = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await job(i);
      }
    }),
  );
  return results;
}

function openSocket(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** One participant of the fan-out: join(), then send() resolves when its own copy comes back. */
function participant(server, room, index) {
  const me = `p${room}-${index}`;
  let onEcho;
  const state = { me, delivered: 0, ws: undefined, joinMs: 0, peerIds: [] };
  // The load generator shares the machine with the server: it recognises frames by substring instead of
  // parsing them, the same way for every server, so that it stays out of the measurement as far as it can.
  let mine;
  let counted;
  const handle = (text) => {
    if (!text.includes(counted)) return;
    if (text.includes(mine)) onEcho?.();
    else state.delivered += 1;
  };
  state.join = async () => {
    const started = performance.now();
    if (server.kind === 'tiepdan') {
      const token = await mintToken(server.authSecret, { sub: `bench.${me}`, role: 'official', unit: 'bench' });
      const t0 = performance.now();
      const ws = await openSocket(`ws://127.0.0.1:${server.port}/ws`);
      const reply = await new Promise((resolve) => {
        ws.once('message', (data) => resolve(JSON.parse(String(data))));
        ws.send(JSON.stringify({ v: 1, id: 'hello', type: 'hello', sessionId: `bench-${room}`, auth: { kind: 'official', token } }));
      });
      if (reply.type !== 'result') throw new Error(`hello refused: ${JSON.stringify(reply)}`);
      state.joinMs = performance.now() - t0;
      state.participantId = reply.result.participantId;
      state.ws = ws;
    } else if (server.kind === 'raw') {
      state.ws = await openSocket(`ws://127.0.0.1:${server.port}/?room=${room}`);
      state.joinMs = performance.now() - started;
    } else if (server.kind === 'socketio') {
      const socket = ioClient(`http://127.0.0.1:${server.port}`, { transports: ['websocket'], query: { room: String(room) }, reconnection: false, perMessageDeflate: false });
      await new Promise((resolve, reject) => (socket.once('connect', resolve), socket.once('connect_error', reject)));
      state.joinMs = performance.now() - started;
      state.ws = { send: (text) => socket.emit('m', text), on: (_event, listener) => socket.on('m', listener), terminate: () => socket.disconnect() };
    } else {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/peerjs?key=peerjs&id=${me}&token=t${index}`, { perMessageDeflate: false });
      await new Promise((resolve, reject) => {
        ws.once('message', (data) => (JSON.parse(String(data)).type === 'OPEN' ? resolve() : reject(new Error(String(data)))));
        ws.once('error', reject);
      });
      state.joinMs = performance.now() - started;
      state.ws = ws;
      state.peerIds = Array.from({ length: PER_ROOM }, (_, j) => `p${room}-${j}`);
    }
    if (server.kind === 'tiepdan') [counted, mine] = ['"chat.message"', `"from":"${state.participantId}"`];
    else if (server.kind === 'peerjs') [counted, mine] = ['"CANDIDATE"', `"src":"${me}"`];
    else [counted, mine] = ['"text"', `"from":"${me}"`];
    state.ws.on('message', (data) => handle(String(data)));
  };
  let n = 0;
  state.send = () =>
    new Promise((resolve) => {
      onEcho = resolve;
      n += 1;
      if (server.kind === 'tiepdan') state.ws.send(JSON.stringify({ v: 1, id: String(n), type: 'chat.send', text: TEXT }));
      else if (server.kind === 'peerjs') for (const dst of state.peerIds) state.ws.send(JSON.stringify({ type: 'CANDIDATE', dst, payload: { n, text: TEXT } }));
      else state.ws.send(JSON.stringify({ from: me, n, text: TEXT }));
    });
  return state;
}

/** Starts `kind`, joins ROOMS × PER_ROOM participants, runs `load(people)` and measures the server around it. */
async function withRoom(kind, load) {
  const server = await spawnServer(kind);
  const people = [];
  try {
    for (let room = 0; room < ROOMS; room += 1) for (let i = 0; i < PER_ROOM; i += 1) people.push(participant(server, room, i));
    await pool(people.length, 10, (i) => people[i].join());
    await sleep(200);
    const startDelivered = people.reduce((sum, p) => sum + p.delivered, 0);
    const cpuBefore = server.cpuMs();
    const started = performance.now();
    const result = await load(people);
    const elapsed = (performance.now() - started) / 1000;
    const cpu = server.cpuMs() - cpuBefore;
    const delivered = people.reduce((sum, p) => sum + p.delivered, 0) - startDelivered;
    const joins = people.map((p) => p.joinMs);
    return {
      kind,
      deliveriesPerSecond: Math.round(delivered / elapsed),
      fanoutPerSecond: Math.round(delivered / (PER_ROOM - 1) / elapsed),
      cpuUsPerDelivery: delivered ? round((cpu * 1000) / delivered) : null,
      serverCpuShare: round(cpu / (elapsed * 1000)),
      joinP50Ms: percentile(joins, 50),
      joinP99Ms: percentile(joins, 99),
      ...result,
    };
  } finally {
    for (const p of people) p.ws?.terminate();
    await server.stop();
  }
}

/** WINDOW independent loops per participant, each waiting for its own echo before sending again. */
function fanOut(kind) {
  return withRoom(kind, async (people) => {
    let running = true;
    let sent = 0;
    const loops = people.flatMap((p) =>
      Array.from({ length: WINDOW }, async () => {
        while (running) {
          await p.send();
          sent += 1;
        }
      }),
    );
    await sleep(SECONDS * 1000);
    running = false;
    void Promise.race([Promise.all(loops), sleep(100)]);
    return { sent };
  });
}

/** Every participant sends RATE messages a second, one at a time; the sender's round trip per message. */
function paced(kind) {
  return withRoom(kind, async (people) => {
    const latencies = [];
    let skipped = 0;
    const until = performance.now() + SECONDS * 1000;
    await Promise.all(
      people.map(async (p, i) => {
        // Spread the senders over the period, like people who did not start typing together.
        await sleep(((1000 / RATE) * i) / people.length);
        while (performance.now() < until) {
          const tick = performance.now();
          await Promise.race([p.send(), sleep(5000)]);
          latencies.push(performance.now() - tick);
          const wait = 1000 / RATE - (performance.now() - tick);
          if (wait > 0) await sleep(wait);
          else skipped += 1;
        }
      }),
    );
    return { rate: RATE, messages: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), lateTicks: skipped };
  });
}

/** Medians of each numeric figure over the rounds, with the per-round values of `key`. */
function medians(runs, key) {
  const out = { kind: runs[0].kind };
  for (const field of Object.keys(runs[0])) if (typeof runs[0][field] === 'number') out[field] = median(runs.map((r) => r[field]));
  out.rounds = runs.map((r) => r[key]);
  return out;
}

async function idleMemory(kind, count) {
  const server = await spawnServer(kind);
  const sockets = [];
  // BENCH_HEAPSNAP=<folder>: heap snapshots at half and at all the connections, for bench/heap-diff.mjs to say
  // what each further connection costs, by constructor.
  const snapshots = process.env.BENCH_HEAPSNAP;
  const connect = (from, to) =>
    pool(to - from, 200, async (j) => {
      const i = from + j;
      const room = Math.floor(i / PER_ROOM);
      if (kind === 'tiepdan') {
        const token = await mintToken(server.authSecret, { sub: `idle.${i}`, role: 'official', unit: 'bench' });
        const ws = await openSocket(`ws://127.0.0.1:${server.port}/ws`);
        await new Promise((resolve, reject) => {
          ws.once('message', (data) => (JSON.parse(String(data)).type === 'result' ? resolve() : reject(new Error(String(data)))));
          ws.send(JSON.stringify({ v: 1, id: 'h', type: 'hello', sessionId: `idle-${room}`, auth: { kind: 'official', token } }));
        });
        ws.on('message', () => {});
        sockets.push(ws);
      } else sockets.push(await openSocket(`ws://127.0.0.1:${server.port}/?room=${room}`));
    });
  try {
    const before = (await server.ask('mem')).mem;
    await connect(0, snapshots ? count >> 1 : count);
    if (snapshots) {
      await sleep(500);
      await server.ask('snapshot', { path: `${snapshots}/${kind}-${count >> 1}.heapsnapshot` });
      await connect(count >> 1, count);
    }
    await sleep(500);
    if (snapshots) await server.ask('snapshot', { path: `${snapshots}/${kind}-${count}.heapsnapshot` });
    const after = (await server.ask('mem')).mem;
    return {
      kind,
      connections: sockets.length,
      rssPerConnectionKiB: Math.round(((after.rss - before.rss) / sockets.length / 1024) * 10) / 10,
      heapPerConnectionKiB: Math.round(((after.heapUsed - before.heapUsed) / sockets.length / 1024) * 10) / 10,
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await server.stop();
  }
}

async function reconnectStorm(count) {
  const server = await spawnServer('tiepdan');
  const clients = [];
  try {
    let resumed = 0;
    let rejoined = 0;
    await pool(count, 100, async (i) => {
      const token = await mintToken(server.authSecret, { sub: `storm.${i}`, role: 'official', unit: 'bench' });
      const client = new SignalingClient({
        url: `ws://127.0.0.1:${server.port}/ws`,
        sessionId: `storm-${Math.floor(i / PER_ROOM)}`,
        auth: { kind: 'official', token },
        WebSocket,
        onlineTarget: undefined,
        requestTimeoutMs: 30_000,
      });
      client.onState((state) => {
        if (state === 'resumed') resumed += 1;
        else if (state === 'connected' && client.lastClose) rejoined += 1;
      });
      await client.connect();
      clients.push(client);
    });
    await sleep(300);
    const started = performance.now();
    const { dropped } = await server.ask('drop');
    const deadline = started + 60_000;
    while (resumed + rejoined < clients.length && performance.now() < deadline) await sleep(5);
    return { clients: clients.length, dropped, resumed, rejoined, allBackMs: resumed + rejoined === clients.length ? Math.round(performance.now() - started) : null };
  } finally {
    await server.stop();
    await Promise.all(clients.map((c) => c.close()));
  }
}

export async function benchSignaling() {
  const kinds = ['tiepdan', 'raw', 'socketio', 'peerjs'];
  const pacedKinds = ['tiepdan', 'raw', 'socketio'];
  const fan = Object.fromEntries(kinds.map((k) => [k, []]));
  const pace = Object.fromEntries(pacedKinds.map((k) => [k, []]));
  for (let i = 0; i < ROUNDS; i += 1) {
    // Rotate the order, so no kind always runs first (or last) in a round while the machine's load drifts.
    for (let j = 0; j < kinds.length; j += 1) {
      const kind = kinds[(i + j) % kinds.length];
      fan[kind].push(await fanOut(kind));
    }
    for (let j = 0; j < pacedKinds.length; j += 1) {
      const kind = pacedKinds[(i + j) % pacedKinds.length];
      pace[kind].push(await paced(kind));
    }
  }
  const fanout = Object.fromEntries(kinds.map((k) => [k, medians(fan[k], 'deliveriesPerSecond')]));
  const pacedResult = Object.fromEntries(pacedKinds.map((k) => [k, medians(pace[k], 'p99Ms')]));
  const idle = await idleMemory('tiepdan', IDLE);
  const idleRaw = await idleMemory('raw', IDLE);
  const storm = await reconnectStorm(STORM);
  const ratio = (a, b) => round(a / b);
  return {
    setup: { rooms: ROOMS, perRoom: PER_ROOM, seconds: SECONDS, window: WINDOW, rate: RATE, rounds: ROUNDS, ...machineLoad() },
    fanout: {
      ...fanout,
      ratioVsRawWs: ratio(fanout.tiepdan.deliveriesPerSecond, fanout.raw.deliveriesPerSecond),
      ratioVsSocketIo: ratio(fanout.tiepdan.deliveriesPerSecond, fanout.socketio.deliveriesPerSecond),
      ratioVsPeerjs: ratio(fanout.tiepdan.deliveriesPerSecond, fanout.peerjs.deliveriesPerSecond),
      cpuPerDeliveryVsRawWs: ratio(fanout.tiepdan.cpuUsPerDelivery, fanout.raw.cpuUsPerDelivery),
    },
    paced: { ...pacedResult, p99VsRawWs: ratio(pacedResult.tiepdan.p99Ms, pacedResult.raw.p99Ms), p99VsSocketIo: ratio(pacedResult.tiepdan.p99Ms, pacedResult.socketio.p99Ms) },
    idleMemory: {
      tiepdan: idle,
      raw: idleRaw,
      rssVsRaw: ratio(idle.rssPerConnectionKiB, idleRaw.rssPerConnectionKiB),
      heapVsRaw: ratio(idle.heapPerConnectionKiB, idleRaw.heapPerConnectionKiB),
    },
    reconnectStorm: storm,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.env.BENCH_ONLY === 'idle') {
  // Idle memory alone (tiepdan, then raw ws, each in a fresh process), for working on it.
  const tiepdan = await idleMemory('tiepdan', IDLE);
  const raw = await idleMemory('raw', IDLE);
  console.log(JSON.stringify({ tiepdan, raw, rssVsRaw: round(tiepdan.rssPerConnectionKiB / raw.rssPerConnectionKiB), heapVsRaw: round(tiepdan.heapPerConnectionKiB / raw.heapPerConnectionKiB), ...machineLoad() }));
} else if (process.argv[1] === fileURLToPath(import.meta.url) && process.env.BENCH_ONLY) {
  const only = { fanout: fanOut, paced }[process.env.BENCH_ONLY];
  console.log(JSON.stringify(await only(process.env.BENCH_KIND ?? 'tiepdan')));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await benchSignaling();
  console.log(JSON.stringify(result, null, 2));
  const { fanout, paced: p } = result;
  console.log(`fan-out vs raw ws: ${fanout.ratioVsRawWs} (goal ≥ 0.8: ${fanout.ratioVsRawWs >= 0.8 ? 'met' : 'NOT met'}); vs socket.io: ${fanout.ratioVsSocketIo} (goal ≥ 1.2: ${fanout.ratioVsSocketIo >= 1.2 ? 'met' : 'NOT met'}); vs PeerJS: ${fanout.ratioVsPeerjs}`);
  console.log(`CPU per delivery vs raw ws: ${fanout.cpuPerDeliveryVsRawWs}× (goal ≤ 1.3); paced p99 vs raw ws: ${p.p99VsRawWs}× (goal ≤ 1.3)`);
  process.exit(0);
}

