/**
 * A crash in production shape: `tiepdan-server start --supervise` on a fixed port, its worker killed with SIGKILL
 * under chat load. The supervisor starts another worker on the same port, every client resumes in its own place
 * with the missed events replayed, every acknowledged message is in `room_chat` with its number, no number is
 * given to two events, and every client's stream is exactly the events meant for it (no gap, no duplicate).
 * rooms-crash.test.ts is the same crash without the supervisor (a second server started by the test).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { WebSocket } from 'ws';
import { mintToken } from '../src/index.js';
import type { OfficialRole } from '@tiepdan/core';
import { SignalingClient, type WebSocketConstructor } from '@tiepdan/core/browser';
import { freePort, removeDir, tempDir, UNIT } from './helpers.js';
import { until } from './rooms-helpers.js';
import { CHILD_SECRET, startServerProcess, writeConfig, type ServerProcess } from './server-process.js';

const ROOMS = 2;
const ROLES: OfficialRole[] = ['chair', 'clerk', 'official', 'operator'];
/** Requests in flight per client while the load runs. */
const WINDOW = 2;
const ROOM_SETTINGS = { resumeWindowMs: 60_000, eventLogSize: 100_000, messagesPerSecond: 100_000, messageBurst: 100_000 };

const dataDir = tempDir('tiepdan-worker-crash-');
let server: ServerProcess | undefined;
const clients: SignalingClient[] = [];

after(async () => {
  // close(), not drop(): a dropped client would go on reconnecting and keep this process alive.
  await Promise.all(clients.map((c) => c.close()));
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    // The workers too: a killed supervisor's workers would otherwise outlive the test.
    for (const line of server.logs) if (line.msg === 'worker listening') killQuietly(line.worker as number);
    server.child.kill('SIGKILL');
  }
  await server?.exited;
  removeDir(dataDir);
});

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}


interface Tracked {
  client: SignalingClient;
  sessionId: string;
  participantId: string;
  joinSeq: number;
  seqs: number[];
  acked: { messageId: string; seq: number }[];
}

