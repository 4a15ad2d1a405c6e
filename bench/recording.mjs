#!/usr/bin/env node
// Recording ingest: the real server (dist) on 127.0.0.1:0 with a temp data dir; N synthetic recorders, each with
// its own recording and lease, send a 250 kB chunk (2 Mbit/s, 1 s timeslice) every second over HTTP: SHA-256 on
// both sides, file fsync + directory fsync + SQLite row (synchronous=FULL) before each ack. The server runs in its
// own child process (bench/intake-server.mjs), the recorders here. N steps 1, 2, 4, 8… for STEP_SECONDS each and
// goes on until the ack p99 passes 500 ms, a chunk fails, or the machine saturates (the server's CPU share
// reaches BENCH_SATURATED, 0.95, or the acks per second stop growing with N); BENCH_MAX_RECORDERS (4096) bounds
// the count. The figure is the largest N whose step passed. Then one recorder is killed mid-stream (its
// in-flight upload aborted), the server is stopped and started again on the same folder, and every
// acknowledged chunk is checked on disk and in SQLite: bytes lost must be 0.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintToken } from '../packages/server/dist/index.js';
import { machineLoad, median, round, spawnServer } from './proc.mjs';

const CHUNK_BYTES = 250_000;
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 6);
const MAX_RECORDERS = Number(process.env.BENCH_MAX_RECORDERS ?? 4096);
const SATURATED = Number(process.env.BENCH_SATURATED ?? 0.95);
const P99_LIMIT_MS = 500;
const UNIT = 'dongthap.sadec';
const SECRET = 'bench-recording-'.repeat(3);

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0;
}

async function post(url, bearer, body, headers = {}) {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, ...headers }, body });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function boot(dataDir) {
  const values = { authSecret: SECRET, recording: { leaseMs: 5000, heartbeatMs: 1000, ffmpeg: false } };
  const server = await spawnServer(fileURLToPath(new URL('./intake-server.mjs', import.meta.url)), ['tiepdan', JSON.stringify(values), dataDir]);
  return { server, api: `${server.url}/api/v1` };
}

/** One synthetic recorder: its recording, its lease, a chunk a second. */
async function recorder(api, clerk, operator, name) {
  const opened = await post(`${api}/recordings`, clerk, JSON.stringify({ sessionId: `bench-${name}`, unit: UNIT }), { 'content-type': 'application/json' });
  const id = opened.recording.id;
  const reply = await post(`${api}/recordings/${id}/recorders`, operator, JSON.stringify({ recorderId: name }), { 'content-type': 'application/json' });
  return { id, name, epoch: reply.epoch, seq: 0, acked: [] };
}

function chunk() {
  const data = randomBytes(CHUNK_BYTES);
  return { data, sha256: createHash('sha256').update(data).digest('hex') };
}

