/**
 * The recording routes' replies as zod schemas (issue 14): the server serializes every 2xx answer of
 * /api/v1/recordings/* through them (hence the OpenAPI document), and a client may check one with them. Apart
 * from protocol.ts so the browser recorder, which only needs the protocol's types, does not load zod; the
 * protocol's interfaces are checked below to be these schemas' types. docs/recording.md has the routes.
 *
 * Two views are open objects (`looseObject`), so serializing keeps what they do not name: the signed manifest
 * (docs/recording-bundle.md: members may be added without a new format, and a reply that dropped one would no
 * longer be the document that was signed), and the facts a copy stored as JSON when it was approved and handed
 * over (what was attested is answered as it was recorded).
 */
import * as z from 'zod/mini';
import { RECORDING_POLICIES, RECORDING_STATES, type RecorderReply, type ResumePoint, type SegmentAck, type SessionRecorderReply } from './protocol.js';

z.config({ jitless: true });

const nullableString = () => z.nullable(z.string());

export const RecordingLeaseSchema = z.object({ epoch: z.number(), recorderId: z.string(), grantedAt: z.string(), endedAt: nullableString(), endReason: nullableString() });

/** A recording's state, recorders and leases (GET /recordings/by-session/:id, POST /recordings, start, end, finalize). */
export const RecordingSchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  unit: z.string(),
  policy: z.enum(RECORDING_POLICIES),
  /** A denunciation was heard: never streamed, downloaded only by a role that may read the denouncer. */
  confidential: z.boolean(),
  state: z.enum(RECORDING_STATES),
  /** The current lease epoch (the fencing token); 0 before the first lease. */
  epoch: z.number(),
  holder: z.nullable(z.object({ recorderId: z.string(), pointId: nullableString(), leaseExpiresAt: z.string() })),
  standbys: z.array(z.object({ recorderId: z.string(), pointId: nullableString(), lastSeenAt: z.string(), alive: z.boolean() })),
  /** A mandatory recording with nobody recording it. */
  alarm: z.nullable(z.object({ code: z.literal('no_recorder'), since: z.string() })),
  segments: z.object({ count: z.number(), bytes: z.number() }),
  /** Per epoch, the sequence numbers still missing below the highest stored one. */
  missing: z.array(z.object({ epoch: z.number(), seqs: z.array(z.number()) })),
  leases: z.array(RecordingLeaseSchema),
  createdAt: z.string(),
  startedAt: nullableString(),
  endedAt: nullableString(),
  finalizedAt: nullableString(),
  manifestSha256: nullableString(),
  lastError: nullableString(),
  leaseMs: z.number(),
  heartbeatMs: z.number(),
});
export type Recording = z.infer<typeof RecordingSchema>;

/** The finalized recording's evidence facts, as the desk writes them into the case record, Form 03 and the receipt. */
export const RecordingEvidenceSchema = z.object({
  manifestSha256: z.string(),
  /** SHA-256 of the signing key's SPKI DER, lowercase hex: compare with GET /recordings/keys. */
  keyId: z.string(),
  finalizedAt: z.string(),
});
export type RecordingEvidence = z.infer<typeof RecordingEvidenceSchema>;

/** `{ recording }`: the answer of every route that acts on one recording. */
export const RecordingResponseSchema = z.object({ recording: RecordingSchema });
export type RecordingResponse = z.infer<typeof RecordingResponseSchema>;

/** GET /recordings/:id: the recording with, once finalized, its evidence facts (null before). */
export const RecordingDetailResponseSchema = z.object({ recording: z.object({ ...RecordingSchema.shape, evidence: z.nullable(RecordingEvidenceSchema) }) });
export type RecordingDetailResponse = z.infer<typeof RecordingDetailResponseSchema>;

/** One line of GET /recordings: the recording without its recorders and leases. */
export const RecordingListItemSchema = z.pick(RecordingSchema, { id: true, sessionId: true, unit: true, policy: true, confidential: true, state: true, createdAt: true, startedAt: true, endedAt: true, finalizedAt: true, manifestSha256: true });
export type RecordingListItem = z.infer<typeof RecordingListItemSchema>;

/** GET /recordings, newest first. */
export const RecordingListSchema = z.object({ recordings: z.array(RecordingListItemSchema) });
export type RecordingList = z.infer<typeof RecordingListSchema>;

