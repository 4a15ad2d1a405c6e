/**
 * The recording's settings (config `recording`): lease and heartbeat (tests shorten them), the drain window after
 * the head ends a session, segment size, where ffmpeg/ffprobe are, and the manifest signing key.
 */
import * as z from 'zod';
import { RECORDING_LIMITS } from '@tiepdan/core';

/**
 * Where the recordings' files go: the data folder (one node), or S3-compatible object storage shared by every
 * node (recording/storage/s3-storage.ts). Keys in the file, or the SDK's own chain (AWS_ACCESS_KEY_ID…) when absent.
 */
const StorageSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fs') }),
  z.strictObject({
    kind: z.literal('s3'),
    endpoint: z.url({ protocol: /^https?$/u }).optional(),
    region: z.string().min(1).default('us-east-1'),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/u, 'an S3 bucket name'),
    prefix: z.string().regex(/^([\w.-]+\/)*$/u, 'empty, or folder names each ending in /').default(''),
    forcePathStyle: z.boolean().default(true),
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
  }),
]);

export const RecordingSettingsSchema = z.strictObject({
  storage: StorageSchema.default({ kind: 'fs' }),
  /** A lease not renewed for this long lapses and a standby takes over; failover goal ≤ 5 s. */
  leaseMs: z.int().min(100).max(60_000).default(RECORDING_LIMITS.leaseMs),
  heartbeatMs: z.int().min(20).max(30_000).default(RECORDING_LIMITS.heartbeatMs),
  drainMs: z.int().min(0).max(60_000).default(RECORDING_LIMITS.drainMs),
  maxSegmentBytes: z.int().min(1024).max(64 * 1024 * 1024).default(RECORDING_LIMITS.maxSegmentBytes),
  /** Official sessions are recorded unless a manager says otherwise when opening the recording. */
  mandatoryByDefault: z.boolean().default(true),
  /**
   * Rooms the schedule does not know (ad-hoc ids) that are recorded like a scheduled session all the same: a
   * recorder must be ready to open them and a citizen is admitted only while the recording runs. The demo's
   * practice room; a drill.
   */
  practiceRooms: z.array(z.string().min(1).max(200)).max(100).default([]),
  /** Command names or paths; `false` runs without (raw segments are kept and the manifest says so). */
  ffmpeg: z.union([z.string().min(1), z.literal(false)]).default('ffmpeg'),
  ffprobe: z.union([z.string().min(1), z.literal(false)]).default('ffprobe'),
  /** The Chromium the headless recorder (`tiepdan-server record`) runs; else CHROMIUM_PATH, then Debian's /usr/bin/chromium. */
  chromium: z.string().min(1).optional(),
  /** Ed25519 private key (PKCS#8 PEM); when absent one is created in dataDir/keys with mode 0600. */
  signingKey: z.string().includes('PRIVATE KEY').optional(),
  /**
   * An RFC 3161 time-stamping authority: every finalized manifest gets a token from it (manifest.tsr). `caCertificates`
   * (PEM) is the TSA's CA as published for verifiers (GET /api/v1/recordings/keys carries it).
   */
  /**
   * A finalization that fails (the TSA unreachable, the disk full) is tried again by itself after this long, the
   * wait doubling up to `finalizeRetryMaxMs`, until it succeeds; `POST /recordings/:id/finalize` still tries at once.
   */
  finalizeRetryMs: z.int().min(10).max(3_600_000).default(5_000),
  finalizeRetryMaxMs: z.int().min(10).max(86_400_000).default(300_000),
  timestamping: z
    .strictObject({
      url: z.url({ protocol: /^https?$/u }),
      caCertificates: z.string().includes('BEGIN CERTIFICATE').optional(),
      timeoutMs: z.int().min(100).max(120_000).default(10_000),
    })
    .optional(),
});
export type RecordingSettings = z.infer<typeof RecordingSettingsSchema>;
