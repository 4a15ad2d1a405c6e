/**
 * Attachment files on disk. Uploads stream into `dataDir/tmp` while being hashed (never held whole in memory),
 * then move into `dataDir/attachments/<sha[0..2]>/<sha>`: content-addressed, so the same scan sent twice is
 * stored once and a replayed submission finds its files already there. A rename within one file system is
 * atomic, so a reader never sees half a file.
 *
 * Files are encrypted at rest, as the denouncer's fields are: AES-256-GCM under a key derived from dataKey,
 * streamed (`version(1) | iv(12) | ciphertext | tag(16)`, a fresh IV per file). The SHA-256 that names a file and
 * that the citizen's receipt shows is of the plaintext as sent, and a download gives back exactly those bytes.
 * GCM checks its tag only at the end, so a download of a changed file is cut before it completes rather than
 * served whole. Files stored before encryption (their first byte is a JPEG, PNG, WebP or PDF signature, never 1)
 * are still read as they are.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline as streamPipeline, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileTypeFromBuffer } from 'file-type';

/** file-type needs at most this many leading bytes for the formats we accept. */
const SNIFF_BYTES = 4100;

const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES;
/** Binds the ciphertext to its use: a blob sealed for something else does not open as an attachment. */
const ASSOCIATED_DATA = Buffer.from('tiepdan/attachment/v1', 'utf8');

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

  constructor(
    dataDir: string,
    private readonly key: Buffer,
  ) {
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
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(ASSOCIATED_DATA);
    const out = createWriteStream(tmpPath, { mode: 0o600 });
    out.write(Buffer.concat([Buffer.of(FORMAT_VERSION), iv]));
    try {
      await pipeline(stream, meter, cipher, out, { end: false });
      await new Promise<void>((resolve, reject) => out.end(cipher.getAuthTag(), (error?: Error | null) => (error ? reject(error) : resolve())));
    } catch (error) {
      out.destroy();
      await rm(tmpPath, { force: true });
      throw error;
    }
    return { tmpPath, sha256: hash.digest('hex'), size, tooLarge, head: Buffer.concat(headChunks) };
  }

  /** The plaintext of a stored file, streamed; the stream errors (and ends short) if the file was changed. */
  async read(sha256: string): Promise<Readable> {
    const path = this.pathOf(sha256);
    const handle = await open(path, 'r');
    let header: Buffer;
    let tag: Buffer;
    let size: number;
    try {
      size = (await handle.stat()).size;
      header = Buffer.alloc(HEADER_BYTES);
      await handle.read(header, 0, HEADER_BYTES, 0);
      tag = Buffer.alloc(TAG_BYTES);
      await handle.read(tag, 0, TAG_BYTES, Math.max(0, size - TAG_BYTES));
    } finally {
      await handle.close();
    }
    if (header[0] !== FORMAT_VERSION) return createReadStream(path);
    if (size < HEADER_BYTES + TAG_BYTES) throw new Error('attachment file: truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.key, header.subarray(1), { authTagLength: TAG_BYTES });
    decipher.setAAD(ASSOCIATED_DATA);
    decipher.setAuthTag(tag);
    // The last piece of plaintext is held back until the tag has checked: a changed file then always ends
    // short of its Content-Length, which the client sees as a failed download, never as a complete one.
    let held: Buffer | undefined;
    const holdLast = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        const previous = held;
        held = chunk;
        done(null, previous);
      },
      flush(done) {
        done(null, held);
      },
    });
    return streamPipeline(createReadStream(path, { start: HEADER_BYTES, end: size - TAG_BYTES - 1 }), decipher, holdLast, () => undefined);
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
