/**
 * `tiepdan-server verify <recording folder or manifest.json>`: what a third party runs, years later, to prove a
 * recording was not altered. Checks the signature (Ed25519) and whose key made it (verify/trust.ts), the
 * segments (each file's size and SHA-256, every link of the hash chain, the chain's head), the media files'
 * hashes, and that each lease's stream and each media file demux to the end (ffprobe, when installed).
 * Reads only the files: no database, no server, no configuration.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { probe, toolVersion } from '../media/ffmpeg.js';
import { chainLink, GENESIS } from '../manifest/chain.js';
import { joinFiles } from '../manifest/finalize.js';
import { MANIFEST_FILE, MANIFEST_FORMAT, SIGNATURE_FILE, type Manifest } from '../manifest/manifest.js';
import { checkSignature, type SignatureFile } from '../manifest/signing.js';
import { judgeKey, type TrustAnchors, type TrustJudgement } from './trust.js';

export interface VerifyCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export type Verdict = 'VERIFIED' | 'FAILED' | 'UNTRUSTED';

export interface VerifyReport {
  /** VERIFIED only when every check passes and the signing key is a trusted one. */
  ok: boolean;
  /** UNTRUSTED: every integrity check passed, but no trusted key was given to compare the signer's with. */
  verdict: Verdict;
  /** What the verifier trusted (which key, from where), or why it trusted nothing. */
  trust: string;
  recordingId?: string | undefined;
  checks: VerifyCheck[];
  /** Facts that are not failures but a reader must see (gaps, an unchecked key, no ffprobe). */
  notes: string[];
}

export interface VerifyOptions {
  /** Keys the authority published; without any, the verdict is at best UNTRUSTED. */
  trust?: TrustAnchors | undefined;
  ffprobe?: string | false | undefined;
}

