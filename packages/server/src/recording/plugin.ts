/**
 * The recording capability as one fastify plugin (mounted under /api/v1 by http/server.ts): the coordinator
 * (elections, leases, failover, alarms), segment ingest, finalization into a signed manifest, playback and
 * downloads for the roles that may see recordings, the access log and citizens' copies. The rooms reach the
 * coordinator and its events in process through `recordingOf(app)`; docs/recording.md has the protocol.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod';
import {
  AccessLogSchema,
  can,
  fieldError,
  KeyHistorySchema,
  ManifestResponseSchema,
  RECORDING_POLICIES,
  RecorderReplySchema,
  RecordingCopyResponseSchema,
  RecordingDetailResponseSchema,
  RecordingListSchema,
  RecordingResponseSchema,
  SegmentAckSchema,
  SessionRecorderReplySchema,
  type AccessLogEntry,
  type KeyHistoryView,
  type RecordingEvidence,
  type RecordingListItem,
  type SegmentAck,
  type SessionRecorderReply,
} from '@tiepdan/core';
import { officialVerifier, type OfficialVerifier } from '../auth/tokens.js';
import type { Config } from '../config/schema.js';
import { ApiError } from '../http/api-error.js';
import { invalid, parseWith as parse } from '../http/validation.js';
import { JwtJoinTokenVerifier, type JoinTokenVerifier } from '../rooms/join-tokens.js';
import type { Cluster, Singleton } from '../cluster/cluster.js';
import { MemoryCluster } from '../cluster/memory.js';
import { deriveKeys } from '../privacy/keys.js';
import type { Store } from '../store/store.js';
import { AccessControl } from './access/access.js';
import { approveCopy, ApproveSchema, copyView, handOver, HandoverSchema, requestCopy } from './access/copies.js';
import { RecordingCoordinator, type TimelineEntry } from './coordinator/coordinator.js';
import { RecordingEvents, type RecordingEvent } from './events.js';
import { Ingest } from './ingest/ingest.js';
import { PartTracker } from './ingest/parts.js';
import { finalizeRecording } from './manifest/finalize.js';
import { MANIFEST_FILE, PUBLIC_KEY_FILE, SIGNATURE_FILE, type Manifest } from './manifest/manifest.js';
import { addMark, type MarkInput } from './manifest/marks.js';
import { SigningKeys, type KeyHistoryEntry } from './signing/keys.js';
import { toolVersion } from './media/ffmpeg.js';
import type { AccessRow, RecordingRow } from './repo.js';
import type { RecordingSettings } from './settings.js';
import { FsRecordingStorage } from './storage/fs-storage.js';
import { S3RecordingStorage } from './storage/s3-storage.js';
import type { RecordingStorage } from './storage/storage.js';

export interface RecordingOptions {
  config: Config;
  store: Store;
  joinTokens?: JoinTokenVerifier | undefined;
  /** Checks officials' tokens with their sign-in sessions (auth/tokens.ts); CLI tokens only when absent. */
  verifyOfficial?: OfficialVerifier | undefined;
  /** Another storage (tests); the one `recording.storage` names otherwise. */
  storage?: RecordingStorage | undefined;
  /** Leases are resumed and files swept when this resolves: a supervised worker waits for the one before. */
  takeover?: Promise<void> | undefined;
  events?: RecordingEvents | undefined;
  /** The other nodes: the watchdog and sweeps run on one of them, events and waiting recorders reach all. */
  cluster?: Cluster | undefined;
}

export interface RecordingHandle {
  coordinator: RecordingCoordinator;
  events: RecordingEvents;
  ingest: Ingest;
  storage: RecordingStorage;
  keys: SigningKeys;
  settings: RecordingSettings;
  /**
   * Case marks for the reception desk: adds one to the session's live recording (manifest/marks.ts). Throws
   * ApiError 404 when the session has no recording, 409 recording_closed once it is finalizing.
   */
  marks: { add(input: MarkInput & { sessionId: string }): Promise<{ recordingId: string; kind: string; at: string; caseId: string; sha256: string | null }> };
  /** The finalized recording's evidence facts (manifest hash, signing key id = fingerprint), for case records. */
  evidence(recordingId: string): Promise<RecordingEvidence | null>;
}

