/**
 * The desk's case marks in the recording: a case received during a recorded session stamps every step with the
 * offset into the recording, and the finalized, signed manifest carries the marks (opened, confirmed, receipt,
 * outcome, closed) in the format of docs/recording-bundle.md, with the hashes of the confirmed content and of the
 * Form 02 receipt; `verify` still passes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { removeDir, token, type TestServer } from './helpers.js';
import { BODIES, CONTENT, as, submitted } from './desk-helpers.js';
import { Recorder, call, chunks, endAndFinalize, keysFile, makeWebm, openRecording, recordingDir, runVerify, startRecordingServer } from './recording-helpers.js';

let t: TestServer;
before(async () => {
  // A loaded machine may pause the event loop for a while: a lease that outlives it keeps this test about the desk.
  t = await startRecordingServer({ recording: { leaseMs: 10_000, heartbeatMs: 1000, drainMs: 200 } });
});
after(async () => {
  await t.close();
  removeDir(t.dataDir);
});

test('case marks with content and receipt hashes reach the signed manifest', async () => {
  const sessionId = 'desk-recorded-1';
  const parts = chunks(makeWebm(2), 64 * 1024);
  const id = await openRecording(t, sessionId);
  const rec = await Recorder.create(t, id, 'point-desk');
  await rec.register();
  const chair = await token(t, 'chair');
  rec.beat(500);
  const started = await call(t, chair, 'POST', `/recordings/${id}/start`);
  assert.equal(started.status, 200, JSON.stringify(started.body));
  for (const [seq, part] of parts.entries()) {
    const sent = await rec.send(seq, part, { capturedAt: Date.now() });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
  }

  const reference = await submitted(t);
  const opened = await as(t, 'clerk', '/desk/cases', { registration: reference, sessionId });
  const caseId = ((await opened.json()) as any).case.id as string;
  const content = ((await (await as(t, 'clerk', `/desk/cases/${caseId}/content`, { text: CONTENT })).json()) as any).case.content;
  assert.equal(typeof content.recordingMs, 'number', 'the step carries the offset into the recording');
  assert.equal(content.recordingId, id);
  // The citizen said "đúng" aloud 2 s into the recording; the clerk marks that moment.
  const aloud = ((await (await as(t, 'clerk', `/desk/cases/${caseId}/confirmations/aloud`, { version: 1, sha256: content.sha256, recordingMs: 2000 })).json()) as any).case;
  assert.equal(aloud.confirmation.recordingMs, 2000);
  const receipt = ((await (await as(t, 'clerk', `/desk/cases/${caseId}/receipt`, BODIES.receipt)).json()) as any).case.receipt;
  assert.equal((await as(t, 'clerk', `/desk/cases/${caseId}/handling`, BODIES.handling)).status, 200);
  assert.equal((await as(t, 'clerk', `/desk/cases/${caseId}/close`, {})).status, 200);

  rec.stopBeating();
  await endAndFinalize(t, id);
  const dir = recordingDir(t, id);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const marks = manifest.marks.filter((m: any) => m.caseId === caseId);
  assert.deepEqual(marks.map((m: any) => m.kind), ['opened', 'confirmed', 'receipt', 'outcome', 'closed']);
  const byKind = Object.fromEntries(marks.map((m: any) => [m.kind, m]));
  assert.equal(byKind.confirmed.sha256, createHash('sha256').update(CONTENT, 'utf8').digest('hex'));
  assert.equal(byKind.receipt.sha256, receipt.sha256);
  assert.equal(byKind.opened.sha256, null);
  for (const mark of marks) assert.equal(typeof mark.offsetMs, 'number');
  // Opening and closing are the timeline's case start and end too.
  assert.deepEqual(manifest.cases.filter((c: any) => c.reference.endsWith(`/${aloud.registerNumber}`)).map((c: any) => c.action), ['start', 'end']);
  const verified = await runVerify([dir, '--keys', await keysFile(t)]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
});
