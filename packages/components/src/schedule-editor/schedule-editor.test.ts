// Browser tests of <tiepdan-schedule-editor>. The form and its request run without a server (the preview's answer
// is stubbed at window.fetch); the preview, publication and cancel/postpone also run against the real server
// (window.TIEPDAN_TEST_SERVER, tokens in window.TIEPDAN_TEST_TOKENS) once its schedule routes answer.
import type { ReceptionSession, SeriesPreview, SeriesRequest } from '@tiepdan/core';
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { fieldId } from '../shared/controls.js';
import { endTimeOf, toSeriesRequest, defaultSeriesForm, TiepdanScheduleEditor } from './schedule-editor.component.js';
import './schedule-editor.js';

const root = (el: HTMLElement) => el.shadowRoot!;
const field = <T extends HTMLElement = HTMLInputElement>(el: HTMLElement, path: string) => root(el).querySelector<T>(`#${fieldId(path)}`)!;

async function type(el: TiepdanScheduleEditor, path: string, value: string): Promise<void> {
  const input = field(el, path);
  input.value = value;
  input.dispatchEvent(new Event('input'));
  await el.updateComplete;
}

/** The element's event, or its tiepdan-error as a rejection (so a refusal fails the test with the server's words). */
function outcome<K extends 'tiepdan-series-published' | 'tiepdan-session-changed'>(el: HTMLElement, name: K): Promise<GlobalEventHandlersEventMap[K]> {
  return new Promise((resolve, reject) => {
    el.addEventListener(name, resolve as EventListener, { once: true });
    el.addEventListener('tiepdan-error', (e) => reject(new Error(`${e.detail.code}: ${e.detail.message}`)), { once: true });
  });
}

async function fillSeries(el: TiepdanScheduleEditor, from: string, to: string): Promise<void> {
  await type(el, 'hostName', 'Chủ tịch UBND phường Sa Đéc');
  await type(el, 'venue', 'Trụ sở Tiếp công dân phường');
  await type(el, 'day', '15');
  await type(el, 'from', from);
  await type(el, 'to', to);
}

describe('schedule editor helpers', () => {
  it('turns the form into the server\'s SeriesRequest only when it is complete', () => {
    const form = { ...defaultSeriesForm('2026-12-01'), hostName: 'Chủ tịch', venue: 'Hội trường', from: '01/01/2027', to: '31/12/2027' };
    const request = toSeriesRequest(form, 'dongthap.sadec')!;
    expect(request.rule).to.deep.equal({ pattern: { type: 'monthly-day', day: 15 }, shift: 'next-working-day' });
    expect(request).to.include({ startTime: '08:00', endTime: '11:00', from: '2027-01-01', to: '2027-12-31' });
    expect(request.template).to.deep.include({ unit: 'dongthap.sadec', capacity: 10, remoteAllowed: false, level: 'commune' });
    const weekly = toSeriesRequest({ ...form, patternType: 'weekly', weekdays: [4, 2] }, 'u')!;
    expect(weekly.rule.pattern).to.deep.equal({ type: 'weekly', weekdays: [2, 4] });
    const nth = toSeriesRequest({ ...form, patternType: 'monthly-weekday', nth: '-1', weekday: '5', shift: 'skip' }, 'u')!;
    expect(nth.rule).to.deep.equal({ pattern: { type: 'monthly-weekday', nth: -1, weekday: 5 }, shift: 'skip' });
    expect(toSeriesRequest({ ...form, venue: ' ' }, 'u')).to.equal(undefined);
    expect(toSeriesRequest({ ...form, from: '31/02/2027' }, 'u')).to.equal(undefined);
    expect(toSeriesRequest({ ...form, startTime: '8h' }, 'u')).to.equal(undefined);
    expect(endTimeOf('14:30', 90)).to.equal('16:00');
    expect(endTimeOf('22:00', 180)).to.equal('23:59');
  });
});

