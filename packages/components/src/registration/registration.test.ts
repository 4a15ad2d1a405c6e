// Browser tests of <tiepdan-registration> in Chromium with real IndexedDB. Pure-UI tests read the server's meta
// from the device cache (seeded through db.putValue, the same store the element fills when online); tests that
// talk to a server use window.TIEPDAN_TEST_SERVER (a real tiepdan server started by the test runner).
import { DEFAULT_RULES, REFERENCE_PATTERN, type MetaResponse, type Registration } from '@tiepdan/core';
import { openLocalDatabase, type OutboxRecord } from '@tiepdan/core/browser';
import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { fieldId } from '../shared/controls.js';
import { define } from '../shared/define.js';
import { TiepdanRegistration, metaCacheKey } from './registration.component.js';
import './registration.js';
import '../lookup/lookup.js';
import '../screening/screening.js';


const META: MetaResponse = {
  unit: { code: 'test', name: 'UBND phường Thử', provinceCode: '82' },
  communes: [
    { code: '29869', name: 'Phường Sa Đéc' },
    { code: '30001', name: 'Xã Lai Vung' },
  ],
  privacyNotice: {
    version: 'v-test',
    text: { vi: 'Mục đích: tiếp công dân.\nChỉ cán bộ được giao mới được xem.', en: 'Purpose: citizen reception.\nOnly the officers handling it see it.' },
  },
  rules: DEFAULT_RULES,
  remoteAttendanceAllowed: true,
  connectionPoints: [{ id: 'p1', name: 'Trụ sở UBND' }],
};

let counter = 0;
/** A fresh unit (so a fresh IndexedDB database) with the meta already in the device cache. */
async function seededUnit(meta: MetaResponse = META): Promise<string> {
  const unit = `t${Date.now().toString(36)}${(counter += 1)}`;
  const { db } = await openLocalDatabase(`registration:${unit}`);
  await db.putValue(metaCacheKey(unit), { ...meta, unit: { ...meta.unit, code: unit } });
  db.close();
  return unit;
}

const root = (el: HTMLElement) => el.shadowRoot!;
const $ = <T extends Element = HTMLElement>(el: HTMLElement, selector: string) => root(el).querySelector<T>(selector);
const field = <T extends Element = HTMLInputElement>(el: HTMLElement, path: string) => $<T>(el, `#${fieldId(path)}`)!;
const heading = (el: HTMLElement) => $(el, 'h2[part="step-heading"]')?.textContent?.trim() ?? '';

async function ready(el: HTMLElement): Promise<void> {
  await waitUntil(() => heading(el) !== '' || $(el, '[role="alert"]'), 'form did not load', { timeout: 5000 });
}

async function mount(unit: string, extra = ''): Promise<TiepdanRegistration> {
  const wrapper = await fixture<HTMLDivElement>(`<div><tiepdan-registration unit="${unit}" ${extra}></tiepdan-registration></div>`);
  const el = wrapper.querySelector('tiepdan-registration')!;
  await ready(el);
  return el;
}

async function type(el: TiepdanRegistration, path: string, value: string): Promise<void> {
  const input = field<HTMLInputElement | HTMLTextAreaElement>(el, path);
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  await el.updateComplete;
}

async function pick(el: TiepdanRegistration, path: string, value: string): Promise<void> {
  const select = field<HTMLSelectElement>(el, path);
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
  await el.updateComplete;
}

async function radio(el: TiepdanRegistration, path: string, value: string): Promise<void> {
  const input = [...root(el).querySelectorAll<HTMLInputElement>(`input[name="${fieldId(path)}"]`)].find((i) => i.value === value)!;
  input.click();
  await el.updateComplete;
}

const submitButton = (el: HTMLElement) => $<HTMLButtonElement>(el, 'button[type="submit"]')!;

/** Presses Continue and waits for the next step. */
async function next(el: TiepdanRegistration): Promise<void> {
  const moved = oneEvent(el, 'tiepdan-step-change');
  submitButton(el).click();
  await moved;
  await el.updateComplete;
}

/** Presses Continue expecting errors; resolves when the error summary is shown. */
async function rejectStep(el: TiepdanRegistration): Promise<HTMLElement> {
  submitButton(el).click();
  await waitUntil(() => $(el, '.error-summary'), 'no error summary');
  await el.updateComplete;
  return $<HTMLElement>(el, '.error-summary')!;
}

