/** Step 4: the two-level address since 07/2025 (province → commune) plus free text, and the optional old address. */
import { PROVINCES } from '@tiepdan/core';
import { html } from 'lit';
import { selectField, textField } from '../../shared/controls.js';
import type { Step, StepContext } from './step.js';
import { outline } from './outline.js';

function addressLine(ctx: StepContext): string {
  const a = ctx.state.reg.address ?? {};
  const commune = ctx.meta.communes.find((c) => c.code === a.communeCode)?.name;
  const province = PROVINCES.find((p) => p.code === a.provinceCode)?.name;
  return [a.detail, commune, province].filter(Boolean).join(', ');
}

export const addressStep: Step = {
  ...outline('address'),
  title: (s) => s.addressTitle,
  render: (ctx) => {
    const a = ctx.state.reg.address ?? {};
    const legacy = a.legacy ?? {};
    const { s } = ctx;
    // The commune list is the unit's own province; another province's communes are not shipped.
    const communes = a.provinceCode === ctx.meta.unit.provinceCode ? ctx.meta.communes : [];
    return html`
      ${selectField({
        path: 'address.provinceCode', label: s.province, error: ctx.error('address.provinceCode'), value: a.provinceCode, placeholder: s.choose,
        options: PROVINCES.map((p) => ({ value: p.code, label: p.name })),
        onChange: (v) => ctx.change((state) => {
          state.reg.address = { ...state.reg.address, provinceCode: v || undefined };
          delete state.reg.address.communeCode;
        }),
      })}
      ${communes.length
        ? selectField({
            path: 'address.communeCode', label: s.commune, error: ctx.error('address.communeCode'), value: a.communeCode, placeholder: s.choose,
            options: communes.map((c) => ({ value: c.code, label: c.name })),
            onChange: (v) => ctx.set('address.communeCode', v || undefined),
          })
        : textField({
            path: 'address.communeCode', label: s.commune, hint: '5 số / 5 digits', inputmode: 'numeric', error: ctx.error('address.communeCode'),
            value: a.communeCode, onInput: (v) => ctx.set('address.communeCode', v),
          })}
      ${textField({ path: 'address.detail', label: s.detail, error: ctx.error('address.detail'), value: a.detail, autocomplete: 'street-address', onInput: (v) => ctx.set('address.detail', v) })}
      <details class="panel" ?open=${Boolean(legacy.province || legacy.district || legacy.commune)}>
        <summary>${s.legacy}</summary>
        ${textField({ path: 'address.legacy.province', label: s.legacyProvince, optional: s.optional, error: ctx.error('address.legacy.province'), value: legacy.province, onInput: (v) => ctx.set('address.legacy.province', v) })}
        ${textField({ path: 'address.legacy.district', label: s.legacyDistrict, optional: s.optional, error: ctx.error('address.legacy.district'), value: legacy.district, onInput: (v) => ctx.set('address.legacy.district', v) })}
        ${textField({ path: 'address.legacy.commune', label: s.legacyCommune, optional: s.optional, error: ctx.error('address.legacy.commune'), value: legacy.commune, onInput: (v) => ctx.set('address.legacy.commune', v) })}
      </details>
    `;
  },
  summary: (ctx) => {
    const legacy = ctx.state.reg.address?.legacy ?? {};
    const old = [legacy.commune, legacy.district, legacy.province].filter(Boolean).join(', ');
    return [{ label: ctx.s.addressTitle, value: addressLine(ctx) }, ...(old ? [{ label: ctx.s.legacy, value: old }] : [])];
  },
};
