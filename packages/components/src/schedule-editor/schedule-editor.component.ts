/**
 * The officials' schedule editor (SPEC §2 step 1): a periodic series (day N of the month, Nth weekday, weekly)
 * with a live preview from the server of the dates after holiday shifts and of the legal-minimum warnings, then
 * publication; and the cancellation or postponement of one session with a reason and a notice for citizens.
 * The server decides who may do this (schedule.manage) and computes every date; this element only asks.
 */
import {
  addDays,
  formatDate,
  formatTime,
  formatTimeRange,
  hanoiToUtc,
  isoDateToVi,
  say,
  SESSION_STATE_LABELS,
  utcToHanoiDate,
  viDateToIso,
  weekdayOf,
  type ErrorBody,
  type HolidayShift,
  type MetaResponse,
  type ReceptionSession,
  type RecurrencePattern,
  type SeriesPreview,
  type SeriesRequest,
  type SessionNotices,
  type Weekday,
} from '@tiepdan/core';
import { ApiClient } from '@tiepdan/core/browser';
import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { TiepdanElement } from '../shared/element.js';
import { checkboxField, radioField, selectField, textField } from '../shared/controls.js';
import { errorBodyOf, reportFailure } from '../shared/failure.js';
import { fmt } from '../shared/lang.js';
import { editorStyles } from './schedule-editor.styles.js';
import { editorStrings, type EditorStrings } from './strings.js';

export interface SeriesForm {
  hostName: string;
  hostRole: 'chair' | 'official';
  level: 'commune' | 'province' | 'central';
  patternType: RecurrencePattern['type'];
  day: string;
  nth: string;
  weekday: string;
  weekdays: Weekday[];
  startTime: string;
  /** Minutes, as typed. */
  duration: string;
  capacity: string;
  venue: string;
  connectionPoints: string[];
  remoteAllowed: boolean;
  shift: HolidayShift;
  /** dd/mm/yyyy as typed. */
  from: string;
  to: string;
}

const PREVIEW_DEBOUNCE_MS = 400;
const PREVIEW_SHOWN = 8;
const FINAL_STATES = new Set(['ended', 'cancelled', 'in_progress']);

