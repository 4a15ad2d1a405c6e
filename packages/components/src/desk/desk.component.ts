/**
 * The reception desk panel (issue 10; Circular 04/2021/TT-TTCP): the officer takes the case being received
 * through its steps — identity check, content record and the citizen's confirmation, documents received (Form 02
 * receipt), classification and handling or refusal (Art. 9), filing in the register — each one a call to the
 * desk API, answered with who, when and the minute of the recording. The server decides every role and unit
 * check; this panel shows what it returns and names each refused field. `<tiepdan-room>` loads it on demand for
 * its clerk and chair; it also works alone on an officials' page.
 */
import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import {
  ANSWER_MODE_LABELS,
  ANSWER_MODES,
  CASE_OUTCOME_LABELS,
  CASE_OUTCOMES,
  CASE_STATE_LABELS,
  DOCUMENT_FORM_LABELS,
  DOCUMENT_FORMS,
  ID_TYPE_LABELS,
  REFUSAL_GROUND_LABELS,
  REFUSAL_GROUNDS,
  formatDateTime,
  say,
  type AnswerMode,
  type CaseOutcome,
  type DocumentForm,
  type ErrorBody,
  type RefusalGround,
  type ReceptionCase,
  type StepStamp,
} from '@tiepdan/core';
import { apiCall, apiFile } from '@tiepdan/core/browser';
import { TiepdanElement } from '../shared/element.js';
import { reportFailure } from '../shared/failure.js';
import { saveFile } from '../shared/download.js';
import { fmt } from '../shared/lang.js';
import { deskStyles } from './desk.styles.js';
import { deskStrings, type DeskStrings } from './strings.js';

type Item = { name: string; pages: string; form: DocumentForm };
type Paper = 'record' | 'receipt' | 'refusal-notice';

/** "12:05" or "1:02:05": the minute of the recording a step was taken at. */
export function recordingClock(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const mm = String(Math.floor((total % 3600) / 60)).padStart(h ? 2 : 1, '0');
  const ss = String(total % 60).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * @tagname tiepdan-desk
 * @summary The reception officer's desk for one case: identity, content and confirmation, Form 02 receipt, outcome or refusal, filing.
 *
 * @attr server - Base URL of the tiepdan server.
 * @attr case - The case's id (the room's current case).
 * @attr lang - "vi" (default) or "en".
 * @prop token - The official's access token (clerk or chair). Prefer the property to markup.
 *
 * @fires tiepdan-case-changed - A step was recorded; detail `{ caseId, state, step }`.
 * @fires tiepdan-error - A request failed; detail `{ code, message }`.
 *
 * @cssproperty --tiepdan-color-primary - Main colour.
 * @cssproperty --tiepdan-font-size - Base font size (default 18px).
 */
export class TiepdanDesk extends TiepdanElement<DeskStrings> {
  static override styles = deskStyles;
  protected readonly strings = deskStrings;

  @property({ attribute: 'case' }) caseId = '';
  @property({ attribute: false }) token = '';

  @state() record: ReceptionCase | undefined;
  @state() private loading = false;
  @state() private error: ErrorBody['error'] | undefined;
  @state() private announcement = '';
  @state() private verified = true;
  @state() private differences = '';
  @state() private text = '';
  @state() private items: Item[] = [{ name: '', pages: '1', form: 'original' }];
  @state() private outcome: CaseOutcome | 'refused' | '' = '';
  @state() private agency = '';
  @state() private documentNumber = '';
  @state() private answerMode: AnswerMode = 'later';
  @state() private answerText = '';
  @state() private answerDue = '';
  @state() private ground: RefusalGround = 'art9_cl2';
  @state() private reason = '';
  @state() private settled = { agency: '', document: '', number: '', date: '' };
  @state() private followUp = '';