describe('rooms: a worker killed under the supervisor', () => {
  test('SIGKILL to the worker: another takes the same port, everyone resumes in place, nothing acked is lost, no seq reused', async (ctx) => {
    const port = await freePort();
    server = await startServerProcess(writeConfig(dataDir, { port, host: '127.0.0.1', rooms: ROOM_SETTINGS }), { args: ['--supervise'] });
    const firstWorker = server.logs.find((l) => l.msg === 'tiepdan server listening')!.pid as number;
    const url = `ws://127.0.0.1:${port}/ws`;
    // seq → frame, per room, from every client: one number must always mean one event.
    const frames = new Map<string, Map<number, string>>();
    const reused: string[] = [];
    const tracked: Tracked[] = [];
    for (let room = 0; room < ROOMS; room += 1) {
      const sessionId = `worker-crash-${room}`;
      frames.set(sessionId, new Map());
      for (const [i, role] of ROLES.entries()) {
        const token = await mintToken(CHILD_SECRET, { sub: `${role}.${room}.${i}`, role, unit: UNIT });
        const client = new SignalingClient({ url, sessionId, auth: { kind: 'official', token }, WebSocket: WebSocket as unknown as WebSocketConstructor, backoff: { initialMs: 100, maxMs: 500 }, onlineTarget: undefined, requestTimeoutMs: 20_000 });
        clients.push(client);
        const t: Tracked = { client, sessionId, participantId: '', joinSeq: 0, seqs: [], acked: [] };
        client.onEvent((_event, frame) => {
          t.seqs.push(frame.seq);
          const seen = frames.get(sessionId)!;
          const text = JSON.stringify(frame);
          const before = seen.get(frame.seq);
          if (before !== undefined && before !== text) reused.push(`${sessionId} seq ${frame.seq}: ${before} / ${text}`);
          seen.set(frame.seq, text);
        });
        const hello = await client.connect();
        t.joinSeq = hello.room.seq;
        t.participantId = hello.participantId;
        tracked.push(t);
      }
    }

    // Load: every client keeps WINDOW chat messages in flight; a message counts as acked when its result came.
    let load = true;
    let acked = 0;
    const loops = tracked.flatMap((t) =>
      Array.from({ length: WINDOW }, async (_, w) => {
        let n = 0;
        while (load) {
          n += 1;
          try {
            t.acked.push(await t.client.request('chat.send', { text: `${t.sessionId} ${w}.${n}` }));
            acked += 1;
          } catch {
            return; // the worker went away: whatever was in flight is not acknowledged
          }
        }
      }),
    );
    await until(() => acked >= 200, 60_000, '200 acknowledged messages');
    const killedAt = Date.now();
    process.kill(firstWorker, 'SIGKILL');
    load = false;
    await Promise.all(loops);
    const ackedBeforeKill = acked;

    // The replacement boots (TypeScript through tsx here): generous on a loaded machine.
    await until(() => server!.logs.some((l) => l.msg === 'tiepdan server listening' && l.pid !== firstWorker), 120_000, 'a new worker listening');
    assert.ok(server.logs.some((l) => l.msg === 'worker died; starting another' && l.worker === firstWorker), 'the supervisor saw the crash');
    const second = server.logs.find((l) => l.msg === 'tiepdan server listening' && l.pid !== firstWorker)!;
    assert.equal(new URL(second.url as string).port, String(port), 'the replacement listens on the same port');
    await until(() => tracked.every((t) => t.client.state === 'resumed'), 60_000, 'every client resumed');
    const allBackMs = Date.now() - killedAt;
    for (const t of tracked) {
      assert.equal(t.client.participantId, t.participantId, 'resumed in its own place');
      assert.equal(t.client.hello!.resumed, true);
      assert.equal(t.client.hello!.replay, true, 'missed events replayed, not replaced by a snapshot');
    }
    // One message from each after the crash, seen by everyone in its room: the numbers flow on the new worker.
    const last = await Promise.all(tracked.map((t) => t.client.request('chat.send', { text: 'sau sự cố' })));
    tracked.forEach((t, i) => t.acked.push(last[i]!));
    await until(() => tracked.every((t) => tracked.filter((o) => o.sessionId === t.sessionId).every((o) => t.seqs.includes(o.acked.at(-1)!.seq))), 30_000, 'the messages after the crash delivered');
    assert.deepEqual(reused, [], 'no sequence number given to two events');

    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0, 'the supervisor drains the new worker and exits 0');
    const db = new Database(`${dataDir}/tiepdan.sqlite`, { readonly: true });
    try {
      const chat = db.prepare<[string], { message_id: string; seq: number }>('SELECT message_id, seq FROM room_chat WHERE session_id = ?');
      const events = db.prepare<[string], { seq: number; recipients: string; frame: string }>('SELECT seq, recipients, frame FROM room_events WHERE session_id = ? ORDER BY seq');
      for (let room = 0; room < ROOMS; room += 1) {
        const sessionId = `worker-crash-${room}`;
        const inRoom = tracked.filter((x) => x.sessionId === sessionId);
        const stored = new Map(chat.all(sessionId).map((r) => [r.message_id, r.seq]));
        const lost = inRoom.flatMap((t) => t.acked).filter((a) => stored.get(a.messageId) !== a.seq);
        assert.deepEqual(lost, [], `${sessionId}: acknowledged messages missing from room_chat`);
        const log = events.all(sessionId);
        for (const e of log) {
          const seen = frames.get(sessionId)!.get(e.seq);
          if (seen !== undefined) assert.equal(JSON.stringify(JSON.parse(e.frame)), seen, `seq ${e.seq} stored as one event, delivered as another`);
        }
        // Up to the last message everyone saw; what follows is the final shutdown (told to sockets that then close).
        const lastSeq = Math.max(...inRoom.map((x) => x.acked.at(-1)!.seq));
        for (const t of inRoom) {
          const expected = log.filter((e) => e.seq > t.joinSeq && e.seq <= lastSeq && (JSON.parse(e.recipients) as string[]).includes(t.participantId)).map((e) => e.seq);
          assert.deepEqual(t.seqs.filter((seq) => seq <= lastSeq), expected, `${t.participantId}'s stream is exactly the events meant for it`);
        }
      }
    } finally {
      db.close();
    }
    ctx.diagnostic(`worker crash: ${tracked.length} clients, ${ackedBeforeKill} acked before the kill, none lost; all resumed ${allBackMs} ms after the kill`);
  });
});
