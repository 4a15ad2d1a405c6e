/**
 * Composites the room for the recording: every tile (connection point or participant) on one canvas, each
 * labelled with its point, name and role, with a clock in Hanoi time (dd/mm/yyyy HH:mm:ss) so the picture
 * itself says when each moment happened; and all the room's audio mixed into one track (WebAudio). The result
 * is one MediaStream for MediaRecorder.
 *
 * Drawing is driven by a `TickSource`. The default ticks from a dedicated Worker (a module file, never a Blob
 * URL, so a strict Content-Security-Policy allows it): a background tab throttles the page's own timers and
 * stops requestAnimationFrame, but not a worker's, so a recorder in a tab behind others keeps recording.
 */
import { TIME_ZONE } from '../text/time.js';
import type { RoomMediaSource, RoomMediaTile } from './media-source.js';

/** Something that calls back at a steady rate, even in a background tab. */
export interface TickSource {
  start(intervalMs: number, tick: () => void): void;
  stop(): void;
  /** `worker` when ticking from a Worker; `timer` when it fell back to the page's own timer. */
  readonly kind: 'worker' | 'timer';
}

/** Ticks from the page's own timer (throttled in a background tab: the fallback). */
export function timerTicks(): TickSource {
  let timer: ReturnType<typeof setInterval> | undefined;
  return {
    kind: 'timer',
    start(ms, tick) {
      clearInterval(timer);
      timer = setInterval(tick, ms);
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

/**
 * Ticks from a dedicated module Worker at `url` (it answers `{start: ms}` / `{stop: true}` with a message per
 * tick); falls back to the page's timer when the Worker cannot start (CSP without worker-src, file missing).
 */
export function workerTicks(url: string | URL): TickSource {
  let worker: Worker | undefined;
  let fallback: TickSource | undefined;
  let current: { ms: number; tick: () => void } | undefined;
  const useTimer = () => {
    worker?.terminate();
    worker = undefined;
    fallback ??= timerTicks();
    source.kind = 'timer';
    if (current) fallback.start(current.ms, current.tick);
  };
  const source: TickSource & { kind: 'worker' | 'timer' } = {
    kind: 'worker',
    start(ms, tick) {
      current = { ms, tick };
      if (fallback) return fallback.start(ms, tick);
      try {
        worker = new Worker(url, { type: 'module', name: 'tiepdan-recorder-tick' });
      } catch {
        return useTimer();
      }
      worker.onmessage = () => current?.tick();
      worker.onerror = (event) => {
        event.preventDefault?.();
        useTimer();
      };
      worker.postMessage({ start: ms });
    },
    stop() {
      current = undefined;
      worker?.postMessage({ stop: true });
      worker?.terminate();
      worker = undefined;
      fallback?.stop();
    },
  };
  return source;
}

const clockFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** "dd/mm/yyyy HH:mm:ss" in Hanoi time, whatever the device's zone. */
export function hanoiClock(at: Date | number): string {
  const parts = Object.fromEntries(clockFormat.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** The words printed on a tile: "point · name (role)". */
export function tileLabel(tile: Pick<RoomMediaTile, 'point' | 'name' | 'role'>): string {
  const who = tile.role ? `${tile.name} (${tile.role})` : tile.name;
  return tile.point ? `${tile.point} · ${who}` : who;
}

export interface CompositorOptions {
  width?: number;
  height?: number;
  /** Frames per second drawn and captured. */
  fps?: number;
  ticks?: TickSource;
  now?: () => number;
}

interface TileMedia {
  video: HTMLVideoElement;
  stream: MediaStream | null;
  audio?: { key: string; node: MediaStreamAudioSourceNode } | undefined;
}

export class RoomCompositor {
  readonly canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  readonly #fps: number;
  readonly #ticks: TickSource;
  readonly #now: () => number;
  readonly #media = new Map<string, TileMedia>();
  #audio: AudioContext | undefined;
  #mix: MediaStreamAudioDestinationNode | undefined;
  #stream: MediaStream | undefined;
  #off: (() => void) | undefined;
  /** Frames drawn since start (tests read it to see the compositing runs). */
  frames = 0;
  /**
   * Tiles drawn with a picture in the last frame (the others show an empty tile: no frame has arrived yet). An
   * operator, and a test, can tell "everyone is in the recording" from "everyone has a tile".
   */
  pictured = 0;
  /** Ticks dropped because the last frame had only just been drawn (a starved machine: see #tick). */
  skipped = 0;
  #lastFrameEnd = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly source: RoomMediaSource,
    options: CompositorOptions = {},
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.width = options.width ?? 1280;
    this.canvas.height = options.height ?? 720;
    this.#ctx = this.canvas.getContext('2d', { alpha: false })!;
    this.#fps = options.fps ?? 15;
    this.#ticks = options.ticks ?? timerTicks();
    this.#now = options.now ?? Date.now;
  }

  get tickKind(): 'worker' | 'timer' {
    return this.#ticks.kind;
  }

  /** Whether the audio mix runs (an AudioContext may wait for a user gesture: call `resumeAudio()` from one). */
  get audioRunning(): boolean {
    return this.#audio?.state === 'running';
  }

  /** Starts drawing and mixing; returns the stream to record (one video track, one audio track). */
  start(): MediaStream {
    if (this.#stream) return this.#stream;
    this.#audio = new AudioContext();
    this.#mix = this.#audio.createMediaStreamDestination();
    // The mix always carries samples, silence at least: MediaRecorder waits for every track, and a destination
    // with nothing plugged in gives none, so a room where nobody's microphone is mixed yet recorded nothing at all.
    const silence = this.#audio.createConstantSource();
    silence.offset.value = 0;
    silence.connect(this.#mix);
    silence.start();
    void this.#audio.resume().catch(() => undefined);
    this.#off = this.source.onChange(() => this.#sync());
    this.#sync();
    this.#draw();
    const video = this.canvas.captureStream(this.#fps).getVideoTracks()[0]!;
    this.#stream = new MediaStream([video, ...this.#mix.stream.getAudioTracks()]);
    this.#ticks.start(Math.round(1000 / this.#fps), () => this.#tick());
    return this.#stream;
  }

  resumeAudio(): Promise<void> {
    return this.#audio?.resume() ?? Promise.resolve();
  }

  stop(): void {
    this.#ticks.stop();
    this.#off?.();
    this.#off = undefined;
    for (const media of this.#media.values()) this.#release(media);
    this.#media.clear();
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#stream = undefined;
    void this.#audio?.close().catch(() => undefined);
    this.#audio = undefined;
  }

  /** Keeps one video element and one audio source node per tile, in step with the source. */
  #sync(): void {
    const tiles = this.source.tiles();
    const ids = new Set(tiles.map((t) => t.id));
    for (const [id, media] of this.#media) {
      if (!ids.has(id)) {
        this.#release(media);
        this.#media.delete(id);
      }
    }
    for (const tile of tiles) {
      let media = this.#media.get(tile.id);
      if (!media) {
        const video = document.createElement('video');
        video.muted = true;
        video.playsInline = true;
        media = { video, stream: null };
        this.#media.set(tile.id, media);
      }
      if (media.stream !== tile.stream) {
        media.stream = tile.stream;
        media.video.srcObject = tile.stream;
        if (tile.stream) void media.video.play().catch(() => undefined);
      }
      // Audio: re-plug when the tracks changed (a participant unmuted after joining without a microphone).
      const tracks = tile.stream?.getAudioTracks().filter((t) => t.readyState === 'live') ?? [];
      const key = tracks.map((t) => t.id).join(',');
      if (media.audio?.key !== key) {
        media.audio?.node.disconnect();
        media.audio = undefined;
        if (tracks.length && this.#audio && this.#mix) {
          const node = this.#audio.createMediaStreamSource(new MediaStream(tracks));
          node.connect(this.#mix);
          media.audio = { key, node };
        }
      }
    }
  }

  #release(media: TileMedia): void {
    media.audio?.node.disconnect();
    media.video.srcObject = null;
  }

  /**
   * On a starved machine a frame takes longer than the interval and the worker's ticks pile up in the page's task
   * queue. Drawing each of them in turn grows that backlog without end, and the recorder's heartbeats and uploads,
   * queued behind it, wait until its lease lapses (a 10 s lease lapsed again and again at load 25). A tick that
   * comes within half an interval of the last frame's end is dropped instead: the picture's rate falls, the lease
   * holds.
   */
  #tick(): void {
    if (performance.now() - this.#lastFrameEnd < 500 / this.#fps) {
      this.skipped += 1;
      return;
    }
    this.#draw();
    this.#lastFrameEnd = performance.now();
  }

  #draw(): void {
    const ctx = this.#ctx;
    const { width, height } = this.canvas;
    const tiles = this.source.tiles();
    ctx.fillStyle = '#111';
    ctx.fillRect(0, 0, width, height);
    const header = Math.round(height * 0.07);
    const n = Math.max(1, tiles.length);
    const cols = Math.ceil(Math.sqrt(n));
    const rows = Math.ceil(n / cols);
    const cellW = width / cols;
    const cellH = (height - header) / rows;
    const font = Math.max(12, Math.round(cellH * 0.06));
    let pictured = 0;
    tiles.forEach((tile, i) => {
      const x = (i % cols) * cellW;
      const y = header + Math.floor(i / cols) * cellH;
      const video = this.#media.get(tile.id)?.video;
      ctx.fillStyle = '#222';
      ctx.fillRect(x + 2, y + 2, cellW - 4, cellH - 4);
      if (video && video.readyState >= 2 && video.videoWidth > 0) {
        const scale = Math.min((cellW - 4) / video.videoWidth, (cellH - 4) / video.videoHeight);
        const w = video.videoWidth * scale;
        const h = video.videoHeight * scale;
        ctx.drawImage(video, x + (cellW - w) / 2, y + (cellH - h) / 2, w, h);
        pictured += 1;
      }
      const label = tileLabel(tile);
      ctx.font = `600 ${font}px system-ui, sans-serif`;
      ctx.textBaseline = 'middle';
      ctx.fillStyle = 'rgba(0,0,0,0.65)';
      ctx.fillRect(x + 2, y + cellH - font * 1.8 - 2, cellW - 4, font * 1.8);
      ctx.fillStyle = '#fff';
      ctx.fillText(label, x + 10, y + cellH - font * 0.9 - 2, cellW - 20);
    });
    // The clock: the recording's own proof of when each moment happened, in Hanoi time.
    ctx.font = `700 ${Math.round(header * 0.55)}px ui-monospace, monospace`;
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#c00';
    ctx.beginPath();
    ctx.arc(header * 0.5, header * 0.5, header * 0.18, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = '#fff';
    ctx.textAlign = 'right';
    ctx.fillText(hanoiClock(this.#now()), width - 12, header / 2);
    ctx.textAlign = 'left';
    this.pictured = pictured;
    this.frames += 1;
  }
}
