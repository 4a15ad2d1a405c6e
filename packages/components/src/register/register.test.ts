// <tiepdan-register> against the real server the test runner starts: the lines of a period filtered by kind and
// outcome, a case opened in the desk panel, the book downloaded as .xlsx/.docx/PDF/CSV with the token in a header,
// a unit the token does not reach refused, a capped .docx answered with the server's advice, axe, keyboard, and
// 320 px / 200 % zoom.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { ReceptionCase } from '@tiepdan/core';
import { apiCall } from '@tiepdan/core/browser';
import './register.js';
import type { TiepdanRegister } from './register.component.js';

const server = window.TIEPDAN_TEST_SERVER!;
const tokens = window.TIEPDAN_TEST_TOKENS!;
const clerk = { baseUrl: server, token: tokens.clerk };
const $ = <T extends HTMLElement = HTMLElement>(el: Element, selector: string) => el.shadowRoot!.querySelector<T>(selector)!;

const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());

async function walkIn(name: string, kind: string, transferred: boolean): Promise<ReceptionCase> {
  const { case: c } = await apiCall<{ case: ReceptionCase }>(clerk, 'POST', '/api/v1/desk/cases', { kind, citizen: { fullName: name, address: 'Khóm 1, phường Sa Đéc' }, summary: `Nội dung của ${name}` });
  if (!transferred) return c;
  const { case: withContent } = await apiCall<{ case: ReceptionCase }>(clerk, 'POST', `/api/v1/desk/cases/${c.id}/content`, { text: `Nội dung của ${name}` });
  await apiCall(clerk, 'POST', `/api/v1/desk/cases/${c.id}/confirmations/aloud`, { version: 1, sha256: withContent.content!.sha256 });
  return (await apiCall<{ case: ReceptionCase }>(clerk, 'POST', `/api/v1/desk/cases/${c.id}/handling`, { outcome: 'transferred', agency: 'Thanh tra tỉnh', documentNumber: '7/CĐ-UBND', answer: { mode: 'at_once' } })).case;
}

