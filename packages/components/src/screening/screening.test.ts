// <tiepdan-screening> against the real server started by the test runner, with tokens minted per role.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { formatDate, formatTimeRange, hanoiToUtc, utcToHanoiDate } from '@tiepdan/core';
import { ApiClient } from '@tiepdan/core/browser';
import './screening.js';
import type { TiepdanScreening } from './screening.component.js';


const server = window.TIEPDAN_TEST_SERVER!;
const tokens = window.TIEPDAN_TEST_TOKENS!;
const $ = <T extends Element = HTMLElement>(el: Element, selector: string) => el.shadowRoot!.querySelector<T>(selector);

async function submit(summary: string): Promise<string> {
  const api = new ApiClient({ baseUrl: server });
  const meta = await api.meta('dongthap.sadec');
  const response = await api.submitRegistration(crypto.randomUUID(), {
    unit: 'dongthap.sadec',
    kind: 'phan_anh',
    identity: { fullName: 'Võ Thị Thu' },
    address: { provinceCode: '82', communeCode: '29869' },
    contact: { phone: '0911222333', email: 'vo.thi.thu@example.vn' },
    content: { summary },
    attendance: { mode: 'connection_point' },
    privacy: { version: meta.privacyNotice.version, acknowledged: true, acknowledgedAt: new Date().toISOString() },
  });
  return response.reference;
}

async function mount(token: string): Promise<TiepdanScreening> {
  const el = await fixture<TiepdanScreening>(html`<tiepdan-screening server=${server}></tiepdan-screening>`);
  el.token = token;
  return el;
}

const clerkApi = () => new ApiClient({ baseUrl: server, token: tokens.clerk });

/** A published session a few days ahead (Hanoi 08:00–11:00), created by the clerk; returns it. */
async function openSession(daysAhead: number) {
  const day = new Date(Date.now() + daysAhead * 86_400_000).toISOString().slice(0, 10);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${tokens.clerk}` };
  const created = await fetch(`${server}/api/v1/sessions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      kind: 'periodic', host: { role: 'chair', name: 'Chủ tịch Trần Văn Sáu' }, level: 'commune', unit: 'dongthap.sadec',
      venue: 'Trụ sở UBND phường Sa Đéc', connectionPoints: ['sadec-ubnd'], startsAt: `${day}T08:00:00+07:00`, endsAt: `${day}T11:00:00+07:00`, capacity: 5, remoteAllowed: false,
    }),
  });
  const { session } = (await created.json()) as { session: { id: string; startsAt: string; endsAt: string } };
  expect((await fetch(`${server}/api/v1/sessions/${session.id}/publish`, { method: 'POST', headers, body: '{}' })).status).to.equal(200);
  return session;
}

