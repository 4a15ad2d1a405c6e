#!/usr/bin/env node
// `npm run bench:cluster`: what a second node and PostgreSQL change, loopback only, bounded in count and time.
// Every server runs in its own child process (bench/cluster-server.mjs); the load comes from this one.
//   1. Fan-out, same load on each setup: BENCH_ROOMS (20) rooms × 6 officials, each with BENCH_WINDOW (16) chat
//      messages in flight for BENCH_SECONDS (4); a delivery counts when another participant got the message.
//        one        one node, bus "memory" (the one-ward default)
//        one-redis  one node, bus "redis" (what a cluster costs before there is a second node)
//        two        two nodes on one Redis and one data folder; the participants of each room alternate between
//                   the nodes (a load balancer without stickiness), so half of every room's traffic crosses Redis
//      The setups run in turn, the order rotating, over BENCH_ROUNDS (≥ 3) rounds; medians, and server CPU per
//      delivery (both nodes' CPU summed for "two").
//   2. Intake: autocannon POSTs valid registrations (each its own Idempotency-Key, so each stores a row) with
//      BENCH_CONNECTIONS (50) connections for BENCH_SECONDS, against the real server on SQLite (synchronous=FULL)
//      and on a real PostgreSQL started here (Debian's binaries, fsync and synchronous_commit on, as a
//      deployment runs it), alternated over the same number of rounds; requests/s and p99, medians.
// It needs redis-server and PostgreSQL (/usr/lib/postgresql/<v>/bin) on this machine, as CI installs them; a part
// whose server is missing is reported as skipped with the reason. On a shared machine only same-run ratios mean
// anything: the machine's load is printed beside them.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintToken } from '../packages/server/dist/index.js';
import { hit, summary } from './intake.mjs';
import { freePort, machineLoad, median, round, sleep, spawnServer } from './proc.mjs';

const require = createRequire(new URL('../packages/server/package.json', import.meta.url));
const { WebSocket } = require('ws');
const { Redis } = require('ioredis');
const pg = require('pg');

const ROOMS = Number(process.env.BENCH_ROOMS ?? 20);
const PER_ROOM = 6;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 3));
const WINDOW = Number(process.env.BENCH_WINDOW ?? 16);
const TEXT = 'Kiến nghị sửa chữa đoạn đường trước chợ Sa Đéc bị ngập khi mưa.';
const SERVER = fileURLToPath(new URL('./cluster-server.mjs', import.meta.url));
const ROOM_SETTINGS = { messagesPerSecond: 1_000_000, messageBurst: 1_000_000, heartbeatIntervalMs: 30_000, resumeWindowMs: 120_000, authTimeoutMs: 30_000 };


// ------------------------------------------------------------------------------------------ servers the bench starts

async function startRedis() {
  if (spawnSync('redis-server', ['--version']).status !== 0) return { skipped: 'redis-server not found on PATH (apt-get install redis-server)' };
  const dir = mkdtempSync(join(tmpdir(), 'tiepdan-bench-redis-'));
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
  probe.on('error', () => undefined);
  await probe.ping();
  await probe.quit();
  return {
    url,
    flush: async () => {
      const c = new Redis(url);
      await c.flushall();
      await c.quit();
    },
    stop: () => (child.kill('SIGKILL'), rmSync(dir, { recursive: true, force: true })),
  };
}

