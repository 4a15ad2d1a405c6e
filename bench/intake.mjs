#!/usr/bin/env node
// Registration intake throughput: the real server (SQLite, synchronous=FULL, validation, idempotency, HMACs)
// on 127.0.0.1:0 with a temp data dir and rate limits off, hit by autocannon with 50 connections for 10 s,
// each request a valid JSON registration with its own Idempotency-Key (so every request stores a row). In the
// same run a bare fastify route (`POST /echo` → 201) hit the same way gives the baseline; the ratio says what
// the intake costs over fastify itself on this machine. BENCH_SECONDS shortens the run.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { BENCH_REGISTRATION, startBenchServer } from './server.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;

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

async function hit(url, path) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json' },
        body: REGISTRATION,
        setupRequest: (request) => ({ ...request, headers: { ...request.headers, 'idempotency-key': uuidv7() } }),
      },
    ],
  });
  return {
    requestsPerSec: Math.round(result.requests.average),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}

export async function benchIntake() {
  const { server, url, dataDir } = await startBenchServer();
  const baseline = Fastify({ logger: false });
  baseline.post('/echo', async (_request, reply) => reply.code(201).send({ ok: true }));
  try {
    const intake = await hit(url, '/api/v1/registrations');
    const stored = server.store.db.prepare('SELECT COUNT(*) FROM registrations').pluck().get();
    const baseUrl = await baseline.listen({ host: '127.0.0.1', port: 0 });
    const bare = await hit(baseUrl, '/echo');
    return {
      ...intake,
      stored,
      seconds: SECONDS,
      connections: CONNECTIONS,
      baseline: bare,
      /** Intake throughput as a fraction of bare fastify's. */
      ratio: Number((intake.requestsPerSec / bare.requestsPerSec).toFixed(3)),
    };
  } finally {
    await server.close();
    await baseline.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await benchIntake()));
}
