/**
 * Attachment files on disk. Uploads stream into `dataDir/tmp` while being hashed (never held whole in memory),
 * then move into `dataDir/attachments/<sha[0..2]>/<sha>`: content-addressed, so the same scan sent twice is
 * stored once and a replayed submission finds its files already there. A rename within one file system is
 * atomic, so a reader never sees half a file.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileTypeFromBuffer } from 'file-type';

/** file-type needs at most this many leading bytes for the formats we accept. */
const SNIFF_BYTES = 4100;

/** Formats we can recognise by content. Rules may narrow them, never widen (config/schema.ts). */
export const DETECTABLE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'] as const;

export interface ReceivedFile {
  tmpPath: string;
  sha256: string;
  size: number;
  /** True when the upload went past the byte limit; the rest was not stored. */
  tooLarge: boolean;
  /** The first bytes, for type detection. */
  head: Buffer;
}

export class AttachmentFiles {
  readonly tmpDir: string;
  readonly dir: string;

  constructor(dataDir: string) {
    this.tmpDir = join(dataDir, 'tmp');
    this.dir = join(dataDir, 'attachments');
  }

  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/u.test(sha256)) throw new Error('not a sha256');
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  /**
   * Streams an upload into a temp file, hashing and counting as it goes. Stops writing past `maxBytes` (the
   * rest of the stream is read and dropped so the request can finish) and reports `tooLarge`.
   */
  async receive(stream: Readable, maxBytes: number): Promise<ReceivedFile> {
    const tmpPath = join(this.tmpDir, `${randomUUID()}.part`);
    const hash = createHash('sha256');
    const headChunks: Buffer[] = [];
    let headLength = 0;
    let size = 0;
    let tooLarge = false;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > maxBytes) {
          tooLarge = true;
          return done();
        }
        hash.update(chunk);
        if (headLength < SNIFF_BYTES) {
          headChunks.push(chunk.subarray(0, SNIFF_BYTES - headLength));
          headLength += Math.min(chunk.length, SNIFF_BYTES - headLength);
        }
        done(null, chunk);
      },
    });
    try {
      await pipeline(stream, meter, createWriteStream(tmpPath, { mode: 0o600 }));
    } catch (error) {
      await rm(tmpPath, { force: true });
      throw error;
    }
    return { tmpPath, sha256: hash.digest('hex'), size, tooLarge, head: Buffer.concat(headChunks) };
  }

  /** The type the content says it is, if it is one we know; the name and the declared type are not trusted. */
  async detectType(head: Buffer): Promise<string | undefined> {
    const found = await fileTypeFromBuffer(head);
    return found && (DETECTABLE_TYPES as readonly string[]).includes(found.mime) ? found.mime : undefined;
  }

  /** Moves a received file into place. True when this call created the stored file (it was not there before). */
  async commit(file: ReceivedFile): Promise<boolean> {
    const target = this.pathOf(file.sha256);
    if (await exists(target)) {
      await rm(file.tmpPath, { force: true });
      return false;
    }
    await mkdir(join(this.dir, file.sha256.slice(0, 2)), { recursive: true, mode: 0o700 });
    await rename(file.tmpPath, target);
    return true;
  }

  async discard(files: Iterable<ReceivedFile>): Promise<void> {
    await Promise.all([...files].map((f) => rm(f.tmpPath, { force: true })));
  }

  async remove(sha256s: Iterable<string>): Promise<void> {
    await Promise.all([...sha256s].map((sha) => rm(this.pathOf(sha), { force: true })));
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
