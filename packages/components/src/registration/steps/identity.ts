/** Step 3: who the citizen is: name, ID paper and number, date of birth (dd/mm/yyyy), sex. */
import { ID_TYPE_LABELS, ID_TYPES, SEX_LABELS, SEXES } from '@tiepdan/core';
import { html, nothing } from 'lit';
import { radioField, selectField, textField } from '../../shared/controls.js';
import { t, type Step } from './step.js';
import { outline } from './outline.js';

export const identityStep: Step = {
  ...outline('identity'),
  title: (s) => s.identityTitle,
  render: (ctx) => {
    const id = ctx.state.reg.identity ?? {};
    const { s } = ctx;
    return html`
      ${textField({ path: 'identity.fullName', label: s.fullName, error: ctx.error('identity.fullName'), value: id.fullName, autocomplete: 'name', onInput: (v) => ctx.set('identity.fullName', v) })}
      ${selectField({
        path: 'identity.idType', label: s.idType, error: ctx.error('identity.idType'), value: id.idType, placeholder: s.choose,
        options: ID_TYPES.map((value) => ({ value, label: t(ID_TYPE_LABELS[value], ctx.lang) })),
        onChange: (v) => ctx.set('identity.idType', v || undefined),
      })}
      ${id.idType === 'other'
        ? textField({ path: 'identity.idPaperName', label: s.idPaperName, error: ctx.error('identity.idPaperName'), value: id.idPaperName, onInput: (v) => ctx.set('identity.idPaperName', v) })
        : nothing}
      ${textField({
        path: 'identity.idNumber', label: s.idNumber, hint: id.idType === 'cccd' || !id.idType ? s.idNumberHint : undefined,
        error: ctx.error('identity.idNumber'), value: id.idNumber, inputmode: id.idType === 'passport' || id.idType === 'other' ? 'text' : 'numeric',
        autocomplete: 'off', onInput: (v) => ctx.set('identity.idNumber', v),
      })}
      ${textField({
        path: 'identity.dateOfBirth', label: s.dob, hint: s.dobHint, error: ctx.error('identity.dateOfBirth'), value: ctx.state.dob,
        inputmode: 'numeric', autocomplete: 'bday', onInput: (v) => ctx.change((state) => (state.dob = v)),
      })}
      ${radioField({
        path: 'identity.sex', label: s.sex, error: ctx.error('identity.sex'), value: id.sex,
        options: SEXES.map((value) => ({ value, label: t(SEX_LABELS[value], ctx.lang) })),
        onChange: (v) => ctx.set('identity.sex', v),
      })}
    `;
  },
  summary: (ctx) => {
    const id = ctx.state.reg.identity ?? {};
    const paper = id.idType ? `${t(ID_TYPE_LABELS[id.idType], ctx.lang)}${id.idNumber ? `: ${id.idNumber}` : ''}` : ctx.s.none;
    return [
      { label: ctx.s.fullName, value: id.fullName ?? '' },
      { label: ctx.s.idType, value: paper },
      { label: ctx.s.dob, value: ctx.state.dob || ctx.s.none },
      { label: ctx.s.sex, value: id.sex ? t(SEX_LABELS[id.sex], ctx.lang) : ctx.s.none },
    ];
  },
};
