/**
 * The desk's case marks in the recording: a case received during a recorded session stamps every step with the
 * offset into the recording, and the finalized, signed manifest carries the marks (opened, confirmed, receipt,
 * outcome, closed) in the format of docs/recording-bundle.md, with the hashes of the confirmed content and of the
 * Form 02 receipt; `verify` still passes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import mammoth from 'mammoth';
import { getJson, removeDir, token, type TestServer } from './helpers.js';
import { BODIES, CONTENT, as, submitted } from './desk-helpers.js';
import { Recorder, call, chunks, endAndFinalize, keysFile, makeWebm, openRecording, recordingDir, runVerify, startRecordingServer } from './recording-helpers.js';

let t: TestServer;
const work = mkdtempSync(join(tmpdir(), 'tiepdan-evidence-'));
before(async () => {
  // A loaded machine may pause the event loop for a while: a lease that outlives it keeps this test about the desk.
  t = await startRecordingServer({ recording: { leaseMs: 10_000, heartbeatMs: 1000, drainMs: 200 } });
});
after(async () => {
  await t.close();
  removeDir(t.dataDir);
  removeDir(work);
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

  // Issue 16 §2: the finalized recording's key fingerprint and manifest hash are on the papers and the register
  // line, read back as a person's tools read them. Both computed here from the bundle, apart from the server.
  const manifestSha256 = createHash('sha256').update(readFileSync(join(dir, 'manifest.json'))).digest('hex');
  const keyId = manifest.signing.keyId as string;
  const keyDer = createHash('sha256').update(Buffer.from(readFileSync(join(dir, 'signing-key.pem'), 'utf8').replace(/-----[^-]+-----|\s/gu, ''), 'base64')).digest('hex');
  assert.equal(keyId, keyDer, 'keyId is the SHA-256 of the public key DER');
  const official = await token(t, 'chair');
  const fetchBytes = async (path: string) => {
    const res = await getJson(`${t.api}${path}`, official);
    assert.equal(res.status, 200, path);
    return Buffer.from(await res.arrayBuffer());
  };
  const hexOf = (text: string) => text.replace(/\s+/gu, '');
  for (const paper of ['record', 'receipt']) {
    const pdf = join(work, `${paper}.pdf`);
    writeFileSync(pdf, await fetchBytes(`/desk/cases/${caseId}/papers/${paper}?format=pdf`));
    const pdfText = hexOf((await promisify(execFile)('pdftotext', ['-enc', 'UTF-8', pdf, '-'])).stdout);
    const docxText = hexOf((await mammoth.extractRawText({ buffer: await fetchBytes(`/desk/cases/${caseId}/papers/${paper}?format=docx`) })).value);
    for (const [what, text] of [['pdf', pdfText], ['docx', docxText]] as const) {
      assert.ok(text.includes(`keyId:${keyId}`), `${paper}.${what} carries the key fingerprint`);
      assert.ok(text.includes(`manifestSHA-256:${manifestSha256}`), `${paper}.${what} carries the manifest hash`);
      assert.ok(text.includes(id), `${paper}.${what} names the recording`);
    }
  }
  const register = (await (await getJson(`${t.api}/register`, official)).json()) as { entries: any[] };
  const line = register.entries.find((e) => e.caseId === caseId);
  assert.deepEqual(line.evidence, { recordingId: id, keyId, manifestSha256 });
  assert.ok(line.notes.includes(`keyId ${keyId}, manifest SHA-256 ${manifestSha256}`), 'Form 03 column 12 says it');
  const csv = (await fetchBytes('/register/export?format=csv')).toString('utf8');
  assert.ok(csv.includes(manifestSha256) && csv.includes(keyId), 'and so does the exported book');
});
