/**
 * `tiepdan-server verify <recording folder or manifest.json>`: what a third party runs, years later, to prove a
 * recording was not altered. It does what docs/recording-bundle.md ("Verifying a bundle") says, in that order,
 * and nothing else: the Ed25519 signature over manifest.json and whose key made it (verify/trust.ts), the
 * RFC 3161 timestamp, SHA256SUMS, each segment's size and SHA-256 and every link of the hash chain, the media
 * files' hashes, and the decode rule (each lease's stream and each media file read to the end by ffprobe, an
 * early end only where the manifest records a gap, and as many packets in the media as in the segments).
 * Reads only the files: no database, no server, no configuration.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { probe, toolVersion } from '../media/ffmpeg.js';
import { chainLink, GENESIS } from '../manifest/chain.js';
import { joinFiles } from '../manifest/finalize.js';
import { CHECKSUMS_FILE, gapExplains, MANIFEST_FILE, MANIFEST_FORMAT, PUBLIC_KEY_FILE, SIGNATURE_FILE, TIMESTAMP_FILE, type Manifest } from '../manifest/manifest.js';
import { checkSignature } from '../manifest/signing.js';
import { readTimestampResponse } from '../signing/timestamp.js';
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
  /** Facts that are not failures but a reader must see (gaps, an unchecked timestamp, no ffprobe). */
  notes: string[];
}

export interface VerifyOptions {
  /** Keys the authority published; without any, the verdict is at best UNTRUSTED. */
  trust?: TrustAnchors | undefined;
  /** The time-stamping authority's CA certificates (PEM); the key history's when it carries them. */
  tsaCaPem?: string | undefined;
  ffprobe?: string | false | undefined;
  openssl?: string | false | undefined;
}