/** Answers each step in turn; `onStep` runs on every step before Continue (used for the axe checks). */
async function fillToCheck(el: TiepdanRegistration, onStep: (id: string) => Promise<void> = async () => {}): Promise<void> {
  await onStep('privacy');
  field(el, 'privacy.acknowledged').click();
  await next(el);
  await onStep('kind');
  await radio(el, 'kind', 'kien_nghi');
  await next(el);
  await onStep('identity');
  await type(el, 'identity.fullName', 'Nguyễn Thị Hoa');
  await next(el);
  await onStep('address');
  await pick(el, 'address.communeCode', '29869');
  await type(el, 'address.detail', 'Khóm 3');
  await next(el);
  await onStep('contact');
  await type(el, 'contact.phone', '0912 345 678');
  await next(el);
  await onStep('content');
  await type(el, 'content.summary', 'Đường vào khóm 3 ngập nước quanh năm, đề nghị nâng cấp.');
  await next(el);
  await onStep('group');
  await next(el);
  await onStep('attachments');
  await next(el);
  await onStep('attendance');
  await radio(el, 'attendance.mode', 'connection_point');
  await next(el);
  await onStep('session');
  await next(el);
}

describe('define', () => {
  it('ignores a second registration of the same tag without throwing, and warns on a version clash', () => {
    expect(customElements.get('tiepdan-registration')).to.equal(TiepdanRegistration);
    const warnings: unknown[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args);
    try {
      expect(() => define('tiepdan-registration', TiepdanRegistration)).not.to.throw();
      expect(warnings).to.have.length(0);
      class Newer extends TiepdanRegistration {
        static override readonly version = '9.9.9' as typeof TiepdanRegistration.version;
      }
      expect(() => define('tiepdan-registration', Newer)).not.to.throw();
      expect(warnings).to.have.length(1);
      expect(String((warnings[0] as unknown[])[0])).to.contain('9.9.9');
    } finally {
      console.warn = original;
    }
    expect(customElements.get('tiepdan-registration')).to.equal(TiepdanRegistration);
  });
});