describe('<tiepdan-screening>', () => {
  it('shows an officer what they need and invites with a session, a slot, the attendance and a note, after a preview', async () => {
    const reference = await submit(`Kiến nghị sửa đường ${Date.now()}`);
    const session = await openSession(30 + Math.floor(Math.random() * 300));
    await clerkApi().transition(reference, { to: 'screened', reason: 'Đúng thẩm quyền' });
    const el = await mount(tokens.clerk!);
    await el.open(reference);
    await waitUntil(() => $(el, '#invite-session'), 'the invitation form');
    // Address by names (the unit's commune list, core's provinces), not the codes "29869, 82".
    expect($(el, '.address')!.textContent).to.equal('Phường Sa Đéc, Tỉnh Đồng Tháp');
    // "Mời tiếp" goes through the invitation form only, never a bare state change.
    expect([...$<HTMLSelectElement>(el, '#to')!.options].map((o) => o.value)).to.not.include('invited');
    const select = $<HTMLSelectElement>(el, '#invite-session')!;
    select.value = session.id;
    select.dispatchEvent(new Event('change'));
    await el.updateComplete;
    const slot = $<HTMLInputElement>(el, '#invite-slot')!;
    expect(slot.value).to.equal('08:00');
    slot.value = '09:30';
    slot.dispatchEvent(new Event('input'));
    const note = $<HTMLTextAreaElement>(el, '#invite-note')!;
    note.value = 'Mang theo bản gốc giấy tờ nhà đất.';
    note.dispatchEvent(new Event('input'));
    await el.updateComplete;
    expect($<HTMLInputElement>(el, '#invite-point-sadec-ubnd')!.checked).to.equal(true);
    expect($(el, '#invite-remote'), 'remote attendance is offered only where the session allows it').to.equal(null);
    [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('.invite button')].find((b) => b.textContent === 'Xem trước thư mời')!.click();
    await waitUntil(() => $(el, '.preview'), 'the preview');
    const day = session.startsAt;
    const preview = $(el, '.preview')!.textContent!;
    expect(preview).to.contain(`Giấy mời tiếp công dân – 09:30, ${formatDate(day)}`);
    expect(preview).to.contain('Mang theo bản gốc giấy tờ nhà đất.');
    expect(preview).to.contain('ghi nhật ký (không gửi tới công dân)', 'the test server has only the log channel, and says so');
    expect($(el, '.preview .warning')).to.not.equal(null);
    await expect(el).to.be.accessible();
    const invited = oneEvent(el, 'tiepdan-invited');
    $<HTMLButtonElement>(el, '.preview button[type="submit"]')!.click();
    const detail = (await invited).detail as { reference: string; sessionId: string; channels: string[] };
    expect([detail.reference, detail.sessionId, detail.channels]).to.deep.equal([reference, session.id, ['log']]);
    await waitUntil(() => $(el, '.delivery')?.textContent?.includes('1 chỉ ghi vào nhật ký'), 'the delivery state', { timeout: 10_000 });
    expect($(el, '.delivery')!.textContent).to.contain('chờ gửi 0, đã gửi 0, lỗi 0');
    expect($(el, '.booked')!.textContent).to.contain(`${formatTimeRange(session.startsAt, session.endsAt)}, lúc 09:30`);
    const record = await clerkApi().getRegistration(reference);
    expect(record.state).to.equal('invited');
    expect(record.booking?.slotAt).to.equal(hanoiToUtc(utcToHanoiDate(session.startsAt), '09:30'));
  });


  it('lists a new registration, opens it, and a clerk screens it with a reason', async () => {
    const reference = await submit(`Phản ánh rác thải ${Date.now()}`);
    const el = await mount(tokens.clerk!);
    await waitUntil(() => [...el.shadowRoot!.querySelectorAll('h3')].some((h) => h.textContent === reference), 'not listed');
    await expect(el).to.be.accessible();
    const open = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.getAttribute('aria-label') === `Xem hồ sơ ${reference}`)!;
    open.click();
    await waitUntil(() => $(el, '#detail-heading'));
    expect(el.shadowRoot!.activeElement?.id).to.equal('detail-heading', 'focus moves to the opened registration');
    const to = $<HTMLSelectElement>(el, '#to')!;
    to.value = 'screened';
    to.dispatchEvent(new Event('change'));
    await el.updateComplete;
    const reason = $<HTMLTextAreaElement>(el, '#reason')!;
    reason.value = 'Thuộc thẩm quyền giải quyết của phường.';
    reason.dispatchEvent(new Event('input'));
    await el.updateComplete;
    await expect(el).to.be.accessible();
    const done = new Promise((resolve) => el.addEventListener('tiepdan-transitioned', (e) => resolve(e.detail), { once: true }));
    $<HTMLFormElement>(el, '.detail form')!.requestSubmit();
    expect(await done).to.deep.equal({ reference, state: 'screened' });
    expect($(el, '[role="status"]')!.textContent).to.contain('Đã phân loại');
    const record = await new ApiClient({ baseUrl: server, token: tokens.clerk }).getRegistration(reference);
    expect(record.state).to.equal('screened');
    expect(record.history.at(-1)?.reason).to.equal('Thuộc thẩm quyền giải quyết của phường.');
  });

  it("shows the server's refusal to an observer, in Vietnamese", async () => {
    const el = await mount(tokens.observer!);
    await waitUntil(() => $(el, '.error-summary'), 'no refusal shown');
    expect($(el, '.error-summary')!.textContent).to.contain('không có quyền');
    expect(el.shadowRoot!.querySelectorAll('.item')).to.have.length(0);
    await expect(el).to.be.accessible();
  });

  it('speaks English with lang="en" and asks for a token when there is none', async () => {
    const el = await fixture<TiepdanScreening>(html`<tiepdan-screening lang="en" server=${server}></tiepdan-screening>`);
    expect($(el, 'h2')!.textContent).to.equal('Citizen reception registrations');
    expect($(el, '.notice')!.textContent).to.contain('sign in');
  });
});
