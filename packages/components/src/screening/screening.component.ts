/**
 * The screening queue of the Citizen Reception Board (SPEC §2 step 3): officials list registrations, filter by
 * kind and state, open one, and screen, invite or answer it with a reason. Which roles may do what is decided
 * by the server on every request; this element only shows what the server returns and its refusals.
 */
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  ANSWER_OUTCOMES,
  ApiClient,
  ApiError,
  formatDateTime,
  ID_TYPE_LABELS,
  MATTER_KIND_LABELS,
  MATTER_KINDS,
  REGISTRATION_STATES,
  say,
  STATE_LABELS,
  TRANSITIONS,
  type AnswerOutcome,
  type ErrorBody,
  type RegistrationRecord,
  type RegistrationState,
  type RegistrationSummary,
} from '@tiepdan/core';
import { emit } from '../shared/events.js';
import { fmt, resolveLang } from '../shared/lang.js';
import { VERSION } from '../shared/version.js';
import { screeningStrings } from './strings.js';
import { screeningStyles } from './screening.styles.js';

/**
 * @tagname tiepdan-screening
 * @summary Officials' screening queue: list, open and move registrations (screen, invite, answer).
 *
 * @attr server - Base URL of the tiepdan server.
 * @attr lang - "vi" (default) or "en".
 * @prop token - The official's access token (JWT). Prefer setting the property to putting a token in markup.
 *
 * @fires tiepdan-error - A request failed; detail `{ code, message }`.
 * @fires tiepdan-transitioned - A registration changed state; detail `{ reference, state }`.
 *
 * @csspart form - The filter form and the transition form.
 * @csspart button - Primary buttons.
 * @cssproperty --tiepdan-color-primary - Main colour.
 * @cssproperty --tiepdan-font-size - Base font size (default 18px).
 */
export class TiepdanScreening extends LitElement {
  static version = VERSION;
  static override styles = screeningStyles;

  @property() server = '';
  /** Mirrors the `lang` attribute so a change re-renders; the language is resolved with ancestors. */
  @property({ attribute: 'lang' }) language: string | undefined;
  @property({ attribute: false }) token = '';

  @state() private items: RegistrationSummary[] = [];
  @state() private nextBefore: string | undefined;
  @state() private loading = false;
  @state() private error: ErrorBody['error'] | undefined;
  @state() private kind = '';
  @state() private stateFilter = '';
  @state() private record: RegistrationRecord | undefined;
  @state() private to: RegistrationState | '' = '';
  @state() private reason = '';
  @state() private outcome: AnswerOutcome | '' = '';
  @state() private publicNote = '';
  @state() private announcement = '';

