/**
 * The bundle format against its two verifiers: `tiepdan-server verify` and the common-tools recipe at the end of
 * docs/recording-bundle.md (run as the bash script it is, taken from the doc, so the doc cannot drift). A real
 * bundle, timestamped by a real RFC 3161 authority (`openssl ts -reply` on 127.0.0.1), passes both; each tamper
 * fails both, and both name the same first bad item.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseKeyHistory } from '../src/recording/signing/keys.js';
import { requestTimestamp } from '../src/recording/signing/timestamp.js';
import { verifyRecording } from '../src/recording/verify/verify.js';
import { ConfigError } from '../src/config/errors.js';
import { removeDir, tempDir, testConfig, type TestServer } from './helpers.js';
import { chunks, copyBundle, keysFile, makeWebm, recipeScript, recordBundle, resign, runVerify, startRecordingServer } from './recording-helpers.js';
import { makeTsaFiles, startTsa, type TestTsa } from './tsa-helpers.js';

let t: TestServer;
let tsa: TestTsa;
let bundle: string;
let history: string;
let fingerprint: string;
const recipe = join(tempDir('tiepdan-recipe-'), 'verify-bundle.sh');

before(async () => {
  makeWebm(6);
  tsa = await startTsa();
  t = await startRecordingServer({ recording: { timestamping: { url: tsa.url, caCertificates: tsa.caPem } } });
  writeFileSync(recipe, recipeScript());
  bundle = (await recordBundle(t, 'bundle-good', chunks(makeWebm(6), 7000))).dir;
  history = await keysFile(t);
  fingerprint = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')).signing.keyId;
});
after(async () => {
  await t.close();
  await tsa.close();
  removeDir(t.dataDir);
  removeDir(tsa.dir);
});

function runRecipe(dir: string, caFile = tsa.caFile): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile('bash', [recipe, dir, fingerprint, caFile], { timeout: 120_000 }, (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }));
  });
}

/** The verifier in process, trusting the published key history (its TSA CA included). */
async function firstFailure(dir: string): Promise<{ verdict: string; name?: string; detail?: string }> {
  const report = await verifyRecording(dir, { trust: { history: { history: parseKeyHistory(readFileSync(history, 'utf8')), source: history } } });
  const bad = report.checks.find((c) => !c.ok);
  return { verdict: report.verdict, name: bad?.name, detail: bad?.detail };
}

/** The server's own key and TSA: what only a bug in the server (or its stolen key) could produce. */
async function resignAsServer(dir: string, mutate?: (manifest: any) => void): Promise<void> {
  resign(dir, mutate, readFileSync(join(t.dataDir, 'keys', 'recording-ed25519.pem'), 'utf8'));
  const digest = createHash('sha256').update(readFileSync(join(dir, 'manifest.json'))).digest();
  writeFileSync(join(dir, 'manifest.tsr'), (await requestTimestamp(tsa.url, digest, 10_000)).der);
}

const segmentFile = (dir: string, i: number): string => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).segments[i].file;

