/**
 * Who may touch a recording. Citizens and observers cannot stop, list, play or download one (403 in the error
 * shape), nor can a clerk stop it; only the chair ends it. Every access and every refusal is in the access log.
 * A recording where a denunciation was heard is never streamed. A citizen's copy of their own case is approved
 * by an official and leaves a handover record.
 */
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { mintJoinToken } from '../src/index.js';
import { MAX_COPIES_PER_CASE } from '../src/recording/access/copies.js';
import { removeDir, token, type TestServer } from './helpers.js';
import { call, chunks, endAndFinalize, makeWebm, openRecording, Recorder, sha256, startRecordingServer } from './recording-helpers.js';

let t: TestServer;
let finalized: string;
const SESSION = 'access-session';
const REFERENCE = 'TD-ACCESS-1';

before(async () => {
  const source = makeWebm(6);
  t = await startRecordingServer();
  finalized = await openRecording(t, SESSION);
  const rec = await Recorder.create(t, finalized, 'a');
  await rec.register();
  const clerk = await token(t, 'clerk');
  const origin = Date.now();
  await call(t, clerk, 'POST', `/recordings/${finalized}/timeline`, {
    entries: [
      { kind: 'notice', noticeId: 'recording-notice', version: '2025-07-01' },
      { kind: 'participant', participantId: 'p1', action: 'joined', role: 'citizen', name: 'Công dân 1' },
      { kind: 'case', reference: REFERENCE, action: 'start', at: new Date(origin + 1000).toISOString() },
      { kind: 'case', reference: REFERENCE, action: 'end', at: new Date(origin + 4000).toISOString() },
    ],
  });
  for (const [seq, part] of chunks(source, 8000).entries()) assert.equal((await rec.send(seq, part, { capturedAt: origin })).status, 200);
  await endAndFinalize(t, finalized);
});
after(async () => {
  await t.close();
  removeDir(t.dataDir);
});

function accessRows(recordingId: string | null, action: string): { actor: string; role: string; outcome: string; status: number; ip: string | null }[] {
  return t.db.prepare('SELECT actor, role, outcome, status, ip FROM recording_access WHERE recording_id IS ? AND action = ? ORDER BY id').all(recordingId, action) as any[];
}

function assertRefused(res: { status: number; body: any }, status = 403, code = 'forbidden'): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.error.code, code);
  assert.equal(typeof res.body.error.message.vi, 'string');
  assert.equal(typeof res.body.error.message.en, 'string');
}

