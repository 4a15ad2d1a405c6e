/**
 * The recorder's device storage: every chunk MediaRecorder hands over is written here before it is uploaded
 * and deleted only when the server has acknowledged it (durably stored). A network outage, a server restart or
 * a reload of the recorder's page therefore loses nothing that was captured: the chunks wait here and go out
 * when the server is back. Its own IndexedDB database (`tiepdan:recorder`), apart from the citizens' drafts.
 *
 * When IndexedDB cannot be opened the same interface lives in memory and `persistent` is false; the recorder
 * says so to the officials (a reload would then lose what is not yet acknowledged).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { databaseName } from '../local/database.js';

/** One MediaRecorder chunk, identified like a Segment on the server: (recordingId, epoch, seq). */
export interface StoredChunk {
  recordingId: string;
  epoch: number;
  seq: number;
  data: Blob;
  bytes: number;
  sha256: string;
  /** When the chunk's capture started (ms since the epoch, this device's clock). */
  capturedAt: number;
  /** The last chunk of the stream (MediaRecorder stopped after the session ended). */
  last: boolean;
}

export interface ChunkStore {
  readonly persistent: boolean;
  put(chunk: StoredChunk): Promise<void>;
  delete(recordingId: string, epoch: number, seq: number): Promise<void>;
  /** The recording's chunks in stream order (epoch, then seq). */
  list(recordingId: string): Promise<StoredChunk[]>;
  count(recordingId: string): Promise<number>;
  close(): void;
}

export const RECORDER_NAMESPACE = 'recorder';

interface RecorderDB extends DBSchema {
  chunks: { key: [string, number, number]; value: StoredChunk; indexes: { byRecording: string } };
}

/** Opens the recorder's chunk store (IndexedDB), falling back to memory. */
export async function openChunkStore(namespace = RECORDER_NAMESPACE): Promise<ChunkStore> {
  const name = databaseName(namespace);
  try {
    if (typeof indexedDB === 'undefined') throw new Error('no IndexedDB');
    const idb = await openDB<RecorderDB>(name, 1, {
      upgrade(db) {
        db.createObjectStore('chunks', { keyPath: ['recordingId', 'epoch', 'seq'] }).createIndex('byRecording', 'recordingId');
      },
      blocked() {},
    });
    void navigator.storage?.persist?.().catch(() => false);
    return new IdbChunkStore(idb);
  } catch {
    return new MemoryChunkStore();
  }
}

const inOrder = (a: StoredChunk, b: StoredChunk) => a.epoch - b.epoch || a.seq - b.seq;

class IdbChunkStore implements ChunkStore {
  readonly persistent = true;
  constructor(private readonly idb: IDBPDatabase<RecorderDB>) {}
  async put(chunk: StoredChunk) {
    await this.idb.put('chunks', chunk);
  }
  async delete(recordingId: string, epoch: number, seq: number) {
    await this.idb.delete('chunks', [recordingId, epoch, seq]);
  }
  async list(recordingId: string) {
    return (await this.idb.getAllFromIndex('chunks', 'byRecording', recordingId)).sort(inOrder);
  }
  count(recordingId: string) {
    return this.idb.countFromIndex('chunks', 'byRecording', recordingId);
  }
  close() {
    this.idb.close();
  }
}

export class MemoryChunkStore implements ChunkStore {
  readonly persistent = false;
  readonly #chunks = new Map<string, StoredChunk>();
  async put(chunk: StoredChunk) {
    this.#chunks.set(`${chunk.recordingId}\u0000${chunk.epoch}\u0000${chunk.seq}`, chunk);
  }
  async delete(recordingId: string, epoch: number, seq: number) {
    this.#chunks.delete(`${recordingId}\u0000${epoch}\u0000${seq}`);
  }
  async list(recordingId: string) {
    return [...this.#chunks.values()].filter((c) => c.recordingId === recordingId).sort(inOrder);
  }
  async count(recordingId: string) {
    return (await this.list(recordingId)).length;
  }
  close() {}
}
