/**
 * Recording ingest and finalization against the real server: acks after durable writes, retries, conflicts,
 * out-of-order and missing chunks, a finalized WebM that ffprobe reads with the source's duration, and the
 * real `tiepdan-server verify` passing on it and failing on any flipped byte.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { removeDir, token, type TestServer } from './helpers.js';
import {
  call,
  chunks,
  durationOf,
  endAndFinalize,
  ffprobeDuration,
  keysFile,
  makeWebm,
  openRecording,
  Recorder,
  recordingDir,
  runVerify,
  sha256,
  startRecordingServer,
} from './recording-helpers.js';

const CHUNK = 8000;
let t: TestServer;

before(async () => {
  // ffmpeg runs synchronously: made before any lease starts, so no lease lapses while it runs.
  makeWebm(6);
  t = await startRecordingServer();
});
after(async () => {
  await t.close();
  removeDir(t.dataDir);
});

function flip(file: string, offset: number): void {
  const bytes = readFileSync(file);
  bytes[offset] = bytes[offset]! ^ 0x01;
  writeFileSync(file, bytes);
}

describe('segment ingest', () => {
  it('acknowledges each chunk once durably stored, answers a retry with the same ack and refuses a changed chunk', async () => {
    const id = await openRecording(t, 'ingest-acks');
    const parts = chunks(makeWebm(), CHUNK);
    const rec = await Recorder.create(t, id, 'point-a');
    const reply = await rec.register();
    assert.equal(reply.role, 'active');
    assert.equal(reply.epoch, 1);

    const first = await rec.send(0, parts[0]!);
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.ack, { recordingId: id, epoch: 1, seq: 0, bytes: parts[0]!.length, sha256: sha256(parts[0]!), duplicate: false });
    const stored = t.db.prepare('SELECT bytes, sha256 FROM recording_segments WHERE recording_id = ? AND epoch = 1 AND seq = 0').get(id) as { bytes: number; sha256: string };
    assert.equal(stored.sha256, sha256(parts[0]!));
    const file = join(recordingDir(t, id), 'segments', 'e000001-s00000000.chunk');
    assert.deepEqual(readFileSync(file), parts[0]);

    const retry = await rec.send(0, parts[0]!);
    assert.equal(retry.status, 200);
    assert.equal(retry.body.ack.duplicate, true);
    assert.equal(t.db.prepare('SELECT COUNT(*) FROM recording_segments WHERE recording_id = ?').pluck().get(id), 1);

    const changed = await rec.send(0, parts[1]!);
    assert.equal(changed.status, 409);
    assert.equal(changed.body.error.code, 'segment_conflict');
    assert.equal(typeof changed.body.error.message.vi, 'string');
    assert.deepEqual(readFileSync(file), parts[0], 'the stored chunk is untouched');

    const lying = await rec.send(1, parts[1]!, { sha256: sha256(parts[2]!) });
    assert.equal(lying.status, 400);
    assert.equal(lying.body.error.code, 'segment_mismatch');
    const short = await rec.send(1, parts[1]!, { bytes: parts[1]!.length - 1 });
    assert.equal(short.body.error.code, 'segment_mismatch');
    assert.equal(t.db.prepare('SELECT COUNT(*) FROM recording_segments WHERE recording_id = ?').pluck().get(id), 1);
  });

  it('takes chunks out of order, lists the missing ones, and writes the unfilled gap into the manifest', async () => {
    const id = await openRecording(t, 'ingest-order');
    const rec = await Recorder.create(t, id, 'point-b');
    await rec.register();
    const parts = chunks(makeWebm(), CHUNK);
    assert.ok(parts.length >= 8);

    assert.deepEqual((await rec.send(0, parts[0]!)).body.missing, []);
    assert.deepEqual((await rec.send(3, parts[3]!)).body.missing, [1, 2]);
    assert.deepEqual((await rec.send(1, parts[1]!)).body.missing, [2]);
    const beat = await rec.heartbeat();
    assert.deepEqual(beat.resume, { epoch: 1, nextSeq: 2, storedAbove: [3], missing: [2] });
    assert.deepEqual((await rec.send(2, parts[2]!)).body.missing, []);
    assert.equal((await rec.heartbeat()).resume?.nextSeq, 4);
    // 5 never arrives.
    await rec.send(4, parts[4]!);
    assert.deepEqual((await rec.send(6, parts[6]!)).body.missing, [5]);
    const status = await call(t, await token(t, 'chair'), 'GET', `/recordings/${id}`);
    assert.deepEqual(status.body.recording.missing, [{ epoch: 1, seqs: [5] }]);

    await endAndFinalize(t, id);
    const manifest = JSON.parse(readFileSync(join(recordingDir(t, id), 'manifest.json'), 'utf8'));
    assert.deepEqual(manifest.gaps.filter((g: any) => g.kind === 'missing_segments'), [{ kind: 'missing_segments', epoch: 1, seqs: [5] }]);
    assert.deepEqual(manifest.segments.map((s: any) => s.seq), [0, 1, 2, 3, 4, 6]);
  });

  it('finalizes into a seekable WebM with the source duration, a hash-chained manifest and a valid signature', async () => {
    const source = makeWebm(6);
    const id = await openRecording(t, 'ingest-finalize');
    const rec = await Recorder.create(t, id, 'point-c');
    await rec.register();
    const chair = await token(t, 'chair');
    assert.equal((await call(t, chair, 'POST', `/recordings/${id}/start`)).status, 200);
    const parts = chunks(source, CHUNK);
    for (const [seq, part] of parts.entries()) {
      const res = await rec.send(seq, part, { last: seq === parts.length - 1, capturedAt: Date.now() });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    const status = await endAndFinalize(t, id);
    assert.equal(status.segments.count, parts.length);
    assert.equal(status.segments.bytes, source.length);

    const dir = recordingDir(t, id);
    const media = join(dir, 'recording.webm');
    const duration = ffprobeDuration(media);
    const sourceDuration = durationOf(source);
    assert.ok(Math.abs(duration - sourceDuration) < 1, `finalized ${duration} s, source ${sourceDuration} s`);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.media.seekable, true);
    assert.equal(manifest.media.files[0].sha256, sha256(readFileSync(media)));
    assert.equal(manifest.segments.length, parts.length);
    assert.equal(manifest.segments[0].prevHash, '0'.repeat(64));
    for (let i = 1; i < manifest.segments.length; i += 1) assert.equal(manifest.segments[i].prevHash, manifest.segments[i - 1].hash);
    assert.equal(manifest.chain.head, manifest.segments.at(-1).hash);
    assert.deepEqual(manifest.gaps, []);

    // The published key is the one that signed.
    const published = await call(t, undefined, 'GET', '/recordings/public-key');
    assert.equal(published.status, 200);
    const signature = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).signing;
    assert.equal(signature.keyId, published.body.keyId);
    const keyFile = join(t.dataDir, 'trusted.pem');
    writeFileSync(keyFile, published.body.publicKey);
    const keyMode = (await import('node:fs')).statSync(join(t.dataDir, 'keys', 'recording-ed25519.pem')).mode & 0o777;
    assert.equal(keyMode, 0o600);

    const verified = await runVerify([dir, '--public-key', keyFile]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /VERIFIED/u);
    assert.match(verified.stdout, new RegExp(`trusted: key ${signature.keyId} is the public key in ${keyFile}`, 'u'));
    assert.match(verified.stdout, /decode recording\.webm/u);
  });

  it('verify fails on a flipped byte in a segment, in the manifest, in the signature or in the media, and on another key', async () => {
    const id = await openRecording(t, 'ingest-tamper');
    const rec = await Recorder.create(t, id, 'point-d');
    await rec.register();
    const parts = chunks(makeWebm(), CHUNK);
    for (const [seq, part] of parts.entries()) assert.equal((await rec.send(seq, part)).status, 200);
    await endAndFinalize(t, id);
    const dir = recordingDir(t, id);
    const trusted = await keysFile(t);
    const clean = await runVerify([dir, '--keys', trusted]);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);

    const cases: [string, string, number][] = [
      ['segment', join(dir, 'segments', 'e000001-s00000003.chunk'), 100],
      ['manifest', join(dir, 'manifest.json'), 200],
      ['signature', join(dir, 'manifest.sig'), 10],
      ['media', join(dir, 'recording.webm'), 5000],
    ];
    for (const [what, file, offset] of cases) {
      flip(file, offset);
      const result = await runVerify([join(dir, 'manifest.json'), '--keys', trusted]);
      assert.equal(result.code, 1, `${what}: ${result.stdout}${result.stderr}`);
      assert.match(result.stdout, /FAILED/u, `${what}: ${result.stderr}`);
      flip(file, offset);
      assert.equal((await runVerify([dir, '--keys', trusted])).code, 0, `${what} restored`);
    }

    const other = (await import('node:crypto')).generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const otherFile = join(t.dataDir, 'other.pem');
    writeFileSync(otherFile, other);
    const wrongKey = await runVerify([dir, '--public-key', otherFile]);
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stdout, /trusted/u);
  });

  it('without ffmpeg keeps the raw segments, says so in the manifest, and still verifies', async () => {
    const plain = await startRecordingServer({ recording: { ffmpeg: false } });
    try {
      const id = await openRecording(plain, 'no-ffmpeg');
      const rec = await Recorder.create(plain, id, 'point-e');
      await rec.register();
      for (const [seq, part] of chunks(makeWebm(), CHUNK).entries()) assert.equal((await rec.send(seq, part)).status, 200);
      await endAndFinalize(plain, id);
      const dir = recordingDir(plain, id);
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      assert.equal(manifest.media.seekable, false);
      assert.match(manifest.media.reason, /ffmpeg/u);
      assert.equal(existsSync(join(dir, 'recording.webm')), false);
      const result = await runVerify([dir, '--keys', await keysFile(plain)]);
      assert.equal(result.code, 0, result.stdout);
      assert.match(result.stdout, /not made seekable/u);
    } finally {
      await plain.close();
      removeDir(plain.dataDir);
    }
  });
});
