#!/usr/bin/env node
// Signaling bench, loopback only, bounded in count and time. Each server runs in a child process
// (bench/signaling-server.mjs); the load comes from this one.
//   1. Fan-out: N rooms × 6 participants, every participant sending with WINDOW messages in flight for
//      BENCH_SECONDS; a message counts when the 5 others got it. tiepdan (chat.send: validated, permission-
//      checked, sequenced, logged, group-committed before it is delivered) against a raw `ws` broadcast server (the ceiling;
//      goal ≥ 0.8) and against the PeerJS server doing the same relay (it only relays one-to-one, so a
//      fan-out is 6 unicasts: the 5 others and an echo to the sender, like the other two servers).
//   2. Join round trip (connect + hello + reply) p50/p99 for the fan-out participants.
//   3. Memory per idle, authenticated connection at BENCH_IDLE (10,000) connections, tiepdan and raw ws.
//   4. Reconnect storm: BENCH_STORM (2,000) core SignalingClients dropped at once by the server; time until
//      every one has resumed its place.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { mintToken } from '../packages/signaling/dist/index.js';
import { SignalingClient } from '../packages/core/dist/index.js';

const require = createRequire(new URL('../packages/signaling/package.json', import.meta.url));
const { WebSocket } = require('ws');

const ROOMS = Number(process.env.BENCH_ROOMS ?? 20);
const PER_ROOM = 6;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 16);
const IDLE = Number(process.env.BENCH_IDLE ?? 10_000);
const STORM = Number(process.env.BENCH_STORM ?? 2000);
const TEXT = 'Kiến nghị sửa chữa đoạn đường trước chợ Sa Đéc bị ngập khi mưa.';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 100) / 100 : NaN;
};

async function spawnServer(kind) {
  const child = fork(fileURLToPath(new URL('./signaling-server.mjs', import.meta.url)), [kind], { execArgv: ['--expose-gc', ...(process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean)], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue = [];
  const waiting = [];
  child.on('message', (message) => (waiting.length ? waiting.shift()(message) : queue.push(message)));
  const next = () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiting.push(resolve)));
  const ready = await next();
  return {
    kind,
    port: ready.ready,
    authSecret: ready.authSecret,
    async ask(cmd) {
      child.send({ cmd });
      return next();
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ cmd: 'stop' });
      await Promise.race([exited, sleep(5000)]);
      child.kill();
    },
  };
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
  // parsing them, the same way for the three servers, so that it stays out of the measurement as far as it can.
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
    else if (server.kind === 'raw') [counted, mine] = ['"text"', `"from":"${me}"`];
    else [counted, mine] = ['"CANDIDATE"', `"src":"${me}"`];
    state.ws.on('message', (data) => handle(String(data)));
  };
  let n = 0;
  state.send = () =>
    new Promise((resolve) => {
      onEcho = resolve;
      n += 1;
      if (server.kind === 'tiepdan') state.ws.send(JSON.stringify({ v: 1, id: String(n), type: 'chat.send', text: TEXT }));
      else if (server.kind === 'raw') state.ws.send(JSON.stringify({ from: me, n, text: TEXT }));
      else for (const dst of state.peerIds) state.ws.send(JSON.stringify({ type: 'CANDIDATE', dst, payload: { n, text: TEXT } }));
    });
  return state;
}

async function fanOut(kind) {
  const server = await spawnServer(kind);
  try {
    const people = [];
    for (let room = 0; room < ROOMS; room += 1) for (let i = 0; i < PER_ROOM; i += 1) people.push(participant(server, room, i));
    await pool(people.length, 10, (i) => people[i].join());
    await sleep(200);
    let running = true;
    let sent = 0;
    // WINDOW independent loops per participant, each waiting for its own echo before sending again.
    const loops = people.flatMap((p) =>
      Array.from({ length: WINDOW }, async () => {
        while (running) {
          await p.send();
          sent += 1;
        }
      }),
    );
    const startDelivered = people.reduce((sum, p) => sum + p.delivered, 0);
    const started = performance.now();
    await sleep(SECONDS * 1000);
    running = false;
    const elapsed = (performance.now() - started) / 1000;
    const delivered = people.reduce((sum, p) => sum + p.delivered, 0) - startDelivered;
    for (const p of people) p.ws.terminate();
    void Promise.race([Promise.all(loops), sleep(100)]);
    const joins = people.map((p) => p.joinMs);
    return {
      kind,
      fanoutPerSecond: Math.round(delivered / (PER_ROOM - 1) / elapsed),
      deliveriesPerSecond: Math.round(delivered / elapsed),
      joinP50Ms: percentile(joins, 50),
      joinP99Ms: percentile(joins, 99),
      sent,
    };
  } finally {
    await server.stop();
  }
}

async function idleMemory(kind, count) {
  const server = await spawnServer(kind);
  const sockets = [];
  try {
    const before = (await server.ask('mem')).mem;
    await pool(count, 200, async (i) => {
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
    await sleep(500);
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
  const tiepdan = await fanOut('tiepdan');
  const raw = await fanOut('raw');
  const peerjs = await fanOut('peerjs');
  const idle = await idleMemory('tiepdan', IDLE);
  const idleRaw = await idleMemory('raw', IDLE);
  const storm = await reconnectStorm(STORM);
  return {
    setup: { rooms: ROOMS, perRoom: PER_ROOM, seconds: SECONDS, window: WINDOW },
    fanout: { tiepdan, raw, peerjs, ratioVsRawWs: Math.round((tiepdan.fanoutPerSecond / raw.fanoutPerSecond) * 100) / 100, ratioVsPeerjs: Math.round((tiepdan.fanoutPerSecond / peerjs.fanoutPerSecond) * 100) / 100 },
    idleMemory: { tiepdan: idle, raw: idleRaw },
    reconnectStorm: storm,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await benchSignaling();
  console.log(JSON.stringify(result, null, 2));
  const ratio = result.fanout.ratioVsRawWs;
  console.log(`fan-out vs raw ws: ${ratio} (goal ≥ 0.8: ${ratio >= 0.8 ? 'met' : 'NOT met'}); vs PeerJS: ${result.fanout.ratioVsPeerjs}`);
  process.exit(0);
}

if (process.env.BENCH_ONLY === 'fanout') {
  console.log(JSON.stringify(await fanOut(process.env.BENCH_KIND ?? 'tiepdan')));
}