/** What the desk writes into the case record, Form 03 and the receipt once a recording is finalized (core's view). */
export type { RecordingEvidence };

const handles = new WeakMap<object, RecordingHandle>();
const EVENTS_TOPIC = 'recording.events';
/** The rooms (and tests) reach the coordinator through the app's HTTP server. */
export function recordingOf(app: FastifyInstance): RecordingHandle | undefined {
  return handles.get(app.server);
}

const ID = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/u);
const Params = z.object({ id: ID });
const OpenSchema = z.strictObject({
  sessionId: ID,
  unit: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/u).optional(),
  policy: z.enum(RECORDING_POLICIES).optional(),
  confidential: z.boolean().optional(),
});
const RecorderSchema = z.strictObject({ recorderId: ID, pointId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/u).optional() });
const SegmentQuery = z.object({
  recorder: ID,
  epoch: z.coerce.number().int().min(1),
  seq: z.coerce.number().int().min(0),
  bytes: z.coerce.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/u),
  capturedAt: z.coerce.number().int().min(0).optional(),
  last: z.enum(['1', 'true']).optional(),
});
const At = z.iso.datetime({ offset: true }).optional();
const TimelineSchema = z.strictObject({
  entries: z
    .array(
      z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('participant'), at: At, participantId: z.string().min(1).max(128), action: z.enum(['joined', 'left', 'admitted', 'removed']), role: z.string().min(1).max(32), name: z.string().max(200).optional(), point: z.string().max(64).optional() }),
        z.strictObject({ kind: z.literal('notice'), at: At, noticeId: z.string().min(1).max(128), version: z.string().min(1).max(40), audience: z.string().max(32).optional(), text: z.strictObject({ vi: z.string().max(10_000), en: z.string().max(10_000) }).optional() }),
        z.strictObject({ kind: z.literal('case'), at: At, reference: z.string().min(1).max(64), action: z.enum(['start', 'end']), matterKind: z.string().max(32).optional() }),
      ]),
    )
    .min(1)
    .max(500),
});
/** Which media file of a recording (0 by default); anything else falls back to 0, as the handler reads it. */
const PartQuery = z.object({ part: z.string().optional() });
const CopyRequestSchema = z.strictObject({ reference: z.string().min(1).max(64).optional() });