/** A clock difference between the server and the TSA that is not yet a wrong time. */
const CLOCK_SKEW_MS = 5 * 60_000;

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
  try {
    if (!(await stat(path)).isDirectory()) dir = dirname(path);
  } catch {
    check('read', false, `${path} does not exist`);
    return done();
  }
  const file = (name: string) => readFile(join(dir, name));

  // 1. The signature over the exact bytes of manifest.json, with the key beside it.
  let manifestBytes: Buffer;
  try {
    manifestBytes = await file(MANIFEST_FILE);
  } catch {
    check('manifest', false, `cannot read ${MANIFEST_FILE}`);
    return done();
  }
  const signatureBytes = await file(SIGNATURE_FILE).catch(() => undefined);
  const publicKeyPem = await file(PUBLIC_KEY_FILE).then((b) => b.toString('utf8')).catch(() => undefined);
  if (!signatureBytes || publicKeyPem === undefined) {
    check('signature', false, `${!signatureBytes ? SIGNATURE_FILE : PUBLIC_KEY_FILE} is missing`);
    return done();
  }
  const signature = checkSignature(manifestBytes, signatureBytes, publicKeyPem);
  if (!check('signature', signature.ok, signature.ok ? `Ed25519, key ${signature.keyId}` : (signature.reason ?? 'invalid'))) return done();
  const keyId = signature.keyId!;

  // 2. The manifest, in the format this verifier knows.
  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  } catch {
    check('manifest', false, `${MANIFEST_FILE} is not valid JSON`);
    return done();
  }
  if (!check('manifest', manifest?.format === MANIFEST_FORMAT && Array.isArray(manifest.segments), manifest?.format === MANIFEST_FORMAT ? `${manifest.segments?.length ?? 0} segments` : `unknown format ${String(manifest?.format)} (this verifier reads ${MANIFEST_FORMAT})`)) return done();
  if (!check('signing key', manifest.signing?.keyId === keyId, manifest.signing?.keyId === keyId ? `the manifest names key ${keyId}` : `the manifest names key ${String(manifest.signing?.keyId)}, ${PUBLIC_KEY_FILE} is ${keyId}`)) return done();

  // 3. Trusted time, then whose key: with a key history, the key must have been valid when it signed.
  // The key is judged (and reported) before the timestamp, though with the token's time when it holds: a
  // forgery is named for what it is, another key, rather than for the token it could not renew.
  const timeChecks: VerifyCheck[] = [];
  const time = await checkTimestamp(dir, manifest, manifestBytes, options, (name, ok, detail) => (timeChecks.push({ name, ok, detail }), ok), notes);
  trust = judgeKey(keyId, time ?? manifest.recording?.finalizedAt, options.trust ?? {});
  // A key the verifier was told to trust and this one is not: that is a failure, not a missing anchor.
  if (trust.state !== 'none') check('trusted key', trust.state === 'trusted', trust.detail);
  checks.push(...timeChecks);

  // 4. SHA256SUMS: the file the manifest names, listing exactly the manifest's files.
  const sums = await file(CHECKSUMS_FILE).catch(() => undefined);
  const expected = [...manifest.segments.map((s) => `${s.sha256}  ${s.file}\n`), ...(manifest.media?.files ?? []).map((m) => `${m.sha256}  ${m.file}\n`)].join('');
  if (!sums) check('checksums', false, `${CHECKSUMS_FILE} is missing`);
  else if (sha256(sums) !== manifest.checksums?.sha256) check('checksums', false, `${CHECKSUMS_FILE} is not the one the manifest names`);
  else check('checksums', sums.toString('utf8') === expected, sums.toString('utf8') === expected ? `${CHECKSUMS_FILE} lists the manifest's ${manifest.segments.length + (manifest.media?.files.length ?? 0)} files` : `${CHECKSUMS_FILE} does not list the manifest's files`);

  // 5. Segments: sizes, hashes and the chain.
  let prev = GENESIS;
  let bad = 0;
  let total = 0;
  for (const [i, s] of manifest.segments.entries()) {
    const problem = await segmentProblem(dir, s, prev, i);
    if (problem) {
      bad += 1;
      if (bad <= 10) check(`segment ${s.epoch}/${s.seq} (${s.file})`, false, problem);
    }
    prev = s.hash;
    total += s.bytes;
  }
  if (bad > 10) check('segments', false, `${bad - 10} more segments fail`);
  if (bad === 0) check('segments', true, `${manifest.segments.length} segments, ${total} bytes, hash chain intact`);
  check('chain head', manifest.chain?.head === prev && manifest.chain?.count === manifest.segments.length, manifest.chain?.head === prev ? `head ${prev}` : 'the chain head does not match the segments');

  // 6. Media files derived from the segments.
  let mediaBad = 0;
  for (const m of manifest.media?.files ?? []) {
    const path = inside(dir, m.file);
    const digest = path ? await sha256OfFile(path).catch(() => undefined) : undefined;
    const ok = digest === m.sha256;
    if (!ok) mediaBad += 1;
    check(`media ${m.file}`, ok, !path ? 'path leaves the recording folder' : digest === undefined ? 'missing' : ok ? `${m.bytes} bytes, SHA-256 matches` : 'SHA-256 does not match the manifest');
  }
  if (manifest.media && !manifest.media.seekable) notes.push(`media not made seekable: ${manifest.media.reason ?? 'unknown reason'}`);
  for (const gap of manifest.gaps ?? []) notes.push(`gap (${gap.kind}): ${JSON.stringify(gap)}`);

  // 7. The decode rule.
  const ffprobe = options.ffprobe === undefined ? 'ffprobe' : options.ffprobe;
  if (!ffprobe || !(await toolVersion(ffprobe))) notes.push('ffprobe is not installed: the media was not decoded');
  else if (bad === 0 && mediaBad === 0) await checkDecoding(dir, manifest, ffprobe, check);
  return done(manifest.recording?.id);
}

/**
 * The decode rule (docs/recording-bundle.md): each lease's stream reads to its end without a warning, unless the
 * manifest records a gap in or after that lease (an interrupted lease ends early, and that is said); each media
 * file reads to its end without a warning; the media files hold as many packets as the lease streams.
 */
