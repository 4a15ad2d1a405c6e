/**
 * Attachment files. Uploads stream into `dataDir/tmp` while being hashed (never held whole in memory), then go
 * into the chosen store's attachment storage (`Store.attachments`), content-addressed by their SHA-256, so the
 * same scan sent twice is stored once and a replayed submission finds its files already there. On SQLite that is
 * `dataDir/attachments/<sha[0..2]>/<sha>` (FsAttachmentBlobs below: a rename within one file system is atomic, so
 * a reader never sees half a file); on PostgreSQL a table every node reads (store/attachments-postgres.ts), so a
 * file received by one node is served by any other.
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
import { pipeline as streamPipeline, Readable, Transform } from 'node:stream';
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

/** One stored (sealed) file: its size and its bytes by range. */
export interface StoredBlob {
  size: number;
  /** Bytes `start` to `end`, both included. */
  stream(start: number, end: number): Readable;
  /** Up to `length` bytes from `start`. */
  bytes(start: number, length: number): Promise<Buffer>;
}

/**
 * Where sealed attachment files are kept, built by the chosen store (`Store.attachments`). Content-addressed:
 * the name is the SHA-256 of the plaintext, so storing the same file twice keeps one.
 */
export interface AttachmentBlobs {
  /** Stores the sealed file at `tmpPath` under `sha256` and removes `tmpPath`; true when this call stored it (it was not there before). */
  put(sha256: string, tmpPath: string): Promise<boolean>;
  /** The stored file; fails when there is none. */
  get(sha256: string): Promise<StoredBlob>;
  /** Removes files this server stored for a submission that did not create its registration. */
  remove(sha256s: readonly string[]): Promise<void>;
}

export function checkedSha256(sha256: string): string {
  if (!/^[0-9a-f]{64}$/u.test(sha256)) throw new Error('not a sha256');
  return sha256;
}

/** The data folder's attachments (the SQLite store's): one file per SHA-256, under a folder of its first two digits. */
export class FsAttachmentBlobs implements AttachmentBlobs {
  constructor(readonly dir: string) {}

  pathOf(sha256: string): string {
    return join(this.dir, checkedSha256(sha256).slice(0, 2), sha256);
  }

  async put(sha256: string, tmpPath: string): Promise<boolean> {
    const target = this.pathOf(sha256);
    if (await exists(target)) {
      await rm(tmpPath, { force: true });
      return false;
    }
    await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true, mode: 0o700 });
    await rename(tmpPath, target);
    return true;
  }

  async get(sha256: string): Promise<StoredBlob> {
    const path = this.pathOf(sha256);
    const handle = await open(path, 'r');
    let size: number;
    try {
      size = (await handle.stat()).size;
    } finally {
      await handle.close();
    }
    return {
      size,
      stream: (start, end) => createReadStream(path, { start, end }),
      async bytes(start, length) {
        const file = await open(path, 'r');
        try {
          const buffer = Buffer.alloc(length);
          const { bytesRead } = await file.read(buffer, 0, length, start);
          return buffer.subarray(0, bytesRead);
        } finally {
          await file.close();
        }
      },
    };
  }

  async remove(sha256s: readonly string[]): Promise<void> {
    await Promise.all(sha256s.map((sha) => rm(this.pathOf(sha), { force: true })));
  }
}

/** A stored file held in memory (a database row's bytes). */
export function blobOfBuffer(body: Buffer): StoredBlob {
  return {
    size: body.length,
    stream: (start, end) => Readable.from([body.subarray(start, end + 1)]),
    bytes: async (start, length) => body.subarray(start, start + length),
  };
}

export class AttachmentFiles {
  readonly tmpDir: string;

  constructor(
    dataDir: string,
    private readonly key: Buffer,
    private readonly blobs: AttachmentBlobs,
  ) {
    this.tmpDir = join(dataDir, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
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
    const blob = await this.blobs.get(checkedSha256(sha256));
    const size = blob.size;
    const header = await blob.bytes(0, HEADER_BYTES);
    if (header[0] !== FORMAT_VERSION) return blob.stream(0, Math.max(0, size - 1));
    if (size < HEADER_BYTES + TAG_BYTES) throw new Error('attachment file: truncated');
    const tag = await blob.bytes(size - TAG_BYTES, TAG_BYTES);
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
    return streamPipeline(blob.stream(HEADER_BYTES, size - TAG_BYTES - 1), decipher, holdLast, () => undefined);
  }

  /** The type the content says it is, if it is one we know; the name and the declared type are not trusted. */
  async detectType(head: Buffer): Promise<string | undefined> {
    const found = await fileTypeFromBuffer(head);
    return found && (DETECTABLE_TYPES as readonly string[]).includes(found.mime) ? found.mime : undefined;
  }

  /** Moves a received file into the store. True when this call created the stored file (it was not there before). */
  async commit(file: ReceivedFile): Promise<boolean> {
    return this.blobs.put(checkedSha256(file.sha256), file.tmpPath);
  }

  async discard(files: Iterable<ReceivedFile>): Promise<void> {
    await Promise.all([...files].map((f) => rm(f.tmpPath, { force: true })));
  }

  async remove(sha256s: Iterable<string>): Promise<void> {
    const list = [...sha256s].map(checkedSha256);
    if (list.length) await this.blobs.remove(list);
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