describe('<tiepdan-registration> steps and validation', () => {
  it('shows the privacy notice from the cached meta, in Vietnamese by default', async () => {
    const el = await mount(await seededUnit());
    expect(heading(el)).to.equal('Thông báo xử lý dữ liệu cá nhân');
    expect($(el, '.notice')!.textContent).to.contain('Chỉ cán bộ được giao');
    expect(submitButton(el).textContent).to.contain('Tiếp tục');
  });

  it('speaks English with lang="en", and follows the closest ancestor lang', async () => {
    const unit = await seededUnit();
    // The English words load on demand (shared/strings.ts) and this is the first English element of the page: every
    // render it makes, from the first, is in English, none in the Vietnamese it would fall back to meanwhile.
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    const el = Object.assign(document.createElement('tiepdan-registration'), { unit });
    el.setAttribute('lang', 'en');
    host.append(el);
    const rendered: string[] = [];
    new MutationObserver(() => rendered.push(root(el).textContent ?? '')).observe(root(el), { subtree: true, childList: true, characterData: true });
    await ready(el);
    expect(rendered.length).to.be.greaterThan(0);
    for (const text of rendered) expect(text).to.not.match(/Đang tải|Thông báo xử lý|Tiếp tục/u);
    expect(heading(el)).to.equal('How we use your personal data');
    expect($(el, '.notice')!.textContent).to.contain('Only the officers');
    el.remove();
    const wrapper = await fixture<HTMLDivElement>(`<div lang="en-GB"><tiepdan-registration unit="${unit}"></tiepdan-registration></div>`);
    const inner = wrapper.querySelector('tiepdan-registration')!;
    await ready(inner);
    expect(submitButton(inner).textContent).to.contain('Continue');
    const summary = await rejectStep(inner);
    expect(summary.textContent).to.contain('There is a problem');
    expect(summary.textContent).to.contain('Please confirm you have read the personal data notice.');
  });

  it('blocks Continue with an error summary that takes focus and links to the field', async () => {
    const el = await mount(await seededUnit());
    const summary = await rejectStep(el);
    expect(summary.getAttribute('role')).to.equal('alert');
    expect(root(el).activeElement).to.equal(summary);
    expect(heading(el)).to.equal('Thông báo xử lý dữ liệu cá nhân');
    const checkbox = field(el, 'privacy.acknowledged');
    expect(checkbox.getAttribute('aria-invalid')).to.equal('true');
    const errorId = checkbox.getAttribute('aria-describedby')!;
    expect(root(el).getElementById(errorId)!.textContent).to.contain('Vui lòng xác nhận');
    const before = location.href;
    summary.querySelector('a')!.click();
    expect(root(el).activeElement).to.equal(checkbox);
    expect(location.href).to.equal(before);
    await expect(el).to.be.accessible();
  });

  it('names a radio group in the error summary by its legend, not by its first choice', async () => {
    const el = await mount(await seededUnit());
    field(el, 'privacy.acknowledged').click();
    await next(el);
    const summary = await rejectStep(el);
    expect(summary.querySelector('a')!.textContent!.trim()).to.match(/^Loại đơn: /u);
  });

  it('validates only the current step, with the core rules (CCCD against date of birth)', async () => {
    const el = await mount(await seededUnit());
    field(el, 'privacy.acknowledged').click();
    await next(el);
    await radio(el, 'kind', 'khieu_nai');
    await next(el);
    expect(heading(el)).to.equal('Thông tin người đứng đơn');
    const summary = await rejectStep(el);
    // A complaint needs the ID number; later steps (address, contact) are not reported here.
    const text = summary.textContent!;
    expect(text).to.contain('Họ và tên: Vui lòng nhập thông tin này.');
    expect(text).not.to.contain('số điện thoại');
    expect(text).not.to.contain('tỉnh, thành phố');
    await type(el, 'identity.fullName', 'Trần Văn Bình');
    await pick(el, 'identity.idType', 'cccd');
    await type(el, 'identity.idNumber', '087160001234');
    await type(el, 'identity.dateOfBirth', '15/03/1958');
    await radio(el, 'identity.sex', 'male');
    const again = await rejectStep(el);
    expect(again.textContent).to.contain('không khớp với ngày sinh');
    expect(field(el, 'identity.idNumber').getAttribute('aria-invalid')).to.equal('true');
    await type(el, 'identity.idNumber', '087058001234');
    await next(el);
    expect(heading(el)).to.equal('Địa chỉ nơi ở');
    expect(field<HTMLSelectElement>(el, 'address.provinceCode').value).to.equal('82');
  });

  it('asks a denunciation for the violation and the accused, with the confidentiality notice', async () => {
    const el = await mount(await seededUnit());
    field(el, 'privacy.acknowledged').click();
    await next(el);
    await radio(el, 'kind', 'to_cao');
    await next(el);
    await type(el, 'identity.fullName', 'Lê Văn Cường');
    await next(el);
    await pick(el, 'address.communeCode', '30001');
    await type(el, 'address.detail', 'Ấp Tân Hòa');
    await next(el);
    await type(el, 'contact.phone', '0356789012');
    await next(el);
    expect(root(el).textContent).to.contain('giữ bí mật');
    await type(el, 'content.summary', 'Lấn chiếm đất công.');
    const summary = await rejectStep(el);
    expect(summary.textContent).to.contain('hành vi vi phạm');
    expect(summary.textContent).to.contain('người bị tố cáo');
    await expect(el).to.be.accessible();
  });

  it('applies the representative limits for the group size', async () => {
    const el = await mount(await seededUnit());
    await fillToCheck(el);
    const changeGroup = [...root(el).querySelectorAll<HTMLButtonElement>('dd.action button')].find((b) => b.textContent!.includes('Số người cùng nội dung'))!;
    changeGroup.click();
    await waitUntil(() => heading(el) === 'Người cùng nội dung và người hỗ trợ');
    await type(el, 'group.size', '6');
    expect(root(el).textContent).to.contain('Nhóm 6 người cử từ 1 đến 2 người đại diện.');
    const summary = await rejectStep(el);
    expect(summary.textContent).to.contain('Số người đại diện không đúng');
    field<HTMLButtonElement>(el, 'group.representatives').click();
    await el.updateComplete;
    await type(el, 'group.representatives.0.fullName', 'Phạm Thị Dung');
    await next(el);
    // Changing an answer from the check page returns to the check page.
    expect(heading(el)).to.equal('Kiểm tra lại trước khi gửi');
    expect(root(el).textContent).to.contain('Phạm Thị Dung');
  });

  it('goes back with the back link and keeps the answers', async () => {
    const el = await mount(await seededUnit());
    field(el, 'privacy.acknowledged').click();
    await next(el);
    await radio(el, 'kind', 'phan_anh');
    await next(el);
    const back = $<HTMLButtonElement>(el, 'button.back')!;
    expect(back.textContent).to.contain('Quay lại');
    back.click();
    await waitUntil(() => heading(el) === 'Ông/bà muốn gửi loại đơn nào?');
    const checked = root(el).querySelector<HTMLInputElement>(`input[name="${fieldId('kind')}"]:checked`);
    expect(checked?.value).to.equal('phan_anh');
  });

  it('passes axe on every step, the check page and with errors shown', async () => {
    const el = await mount(await seededUnit());
    const seen: string[] = [];
    await fillToCheck(el, async (id) => {
      seen.push(id);
      await expect(el).to.be.accessible();
    });
    expect(seen).to.have.length(10);
    expect(heading(el)).to.equal('Kiểm tra lại trước khi gửi');
    await expect(el).to.be.accessible();
    $<HTMLButtonElement>(el, 'button.back')!.click();
    await waitUntil(() => heading(el) === 'Ông/bà muốn được tiếp vào buổi nào?');
    await expect(el).to.be.accessible();
  });
});

