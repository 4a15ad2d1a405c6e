/**
 * SessionRecorder's rules against a scripted server (an in-memory lease holder and segment store) and a fake
 * MediaRecorder: a standby that is elected records from seq 0 of its new epoch; chunks stay in the store until
 * acknowledged and are all sent after an outage; a chunk the server already has (its acknowledgement was lost)
 * is not sent again; a reloaded page sends what it kept, then records under a new epoch; a fenced recorder stops
 * and keeps what it could not send as orphaned.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { RecorderReply, SegmentAck } from '../src/index.js';
import { IngestError, MemoryChunkStore, SessionRecorder, type IngestClient, type StoredChunk, type TickSource } from '../src/browser.js';

class FakeMediaRecorder extends EventTarget {
  static all: FakeMediaRecorder[] = [];
  static isTypeSupported = () => true;
  state: 'inactive' | 'recording' = 'inactive';
  ondataavailable: ((event: { data: Blob }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly stream: unknown) {
    super();
    FakeMediaRecorder.all.push(this);
  }
  start() {
    this.state = 'recording';
  }
  emit(text: string) {
    this.ondataavailable?.({ data: new Blob([text], { type: 'video/webm' }) });
  }
  /** A timeslice chunk that was already queued when stop() was called: delivered after it, before the final one. */
  queuedAtStop: string | undefined;
  stop() {
    this.state = 'inactive';
    if (this.queuedAtStop) this.emit(this.queuedAtStop);
    this.emit('final');
    queueMicrotask(() => this.dispatchEvent(new Event('stop')));
  }
}
(globalThis as unknown as { MediaRecorder: unknown }).MediaRecorder = FakeMediaRecorder;

/** The coordinator and ingest, in memory: one holder per epoch, fencing, resume points. */
class FakeServer {
  epoch = 0;
  holder: string | undefined;
  state: RecorderReply['state'] = 'recording';
  stored = new Map<string, StoredChunk>();
  uploads: string[] = [];
  network: 'up' | 'down' | 'lose-answers' = 'up';
  alive = new Set<string>();
  /** Uploads that take a while to store (a slow disk, a loaded server). */
  slow = new Set<string>();

  reply(recorderId: string): RecorderReply {
    const active = this.holder === recorderId;
    const seqs = [...this.stored.values()].filter((c) => c.epoch === this.epoch).map((c) => c.seq).sort((a, b) => a - b);
    let nextSeq = 0;
    while (seqs.includes(nextSeq)) nextSeq += 1;
    return {
      recorderId,
      role: active ? 'active' : 'standby',
      epoch: this.epoch,
      leaseMs: 3000,
      heartbeatMs: 1000,
      state: this.state,
      ...(active ? { resume: { epoch: this.epoch, nextSeq, storedAbove: seqs.filter((s) => s > nextSeq), missing: [] } } : {}),
    };
  }
  elect(recorderId: string) {
    this.epoch += 1;
    this.holder = recorderId;
  }
  check() {
    if (this.network === 'down') throw new IngestError(0, 'network');
  }
  client(): IngestClient {
    const server = this;
    return {
      async register(_id: string, recorderId: string) {
        server.check();
        server.alive.add(recorderId);
        if (!server.holder) server.elect(recorderId);
        return server.reply(recorderId);
      },
      async heartbeat(_id: string, recorderId: string) {
        server.check();
        if (!server.holder && server.alive.has(recorderId)) server.elect(recorderId);
        return server.reply(recorderId);
      },
      async leave(_id: string, recorderId: string) {
        server.check();
        server.alive.delete(recorderId);
        if (server.holder === recorderId) server.holder = undefined;
        return server.reply(recorderId);
      },
      async upload(recorderId: string, chunk: StoredChunk): Promise<SegmentAck> {
        server.check();
        if (server.holder !== recorderId || server.epoch !== chunk.epoch) throw new IngestError(409, 'lease_lost');
        const k = `${chunk.epoch}:${chunk.seq}`;
        server.uploads.push(k);
        if (server.slow.has(k)) await settle(40);
        server.stored.set(k, chunk);
        if (server.network === 'lose-answers') throw new IngestError(0, 'network');
        return { ack: { recordingId: chunk.recordingId, epoch: chunk.epoch, seq: chunk.seq, bytes: chunk.bytes, sha256: chunk.sha256, duplicate: false }, missing: [] };
      },
    } as unknown as IngestClient;
  }
}

const ticks = (): TickSource & { fire(): void } => {
  let cb: (() => void) | undefined;
  return { kind: 'timer', start: (_ms, tick) => (cb = tick), stop: () => (cb = undefined), fire: () => cb?.() };
};

const settle = (ms = 20) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await settle(5);
  }
}

let server: FakeServer;
let store: MemoryChunkStore;
beforeEach(() => {
  server = new FakeServer();
  store = new MemoryChunkStore();
  FakeMediaRecorder.all = [];
});

function recorder(recorderId: string, heartbeat = ticks(), s = store) {
  const r = new SessionRecorder({ client: server.client(), store: s, recordingId: 'rec_1', recorderId, stream: () => ({}) as MediaStream, heartbeatTicks: heartbeat });
  return { r, heartbeat };
}

