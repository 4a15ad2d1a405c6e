/**
 * ffmpeg and ffprobe, when installed: remux the recorders' streams into one seekable WebM (duration and cues
 * written, `-c copy`, no re-encoding, so what was recorded is what is kept), cut a case's window for a copy,
 * and probe a file (does it demux to the end, how long is it). Without them the raw segments are kept and the
 * manifest says the media was not made seekable.
 */
import { execFile } from 'node:child_process';

export interface MediaTools {
  ffmpeg: string | false;
  ffprobe: string | false;
}

export interface ProbeResult {
  ok: boolean;
  durationMs?: number;
  packets?: number;
  error?: string;
  /** What ffprobe said at level warning (e.g. "File ended prematurely"): the file does not decode to its end. */
  warnings?: string;
}

function run(command: string, args: string[], timeoutMs = 10 * 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') return reject(error);
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The tool's first version line, or undefined when it is not installed. */
export async function toolVersion(command: string | false): Promise<string | undefined> {
  if (!command) return undefined;
  try {
    const { code, stdout } = await run(command, ['-hide_banner', '-version'], 10_000);
    return code === 0 ? stdout.split('\n')[0]?.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** Concatenates WebM streams (one per lease epoch) into one seekable WebM, copying the packets. */
export async function remuxConcat(ffmpeg: string, listFile: string, output: string): Promise<void> {
  const { code, stderr } = await run(ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', listFile, '-c', 'copy', '-f', 'webm', output]);
  if (code !== 0) throw new Error(`ffmpeg concat failed: ${stderr.trim().slice(0, 500)}`);
}

/** Cuts [from, to] seconds out of a WebM, copying packets (cuts land on keyframes). */
export async function cut(ffmpeg: string, input: string, fromSeconds: number, toSeconds: number, output: string): Promise<void> {
  const { code, stderr } = await run(ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-ss', String(fromSeconds), '-to', String(toSeconds), '-i', input, '-c', 'copy', '-f', 'webm', output]);
  if (code !== 0) throw new Error(`ffmpeg cut failed: ${stderr.trim().slice(0, 500)}`);
}

/**
 * Reads every packet of the file (demux to the end); fails on a file ffprobe cannot read, and reports its
 * warnings (a premature end is only a warning to ffprobe; the verifier's decode rule decides what it means).
 */
export async function probe(ffprobe: string, file: string): Promise<ProbeResult> {
  const { code, stdout, stderr } = await run(ffprobe, ['-hide_banner', '-v', 'warning', '-count_packets', '-show_entries', 'format=duration:stream=nb_read_packets', '-of', 'json', file]);
  if (code !== 0) return { ok: false, error: stderr.trim().slice(0, 500) || `ffprobe exited with ${code}` };
  try {
    const parsed = JSON.parse(stdout) as { format?: { duration?: string }; streams?: { nb_read_packets?: string }[] };
    const duration = Number(parsed.format?.duration);
    const packets = (parsed.streams ?? []).reduce((sum, s) => sum + Number(s.nb_read_packets ?? 0), 0);
    if (!(packets > 0)) return { ok: false, error: 'no packets could be read' };
    const warnings = stderr.trim().replace(/^\[[^\]]*\] /gmu, '').slice(0, 500);
    return { ok: true, packets, ...(Number.isFinite(duration) ? { durationMs: Math.round(duration * 1000) } : {}), ...(warnings ? { warnings } : {}) };
  } catch {
    return { ok: false, error: 'ffprobe output could not be read' };
  }
}