  #api(): ApiClient {
    return new ApiClient({ baseUrl: this.server, token: () => this.token || undefined });
  }

  protected override updated(changed: PropertyValues<this>): void {
    if ((changed.has('token') || changed.has('server')) && this.token && this.server) void this.load();
  }

  /** Reloads the first page with the current filters. */
  async load(append = false): Promise<void> {
    this.loading = true;
    this.error = undefined;
    try {
      const page = await this.#api().listRegistrations({
        kind: this.kind || undefined,
        state: this.stateFilter || undefined,
        limit: 20,
        before: append ? this.nextBefore : undefined,
      });
      this.items = append ? [...this.items, ...page.items] : page.items;
      this.nextBefore = page.nextBefore;
    } catch (error) {
      this.#fail(error);
    } finally {
      this.loading = false;
    }
  }

  async open(reference: string): Promise<void> {
    try {
      this.record = await this.#api().getRegistration(reference);
      this.to = '';
      this.reason = '';
      this.outcome = '';
      this.publicNote = '';
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#detail-heading')?.focus();
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown) {
    const body = error instanceof ApiError ? error.body.error : { code: 'internal', message: { vi: String(error), en: String(error) } };
    this.error = body;
    emit(this, 'tiepdan-error', { code: body.code, message: say(body.message, resolveLang(this)) });
  }

  async #transition(event: SubmitEvent) {
    event.preventDefault();
    const record = this.record;
    if (!record || !this.to) return;
    try {
      const updated = await this.#api().transition(record.reference, {
        to: this.to,
        reason: this.reason,
        ...(this.to === 'answered' && this.outcome ? { outcome: this.outcome } : {}),
        ...(this.publicNote.trim() ? { publicNote: this.publicNote } : {}),
      });
      this.record = updated;
      const s = screeningStrings(resolveLang(this));
      this.announcement = fmt(s.done, { reference: updated.reference, state: say(STATE_LABELS[updated.state], resolveLang(this)) });
      this.items = this.items.map((item) => (item.reference === updated.reference ? { ...item, state: updated.state, updatedAt: updated.updatedAt } : item));
      this.to = '';
      this.reason = '';
      this.publicNote = '';
      emit(this, 'tiepdan-transitioned', { reference: updated.reference, state: updated.state });
    } catch (error) {
      this.#fail(error);
    }
  }

  async #download(reference: string, id: string, name: string) {
    try {
      const response = await fetch(`${this.server.replace(/\/+$/u, '')}/api/v1/registrations/${encodeURIComponent(reference)}/attachments/${encodeURIComponent(id)}`, {
        headers: { Authorization: `Bearer ${this.token}` },
      });
      if (!response.ok) throw new ApiError(response.status, (await response.json()) as ErrorBody);
      const url = URL.createObjectURL(await response.blob());
      const link = Object.assign(document.createElement('a'), { href: url, download: name });
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      this.#fail(error);
    }
  }

  protected override render() {
    const lang = resolveLang(this);
    const s = screeningStrings(lang);
    return html`
      <h2>${s.heading}</h2>
      <div class="status" role="status" aria-live="polite">${this.loading ? s.loading : this.announcement}</div>
      ${!this.token ? html`<p class="notice">${s.noToken}</p>` : nothing}
      ${this.error
        ? html`<div class="error-summary" role="alert"><p>${say(this.error.message, lang)}</p>
            ${this.error.fields?.length ? html`<ul>${this.error.fields.map((f) => html`<li>${say(f.message, lang)}</li>`)}</ul>` : nothing}</div>`
        : nothing}
      <form part="form" class="filters" @submit=${(e: Event) => { e.preventDefault(); void this.load(); }}>
        <div class="field">
          <label for="kind">${s.filterKind}</label>
          <select id="kind" .value=${this.kind} @change=${(e: Event) => (this.kind = (e.target as HTMLSelectElement).value)}>
            <option value="">${s.all}</option>
            ${MATTER_KINDS.map((k) => html`<option value=${k}>${say(MATTER_KIND_LABELS[k], lang)}</option>`)}
          </select>
        </div>
        <div class="field">
          <label for="state">${s.filterState}</label>
          <select id="state" .value=${this.stateFilter} @change=${(e: Event) => (this.stateFilter = (e.target as HTMLSelectElement).value)}>
            <option value="">${s.all}</option>
            ${REGISTRATION_STATES.map((st) => html`<option value=${st}>${say(STATE_LABELS[st], lang)}</option>`)}
          </select>
        </div>
        <div class="field"><button part="button" type="submit">${s.apply}</button></div>
      </form>
      ${this.record ? this.#renderDetail(this.record) : nothing}
      ${this.items.length === 0 && !this.loading ? html`<p>${s.empty}</p>` : nothing}
      <ul class="items">
        ${this.items.map(
          (item) => html`<li class="item">
            <h3>${item.reference}</h3>
            <p class="meta">${formatDateTime(item.receivedAt)} · ${say(MATTER_KIND_LABELS[item.kind], lang)} ·
              <span class="tag">${say(STATE_LABELS[item.state], lang)}</span></p>
            <p><strong>${item.displayName}</strong>${item.groupSize > 1 ? ` (${item.groupSize})` : ''}: ${item.summary.slice(0, 200)}</p>
            <button part="button" type="button" class="secondary" aria-label=${fmt(s.open, { reference: item.reference })}
              @click=${() => void this.open(item.reference)}>${s.open.replace(' {reference}', '')}</button>
          </li>`,
        )}
      </ul>
      ${this.nextBefore ? html`<button part="button" type="button" class="secondary" @click=${() => void this.load(true)}>${s.more}</button>` : nothing}
    `;
  }

  #renderDetail(record: RegistrationRecord) {
    const lang = resolveLang(this);
    const s = screeningStrings(lang);
    const reg = record.registration;
    const next = TRANSITIONS[record.state];
    return html`<section class="detail" aria-labelledby="detail-heading">
      <h2 id="detail-heading" tabindex="-1">${fmt(s.detailHeading, { reference: record.reference })}</h2>
      ${record.redacted ? html`<p class="notice">${s.redacted}</p>` : nothing}
      <dl>
        <dt>${s.colKind}</dt><dd>${say(MATTER_KIND_LABELS[reg.kind], lang)}</dd>
        <dt>${s.colState}</dt><dd>${say(STATE_LABELS[record.state], lang)}</dd>
        <dt>${s.identity}</dt><dd>${reg.identity.fullName}</dd>
        ${reg.identity.idNumber ? html`<dt>${s.idPaper}</dt><dd>${reg.identity.idType ? say(ID_TYPE_LABELS[reg.identity.idType], lang) : ''} ${reg.identity.idNumber}</dd>` : nothing}
        <dt>${s.address}</dt><dd>${[reg.address.detail, reg.address.communeCode, reg.address.provinceCode].filter(Boolean).join(', ')}</dd>
        <dt>${s.phone}</dt><dd>${reg.contact.phone}</dd>
        <dt>${s.content}</dt><dd>${reg.content.summary}</dd>
        ${reg.content.violation ? html`<dt>${s.violation}</dt><dd>${reg.content.violation}</dd>` : nothing}
        ${reg.content.accused ? html`<dt>${s.accused}</dt><dd>${reg.content.accused}</dd>` : nothing}
        <dt>${s.groupSize}</dt><dd>${reg.group?.size ?? 1}</dd>
      </dl>
      ${record.attachments.length
        ? html`<h3>${s.attachments}</h3><ul>${record.attachments.map(
            (a) => html`<li><button type="button" class="link" @click=${() => void this.#download(record.reference, a.id, a.name)}>${fmt(s.download, { name: a.name })}</button> (${Math.ceil(a.size / 1024)} kB)</li>`,
          )}</ul>`
        : nothing}
      <h3>${s.history}</h3>
      <ol class="history">${record.history.map((h) => html`<li>${formatDateTime(h.at)}: ${say(STATE_LABELS[h.state], lang)}${h.reason ? ` (${h.reason})` : ''}</li>`)}</ol>
      ${next.length
        ? html`<form part="form" @submit=${(e: SubmitEvent) => void this.#transition(e)}>
            <fieldset>
              <legend>${s.action}</legend>
              <div class="field">
                <label for="to">${s.to}</label>
                <select id="to" required .value=${this.to} @change=${(e: Event) => (this.to = (e.target as HTMLSelectElement).value as RegistrationState)}>
                  <option value=""></option>
                  ${next.map((st) => html`<option value=${st}>${say(STATE_LABELS[st], lang)}</option>`)}
                </select>
              </div>
              ${this.to === 'answered'
                ? html`<div class="field"><label for="outcome">${s.outcome}</label>
                    <select id="outcome" required .value=${this.outcome} @change=${(e: Event) => (this.outcome = (e.target as HTMLSelectElement).value as AnswerOutcome)}>
                      <option value=""></option>
                      ${ANSWER_OUTCOMES.map((o) => html`<option value=${o}>${s[o]}</option>`)}
                    </select></div>`
                : nothing}
              <div class="field"><label for="reason">${s.reason}</label>
                <textarea id="reason" required .value=${this.reason} @input=${(e: Event) => (this.reason = (e.target as HTMLTextAreaElement).value)}></textarea></div>
              <div class="field"><label for="note">${s.publicNote}</label>
                <textarea id="note" .value=${this.publicNote} @input=${(e: Event) => (this.publicNote = (e.target as HTMLTextAreaElement).value)}></textarea></div>
              <button part="button" type="submit">${s.submit}</button>
            </fieldset>
          </form>`
        : nothing}
      <button part="button" type="button" class="secondary" @click=${() => (this.record = undefined)}>${s.close}</button>
    </section>`;
  }
}
