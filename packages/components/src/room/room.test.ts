// <tiepdan-room> against the real server started by the test runner, in Chromium with the fake camera and
// microphone: pre-join (devices, level meter, notice), lobby position (kept across a reconnect), the controls each
// role gets and the actions it is refused, and axe on every view.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import './room.js';
import { RoomActionError, type TiepdanRoom } from './room.component.js';

const server = window.TIEPDAN_TEST_SERVER!;
// The test runner also mints citizens' join tokens (citizen* keys) next to the officials' ones.
const tokens = (window as { TIEPDAN_TEST_TOKENS?: Record<string, string> }).TIEPDAN_TEST_TOKENS!;
const $ = <T extends Element = HTMLElement>(el: Element, selector: string) => el.shadowRoot!.querySelector<T>(selector);
const $$ = (el: Element, selector: string) => [...el.shadowRoot!.querySelectorAll<HTMLElement>(selector)];
const text = (el: Element) => el.shadowRoot!.textContent!.replace(/\s+/gu, ' ');

async function mount(session: string, token: string, lang?: string): Promise<TiepdanRoom> {
  const el = await fixture<TiepdanRoom>(
    lang ? html`<tiepdan-room server=${server} session=${session} lang=${lang}></tiepdan-room>` : html`<tiepdan-room server=${server} session=${session}></tiepdan-room>`,
  );
  el.token = token;
  await el.updateComplete;
  return el;
}

async function enter(el: TiepdanRoom, expected: 'room' | 'lobby'): Promise<void> {
  el.acknowledged = true;
  await el.join();
  await waitUntil(() => el.view === expected, `not in ${expected}: ${el.view}`, { timeout: 10_000 });
  await el.updateComplete;
}

async function refusal(promise: Promise<unknown>): Promise<RoomActionError> {
  try {
    await promise;
  } catch (error) {
    return error as RoomActionError;
  }
  throw new Error('the action was not refused');
}