export async function recording(app: FastifyInstance, opts: RecordingOptions): Promise<void> {
  const { config, store } = opts;
  // Built by the chosen store; the server does not start with a store that lacks them (store/capabilities.ts).
  const { recordings: repo, accessLog } = store;
  const settings = config.recording;
  const storage = opts.storage ?? (settings.storage.kind === 's3' ? new S3RecordingStorage(settings.storage, config.dataDir) : new FsRecordingStorage(config.dataDir));
  const events = opts.events ?? new RecordingEvents();
  const cluster = opts.cluster ?? new MemoryCluster();
  // What a node emits (a lease lost, an alarm) reaches the node that runs the session's room, wherever it is.
  events.relay((event) => cluster.broadcast(EVENTS_TOPIC, event));
  const stopHearing = cluster.listen(EVENTS_TOPIC, (event) => events.deliver(event as RecordingEvent));
  const keys = new SigningKeys(store.keyVault(deriveKeys(config.dataKey).vault), settings.signingKey);
  // Fails the start on an unreadable or retired key, not the first finalization hours later.
  await keys.current();
  const ffmpegVersion = await toolVersion(settings.ffmpeg);
  const tools = { ffmpeg: ffmpegVersion ? settings.ffmpeg : (false as const), ffprobe: (await toolVersion(settings.ffprobe)) ? settings.ffprobe : (false as const), ffmpegVersion };
  if (!ffmpegVersion) app.log.warn('ffmpeg not found: recordings will be kept as raw segments, not made seekable');
  // Several nodes on PostgreSQL each have their own data folder (nothing else needs sharing): recordings kept there
  // would be split between the nodes that took each chunk, and the node that finalizes would miss the others'.
  // Said at start-up, not refused: the folder may be one mount every node shares (docs/deploy.md, "Recording").
  if (cluster.shared && settings.storage.kind === 'fs' && store.kind === 'postgres') {
    app.log.warn({ dataDir: config.dataDir }, 'recordings are kept in this node\'s data folder: every node must share that folder, or set recording.storage to s3');
  }
  const parts = new PartTracker(repo, cluster.shared);
  const sessionFacts = async (sessionId: string) => {
    const session = await store.schedule.getSession(sessionId).catch(() => undefined);
    if (!session) return undefined;
    return { kind: session.kind, level: session.level, host: session.host, venue: session.venue, connectionPoints: session.connectionPoints, startsAt: session.startsAt, endsAt: session.endsAt };
  };
  const coordinator = new RecordingCoordinator({
    settings,
    repo,
    storage,
    events,
    parts,
    log: app.log,
    cluster,
    finalize: async (id, fence) => void (await finalizeRecording({ repo, storage, tools, keys, sessionFacts, timestamping: settings.timestamping, fences: store.fences }, id, fence)),
  });
  const ingest = new Ingest(repo, storage, coordinator, parts, settings.maxSegmentBytes);
  const access = new AccessControl(accessLog, opts.verifyOfficial ?? officialVerifier(config.authSecret), opts.joinTokens ?? new JwtJoinTokenVerifier(config.authSecret));
  // The watchdog (lapsed leases, alarms, drains and finalizations a dead node left) and the file sweeps run on one
  // node at a time: with one node, here from the start; with several, on the holder of the job's lease in Redis.
  const job = {
    start: async () => {
      await coordinator.resume();
      coordinator.startWatchdog();
      if (cluster.shared) app.log.info({ node: cluster.nodeId }, 'recording watchdog runs on this node');
    },
    stop: () => coordinator.stopWatchdog(),
  };
  const onJobError = (error: unknown) => app.log.error({ err: error }, 'recording leases not resumed');
  let watchdog: Singleton | undefined;
  if (opts.takeover) void opts.takeover.then(() => (watchdog = cluster.singleton('recording-watchdog', job, onJobError)));
  else if (cluster.shared) watchdog = cluster.singleton('recording-watchdog', job, onJobError);
  else {
    // One node: resumed before the server listens, as before any cluster existed.
    await job.start();
  }
  app.addHook('onClose', async () => {
    stopHearing();
    await watchdog?.stop();
    await coordinator.stop();
  });
  const evidenceCache = new Map<string, RecordingEvidence>();
  const evidence = async (recordingId: string): Promise<RecordingEvidence | null> => {
    const rec = await repo.get(recordingId);
    if (!rec || rec.state !== 'finalized' || !rec.manifest_sha256 || !rec.finalized_at) return null;
    const cached = evidenceCache.get(recordingId);
    if (cached?.manifestSha256 === rec.manifest_sha256) return cached;
    const { signature } = await readManifest(storage, rec);
    const facts = { manifestSha256: rec.manifest_sha256, keyId: signature.keyId, finalizedAt: rec.finalized_at };
    evidenceCache.set(recordingId, facts);
    return facts;
  };
  const marks: RecordingHandle['marks'] = {
    add: async ({ sessionId, ...input }) => {
      const rec = await coordinator.forSession(sessionId);
      if (!rec) throw new ApiError(404, 'not_found');
      return { recordingId: rec.id, ...(await addMark(repo, rec.id, input)) };
    },
  };
  handles.set(app.server, { coordinator, events, ingest, storage, keys, settings, marks, evidence });

  app.addContentTypeParser(['application/octet-stream', 'video/webm', 'audio/webm'], { parseAs: 'buffer', bodyLimit: settings.maxSegmentBytes }, (_request, body, done) => done(null, body));

  const load = (request: FastifyRequest): Promise<RecordingRow> => coordinator.mustGet(parse(Params, request.params).id);
  /** Recorder routes: the recorder id must be one this official registered (no writing under another's id). */
  const ownRecorder = async (rec: RecordingRow, recorderId: string, sub: string) => {
    const row = await repo.recorder(rec.id, recorderId);
    if (row && row.official !== sub) throw new ApiError(403, 'forbidden');
  };

  // Every check here is the handler's, after the caller's right to this recording (access control logs refusals):
  // the document shows the bodies and queries through checkedByHandler (http/openapi.ts). An id that is not one
  // is answered by the handler too.
  const secured = { tags: ['recordings'], security: [{ bearer: [] }] };
  const publicTags = { tags: ['recordings'] };

  // The current key, and the history of every key that ever signed (kept across rotations): what a verifier
  // pins. Public keys only; the private key never leaves the store's key vault.
  app.get('/recordings/public-key', { schema: { ...publicTags, summary: "The recording signing key in force (PEM), to check a bundle's signature", response: { 200: z.object({ algorithm: z.literal('Ed25519'), keyId: z.string(), publicKey: z.string() }) } } }, async (_request, reply) => {
    const key = await keys.current();
    return reply.header('Cache-Control', 'public, max-age=300').send({ algorithm: 'Ed25519', keyId: key.keyId, publicKey: key.publicKeyPem });
  });
  app.get('/recordings/keys', { schema: { ...publicTags, summary: 'Every recording signing key with its period, and the timestamping authority in use', response: { 200: KeyHistorySchema } } }, async (_request, reply) => {
    await keys.current();
    // With the TSA's CA, the history is all a verifier needs to pin: who signed, and who vouched for the time.
    const timestamping = settings.timestamping ? { authority: settings.timestamping.url, caCertificates: settings.timestamping.caCertificates ?? null } : null;
    return reply.header('Cache-Control', 'public, max-age=300').send({ ...(await keys.history()), timestamping });
  });

  app.post('/recordings', { schema: { ...secured, summary: 'Opens the recording of a session (the room does this when the session starts)', checkedByHandler: { body: OpenSchema }, response: { 200: RecordingResponseSchema, 201: RecordingResponseSchema } } }, async (request, reply) => {
    const official = await access.require(request, 'recordings.manage', 'open');
    const body = parse(OpenSchema, request.body ?? {});
    const session = await store.schedule.getSession(body.sessionId).catch(() => undefined);
    const unit = session?.unit ?? body.unit ?? (official.unit === '*' ? undefined : official.unit);
    if (!unit) throw invalid([fieldError('unit', 'required')]);
    if (official.unit !== '*' && official.unit !== unit) throw new ApiError(403, 'forbidden');
    const { recording: rec, created } = await coordinator.open({ sessionId: body.sessionId, unit, policy: body.policy, confidential: body.confidential, by: official.sub });
    return reply.code(created ? 201 : 200).send({ recording: (await coordinator.status(rec.id)) });
  });

  app.get('/recordings', { schema: { ...secured, summary: "The unit's recordings, newest first", checkedByHandler: { querystring: z.object({ limit: z.string().optional() }) }, response: { 200: RecordingListSchema } } }, async (request) => {
    const official = await access.require(request, 'recordings.read', 'list');
    const limit = Math.min(200, Math.max(1, Number((request.query as { limit?: string }).limit ?? 50) || 50));
    return { recordings: (await repo.recent({ unit: official.unit === '*' ? null : official.unit, limit })).map((r) => summary(r)) };
  });

  app.get('/recordings/by-session/:id', { schema: { ...secured, summary: "The recording of a session, by the session's id", params: z.object({ id: z.string() }), response: { 200: RecordingResponseSchema } } }, async (request) => {
    const rec = await coordinator.forSession(parse(Params, request.params).id);
    if (!rec) throw new ApiError(404, 'not_found');
    await access.require(request, 'recordings.status', 'status', rec, { logAllowed: false });
    return { recording: (await coordinator.status(rec.id)) };
  });

  app.get('/recordings/:id', { schema: { ...secured, summary: "A recording's state, recorders and, once finalized, its evidence facts", params: z.object({ id: z.string() }), response: { 200: RecordingDetailResponseSchema } } }, async (request) => {
    const rec = await load(request);
    await access.require(request, 'recordings.status', 'status', rec, { logAllowed: false });
    return { recording: { ...(await coordinator.status(rec.id)), evidence: await evidence(rec.id) } };
  });

  app.post('/recordings/:id/start', { schema: { ...secured, summary: 'Starts recording', params: z.object({ id: z.string() }), response: { 200: RecordingResponseSchema } } }, async (request) => {
    const rec = await load(request);
    await access.require(request, 'recordings.manage', 'start', rec);
    await coordinator.start(rec.id);
    return { recording: (await coordinator.status(rec.id)) };
  });

  // The only way a recording stops: the head ends the session. Anyone else is refused, and that is logged.
  app.post('/recordings/:id/end', { schema: { ...secured, summary: 'Ends the recording (the head of the session only); finalization follows', params: z.object({ id: z.string() }), response: { 202: RecordingResponseSchema } } }, async (request, reply) => {
    const rec = await load(request);
    const official = await access.require(request, 'recordings.end', 'end', rec);
    await coordinator.end(rec.id, official.sub);
    return reply.code(202).send({ recording: (await coordinator.status(rec.id)) });
  });

  app.post('/recordings/:id/finalize', { schema: { ...secured, summary: 'Finalizes an ended recording now (manifest, signature, timestamp)', params: z.object({ id: z.string() }), response: { 200: RecordingResponseSchema } } }, async (request) => {
    const rec = await load(request);
    await access.require(request, 'recordings.end', 'finalize', rec);
    if (rec.state !== 'ending' && rec.state !== 'finalizing' && rec.state !== 'finalized') throw new ApiError(409, 'invalid_transition');
    await coordinator.finalizeNow(rec.id);
    return { recording: (await coordinator.status(rec.id)) };
  });

  app.post('/recordings/:id/timeline', { schema: { ...secured, summary: "Adds entries to the recording's timeline (participants, notices, cases)", params: z.object({ id: z.string() }), checkedByHandler: { body: TimelineSchema }, response: { 200: z.object({ added: z.number() }) } } }, async (request) => {
    const rec = await load(request);
    await access.require(request, 'recordings.manage', 'timeline', rec, { logAllowed: false });
    const { entries } = parse(TimelineSchema, request.body ?? {});
    return { added: await coordinator.note(rec.id, entries as TimelineEntry[]) };
  });

  // A recorder waits for a session before anything is opened (standby); the room's opening creates the recording
  // and registers it. Once the recording exists this answers with its id and the per-recording routes take over.
  app.post('/recordings/sessions/:id/recorders', { schema: { ...secured, summary: 'A recorder device waits for a session to be recorded (standby), or joins its recording', params: z.object({ id: z.string() }), checkedByHandler: { body: RecorderSchema }, response: { 200: SessionRecorderReplySchema } } }, async (request): Promise<SessionRecorderReply> => {
    const sessionId = parse(Params, request.params).id;
    const body = parse(RecorderSchema, request.body ?? {});
    const rec = await coordinator.forSession(sessionId);
    const timing = { heartbeatMs: settings.heartbeatMs, leaseMs: settings.leaseMs };
    if (rec) {
      await access.require(request, 'recordings.record', 'recorder.wait', rec, { logAllowed: false });
      return { recordingId: rec.id, state: rec.state, ...timing };
    }
    const official = await access.require(request, 'recordings.record', 'recorder.wait', undefined, { logAllowed: false });
    const session = await store.schedule.getSession(sessionId).catch(() => undefined);
    const unit = session?.unit ?? official.unit;
    if (official.unit !== '*' && official.unit !== unit) throw new ApiError(403, 'forbidden');
    await coordinator.waitFor(sessionId, { recorderId: body.recorderId, pointId: body.pointId, official: official.sub, unit });
    return { recordingId: null, state: 'waiting', ...timing };
  });

  app.post('/recordings/:id/recorders', { schema: { ...secured, summary: 'A recorder device registers with a recording and takes or waits for the lease', params: z.object({ id: z.string() }), checkedByHandler: { body: RecorderSchema }, response: { 200: RecorderReplySchema } } }, async (request) => {
    const rec = await load(request);
    const official = await access.require(request, 'recordings.record', 'recorder.register', rec, { logAllowed: false });
    const body = parse(RecorderSchema, request.body ?? {});
    await ownRecorder(rec, body.recorderId, official.sub);
    return coordinator.register(rec.id, body.recorderId, body.pointId, official.sub);
  });

  app.post('/recordings/:id/recorders/:recorderId/heartbeat', { schema: { ...secured, summary: "A recorder's heartbeat: keeps its lease, or learns it lost it", params: z.object({ id: z.string(), recorderId: z.string() }), response: { 200: RecorderReplySchema } } }, async (request) => {
    const rec = await load(request);
    const official = await access.require(request, 'recordings.record', 'recorder.heartbeat', rec, { logAllowed: false });
    const recorderId = parse(ID, (request.params as { recorderId: string }).recorderId, 'recorderId');
    await ownRecorder(rec, recorderId, official.sub);
    return coordinator.heartbeat(rec.id, recorderId);
  });

  app.post('/recordings/:id/recorders/:recorderId/leave', { schema: { ...secured, summary: 'A recorder leaves, handing its lease to a standby', params: z.object({ id: z.string(), recorderId: z.string() }), response: { 200: RecorderReplySchema } } }, async (request) => {
    const rec = await load(request);
    const official = await access.require(request, 'recordings.record', 'recorder.leave', rec, { logAllowed: false });
    const recorderId = parse(ID, (request.params as { recorderId: string }).recorderId, 'recorderId');
    await ownRecorder(rec, recorderId, official.sub);
    return coordinator.leave(rec.id, recorderId);
  });

  app.post('/recordings/:id/segments', { schema: { ...secured, summary: 'One media segment (application/octet-stream), its place and hash in the query', params: z.object({ id: z.string() }), checkedByHandler: { querystring: SegmentQuery }, response: { 200: SegmentAckSchema } }, bodyLimit: settings.maxSegmentBytes }, async (request): Promise<SegmentAck> => {
    const rec = await load(request);
    const official = await access.require(request, 'recordings.record', 'segment', rec, { logAllowed: false });
    const q = parse(SegmentQuery, request.query);
    await ownRecorder(rec, q.recorder, official.sub);
    if (!Buffer.isBuffer(request.body)) throw new ApiError(415, 'unsupported_media_type');
    return ingest.accept({ recordingId: rec.id, recorderId: q.recorder, epoch: q.epoch, seq: q.seq, bytes: q.bytes, sha256: q.sha256, capturedAt: q.capturedAt, last: q.last !== undefined }, request.body);
  });

  app.get('/recordings/:id/manifest', { schema: { ...secured, summary: "A finalized recording's signed manifest", params: z.object({ id: z.string() }), response: { 200: ManifestResponseSchema } } }, async (request) => {
    const rec = await load(request);
    await access.require(request, 'recordings.read', 'manifest', rec);
    const { manifest, signature } = await readManifest(storage, rec);
    return { manifest, signature };
  });

  // Play (HTTP range requests). A recording where a denunciation was heard is never streamed out.
  app.get('/recordings/:id/media', { schema: { ...secured, summary: 'Plays a finalized recording (range requests); never a confidential one', params: z.object({ id: z.string() }), checkedByHandler: { querystring: PartQuery } } }, async (request, reply) => {
    const rec = await load(request);
    if (rec.confidential === 1) {
      const caller = await access.identify(request);
      await access.log(request, caller, 'play', rec.id, 'refused', 403, { reason: 'confidential recordings are never streamed' });
      throw new ApiError(403, 'not_streamable');
    }
    await access.require(request, 'recordings.read', 'play', rec, { detail: { range: request.headers.range ?? null } });
    return sendMedia(request, reply, rec, false);
  });

  app.get('/recordings/:id/download', { schema: { ...secured, summary: 'Downloads a finalized recording, logged', params: z.object({ id: z.string() }), checkedByHandler: { querystring: PartQuery } } }, async (request, reply) => {
    const rec = await load(request);
    const official = await access.require(request, 'recordings.read', 'download', rec, { logAllowed: rec.confidential !== 1 });
    if (rec.confidential === 1) {
      if (!can(official.role, 'registrations.readDenouncer')) {
        await access.log(request, { kind: 'official', claims: official }, 'download', rec.id, 'refused', 403, { reason: 'confidential recording' });
        throw new ApiError(403, 'forbidden');
      }
      await access.log(request, { kind: 'official', claims: official }, 'download', rec.id, 'allowed', 200, { confidential: true });
    }
    return sendMedia(request, reply, rec, true);
  });

  app.get('/recordings/:id/access', { schema: { ...secured, summary: "The recording's access log", params: z.object({ id: z.string() }), response: { 200: AccessLogSchema } } }, async (request) => {
    const rec = await load(request);
    await access.require(request, 'recordings.audit', 'access-log', rec);
    return { entries: await accessLog.list({ recordingId: rec.id, limit: 1000 }) };
  });

  app.post('/recordings/:id/copies', { schema: { ...secured, summary: "Requests a copy of the citizen's part (the citizen with their join token, or an official)", params: z.object({ id: z.string() }), checkedByHandler: { body: CopyRequestSchema }, response: { 200: RecordingCopyResponseSchema, 201: RecordingCopyResponseSchema } } }, async (request, reply) => {
    const rec = await load(request);
    const caller = await access.identify(request);
    const body = parse(CopyRequestSchema, request.body ?? {});
    let reference: string;
    let by: string;
    if (caller.kind === 'citizen' && caller.sessionId === rec.session_id && (!body.reference || body.reference === caller.reference)) {
      // Their own case only: the join token names the registration and the session.
      ((reference = caller.reference), (by = `citizen:${caller.reference}`));
      await access.log(request, caller, 'copy.request', rec.id, 'allowed', 201);
    } else {
      const official = await access.require(request, 'recordings.manage', 'copy.request', rec);
      if (!body.reference) throw invalid([fieldError('reference', 'required')]);
      ((reference = body.reference), (by = `official:${official.sub}`));
    }
    const { copy, created } = await requestCopy(repo, rec, reference, by);
    return reply.code(created ? 201 : 200).send({ copy: copyView(copy) });
  });

  const loadCopy = async (request: FastifyRequest, rec: RecordingRow) => {
    const copy = await repo.copy(rec.id, parse(ID, (request.params as { copyId: string }).copyId, 'copyId'));
    if (!copy) throw new ApiError(404, 'not_found');
    return copy;
  };

  app.post('/recordings/:id/copies/:copyId/approve', { schema: { ...secured, summary: 'Approves a copy: the cut is made and signed', params: z.object({ id: z.string(), copyId: z.string() }), checkedByHandler: { body: ApproveSchema }, response: { 200: RecordingCopyResponseSchema } } }, async (request) => {
    const rec = await load(request);
    const official = await access.require(request, 'recordings.approveCopy', 'copy.approve', rec);
    const copy = await loadCopy(request, rec);
    return { copy: copyView(await approveCopy({ repo, storage, tools }, rec, copy, parse(ApproveSchema, request.body ?? {}), official.sub)) };
  });

  app.post('/recordings/:id/copies/:copyId/handover', { schema: { ...secured, summary: 'Records that a copy was handed over, and how', params: z.object({ id: z.string(), copyId: z.string() }), checkedByHandler: { body: HandoverSchema }, response: { 200: RecordingCopyResponseSchema } } }, async (request) => {
    const rec = await load(request);
    const official = await access.require(request, 'recordings.approveCopy', 'copy.handover', rec);
    const copy = await loadCopy(request, rec);
    return { copy: copyView(await handOver(repo, rec, copy, parse(HandoverSchema, request.body ?? {}), official.sub)) };
  });

  app.get('/recordings/:id/copies/:copyId/file', { schema: { ...secured, summary: "An approved copy's file", params: z.object({ id: z.string(), copyId: z.string() }) } }, async (request, reply) => {
    const rec = await load(request);
    await access.require(request, 'recordings.approveCopy', 'copy.download', rec);
    const copy = await loadCopy(request, rec);
    if (!copy.file || copy.state === 'requested') throw new ApiError(409, 'invalid_transition');
    return reply
      .header('Content-Type', 'video/webm')
      .header('Content-Length', String(copy.bytes))
      .header('Content-Disposition', `attachment; filename="${copy.file}"`)
      .header('Cache-Control', 'no-store')
      .send(storage.open(rec.id, copy.file));
  });

  async function sendMedia(request: FastifyRequest, reply: FastifyReply, rec: RecordingRow, attachment: boolean) {
    if (rec.state !== 'finalized') throw new ApiError(409, 'invalid_transition');
    const { manifest } = await readManifest(storage, rec);
    const index = Number((request.query as { part?: string }).part ?? 0);
    const file = manifest.media.files[Number.isInteger(index) ? index : 0];
    if (!file) throw new ApiError(404, 'not_found');
    const size = (await storage.size(rec.id, file.file)) ?? 0;
    reply.header('Content-Type', 'video/webm').header('Cache-Control', 'no-store').header('Accept-Ranges', attachment ? 'none' : 'bytes');
    if (attachment) reply.header('Content-Disposition', `attachment; filename="${rec.id}.webm"`);
    const range = attachment ? undefined : parseRange(request.headers.range, size);
    if (range === null) return reply.code(416).header('Content-Range', `bytes */${size}`).send();
    if (range) {
      return reply
        .code(206)
        .header('Content-Range', `bytes ${range.start}-${range.end}/${size}`)
        .header('Content-Length', String(range.end - range.start + 1))
        .send(storage.open(rec.id, file.file, range));
    }
    return reply.header('Content-Length', String(size)).send(storage.open(rec.id, file.file));
  }
}

