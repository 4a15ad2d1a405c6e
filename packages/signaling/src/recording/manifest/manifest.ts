import type { ManifestMark } from './marks.js';

/** The manifest's shape: what `tiepdan-server verify` reads, years after the session. */
export const MANIFEST_FORMAT = 'tiepdan-recording-manifest/1';
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
export const MEDIA_FILE = 'recording.webm';

export interface ManifestSegment {
  index: number;
  epoch: number;
  seq: number;
  /** Path relative to the recording folder. */
  file: string;
  bytes: number;
  sha256: string;
  recorderId: string;
  capturedAt: string | null;
  receivedAt: string;
  prevHash: string;
  hash: string;
}

export type ManifestGap =
  /** Between the last segment of one lease and the first of the next (failover). */
  | { kind: 'failover'; fromEpoch: number; toEpoch: number; from: string; to: string; durationMs: number }
  /** Sequence numbers never received within one lease's stream. */
  | { kind: 'missing_segments'; epoch: number; seqs: number[] }
  /** The last lease ended (lapsed or left) and nobody took over before the end. */
  | { kind: 'no_recorder'; afterEpoch: number; from: string; to: string; durationMs: number };

export interface ManifestMediaFile {
  file: string;
  bytes: number;
  sha256: string;
  durationMs?: number | undefined;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  recording: {
    id: string;
    policy: string;
    confidential: boolean;
    createdAt: string;
    createdBy: string;
    startedAt: string | null;
    endedAt: string | null;
    endedBy: string | null;
    finalizedAt: string;
  };
  session: { id: string; unit: string; [key: string]: unknown };
  participants: { at: string; [key: string]: unknown }[];
  notices: { at: string; [key: string]: unknown }[];
  cases: { at: string; [key: string]: unknown }[];
  /** What the reception desk did during the recording (manifest/marks.ts); extensible kinds. */
  marks: ManifestMark[];
  recorders: { recorderId: string; pointId: string | null; official: string; registeredAt: string; leftAt: string | null }[];
  leases: { epoch: number; recorderId: string; grantedAt: string; endedAt: string | null; endReason: string | null }[];
  failovers: { fromEpoch: number; toEpoch: number; fromRecorder: string; toRecorder: string; leaseEndedAt: string | null; endReason: string | null; grantedAt: string }[];
  segments: ManifestSegment[];
  gaps: ManifestGap[];
  chain: { algorithm: 'sha256'; genesis: string; head: string; count: number; bytes: number };
  media: { seekable: boolean; tool?: string | undefined; reason?: string | undefined; files: ManifestMediaFile[] };
  signing: { algorithm: 'Ed25519'; keyId: string };
}
