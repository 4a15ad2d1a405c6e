// The registration's "choose a session" step: optional, built on <tiepdan-schedule pick>. Without open sessions
// it says so and Continue goes on; with the real server (window.TIEPDAN_TEST_SERVER) the chosen session rides in
// the submission as preferredSessionId and the server books it with the registration.
import { DEFAULT_RULES, hanoiToUtc, addDays, formatTimeRange, utcToHanoiDate, type MetaResponse, type ReceptionSession } from '@tiepdan/core';
import { openLocalDatabase } from '@tiepdan/core/browser';
import { expect, fixture, oneEvent, waitUntil } from '@open-wc/testing';
import { fieldId } from '../shared/controls.js';
import { metaCacheKey, type TiepdanRegistration } from './registration.component.js';
import './registration.js';

const META: MetaResponse = {
  unit: { code: 'test', name: 'UBND phường Thử', provinceCode: '82' },
  communes: [{ code: '29869', name: 'Phường Sa Đéc' }],
  privacyNotice: { version: 'v-test', text: { vi: 'Mục đích: tiếp công dân.', en: 'Purpose: citizen reception.' } },
  rules: DEFAULT_RULES,
  remoteAttendanceAllowed: false,
  connectionPoints: [],
};

const root = (el: HTMLElement) => el.shadowRoot!;
const $ = <T extends Element = HTMLElement>(el: HTMLElement, selector: string) => root(el).querySelector<T>(selector);
const heading = (el: HTMLElement) => $(el, 'h2[part="step-heading"]')?.textContent?.trim() ?? '';
const schedule = (el: HTMLElement) => $<HTMLElement>(el, 'tiepdan-schedule');

async function mount(unit: string, extra = ''): Promise<TiepdanRegistration> {
  const wrapper = await fixture<HTMLDivElement>(`<div style="width:360px"><tiepdan-registration unit="${unit}" ${extra}></tiepdan-registration></div>`);
  const el = wrapper.querySelector('tiepdan-registration')!;
  await waitUntil(() => heading(el) !== '', 'form did not load', { timeout: 5000 });
  return el;
}

async function next(el: TiepdanRegistration): Promise<void> {
  const moved = oneEvent(el, 'tiepdan-step-change');
  $<HTMLButtonElement>(el, 'button[type="submit"]')!.click();
  await moved;
  await el.updateComplete;
}

async function input(el: TiepdanRegistration, path: string, value: string, event = 'input'): Promise<void> {
  const control = $<HTMLInputElement>(el, `#${fieldId(path)}`)!;
  control.value = value;
  control.dispatchEvent(new Event(event));
  await el.updateComplete;
}

async function toSessionStep(el: TiepdanRegistration): Promise<void> {
  $<HTMLInputElement>(el, `#${fieldId('privacy.acknowledged')}`)!.click();
  await next(el);
  $<HTMLInputElement>(el, `#${fieldId('kind')}-2`)!.click(); // kiến nghị
  await next(el);
  await input(el, 'identity.fullName', 'Lê Văn Bình');
  await next(el);
  await input(el, 'address.communeCode', '29869', 'change');
  await input(el, 'address.detail', 'Khóm 2');
  await next(el);
  await input(el, 'contact.phone', '0912345678');
  await next(el);
  await input(el, 'content.summary', 'Đề nghị sửa đèn đường khóm 2.');
  await next(el);
  await next(el); // group
  await next(el); // attachments
  $<HTMLInputElement>(el, `#${fieldId('attendance.mode')}`)!.click();
  await next(el);
  expect(heading(el)).to.equal('Ông/bà muốn được tiếp vào buổi nào?');
}

describe('<tiepdan-registration> session step', () => {
  it('says when no session is open and lets the citizen continue without one', async () => {
    const unit = `ss${Date.now().toString(36)}`;
    const { db } = await openLocalDatabase(`registration:${unit}`);
    await db.putValue(metaCacheKey(unit), { ...META, unit: { ...META.unit, code: unit } });
    db.close();
    const el = await mount(unit);
    await toSessionStep(el);
    const list = schedule(el)!;
    expect(list.hasAttribute('pick')).to.equal(true);
    await waitUntil(() => list.shadowRoot!.querySelector('.empty'), 'empty message');
    expect(list.shadowRoot!.querySelector('.empty')!.textContent).to.contain('Hiện chưa có buổi tiếp nào đang nhận đăng ký');
    await expect(el).to.be.accessible();
    await next(el);
    expect(heading(el)).to.equal('Kiểm tra lại trước khi gửi');
    expect($(el, 'dl.summary')!.textContent).to.contain('Chưa chọn (Ban Tiếp công dân sẽ sắp xếp)');
  });

  const server = window.TIEPDAN_TEST_SERVER!;
  const tokens = (window as { TIEPDAN_TEST_TOKENS?: Record<string, string> }).TIEPDAN_TEST_TOKENS!;
  it('books the chosen session with the registration, in one submission', async () => {
    const day = addDays(utcToHanoiDate(new Date()), 20);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${tokens['clerk']}` };
    const created = await fetch(`${server}/api/v1/sessions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        kind: 'unscheduled', unscheduledReason: 'many_people', host: { role: 'chair', name: 'Chủ tịch Trần Văn Sáu' }, level: 'commune',
        unit: 'dongthap.sadec', venue: 'Hội trường khóm 2', connectionPoints: [],
        startsAt: hanoiToUtc(day, '09:15'), endsAt: hanoiToUtc(day, '11:00'), capacity: 3, remoteAllowed: false,
      }),
    });
    expect(created.status).to.equal(201);
    const { session: draft } = (await created.json()) as { session: ReceptionSession };
    expect((await fetch(`${server}/api/v1/sessions/${draft.id}/publish`, { method: 'POST', headers, body: '{}' })).status).to.equal(200);

    const el = await mount('dongthap.sadec', `server="${server}" draft-id="book${Date.now()}"`);
    await toSessionStep(el);
    const list = schedule(el)!;
    const button = () => list.shadowRoot!.querySelector<HTMLButtonElement>(`[data-session="${draft.id}"] button`);
    await waitUntil(button, 'session offered', { timeout: 5000 });
    expect(list.shadowRoot!.querySelector(`[data-session="${draft.id}"]`)!.textContent).to.contain('Còn 3 chỗ');
    await expect(el).to.be.accessible();
    button()!.click();
    await el.updateComplete;
    expect($(el, '.panel')!.textContent).to.contain('Chủ tịch Trần Văn Sáu');
    await next(el);
    expect($(el, 'dl.summary')!.textContent).to.contain(`09:15 ${day.split('-').reverse().join('/')}`);
    const submitted = oneEvent(el, 'tiepdan-submitted');
    $<HTMLButtonElement>(el, 'button[type="submit"]')!.click();
    const { response } = (await submitted).detail;
    expect(response.booking).to.deep.equal({ sessionId: draft.id, status: 'booked', startsAt: draft.startsAt, endsAt: draft.endsAt });
    await waitUntil(() => $(el, '.booking'));
    // The confirmation names the held session by its Hanoi times and date.
    expect($(el, '.booking')!.textContent).to.contain(`đã được giữ chỗ tạm trong buổi tiếp ${formatTimeRange(draft.startsAt, draft.endsAt)}`);
    const after = (await (await fetch(`${server}/api/v1/sessions/${draft.id}`)).json()) as ReceptionSession;
    expect(after.placesLeft).to.equal(2);
  });
});
