#!/usr/bin/env node
// Child process for bench/cluster.mjs: one tiepdan server on 127.0.0.1:0, answering the parent over IPC, so the
// load (in the parent) never shares its event loop or CPU count with a server.
//   node <values JSON>      the real server with these config values (the parent gives every node of a cluster
//                           the same data folder, secrets and Redis, and each its own bus.nodeId)
//   intake sqlite|postgres [url]
//                           the real server for the intake bench, on SQLite or on PostgreSQL as configured
//                           (`store: { kind: 'postgres', url, poolSize: 20 }`: every capability is on it).
// IPC: {cmd:'count'} → registrations stored; {cmd:'stop'} → close and exit.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, loadConfig } from '../packages/server/dist/index.js';

const [kind, arg, url] = process.argv.slice(2);

function config(values) {
  return loadConfig({
    env: {},
    warn: () => {},
    values: {
      mode: 'development',
      port: 0,
      logLevel: 'silent',
      rateLimits: { enabled: false },
      authSecret: randomBytes(24).toString('hex'),
      dataKey: randomBytes(32).toString('base64'),
      ...values,
    },
  });
}

let server;
let count;
let cleanup = async () => undefined;
if (kind === 'node') {
  server = await createServer(config(JSON.parse(arg)));
  count = async () => server.store.db.prepare('SELECT COUNT(*) FROM registrations').pluck().get();
} else if (kind === 'intake') {
  const dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-bench-cluster-'));
  const values = { dataDir, schedule: { provisionalShare: 1, provisionalPerPhone: 0 } };
  if (arg === 'postgres') {
    server = await createServer(config({ ...values, store: { kind: 'postgres', url, poolSize: 20 } }));
    count = async () => Number((await server.store.pool.query('SELECT COUNT(*) AS n FROM registrations')).rows[0].n);
  } else {
    server = await createServer(config(values));
    count = async () => server.store.db.prepare('SELECT COUNT(*) FROM registrations').pluck().get();
  }
  cleanup = async () => rmSync(dataDir, { recursive: true, force: true });
} else {
  console.error(`unknown kind ${kind}`);
  process.exit(2);
}
const listening = await server.start();

process.on('message', async (message) => {
  if (message.cmd === 'count') process.send({ count: await count() });
  else if (message.cmd === 'stop') {
    await server.close();
    await cleanup();
    process.send({ stopped: true });
    process.exit(0);
  }
});
process.send({ ready: true, url: listening, port: Number(new URL(listening).port) });
