/**
 * Helpers for the recording tests: real WebM made by ffmpeg and cut into byte chunks the way MediaRecorder
 * hands them over, a server with short leases, a recorder client that speaks the ingest protocol over HTTP
 * (register, heartbeat, upload, resume), and the real `tiepdan-server verify` run as a child process.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { segmentQuery, type RecorderReply, type SegmentAck } from '@tiepdan/core';
import type { ConfigInput } from '../src/index.js';
import { chainLink, GENESIS } from '../src/recording/manifest/chain.js';
import { keyIdOf } from '../src/recording/manifest/signing.js';
import { startServer, tempDir, testConfig, token, UNIT, type TestServer } from './helpers.js';

export const FAST_RECORDING = { leaseMs: 600, heartbeatMs: 150, drainMs: 200 } satisfies ConfigInput['recording'];

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

const mediaCache = new Map<string, Buffer>();
/** A real WebM (VP8 + Opus), `seconds` long; `variant` changes the picture so two recorders differ. */
export function makeWebm(seconds = 6, variant = 'testsrc'): Buffer {
  const key = `${seconds}:${variant}`;
  const cached = mediaCache.get(key);
  if (cached) return cached;
  const out = join(tempDir('tiepdan-media-'), 'source.webm');
  execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', `${variant}=size=160x120:rate=10`, '-f', 'lavfi', '-i', 'sine', '-t', String(seconds), '-c:v', 'libvpx', '-c:a', 'libopus', out]);
  const bytes = readFileSync(out);
  mediaCache.set(key, bytes);
  return bytes;
}

/** Byte chunks of `size` (not aligned to clusters, as MediaRecorder's timeslice chunks need not be). */
export function chunks(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

export function ffprobeDuration(file: string): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file]).toString();
  return Number(out.trim());
}

export function durationOf(data: Buffer): number {
  const file = join(tempDir('tiepdan-probe-'), 'x.webm');
  execFileSync('tee', [file], { input: data, stdio: ['pipe', 'ignore', 'inherit'] });
  return ffprobeDuration(file);
}

export async function startRecordingServer(values: Partial<ConfigInput> = {}, dataDir?: string): Promise<TestServer> {
  const input: Partial<ConfigInput> = { ...values, recording: { ...FAST_RECORDING, ...(values.recording ?? {}) } };
  return startServer(input, dataDir ? testConfig(input, dataDir) : testConfig(input));
}

export async function call(t: TestServer | string, bearer: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const api = typeof t === 'string' ? t : t.api;
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Opens the recording of a new session as a clerk; returns its id. */
export async function openRecording(t: TestServer, sessionId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const clerk = await token(t, 'clerk');
  const res = await call(t, clerk, 'POST', '/recordings', { sessionId, unit: UNIT, ...extra });
  if (res.status !== 201) throw new Error(`open recording: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.recording.id as string;
}

/** A recorder at a connection point, speaking the HTTP ingest protocol. */
export class Recorder {
  epoch = 0;
  role: 'active' | 'standby' = 'standby';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    public api: string,
    readonly bearer: string,
    readonly recordingId: string,
    readonly recorderId: string,
    readonly pointId = 'sadec-ubnd',
  ) {}

  static async create(t: TestServer, recordingId: string, recorderId: string, sub = `operator.${recorderId}`): Promise<Recorder> {
    return new Recorder(t.api, await token(t, 'operator', UNIT, undefined, sub), recordingId, recorderId);
  }

  async register(): Promise<RecorderReply> {
    const res = await call(this.api, this.bearer, 'POST', `/recordings/${this.recordingId}/recorders`, { recorderId: this.recorderId, pointId: this.pointId });
    if (res.status !== 200) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
    return this.take(res.body as RecorderReply);
  }

  async heartbeat(): Promise<RecorderReply> {
    const res = await call(this.api, this.bearer, 'POST', `/recordings/${this.recordingId}/recorders/${this.recorderId}/heartbeat`);
    if (res.status !== 200) throw new Error(`heartbeat: ${res.status} ${JSON.stringify(res.body)}`);
    return this.take(res.body as RecorderReply);
  }

  /** Heartbeats every `ms` until stopped (a live recorder). */
  beat(ms: number): void {
    this.stopBeating();
    this.timer = setInterval(() => void this.heartbeat().catch(() => undefined), ms);
  }

  stopBeating(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async send(seq: number, chunk: Uint8Array, options: { epoch?: number; sha256?: string; bytes?: number; last?: boolean; capturedAt?: number } = {}): Promise<{ status: number; body: SegmentAck | any }> {
    const query = segmentQuery({
      recorderId: this.recorderId,
      epoch: options.epoch ?? this.epoch,
      seq,
      bytes: options.bytes ?? chunk.length,
      sha256: options.sha256 ?? sha256(chunk),
      ...(options.capturedAt !== undefined ? { capturedAt: options.capturedAt } : {}),
      ...(options.last ? { last: true } : {}),
    });
    const res = await fetch(`${this.api}/recordings/${this.recordingId}/segments?${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.bearer}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(chunk),
    });
    return { status: res.status, body: await res.json() };
  }

  private take(reply: RecorderReply): RecorderReply {
    this.role = reply.role;
    this.epoch = reply.epoch;
    return reply;
  }
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Ends the recording as the chair and waits until it is finalized; returns the status. */
export async function endAndFinalize(t: TestServer, recordingId: string): Promise<any> {
  const chair = await token(t, 'chair');
  const ended = await call(t, chair, 'POST', `/recordings/${recordingId}/end`);
  if (ended.status !== 202) throw new Error(`end: ${ended.status} ${JSON.stringify(ended.body)}`);
  return waitFor(async () => {
    const res = await call(t, chair, 'GET', `/recordings/${recordingId}`);
    return res.body.recording.state === 'finalized' ? res.body.recording : undefined;
  }, 20_000, 'finalized');
}

