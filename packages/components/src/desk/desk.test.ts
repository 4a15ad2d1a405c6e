// <tiepdan-desk> against the real server the test runner starts: a walk-in case taken through the Circular 04
// steps by keyboard, the server's refusal of an incomplete outcome named field by field, the papers downloaded
// with the token in a header, axe at every step, and 320 px / 200 % zoom without horizontal scroll.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { ReceptionCase } from '@tiepdan/core';
import { apiCall } from '@tiepdan/core/browser';
import './desk.js';
import { recordingClock, type TiepdanDesk } from './desk.component.js';

const server = window.TIEPDAN_TEST_SERVER!;
const tokens = window.TIEPDAN_TEST_TOKENS!;
const $ = <T extends HTMLElement = HTMLElement>(el: Element, selector: string) => el.shadowRoot!.querySelector<T>(selector)!;
const text = (el: Element) => el.shadowRoot!.textContent!.replace(/\s+/gu, ' ');

async function walkIn(name: string): Promise<string> {
  const { case: c } = await apiCall<{ case: ReceptionCase }>({ baseUrl: server, token: tokens.clerk }, 'POST', '/api/v1/desk/cases', {
    kind: 'kien_nghi',
    citizen: { fullName: name, address: 'Khóm 3, phường Sa Đéc', idType: 'cccd', idNumber: '087185009999' },
    summary: 'Kiến nghị sửa cống thoát nước trước chợ.',
  });
  return c.id;
}

async function mount(caseId: string, token = tokens.clerk!): Promise<TiepdanDesk> {
  const el = await fixture<TiepdanDesk>(html`<tiepdan-desk server=${server} case=${caseId}></tiepdan-desk>`);
  el.token = token;
  await waitUntil(() => el.record?.id === caseId, 'the case did not load', { timeout: 10_000 });
  await el.updateComplete;
  return el;
}

const stepDone = (el: TiepdanDesk, step: string) => new Promise<string>((resolve) => el.addEventListener('tiepdan-case-changed', (e) => e.detail.step === step && resolve(e.detail.state), { once: false }));

