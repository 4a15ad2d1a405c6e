/**
 * Whose key signed a bundle: a forger who changes a chunk, recomputes every hash and the chain and re-signs with
 * a new Ed25519 key is not VERIFIED by a plain `verify`, and FAILS against the published key history; the key
 * history survives `tiepdan-server keys rotate` (old bundles still verify); the private key is never served or
 * written into a bundle; the recording's API view carries the fingerprint; the desk's case marks reach the
 * signed manifest.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { recordingOf } from '../src/recording/plugin.js';
import { parseKeyHistory } from '../src/recording/signing/keys.js';
import { judgeKey, type TrustAnchors } from '../src/recording/verify/trust.js';
import { formatReport, verifyRecording } from '../src/recording/verify/verify.js';
import { removeDir, tempDir, token, type TestServer } from './helpers.js';
import { call, chunks, copyBundle, keysFile, makeWebm, recordBundle, resign, runVerify, sha256, startRecordingServer } from './recording-helpers.js';

const CLI = resolve(import.meta.dirname, '../src/cli.ts');
let t: TestServer;
let configFile: string;

before(async () => {
  makeWebm(4);
  const dataDir = tempDir('tiepdan-trust-');
  t = await startRecordingServer({}, dataDir);
  // The same data folder, for the CLI's `keys` command (it reads the configuration like `start` does).
  configFile = join(dataDir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ mode: 'development', dataDir, authSecret: 'trust-secret-trust-secret-trust-secret-01', dataKey: randomBytes(32).toString('base64') }));
});
after(async () => {
  await t.close();
  removeDir(t.dataDir);
});

/** The verifier in process (the CLI is a thin layer over it, run as a child where its exit code matters). */
async function verifyWith(dir: string, options: { keys?: string; publicKey?: string; fingerprint?: string }): Promise<{ code: number; stdout: string }> {
  const trust: TrustAnchors = {
    publicKeys: options.publicKey ? [{ pem: readFileSync(options.publicKey, 'utf8'), source: options.publicKey }] : [],
    fingerprints: options.fingerprint ? [options.fingerprint] : [],
    history: options.keys ? { history: parseKeyHistory(readFileSync(options.keys, 'utf8')), source: options.keys } : undefined,
  };
  const report = await verifyRecording(dir, { trust });
  return { code: report.verdict === 'VERIFIED' ? 0 : report.verdict === 'UNTRUSTED' ? 3 : 1, stdout: formatReport(report) };
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: resolve(import.meta.dirname, '..') }, (error, stdout, stderr) => {
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** What a forger can do without the server's key: change chunk 2, recompute everything, sign with their own key. */
function forge(dir: string): string {
  const copy = copyBundle(dir);
  const file = join(copy, JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')).segments[2].file);
  const bytes = readFileSync(file);
  bytes[200] = bytes[200]! ^ 0xff;
  writeFileSync(file, bytes);
  resign(copy);
  return copy;
}

const keyIdIn = (dir: string): string => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).signing.keyId;

describe('a trusted key', () => {
  it('a forged bundle re-signed with another key is not VERIFIED without a trusted key, and FAILS against the key history', async () => {
    const { dir } = await recordBundle(t, 'trust-forged', chunks(makeWebm(4), 6000));
    const history = await keysFile(t);
    const good = await verifyWith(dir, { keys: history });
    assert.equal(good.code, 0, good.stdout);
    assert.match(good.stdout, /: VERIFIED/u);
    assert.match(good.stdout, /trusted: key [0-9a-f]{64} is in the key history .*recording-keys\.json, valid from/u);

    const forged = forge(dir);
    const plain = await runVerify([forged]);
    assert.notEqual(plain.code, 0, plain.stdout);
    assert.doesNotMatch(plain.stdout, /: VERIFIED/u);
    assert.equal(plain.code, 3, 'every integrity check of the forgery passes: UNTRUSTED, exit 3');
    assert.match(plain.stdout, /: UNTRUSTED/u);
    assert.match(plain.stdout, /was not compared with a trusted key/u);

    const pinned = await runVerify([forged, '--keys', history]);
    assert.equal(pinned.code, 1, pinned.stdout);
    assert.match(pinned.stdout, /: FAILED/u);
    assert.match(pinned.stdout, /first failure: trusted key: signed with key [0-9a-f]{64}, which is not a trusted key/u);

    const real = keyIdIn(dir);
    const byFingerprint = await verifyWith(forged, { fingerprint: real.replace(/(.{4})/gu, '$1:').slice(0, -1).toUpperCase() });
    assert.equal(byFingerprint.code, 1, byFingerprint.stdout);
    const realByFingerprint = await runVerify([dir, '--fingerprint', real.toUpperCase()]);
    assert.equal(realByFingerprint.code, 0, realByFingerprint.stdout);
    assert.match(realByFingerprint.stdout, /has the trusted fingerprint/u);
  });

  it('keys rotate keeps the history: bundles of the old key and of the new one verify against it, each with its own key only', async () => {
    const before = await recordBundle(t, 'trust-before-rotation', chunks(makeWebm(4), 6000));
    const oldKey = keyIdIn(before.dir);
    const rotated = await cli(['keys', 'rotate', '--config', configFile]);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, new RegExp(`retired ${oldKey}`, 'u'));
    const after = await recordBundle(t, 'trust-after-rotation', chunks(makeWebm(4), 6000));
    const newKey = keyIdIn(after.dir);
    assert.notEqual(newKey, oldKey, 'the running server signs with the new key at its next finalization');

    const published = (await call(t, undefined, 'GET', '/recordings/keys')).body;
    const ids = published.keys.map((k: any) => k.keyId);
    assert.deepEqual(ids.slice(-2), [oldKey, newKey]);
    const old = published.keys.find((k: any) => k.keyId === oldKey);
    assert.ok(old.validUntil && Date.parse(old.validUntil) >= Date.parse(old.validFrom), JSON.stringify(old));
    assert.equal(published.keys.at(-1).validUntil, null);
    assert.equal((await call(t, undefined, 'GET', '/recordings/public-key')).body.keyId, newKey);

    const history = await keysFile(t);
    for (const { dir } of [before, after]) {
      const result = await verifyWith(dir, { keys: history });
      assert.equal(result.code, 0, result.stdout);
    }
    // The current public key alone does not vouch for a bundle of the retired key.
    const current = join(tempDir('tiepdan-current-'), 'current.pem');
    writeFileSync(current, published.keys.at(-1).publicKey);
    const wrong = await verifyWith(before.dir, { publicKey: current });
    assert.equal(wrong.code, 1, wrong.stdout);

    // A history line changed to end before the bundle was signed: the key was not valid then.
    const shortened = { ...published, keys: published.keys.map((k: any) => (k.keyId === oldKey ? { ...k, validUntil: k.validFrom } : k)) };
    const shortFile = join(tempDir('tiepdan-short-'), 'keys.json');
    writeFileSync(shortFile, JSON.stringify(shortened));
    const outside = await verifyWith(before.dir, { keys: shortFile });
    assert.equal(outside.code, 1, outside.stdout);
    assert.match(outside.stdout, /outside its period/u);

    const listed = await cli(['keys', 'list', '--config', configFile]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${newKey}  \\S+  current`, 'u'));
  });

  it('a timestamp written to the second covers that second: a key made at .029 and used at once is in its period, a second earlier is not', () => {
    const history = { history: { keys: [{ keyId: 'k1', algorithm: 'Ed25519' as const, publicKey: 'unused', validFrom: '2026-12-01T23:34:01.029Z', validUntil: null }] }, source: 'keys.json' } as TrustAnchors['history'];
    assert.equal(judgeKey('k1', '2026-12-01T23:34:01Z', { history }).state, 'trusted');
    assert.equal(judgeKey('k1', '2026-12-01T23:34:01.000Z', { history }).state, 'refused', 'a time with milliseconds is taken as written');
    assert.equal(judgeKey('k1', '2026-12-01T23:34:00Z', { history }).state, 'refused');
  });

  it('the private key stays in the key folder: mode 0600, never in a bundle or an API answer', async () => {
    const { id, dir } = await recordBundle(t, 'trust-private', chunks(makeWebm(4), 6000));
    const keyFolder = join(t.dataDir, 'keys');
    assert.equal(statSync(join(keyFolder, 'recording-ed25519.pem')).mode & 0o777, 0o600);
    assert.equal(statSync(keyFolder).mode & 0o777, 0o700);
    for (const name of readdirSync(dir, { recursive: true }) as string[]) {
      const full = join(dir, name);
      if (statSync(full).isFile()) assert.doesNotMatch(readFileSync(full).toString('latin1'), /PRIVATE KEY/u, name);
    }
    const clerk = await token(t, 'clerk');
    for (const path of ['/recordings/keys', '/recordings/public-key', `/recordings/${id}`, `/recordings/${id}/manifest`]) {
      const res = await fetch(`${t.api}${path}`, { headers: { authorization: `Bearer ${clerk}` } });
      assert.equal(res.status, 200, path);
      assert.doesNotMatch(await res.text(), /PRIVATE KEY/u, path);
    }
    // The API view of a finalized recording names its manifest hash and signing key: what the desk records.
    const view = (await call(t, clerk, 'GET', `/recordings/${id}`)).body.recording;
    assert.deepEqual(view.evidence, { manifestSha256: createHash('sha256').update(readFileSync(join(dir, 'manifest.json'))).digest('hex'), keyId: keyIdIn(dir), finalizedAt: view.finalizedAt });
  });
});

describe('case marks', () => {
  it('the desk adds marks to the live recording; the signed manifest carries them with their offset; refused once finalized', async () => {
    const handle = recordingOf(t.server.app)!;
    const receipt = sha256(Buffer.from('Giấy biên nhận số 12'));
    const { dir } = await recordBundle(t, 'trust-marks', chunks(makeWebm(4), 6000), async (id) => {
      const opened = await handle.marks.add({ sessionId: 'trust-marks', kind: 'opened', caseId: 'case-1' });
      assert.equal(opened.recordingId, id);
      await handle.marks.add({ sessionId: 'trust-marks', kind: 'receipt', caseId: 'case-1', sha256: receipt });
      await handle.marks.add({ sessionId: 'trust-marks', kind: 'x-ward.note', caseId: 'case-1', at: new Date().toISOString() });
      await assert.rejects(handle.marks.add({ sessionId: 'trust-marks', kind: 'Bad Kind', caseId: 'case-1' }), (e: any) => e.statusCode === 422 && e.body.error.fields[0].path === 'kind');
      await assert.rejects(handle.marks.add({ sessionId: 'trust-marks', kind: 'receipt', caseId: 'case-1', sha256: 'abc' }), (e: any) => e.statusCode === 422 && e.body.error.fields[0].path === 'sha256');
      await assert.rejects(handle.marks.add({ sessionId: 'no-such-session', kind: 'opened', caseId: 'case-1' }), (e: any) => e.statusCode === 404);
    });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.deepEqual(manifest.marks.map((m: any) => [m.kind, m.caseId, m.sha256]), [['opened', 'case-1', null], ['receipt', 'case-1', receipt], ['x-ward.note', 'case-1', null]]);
    const origin = Date.parse(manifest.segments[0].capturedAt);
    for (const m of manifest.marks) assert.equal(m.offsetMs, Date.parse(m.at) - origin);
    assert.ok(manifest.marks.every((m: any) => m.offsetMs >= 0), JSON.stringify(manifest.marks));
    await assert.rejects(handle.marks.add({ sessionId: 'trust-marks', kind: 'closed', caseId: 'case-1' }), (e: any) => e.statusCode === 409 && e.body.error.code === 'recording_closed');
    const result = await verifyWith(dir, { keys: await keysFile(t) });
    assert.equal(result.code, 0, result.stdout);
  });
});