describe('recording access', () => {
  it('refuses citizens and observers to stop, list, play or download, and logs each refusal', async () => {
    const citizen = await mintJoinToken(t.config.authSecret, { reference: REFERENCE, sessionId: SESSION });
    const observer = await token(t, 'observer');
    const live = await openRecording(t, 'access-live');
    for (const [who, bearer, actor] of [['citizen', citizen, `citizen:${REFERENCE}`], ['observer', observer, 'official:observer.test']] as const) {
      assertRefused(await call(t, bearer, 'POST', `/recordings/${live}/end`));
      assertRefused(await call(t, bearer, 'GET', '/recordings'));
      assertRefused(await call(t, bearer, 'GET', `/recordings/${finalized}/download`));
      assertRefused(await call(t, bearer, 'GET', `/recordings/${finalized}/media`));
      assertRefused(await call(t, bearer, 'GET', `/recordings/${finalized}/manifest`));
      for (const [recordingId, action] of [[live, 'end'], [null, 'list'], [finalized, 'download'], [finalized, 'play'], [finalized, 'manifest']] as const) {
        const rows = accessRows(recordingId, action).filter((r) => r.actor === actor);
        assert.equal(rows.length, 1, `${who} ${action} logged`);
        assert.equal(rows[0]!.outcome, 'refused');
        assert.equal(rows[0]!.status, 403);
        assert.equal(rows[0]!.ip, '127.0.0.1');
      }
    }
    assertRefused(await call(t, undefined, 'GET', `/recordings/${finalized}/download`), 401, 'unauthenticated');
    assert.equal(accessRows(finalized, 'download').filter((r) => r.actor === 'anonymous').length, 1);
    // The recording is still going.
    assert.equal((await call(t, await token(t, 'chair'), 'GET', `/recordings/${live}`)).body.recording.state, 'armed');
  });

  it('nobody but the chair stops a mandatory recording; the chair ending the session does', async () => {
    const id = await openRecording(t, 'access-stop');
    const rec = await Recorder.create(t, id, 'a');
    await rec.register();
    for (const role of ['clerk', 'official', 'operator', 'observer'] as const) {
      assertRefused(await call(t, await token(t, role), 'POST', `/recordings/${id}/end`));
      assert.equal(accessRows(id, 'end').filter((r) => r.actor === `official:${role}.test`)[0]?.outcome, 'refused');
    }
    // A recorder leaving does not stop it either: the recording waits for another recorder.
    await call(t, rec.bearer, 'POST', `/recordings/${id}/recorders/a/leave`);
    assert.equal((await call(t, await token(t, 'chair'), 'GET', `/recordings/${id}`)).body.recording.state, 'armed');
    const ended = await call(t, await token(t, 'chair'), 'POST', `/recordings/${id}/end`);
    assert.equal(ended.status, 202);
    assert.equal(ended.body.recording.state, 'ending');
    assert.equal(accessRows(id, 'end').at(-1)?.outcome, 'allowed');
  });

  it('lets the clerk list, play a range and download, each written to the access log', async () => {
    const clerk = await token(t, 'clerk');
    const list = await call(t, clerk, 'GET', '/recordings');
    assert.equal(list.status, 200);
    assert.ok(list.body.recordings.some((r: any) => r.id === finalized && r.state === 'finalized'));
    const range = await fetch(`${t.api}/recordings/${finalized}/media`, { headers: { authorization: `Bearer ${clerk}`, range: 'bytes=0-99' } });
    assert.equal(range.status, 206);
    assert.equal((await range.arrayBuffer()).byteLength, 100);
    const download = await fetch(`${t.api}/recordings/${finalized}/download`, { headers: { authorization: `Bearer ${clerk}` } });
    assert.equal(download.status, 200);
    const bytes = Buffer.from(await download.arrayBuffer());
    const signed = (await call(t, clerk, 'GET', `/recordings/${finalized}/manifest`)).body;
    const manifest = signed.manifest;
    assert.equal(sha256(bytes), manifest.media.files[0].sha256);
    // The reply is serialized by its schema: it must still be the document that was signed, member for member and
    // in order (manifest.json is JSON.stringify(manifest, null, 2) + "\n"), or the signature would not verify.
    const document = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    assert.ok(verify(null, document, createPublicKey(signed.signature.publicKey), Buffer.from(signed.signature.signature, 'base64')), 'the manifest as answered verifies against its signature');
    assert.deepEqual(manifest.notices.map((n: any) => n.noticeId), ['recording-notice']);
    assert.deepEqual(manifest.participants.map((p: any) => p.participantId), ['p1']);
    for (const action of ['list', 'play', 'download', 'manifest']) {
      const rows = accessRows(action === 'list' ? null : finalized, action).filter((r) => r.actor === 'official:clerk.test');
      assert.ok(rows.some((r) => r.outcome === 'allowed'), `${action} logged`);
    }
    const log = await call(t, await token(t, 'chair'), 'GET', `/recordings/${finalized}/access`);
    assert.equal(log.status, 200);
    assert.ok(log.body.entries.length >= 4);
    assert.throws(() => t.db.prepare('DELETE FROM recording_access').run(), /append-only/u);
  });

  it('never streams a recording where a denunciation was heard; download only for the roles handling it', async () => {
    const id = await openRecording(t, 'access-denunciation');
    const rec = await Recorder.create(t, id, 'a');
    await rec.register();
    await call(t, await token(t, 'clerk'), 'POST', `/recordings/${id}/timeline`, { entries: [{ kind: 'case', reference: 'TD-TOCAO-1', action: 'start', matterKind: 'to_cao' }] });
    for (const [seq, part] of chunks(makeWebm(6), 8000).entries()) assert.equal((await rec.send(seq, part)).status, 200);
    const status = await endAndFinalize(t, id);
    assert.equal(status.confidential, true);
    const chair = await token(t, 'chair');
    assertRefused(await call(t, chair, 'GET', `/recordings/${id}/media`), 403, 'not_streamable');
    assert.equal(accessRows(id, 'play')[0]?.outcome, 'refused');
    const download = await fetch(`${t.api}/recordings/${id}/download`, { headers: { authorization: `Bearer ${chair}` } });
    assert.equal(download.status, 200);
    assert.ok((await download.arrayBuffer()).byteLength > 1000);
  });

  it("a citizen asks for a copy of their own case; an official approves it and the handover is recorded", async () => {
    const citizen = await mintJoinToken(t.config.authSecret, { reference: REFERENCE, sessionId: SESSION });
    const requested = await call(t, citizen, 'POST', `/recordings/${finalized}/copies`, {});
    assert.equal(requested.status, 201);
    assert.equal(requested.body.copy.reference, REFERENCE);
    const copyId = requested.body.copy.id as string;
    // Someone else's case through the same token: refused.
    assertRefused(await call(t, citizen, 'POST', `/recordings/${finalized}/copies`, { reference: 'TD-OTHER' }));
    assertRefused(await call(t, citizen, 'POST', `/recordings/${finalized}/copies/${copyId}/approve`, { denouncerSecretsChecked: true }));
    assertRefused(await call(t, await token(t, 'observer'), 'POST', `/recordings/${finalized}/copies/${copyId}/approve`, { denouncerSecretsChecked: true }));

    const clerk = await token(t, 'clerk');
    const unchecked = await call(t, clerk, 'POST', `/recordings/${finalized}/copies/${copyId}/approve`, {});
    assert.equal(unchecked.status, 422);
    const approved = await call(t, clerk, 'POST', `/recordings/${finalized}/copies/${copyId}/approve`, { denouncerSecretsChecked: true });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.copy.state, 'approved');
    assert.ok(approved.body.copy.window.toSeconds > approved.body.copy.window.fromSeconds);
    const file = await fetch(`${t.api}/recordings/${finalized}/copies/${copyId}/file`, { headers: { authorization: `Bearer ${clerk}` } });
    assert.equal(file.status, 200);
    assert.equal(sha256(Buffer.from(await file.arrayBuffer())), approved.body.copy.file.sha256);

    const handed = await call(t, clerk, 'POST', `/recordings/${finalized}/copies/${copyId}/handover`, { recipient: { name: 'Nguyễn Thị Hoa', idPaper: 'CCCD …1234' }, method: 'usb' });
    assert.equal(handed.status, 200);
    assert.equal(handed.body.copy.state, 'handed_over');
    assert.equal(handed.body.copy.handover.sha256, approved.body.copy.file.sha256);
    assert.equal(handed.body.copy.handedOverBy, 'clerk.test');
    assert.equal((await call(t, clerk, 'POST', `/recordings/${finalized}/copies/${copyId}/handover`, { recipient: { name: 'X' }, method: 'usb' })).status, 409);
    for (const action of ['copy.request', 'copy.approve', 'copy.download', 'copy.handover']) assert.ok(accessRows(finalized, action).some((r) => r.outcome === 'allowed'), action);
  });

  it('copies are bounded: one open request per case (100 asks give the same one), and at most MAX_COPIES_PER_CASE in all', async () => {
    const reference = 'TD-ACCESS-2';
    const citizen = await mintJoinToken(t.config.authSecret, { reference, sessionId: SESSION });
    const clerk = await token(t, 'clerk');
    const rows = () => t.db.prepare('SELECT COUNT(*) FROM recording_copies WHERE reference = ?').pluck().get(reference) as number;
    const asks = await Promise.all(Array.from({ length: 100 }, () => call(t, citizen, 'POST', `/recordings/${finalized}/copies`, {})));
    assert.deepEqual([...new Set(asks.map((a) => a.status))].sort(), [200, 201]);
    assert.equal(asks.filter((a) => a.status === 201).length, 1, 'one created');
    assert.equal(new Set(asks.map((a) => a.body.copy.id)).size, 1, 'the others are told about the same request');
    assert.equal(rows(), 1);
    // The official asking on the citizen's behalf gets the same open request too.
    assert.equal((await call(t, clerk, 'POST', `/recordings/${finalized}/copies`, { reference })).body.copy.id, asks[0]!.body.copy.id);
    // Closing a request (handed over) allows another, up to the limit.
    let copyId = asks[0]!.body.copy.id as string;
    for (let n = 1; n <= MAX_COPIES_PER_CASE; n += 1) {
      assert.equal((await call(t, clerk, 'POST', `/recordings/${finalized}/copies/${copyId}/approve`, { denouncerSecretsChecked: true, fromSeconds: 0, toSeconds: 1 })).status, 200);
      assert.equal((await call(t, clerk, 'POST', `/recordings/${finalized}/copies/${copyId}/handover`, { recipient: { name: 'Trần Văn Bình' }, method: 'download' })).status, 200);
      const next = await call(t, citizen, 'POST', `/recordings/${finalized}/copies`, {});
      if (n < MAX_COPIES_PER_CASE) {
        assert.equal(next.status, 201);
        copyId = next.body.copy.id;
      } else {
        assertRefused(next, 409, 'copy_limit');
      }
    }
    assert.equal(rows(), MAX_COPIES_PER_CASE);
  });
});