describe('<tiepdan-schedule-editor> without the server', () => {
  const realFetch = window.fetch;
  afterEach(() => {
    window.fetch = realFetch;
  });

  it('asks for a token, fits a 320 px screen, and is accessible', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`<div style="width:320px"><tiepdan-schedule-editor server="http://127.0.0.1:9" unit="dongthap.sadec"></tiepdan-schedule-editor></div>`);
    const el = wrapper.querySelector('tiepdan-schedule-editor')!;
    await el.updateComplete;
    expect(el).to.be.instanceOf(TiepdanScheduleEditor);
    expect(el.scrollWidth).to.be.at.most(320);
    for (const pattern of ['monthly-weekday', 'weekly']) {
      root(el).querySelector<HTMLInputElement>(`input[name="${fieldId('patternType')}"][value="${pattern}"]`)!.click();
      await el.updateComplete;
      expect(el.scrollWidth, pattern).to.be.at.most(320);
    }
    expect(root(el).querySelectorAll(`input[type="checkbox"][id^="${fieldId('weekdays')}"]`).length).to.equal(7);
    expect(root(el).querySelector('.notice')!.textContent).to.contain('Cần đăng nhập');
    expect(root(el).querySelector<HTMLButtonElement>('form.series button[type="submit"]')!.disabled).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('previews the server\'s shifted dates and warnings as the official types', async () => {
    const requests: SeriesRequest[] = [];
    const answer: SeriesPreview = {
      from: '2027-05-01',
      to: '2027-06-30',
      occurrences: [
        { date: '2027-05-17', nominal: '2027-05-15', shifted: true, startsAt: '2027-05-17T01:00:00.000Z', endsAt: '2027-05-17T04:00:00.000Z' },
        { date: '2027-06-15', nominal: '2027-06-15', shifted: false, startsAt: '2027-06-15T01:00:00.000Z', endsAt: '2027-06-15T04:00:00.000Z' },
      ],
      warnings: [{ period: '2027-05', found: 1, required: 2, message: { vi: 'Kỳ 2027-05: có 1 ngày tiếp, quy định tối thiểu 2 ngày.', en: 'x' } }],
    };
    window.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      if (url.includes('/series/preview')) {
        requests.push(JSON.parse(String(init!.body)) as SeriesRequest);
        return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } });
      }
      if (url.includes('/sessions')) return new Response(JSON.stringify({ unit: 'dongthap.sadec', from: '', to: '', items: [] }), { status: 200 });
      return new Response('{}', { status: 404 });
    }) as typeof fetch;
    const el = await fixture<TiepdanScheduleEditor>(html`<tiepdan-schedule-editor server="http://stub.test" unit="dongthap.sadec" .token=${'t'}></tiepdan-schedule-editor>`);
    expect(root(el).querySelector('[part="preview"]')!.textContent).to.contain('Nhập người chủ trì');
    await fillSeries(el, '01/05/2027', '30/06/2027');
    await waitUntil(() => root(el).querySelector('ol.dates'), 'preview shown', { timeout: 3000 });
    // Debounced: one request for the whole burst of typing.
    expect(requests.length).to.equal(1);
    expect(requests[0]!.from).to.equal('2027-05-01');
    const items = [...root(el).querySelectorAll('ol.dates li')].map((li) => li.textContent!.replace(/\s+/gu, ' ').trim());
    expect(items[0]).to.equal('Thứ Hai, 17/05/2027 08:00–11:00 (dời từ 15/05/2027 (ngày nghỉ))');
    expect(items[1]).to.equal('Thứ Ba, 15/06/2027 08:00–11:00');
    expect(root(el).querySelector('[part="warnings"]')!.textContent).to.contain('Kỳ 2027-05: có 1 ngày tiếp, quy định tối thiểu 2 ngày.');
    await expect(el).to.be.accessible();
  });
});

const server = window.TIEPDAN_TEST_SERVER!;
const tokens = (window as { TIEPDAN_TEST_TOKENS?: Record<string, string> }).TIEPDAN_TEST_TOKENS!;

