/**
 * The reception register (Sổ tiếp công dân, Form 03; issue 10 §3) for officials: the lines of a period, unit,
 * kind, outcome or connection point, each openable as its case (the desk panel, loaded on demand), and the book
 * downloaded as .xlsx, .docx, PDF or CSV with the token in a header. A refused export (a .docx above
 * `desk.docxMaxLines`) shows the server's own advice, field by field, in the page's language. The server redacts a denouncer's identity for
 * roles without the right; this element shows the lines exactly as the exports print them (core registerEntry).
 * "Xem hạn xử lý" lists the legal deadlines still running (acceptance and settlement, SPEC §5 column 11),
 * overdue ones first as they fall due soonest, each openable as its case.
 */
import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import {
  CASE_OUTCOME_LABELS,
  CASE_OUTCOMES,
  MATTER_KIND_LABELS,
  MATTER_KINDS,
  REGISTER_COLUMN_LABELS,
  say,
  type Deadline,
  type ErrorBody,
  type Lang,
  type RegisterEntry,
} from '@tiepdan/core';
import { apiCall, apiFile } from '@tiepdan/core/browser';
import { TiepdanElement } from '../shared/element.js';
import { reportFailure } from '../shared/failure.js';
import { saveFile } from '../shared/download.js';
import { fmt } from '../shared/lang.js';
import { registerStyles } from './register.styles.js';
import { registerStrings, type RegisterStrings } from './strings.js';

type Filters = { from: string; to: string; unit: string; kind: string; outcome: string; pointId: string };
const FORMATS = ['xlsx', 'docx', 'pdf', 'csv'] as const;
/** A Vietnamese calendar day as the server gives it (yyyy-mm-dd) → dd/mm/yyyy. */
const dayOf = (ymd: string) => ymd.split('-').reverse().join('/');

/**
 * @tagname tiepdan-register
 * @summary Officials' reception register (Form 03): filter by period and unit, list, open a case, download .xlsx/.docx/PDF/CSV.
 *
 * @attr server - Base URL of the tiepdan server.
 * @attr lang - "vi" (default) or "en".
 * @attr from - First day of the period (yyyy-mm-dd, Vietnam).
 * @attr to - Last day of the period (yyyy-mm-dd, Vietnam).
 * @prop token - The official's access token. Prefer the property to markup.
 *
 * @fires tiepdan-error - A request failed; detail `{ code, message }`.
 *
 * @cssproperty --tiepdan-color-primary - Main colour.
 * @cssproperty --tiepdan-font-size - Base font size (default 18px).
 */
export class TiepdanRegister extends TiepdanElement<RegisterStrings> {
  static override styles = registerStyles;
  protected readonly strings = registerStrings;

  @property() from = '';
  @property() to = '';
  @property({ attribute: false }) token = '';

