/**
 * The recorder's side of the ingest protocol over HTTP (docs/recording.md): find or open the session's
 * recording, join the election, heartbeat, upload a chunk, leave. Every call has its own time-out, because a
 * server that does not answer must count as down (the recorder keeps the chunk and tries again).
 */
import type { RecorderReply, SegmentAck, SessionRecorderReply } from './protocol.js';
import type { Recording } from './views.js';
import { segmentQuery } from './protocol.js';
import type { StoredChunk } from './chunk-store.js';

/** What the server says of a recording (the subset of core's Recording view the recorder reads). */
export type RecordingSummary = Pick<Recording, 'id' | 'sessionId' | 'state' | 'policy' | 'epoch' | 'alarm'>;

/** A refusal from the server (status and error code), or a network failure (status 0, code `network`). */
export class IngestError extends Error {
  override readonly name = 'IngestError';
  constructor(
    readonly status: number,
    readonly code: string,
    message = code,
  ) {
    super(message);
  }
  /** A failure worth retrying as is: the network, a time-out, the server busy or restarting. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export interface IngestClientOptions {
  /** The tiepdan server's origin (the API is under /api/v1). */
  server: string;
  /** An official's bearer token (a role with `recordings.record`). */
  token: string;
  fetch?: typeof fetch;
  /** Time-out of one request; an upload gets this plus one second per 256 kB. */
  timeoutMs?: number;
}

export class IngestClient {
  readonly #api: string;
  readonly #token: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: IngestClientOptions) {
    this.#api = `${options.server.replace(/\/+$/u, '')}/api/v1`;
    this.#token = options.token;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  /** The session's recording; undefined when none is opened yet. */
  async bySession(sessionId: string): Promise<RecordingSummary | undefined> {
    try {
      return (await this.#call<{ recording: RecordingSummary }>('GET', `/recordings/by-session/${encodeURIComponent(sessionId)}`)).recording;
    } catch (error) {
      if (error instanceof IngestError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Opens the session's recording (idempotent; needs `recordings.manage`: chair, clerk). */
  async open(sessionId: string): Promise<RecordingSummary> {
    return (await this.#call<{ recording: RecordingSummary }>('POST', '/recordings', { sessionId })).recording;
  }

  /** Waits for the session as a standby recorder (call again every `heartbeatMs`) until its recording exists. */
  waitForSession(sessionId: string, recorderId: string, pointId?: string): Promise<SessionRecorderReply> {
    return this.#call('POST', `/recordings/sessions/${encodeURIComponent(sessionId)}/recorders`, { recorderId, ...(pointId ? { pointId } : {}) });
  }

  register(recordingId: string, recorderId: string, pointId?: string): Promise<RecorderReply> {
    return this.#call('POST', `/recordings/${recordingId}/recorders`, { recorderId, ...(pointId ? { pointId } : {}) });
  }

  /** `timeoutMs`: shorter than the lease, so one hung request does not hold back the beats that keep it. */
  heartbeat(recordingId: string, recorderId: string, timeoutMs?: number): Promise<RecorderReply> {
    return this.#call('POST', `/recordings/${recordingId}/recorders/${encodeURIComponent(recorderId)}/heartbeat`, undefined, timeoutMs);
  }

  leave(recordingId: string, recorderId: string): Promise<RecorderReply> {
    return this.#call('POST', `/recordings/${recordingId}/recorders/${encodeURIComponent(recorderId)}/leave`);
  }

  upload(recorderId: string, chunk: StoredChunk): Promise<SegmentAck> {
    const query = segmentQuery({ recorderId, epoch: chunk.epoch, seq: chunk.seq, bytes: chunk.bytes, sha256: chunk.sha256, capturedAt: Math.round(chunk.capturedAt), ...(chunk.last ? { last: true } : {}) });
    return this.#call('POST', `/recordings/${chunk.recordingId}/segments?${query}`, chunk.data, this.#timeoutMs + Math.ceil(chunk.bytes / 262_144) * 1000);
  }

  async #call<T>(method: string, path: string, body?: unknown, timeoutMs = this.#timeoutMs): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` };
    let payload: BodyInit | undefined;
    if (body instanceof Blob) {
      headers['content-type'] = 'application/octet-stream';
      payload = body;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await this.#fetch(`${this.#api}${path}`, { method, headers, body: payload ?? null, signal: controller.signal, cache: 'no-store' });
    } catch (error) {
      throw new IngestError(0, 'network', error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
    }
    const text = await response.text().catch(() => '');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const code = (json as { error?: { code?: string } } | undefined)?.error?.code ?? `http_${response.status}`;
      throw new IngestError(response.status, code);
    }
    return json as T;
  }
}

/** SHA-256 of the bytes, lower-case hex (WebCrypto: needs a secure context, as getUserMedia does). */
export async function sha256Hex(data: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