  get #api() {
    return { baseUrl: this.server, token: this.token || undefined };
  }

  protected override updated(changed: PropertyValues<this>): void {
    if ((changed.has('caseId') || changed.has('token') || changed.has('server')) && this.caseId && this.token && this.server) queueMicrotask(() => void this.load());
  }

  /** Reads the case again (the citizen's confirmation arrives from their own screen). */
  async load(): Promise<void> {
    this.loading = true;
    try {
      const { case: c } = await apiCall<{ case: ReceptionCase }>(this.#api, 'GET', `/api/v1/desk/cases/${encodeURIComponent(this.caseId)}`);
      if (!this.record || this.record.id !== c.id) this.text = c.content?.text ?? c.summary;
      this.record = c;
      this.error = undefined;
    } catch (error) {
      this.#fail(error);
    } finally {
      this.loading = false;
    }
  }

  #fail(error: unknown): void {
    this.error = reportFailure(this, error);
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#desk-error')?.focus());
  }

  /** One step: POST it, take the case the server answers with, say so. */
  async step(path: string, body: unknown, label: string): Promise<boolean> {
    try {
      const { case: c } = await apiCall<{ case: ReceptionCase }>(this.#api, 'POST', `/api/v1/desk/cases/${encodeURIComponent(this.caseId)}/${path}`, body);
      this.record = c;
      this.error = undefined;
      this.announcement = fmt(this.s.saved, { step: label });
      this.emit('tiepdan-case-changed', { caseId: c.id, state: c.state, step: path });
      return true;
    } catch (error) {
      this.#fail(error);
      return false;
    }
  }

  async download(paper: Paper, format: 'docx' | 'pdf'): Promise<void> {
    try {
      const file = await apiFile(this.#api, `/api/v1/desk/cases/${encodeURIComponent(this.caseId)}/papers/${paper}?format=${format}`, `${paper}.${format}`);
      saveFile(this.renderRoot, file);
    } catch (error) {
      this.#fail(error);
    }
  }

  #stamp(s: DeskStrings, stamp: StepStamp | undefined) {
    if (!stamp) return nothing;
    const time = formatDateTime(stamp.at);
    return html`<span class="stamp">${stamp.recordingMs !== undefined ? fmt(s.stampRec, { time, rec: recordingClock(stamp.recordingMs) }) : fmt(s.stamp, { time })}</span>`;
  }

  protected override render() {
    const lang = this.speaks;
    const s = this.s;
    const c = this.record;
    if (!this.caseId) return html`<p>${s.none}</p>`;
    if (!c) return html`${this.#errors(s, lang)}<p role="status">${this.loading ? s.loading : ''}</p>`;
    const open = c.state === 'open';
    return html`<section aria-labelledby="desk-heading">
      <h2 id="desk-heading" tabindex="-1">${fmt(s.heading, { number: c.registerNumber, year: c.registerYear })} · ${c.citizen.fullName}</h2>
      <p><strong>${say(CASE_STATE_LABELS[c.state], lang)}</strong> <button type="button" class="secondary" @click=${() => void this.load()}>${s.refresh}</button></p>
      ${this.#errors(s, lang)}
      <p class="sr-only" role="status" aria-live="polite">${this.announcement}</p>
      ${this.#identity(s, lang, c, open)} ${this.#content(s, c, open)} ${this.#receipt(s, lang, c, open)} ${this.#outcome(s, lang, c, open)} ${this.#close(s, c, open)} ${this.#papers(s, c)}
    </section>`;
  }

  #errors(s: DeskStrings, lang: 'vi' | 'en') {
    const e = this.error;
    if (!e) return nothing;
    return html`<div class="error-summary" id="desk-error" tabindex="-1" role="alert">
      <h2>${s.errorTitle}</h2>
      <p>${say(e.message, lang)}</p>
      ${e.fields?.length ? html`<ul>${e.fields.map((f) => html`<li>${say(f.message, lang)} <code>${f.path}</code></li>`)}</ul>` : nothing}
    </div>`;
  }

  #identity(s: DeskStrings, lang: 'vi' | 'en', c: ReceptionCase, open: boolean) {
    const ci = c.citizen;
    const paper = ci.idNumber ? `${ci.idType ? say(ID_TYPE_LABELS[ci.idType], lang) : ''} ${ci.idNumber}`.trim() : '—';
    return html`<section class="step" aria-labelledby="identity-heading">
      <h3 id="identity-heading">${s.identity}</h3>
      <dl><dt>${s.fullName}</dt><dd>${ci.fullName}</dd><dt>${s.address}</dt><dd>${ci.address ?? '—'}</dd><dt>${s.idPaper}</dt><dd>${paper}</dd></dl>
      ${c.identity ? html`<p class="done">${fmt(s.identityDone, { result: c.identity.verified ? s.verified : `${s.differs}: ${c.identity.differences ?? ''}` })}${this.#stamp(s, c.identity)}</p>` : nothing}
      ${open
        ? html`<form @submit=${(e: Event) => {
            e.preventDefault();
            void this.step('identity', { verified: this.verified, ...(!this.verified && this.differences.trim() ? { differences: this.differences } : {}) }, s.identity);
          }}>
            <fieldset><legend>${s.identityHint}</legend>
              <div class="choice"><input type="radio" id="id-ok" name="verified" .checked=${live(this.verified)} @change=${() => (this.verified = true)} /><label for="id-ok">${s.verified}</label></div>
              <div class="choice"><input type="radio" id="id-diff" name="verified" .checked=${live(!this.verified)} @change=${() => (this.verified = false)} /><label for="id-diff">${s.differs}</label></div>
            </fieldset>
            ${this.verified ? nothing : html`<div class="field"><label for="id-differences">${s.differences}</label><textarea id="id-differences" rows="2" required .value=${live(this.differences)} @input=${(e: Event) => (this.differences = (e.target as HTMLTextAreaElement).value)}></textarea></div>`}
            <button type="submit" id="identity-save">${s.identitySave}</button>
          </form>`
        : nothing}
    </section>`;
  }

  #content(s: DeskStrings, c: ReceptionCase, open: boolean) {
    const content = c.content;
    const confirmed = content && c.confirmation?.version === content.version ? c.confirmation : undefined;
    return html`<section class="step" aria-labelledby="content-heading">
      <h3 id="content-heading">${s.content}</h3>
      ${content
        ? html`<p class="done">${fmt(s.contentVersion, { version: content.version, sha: content.sha256.slice(0, 16) })}${this.#stamp(s, content)}</p>
            <p class=${confirmed ? 'done' : ''} id="confirmation-state">${confirmed ? fmt(confirmed.mode === 'screen' ? s.confirmedScreen : s.confirmedAloud, { version: confirmed.version }) : s.awaiting}${this.#stamp(s, confirmed)}</p>`
        : nothing}
      ${open
        ? html`<form @submit=${(e: Event) => {
            e.preventDefault();
            void this.step('content', { text: this.text }, s.content);
          }}>
            <div class="field"><label for="content-text">${s.contentText}</label><span class="hint" id="content-hint">${s.contentHint}</span>
              <textarea id="content-text" rows="6" aria-describedby="content-hint" .value=${live(this.text)} @input=${(e: Event) => (this.text = (e.target as HTMLTextAreaElement).value)}></textarea></div>
            <button type="submit" id="content-save">${s.contentSave}</button>
            ${content && !confirmed ? html`<button type="button" class="secondary" id="confirm-aloud" @click=${() => void this.step('confirmations/aloud', { version: content.version, sha256: content.sha256 }, s.confirmAloud)}>${s.confirmAloud}</button>` : nothing}
          </form>`
        : nothing}
    </section>`;
  }

  #receipt(s: DeskStrings, lang: 'vi' | 'en', c: ReceptionCase, open: boolean) {
    const r = c.receipt;
    const setItem = (i: number, patch: Partial<Item>) => (this.items = this.items.map((item, j) => (j === i ? { ...item, ...patch } : item)));
    return html`<section class="step" aria-labelledby="receipt-heading">
      <h3 id="receipt-heading">${s.receipt}</h3>
      ${r
        ? html`<p class="done">${fmt(s.receiptDone, { code: r.code, count: r.items.length })}${this.#stamp(s, r)}</p>
            <ul>${r.items.map((item) => html`<li>${item.name} — ${item.pages} — ${say(DOCUMENT_FORM_LABELS[item.form], lang)}</li>`)}</ul>`
        : open
          ? html`<form @submit=${(e: Event) => {
              e.preventDefault();
              const items = this.items.filter((item) => item.name.trim()).map((item) => ({ name: item.name, pages: Number(item.pages), form: item.form }));
              void this.step('receipt', { items }, s.receipt);
            }}>
              ${this.items.map(
                (item, i) => html`<div class="item">
                  <div class="field"><label for="item-name-${i}">${fmt(s.itemName, { n: i + 1 })}</label><input id="item-name-${i}" .value=${live(item.name)} @input=${(e: Event) => setItem(i, { name: (e.target as HTMLInputElement).value })} /></div>
                  <div class="field pages"><label for="item-pages-${i}">${s.itemPages}</label><input id="item-pages-${i}" type="number" min="1" inputmode="numeric" .value=${live(item.pages)} @input=${(e: Event) => setItem(i, { pages: (e.target as HTMLInputElement).value })} /></div>
                  <div class="field"><label for="item-form-${i}">${s.itemForm}</label><select id="item-form-${i}" @change=${(e: Event) => setItem(i, { form: (e.target as HTMLSelectElement).value as DocumentForm })}>
                    ${DOCUMENT_FORMS.map((f) => html`<option value=${f} ?selected=${item.form === f}>${say(DOCUMENT_FORM_LABELS[f], lang)}</option>`)}
                  </select></div>
                  ${this.items.length > 1 ? html`<button type="button" class="secondary" @click=${() => (this.items = this.items.filter((_, j) => j !== i))}>${fmt(s.removeItem, { n: i + 1 })}</button>` : nothing}
                </div>`,
              )}
              <button type="button" class="secondary" id="add-item" @click=${() => (this.items = [...this.items, { name: '', pages: '1', form: 'copy' }])}>${s.addItem}</button>
              <button type="submit" id="receipt-save">${s.receiptSave}</button>
            </form>`
          : nothing}
    </section>`;
  }

  #outcome(s: DeskStrings, lang: 'vi' | 'en', c: ReceptionCase, open: boolean) {
    const h = c.handling;
    const refusal = c.refusal;
    const text = (id: string, label: string, value: string, set: (v: string) => void, type = 'text') =>
      html`<div class="field"><label for=${id}>${label}</label><input id=${id} type=${type} .value=${live(value)} @input=${(e: Event) => set((e.target as HTMLInputElement).value)} /></div>`;
    let form: unknown = nothing;
    if (open && !h) {
      const refusing = this.outcome === 'refused';
      form = html`<form @submit=${(e: Event) => {
        e.preventDefault();
        if (refusing && this.ground === 'art9_cl3') void this.step('refusal-notice', { reason: this.reason, settled: this.settled }, s.refusalNotice);
        else if (refusing) void this.step('refusal', { ground: this.ground, reason: this.reason }, s.refuse);
        else
          void this.step(
            'handling',
            {
              outcome: this.outcome,
              ...(this.outcome !== 'accepted' ? { agency: this.agency, documentNumber: this.documentNumber } : {}),
              answer: { mode: this.answerMode, ...(this.answerMode === 'at_once' && this.answerText.trim() ? { text: this.answerText } : {}), ...(this.answerMode === 'later' && this.answerDue ? { due: this.answerDue } : {}) },
            },
            s.outcome,
          );
      }}>
        <fieldset><legend>${s.outcomeChoice}</legend>
          ${[...CASE_OUTCOMES, 'refused' as const].map(
            (o) => html`<div class="choice"><input type="radio" id="outcome-${o}" name="outcome" value=${o} .checked=${live(this.outcome === o)} @change=${() => (this.outcome = o)} /><label for="outcome-${o}">${o === 'refused' ? s.refused : say(CASE_OUTCOME_LABELS[o], lang)}</label></div>`,
          )}
        </fieldset>
        ${this.outcome === 'returned' || this.outcome === 'transferred'
          ? html`${text('agency', s.agency, this.agency, (v) => (this.agency = v))}${text('document-number', s.documentNumber, this.documentNumber, (v) => (this.documentNumber = v))}`
          : nothing}
        ${this.outcome && !refusing
          ? html`<fieldset><legend>${s.answerMode}</legend>
              ${ANSWER_MODES.map((m) => html`<div class="choice"><input type="radio" id="answer-${m}" name="answer" .checked=${live(this.answerMode === m)} @change=${() => (this.answerMode = m)} /><label for="answer-${m}">${say(ANSWER_MODE_LABELS[m], lang)}</label></div>`)}
            </fieldset>
            ${this.answerMode === 'later' ? text('answer-due', s.answerDue, this.answerDue, (v) => (this.answerDue = v), 'date') : html`<div class="field"><label for="answer-text">${s.answerText}</label><textarea id="answer-text" rows="3" .value=${live(this.answerText)} @input=${(e: Event) => (this.answerText = (e.target as HTMLTextAreaElement).value)}></textarea></div>`}
            <button type="submit" id="handling-save">${s.handlingSave}</button>`
          : nothing}
        ${refusing
          ? html`<div class="field"><label for="ground">${s.ground}</label><select id="ground" @change=${(e: Event) => (this.ground = (e.target as HTMLSelectElement).value as RefusalGround)}>
                ${REFUSAL_GROUNDS.map((g) => html`<option value=${g} ?selected=${this.ground === g}>${say(REFUSAL_GROUND_LABELS[g], lang)}</option>`)}
              </select></div>
              <div class="field"><label for="reason">${s.reason}</label><textarea id="reason" rows="3" .value=${live(this.reason)} @input=${(e: Event) => (this.reason = (e.target as HTMLTextAreaElement).value)}></textarea></div>
              ${this.ground === 'art9_cl3'
                ? html`<p class="hint">${s.headOnly}</p>
                    ${text('settled-agency', s.settledAgency, this.settled.agency, (v) => (this.settled = { ...this.settled, agency: v }))}
                    ${text('settled-document', s.settledDocument, this.settled.document, (v) => (this.settled = { ...this.settled, document: v }))}
                    ${text('settled-number', s.settledNumber, this.settled.number, (v) => (this.settled = { ...this.settled, number: v }))}
                    ${text('settled-date', s.settledDate, this.settled.date, (v) => (this.settled = { ...this.settled, date: v }), 'date')}
                    <button type="submit" class="danger" id="notice-save">${s.refusalNotice}</button>`
                : html`<button type="submit" class="danger" id="refuse-save">${s.refuse}</button>`}`
          : nothing}
      </form>`;
    }
    return html`<section class="step" aria-labelledby="outcome-heading">
      <h3 id="outcome-heading">${s.outcome}</h3>
      ${h ? html`<p class="done">${fmt(s.outcomeDone, { outcome: [say(CASE_OUTCOME_LABELS[h.outcome], lang), h.agency, h.documentNumber].filter(Boolean).join(', ') })}${this.#stamp(s, h)}</p>` : nothing}
      ${refusal ? html`<p class="done">${fmt(s.refusedDone, { reason: refusal.reason })}${refusal.notice ? html` ${fmt(s.noticeDone, { code: refusal.notice.code })}` : nothing}${this.#stamp(s, refusal)}</p>` : nothing}
      ${form}
    </section>`;
  }

  #close(s: DeskStrings, c: ReceptionCase, open: boolean) {
    if (c.state === 'closed') return html`<section class="step" aria-labelledby="close-heading"><h3 id="close-heading">${s.close}</h3><p class="done">${s.closed}</p></section>`;
    if (!open || !c.handling) return nothing;
    return html`<section class="step" aria-labelledby="close-heading">
      <h3 id="close-heading">${s.close}</h3>
      <form @submit=${(e: Event) => {
        e.preventDefault();
        void this.step('close', this.followUp.trim() ? { followUp: this.followUp } : {}, s.close);
      }}>
        <div class="field"><label for="follow-up">${s.followUp} <span class="hint-inline">${s.optional}</span></label><input id="follow-up" .value=${live(this.followUp)} @input=${(e: Event) => (this.followUp = (e.target as HTMLInputElement).value)} /></div>
        <button type="submit" id="close-save">${s.closeSave}</button>
      </form>
    </section>`;
  }

  #papers(s: DeskStrings, c: ReceptionCase) {
    const papers: Paper[] = ['record', ...(c.receipt ? (['receipt'] as const) : []), ...(c.refusal?.notice ? (['refusal-notice'] as const) : [])];
    return html`<section class="step papers" aria-labelledby="papers-heading">
      <h3 id="papers-heading">${s.papers}</h3>
      ${papers.map((p) =>
        (['pdf', 'docx'] as const).map((f) => html`<button type="button" class="secondary" data-paper=${p} data-format=${f} @click=${() => void this.download(p, f)}>${fmt(s.download, { paper: s[`paper_${p}`], format: f.toUpperCase() })}</button>`),
      )}
    </section>`;
  }
}
