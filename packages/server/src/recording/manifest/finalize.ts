/**
 * Finalization, once the session has ended and the last chunks drained: the stored segments become one seekable
 * WebM (each lease's stream is the concatenation of its chunks; ffmpeg concatenates the streams and writes
 * duration and cues, copying packets), and the manifest lists everything a later reader needs to trust it:
 * session, timeline, recorders and failovers, segments with their hash chain, gaps, the media's hash. It is
 * signed with the server's Ed25519 key. Safe to run again after a crash: it rebuilds from the rows.
 *
 * With several nodes it runs under the finalization lock, whose epoch comes as `fence`. A node that stalled past
 * the lock's lease (a long GC pause, a frozen VM, its TSA request hanging while it was stopped) may still be
 * running this when another node has taken the lock and finished. The fence (store/fences.ts) is checked before
 * each storage write and applied once more inside `finalized`'s transaction: the stale node gets FenceRefusedError
 * and writes nothing. A window is left between the last check and the files' writes (docs/deploy.md).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { iso } from '../coordinator/coordinator.js';
import { segmentName } from '../ingest/ingest.js';
import { probe, remuxConcat, type MediaTools } from '../media/ffmpeg.js';
import type { RecordingRepo, SegmentRow } from '../repo.js';
import { FenceRefusedError, type Fence, type FenceStore } from '../../store/fences.js';
import { SEGMENTS_DIR } from '../storage/fs-storage.js';
import type { RecordingStorage } from '../storage/storage.js';
import { chainLink, GENESIS } from './chain.js';
import { requestTimestamp } from '../signing/timestamp.js';
import { CHECKSUMS_FILE, gapExplains, MANIFEST_FILE, MANIFEST_FORMAT, MEDIA_FILE, PUBLIC_KEY_FILE, SIGNATURE_FILE, TIMESTAMP_FILE, type Manifest, type ManifestGap, type ManifestMediaFile, type ManifestSegment, type ManifestStream } from './manifest.js';
import { manifestMarks } from './marks.js';
import { signManifest, type SigningKey } from './signing.js';

export interface FinalizerDeps {
  repo: RecordingRepo;
  storage: RecordingStorage;
  tools: MediaTools & { ffmpegVersion?: string | undefined };
  /** The key to sign with, read when signing (a rotation takes effect at the next finalization). */
  keys: { current(): Promise<SigningKey> };
  /** The session's facts from the schedule, when it knows the session. */
  sessionFacts: (sessionId: string) => Promise<Record<string, unknown> | undefined>;
  /** The RFC 3161 authority every manifest gets a token from (settings `recording.timestamping`). */
  timestamping?: { url: string; timeoutMs: number } | undefined;
  /** The store's fences, for `fence` (required with one). */
  fences?: FenceStore | undefined;
}