describe('recording bundle format 2', () => {
  it('a real bundle passes verify, the recipe from the documentation and the timestamp check', async () => {
    assert.ok(tsa.answered >= 1, 'the TSA was asked');
    const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8'));
    assert.equal(manifest.format, 'tiepdan-recording-manifest/2');
    assert.deepEqual(manifest.timestamp, { authority: tsa.url, file: 'manifest.tsr', hashAlgorithm: 'sha256' });
    assert.equal(readFileSync(join(bundle, 'manifest.sig')).length, 64);
    assert.equal(manifest.media.files[0].packets, manifest.streams.reduce((n: number, s: any) => n + s.packets, 0));
    assert.deepEqual(manifest.streams.map((s: any) => s.complete), [true]);

    const cli = await runVerify([bundle, '--keys', history]);
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    assert.match(cli.stdout, /: VERIFIED/u);
    assert.match(cli.stdout, /ok {3}timestamp: RFC 3161, \S+, signed by the trusted time-stamping authority/u);
    assert.match(cli.stdout, /ok {3}packets: (\d+) packets in the media, as in the segments/u);

    const shell = await runRecipe(bundle);
    assert.equal(shell.code, 0, shell.out);
    assert.match(shell.out, /^VERIFIED$/mu);
    assert.match(shell.out, /timestamp: Time stamp: /u);
  });

  it('a lease whose final chunk never came (its stream stops mid-cluster): the manifest says so with a truncated gap, and both verifiers pass', async () => {
    const parts = chunks(makeWebm(6), 7000);
    const { dir } = await recordBundle(t, 'bundle-truncated', parts.slice(0, -1));
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.deepEqual(manifest.streams.map((s: any) => s.complete), [false], 'the stream does not read to its end');
    assert.deepEqual(manifest.gaps.map(({ at: _at, ...g }: any) => g), [{ kind: 'truncated', epoch: 1, afterSeq: parts.length - 2 }]);
    const cli = await runVerify([dir, '--keys', history]);
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    assert.match(cli.stdout, /ok {3}decode lease 1: \d+ packets, ends early as the manifest's gap says/u);
    const shell = await runRecipe(dir);
    assert.equal(shell.code, 0, shell.out);
    // Without the gap the same stream fails the decode rule (what a server that did not say so produced).
    const silent = copyBundle(dir);
    await resignAsServer(silent, (m) => (m.gaps = []));
    const failure = await firstFailure(silent);
    assert.deepEqual([failure.verdict, failure.name], ['FAILED', 'decode lease 1']);
    assert.match(failure.detail ?? '', /ends prematurely and no gap in the manifest says why/u);
  });

  const tampers: [string, (dir: string) => Promise<void> | void, (verifier: string, recipe: string) => void][] = [
    ['byte', (dir) => flip(join(dir, segmentFile(dir, 2)), 300), sameFile(2)],
    ['digit', (dir) => {
      const file = join(dir, 'manifest.json');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/"bytes": (\d)/u, (_m, d: string) => `"bytes": ${(Number(d) + 1) % 10}`));
    }, same('signature')],
    ['swap', (dir) => {
      const a = join(dir, segmentFile(dir, 1));
      const b = join(dir, segmentFile(dir, 2));
      const bytesA = readFileSync(a);
      writeFileSync(a, readFileSync(b));
      writeFileSync(b, bytesA);
    }, sameFile(1)],
    ['drop', (dir) => rmSync(join(dir, segmentFile(dir, 3))), sameFile(3)],
    ['cut and re-sign with another key', (dir) => {
      rmSync(join(dir, segmentFile(dir, lastIndex(dir))));
      resign(dir, (m) => m.segments.pop());
    }, same('trusted key')],
    ['metadata edit re-signed', (dir) => void resign(dir, (m) => (m.recording.createdBy = 'someone.else')), same('trusted key')],
    ['truncated media (re-signed with the server key)', async (dir) => {
      truncateSync(join(dir, 'recording.webm'), Math.floor(readFileSync(join(dir, 'recording.webm')).length * 0.6));
      await resignAsServer(dir);
    }, same('decode recording.webm')],
    ['segments cut after the last one (re-signed with the server key)', async (dir) => {
      const last = lastIndex(dir);
      rmSync(join(dir, segmentFile(dir, last)));
      await resignAsServer(dir, (m) => m.segments.pop());
    }, same('decode lease 1')],
    ['media remuxed shorter, whole (re-signed with the server key)', async (dir) => {
      const media = join(dir, 'recording.webm');
      const short = join(dir, 'short.webm');
      await new Promise<void>((ok, fail) => execFile('ffmpeg', ['-hide_banner', '-v', 'error', '-y', '-i', media, '-t', '3', '-c', 'copy', short], (e) => (e ? fail(e) : ok())));
      writeFileSync(media, readFileSync(short));
      rmSync(short);
      await resignAsServer(dir);
    }, same('packets')],
    ['missing signature', (dir) => rmSync(join(dir, 'manifest.sig')), same('signature')],
    ['wrong timestamp (a token over other data)', async (dir) => {
      const other = createHash('sha256').update('another manifest').digest();
      writeFileSync(join(dir, 'manifest.tsr'), (await requestTimestamp(tsa.url, other, 10_000)).der);
    }, same('timestamp')],
    ['timestamp of another authority', async (dir) => {
      const rogue = tempDir('tiepdan-rogue-tsa-');
      const { config } = makeTsaFiles(rogue);
      const query = join(rogue, 'q.tsq');
      await new Promise<void>((ok, fail) => execFile('openssl', ['ts', '-query', '-data', join(dir, 'manifest.json'), '-sha256', '-cert', '-out', query], (e) => (e ? fail(e) : ok())));
      await new Promise<void>((ok, fail) => execFile('openssl', ['ts', '-reply', '-config', config, '-queryfile', query, '-out', join(dir, 'manifest.tsr')], (e) => (e ? fail(e) : ok())));
      removeDir(rogue);
    }, same('timestamp')],
  ];

  it('the time-stamping authority is configuration validated like the rest: a bad URL or CA is named', () => {
    assert.throws(
      () => testConfig({ recording: { timestamping: { url: 'ftp://tsa.example', caCertificates: 'not a certificate', timeoutMs: 5 } } as never }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        for (const field of ['recording.timestamping.url', 'recording.timestamping.caCertificates', 'recording.timestamping.timeoutMs']) assert.match(error.message, new RegExp(`^  - ${field.replaceAll('.', '\\.')}`, 'mu'), field);
        return true;
      },
    );
  });

  for (const [what, tamper, expect] of tampers) {
    it(`tamper: ${what} fails in both verifiers, naming the first bad item`, async () => {
      const dir = copyBundle(bundle);
      try {
        await tamper(dir);
        const verifier = await firstFailure(dir);
        assert.equal(verifier.verdict, 'FAILED', JSON.stringify(verifier));
        const shell = await runRecipe(dir);
        assert.equal(shell.code, 1, shell.out);
        const line = /^FAILED: (.*)$/mu.exec(shell.out)?.[1];
        assert.ok(line, shell.out);
        expect(`${verifier.name}: ${verifier.detail}`, line);
      } finally {
        removeDir(dir);
      }
    });
  }
});

function lastIndex(dir: string): number {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).segments.length - 1;
}

function flip(file: string, offset: number): void {
  const bytes = readFileSync(file);
  bytes[offset] = bytes[offset]! ^ 0x01;
  writeFileSync(file, bytes);
}

/** Both name the same check first. */
function same(name: string) {
  return (verifier: string, recipe: string) => {
    assert.ok(verifier.startsWith(`${name}: `), `verify: ${verifier}`);
    assert.ok(recipe.startsWith(`${name}: `), `recipe: ${recipe}`);
  };
}

/** A changed segment file: verify names the segment (with its file), the recipe's checksums name the file. */
function sameFile(index: number) {
  return (verifier: string, recipe: string) => {
    const file = segmentFile(bundle, index);
    assert.ok(verifier.startsWith('segment ') && verifier.includes(`(${file})`), `verify: ${verifier}`);
    assert.ok(recipe.startsWith('checksums: ') && recipe.includes(file), `recipe: ${recipe}`);
  };
}
