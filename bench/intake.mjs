#!/usr/bin/env node
// Registration intake against the durable-write limit, measured from outside. Both servers run in their own
// child process (bench/intake-server.mjs); autocannon runs here, in the parent, so neither server shares its
// event loop or its CPU with the load. Each round hits tiepdan then the limit (the order flips every round) with
// CONNECTIONS connections for BENCH_SECONDS each; every request is a valid registration with its own
// Idempotency-Key (so every request stores a row). Figures are medians over BENCH_ROUNDS (≥ 3) rounds:
// requests/s, latency, and server CPU per request from /proc/<pid>/stat (user + system of the server process
// only). The ratio that counts is tiepdan's requests/s over the limit's, measured in the same rounds.
//   tiepdan  the real server: SQLite synchronous=FULL, validation, idempotency, HMACs, rate limits off
//   limit    a minimal fastify route + group-commit durable insert (WAL, synchronous=FULL), nothing else
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { BENCH_REGISTRATION } from './server.mjs';
import { machineLoad, median, round, spawnServer } from './proc.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 3));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SERVER = fileURLToPath(new URL('./intake-server.mjs', import.meta.url));

const REGISTRATION = JSON.stringify(BENCH_REGISTRATION);

/** RFC 9562 UUID v7, as the citizen's draft would carry. */
function uuidv7() {
  const bytes = randomBytes(16);
  let now = BigInt(Date.now());
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = Number(now & 0xffn);
    now >>= 8n;
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** One bounded autocannon run against `server`, with the server's CPU over the same interval. */
export async function hit(server) {
  const cpuBefore = server.cpuMs();
  const result = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/registrations',
        headers: { 'content-type': 'application/json' },
        body: REGISTRATION,
        setupRequest: (request) => ({ ...request, headers: { ...request.headers, 'idempotency-key': uuidv7() } }),
      },
    ],
  });
  const cpu = server.cpuMs() - cpuBefore;
  const ok = result['2xx'];
  return {
    requestsPerSec: Math.round(ok / SECONDS),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    cpuMsPerRequest: ok ? cpu / ok : NaN,
    serverCpuShare: cpu / (SECONDS * 1000),
    ok,
    bad: result.errors + result.timeouts + result.non2xx,
  };
}

export function summary(runs) {
  return {
    requestsPerSec: Math.round(median(runs.map((r) => r.requestsPerSec))),
    p50ms: median(runs.map((r) => r.p50ms)),
    p99ms: median(runs.map((r) => r.p99ms)),
    cpuMsPerRequest: round(median(runs.map((r) => r.cpuMsPerRequest)), 3),
    serverCpuShare: round(median(runs.map((r) => r.serverCpuShare))),
    bad: runs.reduce((sum, r) => sum + r.bad, 0),
    rounds: runs.map((r) => r.requestsPerSec),
  };
}

export async function benchIntake() {
  const servers = {};
  try {
    servers.tiepdan = await spawnServer(SERVER, ['tiepdan']);
    servers.limit = await spawnServer(SERVER, ['limit']);
    const runs = { tiepdan: [], limit: [] };
    for (let i = 0; i < ROUNDS; i += 1) {
      const order = i % 2 ? ['limit', 'tiepdan'] : ['tiepdan', 'limit'];
      for (const kind of order) runs[kind].push(await hit(servers[kind]));
    }
    const stored = (await servers.tiepdan.ask('count')).count;
    const tiepdan = summary(runs.tiepdan);
    const limit = summary(runs.limit);
    // Every 2xx the bench counted must be a stored row: a fast server that loses rows would not be faster.
    const answered = runs.tiepdan.reduce((sum, r) => sum + r.ok, 0);
    if (stored < answered) throw new Error(`${answered} registrations answered 201 but only ${stored} stored`);
    return {
      setup: { connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, ...machineLoad() },
      tiepdan: { ...tiepdan, stored, answered },
      limit,
      /** tiepdan's throughput over the durable-write limit's (goal ≥ 0.7). */
      ratio: round(tiepdan.requestsPerSec / limit.requestsPerSec, 3),
      /** tiepdan's server CPU per request over the limit's. */
      cpuRatio: round(tiepdan.cpuMsPerRequest / limit.cpuMsPerRequest),
    };
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await benchIntake(), null, 2));
}
