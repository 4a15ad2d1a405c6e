/** Step 5: how the authority reaches the citizen: a mobile phone (required), e-mail (optional). */
import { html } from 'lit';
import { textField } from '../../shared/controls.js';
import type { Step } from './step.js';
import { outline } from './outline.js';

export const contactStep: Step = {
  ...outline('contact'),
  title: (s) => s.contactTitle,
  render: (ctx) => {
    const c = ctx.state.reg.contact ?? {};
    return html`
      ${textField({ path: 'contact.phone', label: ctx.s.phone, hint: ctx.s.phoneHint, type: 'tel', autocomplete: 'tel', error: ctx.error('contact.phone'), value: c.phone, onInput: (v) => ctx.set('contact.phone', v) })}
      ${textField({ path: 'contact.email', label: ctx.s.email, optional: ctx.s.optional, type: 'email', autocomplete: 'email', error: ctx.error('contact.email'), value: c.email, onInput: (v) => ctx.set('contact.email', v) })}
    `;
  },
  summary: (ctx) => [
    { label: ctx.s.phone, value: ctx.state.reg.contact?.phone ?? '' },
    { label: ctx.s.email, value: ctx.state.reg.contact?.email || ctx.s.none },
  ],
};
