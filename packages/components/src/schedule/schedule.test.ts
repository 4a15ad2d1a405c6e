// Browser tests of <tiepdan-schedule>. Most build sessions in the test and hand them to the element's `sessions`
// property; the last group talks to the real server (window.TIEPDAN_TEST_SERVER) started by the test runner.
//
// Time zone: the test runner cannot change the browser's zone per test, so the Hanoi-time tests use instants
// near midnight UTC whose Hanoi date differs from their UTC date (and from any zone west of UTC+7): an element
// that formatted with the device's zone would put them on the wrong day or show the wrong hour wherever the
// browser runs, except in a UTC+7 zone, where the check cannot tell. The CI machines run in UTC.
import { addDays, hanoiToUtc, utcToHanoiDate, type ReceptionSession } from '@tiepdan/core';
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { addMonths, monthWeeks, moveDate } from './month.js';
import { TiepdanSchedule } from './schedule.component.js';
import './schedule.js';

let seq = 0;
function session(date: string, time: string, extra: Partial<ReceptionSession> = {}): ReceptionSession {
  const startsAt = hanoiToUtc(date, time);
  return {
    id: `s${(seq += 1)}`,
    kind: 'periodic',
    host: { role: 'chair', name: 'Nguyễn Văn Chủ Tịch' },
    level: 'commune',
    unit: 'dongthap.sadec',
    venue: 'Trụ sở UBND phường Sa Đéc',
    connectionPoints: ['sadec'],
    startsAt,
    endsAt: new Date(new Date(startsAt).getTime() + 3 * 3600_000).toISOString(),
    capacity: 10,
    remoteAllowed: false,
    state: 'open',
    placesLeft: 4,
    sequence: 0,
    updatedAt: '2026-11-01T00:00:00.000Z',
    ...extra,
  };
}

const DECEMBER: ReceptionSession[] = [
  session('2026-12-15', '08:00'),
  session('2026-12-15', '14:00', { state: 'cancelled', notice: { vi: 'Chủ tịch đi công tác đột xuất.', en: 'The chair is away.' } }),
  session('2026-12-03', '08:00', {
    state: 'postponed',
    notice: { vi: 'Hoãn do bão.', en: 'Postponed: storm.' },
    postponedFrom: { startsAt: '2026-11-26T01:00:00.000Z', endsAt: '2026-11-26T04:00:00.000Z' },
  }),
  session('2026-12-22', '08:00', { placesLeft: 0 }),
];

const root = (el: HTMLElement) => el.shadowRoot!;
const cell = (el: HTMLElement, date: string) => root(el).querySelector<HTMLElement>(`[data-date="${date}"]`)!;
const focusedDate = (el: HTMLElement) => (root(el).activeElement as HTMLElement | null)?.dataset['date'];

async function mount(attrs: string, sessions: ReceptionSession[] = DECEMBER, width = 900): Promise<TiepdanSchedule> {
  const wrapper = await fixture<HTMLDivElement>(`<div style="width:${width}px"><tiepdan-schedule ${attrs}></tiepdan-schedule></div>`);
  const el = wrapper.querySelector('tiepdan-schedule')!;
  el.sessions = sessions;
  await el.updateComplete;
  return el;
}

describe('schedule month helpers', () => {
  it('lays weeks out Monday first, covering the whole month', () => {
    const weeks = monthWeeks(2026, 12);
    expect(weeks[0]![0]).to.equal('2026-11-30'); // 01/12/2026 is a Tuesday
    expect(weeks[weeks.length - 1]![6]).to.equal('2027-01-03');
    expect(weeks.flat()).to.include.members(['2026-12-01', '2026-12-31']);
    expect(monthWeeks(2027, 2).length).to.equal(4); // 01/02/2027 is a Monday, 28/02/2027 a Sunday
    expect(monthWeeks(2026, 2).length).to.equal(5); // 01/02/2026 is a Sunday
  });

  it('moves like the APG date grid, clamping month ends', () => {
    expect(moveDate('2026-12-15', 'ArrowRight')).to.equal('2026-12-16');
    expect(moveDate('2026-12-01', 'ArrowLeft')).to.equal('2026-11-30');
    expect(moveDate('2026-12-15', 'ArrowUp')).to.equal('2026-12-08');
    expect(moveDate('2026-12-29', 'ArrowDown')).to.equal('2027-01-05');
    expect(moveDate('2026-12-15', 'Home')).to.equal('2026-12-14');
    expect(moveDate('2026-12-15', 'End')).to.equal('2026-12-20');
    expect(moveDate('2026-12-20', 'Home')).to.equal('2026-12-14'); // Sunday belongs to the week that started Monday
    expect(moveDate('2027-01-31', 'PageDown')).to.equal('2027-02-28');
    expect(moveDate('2028-02-29', 'PageUp', true)).to.equal('2027-02-28');
    expect(addMonths('2026-12-15', 1)).to.equal('2027-01-15');
    expect(moveDate('2026-12-15', 'a')).to.equal(undefined);
  });
});