async function checkDecoding(dir: string, manifest: Manifest, ffprobe: string, check: (name: string, ok: boolean, detail: string) => boolean): Promise<void> {
  const epochs = [...new Set(manifest.segments.map((s) => s.epoch))];
  const work = await mkdtemp(join(tmpdir(), 'tiepdan-verify-'));
  let streamPackets = 0;
  try {
    for (const epoch of epochs) {
      const part = join(work, `e${epoch}.webm`);
      await joinFiles(part, manifest.segments.filter((x) => x.epoch === epoch).map((s) => inside(dir, s.file)!));
      const probed = await probe(ffprobe, part);
      streamPackets += probed.packets ?? 0;
      const explained = gapExplains(manifest.gaps ?? [], epoch);
      if (!probed.ok) check(`decode lease ${epoch}`, false, probed.error ?? 'cannot be read');
      else if (probed.warnings && !explained) check(`decode lease ${epoch}`, false, `ends prematurely and no gap in the manifest says why: ${probed.warnings}`);
      else check(`decode lease ${epoch}`, true, `${probed.packets} packets${probed.warnings ? `, ends early as the manifest's gap says (${probed.warnings.split('\n')[0]})` : ''}`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const files = manifest.media?.files ?? [];
  let mediaPackets = 0;
  for (const m of files) {
    const probed = await probe(ffprobe, inside(dir, m.file)!);
    mediaPackets += probed.packets ?? 0;
    if (!probed.ok) check(`decode ${m.file}`, false, probed.error ?? 'cannot be read');
    else if (probed.warnings) check(`decode ${m.file}`, false, `ends prematurely: ${probed.warnings}`);
    else check(`decode ${m.file}`, true, `${probed.packets} packets, ${probed.durationMs ?? '?'} ms`);
  }
  if (files.length) {
    check('packets', mediaPackets === streamPackets, mediaPackets === streamPackets ? `${mediaPackets} packets in the media, as in the segments` : `${mediaPackets} packets in the media, ${streamPackets} in the segments`);
  }
}


/**
 * The RFC 3161 token (manifest.tsr): there when the manifest names an authority, granted, over SHA-256 of
 * manifest.json, not before the manifest was finalized, and signed by the TSA (`openssl ts -verify` against the
 * TSA's CA, when given). Returns the token's time when it was fully checked.
 */
async function checkTimestamp(dir: string, manifest: Manifest, manifestBytes: Buffer, options: VerifyOptions, check: (name: string, ok: boolean, detail: string) => boolean, notes: string[]): Promise<string | undefined> {
  if (!manifest.timestamp) {
    notes.push('no trusted timestamp: the server had no time-stamping authority configured; the signing time is the manifest\'s own finalizedAt');
    return undefined;
  }
  const tsrPath = join(dir, TIMESTAMP_FILE);
  const der = await readFile(tsrPath).catch(() => undefined);
  if (!der) return void check('timestamp', false, `${TIMESTAMP_FILE} is missing (the manifest names ${manifest.timestamp.authority})`);
  let facts;
  try {
    facts = readTimestampResponse(der);
  } catch (error) {
    return void check('timestamp', false, `${TIMESTAMP_FILE} is not an RFC 3161 reply: ${(error as Error).message}`);
  }
  if (facts.status > 1) return void check('timestamp', false, `the authority refused (status ${facts.status})`);
  if (facts.hashAlgorithm !== 'sha256' || !facts.digest.equals(createHash('sha256').update(manifestBytes).digest())) return void check('timestamp', false, 'the timestamp is over other data than manifest.json');
  const finalizedAt = Date.parse(manifest.recording?.finalizedAt ?? '');
  if (!(Date.parse(facts.genTime) >= finalizedAt - CLOCK_SKEW_MS)) return void check('timestamp', false, `time ${facts.genTime} is before the manifest was finalized (${manifest.recording?.finalizedAt})`);
  const caPem = options.tsaCaPem ?? options.trust?.history?.history.timestamping?.caCertificates ?? undefined;
  const openssl = options.openssl === undefined ? 'openssl' : options.openssl;
  if (!caPem) {
    check('timestamp', true, `RFC 3161, ${facts.genTime}, over this manifest`);
    notes.push('the timestamp\'s signature was not checked: no CA of the time-stamping authority was given (--tsa-ca, or a key history that carries it)');
    return undefined;
  }
  const work = await mkdtemp(join(tmpdir(), 'tiepdan-tsa-'));
  try {
    const caFile = join(work, 'tsa-ca.pem');
    await writeFile(caFile, caPem);
    const result = openssl ? await run(openssl, ['ts', '-verify', '-in', tsrPath, '-data', join(dir, MANIFEST_FILE), '-CAfile', caFile]) : undefined;
    if (!result) {
      check('timestamp', true, `RFC 3161, ${facts.genTime}, over this manifest`);
      notes.push('openssl is not installed: the timestamp\'s signature was not checked');
      return undefined;
    }
    const ok = result.code === 0 && /Verification: OK/u.test(result.stdout);
    check('timestamp', ok, ok ? `RFC 3161, ${facts.genTime}, signed by the trusted time-stamping authority` : `the timestamp's signature does not verify against the TSA's CA: ${(result.stderr || result.stdout).trim().split('\n').slice(-2).join(' ').slice(0, 300)}`);
    return ok ? facts.genTime : undefined;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string } | undefined> {
  return new Promise((done) => {
    execFile(command, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') return done(undefined);
      done({ code: error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
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

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
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