describe('<tiepdan-registration> drafts', () => {
  it('keeps the draft in IndexedDB across a re-created element and offers to continue or start over', async () => {
    const unit = await seededUnit();
    const el = await mount(unit);
    field(el, 'privacy.acknowledged').click();
    await next(el);
    await radio(el, 'kind', 'kien_nghi');
    await next(el);
    const saved = oneEvent(el, 'tiepdan-draft-saved');
    await type(el, 'identity.fullName', 'Võ Minh Em');
    expect($(el, '[part="status"]')!.textContent).to.contain('Đang lưu');
    await waitUntil(() => $(el, '[part="status"]')!.textContent!.includes('Đã lưu trên thiết bị này'), 'not saved', { timeout: 3000 });
    expect((await saved).detail.status).to.be.oneOf(['pending', 'saved']);
    el.parentElement!.remove();

    const again = await mount(unit);
    expect(heading(again)).to.equal('Ông/bà có một hồ sơ đang làm dở');
    const [resume, startNew] = [...root(again).querySelectorAll('button')];
    expect(resume!.textContent).to.contain('Tiếp tục hồ sơ đang làm');
    expect(startNew!.textContent).to.contain('Làm hồ sơ mới');
    resume!.click();
    await waitUntil(() => heading(again) === 'Thông tin người đứng đơn');
    expect(field(again, 'identity.fullName').value).to.equal('Võ Minh Em');
    again.parentElement!.remove();

    const third = await mount(unit);
    [...root(third).querySelectorAll('button')][1]!.click();
    await waitUntil(() => heading(third) === 'Thông báo xử lý dữ liệu cá nhân');
    expect(field(third, 'privacy.acknowledged').checked).to.equal(false);
    const { db } = await openLocalDatabase(`registration:${unit}`);
    expect((await db.getDraft(unit))?.data ?? undefined).to.equal(undefined);
    db.close();
  });

  it('flushes the draft at once when the page is hidden', async () => {
    const unit = await seededUnit();
    const el = await mount(unit);
    field(el, 'privacy.acknowledged').click();
    await el.updateComplete;
    window.dispatchEvent(new PageTransitionEvent('pagehide'));
    const { db } = await openLocalDatabase(`registration:${unit}`);
    await waitUntil(async () => Boolean(await db.getDraft(unit)), 'not flushed', { timeout: 300 });
    const draft = await db.getDraft<{ reg: Registration }>(unit);
    expect(draft!.data.reg.privacy?.acknowledged).to.equal(true);
    expect(draft!.data.reg.privacy?.version).to.equal('v-test');
    db.close();
  });
});

