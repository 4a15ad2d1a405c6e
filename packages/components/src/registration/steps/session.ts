/**
 * Step 10: the session the citizen would like (SPEC §2 step 2, "preferred session"). Optional: the list is the
 * public schedule's element in pick mode, which says so when the unit has no open session; Continue always
 * works. The choice travels as `preferredSessionId` in the same idempotent submission, and the server books the
 * place in the same transaction as the registration (a full session does not refuse the registration).
 */
import { formatDate, formatTime, type ReceptionSession } from '@tiepdan/core';
import { html, nothing } from 'lit';
import '../../schedule/schedule.js';
import type { Step } from './step.js';
import { outline } from './outline.js';

const describe = (x: ReceptionSession) => `${formatTime(x.startsAt)} ${formatDate(x.startsAt)} · ${x.host.name} · ${x.venue}`;

export const sessionStep: Step = {
  ...outline('session'),
  title: (s) => s.sessionTitle,
  render: (ctx) => {
    const chosen = ctx.state.reg.preferredSessionId;
    return html`
      <p class="hint">${ctx.s.sessionHint}</p>
      ${ctx.error('preferredSessionId') ? html`<p class="error-message" id="f-preferredSessionId" tabindex="-1">${ctx.error('preferredSessionId')}</p>` : nothing}
      ${chosen
        ? html`<div class="panel"><p><strong>${ctx.s.sessionChosen}:</strong> ${ctx.state.sessionLabel ?? chosen}</p>
            <button type="button" class="link" @click=${() => ctx.change((state) => {
              delete state.reg.preferredSessionId;
              delete state.sessionLabel;
            })}>${ctx.s.sessionClear}</button></div>`
        : nothing}
      <tiepdan-schedule pick server=${ctx.server} unit=${ctx.unit} lang=${ctx.lang} selected=${chosen ?? ''} poll="60"
        @tiepdan-session-select=${(event: CustomEvent<{ session: ReceptionSession }>) => ctx.change((state) => {
          state.reg.preferredSessionId = event.detail.session.id;
          state.sessionLabel = describe(event.detail.session);
        })}></tiepdan-schedule>
    `;
  },
  summary: (ctx) => [
    { label: ctx.s.sessionChosen, value: ctx.state.reg.preferredSessionId ? (ctx.state.sessionLabel ?? ctx.state.reg.preferredSessionId) : ctx.s.sessionNone },
  ],
};
