/**
 * Recording on S3-compatible object storage (`recording.storage: { kind: 's3', … }`, @aws-sdk/client-s3): each
 * acknowledged segment is an object in the bucket when its 200 comes, the finalized media, manifest and signature
 * are objects, the data folder's recordings folder holds none of it (ffmpeg's staged files under
 * recordings-work are a cache), playback
 * answers a Range, the objects downloaded as a bundle pass `verify`, and a citizen's copy is cut and served.
 *
 * The S3 server is a stand-in: s3rver (a local S3 API implementation in Node) started by the test on 127.0.0.1,
 * since no S3 server ships in Debian 12 and AWS S3 is not reachable here. A real deployment points `endpoint` at
 * its object store (or leaves it out for AWS).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { mintJoinToken } from '../src/index.js';
import { parseKeyHistory } from '../src/recording/signing/keys.js';
import { verifyRecording } from '../src/recording/verify/verify.js';
import { freePort, removeDir, tempDir, token, type TestServer } from './helpers.js';
import { call, chunks, endAndFinalize, keysFile, makeWebm, openRecording, Recorder, sha256, startRecordingServer } from './recording-helpers.js';

const BUCKET = 'tiepdan-recordings';
const PREFIX = 'sadec/';
const KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const SESSION = 's3-session';
const REFERENCE = 'TD-S3-1';

let t: TestServer;
let s3server: S3rver;
let s3: S3Client;
const s3dir = tempDir('tiepdan-s3rver-');


async function objects(prefix: string): Promise<{ key: string; size: number }[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => ({ key: o.Key!, size: o.Size ?? 0 }));
}

before(async () => {
  const port = await freePort();
  s3server = new S3rver({ port, address: '127.0.0.1', silent: true, directory: s3dir, configureBuckets: [{ name: BUCKET, configs: [] }] });
  await s3server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  s3 = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: KEYS });
  t = await startRecordingServer({ recording: { leaseMs: 10_000, heartbeatMs: 1000, storage: { kind: 's3', endpoint, bucket: BUCKET, prefix: PREFIX, ...KEYS } } });
});
after(async () => {
  await t?.close();
  s3?.destroy();
  await s3server?.close();
  removeDir(t.dataDir);
  removeDir(s3dir);
});

describe('recording on S3-compatible storage (s3rver stand-in)', () => {
  let id: string;
  let manifest: any;

  it('acks a segment only once its object is stored; finalizes into the bucket, nothing in the data folder', async () => {
    id = await openRecording(t, SESSION);
    const rec = await Recorder.create(t, id, 's3-rec');
    await rec.register();
    const clerk = await token(t, 'clerk');
    const origin = Date.now();
    await call(t, clerk, 'POST', `/recordings/${id}/timeline`, {
      entries: [
        { kind: 'case', reference: REFERENCE, action: 'start', at: new Date(origin + 1000).toISOString() },
        { kind: 'case', reference: REFERENCE, action: 'end', at: new Date(origin + 4000).toISOString() },
      ],
    });
    const parts = chunks(makeWebm(6), 8000);
    for (const [seq, part] of parts.entries()) {
      const ack = await rec.send(seq, part, { capturedAt: origin });
      assert.equal(ack.status, 200, JSON.stringify(ack.body));
      // The 200 came: the segment is an object of its size in the bucket already.
      const stored = await objects(`${PREFIX}${id}/segments/`);
      assert.equal(stored.length, seq + 1, `segment ${seq} stored before its ack`);
      assert.ok(stored.some((o) => o.size === part.byteLength));
    }
    const status = await endAndFinalize(t, id);
    assert.equal(status.state, 'finalized');
    const names = (await objects(`${PREFIX}${id}/`)).map((o) => o.key.slice(`${PREFIX}${id}/`.length));
    for (const file of ['manifest.json', 'manifest.sig', 'recording.webm']) assert.ok(names.includes(file), `${file} in the bucket (have ${names.join(', ')})`);
    assert.equal(existsSync(join(t.dataDir, 'recordings', id)), false, 'the recording is not in the data folder\'s recordings folder');
    manifest = JSON.parse(Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${id}/manifest.json` }))).Body!.transformToByteArray()).toString('utf8'));
    assert.equal(manifest.media.seekable, true, JSON.stringify(manifest.media));
  });

  it('plays a byte range and downloads the media from the bucket, the bytes the manifest names', async () => {
    const clerk = await token(t, 'clerk');
    const range = await fetch(`${t.api}/recordings/${id}/media`, { headers: { authorization: `Bearer ${clerk}`, range: 'bytes=100-299' } });
    assert.equal(range.status, 206);
    const partial = Buffer.from(await range.arrayBuffer());
    assert.equal(partial.byteLength, 200);
    const full = await fetch(`${t.api}/recordings/${id}/download`, { headers: { authorization: `Bearer ${clerk}` } });
    assert.equal(full.status, 200);
    const bytes = Buffer.from(await full.arrayBuffer());
    assert.equal(sha256(bytes), manifest.media.files[0].sha256);
    assert.deepEqual(partial, bytes.subarray(100, 300));
  });

  it('the objects downloaded as a bundle pass verify', async () => {
    const bundle = tempDir('tiepdan-s3-bundle-');
    try {
      for (const object of await objects(`${PREFIX}${id}/`)) {
        const target = join(bundle, object.key.slice(`${PREFIX}${id}/`.length));
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: object.key }))).Body!.transformToByteArray()));
      }
      assert.ok(readdirSync(bundle).includes('manifest.json'));
      const history = await keysFile(t);
      const report = await verifyRecording(bundle, { trust: { history: { history: parseKeyHistory(readFileSync(history, 'utf8')), source: history } } });
      assert.equal(report.ok, true, JSON.stringify({ verdict: report.verdict, failed: report.checks.filter((c) => !c.ok) }));
    } finally {
      removeDir(bundle);
    }
  });

  it("a citizen's copy is cut from the bucket's media and served", async () => {
    const citizen = await mintJoinToken(t.config.authSecret, { reference: REFERENCE, sessionId: SESSION });
    const requested = await call(t, citizen, 'POST', `/recordings/${id}/copies`, {});
    assert.equal(requested.status, 201, JSON.stringify(requested.body));
    const clerk = await token(t, 'clerk');
    const approved = await call(t, clerk, 'POST', `/recordings/${id}/copies/${requested.body.copy.id}/approve`, { denouncerSecretsChecked: true });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.ok((await objects(`${PREFIX}${id}/${requested.body.copy.id}.webm`)).length === 1, 'the copy is an object in the bucket');
    const file = await fetch(`${t.api}/recordings/${id}/copies/${requested.body.copy.id}/file`, { headers: { authorization: `Bearer ${clerk}` } });
    assert.equal(file.status, 200);
    assert.equal(sha256(Buffer.from(await file.arrayBuffer())), approved.body.copy.file.sha256);
  });
});
