// The native mesh transport between peer connections in one Chromium page, linked by an in-memory relay that
// stands in for the signaling server: both sides offer at once (perfect negotiation resolves the glare), a side
// that starts listening late still gets the offers sent before, an ICE restart keeps media flowing, and `bye`
// or leaving the participant list removes the remote media.
import { expect, waitUntil } from '@open-wc/testing';
import { MeshTransport, type SignalingPort } from '../../src/media/mesh.js';
import type { SignalData } from '../../src/signaling/protocol.js';

/** A relay between named ports; messages to a port nobody listens on yet wait, as signalingPort's backlog does. */
function relay() {
  const listeners = new Map<string, (from: string, data: SignalData) => void>();
  const backlog = new Map<string, [string, SignalData][]>();
  const sent: { from: string; to: string; kind: string }[] = [];
  const port = (self: string): SignalingPort => ({
    async send(to, data) {
      sent.push({ from: self, to, kind: data.kind });
      const listener = listeners.get(to);
      // Asynchronous like a socket, so both sides' offers really cross.
      setTimeout(() => (listener ? listener(self, data) : backlog.set(to, [...(backlog.get(to) ?? []), [self, data]])), 5);
    },
    onSignal(listener) {
      listeners.set(self, listener);
      for (const [from, data] of backlog.get(self) ?? []) listener(from, data);
      backlog.delete(self);
      return () => listeners.delete(self);
    },
  });
  return { port, sent };
}

const media = () => navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 180 } });

async function bytesFrom(t: MeshTransport, id: string): Promise<number> {
  return (await t.stats()).find((s) => s.participantId === id)?.bytesReceived ?? 0;
}

describe('MeshTransport (perfect negotiation)', () => {
  it('two sides that offer at the same time end up exchanging audio and video', async function () {
    this.timeout(60_000);
    const r = relay();
    // No polite wait: both offer at once, and perfect negotiation (or, if Chromium's rollback leaves a connection
    // without candidates, the watchdog's ICE restart or new connection) must bring media up.
    const a = new MeshTransport({ port: r.port('aaa'), politeWaitMs: 0 });
    const b = new MeshTransport({ port: r.port('bbb'), politeWaitMs: 0 });
    const [ma, mb] = await Promise.all([media(), media()]);
    await a.join({ participantId: 'aaa' });
    await b.join({ participantId: 'bbb' });
    await a.publish(ma);
    await b.publish(mb);
    a.setParticipants(['aaa', 'bbb']);
    b.setParticipants(['aaa', 'bbb']);
    await waitUntil(() => a.remotes()[0]?.stream.getVideoTracks().length === 1 && b.remotes()[0]?.stream.getVideoTracks().length === 1, 'no remote video', { timeout: 10_000 });
    expect(r.sent.filter((m) => m.kind === 'offer').length).to.be.at.least(2, 'both offered (glare)');
    await waitUntil(async () => (await bytesFrom(a, 'bbb')) > 5000 && (await bytesFrom(b, 'aaa')) > 5000, 'no bytes', { timeout: 25_000 });
    expect(a.remotes()[0]!.participantId).to.equal('bbb');
    expect(a.remotes()[0]!.stream.getAudioTracks()).to.have.length(1);

    // An ICE restart (the device's network changed) renegotiates and media keeps flowing.
    const before = await bytesFrom(a, 'bbb');
    const offers = r.sent.filter((m) => m.kind === 'offer').length;
    a.networkChanged();
    await waitUntil(() => r.sent.filter((m) => m.kind === 'offer').length > offers, 'no restart offer');
    await waitUntil(async () => (await bytesFrom(a, 'bbb')) > before + 5000, 'media stopped after the ICE restart', { timeout: 10_000 });

    // Muting keeps the track but sends silence / black.
    a.setMuted('audio', true);
    expect(ma.getAudioTracks()[0]!.enabled).to.equal(false);

    const removed: string[] = [];
    b.on('remote-removed', ({ participantId }) => removed.push(participantId));
    await a.leave();
    await waitUntil(() => removed.includes('aaa'), 'bye did not remove the media');
    expect(b.remotes()).to.have.length(0);
    await b.leave();
    [...ma.getTracks(), ...mb.getTracks()].forEach((t) => t.stop());
  });

  it('offers sent before the other side listens are not lost; leaving the participant list drops the peer', async function () {
    this.timeout(20_000);
    const r = relay();
    const a = new MeshTransport({ port: r.port('p1') });
    const [ma, mb] = await Promise.all([media(), media()]);
    await a.join({ participantId: 'p1' });
    await a.publish(ma);
    // p1 is alone, then p2 arrives: p1, who was here first, offers at once.
    a.setParticipants([]);
    a.setParticipants(['p2']);
    await waitUntil(() => r.sent.some((m) => m.kind === 'offer'), 'no offer');
    // p2's transport starts only now and lists p1 as already there: it answers the offer waiting for it.
    const b = new MeshTransport({ port: r.port('p2') });
    await b.join({ participantId: 'p2' });
    await b.publish(mb);
    b.setParticipants(['p1']);
    await waitUntil(() => b.remotes()[0]?.stream.getVideoTracks().length === 1 && a.remotes()[0]?.stream.getVideoTracks().length === 1, 'no video both ways', { timeout: 10_000 });
    expect(r.sent.filter((m) => m.kind === 'offer').map((m) => m.from)).to.deep.equal(['p1'], 'the newcomer made no offer of its own: no glare');
    const removed: string[] = [];
    a.on('remote-removed', ({ participantId }) => removed.push(participantId));
    a.setParticipants([]);
    expect(removed).to.deep.equal(['p2']);
    expect(a.remotes()).to.have.length(0);
    await a.leave();
    await b.leave();
    [...ma.getTracks(), ...mb.getTracks()].forEach((t) => t.stop());
  });

  it('a receive-only participant (the recorder), listed by nobody, offers and gets everyone\'s audio and video; sends nothing', async function () {
    this.timeout(20_000);
    const r = relay();
    const p = new MeshTransport({ port: r.port('p1') });
    const rec = new MeshTransport({ port: r.port('rec'), receiveOnly: true });
    const [mp, mr] = await Promise.all([media(), media()]);
    await p.join({ participantId: 'p1' });
    await p.publish(mp);
    p.setParticipants([]);
    await rec.join({ participantId: 'rec' });
    await rec.publish(mr);
    rec.setParticipants(['p1']);
    await waitUntil(() => rec.remotes()[0]?.stream.getVideoTracks().length === 1 && rec.remotes()[0]?.stream.getAudioTracks().length === 1, 'the recorder got no media', { timeout: 10_000 });
    await waitUntil(async () => (await bytesFrom(rec, 'p1')) > 5000, 'no bytes at the recorder', { timeout: 10_000 });
    const sent = (await rec.stats()).find((s) => s.participantId === 'p1')!.bytesSent;
    expect(sent).to.equal(0, 'the recorder sends no media');
    // The participant answered with its tracks, and shows no media from the recorder.
    await waitUntil(() => p.remotes().length === 1, 'the participant made a peer for the recorder');
    expect(p.remotes()[0]!.stream.getTracks()).to.have.length(0);
    expect(r.sent.filter((m) => m.kind === 'offer').map((m) => m.from)).to.deep.equal(['rec']);
    await rec.leave();
    await waitUntil(() => p.remotes().length === 0, 'bye from the recorder removed its peer');
    await p.leave();
    [...mp.getTracks(), ...mr.getTracks()].forEach((t) => t.stop());
  });
});