export async function finalizeRecording(deps: FinalizerDeps, recordingId: string, fence?: Fence): Promise<Manifest> {
  const { repo, storage } = deps;
  // Before each write to the storage: refused once a later holder of the lock has passed its fence.
  const guard = async () => {
    if (!fence) return;
    if (!deps.fences) throw new Error('a fenced finalization needs the store\'s fences');
    if (!(await deps.fences.pass(fence))) throw new FenceRefusedError(fence);
  };
  await guard();
  const rec = await repo.get(recordingId);
  if (!rec) throw new Error(`no recording ${recordingId}`);
  const [rows, leases, recorders, timelineRows] = await Promise.all([repo.segments(recordingId), repo.leases(recordingId), repo.recorders(recordingId), repo.timeline(recordingId)]);
  const timeline = timelineRows.map((t) => ({ at: t.at, kind: t.kind, ...(JSON.parse(t.data) as Record<string, unknown>) }));

  // Files without a row were never acknowledged (a crash between the write and the insert): not part of it.
  const names = new Set(rows.map((r) => segmentName(r.epoch, r.seq)));
  for (const name of await storage.listSegments(recordingId)) if (!names.has(name)) await storage.removeSegment(recordingId, name);

  let prevHash = GENESIS;
  const segments: ManifestSegment[] = rows.map((r, index) => {
    const hash = chainLink(prevHash, r);
    const segment: ManifestSegment = {
      index,
      epoch: r.epoch,
      seq: r.seq,
      file: `${SEGMENTS_DIR}/${segmentName(r.epoch, r.seq)}`,
      bytes: r.bytes,
      sha256: r.sha256,
      recorderId: r.recorder_id,
      capturedAt: r.captured_at === null ? null : iso(r.captured_at),
      receivedAt: r.received_at,
      prevHash,
      hash,
    };
    prevHash = hash;
    return segment;
  });

  const byEpoch = new Map<number, SegmentRow[]>();
  for (const r of rows) byEpoch.set(r.epoch, [...(byEpoch.get(r.epoch) ?? []), r]);
  const gaps = gapsOf(byEpoch, leases, rec.ended_at);
  const { media, streams } = await buildMedia(deps, recordingId, byEpoch, guard);
  // A stream that does not read to its end with nothing above to say why: its recorder's final chunk never came
  // (cut off before sending it, or refused once the recording closed). Said, not left for verify to find.
  for (const stream of streams) {
    if (stream.complete !== false || gapExplains(gaps, stream.epoch)) continue;
    const last = byEpoch.get(stream.epoch)!.at(-1)!;
    gaps.push({ kind: 'truncated', epoch: stream.epoch, afterSeq: last.seq, at: last.received_at });
  }

  const failovers: Manifest['failovers'] = [];
  for (let i = 1; i < leases.length; i += 1) {
    const before = leases[i - 1]!;
    const after = leases[i]!;
    failovers.push({ fromEpoch: before.epoch, toEpoch: after.epoch, fromRecorder: before.recorder_id, toRecorder: after.recorder_id, leaseEndedAt: before.ended_at, endReason: before.end_reason, grantedAt: after.granted_at });
  }

  const firstSegment = rows[0];
  const origin = firstSegment ? (firstSegment.captured_at ?? Date.parse(firstSegment.received_at)) : undefined;
  const key = await deps.keys.current();
  const finalizedAt = iso(Date.now());
  // `sha256sum -c` reads this file: every segment, then every media file, in manifest order.
  const checksums = [...segments.map((x) => `${x.sha256}  ${x.file}\n`), ...media.files.map((m) => `${m.sha256}  ${m.file}\n`)].join('');
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    recording: {
      id: rec.id,
      policy: rec.policy,
      confidential: rec.confidential === 1,
      createdAt: rec.created_at,
      createdBy: rec.created_by,
      startedAt: rec.started_at,
      endedAt: rec.ended_at,
      endedBy: rec.ended_by,
      finalizedAt,
    },
    session: { ...(await deps.sessionFacts(rec.session_id)), id: rec.session_id, unit: rec.unit },
    participants: timeline.filter((t) => t.kind === 'participant').map(({ kind: _kind, ...t }) => t),
    notices: timeline.filter((t) => t.kind === 'notice').map(({ kind: _kind, ...t }) => t),
    cases: timeline.filter((t) => t.kind === 'case').map(({ kind: _kind, ...t }) => t),
    marks: manifestMarks(timelineRows, origin),
    recorders: recorders.map((r) => ({ recorderId: r.recorder_id, pointId: r.point_id, official: r.official, registeredAt: r.registered_at, leftAt: r.left_at })),
    leases: leases.map((l) => ({ epoch: l.epoch, recorderId: l.recorder_id, grantedAt: l.granted_at, endedAt: l.ended_at, endReason: l.end_reason })),
    failovers,
    segments,
    gaps,
    chain: { algorithm: 'sha256', genesis: GENESIS, head: prevHash, count: segments.length, bytes: rows.reduce((sum, r) => sum + r.bytes, 0) },
    streams,
    media,
    checksums: { file: CHECKSUMS_FILE, sha256: sha256Hex(checksums) },
    signing: { algorithm: 'Ed25519', keyId: key.keyId, publicKeyFile: PUBLIC_KEY_FILE, signatureFile: SIGNATURE_FILE },
    timestamp: deps.timestamping ? { authority: deps.timestamping.url, file: TIMESTAMP_FILE, hashAlgorithm: 'sha256' } : null,
  };
  // The layout is part of the format (docs/recording-bundle.md): 2-space JSON, one trailing newline.
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const digest = createHash('sha256').update(bytes).digest();
  // A configured TSA that cannot be reached fails the finalization (alarm `failed`, POST /finalize retries):
  // a manifest without the trusted time it was promised is not finished. The segments stay as they are.
  const token = deps.timestamping ? await requestTimestamp(deps.timestamping.url, digest, deps.timestamping.timeoutMs) : undefined;
  // The TSA's answer can come long after the lock lapsed (this node was stopped while it waited).
  await guard();
  await storage.writeFile(recordingId, CHECKSUMS_FILE, checksums);
  await storage.writeFile(recordingId, PUBLIC_KEY_FILE, key.publicKeyPem);
  await storage.writeFile(recordingId, SIGNATURE_FILE, signManifest(bytes, key));
  if (token) await storage.writeFile(recordingId, TIMESTAMP_FILE, token.der);
  await storage.writeFile(recordingId, MANIFEST_FILE, bytes);
  await repo.finalized(recordingId, finalizedAt, digest.toString('hex'), fence);
  return manifest;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function gapsOf(byEpoch: Map<number, SegmentRow[]>, leases: { epoch: number; ended_at: string | null; end_reason: string | null }[], endedAt: string | null): ManifestGap[] {
  const gaps: ManifestGap[] = [];
  const epochs = [...byEpoch.keys()].sort((a, b) => a - b);
  for (const epoch of epochs) {
    const seqs = byEpoch.get(epoch)!.map((r) => r.seq);
    const have = new Set(seqs);
    const missing: number[] = [];
    for (let seq = 0; seq < Math.max(...seqs); seq += 1) if (!have.has(seq)) missing.push(seq);
    if (missing.length) gaps.push({ kind: 'missing_segments', epoch, seqs: missing });
  }
  for (let i = 1; i < epochs.length; i += 1) {
    const last = byEpoch.get(epochs[i - 1]!)!.at(-1)!;
    const first = byEpoch.get(epochs[i]!)![0]!;
    const from = last.received_at;
    const to = first.captured_at !== null ? iso(first.captured_at) : first.received_at;
    gaps.push({ kind: 'failover', fromEpoch: epochs[i - 1]!, toEpoch: epochs[i]!, from, to, durationMs: Math.max(0, Date.parse(to) - Date.parse(from)) });
  }
  // The tail: the lease whose segments come last lapsed or was left (its stream stops there, unfinished), or the
  // last lease of all did, and nobody recorded until the end. The gap is after the last epoch with segments, so
  // a verifier knows which stream may end early (the decode rule in docs/recording-bundle.md).
  const lost = (l: { end_reason: string | null } | undefined) => l?.end_reason === 'lapsed' || l?.end_reason === 'left';
  const lastEpoch = epochs.at(-1);
  const lastSegment = lastEpoch !== undefined ? byEpoch.get(lastEpoch)!.at(-1) : undefined;
  const lastLease = leases.at(-1);
  const tailLease = lastEpoch !== undefined ? leases.find((l) => l.epoch === lastEpoch) : lastLease;
  if (endedAt && (lost(tailLease) || (lost(lastLease) && lastLease!.ended_at !== null && lastLease!.ended_at < endedAt))) {
    const from = lastSegment?.received_at ?? tailLease?.ended_at ?? lastLease!.ended_at ?? endedAt;
    gaps.push({ kind: 'no_recorder', afterEpoch: lastEpoch ?? lastLease!.epoch, from, to: endedAt, durationMs: Math.max(0, Date.parse(endedAt) - Date.parse(from)) });
  }
  return gaps;
}

