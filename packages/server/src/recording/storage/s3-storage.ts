/**
 * Recordings in S3-compatible object storage (config `recording.storage: { kind: 's3', … }`): one object per
 * segment under `<prefix><recording>/segments/`, the finalized media, manifest and signature beside them. A
 * segment is acknowledged only after its PUT is answered (the object is stored); the final media goes up as a
 * multipart upload. ffmpeg needs files, so `stage` downloads what the recording has into a local work folder
 * (dataDir/recordings-work/<id>) and `publish` uploads what it made, keeping the local copy there for the next
 * step (a citizen's copy is cut from it).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { SEGMENTS_DIR } from './fs-storage.js';
import type { RecordingStorage } from './storage.js';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/u;
/** Multipart part size for the final media (S3's minimum is 5 MiB). */
const PART_BYTES = 8 * 1024 * 1024;

export interface S3StorageSettings {
  endpoint?: string | undefined;
  region: string;
  bucket: string;
  prefix: string;
  /** Path-style URLs (`endpoint/bucket/key`), which most S3-compatible servers want. */
  forcePathStyle: boolean;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
}

export class S3RecordingStorage implements RecordingStorage {
  private readonly s3: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly workRoot: string;

  constructor(settings: S3StorageSettings, dataDir: string) {
    this.s3 = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      // Without keys in the config, the SDK's own chain (AWS_ACCESS_KEY_ID…, an instance role) provides them.
      ...(settings.accessKeyId && settings.secretAccessKey ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } } : {}),
      // Checksums only where the API requires them: many S3-compatible servers refuse the SDK's default trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    this.bucket = settings.bucket;
    this.prefix = settings.prefix;
    this.workRoot = join(dataDir, 'recordings-work');
  }

  async create(recordingId: string): Promise<void> {
    // Objects need no folder; the local work folder is made when ffmpeg needs it.
    checked(recordingId);
  }

  async writeSegment(recordingId: string, name: string, data: Uint8Array): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.segmentKey(recordingId, name), Body: data, ContentLength: data.byteLength }));
  }

  async readSegment(recordingId: string, name: string): Promise<Buffer> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.segmentKey(recordingId, name) }));
    return Buffer.from(await object.Body!.transformToByteArray());
  }

  async removeSegment(recordingId: string, name: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.segmentKey(recordingId, name) }));
  }

  async listSegments(recordingId: string): Promise<string[]> {
    const prefix = this.segmentKey(recordingId, '');
    return (await this.list(prefix)).map((o) => o.key.slice(prefix.length));
  }

  async writeFile(recordingId: string, name: string, data: Uint8Array | string): Promise<void> {
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(recordingId, name), Body: body, ContentLength: body.byteLength }));
  }

  /** Downloads the recording's objects into its work folder (those not there yet at the same size). */
  async stage(recordingId: string): Promise<string> {
    const dir = join(this.workRoot, checked(recordingId));
    await mkdir(join(dir, SEGMENTS_DIR), { recursive: true, mode: 0o750 });
    const prefix = this.key(recordingId, '');
    for (const object of await this.list(prefix)) {
      const relative = object.key.slice(prefix.length);
      const target = join(dir, ...relative.split('/').map(checked));
      const local = await stat(target).catch(() => undefined);
      if (local?.size === object.size) continue;
      await mkdir(dirname(target), { recursive: true });
      const got = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: object.key }));
      const tmp = `${target}.download.tmp`;
      await pipeline(got.Body as Readable, createWriteStream(tmp));
      await rename(tmp, target);
    }
    return dir;
  }

  async publish(recordingId: string, name: string, localPath: string): Promise<void> {
    const upload = new Upload({ client: this.s3, params: { Bucket: this.bucket, Key: this.key(recordingId, name), Body: createReadStream(localPath) }, partSize: PART_BYTES, queueSize: 2 });
    await upload.done();
    const dir = join(this.workRoot, checked(recordingId));
    await mkdir(dir, { recursive: true });
    await rename(localPath, join(dir, checked(name)));
  }

  async size(recordingId: string, name: string): Promise<number | undefined> {
    try {
      return (await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(recordingId, name) }))).ContentLength;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw error;
    }
  }

  open(recordingId: string, name: string, range?: { start: number; end: number }): Readable {
    const out = new PassThrough();
    const request = new GetObjectCommand({ Bucket: this.bucket, Key: this.key(recordingId, name), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) });
    this.s3.send(request).then(
      (object) => {
        const body = object.Body as Readable;
        body.on('error', (error) => out.destroy(error));
        body.pipe(out);
      },
      (error: unknown) => out.destroy(error as Error),
    );
    return out;
  }

  localDir(): undefined {
    return undefined;
  }

  private key(recordingId: string, name: string): string {
    return `${this.prefix}${checked(recordingId)}/${name === '' ? '' : checked(name)}`;
  }

  private segmentKey(recordingId: string, name: string): string {
    return `${this.prefix}${checked(recordingId)}/${SEGMENTS_DIR}/${name === '' ? '' : checked(name)}`;
  }

  private async list(prefix: string): Promise<{ key: string; size: number }[]> {
    const out: { key: string; size: number }[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }
}

function checked(name: string): string {
  if (!SAFE_NAME.test(name)) throw new Error(`unsafe object name "${name}"`);
  return name;
}
