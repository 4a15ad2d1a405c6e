/**
 * Where a recording's files live. The embedded default keeps them in the data folder (fs-storage.ts); an
 * S3-compatible implementation can fill the same interface later: `writeSegment` resolves only once the object
 * is durably stored (a PUT answered 200), `stage` downloads to a local work folder for ffmpeg and `publish`
 * uploads a finished file.
 */
import type { Readable } from 'node:stream';

export interface RecordingStorage {
  /** Creates what a new recording needs (its folders). */
  create(recordingId: string): Promise<void>;
  /** Stores a segment; resolves only when it would survive a power cut. Replaces a same-named unacknowledged one. */
  writeSegment(recordingId: string, name: string, data: Uint8Array): Promise<void>;
  readSegment(recordingId: string, name: string): Promise<Buffer>;
  removeSegment(recordingId: string, name: string): Promise<void>;
  /** Names of the stored segments. */
  listSegments(recordingId: string): Promise<string[]>;
  /** Stores a small file (manifest, signature) durably. */
  writeFile(recordingId: string, name: string, data: Uint8Array | string): Promise<void>;
  /** A local folder holding the recording's files, for ffmpeg; segments are under `segments/`. */
  stage(recordingId: string): Promise<string>;
  /** Moves a finished local file into the recording under `name`, durably. */
  publish(recordingId: string, name: string, localPath: string): Promise<void>;
  size(recordingId: string, name: string): Promise<number | undefined>;
  /** Reads a file, or a byte range of it (inclusive end, like HTTP). */
  open(recordingId: string, name: string, range?: { start: number; end: number }): Readable;
  /** The local folder of the recording, when there is one (what `tiepdan-server verify` reads). */
  localDir(recordingId: string): string | undefined;
}