/** GET /recordings/keys: every public key that ever signed, and the time-stamping authority (docs/recording-bundle.md). */
export const KeyHistorySchema = z.object({
  format: z.literal('tiepdan-recording-keys/1'),
  keys: z.array(z.object({ keyId: z.string(), algorithm: z.literal('Ed25519'), publicKey: z.string(), validFrom: z.string(), validUntil: nullableString() })),
  timestamping: z.nullable(z.object({ authority: z.string(), caCertificates: nullableString() })),
});
export type KeyHistoryView = z.infer<typeof KeyHistorySchema>;

export const ResumePointSchema = z.object({ epoch: z.number(), nextSeq: z.number(), storedAbove: z.array(z.number()), missing: z.array(z.number()) });

/** POST /recordings/sessions/:id/recorders */
export const SessionRecorderReplySchema = z.object({
  recordingId: nullableString(),
  state: z.enum([...RECORDING_STATES, 'waiting']),
  heartbeatMs: z.number(),
  leaseMs: z.number(),
});

/** POST /recordings/:id/recorders, its heartbeat and leave. */
export const RecorderReplySchema = z.object({
  recorderId: z.string(),
  role: z.enum(['active', 'standby']),
  epoch: z.number(),
  leaseMs: z.number(),
  heartbeatMs: z.number(),
  leaseExpiresAt: z.optional(z.string()),
  resume: z.optional(ResumePointSchema),
  state: z.enum(RECORDING_STATES),
});

/** POST /recordings/:id/segments, sent once the bytes are durably stored. */
export const SegmentAckSchema = z.object({
  ack: z.object({ recordingId: z.string(), epoch: z.number(), seq: z.number(), bytes: z.number(), sha256: z.string(), duplicate: z.boolean() }),
  missing: z.array(z.number()),
});

const at = { at: z.string() };
const GapSchema = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('failover'), fromEpoch: z.number(), toEpoch: z.number(), from: z.string(), to: z.string(), durationMs: z.number() }),
  z.looseObject({ kind: z.literal('missing_segments'), epoch: z.number(), seqs: z.array(z.number()) }),
  z.looseObject({ kind: z.literal('no_recorder'), afterEpoch: z.number(), from: z.string(), to: z.string(), durationMs: z.number() }),
  z.looseObject({ kind: z.literal('truncated'), epoch: z.number(), afterSeq: z.number(), at: z.string() }),
]);

/** The signed manifest of a finalized recording, member by member as docs/recording-bundle.md describes format 2. */
export const ManifestSchema = z.looseObject({
  format: z.literal('tiepdan-recording-manifest/2'),
  recording: z.looseObject({ id: z.string(), policy: z.string(), confidential: z.boolean(), createdAt: z.string(), createdBy: z.string(), startedAt: nullableString(), endedAt: nullableString(), endedBy: nullableString(), finalizedAt: z.string() }),
  session: z.looseObject({ id: z.string(), unit: z.string() }),
  participants: z.array(z.looseObject(at)),
  notices: z.array(z.looseObject(at)),
  cases: z.array(z.looseObject(at)),
  marks: z.array(z.looseObject({ kind: z.string(), at: z.string(), offsetMs: z.nullable(z.number()), caseId: z.string(), sha256: nullableString() })),
  recorders: z.array(z.looseObject({ recorderId: z.string(), pointId: nullableString(), official: z.string(), registeredAt: z.string(), leftAt: nullableString() })),
  leases: z.array(z.looseObject(RecordingLeaseSchema.shape)),
  failovers: z.array(z.looseObject({ fromEpoch: z.number(), toEpoch: z.number(), fromRecorder: z.string(), toRecorder: z.string(), leaseEndedAt: nullableString(), endReason: nullableString(), grantedAt: z.string() })),
  segments: z.array(
    z.looseObject({ index: z.number(), epoch: z.number(), seq: z.number(), file: z.string(), bytes: z.number(), sha256: z.string(), recorderId: z.string(), capturedAt: nullableString(), receivedAt: z.string(), prevHash: z.string(), hash: z.string() }),
  ),
  gaps: z.array(GapSchema),
  chain: z.looseObject({ algorithm: z.literal('sha256'), genesis: z.string(), head: z.string(), count: z.number(), bytes: z.number() }),
  streams: z.array(z.looseObject({ epoch: z.number(), packets: z.nullable(z.number()), complete: z.nullable(z.boolean()) })),
  media: z.looseObject({
    seekable: z.boolean(),
    tool: z.optional(z.string()),
    reason: z.optional(z.string()),
    files: z.array(z.looseObject({ file: z.string(), bytes: z.number(), sha256: z.string(), durationMs: z.optional(z.number()), packets: z.optional(z.number()) })),
  }),
  checksums: z.looseObject({ file: z.literal('SHA256SUMS'), sha256: z.string() }),
  signing: z.looseObject({ algorithm: z.literal('Ed25519'), keyId: z.string(), publicKeyFile: z.literal('signing-key.pem'), signatureFile: z.literal('manifest.sig') }),
  timestamp: z.nullable(z.looseObject({ authority: z.string(), file: z.literal('manifest.tsr'), hashAlgorithm: z.literal('sha256') })),
});
export type ManifestView = z.infer<typeof ManifestSchema>;

