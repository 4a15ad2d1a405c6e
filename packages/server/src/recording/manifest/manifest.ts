import type { ManifestMark } from './marks.js';

/**
 * The manifest's shape: what `tiepdan-server verify` reads, years after the session. Normative description,
 * byte by byte: docs/recording-bundle.md (change both together, and the format version with any change a
 * verifier of the previous version would misread).
 */
export const MANIFEST_FORMAT = 'tiepdan-recording-manifest/2';
export const MANIFEST_FILE = 'manifest.json';
/** The raw 64-byte Ed25519 signature over the exact bytes of manifest.json. */
export const SIGNATURE_FILE = 'manifest.sig';
/** The signer's public key, SPKI PEM (a convenience: trust comes from the published key history). */
export const PUBLIC_KEY_FILE = 'signing-key.pem';
/** The RFC 3161 TimeStampResp (DER) over SHA-256 of manifest.json. */
export const TIMESTAMP_FILE = 'manifest.tsr';
/** GNU coreutils `sha256sum` lines for every segment and media file, in manifest order. */
export const CHECKSUMS_FILE = 'SHA256SUMS';
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
  | { kind: 'no_recorder'; afterEpoch: number; from: string; to: string; durationMs: number }
  /**
   * The lease's stream stops mid-cluster after its last stored chunk (`afterSeq`, received `at`): the recorder's
   * final chunk never arrived, and nothing above explains it. Found at finalization by reading the stream.
   */
  | { kind: 'truncated'; epoch: number; afterSeq: number; at: string };

/** A gap in or after this lease: its stream may end early (or break where segments are missing). The decode rule. */
export function gapExplains(gaps: readonly ManifestGap[], epoch: number): boolean {
  return gaps.some((g) => (g.kind === 'failover' && g.fromEpoch === epoch) || (g.kind === 'no_recorder' && g.afterEpoch === epoch) || ((g.kind === 'missing_segments' || g.kind === 'truncated') && g.epoch === epoch));
}

export interface ManifestMediaFile {
  file: string;
  bytes: number;
  sha256: string;
  durationMs?: number | undefined;
  /** Packets ffprobe read from the file (all streams); equals the sum over the lease streams it was made from. */
  packets?: number | undefined;
}

/** One lease's stream (its segments joined) as ffprobe read it at finalization. */
export interface ManifestStream {
  epoch: number;
  packets: number | null;
  /** false when ffprobe warned (the stream ended early: an interrupted lease, which the gaps must explain). */
  complete: boolean | null;
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
  /** Per lease, what ffprobe read (null fields without ffprobe). */
  streams: ManifestStream[];
  media: { seekable: boolean; tool?: string | undefined; reason?: string | undefined; files: ManifestMediaFile[] };
  checksums: { file: typeof CHECKSUMS_FILE; sha256: string };
  signing: { algorithm: 'Ed25519'; keyId: string; publicKeyFile: typeof PUBLIC_KEY_FILE; signatureFile: typeof SIGNATURE_FILE };
  /** The time-stamping authority asked for a token over this manifest, or null when none is configured. */
  timestamp: { authority: string; file: typeof TIMESTAMP_FILE; hashAlgorithm: 'sha256' } | null;
}
