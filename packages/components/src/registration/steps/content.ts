/**
 * Step 6: what the matter is. A denunciation also states the violation and the accused, under the notice that
 * the denouncer's identity is confidential. Agencies that already handled the matter are a repeatable group.
 */
import { html, nothing } from 'lit';
import { fieldId, textField } from '../../shared/controls.js';
import { fmt } from '../../shared/lang.js';
import type { Step } from './step.js';
import { outline } from './outline.js';

export const contentStep: Step = {
  ...outline('content'),
  title: (s) => s.contentTitle,
  render: (ctx) => {
    const c = ctx.state.reg.content ?? {};
    const { s } = ctx;
    const previous = c.previousHandling ?? [];
    return html`
      ${ctx.state.reg.kind === 'to_cao' ? html`<p class="panel" role="note">${s.confidential}</p>` : nothing}
      ${textField({ path: 'content.summary', label: s.summary, hint: s.summaryHint, multiline: true, error: ctx.error('content.summary'), value: c.summary, onInput: (v) => ctx.set('content.summary', v) })}
      ${ctx.state.reg.kind === 'to_cao'
        ? html`
            ${textField({ path: 'content.violation', label: s.violation, multiline: true, error: ctx.error('content.violation'), value: c.violation, onInput: (v) => ctx.set('content.violation', v) })}
            ${textField({ path: 'content.accused', label: s.accused, error: ctx.error('content.accused'), value: c.accused, onInput: (v) => ctx.set('content.accused', v) })}`
        : nothing}
      <fieldset>
        <legend>${s.previous} <span class="hint-inline">${s.optional}</span></legend>
        <span class="hint">${s.previousHint}</span>
        ${previous.map((_, i) => {
          const p = `content.previousHandling.${i}`;
          const item = previous[i] ?? {};
          return html`<fieldset class="panel">
            <legend>${fmt('{a} {n}', { a: s.agency, n: i + 1 })}</legend>
            ${textField({ path: `${p}.agency`, label: s.agency, error: ctx.error(`${p}.agency`), value: item.agency, onInput: (v) => ctx.set(`${p}.agency`, v) })}
            ${textField({ path: `${p}.documentNumber`, label: s.docNumber, optional: s.optional, error: ctx.error(`${p}.documentNumber`), value: item.documentNumber, onInput: (v) => ctx.set(`${p}.documentNumber`, v) })}
            ${textField({ path: `${p}.result`, label: s.result, optional: s.optional, error: ctx.error(`${p}.result`), value: item.result, onInput: (v) => ctx.set(`${p}.result`, v) })}
            <button type="button" class="secondary" part="button-secondary"
              @click=${() => ctx.change((state) => state.reg.content?.previousHandling?.splice(i, 1))}>${s.remove}<span class="sr-only"> ${s.agency} ${i + 1}</span></button>
          </fieldset>`;
        })}
        <button type="button" class="secondary" part="button-secondary" id=${fieldId('content.previousHandling')}
          @click=${() => ctx.change((state) => {
            state.reg.content ??= {};
            (state.reg.content.previousHandling ??= []).push({ agency: '' });
          })}>${s.addAgency}</button>
      </fieldset>
    `;
  },
  summary: (ctx) => {
    const c = ctx.state.reg.content ?? {};
    const rows = [{ label: ctx.s.summary, value: c.summary ?? '' }];
    if (ctx.state.reg.kind === 'to_cao') rows.push({ label: ctx.s.violation, value: c.violation ?? '' }, { label: ctx.s.accused, value: c.accused ?? '' });
    const agencies = (c.previousHandling ?? []).map((p) => [p?.agency, p?.documentNumber].filter(Boolean).join(', ')).join('; ');
    rows.push({ label: ctx.s.previous, value: agencies || ctx.s.none });
    return rows;
  },
};