describe('<tiepdan-schedule> month grid', () => {
  it('is a labelled grid with Vietnamese day labels and one tab stop', async () => {
    const el = await mount('view="month" month="2026-12"');
    expect(el).to.be.instanceOf(TiepdanSchedule);
    const grid = root(el).querySelector('[role="grid"]')!;
    expect(grid.getAttribute('aria-labelledby')).to.equal('month-title');
    expect(root(el).querySelector('#month-title')!.textContent).to.equal('Tháng 12/2026');
    expect(cell(el, '2026-12-15').querySelector('.label')!.textContent).to.equal('Thứ Ba, 15/12/2026, 2 buổi tiếp, 1 buổi bị hủy hoặc hoãn');
    expect(cell(el, '2026-12-22').querySelector('.label')!.textContent).to.equal('Thứ Ba, 22/12/2026, 1 buổi tiếp');
    expect(cell(el, '2026-12-16').querySelector('.label')!.textContent).to.equal('Thứ Tư, 16/12/2026, không có buổi tiếp');
    expect(cell(el, '2026-12-20').querySelector('.label')!.textContent).to.match(/^Chủ Nhật, 20\/12\/2026/u);
    expect(root(el).querySelectorAll('[role="gridcell"][tabindex="0"]').length).to.equal(1);
    expect(root(el).querySelectorAll('th')[0]!.getAttribute('abbr')).to.equal('Thứ Hai');
    await expect(el).to.be.accessible();
  });

  it('moves focus with every key of the date-grid model', async () => {
    const el = await mount('view="month" month="2026-12"');
    cell(el, '2026-12-01').click();
    await el.updateComplete;
    expect(focusedDate(el)).to.equal('2026-12-01');
    const steps: [string, string][] = [
      ['ArrowRight', '2026-12-02'],
      ['ArrowDown', '2026-12-09'],
      ['ArrowLeft', '2026-12-08'],
      ['ArrowUp', '2026-12-01'],
      ['End', '2026-12-06'],
      ['Home', '2026-11-30'], // crossing into November shows November
      ['PageDown', '2026-12-30'],
      ['ArrowDown', '2027-01-06'],
      ['PageUp', '2026-12-06'],
      ['Shift+PageDown', '2027-12-06'],
      ['Shift+PageUp', '2026-12-06'],
    ];
    for (const [key, expected] of steps) {
      await sendKeys({ press: key });
      await el.updateComplete;
      expect(focusedDate(el), key).to.equal(expected);
      expect(cell(el, expected).getAttribute('tabindex'), key).to.equal('0');
    }
    expect(root(el).querySelector('#month-title')!.textContent).to.equal('Tháng 12/2026');
    expect(root(el).querySelectorAll('[tabindex="0"]').length).to.equal(1);
  });

  it('Enter on a day with one bookable session fires tiepdan-session-select with that session', async () => {
    const el = await mount('view="month" month="2026-12"');
    cell(el, '2026-12-14').focus();
    await sendKeys({ press: 'ArrowRight' });
    const selected = oneEvent(el, 'tiepdan-session-select');
    await sendKeys({ press: 'Enter' });
    const event = await selected;
    expect(event.detail.session.id).to.equal(DECEMBER[0]!.id); // the 14:00 one is cancelled
    expect(event.composed).to.equal(true);
    await el.updateComplete;
    expect(cell(el, '2026-12-15').getAttribute('aria-selected')).to.equal('true');
    const detail = root(el).querySelector('.day-detail')!;
    expect(detail.textContent).to.contain('Đã hủy');
    expect(detail.textContent).to.contain('Chủ tịch đi công tác đột xuất.');
    expect(root(el).querySelector('[role="status"]')!.textContent).to.contain('Đã chọn buổi tiếp 08:00 ngày 15/12/2026');
    await expect(el).to.be.accessible();
  });

  it('Space selects the day; a full day fires nothing and shows the places', async () => {
    const el = await mount('view="month" month="2026-12"');
    let fired = 0;
    el.addEventListener('tiepdan-session-select', () => (fired += 1));
    cell(el, '2026-12-22').focus();
    await sendKeys({ press: 'Space' });
    await el.updateComplete;
    expect(cell(el, '2026-12-22').getAttribute('aria-selected')).to.equal('true');
    expect(root(el).querySelector('.day-detail')!.textContent).to.contain('Đã hết chỗ');
    expect(fired).to.equal(0);
  });

  it('ignores keys sent while an IME is composing', async () => {
    const el = await mount('view="month" month="2026-12"');
    cell(el, '2026-12-10').focus();
    const composing = new KeyboardEvent('keydown', { key: 'ArrowRight', isComposing: true, bubbles: true, composed: true, cancelable: true });
    cell(el, '2026-12-10').dispatchEvent(composing);
    await el.updateComplete;
    expect(composing.defaultPrevented).to.equal(false);
    expect(focusedDate(el)).to.equal('2026-12-10');
    const plain = new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true, composed: true, cancelable: true });
    cell(el, '2026-12-10').dispatchEvent(plain);
    await el.updateComplete;
    expect(plain.defaultPrevented).to.equal(true);
    await waitUntil(() => focusedDate(el) === '2026-12-11');
  });

  it('marks cancelled and postponed sessions with text, not colour alone', async () => {
    const el = await mount('view="month" month="2026-12"');
    const chips = cell(el, '2026-12-03').textContent!;
    expect(chips).to.contain('↷');
    expect(chips).to.contain('Hoãn');
    expect(chips).not.to.contain('✕');
    expect(cell(el, '2026-12-15').textContent).to.contain('✕');
    expect(cell(el, '2026-12-15').textContent).to.contain('Đã hủy');
  });

  it('shows a postponed session apart from a cancelled one, with its new date and the one it replaces', async () => {
    const el = await mount('view="list" month="2026-12"');
    const postponed = root(el).querySelector<HTMLElement>('li.session.postponed')!;
    const cancelled = root(el).querySelector<HTMLElement>('li.session.cancelled')!;
    expect(postponed.querySelector('.moved')!.textContent!.replace(/\s+/gu, ' ').trim()).to.equal('Hoãn sang 08:00–11:00, 03/12/2026, thay cho 08:00–11:00, 26/11/2026');
    expect(postponed.querySelector('.moved del')!.textContent).to.equal('08:00–11:00, 26/11/2026');
    // The new time is the one that holds: not struck out; a cancelled session's is.
    expect(getComputedStyle(postponed.querySelector('.time')!).textDecorationLine).to.equal('none');
    expect(getComputedStyle(cancelled.querySelector('.time')!).textDecorationLine).to.equal('line-through');
    expect(getComputedStyle(postponed).borderLeftColor).not.to.equal(getComputedStyle(cancelled).borderLeftColor);
    expect(postponed.querySelector('.state')!.textContent).to.contain('↷');
    expect(cancelled.querySelector('.state')!.textContent).to.contain('✕');
    await expect(el).to.be.accessible();
  });

  it('speaks English with lang="en"', async () => {
    const el = await mount('view="month" month="2026-12" lang="en"');
    expect(cell(el, '2026-12-15').querySelector('.label')!.textContent).to.equal('Tuesday, 15/12/2026, 2 session(s), 1 cancelled or postponed');
  });
});