export async function verifyRecording(path: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const checks: VerifyCheck[] = [];
  const notes: string[] = [];
  const check = (name: string, ok: boolean, detail: string) => (checks.push({ name, ok, detail }), ok);
  let trust: TrustJudgement = { state: 'none', detail: 'the signature was not read' };
  const done = (recordingId?: string): VerifyReport => {
    const intact = checks.length > 0 && checks.every((c) => c.ok);
    const verdict: Verdict = !intact ? 'FAILED' : trust.state === 'trusted' ? 'VERIFIED' : 'UNTRUSTED';
    return { ok: verdict === 'VERIFIED', verdict, trust: trust.detail, recordingId, checks, notes };
  };

  let dir = path;
  let manifestPath = join(path, MANIFEST_FILE);
  try {
    if (!(await stat(path)).isDirectory()) ((manifestPath = path), (dir = dirname(path)));
  } catch {
    check('read', false, `${path} does not exist`);
    return done();
  }
  let manifestBytes: Buffer;
  let sig: SignatureFile;
  try {
    manifestBytes = await readFile(manifestPath);
  } catch {
    check('manifest', false, `cannot read ${manifestPath}`);
    return done();
  }
  try {
    const text = await readFile(join(dir, basename(manifestPath) === MANIFEST_FILE ? SIGNATURE_FILE : `${basename(manifestPath)}.sig`), 'utf8');
    sig = JSON.parse(text) as SignatureFile;
    // The file as the server wrote it, byte for byte: a change in its layout is a change too.
    if (`${JSON.stringify(sig, null, 2)}\n` !== text) throw new Error('not canonical');
  } catch {
    check('signature', false, `cannot read ${SIGNATURE_FILE} beside the manifest, or it was changed`);
    return done();
  }

  const signature = checkSignature(manifestBytes, sig);
  check('signature', signature.ok, signature.ok ? `Ed25519, key ${signature.keyId}` : (signature.reason ?? 'invalid'));

  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  } catch {
    check('manifest', false, 'manifest.json is not valid JSON');
    return done();
  }
  if (!check('manifest', manifest.format === MANIFEST_FORMAT && Array.isArray(manifest.segments), manifest.format === MANIFEST_FORMAT ? `${manifest.segments?.length ?? 0} segments` : `unknown format ${String(manifest.format)}`)) return done();
  if (manifest.signing?.keyId !== sig.keyId) check('signing key', false, 'the manifest names another key than the signature file');
  if (signature.ok) {
    trust = judgeKey(sig.keyId, manifest.recording?.finalizedAt, options.trust ?? {});
    // A key the verifier was told to trust and this one is not: that is a failure, not a missing anchor.
    if (trust.state !== 'none') check('trusted key', trust.state === 'trusted', trust.detail);
  }

  // Segments: sizes, hashes and the chain.
  let prev = GENESIS;
  let bad = 0;
  let total = 0;
  for (const [i, s] of manifest.segments.entries()) {
    const problem = await segmentProblem(dir, s, prev, i);
    if (problem) {
      bad += 1;
      if (bad <= 10) check(`segment ${s.epoch}/${s.seq}`, false, problem);
    }
    prev = s.hash;
    total += s.bytes;
  }
  if (bad > 10) check('segments', false, `${bad - 10} more segments fail`);
  if (bad === 0) check('segments', true, `${manifest.segments.length} segments, ${total} bytes, hash chain intact`);
  check('chain head', manifest.chain?.head === prev && manifest.chain?.count === manifest.segments.length, manifest.chain?.head === prev ? `head ${prev}` : 'the chain head does not match the segments');

  // Media files derived from the segments.
  for (const m of manifest.media?.files ?? []) {
    const file = inside(dir, m.file);
    if (!file) {
      check(`media ${m.file}`, false, 'path leaves the recording folder');
      continue;
    }
    const digest = await sha256OfFile(file).catch(() => undefined);
    check(`media ${m.file}`, digest === m.sha256, digest === undefined ? 'missing' : digest === m.sha256 ? `${m.bytes} bytes, SHA-256 matches` : 'SHA-256 does not match the manifest');
  }
  if (manifest.media && !manifest.media.seekable) notes.push(`media not made seekable: ${manifest.media.reason ?? 'unknown reason'}`);
  for (const gap of manifest.gaps ?? []) notes.push(`gap (${gap.kind}): ${JSON.stringify(gap)}`);

  // Decoding: each lease's stream (its chunks joined) and each media file must demux to the end.
  const ffprobe = options.ffprobe === undefined ? 'ffprobe' : options.ffprobe;
  if (ffprobe && (await toolVersion(ffprobe)) && bad === 0) {
    const epochs = [...new Set(manifest.segments.map((s) => s.epoch))];
    const work = await mkdtemp(join(tmpdir(), 'tiepdan-verify-'));
    try {
      for (const epoch of epochs) {
        const part = join(work, `e${epoch}.webm`);
        await joinFiles(part, manifest.segments.filter((x) => x.epoch === epoch).map((s) => inside(dir, s.file)!));
        const probed = await probe(ffprobe, part);
        check(`decode lease ${epoch}`, probed.ok, probed.ok ? `${probed.packets} packets${probed.durationMs !== undefined ? `, ${probed.durationMs} ms` : ''}` : (probed.error ?? 'cannot be read'));
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    for (const m of manifest.media?.files ?? []) {
      const file = inside(dir, m.file);
      if (!file) continue;
      const probed = await probe(ffprobe, file);
      check(`decode ${m.file}`, probed.ok, probed.ok ? `${probed.packets} packets, ${probed.durationMs ?? '?'} ms` : (probed.error ?? 'cannot be read'));
    }
  } else if (!ffprobe || !(await toolVersion(ffprobe))) {
    notes.push('ffprobe is not installed: the media was not decoded');
  }
  return done(manifest.recording?.id);
}

async function segmentProblem(dir: string, s: Manifest['segments'][number], prev: string, index: number): Promise<string | undefined> {
  if (s.index !== index) return `listed at ${index} with index ${s.index}`;
  if (s.prevHash !== prev) return 'previous hash does not link to the segment before';
  if (chainLink(prev, s) !== s.hash) return 'chain hash does not match the segment';
  const file = inside(dir, s.file);
  if (!file) return 'path leaves the recording folder';
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return `missing file ${s.file}`;
  }
  if (size !== s.bytes) return `${size} bytes on disk, ${s.bytes} in the manifest`;
  if ((await sha256OfFile(file)) !== s.sha256) return 'SHA-256 does not match the manifest';
  return undefined;
}

function inside(dir: string, relative: string): string | undefined {
  const full = normalize(join(dir, relative));
  return full.startsWith(normalize(dir) + sep) ? full : undefined;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** The report as people read it. */
export function formatReport(report: VerifyReport): string {
  const lines = [`Recording ${report.recordingId ?? '(unknown)'}: ${report.verdict}`];
  if (report.verdict === 'UNTRUSTED') lines.push('  every integrity check passed, but NOT VERIFIED: nothing says the signing key is the authority\'s');
  lines.push(`  trusted: ${report.trust}`);
  const firstBad = report.checks.find((c) => !c.ok);
  if (firstBad) lines.push(`  first failure: ${firstBad.name}: ${firstBad.detail}`);
  for (const c of report.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  for (const n of report.notes) lines.push(`  note ${n}`);
  return `${lines.join('\n')}\n`;
}
