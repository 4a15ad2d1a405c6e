/**
 * A finalization that fails is tried again by itself (recording.finalizeRetryMs, doubling): here the RFC 3161
 * authority is down when the chair ends the session. The recording stays `finalizing` with the reason in
 * `lastError`, the server keeps asking the TSA without anyone calling POST /finalize, and once the TSA is back
 * the bundle is finalized, time-stamped and verifies against the published keys.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { removeDir, token, type TestServer } from './helpers.js';
import { call, chunks, keysFile, makeWebm, openRecording, Recorder, recordingDir, runVerify, startRecordingServer, waitFor } from './recording-helpers.js';
import { startTsa, type TestTsa } from './tsa-helpers.js';

let t: TestServer;
let tsa: TestTsa;
before(async () => {
  tsa = await startTsa();
  t = await startRecordingServer({ recording: { finalizeRetryMs: 100, finalizeRetryMaxMs: 400, timestamping: { url: tsa.url, caCertificates: tsa.caPem, timeoutMs: 2_000 } } });
});
after(async () => {
  await t.close();
  await tsa.close();
  removeDir(t.dataDir);
  removeDir(tsa.dir);
});

test('the TSA is down at the end of the session: the server retries by itself and finalizes once it is back', async () => {
  const parts = chunks(makeWebm(3), 7000);
  const id = await openRecording(t, 'retry-tsa');
  const recorder = await Recorder.create(t, id, 'rec-retry');
  await recorder.register();
  recorder.beat(100);
  for (const [seq, part] of parts.entries()) {
    const sent = await recorder.send(seq, part, { capturedAt: Date.now() });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
  }

  recorder.stopBeating();
  tsa.down = true;
  const chair = await token(t, 'chair');
  assert.equal((await call(t, chair, 'POST', `/recordings/${id}/end`)).status, 202);
  const status = async () => (await call(t, chair, 'GET', `/recordings/${id}`)).body.recording;
  const failed = await waitFor(async () => {
    const rec = await status();
    return rec.state === 'finalizing' && rec.lastError ? rec : undefined;
  }, 20_000, 'a failed finalization');
  assert.match(failed.lastError, /503|time-?stamp/iu, 'lastError says why');
  // Nobody calls POST /finalize: the server asks the authority again, with backoff.
  await waitFor(() => (tsa.refused >= 3 ? true : undefined), 20_000, 'three attempts');
  assert.equal(existsSync(join(recordingDir(t, id), 'manifest.json')), false, 'no manifest without the trusted time it was promised');

  tsa.down = false;
  const done = await waitFor(async () => {
    const rec = await status();
    return rec.state === 'finalized' ? rec : undefined;
  }, 20_000, 'finalized after the TSA came back');
  assert.equal(done.lastError, null, 'the error is cleared');
  assert.ok(existsSync(join(recordingDir(t, id), 'manifest.tsr')), 'the bundle carries its time-stamp token');
  const verify = await runVerify([recordingDir(t, id), '--keys', await keysFile(t)]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
});
