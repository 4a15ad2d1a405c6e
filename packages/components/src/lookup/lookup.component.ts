/**
 * `<tiepdan-lookup>`: the citizen checks a registration's state with the reference code and the phone number
 * given when registering, and, once the reception desk has decided, each case's result (accepted, returned,
 * transferred, or refused and why). The class only; `lookup.ts` registers it.
 */
import {
  FIELD_MESSAGES,
  STATE_LABELS,
  formatDateTime,
  formatTimeDate,
  formatTimeRange,
  isVietnamesePhone,
  normalizeReference,
  say,
  toE164,
  type CitizenBooking,
  type LookupResponse,
  type Message,
} from '@tiepdan/core';
import { ApiClient, ApiError } from '@tiepdan/core/browser';
import { html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { TiepdanElement } from '../shared/element.js';
import { baseStyles } from '../shared/base.styles.js';
import { caseOutcomeView } from '../shared/case-outcome.js';
import { compositionAwareSubmit, errorSummary, fieldId, textField } from '../shared/controls.js';
import { fmt } from '../shared/lang.js';
import { lookupStyles } from './lookup.styles.js';
import { strings, type UiStrings } from '../shared/strings.js';
import { lookupStrings } from './strings.js';

/**
 * Looks up the state of a registration (tra cứu hồ sơ) by reference code and phone number.
 *
 * @summary Registration status lookup: state, history with Hanoi times, next step.
 *
 * @tagname tiepdan-lookup
 *
 * @attr server - Base URL of the tiepdan server.
 * @attr unit - Receiving unit code (kept for symmetry with the registration form).
 * @attr lang - "vi" (default) or "en"; falls back to the closest ancestor's lang.
 *
 * @fires tiepdan-lookup - A registration was found; detail `{ response }`.
 * @fires tiepdan-error - The lookup failed; detail `{ code, message }`.
 *
 * @csspart form - The lookup form.
 * @csspart button - The lookup button.
 * @csspart error-summary - The box listing what to correct.
 * @csspart step-heading - The heading.
 * @csspart status - The result or the error of the last lookup.
 *
 * @cssproperty --tiepdan-color-primary - Buttons and links (default #005ea5).
 * @cssproperty --tiepdan-color-error - Errors (default #b3261e).
 * @cssproperty --tiepdan-font-family - Font stack.
 * @cssproperty --tiepdan-font-size - Base size (default 18px).
 * @cssproperty --tiepdan-radius - Corner radius.
 * @cssproperty --tiepdan-focus-color - Focus ring colour.
 */
export class TiepdanLookup extends TiepdanElement<UiStrings> {
  static override styles = [baseStyles, lookupStyles];
  protected readonly strings = strings;

  @property() unit = '';

  @state() private reference = '';
  @state() private phone = '';
  @state() private errors: { path: string; message: Message }[] = [];
  @state() private searching = false;
  @state() private result: LookupResponse | undefined;
  @state() private failure: string | undefined;

  readonly #ime = compositionAwareSubmit(() => void this.#lookup());

  async #lookup(): Promise<void> {
    if (this.searching) return;
    const reference = normalizeReference(this.reference);
    const errors: { path: string; message: Message }[] = [];
    if (!reference) errors.push({ path: 'reference', message: FIELD_MESSAGES.reference });
    if (!isVietnamesePhone(this.phone)) errors.push({ path: 'phone', message: FIELD_MESSAGES.phone });
    this.errors = errors;
    this.result = undefined;
    this.failure = undefined;
    if (errors.length) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('.error-summary')?.focus();
      return;
    }
    const { s, speaks: lang } = this;
    this.searching = true;
    try {
      const api = new ApiClient({ baseUrl: this.server });
      this.result = await api.lookup({ reference: reference!, phone: toE164(this.phone)! });
      this.emit('tiepdan-lookup', { response: this.result });
    } catch (error) {
      const api = error instanceof ApiError ? error : undefined;
      const code = api?.code ?? 'network';
      const failure =
        api?.status === 404 ? s.notFound
        : api?.status === 429 ? fmt(s.rateLimited, { s: api.body.error.retryAfter ?? 60 })
        : !api || api.status === 0 ? s.network
        : say(api.body.error.message, lang);
      this.failure = failure;
      this.emit('tiepdan-error', { code: String(code), message: failure });
    } finally {
      this.searching = false;
    }
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.outcome')?.focus();
  }

  /** The booking's calendar file, asked for with the reference and phone in the body (never in a URL). */
  async #addToCalendar(r: LookupResponse): Promise<void> {
    try {
      const blob = await new ApiClient({ baseUrl: this.server }).bookingCalendar({ reference: r.reference, phone: toE164(this.phone)! });
      const url = URL.createObjectURL(blob);
      Object.assign(document.createElement('a'), { href: url, download: `${r.reference}.ics` }).click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      const { s, speaks: lang } = this;
      this.failure = error instanceof ApiError && error.status !== 0 ? say(error.body.error.message, lang) : s.network;
    }
  }

  #renderBooking(r: LookupResponse, b: CitizenBooking): TemplateResult {
    const lang = this.speaks;
    const s = lookupStrings(lang);
    const when = formatTimeRange(b.session.startsAt, b.session.endsAt);
    if (b.status === 'cancelled') return html`<section class="booking"><h3>${s.bookingTitle}</h3><p>${fmt(s.bookingCancelled, { when })}</p></section>`;
    const session = b.session;
    const changed =
      session.state === 'cancelled'
        ? html`<p class="session-state cancelled">${s.sessionCancelled}${session.notice ? ` ${say(session.notice, lang)}` : ''}</p>`
        : session.state === 'postponed'
          ? html`<p class="session-state postponed">${fmt(s.sessionPostponed, { to: session.postponedFrom ? ` → ${when}` : '' })}${session.notice ? ` ${say(session.notice, lang)}` : ''}</p>`
          : nothing;
    const inv = b.invitation;
    return html`<section class="booking" aria-labelledby="booking-title">
      <h3 id="booking-title">${inv ? s.invitationTitle : s.bookingTitle}</h3>
      <p>${fmt(s.bookingHeld, { when, venue: session.venue })}</p>
      ${changed}
      ${b.provisional && !inv ? html`<p>${s.bookingProvisional}</p>` : nothing}
      ${inv
        ? html`<p class="slot">${fmt(s.invitationTime, { slot: formatTimeDate(inv.slotAt) })}</p>
            <p class="place">${fmt(s.invitationPlace, {
              place: inv.attendance.mode === 'remote' ? s.invitationRemote : fmt(s.invitationPoint, { name: inv.attendance.pointName ?? inv.attendance.connectionPoint ?? '', venue: session.venue }),
            })}</p>
            ${inv.note ? html`<p>${fmt(s.invitationNote, { note: inv.note })}</p>` : nothing}
            <p>${s.invitationBring}</p>
            ${inv.joinUrl && session.state !== 'cancelled' ? html`<p><a class="join" part="button" href=${inv.joinUrl}>${s.invitationJoin}</a></p>` : nothing}`
        : nothing}
      <button type="button" class="secondary calendar" part="button-secondary" @click=${() => void this.#addToCalendar(r)}>${s.addToCalendar}</button>
    </section>`;
  }

  #focusField = (path: string) => this.renderRoot.querySelector<HTMLElement>(`#${fieldId(path)}`)?.focus();

  override render(): TemplateResult {
    const { s, speaks: lang } = this;
    const error = (path: string) => {
      const found = this.errors.find((e) => e.path === path);
      return found ? say(found.message, lang) : undefined;
    };
    const r = this.result;
    return html`<form part="form" novalidate lang=${lang} aria-label=${s.lookupTitle} @submit=${this.#ime.submit} @keydown=${this.#ime.keydown}>
      ${errorSummary(s.errorTitle, this.errors.map((e) => ({ path: e.path, message: say(e.message, lang) })), this.#focusField)}
      <h2 part="step-heading">${s.lookupTitle}</h2>
      ${textField({ path: 'reference', label: s.refLabel, hint: s.refHint, error: error('reference'), value: this.reference, autocomplete: 'off', onInput: (v) => (this.reference = v) })}
      ${textField({ path: 'phone', label: s.phone, type: 'tel', autocomplete: 'tel', error: error('phone'), value: this.phone, onInput: (v) => (this.phone = v) })}
      <button type="submit" part="button" ?disabled=${this.searching}>${this.searching ? s.searching : s.lookupSubmit}</button>
      <div part="status" role="status" aria-live="polite">
        ${this.failure ? html`<div class="error-summary outcome" tabindex="-1"><p>${this.failure}</p></div>` : nothing}
        ${r
          ? html`<section class="result outcome" tabindex="-1" aria-labelledby="result-ref">
              <h3 id="result-ref">${s.refLabel}: ${r.reference}</h3>
              <p>${s.state}: <span class="state">${say(STATE_LABELS[r.state], lang)}</span></p>
              <p>${s.receivedAt}: ${formatDateTime(r.receivedAt)}</p>
              ${r.booking ? this.#renderBooking(r, r.booking) : nothing}
              ${r.cases?.length
                ? html`<section class="cases" aria-labelledby="cases-title"><h3 id="cases-title">${lookupStrings(lang).casesTitle}</h3>
                    ${r.cases.map((c, i) => caseOutcomeView(c, lang, { level: 4, id: `case-${i}` }))}</section>`
                : nothing}
              <h3>${s.next}</h3>
              <p>${say(r.next, lang)}</p>
              ${r.history.length
                ? html`<h3>${s.history}</h3>
                    <ol class="history">
                      ${r.history.map((h) => html`<li><time datetime=${h.at}>${formatDateTime(h.at)}</time>
                        ${say(STATE_LABELS[h.state], lang)}${h.note ? html`: ${say(h.note, lang)}` : nothing}</li>`)}
                    </ol>`
                : nothing}
            </section>`
          : nothing}
      </div>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tiepdan-lookup': TiepdanLookup;
  }
}
