/**
 * A distinct camera and microphone per participant: Chromium's fake capture devices read a y4m (a plain colour)
 * and a wav (a beeping tone) made here with ffmpeg, one browser process each (the flags are per process). Tests
 * then tell from a picture or a sound whose media it is: a tile's colour, a tone's band in the recording.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
// @ts-expect-error: plain ESM helpers without types.
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';

export interface FakeMedia {
  name: string;
  /** RGB of the picture. */
  rgb: [number, number, number];
  /** The tone's frequency in Hz. */
  tone: number;
  video: string;
  audio: string;
}

/** Small pictures at 15 fps keep four encoders and decoders per browser cheap on a 2-core machine. */
export const FAKE_SIZE = { width: 320, height: 240, fps: 15 };

const hex = (rgb: [number, number, number]) => `0x${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;

/**
 * Writes `<name>.y4m` (2 s of one colour; Chromium loops it) and `<name>.wav` (a tone beeping 0.6 s on, 0.4 s
 * off, so the browser's noise suppression does not take it for a steady hum and remove it).
 */
export function makeFakeMedia(dir: string, name: string, rgb: [number, number, number], tone: number, size = FAKE_SIZE): FakeMedia {
  const video = join(dir, `${name}.y4m`);
  const audio = join(dir, `${name}.wav`);
  const { width, height, fps } = size;
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=${hex(rgb)}:s=${width}x${height}:r=${fps}`, '-t', '2', '-pix_fmt', 'yuv420p', video]);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${tone}:sample_rate=48000`, '-af', "volume='if(lt(mod(t,1),0.6),0.5,0)':eval=frame", '-t', '10', '-ac', '1', audio]);
  return { name, rgb, tone, video, audio };
}

/** One Chromium process whose camera and microphone are this participant's files. */
export function launchWithMedia(media: FakeMedia | undefined, extraArgs: string[] = []): Promise<Browser> {
  const args = [...(chromiumArgs() as string[]), ...extraArgs];
  if (media) args.push(`--use-file-for-fake-video-capture=${media.video}`, `--use-file-for-fake-audio-capture=${media.audio}`);
  return chromium.launch({ executablePath: chromiumPath() as string, args });
}

/** The participant whose colour is nearest to `rgb`, when it is near enough to be that colour at all. */
export function colourOf(rgb: [number, number, number], among: FakeMedia[], tolerance = 90): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const m of among) {
    const d = Math.hypot(rgb[0] - m.rgb[0], rgb[1] - m.rgb[1], rgb[2] - m.rgb[2]);
    if (!best || d < best.d) best = { name: m.name, d };
  }
  return best && best.d <= tolerance ? best.name : undefined;
}
