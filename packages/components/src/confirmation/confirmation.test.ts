// <tiepdan-confirmation>: the citizen reads the content the clerk wrote and confirms it with their join token;
// an edit after that needs a new confirmation; the Form 02 receipt is listed and downloaded; the outcome and a
// refusal's ground and reason are shown (vi and en); axe; 320 px.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { ReceptionCase } from '@tiepdan/core';
import { apiCall } from '@tiepdan/core/browser';
import './confirmation.js';
import type { TiepdanConfirmation } from './confirmation.component.js';

const server = window.TIEPDAN_TEST_SERVER!;
const tokens = window.TIEPDAN_TEST_TOKENS! as Record<string, string>;
const clerk = { baseUrl: server, token: tokens.clerk };
const $ = <T extends HTMLElement = HTMLElement>(el: Element, selector: string) => el.shadowRoot!.querySelector<T>(selector)!;

describe('<tiepdan-confirmation>', () => {
  it('the citizen confirms the content on a 320 px phone and gets the receipt', async () => {
    const { case: c } = await apiCall<{ case: ReceptionCase }>(clerk, 'POST', '/api/v1/desk/cases', { registration: tokens.confirmationReference, sessionId: 'wtr-confirmation' });
    const wrapper = await fixture<HTMLDivElement>(html`<div style="width:320px"><tiepdan-confirmation server=${server}></tiepdan-confirmation></div>`);
    const el = wrapper.querySelector('tiepdan-confirmation')! as TiepdanConfirmation;
    el.token = tokens.citizenConfirmation!;
    await waitUntil(() => el.pending !== undefined, 'nothing loaded');
    const text = 'Bà Mai kiến nghị lắp đèn đường ở khóm 4, phường Sa Đéc.';
    await apiCall(clerk, 'POST', `/api/v1/desk/cases/${c.id}/content`, { text });
    $(el, '#refresh').click();
    await waitUntil(() => el.pending?.text === text, 'the content did not show');
    await el.updateComplete;
    await expect(el).to.be.accessible();
    expect(el.scrollWidth).to.be.at.most(320);
    $(el, '#confirm').click();
    await waitUntil(() => el.pending?.confirmed === true, 'not confirmed');
    const { case: after } = await apiCall<{ case: ReceptionCase }>(clerk, 'GET', `/api/v1/desk/cases/${c.id}`);
    expect(after.confirmation).to.include({ mode: 'screen', version: 1, text });

    // The clerk edits: the view asks again.
    await apiCall(clerk, 'POST', `/api/v1/desk/cases/${c.id}/content`, { text: `${text} Bổ sung: đoạn gần chợ.` });
    await apiCall(clerk, 'POST', `/api/v1/desk/cases/${c.id}/receipt`, { items: [{ name: 'Đơn kiến nghị', pages: 1, form: 'original' }] });
    $(el, '#refresh').click();
    await waitUntil(() => el.pending?.version === 2 && !el.pending.confirmed && el.pending.receipt, 'the new version did not show');
    await el.updateComplete;
    expect(el.shadowRoot!.textContent).to.contain('Đơn kiến nghị');
    const saved: Blob[] = [];
    const original = URL.createObjectURL;
    URL.createObjectURL = (blob: Blob | MediaSource) => (saved.push(blob as Blob), original.call(URL, blob));
    try {
      $(el, '#receipt-download').click();
      await waitUntil(() => saved.length === 1, 'no receipt', { timeout: 15_000 });
    } finally {
      URL.createObjectURL = original;
    }
    expect(new TextDecoder().decode(await saved[0]!.slice(0, 5).arrayBuffer())).to.equal('%PDF-');

    // The officer records the outcome: the citizen reads it in their own view, not only in the e-mail.
    $(el, '#confirm').click();
    await waitUntil(() => el.pending?.confirmed === true, 'version 2 not confirmed');
    expect(el.shadowRoot!.querySelector('.case-outcome'), 'no outcome before the handling').to.equal(null);
    await apiCall(clerk, 'POST', `/api/v1/desk/cases/${c.id}/handling`, { outcome: 'transferred', agency: 'Công an tỉnh Đồng Tháp', documentNumber: '88/CĐ-UBND', answer: { mode: 'later', due: '2027-01-20' } });
    await apiCall(clerk, 'POST', `/api/v1/desk/cases/${c.id}/close`, {});
    $(el, '#refresh').click();
    await waitUntil(() => el.pending?.outcome.state === 'closed', 'the outcome did not show');
    await el.updateComplete;
    const outcome = $(el, '.case-outcome').textContent!.replace(/\s+/gu, ' ');
    for (const said of ['Kết quả: Chuyển đơn.', 'Đơn được chuyển đến: Công an tỉnh Đồng Tháp.', 'Văn bản chuyển đơn số: 88/CĐ-UBND.', 'Hẹn trả lời: ngày 20/01/2027.', 'Vụ việc đã vào sổ tiếp công dân lúc']) expect(outcome).to.contain(said);
    expect(el.shadowRoot!.querySelector('#confirm'), 'a filed case is not confirmed again').to.equal(null);
    expect(el.scrollWidth).to.be.at.most(320);
    await expect(el).to.be.accessible();
    wrapper.style.width = '640px';
    el.style.setProperty('--tiepdan-font-size', '36px');
    await el.updateComplete;
    expect(el.scrollWidth).to.be.at.most(el.clientWidth + 1);
    await expect(el).to.be.accessible();
  });
});

describe('<tiepdan-confirmation> after a refusal', () => {
  it('shows the ground and the reason (Art. 9 cl.2) in Vietnamese and in English, at 320 px', async () => {
    // The registration's open case in this session (the test above may have filed one: a new one opens).
    const { case: c } = await apiCall<{ case: ReceptionCase }>(clerk, 'POST', '/api/v1/desk/cases', { registration: tokens.confirmationReference, sessionId: 'wtr-confirmation' });
    const reason = 'Công dân có lời lẽ xúc phạm cán bộ sau khi đã được nhắc nhở.';
    await apiCall(clerk, 'POST', `/api/v1/desk/cases/${c.id}/refusal`, { ground: 'art9_cl2', reason });
    const wrapper = await fixture<HTMLDivElement>(html`<div style="width:320px"><tiepdan-confirmation server=${server}></tiepdan-confirmation></div>`);
    const el = wrapper.querySelector('tiepdan-confirmation')! as TiepdanConfirmation;
    el.token = tokens.citizenConfirmation!;
    await waitUntil(() => el.pending?.caseId === c.id, 'the refused case did not show');
    await el.updateComplete;
    const text = () => $(el, '.case-outcome').textContent!.replace(/\s+/gu, ' ');
    expect(text()).to.contain('Từ chối tiếp công dân.');
    expect(text()).to.contain('(khoản 2 Điều 9)');
    expect(text()).to.contain(`Lý do: ${reason}`);
    expect(el.shadowRoot!.querySelector('#confirm')).to.equal(null);
    expect(el.scrollWidth).to.be.at.most(320);
    await expect(el).to.be.accessible();
    el.setAttribute('lang', 'en');
    await el.updateComplete;
    expect(text()).to.contain('Reception refused.');
    expect(text()).to.contain('(Art. 9 cl.2)');
    expect($(el, 'h2').textContent).to.equal('What you told us');
    await expect(el).to.be.accessible();
  });
});
