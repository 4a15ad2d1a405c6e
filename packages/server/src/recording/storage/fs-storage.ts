/**
 * Recordings in the data folder: `dataDir/recordings/<id>/segments/e<epoch>-s<seq>.chunk`, then the finalized
 * media, `manifest.json` and `manifest.sig` beside them. Every write goes to a temporary name, is fsynced,
 * renamed into place, and the folder is fsynced: after a power cut a segment is there whole or not at all, and
 * an acknowledged one is there.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { RecordingStorage } from './storage.js';

export const SEGMENTS_DIR = 'segments';
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/u;

export class FsRecordingStorage implements RecordingStorage {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'recordings');
  }

  async create(recordingId: string): Promise<void> {
    await mkdir(join(this.dir(recordingId), SEGMENTS_DIR), { recursive: true, mode: 0o750 });
    await fsyncDir(this.root);
    await fsyncDir(this.dir(recordingId));
  }

  async writeSegment(recordingId: string, name: string, data: Uint8Array): Promise<void> {
    await durableWrite(join(this.dir(recordingId), SEGMENTS_DIR), checked(name), data);
  }

  readSegment(recordingId: string, name: string): Promise<Buffer> {
    return readFile(join(this.dir(recordingId), SEGMENTS_DIR, checked(name)));
  }

  async removeSegment(recordingId: string, name: string): Promise<void> {
    await rm(join(this.dir(recordingId), SEGMENTS_DIR, checked(name)), { force: true });
  }

  async listSegments(recordingId: string): Promise<string[]> {
    try {
      return (await readdir(join(this.dir(recordingId), SEGMENTS_DIR))).filter((n) => !n.startsWith('.'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async writeFile(recordingId: string, name: string, data: Uint8Array | string): Promise<void> {
    await durableWrite(this.dir(recordingId), checked(name), typeof data === 'string' ? Buffer.from(data) : data);
  }

  async stage(recordingId: string): Promise<string> {
    return this.dir(recordingId);
  }

  async publish(recordingId: string, name: string, localPath: string): Promise<void> {
    const fh = await open(localPath, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    const target = join(this.dir(recordingId), checked(name));
    await rename(localPath, target);
    await fsyncDir(dirname(target));
  }

  async size(recordingId: string, name: string): Promise<number | undefined> {
    try {
      return (await stat(join(this.dir(recordingId), checked(name)))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  open(recordingId: string, name: string, range?: { start: number; end: number }): Readable {
    return createReadStream(join(this.dir(recordingId), checked(name)), range ?? {});
  }

  localDir(recordingId: string): string {
    return this.dir(recordingId);
  }

  /**
   * Removes temporary files a crash left behind mid-write (never acknowledged, so never needed). With several
   * nodes writing one folder, a temporary file younger than `olderThanMs` may be another node's write in
   * progress: it is left for a later sweep.
   */
  async sweep(recordingId: string, olderThanMs = 0): Promise<number> {
    let removed = 0;
    for (const folder of [this.dir(recordingId), join(this.dir(recordingId), SEGMENTS_DIR)]) {
      let names: string[] = [];
      try {
        names = await readdir(folder);
      } catch {
        continue;
      }
      for (const name of names.filter((n) => n.startsWith('.') && n.endsWith('.tmp'))) {
        if (olderThanMs > 0) {
          const modified = await stat(join(folder, name)).then((s) => s.mtimeMs, () => undefined);
          if (modified === undefined || Date.now() - modified < olderThanMs) continue;
        }
        await rm(join(folder, name), { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  private dir(recordingId: string): string {
    return join(this.root, checked(recordingId));
  }
}

function checked(name: string): string {
  if (!SAFE_NAME.test(name)) throw new Error(`unsafe file name "${name}"`);
  return name;
}

export async function durableWrite(dir: string, name: string, data: Uint8Array, mode = 0o640): Promise<void> {
  const tmp = join(dir, `.${name}.${randomUUID()}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (error) {
    await fh.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await fh.close();
  await rename(tmp, join(dir, name));
  await fsyncDir(dir);
}

/** Makes a rename or a new file's directory entry durable (POSIX: fsync the directory itself). */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