async function startPostgres() {
  const root = '/usr/lib/postgresql';
  const version = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  if (!version) return { skipped: `PostgreSQL binaries not found under ${root} (apt-get install postgresql)` };
  const bin = join(root, version, 'bin');
  const asRoot = process.getuid?.() === 0;
  const run = (tool, args) => execFileSync(asRoot ? '/usr/sbin/runuser' : join(bin, tool), asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  const dir = mkdtempSync(join(tmpdir(), 'tiepdan-bench-pg-'));
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()));
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'tiepdan', '-A', 'trust', '-E', 'UTF8', '--locale=C']);
  // Durable as deployed (fsync, synchronous_commit on: the defaults), like SQLite's synchronous=FULL here.
  run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=100`, 'start']);
  const base = `postgres://tiepdan@127.0.0.1:${port}`;
  return {
    async createDatabase() {
      const name = `bench_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: `${base}/postgres` });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      return `${base}/${name}`;
    },
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// ------------------------------------------------------------------------------------------ fan-out

/** One official in room `room`, on the node at `port`; send() resolves when its own copy comes back. */
function participant(port, authSecret, room, index) {
  const state = { delivered: 0 };
  let onEcho;
  let mine;
  state.join = async () => {
    const token = await mintToken(authSecret, { sub: `bench.${room}.${index}`, role: 'official', unit: 'bench' });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    const reply = await new Promise((resolve) => {
      ws.once('message', (data) => resolve(JSON.parse(String(data))));
      ws.send(JSON.stringify({ v: 1, id: 'hello', type: 'hello', sessionId: `bench-${room}`, auth: { kind: 'official', token } }));
    });
    if (reply.type !== 'result') throw new Error(`hello refused: ${JSON.stringify(reply)}`);
    mine = `"from":"${reply.result.participantId}"`;
    // Frames are recognised by substring, the same way for every setup, to keep the generator light.
    ws.on('message', (data) => {
      const text = String(data);
      if (!text.includes('"chat.message"')) return;
      if (text.includes(mine)) onEcho?.();
      else state.delivered += 1;
    });
    state.ws = ws;
  };
  let n = 0;
  state.send = () =>
    new Promise((resolve) => {
      onEcho = resolve;
      n += 1;
      state.ws.send(JSON.stringify({ v: 1, id: String(n), type: 'chat.send', text: TEXT }));
    });
  return state;
}

async function startSetup(setup, redis) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-bench-cluster-'));
  const shared = { dataDir, authSecret: randomBytes(24).toString('hex'), dataKey: randomBytes(32).toString('base64'), rooms: ROOM_SETTINGS };
  const bus = (nodeId) => (setup === 'one' ? {} : { bus: { kind: 'redis', url: redis.url, leaseMs: 3000, nodeId } });
  const nodes = [await spawnServer(SERVER, ['node', JSON.stringify({ ...shared, ...bus('bench-a') })])];
  // The second node after the first has migrated the shared database.
  if (setup === 'two') nodes.push(await spawnServer(SERVER, ['node', JSON.stringify({ ...shared, ...bus('bench-b') })]));
  return {
    nodes,
    authSecret: shared.authSecret,
    cpuMs: () => nodes.reduce((sum, n) => sum + n.cpuMs(), 0),
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      rmSync(dataDir, { recursive: true, force: true });
      if (setup !== 'one') await redis.flush();
    },
  };
}

async function fanOut(setup, redis) {
  const cluster = await startSetup(setup, redis);
  const people = [];
  try {
    for (let room = 0; room < ROOMS; room += 1)
      for (let i = 0; i < PER_ROOM; i += 1) people.push(participant(cluster.nodes[i % cluster.nodes.length].port, cluster.authSecret, room, i));
    // Joins a room at a time, its first participant first (so each room is made once, on the first one's node).
    for (let room = 0; room < ROOMS; room += 1) {
      const members = people.slice(room * PER_ROOM, (room + 1) * PER_ROOM);
      await members[0].join();
      await Promise.all(members.slice(1).map((p) => p.join()));
    }
    await sleep(200);
    const startDelivered = people.reduce((sum, p) => sum + p.delivered, 0);
    const cpuBefore = cluster.cpuMs();
    const started = performance.now();
    let running = true;
    const loops = people.flatMap((p) =>
      Array.from({ length: WINDOW }, async () => {
        while (running) await p.send();
      }),
    );
    await sleep(SECONDS * 1000);
    running = false;
    const elapsed = (performance.now() - started) / 1000;
    const cpu = cluster.cpuMs() - cpuBefore;
    const delivered = people.reduce((sum, p) => sum + p.delivered, 0) - startDelivered;
    void Promise.race([Promise.all(loops), sleep(100)]);
    return { deliveriesPerSecond: Math.round(delivered / elapsed), cpuUsPerDelivery: delivered ? round((cpu * 1000) / delivered) : null, serverCpuShare: round(cpu / (elapsed * 1000)) };
  } finally {
    for (const p of people) p.ws?.terminate();
    await cluster.stop();
  }
}

function medians(runs) {
  return {
    deliveriesPerSecond: Math.round(median(runs.map((r) => r.deliveriesPerSecond))),
    cpuUsPerDelivery: round(median(runs.map((r) => r.cpuUsPerDelivery))),
    serverCpuShare: round(median(runs.map((r) => r.serverCpuShare))),
    rounds: runs.map((r) => r.deliveriesPerSecond),
  };
}

async function benchFanOut(redis) {
  if (redis.skipped) return { skipped: redis.skipped };
  const setups = ['one', 'one-redis', 'two'];
  const runs = Object.fromEntries(setups.map((s) => [s, []]));
  for (let i = 0; i < ROUNDS; i += 1) {
    const order = [...setups.slice(i % setups.length), ...setups.slice(0, i % setups.length)];
    for (const setup of order) runs[setup].push(await fanOut(setup, redis));
  }
  const result = Object.fromEntries(setups.map((s) => [s, medians(runs[s])]));
  return {
    setup: { rooms: ROOMS, perRoom: PER_ROOM, window: WINDOW, seconds: SECONDS, rounds: ROUNDS, ...machineLoad() },
    ...result,
    /** Deliveries/s on two nodes over one node (memory bus), same load. */
    twoVsOne: round(result.two.deliveriesPerSecond / result.one.deliveriesPerSecond, 3),
    twoVsOneRedis: round(result.two.deliveriesPerSecond / result['one-redis'].deliveriesPerSecond, 3),
    oneRedisVsOne: round(result['one-redis'].deliveriesPerSecond / result.one.deliveriesPerSecond, 3),
  };
}

// ------------------------------------------------------------------------------------------ intake

async function benchIntakeStores(postgres) {
  if (postgres.skipped) return { skipped: postgres.skipped };
  const servers = {};
  try {
    servers.sqlite = await spawnServer(SERVER, ['intake', 'sqlite']);
    servers.postgres = await spawnServer(SERVER, ['intake', 'postgres', await postgres.createDatabase()]);
    const runs = { sqlite: [], postgres: [] };
    for (let i = 0; i < ROUNDS; i += 1) {
      const order = i % 2 ? ['postgres', 'sqlite'] : ['sqlite', 'postgres'];
      for (const kind of order) runs[kind].push(await hit(servers[kind]));
    }
    const out = {};
    for (const kind of ['sqlite', 'postgres']) {
      const stored = (await servers[kind].ask('count')).count;
      const answered = runs[kind].reduce((sum, r) => sum + r.ok, 0);
      // Every 2xx counted must be a stored row: a store that loses rows would not be faster.
      if (stored < answered) throw new Error(`${kind}: ${answered} registrations answered 201 but only ${stored} stored`);
      out[kind] = { ...summary(runs[kind]), stored, answered };
    }
    return {
      setup: { connections: Number(process.env.BENCH_CONNECTIONS ?? 50), seconds: Number(process.env.BENCH_SECONDS ?? 10), rounds: ROUNDS, ...machineLoad() },
      ...out,
      /** PostgreSQL's requests/s over SQLite's, same rounds. */
      postgresVsSqlite: round(out.postgres.requestsPerSec / out.sqlite.requestsPerSec, 3),
      p99PostgresVsSqlite: round(out.postgres.p99ms / out.sqlite.p99ms, 2),
    };
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  }
}

const redis = await startRedis();
const postgres = await startPostgres();
try {
  const fanout = await benchFanOut(redis);
  const intake = await benchIntakeStores(postgres);
  console.log(JSON.stringify({ fanout, intake }, null, 2));
  if (!fanout.skipped) console.log(`fan-out, same load: two nodes / one node = ${fanout.twoVsOne} (deliveries/s ${fanout.two.deliveriesPerSecond} vs ${fanout.one.deliveriesPerSecond}; one node on redis ${fanout['one-redis'].deliveriesPerSecond})`);
  else console.log(`fan-out skipped: ${fanout.skipped}`);
  if (!intake.skipped) console.log(`intake: postgres / sqlite = ${intake.postgresVsSqlite} req/s (${intake.postgres.requestsPerSec} vs ${intake.sqlite.requestsPerSec}); p99 ${intake.postgres.p99ms} ms vs ${intake.sqlite.p99ms} ms`);
  else console.log(`intake skipped: ${intake.skipped}`);
} finally {
  redis.stop?.();
  postgres.stop?.();
}