describe('<tiepdan-schedule-editor> against the server', () => {
  async function mount(role = 'chair'): Promise<TiepdanScheduleEditor> {
    const el = await fixture<TiepdanScheduleEditor>(html`<tiepdan-schedule-editor server=${server} unit="dongthap.sadec" .token=${tokens![role]!}></tiepdan-schedule-editor>`);
    await el.updateComplete;
    return el;
  }

  it('previews the 15th of each month moved off weekends, with the legal-minimum warnings', async () => {
    const el = await mount();
    await fillSeries(el, '01/04/2028', '30/04/2028');
    await type(el, 'from', '01/05/2027');
    await type(el, 'to', '31/08/2027');
    await waitUntil(() => root(el).querySelectorAll('ol.dates li').length === 4, 'four dates', { timeout: 5000 });
    const dates = [...root(el).querySelectorAll<HTMLElement>('ol.dates li')].map((li) => li.dataset['date']);
    // 15/05/2027 is a Saturday and 15/08/2027 a Sunday: both move to the Monday after.
    expect(dates).to.deep.equal(['2027-05-17', '2027-06-15', '2027-07-15', '2027-08-16']);
    expect(root(el).querySelector('li[data-date="2027-05-17"]')!.textContent).to.contain('dời từ 15/05/2027');
    // A ward chair must receive at least 2 days a month from 01/07/2026: one a month falls short.
    expect(root(el).querySelectorAll('[part="warnings"] li').length).to.be.greaterThan(0);
    expect(root(el).querySelector('[part="warnings"]')!.textContent).to.contain('tối thiểu');
    await expect(el).to.be.accessible();
  });

  it('publishes a series, then cancels and postpones its sessions with a notice', async () => {
    const el = await mount();
    await fillSeries(el, '01/09/2027', '31/10/2027');
    await type(el, 'startTime', '07:30');
    const published = outcome(el, 'tiepdan-series-published');
    root(el).querySelector<HTMLButtonElement>('form.series button[type="submit"]')!.click();
    expect((await published).detail.sessions).to.equal(2);
    await waitUntil(() => root(el).querySelector('[role="status"]')!.textContent!.includes('Đã công bố 2 buổi tiếp'));

    const list = await fetch(`${server}/api/v1/sessions?unit=dongthap.sadec&from=2027-09-01&to=2027-10-31`).then((r) => r.json() as Promise<{ items: ReceptionSession[] }>);
    const ours = list.items.filter((x) => x.host.name === 'Chủ tịch UBND phường Sa Đéc' && x.state === 'open');
    expect(ours.length).to.equal(2);
    await waitUntil(() => field<HTMLSelectElement>(el, 'sessionId')?.querySelector(`option[value="${ours[0]!.id}"]`), 'session in the list', { timeout: 5000 });

    const select = field<HTMLSelectElement>(el, 'sessionId');
    select.value = ours[0]!.id;
    select.dispatchEvent(new Event('change'));
    await el.updateComplete;
    await type(el, 'reason', 'Chủ tịch họp đột xuất với tỉnh');
    await type(el, 'notice', 'Buổi tiếp ngày 15/09/2027 bị hủy.');
    const changed = outcome(el, 'tiepdan-session-changed');
    root(el).querySelector<HTMLButtonElement>('form.change button[type="submit"]')!.click();
    const cancelled = (await changed).detail.session;
    expect(cancelled.id).to.equal(ours[0]!.id);
    expect(cancelled.state).to.equal('cancelled');

    await waitUntil(() => field<HTMLSelectElement>(el, 'sessionId')?.querySelector(`option[value="${ours[1]!.id}"]`));
    const select2 = field<HTMLSelectElement>(el, 'sessionId');
    select2.value = ours[1]!.id;
    select2.dispatchEvent(new Event('change'));
    await el.updateComplete;
    root(el).querySelector<HTMLInputElement>(`#${fieldId('action')}-1`)!.click();
    await el.updateComplete;
    await type(el, 'reason', 'Trùng kỳ họp HĐND');
    await type(el, 'notice', 'Buổi tiếp dời sang ngày 20/10/2027.');
    await type(el, 'newDate', '20/10/2027');
    await type(el, 'newTime', '14:00');
    const changed2 = outcome(el, 'tiepdan-session-changed');
    root(el).querySelector<HTMLButtonElement>('form.change button[type="submit"]')!.click();
    const postponed = (await changed2).detail.session;
    expect(postponed.startsAt).to.equal('2027-10-20T07:00:00.000Z'); // 14:00 in Hanoi
    expect(postponed.postponedFrom?.startsAt).to.equal(ours[1]!.startsAt);
  });

  it('shows the server\'s refusal to an observer', async () => {
    const el = await mount('observer');
    await fillSeries(el, '01/01/2029', '31/01/2029');
    const failed = oneEvent(el, 'tiepdan-error');
    root(el).querySelector<HTMLButtonElement>('form.series button[type="submit"]')!.click();
    expect((await failed).detail.code).to.equal('forbidden');
    await el.updateComplete;
    expect(root(el).querySelector('.error-summary')).to.not.equal(null);
  });
});
