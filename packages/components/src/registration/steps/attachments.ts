/**
 * Step 8: photos and PDFs. "Take a photo" opens the camera directly (capture=environment); "Choose a file"
 * takes images and PDF. Only camera captures are downscaled before storing (see ../images.ts), and the step says
 * so beside the buttons and beside each such photo; a chosen file is sent byte for byte. Files live as Blobs in
 * the draft's storage, and only their descriptions are in the draft itself.
 */
import { ATTACHMENT_PURPOSE_LABELS, ATTACHMENT_PURPOSES } from '@tiepdan/core';
import { html, nothing } from 'lit';
import { fieldId, selectField } from '../../shared/controls.js';
import { fmt } from '../../shared/lang.js';
import { attachmentStrings } from './attachment-strings.js';
import { t, type Step } from './step.js';
import { outline } from './outline.js';

const sizeLabel = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} kB`);

export const attachmentsStep: Step = {
  ...outline('attachments'),
  title: (s) => s.attachTitle,
  render: (ctx) => {
    const { s, rules } = ctx;
    const words = attachmentStrings(ctx.lang);
    const list = ctx.state.reg.attachments ?? [];
    const full = list.length >= rules.attachments.maxCount;
    const pick = (capture: boolean) => (event: Event) => {
      const input = event.target as HTMLInputElement;
      ctx.addFiles(input.files, { capture });
      input.value = '';
    };
    return html`
      <p class="hint" id="attach-hint">${fmt(s.attachHint, { count: rules.attachments.maxCount, size: Math.round(rules.attachments.maxBytes / 1024 / 1024) })}</p>
      <p class="hint" id="attach-how">${words.howSent}</p>
      ${list.length === 0 ? html`<p>${s.noFiles}</p>` : nothing}
      ${list.map((a, i) => html`<div class="panel">
        <p><strong>${a?.name}</strong> (${sizeLabel(a?.size ?? 0)})</p>
        ${ctx.state.downscaled?.includes(a?.id ?? '')
          ? html`<p class="downscaled">${words.downscaled}</p>`
          : html`<p class="hint">${words.original}</p>`}
        ${selectField({
          path: `attachments.${i}.purpose`, label: s.purpose, error: ctx.error(`attachments.${i}.purpose`) ?? ctx.error(`attachments.${i}.type`) ?? ctx.error(`attachments.${i}.size`),
          value: a?.purpose, placeholder: s.choose,
          options: ATTACHMENT_PURPOSES.map((value) => ({ value, label: t(ATTACHMENT_PURPOSE_LABELS[value], ctx.lang) })),
          onChange: (v) => ctx.set(`attachments.${i}.purpose`, v || undefined),
        })}
        <button type="button" class="secondary" part="button-secondary" @click=${() => ctx.removeFile(a?.id ?? '')}>
          ${s.remove}<span class="sr-only"> ${a?.name}</span></button>
      </div>`)}
      <div role="status" class="status">${ctx.busy ? s.processing : ''}</div>
      ${ctx.fileNotice || ctx.error('attachments') ? html`<p class="error-message" id="attach-error">${ctx.fileNotice ?? ctx.error('attachments')}</p>` : nothing}
      ${full
        ? html`<p>${s.tooMany}</p>`
        : html`<div class="file-buttons" id=${fieldId('attachments')} tabindex="-1">
            <label class="button file" part="button">${s.takePhoto}
              <input class="sr-only" type="file" accept="image/*" capture="environment" aria-describedby="attach-hint attach-how" ?disabled=${ctx.busy} @change=${pick(true)} /></label>
            <label class="button secondary file" part="button-secondary">${s.chooseFile}
              <input class="sr-only" type="file" multiple accept="image/*,application/pdf" aria-describedby="attach-hint attach-how" ?disabled=${ctx.busy} @change=${pick(false)} /></label>
          </div>`}
    `;
  },
  summary: (ctx) => [{ label: ctx.s.attachTitle, value: (ctx.state.reg.attachments ?? []).map((a) => a?.name).join(', ') || ctx.s.none }],
};