describe('<tiepdan-schedule> list view and time zone', () => {
  it('shows the list by default on a narrow (320 px) screen, the grid on a wide one', async () => {
    const narrow = await mount('month="2026-12"', DECEMBER, 320);
    await waitUntil(() => narrow.currentView === 'list', 'list view at 320 px');
    await narrow.updateComplete;
    expect(root(narrow).querySelector('[role="grid"]')).to.equal(null);
    const list = root(narrow).querySelector('[part="list"]')!;
    expect(list.querySelectorAll('li[part="session"]').length).to.equal(4);
    expect(list.textContent).to.contain('Thứ Ba, 15/12/2026');
    expect(list.textContent).to.contain('Còn 4 chỗ');
    expect(list.textContent).to.contain('Nguyễn Văn Chủ Tịch');
    expect(list.textContent).to.contain('Định kỳ');
    expect(narrow.scrollWidth).to.be.at.most(320);
    await expect(narrow).to.be.accessible();

    const wide = await mount('month="2026-12"', DECEMBER, 1000);
    await waitUntil(() => wide.currentView === 'month', 'grid at 1000 px');
    await wide.updateComplete;
    expect(root(wide).querySelector('[role="grid"]')).to.not.equal(null);
  });

  it('chooses a session from the list with a labelled button', async () => {
    const el = await mount('view="list" month="2026-12"');
    const buttons = [...root(el).querySelectorAll<HTMLButtonElement>('li[part="session"] button')];
    expect(buttons.length).to.equal(1); // only the open session with places left
    expect(buttons[0]!.getAttribute('aria-label')).to.equal('Chọn buổi này: 08:00–11:00 ngày 15/12/2026');
    const selected = oneEvent(el, 'tiepdan-session-select');
    buttons[0]!.click();
    expect((await selected).detail.session.id).to.equal(DECEMBER[0]!.id);
    await el.updateComplete;
    expect(root(el).querySelector('li.chosen')!.getAttribute('data-session')).to.equal(DECEMBER[0]!.id);
  });

  it('in pick mode lists every upcoming session open for registration, across months, or says there is none', async () => {
    const today = utcToHanoiDate(new Date());
    const soon = session(addDays(today, 3), '08:00', { id: 'soon' });
    const later = session(addDays(today, 45), '14:00', { id: 'later' });
    const past = session(addDays(today, -3), '08:00', { id: 'past' });
    const full = session(addDays(today, 4), '08:00', { id: 'full', placesLeft: 0 });
    const off = session(addDays(today, 5), '08:00', { id: 'off', state: 'cancelled' });
    const el = await mount('pick', [later, full, soon, past, off], 320);
    const ids = () => [...root(el).querySelectorAll('li[part="session"]')].map((li) => li.getAttribute('data-session'));
    expect(ids()).to.deep.equal(['soon', 'later']);
    expect(root(el).querySelector('[role="grid"]')).to.equal(null);
    await expect(el).to.be.accessible();
    el.sessions = [past, full, off];
    await el.updateComplete;
    expect(ids()).to.deep.equal([]);
    expect(root(el).querySelector('.empty')!.textContent).to.contain('vẫn có thể tiếp tục');
  });

  it('places sessions on their Hanoi day and shows Hanoi times whatever the browser zone', async () => {
    // 17:30 UTC on 14/12 is 00:30 on 15/12 in Hanoi; 16:59 UTC on 15/12 is 23:59 on 15/12 in Hanoi.
    const early = session('2026-12-15', '00:30', { id: 'early' });
    const late = session('2026-12-15', '23:59', { id: 'late' });
    expect(early.startsAt).to.equal('2026-12-14T17:30:00.000Z');
    expect(late.startsAt).to.equal('2026-12-15T16:59:00.000Z');
    const el = await mount('view="month" month="2026-12"', [early, late]);
    expect(cell(el, '2026-12-15').querySelector('.label')!.textContent).to.equal('Thứ Ba, 15/12/2026, 2 buổi tiếp');
    expect(cell(el, '2026-12-14').querySelector('.label')!.textContent).to.contain('không có buổi tiếp');
    expect(cell(el, '2026-12-15').textContent).to.contain('00:30');
    expect(cell(el, '2026-12-15').textContent).to.contain('23:59');
    el.view = 'list';
    await el.updateComplete;
    const list = root(el).querySelector('[part="list"]')!.textContent!;
    expect(list).to.contain('00:30–03:30');
    expect(list).to.contain('23:59–02:59');
    expect(list).to.not.contain('14/12/2026');
  });

  it('says when a month has no session', async () => {
    const el = await mount('view="list" month="2027-03"');
    expect(root(el).querySelector('.empty')!.textContent).to.contain('chưa có buổi tiếp');
  });
});

