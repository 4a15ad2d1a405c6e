#!/usr/bin/env node
// Child process for bench/signaling.mjs: runs one server kind on 127.0.0.1:0 and answers the parent over IPC,
// so the load generator and the server do not share one event loop. Kinds:
//   tiepdan  the real server (rooms on /ws), rate limits loosened for the bench, temp data dir
//   raw      a bare `ws` server that broadcasts each message to the other sockets of the same ?room=
//   socketio a socket.io 4 server (websocket transport only) that re-emits each message to its ?room= room
//   peerjs   the PeerJS server (`peer`), which relays unicast messages by destination id
// IPC: {cmd:'mem'} → memory after GC; {cmd:'snapshot', path} → a heap snapshot written there (after GC);
// {cmd:'drop'} → cut every socket; {cmd:'stop'} → close and exit.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createRequire } from 'node:module';
import { writeHeapSnapshot } from 'node:v8';

const kind = process.argv[2];
const require = createRequire(new URL('../packages/server/package.json', import.meta.url));
const { WebSocketServer } = require('ws');
let stop;
let drop;
let port;
let extra = {};

if (kind === 'tiepdan') {
  const { roomsOf } = await import('../packages/server/dist/index.js');
  const { startBenchServer } = await import('./server.mjs');
  const authSecret = randomBytes(24).toString('hex');
  const { server, url, dataDir } = await startBenchServer({
    authSecret,
    rooms: { messagesPerSecond: 1_000_000, messageBurst: 1_000_000, heartbeatIntervalMs: 30_000, resumeWindowMs: 120_000, authTimeoutMs: 30_000 },
  });
  port = Number(new URL(url).port);
  extra = { authSecret };
  drop = () => roomsOf(server.app).transport.terminateAll();
  stop = async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
} else if (kind === 'raw') {
  const http = createHttpServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const rooms = new Map();
  wss.on('connection', (ws, request) => {
    const room = new URL(request.url, 'http://x').searchParams.get('room') ?? '';
    let set = rooms.get(room);
    if (!set) rooms.set(room, (set = new Set()));
    set.add(ws);
    ws.on('message', (data) => {
      const text = data.toString();
      for (const peer of set) if (peer.readyState === 1) peer.send(text);
    });
    ws.on('close', () => set.delete(ws));
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = http.address().port;
  drop = () => {
    for (const ws of wss.clients) ws.terminate();
    return wss.clients.size;
  };
  stop = () => new Promise((resolve) => (wss.close(), http.close(() => resolve())));
} else if (kind === 'socketio') {
  const { Server } = await import('socket.io');
  const http = createHttpServer();
  const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
  io.on('connection', (socket) => {
    const room = String(socket.handshake.query.room ?? '');
    socket.join(room);
    socket.on('m', (text) => io.to(room).emit('m', text));
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = http.address().port;
  drop = () => {
    const n = io.engine.clientsCount;
    io.disconnectSockets(true);
    return n;
  };
  stop = () => new Promise((resolve) => io.close(() => resolve()));
} else if (kind === 'peerjs') {
  const { register } = await import('node:module');
  register('./ws8-hooks.mjs', import.meta.url);
  const { PeerServer } = await import('peer');
  const http = await new Promise((resolve) => PeerServer({ port: 0, host: '127.0.0.1', path: '/', concurrent_limit: 100_000, alive_timeout: 600_000 }, resolve));
  port = http.address().port;
  drop = () => 0;
  stop = () => new Promise((resolve) => (http.closeAllConnections?.(), http.close(() => resolve())));
} else {
  console.error(`unknown kind ${kind}`);
  process.exit(2);
}

process.on('message', async (message) => {
  if (message.cmd === 'mem') {
    for (let i = 0; i < 3; i += 1) global.gc?.();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    process.send({ mem: { rss, heapUsed, external, arrayBuffers } });
  } else if (message.cmd === 'snapshot') {
    for (let i = 0; i < 3; i += 1) global.gc?.();
    process.send({ path: writeHeapSnapshot(message.path) });
  } else if (message.cmd === 'drop') {
    process.send({ dropped: drop() });
  } else if (message.cmd === 'stop') {
    await stop();
    process.send({ stopped: true });
    process.exit(0);
  }
});
process.send({ ready: port, ...extra });
