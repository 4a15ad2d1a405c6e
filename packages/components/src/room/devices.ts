/**
 * Pre-join helpers: open the chosen camera and microphone, list the devices, measure the microphone's level
 * with a WebAudio AnalyserNode, and time a few round trips to the server (a short network check).
 */
import { qualityOf, type NetworkQuality } from '@tiepdan/core';

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

export interface NetworkCheck {
  rttMs: number;
  quality: NetworkQuality;
}

/**
 * Times `samples` HEAD requests to the API (the smallest reply the embedding origin may read under CORS; the
 * health check outside the API is same-origin only) and keeps the median.
 */
export async function checkNetwork(server: string, samples = 3, timeoutMs = 5000): Promise<NetworkCheck> {
  const url = `${server.replace(/\/+$/u, '')}/api/v1/meta`;
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await fetch(url, { method: 'HEAD', cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const rttMs = Math.round(times[Math.floor(times.length / 2)] ?? 0);
  return { rttMs, quality: qualityOf(rttMs, 0) };
}