export function defaultSeriesForm(today: string): SeriesForm {
  return {
    hostName: '', hostRole: 'chair', level: 'commune', patternType: 'monthly-day', day: '15', nth: '3', weekday: '2', weekdays: [2],
    startTime: '08:00', duration: '180', capacity: '10', venue: '', connectionPoints: [], remoteAllowed: false,
    shift: 'next-working-day', from: isoDateToVi(today), to: '',
  };
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/u;

/** "08:00" + 180 minutes → "11:00"; a session does not run past midnight, so it stops at 23:59. */
export function endTimeOf(start: string, minutes: number): string {
  const [h, m] = start.split(':').map(Number) as [number, number];
  const total = Math.min(h * 60 + m + minutes, 23 * 60 + 59);
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

/** Server field paths → this element's fields, so a 422 marks the field that caused it. */
const FIELD_PATHS: Record<string, string> = {
  'template.host.name': 'hostName',
  'template.host.role': 'hostRole',
  'template.level': 'level',
  'template.venue': 'venue',
  'template.capacity': 'capacity',
  'template.remoteAllowed': 'remoteAllowed',
  'rule.pattern.day': 'day',
  'rule.pattern.nth': 'nth',
  'rule.pattern.weekday': 'weekday',
  'rule.pattern.type': 'patternType',
  'rule.shift': 'shift',
  endTime: 'duration',
  reason: 'reason',
  'notice.vi': 'notice',
  'notice.en': 'noticeEn',
  startsAt: 'newDate',
  endsAt: 'newDate',
};

/** The server's SeriesRequest for the form, or undefined while something it needs is missing or malformed. */
export function toSeriesRequest(form: SeriesForm, unit: string): SeriesRequest | undefined {
  const from = viDateToIso(form.from);
  const to = form.to.trim() ? viDateToIso(form.to) : undefined;
  const duration = Number(form.duration);
  if (!from || (form.to.trim() && !to) || !form.hostName.trim() || !form.venue.trim() || !HHMM.test(form.startTime)) return undefined;
  if (!Number.isInteger(duration) || duration <= 0) return undefined;
  let pattern: RecurrencePattern;
  if (form.patternType === 'monthly-day') pattern = { type: 'monthly-day', day: Number(form.day) };
  else if (form.patternType === 'monthly-weekday') {
    pattern = { type: 'monthly-weekday', nth: Number(form.nth) as 1 | 2 | 3 | 4 | 5 | -1, weekday: Number(form.weekday) as Weekday };
  } else pattern = { type: 'weekly', weekdays: [...form.weekdays].sort() };
  return {
    template: {
      host: { role: form.hostRole, name: form.hostName.trim() },
      level: form.level,
      unit,
      venue: form.venue.trim(),
      connectionPoints: form.connectionPoints,
      capacity: Number(form.capacity),
      remoteAllowed: form.remoteAllowed,
    },
    rule: { pattern, shift: form.shift },
    startTime: form.startTime,
    endTime: endTimeOf(form.startTime, duration),
    from,
    ...(to ? { to } : {}),
  };
}

/**
 * @tagname tiepdan-schedule-editor
 * @summary Officials' schedule editor: periodic series with a live preview, publication, cancel/postpone.
 *
 * @attr server - Base URL of the tiepdan server.
 * @attr unit - The unit whose schedule is edited, e.g. "dongthap.sadec".
 * @attr lang - "vi" (default) or "en".
 * @prop token - The official's access token (JWT); set the property, never put a token in markup.
 *
 * @fires tiepdan-series-published - A series was created and published; detail `{ seriesId, sessions }`.
 * @fires tiepdan-session-changed - A session was cancelled or postponed; detail `{ session }`.
 * @fires tiepdan-error - A request failed; detail `{ code, message }`.
 *
 * @csspart form - The series form and the cancel/postpone form.
 * @csspart preview - The live preview of the series' dates.
 * @csspart warnings - The legal-minimum frequency warnings.
 * @csspart button - Primary buttons.
 * @cssproperty --tiepdan-color-primary - Main colour.
 * @cssproperty --tiepdan-color-warning - Border of the warnings box (default #b35c00).
 * @cssproperty --tiepdan-font-size - Base font size (default 18px).
 */
export class TiepdanScheduleEditor extends TiepdanElement<EditorStrings> {
  static override styles = editorStyles;
  protected readonly strings = editorStrings;

  @property() unit = '';
  @property({ attribute: false }) token = '';

  @state() form: SeriesForm = defaultSeriesForm(utcToHanoiDate(new Date()));
  @state() private preview: SeriesPreview | undefined;
  @state() private previewState: 'idle' | 'loading' | 'error' = 'idle';
  @state() private previewError: ErrorBody['error'] | undefined;
  @state() private meta: MetaResponse | undefined;
  @state() private upcoming: ReceptionSession[] = [];
  @state() private change = { sessionId: '', action: 'cancel' as 'cancel' | 'postpone', reason: '', notice: '', noticeEn: '', date: '', time: '' };
  @state() private delivery: SessionNotices | undefined;
  #deliveryTimer: ReturnType<typeof setTimeout> | undefined;
  @state() private error: ErrorBody['error'] | undefined;
  @state() private announcement = '';
  @state() private busy = false;

  #previewTimer: ReturnType<typeof setTimeout> | undefined;
  #previewRequest = 0;

  #api(): ApiClient {
    return new ApiClient({ baseUrl: this.server, token: () => this.token || undefined });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#previewTimer);
    clearTimeout(this.#deliveryTimer);
  }

  protected override updated(changed: PropertyValues<this>): void {
    const access = changed.has('token') || changed.has('server') || changed.has('unit');
    if (access && this.server && this.unit) {
      void this.#api().meta(this.unit).then((meta) => (this.meta = meta), () => undefined);
      if (this.token) void this.loadSessions();
    }
    if ((changed.has('form') || access) && this.server && this.token) {
      clearTimeout(this.#previewTimer);
      this.#previewTimer = setTimeout(() => void this.refreshPreview(), PREVIEW_DEBOUNCE_MS);
    }
  }

  #set<K extends keyof SeriesForm>(key: K, value: SeriesForm[K]): void {
    this.form = { ...this.form, [key]: value };
  }

  /** Asks the server for the dates the form's series would give; stale answers are dropped. */
  async refreshPreview(): Promise<void> {
    const request = toSeriesRequest(this.form, this.unit);
    const id = (this.#previewRequest += 1);
    if (!request) {
      this.preview = undefined;
      this.previewState = 'idle';
      return;
    }
    this.previewState = 'loading';
    try {
      const preview = await this.#api().previewSeries(request);
      if (id !== this.#previewRequest) return;
      this.preview = preview;
      this.previewError = undefined;
      this.previewState = 'idle';
    } catch (error) {
      if (id !== this.#previewRequest) return;
      this.preview = undefined;
      this.previewError = errorBodyOf(error);
      this.previewState = 'error';
    }
  }

  async loadSessions(): Promise<void> {
    const today = utcToHanoiDate(new Date());
    try {
      const list = await this.#api().listSessions({ unit: this.unit, from: today, to: addDays(today, 365) });
      this.upcoming = list.items.filter((x) => !FINAL_STATES.has(x.state));
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    this.error = reportFailure(this, error);
  }

  async #publish(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const request = toSeriesRequest(this.form, this.unit);
    const s = this.s;
    if (!request) {
      this.error = { code: 'validation', message: { vi: editorStrings('vi').previewNeeds, en: editorStrings('en').previewNeeds } };
      return;
    }
    this.busy = true;
    this.error = undefined;
    let created;
    try {
      created = await this.#api().createSeries({ ...request, publish: true });
    } catch (error) {
      this.busy = false;
      return this.#fail(error);
    }
    this.announcement = fmt(s.published, { count: created.sessions.length });
    // The event comes once the element is ready for the next action, with the new sessions in its list.
    await this.loadSessions();
    this.busy = false;
    this.emit('tiepdan-series-published', { seriesId: created.series.id, sessions: created.sessions.length });
  }

  async #changeSession(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const c = this.change;
    const target = this.upcoming.find((x) => x.id === c.sessionId);
    if (!target) return;
    const s = this.s;
    const body = { reason: c.reason.trim(), notice: { vi: c.notice.trim(), ...(c.noticeEn.trim() ? { en: c.noticeEn.trim() } : {}) } };
    let times: { startsAt: string; endsAt: string } | undefined;
    if (c.action === 'postpone' && c.date.trim()) {
      const date = viDateToIso(c.date);
      if (!date || !HHMM.test(c.time)) {
        this.error = { code: 'validation', message: { vi: editorStrings('vi').invalidDate, en: editorStrings('en').invalidDate } };
        return;
      }
      const startsAt = hanoiToUtc(date, c.time);
      const length = new Date(target.endsAt).getTime() - new Date(target.startsAt).getTime();
      times = { startsAt, endsAt: new Date(new Date(startsAt).getTime() + length).toISOString() };
    }
    this.busy = true;
    this.error = undefined;
    let result;
    try {
      const api = this.#api();
      result = c.action === 'cancel' ? await api.cancelSession(target.id, body) : await api.postponeSession(target.id, { ...body, ...times });
    } catch (error) {
      this.busy = false;
      return this.#fail(error);
    }
    this.announcement = fmt(s.changed, {
      date: formatTimeRange(target.startsAt, target.endsAt),
      state: say(SESSION_STATE_LABELS[result.session.state], this.speaks),
      count: result.noticesQueued,
    });
    this.change = { ...this.change, sessionId: '', reason: '', notice: '', noticeEn: '', date: '', time: '' };
    this.delivery = undefined;
    if (result.noticesQueued > 0) void this.#watchDelivery(result.session.id);
    await this.loadSessions();
    this.busy = false;
    this.emit('tiepdan-session-changed', { session: result.session });
  }

  /** What happened to the notices of the last change: queued, sent, failed (polled until nothing is queued). */
  async #watchDelivery(sessionId: string, round = 0): Promise<void> {
    clearTimeout(this.#deliveryTimer);
    try {
      this.delivery = await this.#api().sessionNotices(sessionId);
      if (this.delivery.summary.queued > 0 && round < 60) this.#deliveryTimer = setTimeout(() => void this.#watchDelivery(sessionId, round + 1), 2000);
    } catch {
      // Informative only: the change itself is done.
    }
  }

  /** The message of a server field error for one of this form's fields (server paths → form paths). */
  #err(field: string): string | undefined {
    const fields = this.error?.fields;
    if (!fields?.length) return undefined;
    const lang = this.speaks;
    const found = fields.find((f) => (FIELD_PATHS[f.path] ?? FIELD_PATHS[f.path.replace(/\.\d+$/u, '')] ?? f.path) === field);
    return found ? say(found.message, lang) : undefined;
  }

  protected override render() {
    const lang = this.speaks;
    const s = this.s;
    return html`
      <h2>${s.heading}</h2>
      <div class="status" role="status" aria-live="polite">${this.announcement}</div>
      ${!this.token ? html`<p class="notice">${s.noToken}</p>` : nothing}
      ${this.error
        ? html`<div class="error-summary" role="alert"><p>${say(this.error.message, lang)}</p>
            ${this.error.fields?.length ? html`<ul>${this.error.fields.map((f) => html`<li>${f.path}: ${say(f.message, lang)}</li>`)}</ul>` : nothing}</div>`
        : nothing}
      ${this.delivery
        ? html`<p class="delivery" role="status">${fmt(s.delivery, this.delivery.summary)}${this.delivery.summary.logged ? ` ${fmt(s.deliveryLogged, this.delivery.summary)}` : ''}</p>`
        : nothing}
      ${this.#renderSeries(s)}
      ${this.#renderChange(s, lang)}
    `;
  }

  #renderSeries(s: EditorStrings) {
    const f = this.form;
    const weekdayOptions = s.weekdays.map((label, i) => ({ value: String(i + 1), label }));
    return html`<form part="form" class="series" @submit=${(e: SubmitEvent) => void this.#publish(e)}>
      <h3>${s.seriesHeading}</h3>
      ${textField({ path: 'hostName', error: this.#err('hostName'), label: s.hostName, value: f.hostName, onInput: (v) => this.#set('hostName', v), autocomplete: 'off' })}
      ${radioField({ path: 'hostRole', error: this.#err('hostRole'), label: s.hostRole, value: f.hostRole, options: [{ value: 'chair', label: s.chair }, { value: 'official', label: s.official }],
        onChange: (v) => this.#set('hostRole', v as SeriesForm['hostRole']) })}
      ${selectField({ path: 'level', error: this.#err('level'), label: s.level, value: f.level, placeholder: s.level,
        options: (['commune', 'province', 'central'] as const).map((value) => ({ value, label: s[value] })),
        onChange: (v) => this.#set('level', (v || 'commune') as SeriesForm['level']) })}
      ${radioField({ path: 'patternType', error: this.#err('patternType'), label: s.pattern, value: f.patternType,
        options: [{ value: 'monthly-day', label: s.monthlyDay }, { value: 'monthly-weekday', label: s.monthlyWeekday }, { value: 'weekly', label: s.weekly }],
        onChange: (v) => this.#set('patternType', v as SeriesForm['patternType']) })}
      ${f.patternType === 'monthly-day'
        ? textField({ path: 'day', error: this.#err('day'), label: s.dayOfMonth, value: f.day, inputmode: 'numeric', onInput: (v) => this.#set('day', v) })
        : nothing}
      ${f.patternType === 'monthly-weekday'
        ? html`<div class="row">
            ${selectField({ path: 'nth', error: this.#err('nth'), label: s.nth, value: f.nth, placeholder: s.nth,
              options: [...['1', '2', '3', '4', '5'].map((value) => ({ value, label: value })), { value: '-1', label: s.last }],
              onChange: (v) => this.#set('nth', v) })}
            ${selectField({ path: 'weekday', error: this.#err('weekday'), label: s.weekday, value: f.weekday, placeholder: s.weekday, options: weekdayOptions, onChange: (v) => this.#set('weekday', v) })}
          </div>`
        : nothing}
      ${f.patternType === 'weekly'
        ? html`<fieldset><legend>${s.weekdaysLegend}</legend>${s.weekdays.map((label, i) => {
            const day = (i + 1) as Weekday;
            return checkboxField({ path: `weekdays.${day}`, label, checked: f.weekdays.includes(day),
              onChange: (on) => this.#set('weekdays', on ? [...f.weekdays, day] : f.weekdays.filter((d) => d !== day)) });
          })}</fieldset>`
        : nothing}
      <div class="row">
        ${textField({ path: 'startTime', error: this.#err('startTime'), label: s.startTime, value: f.startTime, inputmode: 'numeric', onInput: (v) => this.#set('startTime', v.trim()) })}
        ${textField({ path: 'duration', error: this.#err('duration'), label: s.duration, value: f.duration, inputmode: 'numeric', onInput: (v) => this.#set('duration', v.trim()) })}
        ${textField({ path: 'capacity', error: this.#err('capacity'), label: s.capacity, value: f.capacity, inputmode: 'numeric', onInput: (v) => this.#set('capacity', v.trim()) })}
      </div>
      ${textField({ path: 'venue', error: this.#err('venue'), label: s.venue, value: f.venue, onInput: (v) => this.#set('venue', v) })}
      ${this.meta?.connectionPoints.length
        ? html`<fieldset><legend>${s.connectionPoints}</legend>${this.meta.connectionPoints.map((p) =>
            checkboxField({ path: `cp.${p.id}`, label: p.name, checked: f.connectionPoints.includes(p.id),
              onChange: (on) => this.#set('connectionPoints', on ? [...f.connectionPoints, p.id] : f.connectionPoints.filter((id) => id !== p.id)) }))}</fieldset>`
        : nothing}
      ${this.meta?.remoteAttendanceAllowed
        ? checkboxField({ path: 'remoteAllowed', error: this.#err('remoteAllowed'), label: s.remoteAllowed, checked: f.remoteAllowed, onChange: (on) => this.#set('remoteAllowed', on) })
        : nothing}
      ${radioField({ path: 'shift', error: this.#err('shift'), label: s.shift, value: f.shift,
        options: [{ value: 'next-working-day', label: s.shiftNext }, { value: 'previous-working-day', label: s.shiftPrevious }, { value: 'skip', label: s.shiftSkip }],
        onChange: (v) => this.#set('shift', v as HolidayShift) })}
      <div class="row">
        ${textField({ path: 'from', error: this.#err('from'), label: s.from, value: f.from, inputmode: 'numeric', onInput: (v) => this.#set('from', v) })}
        ${textField({ path: 'to', error: this.#err('to'), label: s.to, value: f.to, inputmode: 'numeric', onInput: (v) => this.#set('to', v) })}
      </div>
      ${this.#renderPreview(s)}
      <button part="button" type="submit" ?disabled=${this.busy || !this.token}>${s.publish}</button>
    </form>`;
  }

  #renderPreview(s: EditorStrings) {
    const lang = this.speaks;
    const p = this.preview;
    let body;
    if (this.previewState === 'error' && this.previewError) body = html`<p class="error-message">${say(this.previewError.message, lang)}</p>`;
    else if (!p) body = html`<p class="hint">${this.previewState === 'loading' ? s.previewLoading : s.previewNeeds}</p>`;
    else if (p.occurrences.length === 0) body = html`<p>${s.previewNone}</p>`;
    else {
      body = html`<p>${fmt(s.previewCount, { count: p.occurrences.length, from: isoDateToVi(p.from), to: isoDateToVi(p.to) })}</p>
        <ol class="dates">${p.occurrences.slice(0, PREVIEW_SHOWN).map(
          (o) => html`<li class=${o.shifted ? 'shifted' : ''} data-date=${o.date}>
            <strong>${s.weekdays[weekdayOf(o.date) - 1]}, ${isoDateToVi(o.date)}</strong> ${formatTime(o.startsAt)}–${formatTime(o.endsAt)}
            ${o.shifted ? html`<span class="moved">(${fmt(s.shifted, { date: isoDateToVi(o.nominal) })})</span>` : nothing}
          </li>`,
        )}</ol>
        ${p.occurrences.length > PREVIEW_SHOWN ? html`<p>${fmt(s.previewMore, { count: p.occurrences.length - PREVIEW_SHOWN })}</p>` : nothing}`;
    }
    return html`<section part="preview" class="preview" aria-labelledby="preview-heading" aria-busy=${this.previewState === 'loading' ? 'true' : 'false'}>
      <h4 id="preview-heading">${s.previewHeading}</h4>
      <div aria-live="polite">${body}</div>
      ${p?.warnings.length
        ? html`<div part="warnings" class="warnings" role="note" aria-labelledby="warnings-heading">
            <h4 id="warnings-heading"><span aria-hidden="true">⚠ </span>${s.warningsHeading}</h4>
            <ul>${p.warnings.map((w) => html`<li>${say(w.message, lang)}</li>`)}</ul>
          </div>`
        : nothing}
    </section>`;
  }

  #renderChange(s: EditorStrings, lang: string) {
    const c = this.change;
    const set = (patch: Partial<typeof c>) => (this.change = { ...c, ...patch });
    return html`<form part="form" class="change" @submit=${(e: SubmitEvent) => void this.#changeSession(e)}>
      <h3>${s.changeHeading}</h3>
      ${this.upcoming.length === 0
        ? html`<p>${s.noSessions}</p>`
        : html`
          ${selectField({ path: 'sessionId', error: this.#err('sessionId'), label: s.session, value: c.sessionId, placeholder: s.choose,
            options: this.upcoming.map((x) => ({
              value: x.id,
              label: `${formatTimeRange(x.startsAt, x.endsAt)} · ${x.host.name} · ${x.state === 'postponed' && x.postponedFrom ? fmt(s.postponedTo, { when: formatTimeRange(x.startsAt, x.endsAt) }) : say(SESSION_STATE_LABELS[x.state], lang)}`,
            })),
            onChange: (v) => set({ sessionId: v }) })}
          ${radioField({ path: 'action', error: this.#err('action'), label: s.action, value: c.action, options: [{ value: 'cancel', label: s.cancel }, { value: 'postpone', label: s.postpone }],
            onChange: (v) => set({ action: v as 'cancel' | 'postpone' }) })}
          ${textField({ path: 'reason', error: this.#err('reason'), label: s.reason, value: c.reason, multiline: true, onInput: (v) => set({ reason: v }) })}
          ${textField({ path: 'notice', error: this.#err('notice'), label: s.notice, value: c.notice, multiline: true, onInput: (v) => set({ notice: v }) })}
          ${textField({ path: 'noticeEn', error: this.#err('noticeEn'), label: s.noticeEn, value: c.noticeEn, multiline: true, onInput: (v) => set({ noticeEn: v }) })}
          ${c.action === 'postpone'
            ? html`<div class="row">
                ${textField({ path: 'newDate', error: this.#err('newDate'), label: s.newDate, value: c.date, inputmode: 'numeric', onInput: (v) => set({ date: v }) })}
                ${textField({ path: 'newTime', error: this.#err('newTime'), label: s.newTime, value: c.time, inputmode: 'numeric', onInput: (v) => set({ time: v.trim() }) })}
              </div>`
            : nothing}
          <button part="button" type="submit" ?disabled=${this.busy || !c.sessionId || !c.reason.trim() || !c.notice.trim()}>${s.confirm}</button>`}
    </form>`;
  }
}