  @state() entries: RegisterEntry[] | undefined;
  /** The legal deadlines not yet met (column 11's follow-up), loaded on demand, soonest first. */
  @state() deadlines: { on: string; deadlines: Deadline[] } | undefined;
  @state() opened: string | undefined;
  @state() private filters: Filters = { from: '', to: '', unit: '', kind: '', outcome: '', pointId: '' };
  @state() private loading = false;
  @state() private error: ErrorBody['error'] | undefined;
  #desk: Promise<unknown> | undefined;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('from') || changed.has('to')) this.filters = { ...this.filters, from: this.from, to: this.to };
  }

  protected override updated(changed: PropertyValues<this>): void {
    if ((changed.has('token') || changed.has('server')) && this.token && this.server) queueMicrotask(() => void this.load());
  }

  get #api() {
    return { baseUrl: this.server, token: this.token || undefined };
  }

  #query(extra: Record<string, string> = {}): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...this.filters, ...extra })) if (value) params.set(key, value);
    const q = params.toString();
    return q ? `?${q}` : '';
  }

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.entries = (await apiCall<{ entries: RegisterEntry[] }>(this.#api, 'GET', `/api/v1/register${this.#query()}`)).entries;
      this.error = undefined;
    } catch (error) {
      this.#fail(error);
    } finally {
      this.loading = false;
    }
  }

  /** The deadlines of the chosen unit, kind and connection point (the period does not narrow them: a limit runs on). */
  async loadDeadlines(): Promise<void> {
    try {
      const { unit, kind, pointId } = this.filters;
      const params = new URLSearchParams(Object.entries({ unit, kind, pointId }).filter(([, v]) => v));
      const q = params.toString();
      this.deadlines = await apiCall<{ on: string; deadlines: Deadline[] }>(this.#api, 'GET', `/api/v1/register/deadlines${q ? `?${q}` : ''}`);
      this.error = undefined;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#deadlines-heading')?.focus();
    } catch (error) {
      this.#fail(error);
    }
  }

  async download(format: (typeof FORMATS)[number]): Promise<void> {
    try {
      saveFile(this.renderRoot, await apiFile(this.#api, `/api/v1/register/export${this.#query({ format })}`, `so-tiep-cong-dan.${format}`));
      this.error = undefined;
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Opens a line as its case in the desk panel (loaded the first time). */
  async open(caseId: string): Promise<void> {
    this.#desk ??= import('../desk/desk.js').catch((error: unknown) => {
      this.#desk = undefined;
      throw error;
    });
    try {
      await this.#desk;
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.opened = caseId;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#opened-heading')?.focus();
  }

  #fail(error: unknown): void {
    this.error = reportFailure(this, error);
    // The advice is what the official reads next (a shorter period, the .xlsx): focus goes there.
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#register-error')?.focus());
  }

  protected override render() {
    const lang = this.speaks;
    const s = this.s;
    const set = (key: keyof Filters) => (e: Event) => (this.filters = { ...this.filters, [key]: (e.target as HTMLInputElement | HTMLSelectElement).value });
    const field = (key: keyof Filters, label: string, type = 'text', hint?: string) =>
      html`<div class="field"><label for="f-${key}">${label}</label>${hint ? html`<span class="hint" id="h-${key}">${hint}</span>` : nothing}<input id="f-${key}" type=${type} aria-describedby=${hint ? `h-${key}` : nothing} .value=${live(this.filters[key])} @input=${set(key)} /></div>`;
    return html`<section aria-labelledby="register-heading">
      <h2 id="register-heading">${s.heading}</h2>
      <form class="filters" aria-label=${s.filters} @submit=${(e: Event) => (e.preventDefault(), void this.load())}>
        ${field('from', s.from, 'date')} ${field('to', s.to, 'date')} ${field('unit', s.unit, 'text', s.unitHint)} ${field('pointId', s.point)}
        <div class="field"><label for="f-kind">${s.kind}</label><select id="f-kind" @change=${set('kind')}>
          <option value="">${s.all}</option>${MATTER_KINDS.map((k) => html`<option value=${k} ?selected=${this.filters.kind === k}>${say(MATTER_KIND_LABELS[k], lang)}</option>`)}
        </select></div>
        <div class="field"><label for="f-outcome">${s.outcome}</label><select id="f-outcome" @change=${set('outcome')}>
          <option value="">${s.all}</option>${CASE_OUTCOMES.map((o) => html`<option value=${o} ?selected=${this.filters.outcome === o}>${say(CASE_OUTCOME_LABELS[o], lang)}</option>`)}
          <option value="refused" ?selected=${this.filters.outcome === 'refused'}>${s.refused}</option>
        </select></div>
        <div class="field"><button type="submit" id="apply">${s.apply}</button></div>
      </form>
      ${this.error
        ? html`<div class="error-summary" id="register-error" tabindex="-1" role="alert"><h2>${s.errorTitle}</h2>
            ${this.error.fields?.length ? html`<ul>${this.error.fields.map((f) => html`<li>${say(f.message, lang)}</li>`)}</ul>` : html`<p>${say(this.error.message, lang)}</p>`}
          </div>`
        : nothing}
      <div role="group" aria-label=${s.download}>
        ${FORMATS.map((f) => html`<button type="button" class="secondary" data-format=${f} @click=${() => void this.download(f)}>${fmt(s.downloadAs, { format: f.toUpperCase() })}</button>`)}
      </div>
      <button type="button" class="secondary" id="show-deadlines" @click=${() => void this.loadDeadlines()}>${s.showDeadlines}</button>
      ${this.deadlines ? this.#deadlines(s, lang, this.deadlines) : nothing}
      ${this.opened ? this.#opened(s, lang) : nothing}
      <p role="status">${this.loading ? s.loading : this.entries ? (this.entries.length ? fmt(s.count, { count: this.entries.length }) : s.empty) : ''}</p>
      ${this.entries?.length ? html`<ol class="lines">${this.entries.map((e) => this.#line(s, e))}</ol>` : nothing}
    </section>`;
  }

  #deadlines(s: RegisterStrings, lang: Lang, view: { on: string; deadlines: Deadline[] }) {
    return html`<section class="deadlines" aria-labelledby="deadlines-heading">
      <h3 id="deadlines-heading" tabindex="-1">${s.deadlines}</h3>
      <p>${view.deadlines.length ? fmt(s.deadlinesCount, { count: view.deadlines.length, on: dayOf(view.on) }) : s.deadlinesEmpty}</p>
      ${view.deadlines.length
        ? html`<ol class="lines">${view.deadlines.map((d) => html`<li class="line deadline ${d.status}" data-case=${d.caseId} data-status=${d.status}>
            <p><strong>${s[d.status === 'met' ? 'upcoming' : d.status]}</strong> · ${fmt(s.deadlineLine, { number: d.registerNumber, year: d.registerYear, kind: say(MATTER_KIND_LABELS[d.kind], lang), step: d.step === 'accept' ? s.stepAccept : s.stepSettle, due: dayOf(d.due) })}</p>
            ${d.latest !== d.due ? html`<p class="meta">${fmt(s.deadlineLatest, { latest: dayOf(d.latest) })}</p>` : nothing}
            <button type="button" class="secondary" @click=${() => void this.open(d.caseId)}>${fmt(s.open, { number: `${d.registerNumber}/${d.registerYear}` })}</button>
          </li>`)}</ol>`
        : nothing}
    </section>`;
  }

  #opened(s: RegisterStrings, lang: Lang) {
    return html`<div class="opened">
      <h3 id="opened-heading" tabindex="-1" class="sr-only">${s.opened}</h3>
      <tiepdan-desk .server=${this.server} .caseId=${this.opened!} .token=${this.token} lang=${lang}></tiepdan-desk>
      <button type="button" class="secondary" @click=${() => (this.opened = undefined)}>${s.closeCase}</button>
    </div>`;
  }

  #line(s: RegisterStrings, e: RegisterEntry) {
    const lang = this.speaks;
    const col = (c: 'accepted' | 'returned' | 'transferred' | 'followUp' | 'notes') => (e[c] ? `${say(REGISTER_COLUMN_LABELS[c], lang)}${e[c] === 'x' ? '' : `: ${e[c]}`}` : '');
    const outcome = [col('accepted'), col('returned'), col('transferred'), col('notes')].filter(Boolean).join('. ');
    return html`<li class="line" data-case=${e.caseId}>
      <h3>${fmt(s.line, { number: e.number, year: e.year, date: e.date })}</h3>
      <p class="meta">${e.kindAndCount}${e.redacted ? html` · <strong>${s.redacted}</strong>` : nothing}</p>
      <p><strong>${e.nameAddress}</strong>${e.idPaper ? ` · ${e.idPaper}` : ''}</p>
      <p>${e.summary}</p>
      ${outcome ? html`<p class="outcome">${outcome}</p>` : nothing}
      ${e.followUp ? html`<p>${col('followUp')}</p>` : nothing}
      <button type="button" class="secondary" @click=${() => void this.open(e.caseId)}>${fmt(s.open, { number: `${e.number}/${e.year}` })}</button>
    </li>`;
  }
}