async function send(api, operator, r, signal) {
  const { data, sha256 } = chunk();
  const seq = r.seq++;
  const started = performance.now();
  const q = new URLSearchParams({ recorder: r.name, epoch: String(r.epoch), seq: String(seq), bytes: String(data.length), sha256 });
  const res = await fetch(`${api}/recordings/${r.id}/segments?${q}`, { method: 'POST', headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/octet-stream' }, body: data, signal });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`segment ${seq}: ${res.status} ${JSON.stringify(body)}`);
  r.acked.push({ seq, sha256, bytes: data.length });
  return performance.now() - started;
}

async function step(server, api, clerk, operator, n, stepIndex) {
  const recorders = await Promise.all(Array.from({ length: n }, (_, i) => recorder(api, clerk, operator, `s${stepIndex}-r${i}`)));
  const latencies = [];
  let errors = 0;
  const cpuBefore = server.cpuMs();
  const until = performance.now() + STEP_SECONDS * 1000;
  await Promise.all(
    recorders.map(async (r, i) => {
      // Spread the recorders over the second, like real clients that did not start together.
      await new Promise((resolve) => setTimeout(resolve, (1000 * i) / n));
      while (performance.now() < until) {
        const tick = performance.now();
        try {
          latencies.push(await send(api, operator, r));
        } catch {
          errors += 1;
        }
        const wait = 1000 - (performance.now() - tick);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }),
  );
  const cpu = server.cpuMs() - cpuBefore;
  latencies.sort((a, b) => a - b);
  const bytes = latencies.length * CHUNK_BYTES;
  return {
    recorders: n,
    chunks: latencies.length,
    errors,
    p50: Math.round(percentile(latencies, 50)),
    p99: Math.round(percentile(latencies, 99)),
    max: Math.round(latencies.at(-1) ?? 0),
    mbitPerSecond: Math.round((bytes * 8) / STEP_SECONDS / 1e5) / 10,
    acksPerSecond: round(latencies.length / STEP_SECONDS, 1),
    serverCpuShare: round(cpu / (STEP_SECONDS * 1000)),
    cpuMsPerAck: latencies.length ? round(cpu / latencies.length) : null,
  };
}

/** A recorder killed mid-upload, then the server restarted: is every acknowledged byte still there? */
async function killCheck(dataDir, api, clerk, operator, server) {
  const r = await recorder(api, clerk, operator, 'killed');
  for (let i = 0; i < 5; i += 1) await send(api, operator, r);
  const controller = new AbortController();
  const inflight = send(api, operator, r, controller.signal).catch(() => 'aborted');
  setTimeout(() => controller.abort(), 1);
  await inflight;
  await server.stop();
  const reopened = await boot(dataDir);
  try {
    let lost = 0;
    for (const a of r.acked) {
      const { row } = await reopened.server.ask('row', { sql: 'SELECT sha256, bytes FROM recording_segments WHERE recording_id = ? AND epoch = ? AND seq = ?', params: [r.id, r.epoch, a.seq] });
      let onDisk;
      try {
        onDisk = readFileSync(join(dataDir, 'recordings', r.id, 'segments', `e${String(r.epoch).padStart(6, '0')}-s${String(a.seq).padStart(8, '0')}.chunk`));
      } catch {
        onDisk = undefined;
      }
      const ok = row?.sha256 === a.sha256 && onDisk && createHash('sha256').update(onDisk).digest('hex') === a.sha256;
      if (!ok) lost += a.bytes;
    }
    return { ackedChunks: r.acked.length, ackedBytes: r.acked.reduce((s, a) => s + a.bytes, 0), bytesLost: lost };
  } finally {
    await reopened.server.stop();
  }
}

export async function benchRecording() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-bench-recording-'));
  const started = performance.now();
  let { server, api } = await boot(dataDir);
  try {
    const clerk = await mintToken(SECRET, { sub: 'bench.clerk', role: 'clerk', unit: UNIT });
    const operator = await mintToken(SECRET, { sub: 'bench.operator', role: 'operator', unit: UNIT });
    const steps = [];
    let best = 0;
    let stopped = `reached BENCH_MAX_RECORDERS ${MAX_RECORDERS}`;
    for (let n = 1, i = 0; n <= MAX_RECORDERS; n *= 2, i += 1) {
      const result = await step(server, api, clerk, operator, n, i);
      const previous = steps.at(-1);
      steps.push(result);
      if (result.p99 >= P99_LIMIT_MS || result.errors) {
        stopped = result.errors ? `${result.errors} chunks failed at ${n}` : `p99 ${result.p99} ms ≥ ${P99_LIMIT_MS} ms at ${n}`;
        break;
      }
      best = n;
      // Doubling N no longer adds acks (less than 10 % more) or the server has no CPU left: the machine is the limit.
      if (result.serverCpuShare >= SATURATED || (previous && result.acksPerSecond < previous.acksPerSecond * 1.1)) {
        stopped = `saturated at ${n} (server CPU share ${result.serverCpuShare}, ${result.acksPerSecond} acks/s${previous ? ` after ${previous.acksPerSecond}` : ''})`;
        break;
      }
    }
    const kill = await killCheck(dataDir, api, clerk, operator, server);
    server = undefined;
    return { chunkBytes: CHUNK_BYTES, stepSeconds: STEP_SECONDS, steps, maxRecordersUnder500msP99: best, stopped, kill, totalSeconds: round((performance.now() - started) / 1000, 1), ...machineLoad() };
  } finally {
    if (server) await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const CLOSED_RECORDERS = Number(process.env.BENCH_CLOSED_RECORDERS ?? 16);
const CLOSED_SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CLOSED_ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 3));

/**
 * Closed loop against the durable-write limit: CLOSED_RECORDERS recorders each send their next chunk as soon as
 * the last one is acknowledged, for CLOSED_SECONDS, to tiepdan and to the limit (bench/intake-server.mjs
 * `segments`: the same 250 kB files written and fsynced with their folder, nothing else), alternated over
 * CLOSED_ROUNDS (≥ 3) rounds. Medians of acks/s and server CPU per ack; the ratio is tiepdan's acks/s over the
 * limit's in the same rounds (goal ≥ 0.6). The chunks are drawn once, so the load generator only sends.
 */
export async function benchRecordingClosedLoop() {
  const chunks = Array.from({ length: 8 }, chunk);
  const dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-bench-recording-closed-'));
  const subjects = {};
  try {
    subjects.tiepdan = (await boot(dataDir)).server;
    subjects.limit = await spawnServer(fileURLToPath(new URL('./intake-server.mjs', import.meta.url)), ['segments']);
    const api = `${subjects.tiepdan.url}/api/v1`;
    const clerk = await mintToken(SECRET, { sub: 'bench.clerk', role: 'clerk', unit: UNIT });
    const operator = await mintToken(SECRET, { sub: 'bench.operator', role: 'operator', unit: UNIT });
    const runs = { tiepdan: [], limit: [] };
    for (let round_ = 0; round_ < CLOSED_ROUNDS; round_ += 1) {
      for (const kind of round_ % 2 ? ['limit', 'tiepdan'] : ['tiepdan', 'limit']) {
        const server = subjects[kind];
        const base = kind === 'tiepdan' ? api : `${server.url}/api/v1`;
        // Fresh recordings and leases each round for tiepdan; the limit only needs distinct file names.
        const recorders = kind === 'tiepdan'
          ? await Promise.all(Array.from({ length: CLOSED_RECORDERS }, (_, i) => recorder(api, clerk, operator, `c${round_}-r${i}`)))
          : Array.from({ length: CLOSED_RECORDERS }, (_, i) => ({ id: `c${round_}-r${i}`, name: `c${round_}-r${i}`, epoch: 1, seq: 0 }));
        let acks = 0;
        let errors = 0;
        const latencies = [];
        const cpuBefore = server.cpuMs();
        const started = performance.now();
        const until = started + CLOSED_SECONDS * 1000;
        await Promise.all(
          recorders.map(async (r, i) => {
            while (performance.now() < until) {
              const { data, sha256 } = chunks[(r.seq + i) % chunks.length];
              const seq = r.seq++;
              const q = new URLSearchParams({ recorder: r.name, epoch: String(r.epoch), seq: String(seq), bytes: String(data.length), sha256 });
              const tick = performance.now();
              const res = await fetch(`${base}/recordings/${r.id}/segments?${q}`, { method: 'POST', headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/octet-stream' }, body: data });
              await res.arrayBuffer();
              if (res.status === 200) (acks += 1), latencies.push(performance.now() - tick);
              else errors += 1;
            }
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        const cpu = server.cpuMs() - cpuBefore;
        latencies.sort((a, b) => a - b);
        runs[kind].push({ acksPerSecond: acks / seconds, cpuMsPerAck: acks ? cpu / acks : NaN, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors });
      }
    }
    const summary = (list) => ({
      acksPerSecond: round(median(list.map((r) => r.acksPerSecond)), 1),
      cpuMsPerAck: round(median(list.map((r) => r.cpuMsPerAck)), 3),
      p50Ms: round(median(list.map((r) => r.p50)), 1),
      p99Ms: round(median(list.map((r) => r.p99)), 1),
      errors: list.reduce((sum, r) => sum + r.errors, 0),
      rounds: list.map((r) => round(r.acksPerSecond, 1)),
    });
    const tiepdan = summary(runs.tiepdan);
    const limit = summary(runs.limit);
    return {
      setup: { recorders: CLOSED_RECORDERS, chunkBytes: CHUNK_BYTES, seconds: CLOSED_SECONDS, rounds: CLOSED_ROUNDS, ...machineLoad() },
      tiepdan,
      limit,
      /** tiepdan's acks/s over the write+fsync limit's, same rounds (goal ≥ 0.6). */
      ratio: round(tiepdan.acksPerSecond / limit.acksPerSecond, 3),
      cpuRatio: round(tiepdan.cpuMsPerAck / limit.cpuMsPerAck),
    };
  } finally {
    await Promise.all(Object.values(subjects).map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // BENCH_ONLY=closed: the closed loop against write+fsync alone.
  if (process.env.BENCH_ONLY === 'closed') console.log(JSON.stringify(await benchRecordingClosedLoop(), null, 2));
  else console.log(JSON.stringify(await benchRecording(), null, 2));
}
