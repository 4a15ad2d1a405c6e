// The pre-join network check (issue 18 §3): against the real server it measures round trip, download and upload
// (the probe route) and, on loopback, advises picture and sound; the advice's bounds; and on a weak line the
// view says so in plain Vietnamese and the camera starts off, while the citizen can still choose.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { render } from 'lit';
import './room.js';
import type { TiepdanRoom } from './room.component.js';
import { ADVICE_LIMITS, adviceFor, checkNetwork } from './devices.js';
import { prejoinView, type PrejoinHandlers, type PrejoinMedia, type PrejoinModel } from './prejoin.js';
import { roomStrings } from './strings.js';

const server = window.TIEPDAN_TEST_SERVER!;
const tokens = (window as { TIEPDAN_TEST_TOKENS?: Record<string, string> }).TIEPDAN_TEST_TOKENS!;
const text = (root: ParentNode) => (root.textContent ?? '').replace(/\s+/gu, ' ');

describe('pre-join network check', () => {
  it('measures the round trip and both rates against the real server; loopback is good for video', async () => {
    const check = await checkNetwork(server);
    expect(check.rttMs).to.be.at.least(0);
    expect(check.downKbps, 'download measured').to.be.greaterThan(ADVICE_LIMITS.lowVideo.downKbps);
    expect(check.upKbps, 'upload measured').to.be.greaterThan(ADVICE_LIMITS.lowVideo.upKbps);
    expect(check.advice).to.equal('video');
  });

  it('advises by the weakest of round trip, download and upload', () => {
    expect(adviceFor(40, 20_000, 10_000)).to.equal('video');
    // A 3G line: ~750 kbit/s down, ~250 up, 200 ms round trip.
    expect(adviceFor(200, 750, 250)).to.equal('low-video');
    expect(adviceFor(200, 250, 250)).to.equal('audio-only');
    expect(adviceFor(200, 2000, 100)).to.equal('audio-only');
    expect(adviceFor(900, 20_000, 10_000)).to.equal('audio-only');
    expect(adviceFor(400, undefined, undefined)).to.equal('low-video', 'rates unknown: the round trip decides');
  });

  it('on a weak line the view says what to do in plain words and offers voice only', async () => {
    const host = document.createElement('div');
    document.body.append(host);
    let picked: boolean | undefined;
    const media = {
      devices: { cameras: [], microphones: [] }, cameraId: '', microphoneId: '', localStream: undefined, devicesFailed: false, level: 0,
      network: { rttMs: 210, quality: 'fair', downKbps: 240, upKbps: 110, advice: 'audio-only' }, muted: { audio: false, video: true },
    } as PrejoinMedia;
    const model: PrejoinModel = {
      s: roomStrings('vi'), name: 'Nguyễn Văn An', point: undefined, missing: false, acknowledged: false, noticeError: false, session: { view: 'prejoin' }, media,
    };
    const handlers: PrejoinHandlers = {
      acknowledge: () => {}, join: () => {}, pickCamera: () => {}, pickMicrophone: () => {}, checkNetwork: () => {}, pickCameraOff: (off: boolean) => void (picked = off),
    };
    render(prejoinView(model, handlers), host);
    expect(text(host)).to.contain('Mạng yếu: ông/bà nên tắt camera, chỉ nói chuyện bằng tiếng');
    expect(text(host)).to.contain('tải xuống khoảng 240 kbit/s, tải lên khoảng 110 kbit/s');
    const box = host.querySelector<HTMLInputElement>('#camera-off')!;
    expect(box.checked).to.equal(true);
    expect(host.querySelector('label[for="camera-off"]')!.textContent).to.equal('Tắt camera, chỉ dùng tiếng nói');
    box.click();
    expect(picked).to.equal(false, 'the citizen may still choose the camera');
    render(prejoinView({ ...model, s: roomStrings('en'), media: { ...media, network: { ...media.network as object, advice: 'low-video' } as PrejoinMedia['network'] } }, handlers), host);
    expect(text(host)).to.contain('The network is a little slow');
    host.remove();
  });

  it('the element shows the measured rates and advice, and "camera off" mutes the camera before joining', async () => {
    const el = await fixture<TiepdanRoom>(html`<tiepdan-room server=${server} session="wtr-room-prejoin"></tiepdan-room>`);
    el.token = tokens.citizenPrejoin!;
    await waitUntil(() => /kbit\/s/u.test(text(el.shadowRoot!)), 'no rates shown', { timeout: 15_000 });
    expect(text(el.shadowRoot!)).to.contain('Mạng đủ tốt để dùng cả hình ảnh và tiếng nói.');
    const box = el.shadowRoot!.querySelector<HTMLInputElement>('#camera-off')!;
    expect(box.checked).to.equal(false);
    box.click();
    await el.updateComplete;
    // The preview's own camera track is disabled: nothing of the picture is sent once in the room.
    const preview = () => (el.shadowRoot!.querySelector<HTMLVideoElement>('video.mirror')?.srcObject as MediaStream | null)?.getVideoTracks()[0];
    await waitUntil(() => preview()?.enabled === false, 'the camera track is still on', { timeout: 10_000 });
    await expect(el).to.be.accessible();
  });
});
