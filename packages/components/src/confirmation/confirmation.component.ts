/**
 * The citizen's own view of their case (issue 10 §1 step 2 and 3): the content the officer wrote, to read and
 * confirm on their own screen (the server stores the text, its SHA-256 and the recording time), and the Form 02
 * receipt they were given, downloadable as PDF, and the result once the officer records it (accepted, returned,
 * transferred, or refused and why, with the head's written notice to download). The room reads it again on each
 * `case.updated` event of the citizen's case (no polling; the reload button stays for a lost socket). It speaks with the citizen's join token (Authorization header,
 * never the URL). `<tiepdan-room>` loads it on demand for an admitted citizen; it fits a 320 px phone.
 */
import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { DOCUMENT_FORM_LABELS, say, type ErrorBody, type PendingConfirmation } from '@tiepdan/core';
import { apiCall, apiFile } from '@tiepdan/core/browser';
import { TiepdanElement } from '../shared/element.js';
import { reportFailure } from '../shared/failure.js';
import { baseStyles } from '../shared/base.styles.js';
import { caseOutcomeView } from '../shared/case-outcome.js';
import { saveFile } from '../shared/download.js';
import { fmt } from '../shared/lang.js';
import { confirmationStrings, type ConfirmationStrings } from './strings.js';
import { css } from 'lit';

/**
 * @tagname tiepdan-confirmation
 * @summary The citizen's view of their case: confirm the recorded content, see and download the receipt.
 *
 * @attr server - Base URL of the tiepdan server.
 * @attr lang - "vi" (default) or "en".
 * @prop token - The citizen's join token. Prefer the property to markup.
 *
 * @fires tiepdan-error - A request failed; detail `{ code, message }`.
 *
 * @cssproperty --tiepdan-color-primary - Main colour.
 * @cssproperty --tiepdan-font-size - Base font size (default 18px).
 */
export class TiepdanConfirmation extends TiepdanElement<ConfirmationStrings> {
  static override styles = [baseStyles, css`.text { white-space: pre-wrap; border-left: 6px solid var(--_primary); padding: 0.5em 1em; background: #f3f7fb; } .done { border-left: 6px solid #00703c; padding: 0.25em 0.75em; } code { overflow-wrap: anywhere; } .case-outcome { border-left: 6px solid var(--_primary); padding: 0.25em 0.75em; } .verdict.refused { color: #8a1c12; }`];
  protected readonly strings = confirmationStrings;

  @property({ attribute: false }) token = '';

  @state() pending: PendingConfirmation | null | undefined;
  @state() private error: ErrorBody['error'] | undefined;

  get #api() {
    return { baseUrl: this.server, token: this.token || undefined };
  }

  protected override updated(changed: PropertyValues<this>): void {
    if ((changed.has('token') || changed.has('server')) && this.token && this.server) queueMicrotask(() => void this.load());
  }

  async load(): Promise<void> {
    try {
      this.pending = (await apiCall<{ pending: PendingConfirmation | null }>(this.#api, 'GET', '/api/v1/desk/confirmation')).pending;
      this.error = undefined;
    } catch (error) {
      this.#fail(error);
    }
  }

  async confirm(): Promise<void> {
    const p = this.pending;
    if (!p) return;
    try {
      await apiCall(this.#api, 'POST', `/api/v1/desk/cases/${encodeURIComponent(p.caseId)}/confirmation`, { version: p.version, sha256: p.sha256 });
      await this.load();
    } catch (error) {
      this.#fail(error);
      // A newer version (the officer edited meanwhile) is shown at once.
      await this.load();
    }
  }

  /** The citizen's own paper: the Form 02 receipt, or the head's written refusal notice (Art. 9 cl.3). */
  async download(paper: 'receipt' | 'refusal-notice' = 'receipt'): Promise<void> {
    try {
      const fallback = paper === 'receipt' ? 'giay-bien-nhan.pdf' : 'thong-bao-tu-choi-tiep.pdf';
      saveFile(this.renderRoot, await apiFile(this.#api, `/api/v1/desk/cases/${encodeURIComponent(this.pending!.caseId)}/citizen-papers/${paper}?format=pdf`, fallback));
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    this.error = reportFailure(this, error);
  }

  protected override render() {
    const lang = this.speaks;
    const s = this.s;
    const p = this.pending;
    return html`<section aria-labelledby="confirmation-heading">
      <h2 id="confirmation-heading">${s.heading}</h2>
      ${this.error ? html`<div class="error-summary" role="alert"><h2>${s.errorTitle}</h2><p>${say(this.error.message, lang)}</p></div>` : nothing}
      ${p === undefined ? html`<p role="status">${s.loading}</p>` : nothing}
      ${p === null ? html`<p>${s.nothing}</p>` : nothing}
      ${p
        ? html`${p.text !== undefined
              ? html`${p.confirmed || p.outcome.state !== 'open' ? nothing : html`<p>${s.intro}</p>`}
                  <p class="text" id="content-text">${p.text}</p>
                  <p class="hint">${fmt(s.code, { sha: '' })}<code>${p.sha256}</code></p>
                  ${p.confirmed
                    ? html`<p class="done" role="status">${s.confirmed}</p>`
                    : p.outcome.state === 'open'
                      ? html`<button type="button" id="confirm" @click=${() => void this.confirm()}>${s.confirm}</button><p>${s.notRight}</p>`
                      : nothing}`
              : nothing}
            ${p.receipt
              ? html`<h3>${fmt(s.receipt, { code: p.receipt.code })}</h3><p>${s.receiptIntro}</p>
                  <ul>${p.receipt.items.map((i) => html`<li>${i.name} (${i.pages}, ${say(DOCUMENT_FORM_LABELS[i.form], lang)})</li>`)}</ul>
                  <button type="button" class="secondary" id="receipt-download" @click=${() => void this.download('receipt')}>${s.download}</button>`
              : nothing}
            <div aria-live="polite" id="outcome">
              ${p.outcome.handling || p.outcome.refusal
                ? html`<h3 class="outcome-heading">${s.outcome}</h3>${caseOutcomeView(p.outcome, lang, {
                    level: 4,
                    id: 'case-outcome',
                    ...(p.outcome.refusal?.notice
                      ? { extra: html`<button type="button" class="secondary" id="notice-download" @click=${() => void this.download('refusal-notice')}>${s.noticeDownload}</button>` }
                      : {}),
                  })}`
                : nothing}
            </div>`
        : nothing}
      <p><button type="button" class="secondary" id="refresh" @click=${() => void this.load()}>${s.refresh}</button></p>
    </section>`;
  }
}
