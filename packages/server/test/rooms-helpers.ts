/**
 * Helpers for the rooms tests: a real server with short windows, raw `ws` clients that speak the protocol
 * frame by frame (so tests see exactly what goes over the wire), and token minting for every role.
 */
import { WebSocket } from 'ws';
import type { OfficialRole } from '@tiepdan/core';
import { mintJoinToken, mintToken, type ConfigInput } from '../src/index.js';
import type { RoomSettings } from '../src/rooms/room-data.js';
import { startServer, testConfig, type TestServer } from './helpers.js';

/** A RoomHost's settings for the tests that build one directly (no server): the defaults' shape, no connection points. */
export const HOST_SETTINGS: RoomSettings = {
  resumeWindowMs: 60_000,
  hideObserversFromCitizens: true,
  eventLogSize: 1000,
  heartbeatIntervalMs: 2500,
  heartbeatTimeoutMs: 6000,
  maxFrameBytes: 65_536,
  messagesPerSecond: 100,
  connectionPoints: new Map(),
};

export const FAST_ROOMS = {
  resumeWindowMs: 1500,
  // Short so the AUTH_TIMEOUT test is quick, not so short that a hello sent at once misses it on a loaded machine.
  authTimeoutMs: 2000,
  heartbeatIntervalMs: 300,
  messagesPerSecond: 10_000,
  messageBurst: 10_000,
} satisfies ConfigInput['rooms'];

/** Units and their connection points as configured: rooms take a point's name and unit from here, never from a hello. */
export const ROOM_UNITS = [
  {
    code: 'dongthap.sadec',
    name: 'UBND phường Sa Đéc',
    provinceCode: '82',
    communes: [{ code: '29869', name: 'Phường Sa Đéc' }],
    connectionPoints: [{ id: 'sadec-ubnd', name: 'Trụ sở UBND phường Sa Đéc' }],
  },
  { code: 'dongthap', name: 'UBND tỉnh Đồng Tháp', provinceCode: '82', connectionPoints: [{ id: 'tinh-dongthap', name: 'Điểm cầu tỉnh Đồng Tháp' }] },
  { code: 'dongthap.caolanh', name: 'UBND phường Cao Lãnh', provinceCode: '82', connectionPoints: [{ id: 'caolanh-ubnd', name: 'Trụ sở UBND phường Cao Lãnh' }] },
] satisfies ConfigInput['units'];

export async function startRoomsServer(values: Partial<ConfigInput> = {}, dataDir?: string): Promise<TestServer> {
  const input: Partial<ConfigInput> = { units: ROOM_UNITS, ...values, rooms: { ...FAST_ROOMS, ...(values.rooms ?? {}) } };
  return startServer(input, dataDir ? testConfig(input, dataDir) : testConfig(input));
}

export function wsUrl(t: TestServer): string {
  return `${t.url.replace(/^http/u, 'ws')}/ws`;
}

let sessionCounter = 0;
export function newSessionId(prefix = 's'): string {
  sessionCounter += 1;
  return `${prefix}-${process.pid}-${sessionCounter}`;
}

export type Frame = { v: number; type: 'result' | 'error' | 'event'; id?: string | null; result?: any; error?: any; seq?: number; event?: any };

/**
 * How long a reply, an event or a condition is awaited before the test fails. Generous: it costs nothing when the
 * frame comes, and with a load average of 24 on 2 cores a hello took over 3 s.
 */
export const ROOM_WAIT_MS = 15_000;

/** The notice acknowledgement a citizen's pre-join sends (components/src/room/strings.ts has the real version). */
export const TEST_NOTICE = { version: 'room-notice-test', acknowledgedAt: '2026-12-01T01:00:00.000Z' };