const server = window.TIEPDAN_TEST_SERVER!;
const tokens = (window as { TIEPDAN_TEST_TOKENS?: Record<string, string> }).TIEPDAN_TEST_TOKENS!;

describe('<tiepdan-schedule> against the server', () => {
  async function createOpenSession(date: string, capacity: number): Promise<ReceptionSession> {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${tokens!['chair']}` };
    const created = await fetch(`${server}/api/v1/sessions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        kind: 'unscheduled', unscheduledReason: 'many_people', host: { role: 'chair', name: 'Chủ tịch UBND phường' }, level: 'commune',
        unit: 'dongthap.sadec', venue: 'Hội trường UBND phường', connectionPoints: [],
        startsAt: hanoiToUtc(date, '00:15'), endsAt: hanoiToUtc(date, '02:00'), capacity, remoteAllowed: false,
      }),
    });
    expect(created.status, await created.clone().text()).to.equal(201);
    const { session: draft } = (await created.json()) as { session: ReceptionSession };
    const published = await fetch(`${server}/api/v1/sessions/${draft.id}/publish`, { method: 'POST', headers, body: '{}' });
    expect(published.status).to.equal(200);
    return ((await published.json()) as { session: ReceptionSession }).session;
  }

  it('loads the unit\'s sessions for the month, on their Hanoi day, with the .ics link', async () => {
    const opened = await createOpenSession('2027-02-10', 7);
    const el = await fixture<TiepdanSchedule>(html`<tiepdan-schedule server=${server} unit="dongthap.sadec" view="list" month="2027-02" poll="0"></tiepdan-schedule>`);
    await waitUntil(() => root(el).querySelector(`[data-session="${opened.id}"]`), 'session listed', { timeout: 5000 });
    const entry = root(el).querySelector(`[data-session="${opened.id}"]`)!;
    expect(entry.closest('section')!.querySelector('h3')!.textContent).to.equal('Thứ Tư, 10/02/2027');
    expect(entry.textContent).to.contain('00:15–02:00');
    expect(entry.textContent).to.contain('Còn 7 chỗ');
    const ics = root(el).querySelector<HTMLAnchorElement>('a[part="ics"]')!;
    expect(ics.href).to.equal(`${server}/api/v1/units/dongthap.sadec/schedule.ics`);
    const feed = await fetch(ics.href);
    expect(feed.headers.get('content-type')).to.contain('text/calendar');
    expect(await feed.text()).to.contain(`session-${opened.id}@tiepdan`);
  });

  it('polls: a cancellation on the server shows up without a reload', async () => {
    const opened = await createOpenSession('2027-03-11', 5);
    const el = await fixture<TiepdanSchedule>(html`<tiepdan-schedule server=${server} unit="dongthap.sadec" view="list" month="2027-03" poll="1"></tiepdan-schedule>`);
    await waitUntil(() => root(el).querySelector(`[data-session="${opened.id}"]`), 'session listed', { timeout: 5000 });
    const cancelled = await fetch(`${server}/api/v1/sessions/${opened.id}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens['chair']}` },
      body: JSON.stringify({ reason: 'test', notice: { vi: 'Buổi tiếp bị hủy do mưa bão.' } }),
    });
    expect(cancelled.status).to.equal(200);
    await waitUntil(() => root(el).querySelector(`[data-session="${opened.id}"]`)?.classList.contains('cancelled'), 'cancellation shown', { timeout: 5000 });
    expect(root(el).querySelector(`[data-session="${opened.id}"]`)!.textContent).to.contain('Buổi tiếp bị hủy do mưa bão.');
  });
});
