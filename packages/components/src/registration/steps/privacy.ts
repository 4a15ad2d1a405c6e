/** Step 1: the personal data notice (purpose, who sees it, how long it is kept) and its acknowledgement. */
import { html } from 'lit';
import { checkboxField } from '../../shared/controls.js';
import { t, type Step } from './step.js';
import { outline } from './outline.js';

export const privacyStep: Step = {
  ...outline('privacy'),
  title: (s) => s.privacyTitle,
  render: (ctx) => html`
    <div class="notice">${t(ctx.meta.privacyNotice.text, ctx.lang).split(/\n+/u).map((p) => html`<p>${p}</p>`)}</div>
    ${checkboxField({
      path: 'privacy.acknowledged',
      label: ctx.s.privacyAck,
      error: ctx.error('privacy.acknowledged'),
      checked: ctx.state.reg.privacy?.acknowledged === true,
      onChange: (checked) =>
        ctx.set('privacy', checked
          ? { version: ctx.meta.privacyNotice.version, acknowledged: true, acknowledgedAt: new Date().toISOString() }
          : { version: ctx.meta.privacyNotice.version }),
    })}
  `,
};
