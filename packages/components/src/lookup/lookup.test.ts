// Browser tests of <tiepdan-lookup>. Errors that need no server (form checks, unreachable server) always run;
// not-found runs against the real server the test runner starts (window.TIEPDAN_TEST_SERVER), always.
import { expect, fixture, oneEvent, waitUntil } from '@open-wc/testing';
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
});
