// Browser tests of <tiepdan-lookup>. Errors that need no server (form checks, unreachable server) always run;
// not-found and the desk's result run against the real server the test runner starts (window.TIEPDAN_TEST_SERVER), always.
import { expect, fixture, oneEvent, waitUntil } from '@open-wc/testing';
import type { ReceptionCase } from '@tiepdan/core';
import { apiCall } from '@tiepdan/core/browser';
import { fieldId } from '../shared/controls.js';
import { TiepdanLookup } from './lookup.component.js';
import './lookup.js';

const $ = <T extends Element = HTMLElement>(el: HTMLElement, selector: string) => el.shadowRoot!.querySelector<T>(selector)!;

async function mount(attrs: string): Promise<TiepdanLookup> {
  const el = await fixture<TiepdanLookup>(`<tiepdan-lookup unit="dongthap.sadec" ${attrs}></tiepdan-lookup>`);
  await el.updateComplete;
  return el;
}

async function fill(el: TiepdanLookup, reference: string, phone: string): Promise<void> {
  for (const [path, value] of [['reference', reference], ['phone', phone]] as const) {
    const input = $<HTMLInputElement>(el, `#${fieldId(path)}`);
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }
  await el.updateComplete;
}

describe('<tiepdan-lookup>', () => {
  it('checks the code and phone before asking the server, with a focused error summary', async () => {
    const el = await mount('server="http://127.0.0.1:9"');
    expect(el).to.be.instanceOf(TiepdanLookup);
    await fill(el, 'TD-12', '12345');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('.error-summary'));
    const summary = $(el, '.error-summary');
    expect(el.shadowRoot!.activeElement).to.equal(summary);
    expect(summary.textContent).to.contain('Mã hồ sơ không đúng định dạng');
    expect(summary.textContent).to.contain('Số điện thoại gồm 10 số');
    expect($(el, `#${fieldId('reference')}`).getAttribute('aria-invalid')).to.equal('true');
    await expect(el).to.be.accessible();
  });

  it('says the server cannot be reached, in English with lang="en"', async () => {
    const el = await mount('server="http://127.0.0.1:9" lang="en"');
    expect($(el, 'h2').textContent).to.equal('Check your registration');
    await fill(el, 'td 7k3q 9pxm', '0912345678');
    const failed = oneEvent(el, 'tiepdan-error');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    expect((await failed).detail.code).to.equal('network');
    await waitUntil(() => el.shadowRoot!.querySelector('.outcome'));
    expect($(el, '.outcome').textContent).to.contain('The server could not be reached');
    await expect(el).to.be.accessible();
  });

  const server = window.TIEPDAN_TEST_SERVER!;
  it('tells a citizen when no registration matches', async () => {
    const el = await mount(`server="${server}"`);
    await fill(el, 'TD-0000-0000', '0912345678');
    const failed = oneEvent(el, 'tiepdan-error');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await failed;
    await waitUntil(() => el.shadowRoot!.querySelector('.outcome'));
    expect($(el, '.outcome').textContent).to.contain('Không tìm thấy hồ sơ');
    expect(el.shadowRoot!.activeElement).to.equal($(el, '.outcome'));
  });

  it('shows the desk\'s result of the case: returned and guided, with the agency and the guidance number (vi, en, axe)', async () => {
    const meta = await (await fetch(`${server}/api/v1/meta?unit=dongthap.sadec`)).json();
    const submitted = await fetch(`${server}/api/v1/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
      body: JSON.stringify({
        unit: 'dongthap.sadec', kind: 'kien_nghi', identity: { fullName: 'Đặng Văn Lộc' }, address: { provinceCode: '82', communeCode: '29869' },
        contact: { phone: '0911222555' }, content: { summary: 'Kiến nghị về quyết định thu hồi đất.' }, attendance: { mode: 'connection_point' },
        privacy: { version: meta.privacyNotice.version, acknowledged: true, acknowledgedAt: new Date().toISOString() },
      }),
    });
    const { reference } = await submitted.json();
    expect(reference, 'the registration is accepted').to.be.a('string');
    const clerk = { baseUrl: server, token: window.TIEPDAN_TEST_TOKENS!.clerk };
    const { case: c } = await apiCall<{ case: ReceptionCase }>(clerk, 'POST', '/api/v1/desk/cases', { registration: reference, sessionId: 'wtr-lookup' });
    const { case: written } = await apiCall<{ case: ReceptionCase }>(clerk, 'POST', `/api/v1/desk/cases/${c.id}/content`, { text: 'Ông Lộc kiến nghị về quyết định thu hồi đất.' });
    await apiCall(clerk, 'POST', `/api/v1/desk/cases/${c.id}/confirmations/aloud`, { version: 1, sha256: written.content!.sha256 });
    await apiCall(clerk, 'POST', `/api/v1/desk/cases/${c.id}/handling`, { outcome: 'returned', agency: 'UBND tỉnh Đồng Tháp', documentNumber: '45/HD-UBND', answer: { mode: 'at_once', text: 'Đã hướng dẫn gửi đơn đến UBND tỉnh.' } });

    const el = await mount(`server="${server}"`);
    await fill(el, reference, '0911222555');
    const found = oneEvent(el, 'tiepdan-lookup');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await found;
    await el.updateComplete;
    const text = () => $(el, '.cases').textContent!.replace(/\s+/gu, ' ');
    for (const said of ['Kết quả tiếp công dân', 'Kết quả: Trả lại và hướng dẫn.', 'Cơ quan có thẩm quyền giải quyết: UBND tỉnh Đồng Tháp.', 'Văn bản hướng dẫn số: 45/HD-UBND.', 'Trả lời tại buổi tiếp: Đã hướng dẫn gửi đơn đến UBND tỉnh.', '(Kiến nghị)']) expect(text()).to.contain(said);
    expect(text()).to.not.contain('Đặng Văn Lộc');
    await expect(el).to.be.accessible();
    el.setAttribute('lang', 'en');
    await el.updateComplete;
    expect(text()).to.contain('Result: Returned and guided.');
    expect(text()).to.contain('Guidance document no.: 45/HD-UBND.');
    await expect(el).to.be.accessible();
  });
});
