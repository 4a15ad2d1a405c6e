#!/usr/bin/env node
// Booking throughput: the real server (SQLite, synchronous=FULL, phone HMAC check, capacity counted inside a
// BEGIN IMMEDIATE transaction) on 127.0.0.1:0 with a temp data dir and rate limits off. Many open sessions with
// large capacities and a pool of registrations stored beforehand; autocannon with 100 connections for a bounded
// 10 s posts bookings, each for a registration not yet booked (so nearly every request takes a place). Once the
// pool is used up, further requests get 409 already_booked and count as non2xx. BENCH_SECONDS shortens the run.
// The server runs in its own child process (bench/intake-server.mjs), autocannon here; the server's CPU per
// booking comes from /proc/<pid>/stat.
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { mintToken } from '../packages/server/dist/index.js';
import { BENCH_REGISTRATION } from './server.mjs';
import { machineLoad, round, spawnServer } from './proc.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 100;
const SESSIONS = 50;
const CAPACITY = 500;
const REGISTRATIONS = Number(process.env.BENCH_REGISTRATIONS ?? 10_000);
const UNIT = 'dongthap.sadec';
const PHONE = '0912345678';

const REGISTRATION = { ...BENCH_REGISTRATION, contact: { phone: PHONE } };

async function json(url, body, headers = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

export async function benchBooking() {
  const server = await spawnServer(fileURLToPath(new URL('./intake-server.mjs', import.meta.url)), ['tiepdan']);
  const { url } = server;
  try {
    const api = `${url}/api/v1`;
    const bearer = await mintToken(server.authSecret, { sub: 'bench', role: 'clerk', unit: UNIT });
    const auth = { authorization: `Bearer ${bearer}` };
    const sessions = [];
    for (let i = 0; i < SESSIONS; i += 1) {
      const day = new Date(Date.UTC(2031, 0, 1 + i)).toISOString().slice(0, 10);
      const { session } = await json(`${api}/sessions`, {
        kind: 'regular', host: { role: 'chair', name: 'Chủ tịch' }, level: 'commune', unit: UNIT, venue: 'Trụ sở UBND',
        connectionPoints: ['sadec-ubnd'], startsAt: `${day}T08:00:00+07:00`, endsAt: `${day}T17:00:00+07:00`, capacity: CAPACITY, remoteAllowed: false,
      }, auth);
      await json(`${api}/sessions/${session.id}/publish`, {}, auth);
      sessions.push(session.id);
    }
    // The bench measures booking, not intake.
    const { references } = await server.ask('seed', { count: REGISTRATIONS, phone: PHONE, registration: REGISTRATION });
    let next = 0;
    const cpuBefore = server.cpuMs();
    const result = await autocannon({
      url,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [
        {
          method: 'POST',
          path: '/api/v1/bookings',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => {
            const i = next++;
            const reference = references[i % references.length];
            return { ...request, body: JSON.stringify({ reference, phone: PHONE, sessionId: sessions[i % sessions.length] }) };
          },
        },
      ],
    });
    const cpu = server.cpuMs() - cpuBefore;
    const { value: booked } = await server.ask('sql', { sql: "SELECT COUNT(*) FROM bookings WHERE status = 'booked'" });
    const { value: overbooked } = await server.ask('sql', { sql: "SELECT COUNT(*) FROM (SELECT session_id, COUNT(*) AS n FROM bookings WHERE status = 'booked' GROUP BY session_id) WHERE n > ?", params: [CAPACITY] });
    return {
      requestsPerSec: Math.round(result.requests.average),
      p50ms: result.latency.p50,
      p99ms: result.latency.p99,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      total: result.requests.total,
      cpuMsPerRequest: round(cpu / result.requests.total, 3),
      booked,
      overbookedSessions: overbooked,
      seconds: SECONDS,
      connections: CONNECTIONS,
      sessions: SESSIONS,
      capacity: CAPACITY,
      registrations: REGISTRATIONS,
      ...machineLoad(),
    };
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await benchBooking()));
}