describe('SessionRecorder', () => {
  it('a standby that is elected records from seq 0 of its new epoch', async () => {
    server.elect('other');
    const { r, heartbeat } = recorder('me');
    await r.start();
    assert.equal(r.status.role, 'standby');
    assert.equal(FakeMediaRecorder.all.length, 0, 'a standby does not record');
    server.holder = undefined; // the other recorder's lease lapsed
    heartbeat.fire();
    await until('elected', () => r.status.role === 'active' && r.status.capturing);
    assert.equal(r.status.epoch, 2);
    FakeMediaRecorder.all[0]!.emit('a');
    FakeMediaRecorder.all[0]!.emit('b');
    await until('uploaded', () => r.status.acked === 2);
    assert.deepEqual([...server.stored.keys()].sort(), ['2:0', '2:1']);
    assert.equal(await store.count('rec_1'), 0);
  });

  it('keeps chunks while the network is down and sends each once when it is back', async () => {
    const { r, heartbeat } = recorder('me');
    await r.start();
    const mr = FakeMediaRecorder.all[0]!;
    mr.emit('0');
    await until('first ack', () => r.status.acked === 1);
    server.network = 'down';
    for (const text of ['1', '2', '3']) mr.emit(text);
    await until('kept', async () => (await store.count('rec_1')) === 3 && r.status.alarm === 'offline');
    assert.equal(r.status.pending, 3);
    server.network = 'up';
    heartbeat.fire();
    await until('sent', () => r.status.pending === 0);
    assert.equal(await store.count('rec_1'), 0);
    assert.deepEqual(server.uploads, ['1:0', '1:1', '1:2', '1:3']);
    assert.equal(r.status.alarm, undefined);
  });

  it('does not send again a chunk the server stored when only its acknowledgement was lost', async () => {
    const { r, heartbeat } = recorder('me');
    await r.start();
    server.network = 'lose-answers';
    FakeMediaRecorder.all[0]!.emit('0');
    await until('upload tried', () => server.uploads.length === 1);
    await settle();
    assert.equal(await store.count('rec_1'), 1, 'kept until the server says it has it');
    server.network = 'up';
    heartbeat.fire();
    await until('forgotten via resume', async () => (await store.count('rec_1')) === 0);
    await settle(50);
    assert.deepEqual(server.uploads, ['1:0'], 'not uploaded twice');
  });

  it('after a reload, sends what the previous page kept of its epoch, then records under a new epoch', async () => {
    server.elect('me'); // still holding epoch 1 from the page before
    for (const seq of [0, 1]) server.stored.set(`1:${seq}`, { recordingId: 'rec_1', epoch: 1, seq, data: new Blob(['x']), bytes: 1, sha256: 'x', capturedAt: 0, last: false });
    for (const seq of [1, 2, 3]) await store.put({ recordingId: 'rec_1', epoch: 1, seq, data: new Blob([`k${seq}`]), bytes: 2, sha256: 'k', capturedAt: 0, last: false });
    const { r } = recorder('me');
    await r.start();
    await until('new epoch', () => r.status.epoch === 2 && r.status.capturing, 5000);
    assert.deepEqual(server.uploads, ['1:2', '1:3'], 'seq 1 was already stored: only 2 and 3 are sent');
    assert.equal(await store.count('rec_1'), 0);
    FakeMediaRecorder.all[0]!.emit('new');
    await until('epoch 2 seq 0', () => server.stored.has('2:0'));
  });

  it('stops recording when fenced and keeps what it could not send as orphaned', async () => {
    const { r, heartbeat } = recorder('me');
    await r.start();
    const mr = FakeMediaRecorder.all[0]!;
    server.network = 'down';
    mr.emit('0');
    mr.emit('1');
    await until('kept', async () => (await store.count('rec_1')) === 2);
    server.network = 'up';
    server.elect('other'); // our lease lapsed while we were away
    heartbeat.fire();
    await until('standby', () => r.status.role === 'standby');
    assert.equal(mr.state, 'inactive', 'MediaRecorder stopped');
    assert.equal(r.status.alarm, 'lease_lost');
    await until('orphaned counted', () => r.status.orphaned === 3); // two chunks and MediaRecorder's final one
    assert.equal(r.status.pending, 0);
    assert.equal(await store.count('rec_1'), 3, 'kept on the device, never dropped silently');
    assert.equal(server.uploads.length, 0);
  });

  it('sends the final chunk with last=1 when the session ends, then stops with the recording', async () => {
    const { r, heartbeat } = recorder('me');
    await r.start();
    server.network = 'down'; // chunk 0 is still waiting when the session ends
    FakeMediaRecorder.all[0]!.emit('0');
    await until('kept', async () => (await store.count('rec_1')) === 1);
    server.network = 'up';
    server.slow.add('1:0');
    server.state = 'ending';
    heartbeat.fire();
    await until('final sent', () => [...server.stored.values()].some((c) => c.last));
    const last = [...server.stored.values()].find((c) => c.last)!;
    assert.equal(last.seq, 1);
    assert.deepEqual([...server.stored.keys()], ['1:0', '1:1'], 'the last chunk is stored after every other one');
    server.state = 'finalized';
    heartbeat.fire();
    await until('stopped', () => r.status.role === 'stopped');
  });

  it('takes only the chunk delivered last before stop for the final one, not a timeslice chunk queued at stop()', async () => {
    const { r, heartbeat } = recorder('me');
    await r.start();
    const mr = FakeMediaRecorder.all[0]!;
    mr.emit('0');
    await until('0 stored', () => server.stored.has('1:0'));
    mr.queuedAtStop = 'late timeslice';
    server.state = 'ending';
    heartbeat.fire();
    await until('final sent', () => server.stored.has('1:2'));
    const lasts = [...server.stored.values()].filter((c) => c.last).map((c) => c.seq);
    assert.deepEqual(lasts, [2], 'one last chunk, the final one');
    assert.deepEqual(server.uploads, ['1:0', '1:1', '1:2'], 'the queued timeslice chunk goes before the final one');
    server.state = 'finalized';
    heartbeat.fire();
    await until('stopped', () => r.status.role === 'stopped');
  });
});