async function readManifest(storage: RecordingStorage, rec: RecordingRow): Promise<{ manifest: Manifest; signature: { algorithm: 'Ed25519'; keyId: string; publicKey: string; signature: string } }> {
  if (rec.state !== 'finalized') throw new ApiError(409, 'invalid_transition');
  const bytes = async (name: string) => {
    const parts: Buffer[] = [];
    for await (const chunk of storage.open(rec.id, name)) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  };
  const manifest = JSON.parse((await bytes(MANIFEST_FILE)).toString('utf8')) as Manifest;
  const signature = { algorithm: 'Ed25519' as const, keyId: manifest.signing.keyId, publicKey: (await bytes(PUBLIC_KEY_FILE)).toString('utf8'), signature: (await bytes(SIGNATURE_FILE)).toString('base64') };
  return { manifest, signature };
}

/** One `bytes=a-b` range; undefined for none, null for an unsatisfiable one. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined | null {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/u.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') ((start = Math.max(0, size - Number(match[2]))), (end = size - 1));
  else ((start = Number(match[1])), (end = match[2] === '' ? size - 1 : Math.min(size - 1, Number(match[2]))));
  return start > end || start >= size ? null : { start, end };
}

function summary(r: RecordingRow): RecordingListItem {
  return {
    id: r.id,
    sessionId: r.session_id,
    unit: r.unit,
    policy: r.policy,
    confidential: r.confidential === 1,
    state: r.state,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    finalizedAt: r.finalized_at,
    manifestSha256: r.manifest_sha256,
  };
}

/** True when A and B are each other's type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/**
 * Compile-time only: what the handlers answer from the store is, field for field, what core's reply schemas name
 * (they serialize the reply and drop what they do not name, so a new column or key entry would be lost otherwise).
 */
export type RepliesAreTheirSchemas = [Assert<Same<AccessRow, AccessLogEntry>>, Assert<Same<KeyHistoryEntry, KeyHistoryView['keys'][number]>>];
