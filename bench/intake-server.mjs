#!/usr/bin/env node
// Child process for bench/intake.mjs and bench/booking.mjs: one server kind on 127.0.0.1:0, answering the
// parent over IPC, so autocannon (in the parent) never shares a process, an event loop or a CPU count with it.
//   tiepdan  the real server (SQLite synchronous=FULL, validation, idempotency, HMACs), rate limits off
//   limit    the durable-write limit: a minimal fastify route that parses the JSON and inserts it with its
//            Idempotency-Key into SQLite (WAL, synchronous=FULL) by group commit (one transaction per turn of
//            the event loop), answering 201 only after the commit: what any durable intake costs at least here
//   segments the recording ingest's limit: each POSTed chunk written to its own file, file and folder fsynced
// IPC: {cmd:'count'} → rows stored; {cmd:'sql', sql, params} → the first column of the first row (tiepdan);
// {cmd:'row', sql, params} → the first row; {cmd:'seed', count, phone, registration} → that many registrations stored straight through the store, with
// the phone hashed as the server does (the booking bench measures booking, not intake) → their references;
// {cmd:'stop'} → close and exit.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const kind = process.argv[2];
const require = createRequire(new URL('../packages/server/package.json', import.meta.url));
let url;
let count;
let stop;
let extra = {};
const commands = {};

if (kind === 'tiepdan') {
  const { startBenchServer } = await import('./server.mjs');
  // argv[3]: config values (JSON); argv[4]: a data folder to open (kept on stop), else a temporary one.
  const values = process.argv[3] ? JSON.parse(process.argv[3]) : {};
  const keep = Boolean(process.argv[4]);
  const started = await (keep ? startBenchServer(values, process.argv[4]) : startBenchServer(values));
  url = started.url;
  extra = { authSecret: started.config.authSecret };
  count = () => started.server.store.db.prepare('SELECT COUNT(*) FROM registrations').pluck().get();
  const { deriveKeys, keyedHash } = await import('../packages/server/dist/index.js');
  commands.sql = ({ sql, params = [] }) => ({ value: started.server.store.db.prepare(sql).pluck().get(...params) });
  commands.row = ({ sql, params = [] }) => ({ row: started.server.store.db.prepare(sql).get(...params) });
  commands.seed = async ({ count: n, phone, registration }) => {
    const phoneHash = keyedHash(deriveKeys(started.config.dataKey).phone, `+84${phone.slice(1)}`);
    const references = [];
    for (let i = 0; i < n; i += 1) {
      const { row } = await started.server.store.insertRegistration({
        clientId: `bench-${i}`, contentHash: 'x', unit: registration.unit, kind: registration.kind, phoneHash,
        displayName: registration.identity.fullName, summary: 'bench', groupSize: 1, registration, receivedAt: new Date().toISOString(), attachments: [],
      });
      references.push(row.reference);
    }
    return { references };
  };
  stop = async () => {
    await started.server.close();
    if (!keep) rmSync(started.dataDir, { recursive: true, force: true });
  };
} else if (kind === 'limit') {
  const Fastify = require('fastify');
  const Database = require('better-sqlite3');
  const dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-bench-limit-'));
  const db = new Database(join(dataDir, 'limit.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE registrations (id INTEGER PRIMARY KEY, client_id TEXT NOT NULL UNIQUE, data TEXT NOT NULL, received_at TEXT NOT NULL)');
  const insert = db.prepare('INSERT OR IGNORE INTO registrations (client_id, data, received_at) VALUES (?, ?, ?)');
  const pending = [];
  const flush = db.transaction((batch) => {
    for (const p of batch) p.id = Number(insert.run(p.key, p.data, new Date().toISOString()).lastInsertRowid);
  });
  const app = Fastify({ logger: false });
  app.post('/api/v1/registrations', (request, reply) => {
    pending.push({ key: String(request.headers['idempotency-key']), data: JSON.stringify(request.body), reply });
    if (pending.length === 1)
      setImmediate(() => {
        const batch = pending.splice(0);
        flush(batch);
        for (const p of batch) p.reply.code(201).send({ id: p.id });
      });
  });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  count = () => db.prepare('SELECT COUNT(*) FROM registrations').pluck().get();
  stop = async () => {
    await app.close();
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
} else if (kind === 'segments') {
  // The recording ingest's durable-write limit (bench/recording.mjs closed loop): a bare node:http server that
  // takes each POSTed chunk, writes it to its own file, fsyncs the file and its folder, and answers 200: what
  // storing the same files durably costs at least here (no auth, no SHA-256, no database row, no lease).
  const { createServer } = await import('node:http');
  const { mkdir, open } = await import('node:fs/promises');
  const dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-bench-segments-'));
  const made = new Map();
  let stored = 0;
  // Asynchronous, as the real ingest writes (libuv's pool): chunks of several recorders fsync side by side.
  const durable = async (folder, file, data) => {
    const handle = await open(file, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    const dir = await open(folder, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  };
  const http = createServer((request, response) => {
    const parts = [];
    request.on('data', (part) => parts.push(part));
    request.on('end', async () => {
      const url = new URL(request.url, 'http://x');
      const folder = join(dataDir, url.pathname.split('/')[4] ?? 'x');
      if (!made.has(folder)) made.set(folder, mkdir(folder, { recursive: true }));
      await made.get(folder);
      await durable(folder, join(folder, `e${url.searchParams.get('epoch')}-s${url.searchParams.get('seq')}.chunk`), Buffer.concat(parts));
      stored += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"stored":true}');
    });
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${http.address().port}`;
  count = () => stored;
  stop = async () => {
    await new Promise((resolve) => http.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  };
} else {
  console.error(`unknown kind ${kind}`);
  process.exit(2);
}

process.on('message', async (message) => {
  if (message.cmd === 'count') process.send({ count: count() });
  else if (commands[message.cmd]) process.send(await commands[message.cmd](message));
  else if (message.cmd === 'stop') {
    await stop();
    process.send({ stopped: true });
    process.exit(0);
  }
});
process.send({ ready: true, url, ...extra });