describe('<tiepdan-room>', () => {
  it('pre-join lists the fake devices, the level meter follows the fake microphone, and the notice must be acknowledged', async () => {
    const el = await mount('wtr-room-prejoin', tokens.citizenPrejoin!);
    await waitUntil(() => $$(el, '#camera option').some((o) => (o as HTMLOptionElement).value !== ''), 'no camera listed', { timeout: 10_000 });
    expect($$(el, '#microphone option').filter((o) => (o as HTMLOptionElement).value !== '').length).to.be.greaterThan(0);
    expect(text(el)).to.contain('Phạm Thị Duyên', 'the name from the invitation');
    expect(text(el)).to.contain('Tham gia từ xa', 'no connection point: joining remotely');

    // Chrome's fake microphone beeps once a second: the meter rises above silence and changes.
    const seen = new Set<number>();
    await waitUntil(() => {
      seen.add($<HTMLMeterElement>(el, '#level')!.value);
      return [...seen].some((v) => v > 0.02) && seen.size > 2;
    }, 'the level meter does not move', { timeout: 8000, interval: 100 });

    await waitUntil(() => /ms tới máy chủ/u.test(text(el)), 'no network result', { timeout: 10_000 });
    await expect(el).to.be.accessible();

    // The notice names the recording and says, in short sentences, why, who may watch it and how long it is kept.
    const notice = $(el, '.notice-box')!;
    expect(notice.querySelector('h3')!.textContent).to.equal('Phiên tiếp này được ghi hình, ghi âm');
    expect(notice.querySelectorAll('#notice-text li').length).to.equal(5);
    for (const words of ['hình ảnh và tiếng nói', 'bằng chứng chính thức', 'Chỉ cán bộ có thẩm quyền', 'Mỗi lần xem đều được ghi lại', 'thời hạn lưu trữ']) {
      expect(notice.textContent, words).to.contain(words);
    }
    expect(notice.querySelector('label[for="notice-ack"]')!.textContent).to.equal('Tôi đã hiểu: phiên tiếp được ghi hình, ghi âm để làm bằng chứng');
    expect($(el, '#notice-ack')!.getAttribute('aria-describedby')).to.equal('notice-text');

    // Joining without the acknowledgement is refused on the spot, with the error on the checkbox.
    const error = await refusal(el.join());
    expect(error).to.be.instanceOf(RoomActionError);
    expect(error.code).to.equal('notice_required');
    await el.updateComplete;
    expect(el.view).to.equal('prejoin');
    expect($(el, '#notice-error')!.textContent).to.contain('Vui lòng xác nhận');
    expect(el.shadowRoot!.activeElement?.id).to.equal('notice-ack', 'focus goes to the checkbox');
    await expect(el).to.be.accessible();

    $<HTMLInputElement>(el, '#notice-ack')!.click();
    await el.updateComplete;
    expect($(el, '#notice-error')).to.equal(null);
    const joined = new Promise<CustomEvent>((resolve) => el.addEventListener('tiepdan-joined', (e) => resolve(e as CustomEvent), { once: true }));
    $<HTMLButtonElement>(el, '#join')!.click();
    expect((await joined).detail).to.include({ role: 'citizen', status: 'lobby' });
  });

  it('the lobby says to wait and gives the position, kept across a reconnect', async () => {
    const first = await mount('wtr-room-lobby', tokens.citizenLobby1!);
    await enter(first, 'lobby');
    expect(text(first)).to.contain('Vui lòng chờ, cán bộ tiếp dân sẽ mời ông/bà vào.');
    expect(first.shadowRoot!.activeElement?.id).to.equal('lobby-heading', 'focus moves to the new view');
    expect(text(first)).to.contain('vị trí thứ 1');
    await expect(first).to.be.accessible();

    const second = await mount('wtr-room-lobby', tokens.citizenLobby2!, 'en');
    expect($(second, '.notice-box h3')!.textContent).to.equal('This session is recorded, picture and sound');
    expect($(second, '.notice-box')!.textContent).to.contain('The recording is the official evidence of the reception');
    await enter(second, 'lobby');
    expect(text(second)).to.contain('Please wait; the reception officer will invite you in.');
    expect(text(second)).to.contain('You are number 2');
    await waitUntil(() => text(first).includes('vị trí thứ 1 trong 2 người chờ'), `first citizen not told the queue size: ${text(first)}`);

    // The recording indicator follows the state the server reports (set here as the room's snapshot would).
    const recording: string[] = [];
    first.addEventListener('tiepdan-recording-state', (e) => recording.push(`${e.detail.state}/${e.detail.source}`));
    first.recordingState = { state: 'recording', source: 'server' };
    await first.updateComplete;
    expect($(first, '#recording')!.textContent).to.contain('Đang ghi hình');
    expect($(first, '#recording')!.classList.contains('on')).to.equal(true);
    first.recordingState = { state: 'recording', source: 'server' };
    await first.updateComplete;
    expect(recording).to.deep.equal(['recording/server'], 'one event per change, not per assignment');

    // The network drops (the browser says offline): the banner shows, the client resumes, the place is kept.
    const states: string[] = [];
    first.addEventListener('tiepdan-reconnecting', (e) => states.push(e.detail.state));
    window.dispatchEvent(new Event('offline'));
    await waitUntil(() => states.includes('resumed'), `no resume: ${states.join(',')}`, { timeout: 10_000 });
    expect(states[0]).to.equal('reconnecting');
    await first.updateComplete;
    expect(first.view).to.equal('lobby');
    expect(text(first)).to.contain('vị trí thứ 1');
    expect($(first, '.banner')).to.equal(null);
  });

  it('works from the keyboard alone: acknowledge, join, mute, raise a hand', async () => {
    const el = await mount('wtr-room-keys', tokens.official!);
    await waitUntil(() => $$(el, '#camera option').some((o) => (o as HTMLOptionElement).value !== ''), 'no camera listed', { timeout: 10_000 });
    $<HTMLSelectElement>(el, '#camera')!.focus();
    const tabTo = async (id: string) => {
      for (let i = 0; i < 40 && el.shadowRoot!.activeElement?.id !== id; i++) await sendKeys({ press: 'Tab' });
      expect(el.shadowRoot!.activeElement?.id, `Tab reaches #${id}`).to.equal(id);
    };
    await tabTo('notice-ack');
    await sendKeys({ press: 'Space' });
    expect(el.acknowledged).to.equal(true);
    await tabTo('join');
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.view === 'room', 'not in the room', { timeout: 10_000 });
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement?.id).to.equal('room-heading');
    await tabTo('mute');
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect($(el, '#mute')!.getAttribute('aria-pressed')).to.equal('true');
    await tabTo('hand');
    await sendKeys({ press: 'Space' });
    await waitUntil(() => el.participants.find((p) => p.participantId === el.participantId)?.hand === true, 'hand not raised');
  });

  it('an unreachable Jitsi deployment gives officials a clear bilingual error and falls back to the native transport', async () => {
    const el = await fixture<TiepdanRoom>(html`<tiepdan-room server=${server} session="wtr-room-jitsi" transport="jitsi"></tiepdan-room>`);
    const errors: { code: string; message: string }[] = [];
    el.addEventListener('tiepdan-error', (e) => errors.push(e.detail));
    el.token = tokens.clerk!;
    await enter(el, 'room');
    await waitUntil(() => el.mediaTransport === 'native', `no fallback: ${JSON.stringify(errors)}`, { timeout: 20_000 });
    expect(errors.map((e) => e.code)).to.deep.equal(['media_unreachable']);
    expect(errors[0]!.message).to.equal('Không kết nối được tới máy chủ hình ảnh (Jitsi).');
    expect(el.transportChoice?.kind).to.equal('native');
    await el.updateComplete;
    expect(text(el)).to.contain('Máy chủ Jitsi không dùng được; chuyển sang kết nối trực tiếp.');
    expect($(el, '[role=alert]')!.textContent).to.contain('Không kết nối được tới máy chủ hình ảnh (Jitsi).');
    await expect(el).to.be.accessible();
  });

  it('each role gets its controls; refused actions reject with typed errors; axe on the room', async () => {
    const session = 'wtr-room-roles';
    const clerk = await mount(session, tokens.clerk!);
    await enter(clerk, 'room');
    expect(clerk.roomRole).to.equal('clerk');
    expect($(clerk, '#open-room'), 'the clerk may open the room').to.not.equal(null);
    expect($(clerk, '#queue-heading'), 'the clerk manages the lobby').to.not.equal(null);
    expect($(clerk, '#end'), 'only the chair ends the session').to.equal(null);
    expect(text(clerk)).to.contain('Kết nối hình ảnh', 'officials see the transport choice');
    expect((await refusal(clerk.endSession())).code).to.equal('forbidden');
    await clerk.openRoom();
    await clerk.updateComplete;
    expect($(clerk, '#open-room')).to.equal(null);

    const chair = await mount(session, tokens.chair!);
    await enter(chair, 'room');
    expect($(chair, '#end'), 'the chair may end the session').to.not.equal(null);
    expect($(chair, '#hand'), 'the chair gives the floor, does not ask for it').to.equal(null);

    const citizen = await mount(session, tokens.citizenRoles!);
    await enter(citizen, 'lobby');
    await waitUntil(() => clerk.queue.length === 1, 'the clerk does not see the citizen waiting');
    const admitted = new Promise<CustomEvent>((resolve) => citizen.addEventListener('tiepdan-admitted', (e) => resolve(e as CustomEvent), { once: true }));
    await clerk.admit(clerk.queue[0]!.participantId, 'TCD-2025-0001');
    expect((await admitted).detail.caseId).to.equal('TCD-2025-0001');
    await waitUntil(() => citizen.view === 'room', 'citizen not admitted');
    await citizen.updateComplete;
    expect($(citizen, '#hand'), 'a citizen may raise a hand').to.not.equal(null);
    expect($(citizen, '#share'), 'a citizen does not share screens').to.equal(null);
    expect($(citizen, '#queue-heading')).to.equal(null);
    expect($(citizen, '#end')).to.equal(null);
    expect($(citizen, '#recording')!.textContent).to.contain('Chưa ghi hình', 'the indicator is honest before the server reports recording');
    expect((await refusal(citizen.giveFloor(null))).code).to.equal('forbidden');
    expect((await refusal(citizen.admit('someone'))).code).to.equal('forbidden');

    // The chair gives the floor to the citizen; everyone sees who has it.
    await chair.giveFloor(citizen.participantId!);
    await waitUntil(() => citizen.floor === citizen.participantId, 'floor not given');
    await citizen.updateComplete;
    expect(text(citizen)).to.contain('Người đang phát biểu: Lê Văn Cường');
    await citizen.raiseHand(true);
    await waitUntil(() => clerk.participants.find((p) => p.participantId === citizen.participantId)?.hand === true, 'hand not seen by the clerk');
    await citizen.sendChat('Tôi xin trình bày.');
    await waitUntil(() => clerk.chat.some((m) => m.text === 'Tôi xin trình bày.'), 'chat not received');

    const observer = await mount(session, tokens.observer!);
    await enter(observer, 'room');
    expect($(observer, '#hand')).to.equal(null);
    expect($(observer, '#share')).to.equal(null);
    expect((await refusal(observer.admit('someone'))).code).to.equal('forbidden');

    await clerk.updateComplete;
    await expect(clerk).to.be.accessible();

    // A 320 px phone, and 200 % zoom on a 640 px window (the same text at twice the size): no horizontal scroll.
    for (const [width, fontSize] of [['320px', '18px'], ['640px', '36px'], ['360px', '18px']] as const) {
      for (const el of [clerk, chair]) {
        el.style.width = width;
        el.style.setProperty('--tiepdan-font-size', fontSize);
        await el.updateComplete;
        expect(el.scrollWidth, `${el.roomRole} at ${width}, ${fontSize}`).to.be.at.most(el.clientWidth + 1);
        const wide = $$(el, '*').filter((node) => node.getBoundingClientRect().right > el.getBoundingClientRect().right + 1);
        expect(wide.map((node) => `${node.tagName}.${node.className}`), `${el.roomRole} at ${width}, ${fontSize}`).to.deep.equal([]);
      }
    }
    for (const el of [clerk, chair]) {
      el.style.width = '';
      el.style.removeProperty('--tiepdan-font-size');
    }
    await expect(citizen).to.be.accessible();
    await expect(chair).to.be.accessible();
    for (const theme of ['dark', 'screen'] as const) {
      chair.theme = theme;
      await chair.updateComplete;
      await expect(chair, `theme ${theme}`).to.be.accessible();
    }
    chair.theme = 'light';

    // Returned to the lobby by the clerk: the citizen's view says so.
    await clerk.returnToLobby(citizen.participantId!);
    await waitUntil(() => citizen.view === 'lobby', 'not returned');
    await citizen.updateComplete;
    expect(text(citizen)).to.contain('Cán bộ đã đưa ông/bà trở lại phòng chờ.');
    await expect(citizen).to.be.accessible();

    const left = new Promise<CustomEvent>((resolve) => citizen.addEventListener('tiepdan-left', (e) => resolve(e as CustomEvent), { once: true }));
    await citizen.leave();
    expect((await left).detail.reason).to.equal('bye');
    await citizen.updateComplete;
    await expect(citizen).to.be.accessible();
  });
});
