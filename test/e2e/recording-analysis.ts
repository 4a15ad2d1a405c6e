/**
 * What a finalized recording holds, read with ffmpeg/ffprobe: whose picture is in a frame (each participant's
 * fake camera is one plain colour, fake-media.ts), over the whole file and in one frame at full size; how loud
 * one tone's band is (each participant's microphone beeps at its own frequency); and `tiepdan-server verify`
 * pinned to the key the server publishes.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { colourOf, type FakeMedia } from './fake-media.js';
import { CLI } from './headless-recorder.js';

/** A tile of one participant in a 2×2 grid, its picture letterboxed, is ≈ 14 % of the frame: 5 % is surely it. */
export const TILE_SHARE = 0.05;

export function durationOf(file: string): number {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file]).toString().trim());
}

/** The share of the RGB frame's pixels (every `step`-th) that is each participant's colour. */
export function colourShares(rgb: Buffer, media: FakeMedia[], step = 7): Record<string, number> {
  const counts: Record<string, number> = {};
  let samples = 0;
  for (let i = 0; i + 2 < rgb.length; i += 3 * step) {
    samples += 1;
    const who = colourOf([rgb[i]!, rgb[i + 1]!, rgb[i + 2]!], media, 60);
    if (who) counts[who] = (counts[who] ?? 0) + 1;
  }
  return Object.fromEntries(media.map((m) => [m.name, (counts[m.name] ?? 0) / samples]));
}

/** The frame at `seconds`, full size, as RGB. */
export function frameAt(file: string, seconds: number): Buffer {
  const [width, height] = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file]).toString().trim().split(',').map(Number) as [number, number];
  const frame = execFileSync('ffmpeg', ['-v', 'error', '-ss', seconds.toFixed(2), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 64 * 1024 * 1024 });
  assert.equal(frame.length, width * height * 3, `one ${width}×${height} frame at ${seconds.toFixed(2)} s`);
  return frame;
}

/**
 * Whose colour is in the picture, once a second over the whole file (a small decode: 160×90): the participants
 * whose colour covers a tile's worth of each sampled frame, in order.
 */
export function whoIsPictured(file: string, media: FakeMedia[]): string[][] {
  const [w, h] = [160, 90];
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-vf', `fps=1,scale=${w}:${h}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 256 * 1024 * 1024 });
  const size = w * h * 3;
  const out: string[][] = [];
  for (let at = 0; at + size <= raw.length; at += size) {
    const shares = colourShares(raw.subarray(at, at + size), media, 1);
    out.push(media.filter((m) => shares[m.name]! > TILE_SHARE).map((m) => m.name));
  }
  return out;
}

/** The mean volume (dB) of each frequency band of the file's sound, from `from` for `seconds`: one decode for all. */
export function bandVolumes(file: string, hz: number[], from: number, seconds: number): number[] {
  // Filters are numbered in order: asplit is 0, then each band's bandpass, bandpass, volumedetect.
  const graph = `[0:a]asplit=${hz.length}${hz.map((_, i) => `[s${i}]`).join('')};${hz.map((f, i) => `[s${i}]bandpass=f=${f}:width_type=q:w=8,bandpass=f=${f}:width_type=q:w=8,volumedetect[b${i}]`).join(';')}`;
  const out = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-ss', String(from), '-t', String(seconds), '-i', file, '-filter_complex', graph, ...hz.flatMap((_, i) => ['-map', `[b${i}]`, '-f', 'null', '-'])], { encoding: 'utf8' });
  const means = new Map([...out.stderr.matchAll(/Parsed_volumedetect_(\d+) @ \w+\] mean_volume: (-?[\d.]+) dB/gu)].map((m) => [Number(m[1]), Number(m[2])]));
  return hz.map((_, i) => {
    const mean = means.get(3 * i + 3);
    assert.ok(mean !== undefined, out.stderr.slice(-800));
    return mean;
  });
}

/**
 * The RMS level (dB, -Infinity for silence) of each frequency band, second by second over the whole file, in one
 * decode: `levels[band][second]`. For a timeline of whose tone is in the sound, e.g. across a citizen's outage.
 */
export function bandLevelsPerSecond(file: string, hz: number[]): number[][] {
  // Per band: bandpass twice, cut into one-second frames, astats of each frame alone, printed to the log.
  const band = (f: number, i: number) => `[s${i}]bandpass=f=${f}:width_type=q:w=8,bandpass=f=${f}:width_type=q:w=8,asetnsamples=n=48000:p=0,astats=metadata=1:reset=1:measure_perchannel=none,ametadata=mode=print:key=lavfi.astats.Overall.RMS_level[b${i}]`;
  const graph = `[0:a]aresample=48000,asplit=${hz.length}${hz.map((_, i) => `[s${i}]`).join('')};${hz.map(band).join(';')}`;
  const out = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-filter_complex', graph, ...hz.flatMap((_, i) => ['-map', `[b${i}]`, '-f', 'null', '-'])], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(out.status, 0, out.stderr.slice(-800));
  // Filters are numbered in order: aresample 0, asplit 1, then per band bandpass, bandpass, asetnsamples, astats, ametadata.
  const levels: number[][] = hz.map(() => []);
  for (const m of out.stderr.matchAll(/Parsed_ametadata_(\d+) @ \w+\] lavfi\.astats\.Overall\.RMS_level=(-?inf|-?[\d.]+)/gu)) {
    const i = (Number(m[1]) - 6) / 5;
    levels[i]!.push(m[2]!.endsWith('inf') ? -Infinity : Number(m[2]));
  }
  for (const [i, l] of levels.entries()) assert.ok(l.length > 0, `no levels for ${hz[i]} Hz: ${out.stderr.slice(-800)}`);
  return levels;
}

/** `tiepdan-server verify <dir> --public-key`, with the current key as GET /recordings/keys publishes it. */
export async function verifyWithPublishedKey(apiUrl: string, dir: string, workDir: string): Promise<{ code: number; out: string }> {
  const keys = (await (await fetch(`${apiUrl}/api/v1/recordings/keys`)).json()) as { keys: { publicKey: string; validUntil: string | null }[] };
  const pem = join(workDir, 'recording-key.pem');
  writeFileSync(pem, keys.keys.find((k) => k.validUntil === null)!.publicKey);
  return new Promise((done) =>
    execFile(process.execPath, [CLI, 'verify', dir, '--public-key', pem], (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` })),
  );
}