/** GET /recordings/:id/manifest: the manifest as signed, and the signature over the exact bytes of manifest.json. */
export const ManifestResponseSchema = z.object({
  manifest: ManifestSchema,
  signature: z.object({ algorithm: z.literal('Ed25519'), keyId: z.string(), publicKey: z.string(), /** base64 */ signature: z.string() }),
});
export type ManifestResponse = z.infer<typeof ManifestResponseSchema>;

/** One line of a recording's access log, as stored (who did what to the recording, allowed or refused). */
export const AccessLogEntrySchema = z.object({
  id: z.number(),
  at: z.string(),
  recording_id: nullableString(),
  actor: z.string(),
  role: z.string(),
  action: z.string(),
  outcome: z.enum(['allowed', 'refused']),
  status: z.number(),
  ip: nullableString(),
  user_agent: nullableString(),
  /** JSON text, when the action had details. */
  detail: nullableString(),
});
export type AccessLogEntry = z.infer<typeof AccessLogEntrySchema>;

/** GET /recordings/:id/access */
export const AccessLogSchema = z.object({ entries: z.array(AccessLogEntrySchema) });
export type AccessLog = z.infer<typeof AccessLogSchema>;

/** A citizen's copy of their own case: asked for, approved (the cut made and signed), handed over. */
export const RecordingCopySchema = z.object({
  id: z.string(),
  recordingId: z.string(),
  /** The registration's reference code. */
  reference: z.string(),
  state: z.enum(['requested', 'approved', 'handed_over']),
  requestedAt: z.string(),
  requestedBy: z.string(),
  approvedAt: nullableString(),
  approvedBy: nullableString(),
  /** What the approver attested (`denouncerSecretsChecked`) and the hashes of the source. */
  checks: z.nullable(z.looseObject({})),
  /** The case's window in the media, seconds (`fromSeconds`, `toSeconds`). */
  window: z.nullable(z.looseObject({})),
  file: z.nullable(z.object({ name: z.string(), bytes: z.nullable(z.number()), sha256: nullableString() })),
  handedOverAt: nullableString(),
  handedOverBy: nullableString(),
  /** To whom and how (`recipient`, `method`, `note`), and which file by its SHA-256. */
  handover: z.nullable(z.looseObject({})),
});
export type RecordingCopy = z.infer<typeof RecordingCopySchema>;

/** POST /recordings/:id/copies, approve and handover. */
export const RecordingCopyResponseSchema = z.object({ copy: RecordingCopySchema });
export type RecordingCopyResponse = z.infer<typeof RecordingCopyResponseSchema>;

/** True when A and B are each other's type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** Compile-time only: the protocol's interfaces are these schemas' types (this fails to compile otherwise). */
export type RecordingProtocolIsItsSchemas = [
  Assert<Same<z.output<typeof RecorderReplySchema>, RecorderReply>>,
  Assert<Same<z.output<typeof SessionRecorderReplySchema>, SessionRecorderReply>>,
  Assert<Same<z.output<typeof SegmentAckSchema>, SegmentAck>>,
  Assert<Same<z.output<typeof ResumePointSchema>, ResumePoint>>,
];