async function buildMedia(deps: FinalizerDeps, recordingId: string, byEpoch: Map<number, SegmentRow[]>, guard: () => Promise<void>): Promise<{ media: Manifest['media']; streams: ManifestStream[] }> {
  const { ffmpeg, ffprobe } = deps.tools;
  const epochs = [...byEpoch.entries()].sort(([a], [b]) => a - b);
  const unprobed = epochs.map(([epoch]) => ({ epoch, packets: null, complete: null }));
  if (!byEpoch.size) return { media: { seekable: false, reason: 'no segments', files: [] }, streams: [] };
  if (!ffmpeg && !ffprobe) return { media: { seekable: false, reason: 'ffmpeg is not installed: the raw segments are the recording', files: [] }, streams: unprobed };
  const dir = await deps.storage.stage(recordingId);
  const work = join(dir, '.work');
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    const parts: string[] = [];
    const streams: ManifestStream[] = [];
    for (const [epoch, rows] of epochs) {
      const part = join(work, `e${epoch}.webm`);
      await joinFiles(part, rows.map((r) => join(dir, SEGMENTS_DIR, segmentName(r.epoch, r.seq))));
      parts.push(part);
      // What each lease's stream holds, for the decode rule: the media made from them must hold as many packets.
      const probed = ffprobe ? await probe(ffprobe, part) : undefined;
      streams.push({ epoch, packets: probed?.ok ? (probed.packets ?? null) : null, complete: probed ? probed.ok && !probed.warnings : null });
    }
    if (!ffmpeg || !deps.tools.ffmpegVersion) return { media: { seekable: false, reason: 'ffmpeg is not installed: the raw segments are the recording', files: [] }, streams };
    const produce = async (inputs: string[], name: string): Promise<ManifestMediaFile> => {
      const list = join(work, `${name}.txt`);
      await writeFile(list, inputs.map((p) => `file '${p.replaceAll("'", "'\\''")}'\n`).join(''));
      const output = join(work, name);
      await remuxConcat(ffmpeg, list, output);
      const probed = ffprobe ? await probe(ffprobe, output) : undefined;
      if (probed && !probed.ok) throw new Error(`the remuxed file does not read back: ${probed.error}`);
      const sha256 = await sha256File(output);
      const bytes = (await stat(output)).size;
      await guard();
      await deps.storage.publish(recordingId, name, output);
      return { file: name, bytes, sha256, durationMs: probed?.durationMs, packets: probed?.packets };
    };
    try {
      return { media: { seekable: true, tool: deps.tools.ffmpegVersion, files: [await produce(parts, MEDIA_FILE)] }, streams };
    } catch (error) {
      if (error instanceof FenceRefusedError) throw error;
      // Streams that cannot be joined (another codec or size after a failover): one seekable file per lease.
      const files: ManifestMediaFile[] = [];
      for (const [i, part] of parts.entries()) files.push(await produce([part], `recording-part${i + 1}.webm`));
      return { media: { seekable: true, tool: deps.tools.ffmpegVersion, reason: `one file per lease: ${(error as Error).message.slice(0, 200)}`, files }, streams };
    }
  } catch (error) {
    // A refusal is not a media problem: nothing more may be written.
    if (error instanceof FenceRefusedError) throw error;
    return { media: { seekable: false, reason: `ffmpeg could not remux the segments: ${(error as Error).message.slice(0, 300)}`, files: [] }, streams: unprobed };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Writes the files one after the other into `target` (a lease's stream is its chunks, joined). */
export async function joinFiles(target: string, files: string[]): Promise<void> {
  const out = await open(target, 'w');
  try {
    for (const file of files) await out.write(await readFile(file));
  } finally {
    await out.close();
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}
