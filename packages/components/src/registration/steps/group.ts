/**
 * Step 7: many people with the same content appoint representatives (how many depends on the group size and
 * the deployment's rules), and helpers who accompany the citizen, each with the document that proves the role.
 */
import { HELPER_ROLE_LABELS, HELPER_ROLES, representativeLimits } from '@tiepdan/core';
import { html, nothing } from 'lit';
import { fieldId, selectField, textField } from '../../shared/controls.js';
import { fmt } from '../../shared/lang.js';
import { t, type Step } from './step.js';
import { outline } from './outline.js';

export const groupStep: Step = {
  ...outline('group'),
  title: (s) => s.groupTitle,
  render: (ctx) => {
    const { s } = ctx;
    const size = /^\d+$/u.test(ctx.state.groupSize) ? Number(ctx.state.groupSize) : 1;
    const limits = representativeLimits(size, ctx.rules);
    const reps = ctx.state.reg.group?.representatives ?? [];
    const helpers = ctx.state.reg.helpers ?? [];
    const repsError = ctx.error('group.representatives');
    return html`
      ${textField({
        path: 'group.size', label: s.groupSize, inputmode: 'numeric', error: ctx.error('group.size'), value: ctx.state.groupSize,
        hint: limits.max === 0 ? s.repsNone : fmt(s.repsRule, { size, min: limits.min, max: limits.max }),
        onInput: (v) => ctx.change((state) => (state.groupSize = v)),
      })}
      ${limits.max > 0 || reps.length
        ? html`<fieldset class="field ${repsError ? 'invalid' : ''}">
            <legend>${s.representatives}</legend>
            ${repsError ? html`<span class="error-message">${repsError}</span>` : nothing}
            ${reps.map((rep, i) => {
              const p = `group.representatives.${i}`;
              return html`<fieldset class="panel">
                <legend>${fmt(s.rep, { n: i + 1 })}</legend>
                ${textField({ path: `${p}.fullName`, label: s.fullName, error: ctx.error(`${p}.fullName`), value: rep?.fullName, onInput: (v) => ctx.set(`${p}.fullName`, v) })}
                ${textField({ path: `${p}.idNumber`, label: s.idNumber, optional: s.optional, inputmode: 'numeric', error: ctx.error(`${p}.idNumber`), value: rep?.idNumber, onInput: (v) => ctx.set(`${p}.idNumber`, v) })}
                ${textField({ path: `${p}.phone`, label: s.phone, optional: s.optional, type: 'tel', error: ctx.error(`${p}.phone`), value: rep?.phone, onInput: (v) => ctx.set(`${p}.phone`, v) })}
                <button type="button" class="secondary" part="button-secondary"
                  @click=${() => ctx.change((state) => state.reg.group?.representatives?.splice(i, 1))}>${s.remove}<span class="sr-only"> ${fmt(s.rep, { n: i + 1 })}</span></button>
              </fieldset>`;
            })}
            ${reps.length < Math.max(limits.max, 1)
              ? html`<button type="button" class="secondary" part="button-secondary" id=${fieldId('group.representatives')}
                  @click=${() => ctx.change((state) => {
                    state.reg.group ??= {};
                    (state.reg.group.representatives ??= []).push({ fullName: '' });
                  })}>${s.addRep}</button>`
              : nothing}
          </fieldset>`
        : nothing}
      <fieldset class="field">
        <legend>${s.helpers} <span class="hint-inline">${s.optional}</span></legend>
        ${helpers.map((helper, i) => {
          const p = `helpers.${i}`;
          return html`<fieldset class="panel">
            <legend>${fmt(s.helper, { n: i + 1 })}</legend>
            ${selectField({
              path: `${p}.role`, label: s.role, error: ctx.error(`${p}.role`), value: helper?.role, placeholder: s.choose,
              options: HELPER_ROLES.map((value) => ({ value, label: t(HELPER_ROLE_LABELS[value], ctx.lang) })),
              onChange: (v) => ctx.set(`${p}.role`, v || undefined),
            })}
            ${textField({ path: `${p}.fullName`, label: s.fullName, error: ctx.error(`${p}.fullName`), value: helper?.fullName, onInput: (v) => ctx.set(`${p}.fullName`, v) })}
            ${textField({ path: `${p}.document.kind`, label: s.docKind, error: ctx.error(`${p}.document.kind`), value: helper?.document?.kind, onInput: (v) => ctx.set(`${p}.document.kind`, v) })}
            ${textField({ path: `${p}.document.number`, label: s.docNumber, optional: s.optional, error: ctx.error(`${p}.document.number`), value: helper?.document?.number, onInput: (v) => ctx.set(`${p}.document.number`, v) })}
            <button type="button" class="secondary" part="button-secondary"
              @click=${() => ctx.change((state) => state.reg.helpers?.splice(i, 1))}>${s.remove}<span class="sr-only"> ${fmt(s.helper, { n: i + 1 })}</span></button>
          </fieldset>`;
        })}
        <button type="button" class="secondary" part="button-secondary" id=${fieldId('helpers')}
          @click=${() => ctx.change((state) => (state.reg.helpers ??= []).push({ fullName: '', document: { kind: '' } }))}>${s.addHelper}</button>
      </fieldset>
    `;
  },
  summary: (ctx) => {
    const reps = (ctx.state.reg.group?.representatives ?? []).map((r) => r?.fullName).filter(Boolean).join(', ');
    const helpers = (ctx.state.reg.helpers ?? [])
      .map((h) => `${h?.fullName ?? ''}${h?.role ? ` (${t(HELPER_ROLE_LABELS[h.role], ctx.lang)})` : ''}`)
      .join(', ');
    return [
      { label: ctx.s.groupSize, value: ctx.state.groupSize || '1' },
      { label: ctx.s.representatives, value: reps || ctx.s.none },
      { label: ctx.s.helpers, value: helpers || ctx.s.none },
    ];
  },
};