const CLI = resolve(import.meta.dirname, '../src/cli.ts');
/** Runs the real `tiepdan-server verify` as a child process. */
export function runVerify(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, 'verify', ...args], { cwd: resolve(import.meta.dirname, '..') }, (error, stdout, stderr) => {
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The server's key history (GET /recordings/keys) written to a file: the trust anchor `verify --keys` takes. */
export async function keysFile(t: TestServer): Promise<string> {
  const res = await fetch(`${t.api}/recordings/keys`);
  if (res.status !== 200) throw new Error(`keys: ${res.status}`);
  const file = join(tempDir('tiepdan-keys-'), 'recording-keys.json');
  writeFileSync(file, await res.text());
  return file;
}

/** Records `chunks` of a real WebM as one recorder and finalizes; returns the recording id and its folder. */
export async function recordBundle(t: TestServer, sessionId: string, parts: Buffer[], before?: (recordingId: string) => Promise<void> | void): Promise<{ id: string; dir: string }> {
  const id = await openRecording(t, sessionId);
  const rec = await Recorder.create(t, id, `rec-${sessionId}`);
  await rec.register();
  for (const [seq, part] of parts.entries()) {
    const res = await rec.send(seq, part, { capturedAt: Date.now() });
    if (res.status !== 200) throw new Error(`segment ${seq}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  await before?.(id);
  await endAndFinalize(t, id);
  return { id, dir: recordingDir(t, id) };
}

export function recordingDir(t: TestServer, recordingId: string): string {
  return join(t.dataDir, 'recordings', recordingId);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A copy of a bundle folder to tamper with. */
export function copyBundle(dir: string): string {
  const copy = join(tempDir('tiepdan-bundle-'), 'bundle');
  cpSync(dir, copy, { recursive: true });
  return copy;
}

/**
 * What a forger without the server's key can do: after changing files (and, with `mutate`, the manifest),
 * recompute every size, hash, the chain, SHA256SUMS, and sign with their own new Ed25519 key. The old
 * timestamp token is left as it was (a TSA never saw the forged manifest).
 */
export function resign(dir: string, mutate?: (manifest: any) => void, privateKeyPem?: string): { keyId: string } {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  mutate?.(manifest);
  let prev = GENESIS;
  for (const [index, s] of manifest.segments.entries()) {
    const bytes = readFileSync(join(dir, s.file));
    Object.assign(s, { index, bytes: bytes.length, sha256: sha256(bytes), prevHash: prev });
    s.hash = chainLink(prev, s);
    prev = s.hash;
  }
  Object.assign(manifest.chain, { head: prev, count: manifest.segments.length, bytes: manifest.segments.reduce((n: number, s: any) => n + s.bytes, 0) });
  for (const m of manifest.media.files) {
    const bytes = readFileSync(join(dir, m.file));
    Object.assign(m, { bytes: bytes.length, sha256: sha256(bytes) });
  }
  const sums = [...manifest.segments, ...manifest.media.files].map((x: any) => `${x.sha256}  ${x.file}\n`).join('');
  writeFileSync(join(dir, 'SHA256SUMS'), sums);
  manifest.checksums.sha256 = sha256(Buffer.from(sums));
  const privateKey = privateKeyPem ? createPrivateKey(privateKeyPem) : generateKeyPairSync('ed25519').privateKey;
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const keyId = keyIdOf(publicKeyPem);
  manifest.signing.keyId = keyId;
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'manifest.json'), bytes);
  writeFileSync(join(dir, 'manifest.sig'), sign(null, bytes, privateKey));
  writeFileSync(join(dir, 'signing-key.pem'), publicKeyPem);
  return { keyId };
}

/** The common-tools recipe, exactly as docs/recording-bundle.md prints it (its last bash block). */
export function recipeScript(): string {
  const doc = readFileSync(resolve(import.meta.dirname, '../../../docs/recording-bundle.md'), 'utf8');
  const script = /```bash\n([\s\S]*?)```/u.exec(doc.slice(doc.indexOf('## Recipe: verifying with common tools')))?.[1];
  if (!script) throw new Error('no recipe block in docs/recording-bundle.md');
  return script;
}

/** Runs the recipe on a bundle: `bash verify-bundle.sh BUNDLE FINGERPRINT [TSA_CA]`. */
export function runRecipe(dir: string, fingerprint: string, caFile?: string): Promise<{ code: number; out: string }> {
  const file = join(tempDir('tiepdan-recipe-'), 'verify-bundle.sh');
  writeFileSync(file, recipeScript());
  return new Promise((done) => {
    execFile('bash', [file, dir, fingerprint, ...(caFile ? [caFile] : [])], { timeout: 120_000 }, (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }));
  });
}