describe('<tiepdan-registration> keyboard and host pages', () => {
  it('does not continue on an Enter that commits an IME composition, but does on a plain Enter', async () => {
    const el = await mount(await seededUnit());
    field(el, 'privacy.acknowledged').click();
    await next(el);
    await radio(el, 'kind', 'kien_nghi');
    await next(el);
    const input = field(el, 'identity.fullName');
    await type(el, 'identity.fullName', 'Nguyễn');
    const form = $<HTMLFormElement>(el, 'form')!;
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, composed: true }));
    form.requestSubmit();
    await aTimeout(20);
    expect(heading(el)).to.equal('Thông tin người đứng đơn');
    expect(input.value).to.equal('Nguyễn');
    input.focus();
    const moved = oneEvent(el, 'tiepdan-step-change');
    await sendKeys({ press: 'Enter' });
    expect((await moved).detail.step).to.equal('address');
  });

  it('keeps an outer <form> of the host page from submitting', async () => {
    const unit = await seededUnit();
    const outer = await fixture<HTMLFormElement>(html`<form action="/should-not-go" method="post"><input name="q" /><tiepdan-registration unit=${unit}></tiepdan-registration></form>`);
    let outerSubmits = 0;
    outer.addEventListener('submit', (event) => {
      outerSubmits += 1;
      event.preventDefault();
    });
    const el = outer.querySelector('tiepdan-registration')!;
    await ready(el);
    const shadowForm = $<HTMLFormElement>(el, 'form')!;
    field(el, 'privacy.acknowledged').click();
    await next(el);
    await radio(el, 'kind', 'kien_nghi');
    await next(el);
    field(el, 'identity.fullName').focus();
    await sendKeys({ type: 'Hoa' });
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => heading(el) === 'Địa chỉ nơi ở');
    $<HTMLButtonElement>(el, 'button.back')!.click();
    await waitUntil(() => heading(el) === 'Thông tin người đứng đơn');
    for (const button of root(el).querySelectorAll('button')) expect(button.form).to.equal(shadowForm);
    expect(outerSubmits).to.equal(0);
  });

  it('fits a 320 px wide page without horizontal overflow', async () => {
    const unit = await seededUnit();
    const box = await fixture<HTMLDivElement>(`<div style="width:320px"><tiepdan-registration unit="${unit}"></tiepdan-registration></div>`);
    const el = box.querySelector('tiepdan-registration')!;
    await ready(el);
    const check = () => {
      const limit = box.getBoundingClientRect().right + 0.5;
      for (const node of root(el).querySelectorAll('*')) {
        const rect = node.getBoundingClientRect();
        if (rect.width > 0 && node.checkVisibility() && !node.classList.contains('sr-only')) expect(rect.right, `${node.tagName}#${node.id}.${node.className}`).to.be.at.most(limit);
      }
      expect(el.scrollWidth).to.be.at.most(320);
    };
    check();
    await fillToCheck(el, async (id) => {
      if (id === 'address') {
        // The old-address block is collapsed; open it, and let a frame pass so the browser lays its content out.
        $<HTMLDetailsElement>(el, 'details')!.open = true;
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      }
      if (id === 'identity' || id === 'address' || id === 'attachments') check();
    });
    check();
  });
});

