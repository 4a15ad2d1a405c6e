// <tiepdan-screening> against the real server started by the test runner, with tokens minted per role.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { ApiClient } from '@tiepdan/core';
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
    contact: { phone: '0911222333' },
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

describe('<tiepdan-screening>', () => {
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
