/**
 * The server killed with SIGKILL under chat load, then started again on the same data folder and port: every
 * chat message the server acknowledged is in `room_chat` with the number it was acknowledged with, no number
 * is ever given to two events, and every client's event stream (through the core SignalingClient, which
 * resumes by itself) is exactly the events meant for it: no gap, no duplicate, in order. Run on each store: SQLite
 * in the data folder, and PostgreSQL (a real server the test starts, pg-server.ts) named by the config's `store`,
 * where what the server acknowledged must have been committed on the database before the ack left.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { mintToken } from '../src/index.js';
import type { OfficialRole } from '@tiepdan/core';
import { SignalingClient, type SignalingState, type WebSocketConstructor } from '@tiepdan/core/browser';
import { removeDir, tempDir, UNIT } from './helpers.js';
import { ROOM_STORES, stopRoomStores } from './room-stores.js';
import { until } from './rooms-helpers.js';
import { CHILD_SECRET, startServerProcess, writeConfig, type ServerProcess } from './server-process.js';

const ROOMS = 3;
const ROLES: OfficialRole[] = ['chair', 'clerk', 'official', 'operator', 'official'];
/** Requests in flight per client while the load runs. */
const WINDOW = 3;
const ROOM_SETTINGS = { resumeWindowMs: 60_000, eventLogSize: 100_000, messagesPerSecond: 100_000, messageBurst: 100_000 };

const servers: ServerProcess[] = [];
const clients: SignalingClient[] = [];
const dataDirs: string[] = [];

after(async () => {
  // close(), not drop(): a dropped client would go on reconnecting and keep this process alive.
  await Promise.all(clients.map((c) => c.close()));
  for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.exited));
  await stopRoomStores();
  for (const dir of dataDirs) removeDir(dir);
});

interface Tracked {
  client: SignalingClient;
  sessionId: string;
  joinSeq: number;
  seqs: number[];
  states: SignalingState[];
  acked: { messageId: string; seq: number }[];
}

for (const store of ROOM_STORES) describe(`rooms: kill -9 under chat load (${store.name})`, { skip: store.unavailable }, () => {
  test('every acked message is stored, no seq is reused, every stream is whole', async () => {
    const dataDir = tempDir('tiepdan-crash-');
    dataDirs.push(dataDir);
    const opened = await store.open(dataDir);
    let server = await startServerProcess(writeConfig(dataDir, { ...opened.values, rooms: ROOM_SETTINGS }));
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

    server = await startServerProcess(writeConfig(dataDir, { ...opened.values, port, rooms: ROOM_SETTINGS }));
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
    try {
      const chat = async (sessionId: string) =>
        (await opened.rows(`SELECT message_id, CAST(seq AS INTEGER) AS seq FROM room_chat WHERE session_id = '${sessionId}'`)) as { message_id: string; seq: number }[];
      const events = async (sessionId: string) =>
        (await opened.rows(`SELECT CAST(seq AS INTEGER) AS seq, recipients, frame FROM room_events WHERE session_id = '${sessionId}' ORDER BY seq`)) as { seq: number; recipients: string; frame: string }[];
      let lost = 0;
      for (let room = 0; room < ROOMS; room += 1) {
        const sessionId = `crash-${room}`;
        const stored = new Map((await chat(sessionId)).map((r) => [r.message_id, r.seq]));
        for (const t of tracked.filter((x) => x.sessionId === sessionId)) for (const a of t.acked) if (stored.get(a.messageId) !== a.seq) lost += 1;
      }
      assert.equal(lost, 0, `${lost} of ${ackedBeforeKill} messages acknowledged before the kill are missing`);
      for (let room = 0; room < ROOMS; room += 1) {
        const sessionId = `crash-${room}`;
        const log = await events(sessionId);
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
      await opened.close();
      // This run's clients stop reconnecting to the stopped server before the next store's run.
      await Promise.all(tracked.map((t) => t.client.close()));
    }
  });
});