describe('<tiepdan-registration> attachments', () => {
  async function toAttachments(el: TiepdanRegistration): Promise<void> {
    let reached = false;
    await fillToCheck(el, async (id) => void (id === 'attachments' && (reached = true)));
    expect(reached).to.equal(true);
    [...root(el).querySelectorAll<HTMLButtonElement>('dd.action button')].find((b) => b.textContent!.includes('Tài liệu'))!.click();
    await waitUntil(() => heading(el) === 'Tài liệu, chứng cứ');
  }

  async function bigPng(width: number, height: number): Promise<File> {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#c00';
    context.fillRect(0, 0, width, height);
    const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
    return new File([blob], 'don-khieu-nai.png', { type: 'image/png' });
  }

  function drop(input: HTMLInputElement, files: File[]): void {
    const transfer = new DataTransfer();
    for (const file of files) transfer.items.add(file);
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }

  const sha256 = async (blob: Blob) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()))].map((b) => b.toString(16).padStart(2, '0')).join('');

  it('keeps chosen files byte for byte, downscales only camera captures and says so, and removes them', async () => {
    const unit = await seededUnit();
    const el = await mount(unit);
    await toAttachments(el);
    const [camera, chooser] = [...root(el).querySelectorAll<HTMLInputElement>('input[type="file"]')];
    expect(camera!.getAttribute('capture')).to.equal('environment');
    expect(camera!.accept).to.equal('image/*');
    expect(chooser!.accept).to.contain('application/pdf');
    // Before anything is picked, the step says which button shrinks photos and which sends files as they are.
    expect($(el, '#attach-how')!.textContent).to.contain('Ảnh chụp bằng nút “Chụp ảnh” sẽ được thu nhỏ');
    expect($(el, '#attach-how')!.textContent).to.contain('gửi nguyên vẹn');
    expect(camera!.getAttribute('aria-describedby')).to.contain('attach-how');

    const chosen = await bigPng(3200, 1800);
    const pdf = new File(['%PDF-1.4\n%…\n'], 'quyet-dinh.pdf', { type: 'application/pdf' });
    drop(chooser!, [chosen, pdf]);
    await waitUntil(() => root(el).querySelectorAll('.panel').length === 2, 'files not added', { timeout: 5000 });
    expect(root(el).querySelector('.downscaled')).to.equal(null, 'no downscale notice on chosen files');

    const captured = new File([await (await bigPng(3200, 1800)).arrayBuffer()], 'anh-chup.png', { type: 'image/png' });
    drop(camera!, [captured]);
    await waitUntil(() => root(el).querySelectorAll('.panel').length === 3, 'capture not added', { timeout: 5000 });
    const panels = [...root(el).querySelectorAll('.panel')];
    const capturePanel = panels.find((p) => p.textContent!.includes('anh-chup.jpg'))!;
    expect(capturePanel.querySelector('.downscaled')!.textContent).to.equal('Ảnh chụp này đã được thu nhỏ để gửi nhanh. Nếu cần gửi ảnh gốc, ông/bà hãy xóa ảnh này và dùng nút “Chọn tệp”.');
    expect(panels.filter((p) => p.querySelector('.downscaled')).length).to.equal(1);
    expect(panels.find((p) => p.textContent!.includes('don-khieu-nai.png'))!.textContent).to.contain('Gửi nguyên vẹn.');
    await expect(el).to.be.accessible();

    const { db } = await openLocalDatabase(`registration:${unit}`);
    const files = await db.getFiles(unit);
    const original = files.find((f) => f.name === 'don-khieu-nai.png')!;
    expect(original.size).to.equal(chosen.size);
    expect(await sha256(original.blob)).to.equal(await sha256(chosen));
    expect(files.find((f) => f.name === 'quyet-dinh.pdf')!.size).to.equal(pdf.size);
    const photo = files.find((f) => f.name === 'anh-chup.jpg')!;
    expect(photo.type).to.equal('image/jpeg');
    const bitmap = await createImageBitmap(photo.blob);
    expect([bitmap.width, bitmap.height]).to.deep.equal([1600, 900]);

    // The notice survives a reload: the form state that marks the capture is the saved draft.
    await waitUntil(() => $(el, '[part="status"]')!.textContent!.includes('Đã lưu trên thiết bị này'), 'not saved', { timeout: 5000 });
    el.parentElement!.remove();
    const again = await mount(unit);
    [...root(again).querySelectorAll('button')][0]!.click();
    await waitUntil(() => heading(again) === 'Tài liệu, chứng cứ', 'draft not resumed on the attachments step', { timeout: 5000 });
    expect(root(again).querySelectorAll('.downscaled').length).to.equal(1);

    const remove = [...root(again).querySelectorAll<HTMLButtonElement>('.panel button')][0]!;
    remove.click();
    await waitUntil(() => root(again).querySelectorAll('.panel').length === 2);
    await waitUntil(async () => (await db.getFiles(unit)).length === 2, 'file not removed');
    db.close();
    const text = new File(['hello'], 'notes.txt', { type: 'text/plain' });
    drop([...root(again).querySelectorAll<HTMLInputElement>('input[type="file"]')][1]!, [text]);
    await waitUntil(() => root(again).textContent!.includes('không phải ảnh hoặc PDF'));
  });
});

describe('<tiepdan-registration> loading the meta', () => {
  it('says so and offers a retry when there is neither a server answer nor a cached copy', async () => {
    const el = await mount(`nometa${Date.now()}`, 'server="http://127.0.0.1:9"');
    const alert = $(el, '[role="alert"]')!;
    expect(alert.textContent).to.contain('Không tải được biểu mẫu');
    expect($(el, 'button')!.textContent).to.contain('Thử lại');
    await expect(el).to.be.accessible();
  });
});

describe('<tiepdan-registration> submission without a network', () => {
  it('queues the registration, says it is saved on this device, and shows the waiting state after a reload', async () => {
    const unit = await seededUnit();
    const el = await mount(unit, 'server="http://127.0.0.1:9"');
    await fillToCheck(el);
    const queued = oneEvent(el, 'tiepdan-submit-queued');
    submitButton(el).click();
    const { clientId } = (await queued).detail;
    await waitUntil(() => heading(el) === 'Đã lưu trên máy này, sẽ gửi khi có mạng');
    await waitUntil(() => !$<HTMLButtonElement>(el, '[part="confirmation"] button[part="button"]')!.disabled, 'still sending', { timeout: 5000 });
    expect($(el, '[part="confirmation"] button[part="button"]')!.textContent).to.contain('Gửi lại ngay');
    await expect(el).to.be.accessible();

    const { db } = await openLocalDatabase(`registration:${unit}`);
    const entry = await db.getOutbox<Registration, unknown>(clientId);
    expect(entry?.state).to.equal('pending');
    expect(entry?.payload.contact.phone).to.equal('+84912345678');
    expect(await db.getDraft(unit)).to.equal(undefined);
    db.close();
    el.parentElement!.remove();

    const again = await mount(unit, 'server="http://127.0.0.1:9"');
    expect(heading(again)).to.equal('Đã lưu trên máy này, sẽ gửi khi có mạng');
  });
});