describe('<tiepdan-register>', () => {
  it('lists the period, filters by kind and outcome by keyboard, opens a case, downloads the book', async () => {
    const tag = `Sổ${Date.now()}`;
    const a = await walkIn(`Nguyễn Văn ${tag}`, 'khieu_nai', true);
    const b = await walkIn(`Trần Thị ${tag}`, 'kien_nghi', false);
    const el = await fixture<TiepdanRegister>(html`<tiepdan-register server=${server} from=${today} to=${today}></tiepdan-register>`);
    el.token = tokens.official!;
    await waitUntil(() => el.entries?.some((e) => e.caseId === b.id), 'the lines did not load', { timeout: 10_000 });
    await el.updateComplete;
    expect(el.entries!.some((e) => e.caseId === a.id)).to.equal(true);
    await expect(el).to.be.accessible();

    // Filter by kind "khiếu nại" and outcome "chuyển đơn" with the keyboard only.
    $(el, '#f-kind').focus();
    await sendKeys({ press: 'ArrowDown' });
    $(el, '#f-outcome').focus();
    for (let i = 0; i < 3; i += 1) await sendKeys({ press: 'ArrowDown' });
    expect($<HTMLSelectElement>(el, '#f-kind').value).to.equal('khieu_nai');
    expect($<HTMLSelectElement>(el, '#f-outcome').value).to.equal('transferred');
    $(el, '#apply').focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.entries?.every((e) => e.kind === 'khieu_nai' && e.outcome === 'transferred') && el.entries.some((e) => e.caseId === a.id), 'filter not applied');
    await el.updateComplete;
    expect(el.entries!.some((e) => e.caseId === b.id)).to.equal(false);
    const line = $(el, `li[data-case="${a.id}"]`);
    expect(line.textContent).to.contain(`Nguyễn Văn ${tag}`);
    expect(line.querySelector('.outcome')!.textContent).to.contain('Chuyển đơn đến cơ quan có thẩm quyền: Thanh tra tỉnh, số 7/CĐ-UBND');

    // Open the case: the desk panel appears with it, focus moves there.
    line.querySelector('button')!.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.opened === a.id && el.shadowRoot!.activeElement?.id === 'opened-heading', 'the case did not open');
    const desk = $(el, 'tiepdan-desk') as HTMLElement & { record?: ReceptionCase };
    await waitUntil(() => desk.record?.id === a.id, 'the desk did not load the case', { timeout: 10_000 });

    // The book as .xlsx (a zip), .docx (a zip) and CSV (UTF-8 with BOM) from the same filters.
    const saved: Blob[] = [];
    const original = URL.createObjectURL;
    URL.createObjectURL = (blob: Blob | MediaSource) => (saved.push(blob as Blob), original.call(URL, blob));
    const formats = ['xlsx', 'docx', 'pdf', 'csv'];
    try {
      for (const format of formats) {
        $(el, `button[data-format="${format}"]`).click();
        await waitUntil(() => saved.length === formats.indexOf(format) + 1, `no ${format}`, { timeout: 15_000 });
      }
    } finally {
      URL.createObjectURL = original;
    }
    const head = async (blob: Blob, n: number) => new Uint8Array(await blob.slice(0, n).arrayBuffer());
    expect([...(await head(saved[0]!, 2))]).to.deep.equal([0x50, 0x4b]);
    expect([...(await head(saved[1]!, 2))]).to.deep.equal([0x50, 0x4b]);
    expect(new TextDecoder().decode(await head(saved[2]!, 5))).to.equal('%PDF-');
    expect(saved[2]!.type).to.equal('application/pdf');
    expect([...(await head(saved[3]!, 3))]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const csv = await saved[3]!.text();
    expect(csv).to.contain(`Nguyễn Văn ${tag}`);
    expect(csv).to.not.contain(`Trần Thị ${tag}`);

    for (const [width, fontSize] of [['320px', '18px'], ['640px', '36px']] as const) {
      el.style.width = width;
      el.style.setProperty('--tiepdan-font-size', fontSize);
      await el.updateComplete;
      expect(el.scrollWidth, `${width} ${fontSize}`).to.be.at.most(el.clientWidth + 1);
    }
    await expect(el).to.be.accessible();
  });

  it('a unit the token does not reach is refused; English labels', async () => {
    const el = await fixture<TiepdanRegister>(html`<tiepdan-register lang="en" server=${server}></tiepdan-register>`);
    el.token = tokens.clerk!;
    await waitUntil(() => el.entries !== undefined);
    const unit = $<HTMLInputElement>(el, '#f-unit');
    unit.value = 'dongthap.caolanh';
    unit.dispatchEvent(new Event('input'));
    const failed = new Promise<CustomEvent>((resolve) => el.addEventListener('tiepdan-error', (e) => resolve(e), { once: true }));
    $(el, '#apply').click();
    expect((await failed).detail.code).to.equal('forbidden');
    await el.updateComplete;
    expect(el.shadowRoot!.textContent).to.contain('Citizen reception register');
    await expect(el).to.be.accessible();
  });

  it("a .docx above desk.docxMaxLines shows the server's advice (a shorter period or the .xlsx), focused, in vi and en", async () => {
    // The test server caps the .docx at 8 lines (web-test-runner.config.mjs): nine walk-ins today pass it.
    for (let i = 0; i < 9; i += 1) await walkIn(`Phạm Văn Cap${i}`, 'phan_anh', false);
    const el = await fixture<TiepdanRegister>(html`<tiepdan-register server=${server} from=${today} to=${today}></tiepdan-register>`);
    el.token = tokens.clerk!;
    await waitUntil(() => (el.entries?.length ?? 0) > 8, 'the lines did not load', { timeout: 10_000 });
    const failed = new Promise<CustomEvent>((resolve) => el.addEventListener('tiepdan-error', (e) => resolve(e), { once: true }));
    $(el, 'button[data-format="docx"]').click();
    expect((await failed).detail.code).to.equal('validation_failed');
    await waitUntil(() => el.shadowRoot!.activeElement?.id === 'register-error', 'the advice is not focused');
    const advice = () => $(el, '#register-error').textContent!.replace(/\s+/gu, ' ');
    expect(advice()).to.contain('Xin chọn khoảng thời gian ngắn hơn, hoặc tải tệp Excel (.xlsx).');
    expect(advice()).to.not.contain('Vui lòng kiểm tra các mục được đánh dấu', 'not the generic message');
    await expect(el).to.be.accessible();
    el.setAttribute('lang', 'en');
    await el.updateComplete;
    expect(advice()).to.contain('Please choose a shorter period, or download the Excel file (.xlsx).');
    // The .xlsx of the same period still comes, and the advice goes away.
    const saved: Blob[] = [];
    const original = URL.createObjectURL;
    URL.createObjectURL = (blob: Blob | MediaSource) => (saved.push(blob as Blob), original.call(URL, blob));
    try {
      $(el, 'button[data-format="xlsx"]').click();
      await waitUntil(() => saved.length === 1, 'no xlsx', { timeout: 15_000 });
    } finally {
      URL.createObjectURL = original;
    }
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('#register-error')).to.equal(null);
  });
  it('the deadlines still running: a complaint not yet accepted is listed with its 10-day limit as dd/mm/yyyy, opened by keyboard, axe clean', async () => {
    const tag = `Hạn${Date.now()}`;
    const c = await walkIn(`Lê Văn ${tag}`, 'khieu_nai', false);
    const el = await fixture<TiepdanRegister>(html`<tiepdan-register server=${server} from=${today} to=${today}></tiepdan-register>`);
    el.token = tokens.clerk!;
    await waitUntil(() => el.entries !== undefined, 'the lines did not load', { timeout: 10_000 });
    $(el, '#show-deadlines').focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.deadlines?.deadlines.some((d) => d.caseId === c.id) && el.shadowRoot!.activeElement?.id === 'deadlines-heading', 'the deadlines did not show', { timeout: 10_000 });
    await el.updateComplete;
    const item = $(el, `li.deadline[data-case="${c.id}"]`);
    const due = new Date(Date.parse(`${today}T00:00:00Z`) + 10 * 86_400_000).toISOString().slice(0, 10).split('-').reverse().join('/');
    expect(item.dataset.status).to.equal('upcoming');
    expect(item.textContent).to.contain(`Số ${c.registerNumber}/${c.registerYear}`);
    expect(item.textContent).to.contain(`thụ lý: hạn ${due}`);
    expect(item.textContent).to.contain('Còn hạn');
    await expect(el).to.be.accessible();
    item.querySelector('button')!.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.opened === c.id, 'the case did not open from its deadline');
  });
});