export class TestClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  participantId: string | undefined;
  lastSeq = 0;
  private nextId = 1;
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('error', () => undefined);
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame.type === 'event' && typeof frame.seq === 'number') this.lastSeq = Math.max(this.lastSeq, frame.seq);
      this.frames.push(frame);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(frame)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(frame);
        }
      }
    });
  }

  static open(t: TestServer | string): Promise<TestClient> {
    const ws = new WebSocket(typeof t === 'string' ? t : wsUrl(t));
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestClient(ws)));
      ws.once('error', reject);
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Sends a request and resolves with its reply frame (result or error). */
  request(type: string, params: Record<string, unknown> = {}, timeoutMs = ROOM_WAIT_MS): Promise<Frame> {
    const id = `r${this.nextId++}`;
    const reply = this.wait((f) => (f.type === 'result' || f.type === 'error') && f.id === id, timeoutMs, `reply to ${type}`);
    this.ws.send(JSON.stringify({ v: 1, id, type, ...params }));
    return reply;
  }

  /** Like request, but fails the test on an error reply. */
  async ok(type: string, params: Record<string, unknown> = {}): Promise<any> {
    const frame = await this.request(type, params);
    if (frame.type !== 'result') throw new Error(`${type} refused: ${JSON.stringify(frame.error)}`);
    return frame.result;
  }

  /**
   * Says hello. A citizen's hello carries the acknowledged recording notice, as the pre-join sends it (the room
   * refuses a citizen without it); `request('hello', …)` sends exactly what it is given.
   */
  async hello(params: Record<string, unknown>): Promise<Frame> {
    const citizen = (params.auth as { kind?: string } | undefined)?.kind === 'citizen';
    const frame = await this.request('hello', citizen && !('notice' in params) ? { ...params, notice: TEST_NOTICE } : params);
    if (frame.type === 'result') this.participantId = frame.result.participantId;
    return frame;
  }

  wait(match: (f: Frame) => boolean, timeoutMs = ROOM_WAIT_MS, what = 'frame'): Promise<Frame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const done = (f: Frame) => {
        clearTimeout(timer);
        resolve(f);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  /** Waits for an event of a type (already received or future) matching an optional predicate. */
  event(type: string, predicate: (event: any) => boolean = () => true, timeoutMs = ROOM_WAIT_MS): Promise<any> {
    return this.wait((f) => f.type === 'event' && f.event.type === type && predicate(f.event), timeoutMs, `event ${type}`).then((f) => f.event);
  }

  events(type: string): any[] {
    return this.frames.filter((f) => f.type === 'event' && f.event.type === type).map((f) => f.event);
  }

  close(): void {
    this.ws.close();
  }

  terminate(): void {
    this.ws.terminate();
  }
}

export function officialToken(t: TestServer, role: OfficialRole, sub = `${role}.${Math.random().toString(36).slice(2, 8)}`, name = `Cán bộ ${role}`, unit = 'dongthap.sadec'): Promise<string> {
  return mintToken(t.config.authSecret, { sub, role, unit, name });
}

export function citizenToken(t: TestServer, sessionId: string, reference: string, name = 'Nguyễn Thị Hoa', matterKind?: string): Promise<string> {
  return mintJoinToken(t.config.authSecret, { reference, sessionId, name, matterKind });
}

/** Opens a socket and says hello as an official; fails the test if refused. */
export async function joinOfficial(t: TestServer, sessionId: string, role: OfficialRole, extra: Record<string, unknown> = {}, sub?: string, unit?: string): Promise<TestClient> {
  // The token first: the server closes a socket that says no hello within authTimeoutMs.
  const token = await officialToken(t, role, sub, undefined, unit);
  const client = await TestClient.open(t);
  const reply = await client.hello({ sessionId, auth: { kind: 'official', token }, ...extra });
  if (reply.type !== 'result') throw new Error(`hello refused for ${role}: ${JSON.stringify(reply.error)}`);
  return client;
}

export async function joinCitizen(t: TestServer, sessionId: string, reference: string, options: { name?: string; matterKind?: string; extra?: Record<string, unknown> } = {}): Promise<TestClient> {
  const token = await citizenToken(t, sessionId, reference, options.name, options.matterKind);
  const client = await TestClient.open(t);
  const reply = await client.hello({ sessionId, auth: { kind: 'citizen', token }, ...(options.extra ?? {}) });
  if (reply.type !== 'result') throw new Error(`hello refused for citizen: ${JSON.stringify(reply.error)}`);
  return client;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` is true or fails after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = ROOM_WAIT_MS, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