describe('<tiepdan-registration> a queued registration and the server back', () => {
  it('sends what an earlier visit queued offline as soon as the form opens with the server reachable, once', async () => {
    // The send queue comes with the form's later part (later-chunk.ts): the reopened form must still start it.
    const unit = 'dongthap.sadec';
    const draftId = `queued${Date.now()}`;
    const meta = (await (await fetch(`${server}/api/v1/meta?unit=${unit}`)).json()) as MetaResponse;
    const { db } = await openLocalDatabase(`registration:${unit}`);
    await db.putValue(metaCacheKey(unit), meta);
    const offline = await mount(unit, `server="http://127.0.0.1:9" draft-id="${draftId}"`);
    await fillToCheck(offline);
    const queued = oneEvent(offline, 'tiepdan-submit-queued');
    submitButton(offline).click();
    const { clientId } = (await queued).detail;
    await waitUntil(() => heading(offline) === 'Đã lưu trên máy này, sẽ gửi khi có mạng');
    offline.parentElement!.remove();
    expect((await db.getOutbox(clientId))?.state).to.equal('pending');

    const submitted = oneEvent(document, 'tiepdan-submitted');
    const online = await mount(unit, `server="${server}" draft-id="${draftId}"`);
    const { detail } = (await submitted) as CustomEvent<{ clientId: string; response: { reference: string } }>;
    expect(detail.clientId).to.equal(clientId);
    expect(detail.response.reference).to.match(REFERENCE_PATTERN);
    await waitUntil(() => heading(online) === 'Đã gửi hồ sơ');
    expect((await db.getOutbox(clientId))?.state).to.equal('sent');
    // The same client id again is the same registration (the idempotency key the outbox sent it with).
    const entry = (await db.getOutbox<Registration, unknown>(clientId))!;
    const replay = await fetch(`${server}/api/v1/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': clientId },
      body: JSON.stringify(entry.payload),
    });
    expect(((await replay.json()) as { reference: string }).reference).to.equal(detail.response.reference);
    db.close();
  });
});

const server = window.TIEPDAN_TEST_SERVER!;
describe('<tiepdan-registration> with the tiepdan server', () => {
  const unit = 'dongthap.sadec';

  it('loads the meta from the server, submits once, shows the reference, and the lookup finds it', async () => {
    const draftId = `srv${Date.now()}`;
    const el = await mount(unit, `server="${server}" draft-id="${draftId}"`);
    expect($(el, '.notice')!.textContent).to.contain('Sa Đéc');
    await fillToCheck(el);
    const submitted = oneEvent(el, 'tiepdan-submitted');
    submitButton(el).click();
    const { response } = (await submitted).detail;
    expect(response.reference).to.match(REFERENCE_PATTERN);
    await waitUntil(() => heading(el) === 'Đã gửi hồ sơ');
    expect($(el, '.reference')!.textContent).to.equal(response.reference);
    await expect(el).to.be.accessible();

    const lookup = await fixture<HTMLElement>(`<tiepdan-lookup server="${server}" unit="${unit}"></tiepdan-lookup>`);
    const input = (path: string) => lookup.shadowRoot!.querySelector<HTMLInputElement>(`#${fieldId(path)}`)!;
    input('reference').value = response.reference.toLowerCase().replace(/-/gu, ' ');
    input('reference').dispatchEvent(new Event('input'));
    input('phone').value = '0912345678';
    input('phone').dispatchEvent(new Event('input'));
    const found = oneEvent(lookup, 'tiepdan-lookup');
    lookup.shadowRoot!.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    expect((await found).detail.response.reference).to.equal(response.reference);
    await waitUntil(() => lookup.shadowRoot!.querySelector('.result'));
    expect(lookup.shadowRoot!.querySelector('.state')!.textContent).to.equal('Đã tiếp nhận');
    expect(lookup.shadowRoot!.querySelector('time')!.textContent).to.match(/^\d{2}:\d{2} \d{2}\/\d{2}\/\d{4}$/u);
    await expect(lookup).to.be.accessible();
  });

  it('stores a chosen image exactly as sent: the SHA-256 the server records, the bytes an officer downloads and the screening view all match the file', async () => {
    const el = await mount(unit, `server="${server}" draft-id="evidence${Date.now()}"`);
    // A photo with noise in it, so that any re-encoding (JPEG, or PNG at another level) would change its bytes.
    const canvas = document.createElement('canvas');
    canvas.width = 900;
    canvas.height = 600;
    const context = canvas.getContext('2d')!;
    const pixels = context.createImageData(900, 600);
    for (let i = 0; i < pixels.data.length; i += 1) pixels.data[i] = i % 4 === 3 ? 255 : (i * 7919) % 251;
    context.putImageData(pixels, 0, 0);
    const png = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
    const file = new File([png], 'bien-ban-hien-truong.png', { type: 'image/png' });
    const expected = [...new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()))].map((b) => b.toString(16).padStart(2, '0')).join('');
    await fillToCheck(el, async (id) => {
      if (id !== 'attachments') return;
      const chooser = [...root(el).querySelectorAll<HTMLInputElement>('input[type="file"]')][1]!;
      const transfer = new DataTransfer();
      transfer.items.add(file);
      chooser.files = transfer.files;
      chooser.dispatchEvent(new Event('change', { bubbles: true }));
      await waitUntil(() => root(el).querySelectorAll('.panel').length === 1, 'file not added', { timeout: 5000 });
    });
    const submitted = oneEvent(el, 'tiepdan-submitted');
    submitButton(el).click();
    const { response } = (await submitted).detail;

    const headers = { authorization: `Bearer ${window.TIEPDAN_TEST_TOKENS!.clerk}` };
    const record = (await (await fetch(`${server}/api/v1/registrations/${response.reference}`, { headers })).json()) as { attachments: { id: string; name: string; size: number; sha256: string }[] };
    const [stored] = record.attachments;
    expect(stored!.name).to.equal('bien-ban-hien-truong.png');
    expect(stored!.size).to.equal(file.size);
    expect(stored!.sha256).to.equal(expected);
    const download = await fetch(`${server}/api/v1/registrations/${response.reference}/attachments/${stored!.id}`, { headers });
    expect(download.status).to.equal(200);
    const bytes = await download.arrayBuffer();
    expect([...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('')).to.equal(expected);

    // The officer sees the whole hash, to compare with the citizen's receipt.
    const screening = await fixture<HTMLElement & { token: string; open(reference: string): Promise<void> }>(`<tiepdan-screening server="${server}"></tiepdan-screening>`);
    screening.token = window.TIEPDAN_TEST_TOKENS!.clerk;
    await screening.open(response.reference);
    await waitUntil(() => screening.shadowRoot!.querySelector('.attachments code.sha'), 'no attachment in the screening view', { timeout: 5000 });
    expect(screening.shadowRoot!.querySelector('.attachments code.sha')!.textContent).to.equal(expected);
  });

  it('turns a 422 from the server back into a draft with the errors on their step', async () => {
    const draftId = `rej${Date.now()}`;
    const { db } = await openLocalDatabase(`registration:${unit}`);
    // What the outbox holds for a submission the form's rules did not catch (an older form version, say).
    const payload = {
      unit, kind: 'kien_nghi', identity: { fullName: 'Đỗ Văn Giang' }, address: { provinceCode: '82', communeCode: '29869' },
      contact: { phone: '0123' }, content: { summary: 'Nội dung' }, attendance: { mode: 'connection_point' },
      privacy: { version: '2025-07-01', acknowledged: true, acknowledgedAt: new Date().toISOString() },
    } as unknown as Registration;
    const record: OutboxRecord<Registration, unknown> = {
      clientId: crypto.randomUUID(), draftId, payload, files: [], state: 'pending', attempts: 0, createdAt: Date.now(), nextAttemptAt: 0,
    };
    await db.putOutbox(record);
    db.close();
    const el = await mount(unit, `server="${server}" draft-id="${draftId}"`);
    await waitUntil(() => heading(el) === 'Thông tin liên hệ', 'not returned to the contact step', { timeout: 8000 });
    await waitUntil(() => $(el, '.error-summary a'));
    expect(field(el, 'contact.phone').getAttribute('aria-invalid')).to.equal('true');
    expect(field(el, 'contact.phone').value).to.equal('0123');
  });
});