describe('<tiepdan-desk>', () => {
  it('recordingClock says the minute of the recording', () => {
    expect(recordingClock(0)).to.equal('0:00');
    expect(recordingClock(754_900)).to.equal('12:34');
    expect(recordingClock(3_725_000)).to.equal('1:02:05');
  });

  it('a clerk takes a walk-in through identity, content, confirmation aloud and the receipt by keyboard alone', async () => {
    const id = await walkIn('Trần Văn Bảy');
    const el = await mount(id);
    expect(text(el)).to.contain('Trần Văn Bảy');
    expect(text(el)).to.contain('087185009999');
    await expect(el).to.be.accessible();

    // 1. Identity: "something differs", what differs, submit, without a mouse.
    $(el, '#id-ok').focus();
    await sendKeys({ press: 'ArrowDown' });
    await el.updateComplete;
    expect($<HTMLInputElement>(el, '#id-diff').checked).to.equal(true);
    await sendKeys({ press: 'Tab' });
    await sendKeys({ type: 'Địa chỉ trên CCCD là khóm 2' });
    let done = stepDone(el, 'identity');
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Enter' });
    await done;
    expect(el.record!.identity).to.include({ verified: false, differences: 'Địa chỉ trên CCCD là khóm 2' });
    expect(text(el)).to.contain('Có điểm khác: Địa chỉ trên CCCD là khóm 2');

    // 2. Content: written over the summary, saved; the citizen confirms aloud (the clerk marks it).
    $(el, '#content-text').focus();
    await sendKeys({ press: 'Control+A' });
    await sendKeys({ type: 'Ông Bảy đề nghị sửa cống thoát nước trước chợ Sa Đéc.' });
    done = stepDone(el, 'content');
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Enter' });
    await done;
    expect(el.record!.content!.text).to.equal('Ông Bảy đề nghị sửa cống thoát nước trước chợ Sa Đéc.');
    expect(text(el)).to.contain('Chờ công dân xác nhận');
    await el.updateComplete;
    done = stepDone(el, 'confirmations/aloud');
    $(el, '#confirm-aloud').focus();
    await sendKeys({ press: 'Enter' });
    await done;
    expect(el.record!.confirmation).to.include({ mode: 'aloud', version: 1 });
    expect(text(el)).to.contain('Công dân đã xác nhận bản số 1 bằng lời');

    // 3. Receipt: two documents, the second added by keyboard.
    $(el, '#item-name-0').focus();
    await sendKeys({ type: 'Đơn kiến nghị' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Control+A' });
    await sendKeys({ type: '2' });
    $(el, '#add-item').focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    $(el, '#item-name-1').focus();
    await sendKeys({ type: 'Ảnh chụp cống' });
    done = stepDone(el, 'receipt');
    $(el, '#receipt-save').focus();
    await sendKeys({ press: 'Enter' });
    await done;
    expect(el.record!.receipt!.items.map((i) => [i.name, i.pages, i.form])).to.deep.equal([['Đơn kiến nghị', 2, 'original'], ['Ảnh chụp cống', 1, 'copy']]);
    expect(text(el)).to.match(/Giấy biên nhận số \d+\/GBN-TCD, 2 tài liệu/u);
    await expect(el).to.be.accessible();
  });

  it('an outcome without agency and document number is refused field by field; then handled, filed, and its papers downloaded', async () => {
    const id = await walkIn('Lê Thị Tám');
    const { case: c } = await apiCall<{ case: ReceptionCase }>({ baseUrl: server, token: tokens.clerk }, 'POST', `/api/v1/desk/cases/${id}/content`, { text: 'Bà Tám kiến nghị về đèn đường.' });
    await apiCall({ baseUrl: server, token: tokens.clerk }, 'POST', `/api/v1/desk/cases/${id}/confirmations/aloud`, { version: c.content!.version, sha256: c.content!.sha256 });
    const el = await mount(id);
    $<HTMLInputElement>(el, '#outcome-transferred').click();
    await el.updateComplete;
    $<HTMLInputElement>(el, '#answer-at_once').click();
    await el.updateComplete;
    const failed = new Promise<CustomEvent>((resolve) => el.addEventListener('tiepdan-error', (e) => resolve(e), { once: true }));
    $(el, '#handling-save').click();
    expect((await failed).detail.code).to.equal('validation_failed');
    await waitUntil(() => el.shadowRoot!.activeElement?.id === 'desk-error', 'focus goes to the error summary');
    expect([...el.shadowRoot!.querySelectorAll('#desk-error code')].map((n) => n.textContent)).to.deep.equal(['agency', 'documentNumber']);
    expect(el.record!.handling).to.equal(undefined);
    await expect(el).to.be.accessible();

    for (const [sel, value] of [['#agency', 'Điện lực Sa Đéc'], ['#document-number', '12/CV-UBND']] as const) {
      const input = $<HTMLInputElement>(el, sel);
      input.value = value;
      input.dispatchEvent(new Event('input'));
    }
    let done = stepDone(el, 'handling');
    $(el, '#handling-save').click();
    await done;
    expect(el.record!.handling).to.include({ outcome: 'transferred', agency: 'Điện lực Sa Đéc', documentNumber: '12/CV-UBND' });
    expect($(el, '#desk-error')).to.equal(null);
    await el.updateComplete;
    done = stepDone(el, 'close');
    $(el, '#close-save').click();
    expect(await done).to.equal('closed');
    await el.updateComplete;
    expect(text(el)).to.contain('Vụ việc đã vào sổ');

    // The paper comes with the token in a header; the saved object is the PDF itself.
    const saved: Blob[] = [];
    const original = URL.createObjectURL;
    URL.createObjectURL = (blob: Blob | MediaSource) => (saved.push(blob as Blob), original.call(URL, blob));
    try {
      $(el, 'button[data-paper="record"][data-format="pdf"]').click();
      await waitUntil(() => saved.length === 1, 'no file saved', { timeout: 15_000 });
    } finally {
      URL.createObjectURL = original;
    }
    expect(new TextDecoder().decode(await saved[0]!.slice(0, 5).arrayBuffer())).to.equal('%PDF-');

    // 320 px, and 200 % zoom on a 640 px window: nothing sticks out.
    for (const [width, fontSize] of [['320px', '18px'], ['640px', '36px']] as const) {
      el.style.width = width;
      el.style.setProperty('--tiepdan-font-size', fontSize);
      await el.updateComplete;
      expect(el.scrollWidth, `${width} ${fontSize}`).to.be.at.most(el.clientWidth + 1);
      const wide = [...el.shadowRoot!.querySelectorAll('*')].filter((n) => n.getBoundingClientRect().right > el.getBoundingClientRect().right + 1);
      expect(wide.map((n) => `${n.tagName}#${n.id}`), `${width} ${fontSize}`).to.deep.equal([]);
    }
  });

  it('speaks English, and an observer is refused by the server', async () => {
    const id = await walkIn('Phạm Văn Chín');
    const el = await fixture<TiepdanDesk>(html`<tiepdan-desk lang="en" server=${server} case=${id}></tiepdan-desk>`);
    const failed = new Promise<CustomEvent>((resolve) => el.addEventListener('tiepdan-error', (e) => resolve(e), { once: true }));
    el.token = tokens.observer!;
    expect((await failed).detail.code).to.equal('forbidden');
    el.token = tokens.clerk!;
    await waitUntil(() => el.record?.id === id);
    await el.updateComplete;
    expect(text(el)).to.contain('1. Identity check');
    expect(text(el)).to.contain('Being received');
    await expect(el).to.be.accessible();
  });
});
