/**
 * The server killed with SIGKILL under chat load, then started again on the same data folder and port: every
 * chat message the server acknowledged is in `room_chat` with the number it was acknowledged with, no number
 * is ever given to two events, and every client's event stream (through the core SignalingClient, which
 * resumes by itself) is exactly the events meant for it: no gap, no duplicate, in order.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { WebSocket } from 'ws';
import { mintToken } from '../src/index.js';
import type { OfficialRole } from '@tiepdan/core';
import { SignalingClient, type SignalingState, type WebSocketConstructor } from '@tiepdan/core/browser';
import { removeDir, tempDir, UNIT } from './helpers.js';
import { until } from './rooms-helpers.js';
import { CHILD_SECRET, startServerProcess, writeConfig, type ServerProcess } from './server-process.js';

const ROOMS = 3;
const ROLES: OfficialRole[] = ['chair', 'clerk', 'official', 'operator', 'official'];
/** Requests in flight per client while the load runs. */
const WINDOW = 3;
const ROOM_SETTINGS = { resumeWindowMs: 60_000, eventLogSize: 100_000, messagesPerSecond: 100_000, messageBurst: 100_000 };

const dataDir = tempDir('tiepdan-crash-');
const servers: ServerProcess[] = [];
const clients: SignalingClient[] = [];

after(async () => {
  // close(), not drop(): a dropped client would go on reconnecting and keep this process alive.
  await Promise.all(clients.map((c) => c.close()));
  for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.exited));
  removeDir(dataDir);
});

interface Tracked {
  client: SignalingClient;
  sessionId: string;
  joinSeq: number;
  seqs: number[];
  states: SignalingState[];
  acked: { messageId: string; seq: number }[];
}

describe('rooms: kill -9 under chat load', () => {
  test('every acked message is stored, no seq is reused, every stream is whole', async () => {
    let server = await startServerProcess(writeConfig(dataDir, { rooms: ROOM_SETTINGS }));
    servers.push(server);
    const port = Number(new URL(server.url).port);
    const url = `ws://127.0.0.1:${port}/ws`;
    // seq → frame, per room, from every client: one number must always mean one event.
    const frames = new Map<string, Map<number, string>>();
    const reused: string[] = [];
    const tracked: Tracked[] = [];
    for (let room = 0; room < ROOMS; room += 1) {
      const sessionId = `crash-${room}`;
      frames.set(sessionId, new Map());
      for (const [i, role] of ROLES.entries()) {
        const token = await mintToken(CHILD_SECRET, { sub: `${role}.${room}.${i}`, role, unit: UNIT });
        const client = new SignalingClient({
          url,
          sessionId,
          auth: { kind: 'official', token },
          WebSocket: WebSocket as unknown as WebSocketConstructor,
          backoff: { initialMs: 100, maxMs: 500 },
          onlineTarget: undefined,
          requestTimeoutMs: 20_000,
        });
        clients.push(client);
        const t: Tracked = { client, sessionId, joinSeq: 0, seqs: [], states: [], acked: [] };
        client.onState((state) => t.states.push(state));
        client.onEvent((_event, frame) => {
          t.seqs.push(frame.seq);
          const seen = frames.get(sessionId)!;
          const text = JSON.stringify(frame);
          const before = seen.get(frame.seq);
          if (before !== undefined && before !== text) reused.push(`${sessionId} seq ${frame.seq}: ${before} / ${text}`);
          seen.set(frame.seq, text);
        });
        t.joinSeq = (await client.connect()).room.seq;
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
            const result = await t.client.request('chat.send', { text: `${t.sessionId} ${w}.${n}` });
            t.acked.push(result);
            acked += 1;
          } catch {
            return; // the server went away: whatever was in flight is not acknowledged
          }
        }
      }),
    );
    await until(() => acked >= 600, 60_000, '600 acknowledged messages');
    server.child.kill('SIGKILL');
    await server.exited;
    load = false;
    await Promise.all(loops);
    const ackedBeforeKill = acked;

    server = await startServerProcess(writeConfig(dataDir, { port, rooms: ROOM_SETTINGS }));
    servers.push(server);
    await until(() => tracked.every((t) => t.client.state === 'resumed'), 60_000, 'every client resumed');
    for (const t of tracked) {
      assert.equal(t.client.hello!.resumed, true);
      assert.equal(t.client.hello!.replay, true, 'missed events replayed, not replaced by a snapshot');
    }
    // One message from each after the restart, and everyone sees everyone's: the new numbers flow.
    const after = await Promise.all(tracked.map((t) => t.client.request('chat.send', { text: 'sau sự cố' })));
    tracked.forEach((t, i) => t.acked.push(after[i]!));
    await until(
      () => tracked.every((t) => tracked.filter((o) => o.sessionId === t.sessionId).every((o) => t.seqs.includes(o.acked.at(-1)!.seq))),
      30_000,
      'the messages after the restart delivered',
    );

    assert.deepEqual(reused, [], 'no sequence number given to two events');
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    const db = new Database(`${dataDir}/tiepdan.sqlite`, { readonly: true });
    try {
      const chat = db.prepare<[string], { message_id: string; seq: number }>('SELECT message_id, seq FROM room_chat WHERE session_id = ?');
      const events = db.prepare<[string], { seq: number; recipients: string; frame: string }>('SELECT seq, recipients, frame FROM room_events WHERE session_id = ? ORDER BY seq');
      let lost = 0;
      for (let room = 0; room < ROOMS; room += 1) {
        const sessionId = `crash-${room}`;
        const stored = new Map(chat.all(sessionId).map((r) => [r.message_id, r.seq]));
        for (const t of tracked.filter((x) => x.sessionId === sessionId)) for (const a of t.acked) if (stored.get(a.messageId) !== a.seq) lost += 1;
      }
      assert.equal(lost, 0, `${lost} of ${ackedBeforeKill} messages acknowledged before the kill are missing`);
      for (let room = 0; room < ROOMS; room += 1) {
        const sessionId = `crash-${room}`;
        const log = events.all(sessionId);
        const lastSeq = Math.max(...tracked.filter((x) => x.sessionId === sessionId).map((x) => x.acked.at(-1)!.seq));
        for (const e of log) {
          const seen = frames.get(sessionId)!.get(e.seq);
          if (seen !== undefined) assert.equal(JSON.stringify(JSON.parse(e.frame)), seen, `seq ${e.seq} stored as one event, delivered as another`);
        }
        for (const t of tracked.filter((x) => x.sessionId === sessionId)) {
          const id = t.client.participantId!;
          // Up to the last message everyone saw; what follows is the final shutdown (told to sockets that then close).
          const expected = log.filter((e) => e.seq > t.joinSeq && e.seq <= lastSeq && (JSON.parse(e.recipients) as string[]).includes(id)).map((e) => e.seq);
          const received = t.seqs.filter((seq) => seq <= lastSeq);
          assert.deepEqual(received, expected, `${id}'s stream is exactly the events meant for it`);
        }
      }
    } finally {
      db.close();
    }
  });
});
