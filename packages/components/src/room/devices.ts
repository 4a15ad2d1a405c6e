/**
 * Pre-join helpers: open the chosen camera and microphone, list the devices, measure the microphone's level
 * with a WebAudio AnalyserNode, and time a few round trips to the server (a short network check).
 */
import type { NetworkQuality } from '@tiepdan/core';
import { qualityOf } from '@tiepdan/core/browser';

export interface DeviceChoice {
  cameraId?: string | undefined;
  microphoneId?: string | undefined;
}

export interface DeviceLists {
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
}

/** Opens camera and microphone; falls back to audio only, then to nothing (a citizen may still listen). */
export async function openMedia(choice: DeviceChoice): Promise<MediaStream | undefined> {
  const video: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 360 }, ...(choice.cameraId ? { deviceId: { exact: choice.cameraId } } : {}) };
  const audio: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, ...(choice.microphoneId ? { deviceId: { exact: choice.microphoneId } } : {}) };
  try {
    return await navigator.mediaDevices.getUserMedia({ video, audio });
  } catch {
    try {
      return await navigator.mediaDevices.getUserMedia({ audio });
    } catch {
      return undefined;
    }
  }
}

export async function listDevices(): Promise<DeviceLists> {
  const all = await navigator.mediaDevices.enumerateDevices();
  return { cameras: all.filter((d) => d.kind === 'videoinput'), microphones: all.filter((d) => d.kind === 'audioinput') };
}

/** Reads a stream's loudness (0–1) from an AnalyserNode; one per stream, all on one AudioContext. */
export class LevelMeter {
  #context: AudioContext | undefined;
  #analysers = new Map<string, { source: MediaStreamAudioSourceNode; analyser: AnalyserNode; buffer: Uint8Array<ArrayBuffer> }>();

  #ctx(): AudioContext {
    return (this.#context ??= new AudioContext());
  }

  watch(key: string, stream: MediaStream | undefined): void {
    const existing = this.#analysers.get(key);
    const track = stream?.getAudioTracks()[0];
    if (existing && existing.source.mediaStream.getAudioTracks()[0] === track) return;
    this.unwatch(key);
    if (!stream || !track) return;
    const ctx = this.#ctx();
    void ctx.resume().catch(() => undefined);
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    this.#analysers.set(key, { source, analyser, buffer: new Uint8Array(new ArrayBuffer(analyser.fftSize)) });
  }

  unwatch(key: string): void {
    const entry = this.#analysers.get(key);
    if (!entry) return;
    entry.source.disconnect();
    this.#analysers.delete(key);
  }

  /** Root mean square of the waveform, scaled so ordinary speech reaches about 0.5. */
  level(key: string): number {
    const entry = this.#analysers.get(key);
    if (!entry) return 0;
    entry.analyser.getByteTimeDomainData(entry.buffer);
    let sum = 0;
    for (const value of entry.buffer) {
      const centred = (value - 128) / 128;
      sum += centred * centred;
    }
    return Math.min(1, Math.sqrt(sum / entry.buffer.length) * 4);
  }

  keys(): string[] {
    return [...this.#analysers.keys()];
  }

  close(): void {
    for (const key of [...this.#analysers.keys()]) this.unwatch(key);
    void this.#context?.close().catch(() => undefined);
    this.#context = undefined;
  }
}

/**
 * What the pre-join check advises: `video` (the line carries sound and picture), `low-video` (the picture will
 * be reduced so the voice stays clear) or `audio-only` (the camera should be off, or the voice breaks up).
 */
export type NetworkAdvice = 'video' | 'low-video' | 'audio-only';

export interface NetworkCheck {
  rttMs: number;
  quality: NetworkQuality;
  /** Estimated from timed transfers; undefined when the probe could not be measured (an older server). */
  downKbps?: number | undefined;
  upKbps?: number | undefined;
  advice: NetworkAdvice;
}

/** Bytes timed each way: large enough to leave TCP slow start on a 3G line, small enough for a metered phone. */
const DOWNLOAD_BYTES = 160 * 1024;
const UPLOAD_BYTES = 48 * 1024;

/**
 * Thresholds of the advice, in kbit/s and ms. A room is a mesh: a citizen receives every other participant's
 * stream (2–3 × ~300 kbit/s at low resolution) and sends one; voice needs ~40 kbit/s each way (Opus) and suffers
 * beyond ~600 ms of round trip. Estimates from short transfers err low, so the bounds are lenient.
 */
export const ADVICE_LIMITS = {
  audioOnly: { downKbps: 300, upKbps: 120, rttMs: 800 },
  lowVideo: { downKbps: 1500, upKbps: 500, rttMs: 300 },
} as const;

export function adviceFor(rttMs: number, downKbps: number | undefined, upKbps: number | undefined): NetworkAdvice {
  const below = (limit: { downKbps: number; upKbps: number; rttMs: number }) =>
    rttMs > limit.rttMs || (downKbps !== undefined && downKbps < limit.downKbps) || (upKbps !== undefined && upKbps < limit.upKbps);
  if (below(ADVICE_LIMITS.audioOnly)) return 'audio-only';
  if (below(ADVICE_LIMITS.lowVideo)) return 'low-video';
  return 'video';
}

/**
 * Times `samples` HEAD requests to the API (the smallest reply the embedding origin may read under CORS; the
 * health check outside the API is same-origin only) and keeps the median; then times a download and an upload
 * of incompressible bytes (`/meta/probe`) for the line's rates, less one round trip each.
 */
export async function checkNetwork(server: string, samples = 3, timeoutMs = 5000): Promise<NetworkCheck> {
  const api = `${server.replace(/\/+$/u, '')}/api/v1`;
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await fetch(`${api}/meta`, { method: 'HEAD', cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const rttMs = Math.round(times[Math.floor(times.length / 2)] ?? 0);
  const rate = (bytes: number, ms: number) => Math.round((bytes * 8) / Math.max(1, ms - rttMs));
  let downKbps: number | undefined;
  let upKbps: number | undefined;
  try {
    let started = performance.now();
    const down = await fetch(`${api}/meta/probe?bytes=${DOWNLOAD_BYTES}`, { cache: 'no-store', signal: AbortSignal.timeout(4 * timeoutMs) });
    const got = (await down.arrayBuffer()).byteLength;
    if (down.ok) downKbps = rate(got, performance.now() - started);
    started = performance.now();
    // Random bytes: a line that compresses (some carriers' proxies do) would otherwise look faster than it is.
    const body = crypto.getRandomValues(new Uint8Array(UPLOAD_BYTES));
    const up = await fetch(`${api}/meta/probe`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' }, cache: 'no-store', signal: AbortSignal.timeout(4 * timeoutMs) });
    if (up.ok) upKbps = rate(UPLOAD_BYTES, performance.now() - started);
  } catch {
    // The round trip was measured; rates stay unknown and the advice rests on it alone.
  }
  return { rttMs, quality: qualityOf(rttMs, 0), downKbps, upKbps, advice: adviceFor(rttMs, downKbps, upKbps) };
}
