/**
 * The public reception schedule (lịch tiếp công dân, SPEC §2 step 1): a month grid with the keyboard model of
 * the WAI-ARIA APG date grid, and a list view that is the default on narrow screens. Every date and time is
 * shown in Hanoi time whatever the device's zone (SPEC §4): sessions are placed on days by `utcToHanoiDate` and
 * times go through `formatTime`, never through the browser's local Date getters.
 */
import {
  formatTime,
  isoDateToVi,
  parseLocalDate,
  say,
  SESSION_KIND_LABELS,
  SESSION_STATE_LABELS,
  utcToHanoiDate,
  weekdayOf,
  type Lang,
  type LocalDate,
  type ReceptionSession,
} from '@tiepdan/core';
import { ApiClient } from '@tiepdan/core/browser';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { TiepdanElement } from '../shared/element.js';
import { fmt } from '../shared/lang.js';
import { addMonths, monthKey, monthWeeks, moveDate } from './month.js';
import { scheduleStyles } from './schedule.styles.js';
import { scheduleStrings, type ScheduleStrings } from './strings.js';

export type ScheduleView = 'month' | 'list';

/** Below this width (in the element's own em) the month grid is too cramped: the list is shown instead. */
const NARROW_EM = 34;
const DAY_PREVIEW = 3;

/** A session a citizen can still choose: open for registration with a place left. */
export const isBookable = (session: ReceptionSession): boolean => session.state === 'open' && session.placesLeft > 0;
const isOff = (session: ReceptionSession): boolean => session.state === 'cancelled' || session.state === 'postponed';
/** Cancelled is final (✕); postponed moves (↷) and, with new times, its time is the new one, not struck out. */
const mark = (session: ReceptionSession): string => (session.state === 'cancelled' ? '✕' : '↷');
/** A postponed session whose times are still the first announced ones (postponed until further notice). */
const struck = (session: ReceptionSession): boolean => session.state === 'cancelled' || (session.state === 'postponed' && !session.postponedFrom);

const todayInHanoi = (): LocalDate => utcToHanoiDate(new Date());

/**
 * @tagname tiepdan-schedule
 * @summary The unit's reception schedule: month grid and list, sessions with host, kind, places left and state.
 *
 * @attr server - Base URL of the tiepdan server; the sessions and the .ics feed come from it.
 * @attr unit - Receiving unit code, e.g. "dongthap.sadec".
 * @attr lang - "vi" (default) or "en"; falls back to the closest ancestor's lang.
 * @attr view - "month" or "list"; unset: list when the element is narrower than 34em, month otherwise.
 * @attr month - The month shown first, "yyyy-mm" (default: the current month in Hanoi).
 * @attr poll - Seconds between refreshes of the places left while the page is visible (default 60; 0: never).
 * @attr selected - Id of the chosen session, marked as chosen.
 * @attr pick - Choosing mode (the registration's "choose a session" step): one list of the upcoming sessions open
 *   for registration with places left, without month paging; says so when there is none.
 * @prop sessions - Sessions to show instead of asking the server (a page that already has them).
 *
 * @fires tiepdan-session-select - A session was chosen (button, or Enter on a day with one bookable session); detail `{ session }`.
 * @fires tiepdan-error - The schedule could not be loaded; detail `{ code, message }`.
 *
 * @csspart header - Month title and navigation.
 * @csspart grid - The month grid (table, role=grid).
 * @csspart day - Each day cell of the grid.
 * @csspart list - The list view.
 * @csspart session - Each session entry in the list or the day's details.
 * @csspart state - A session's state label (cancelled/postponed get a mark and text, not only a colour).
 * @csspart button - Buttons (choose, navigation).
 * @csspart ics - The "add to calendar" link.
 *
 * @cssproperty --tiepdan-color-primary - Buttons, links, the focused day (default #005ea5).
 * @cssproperty --tiepdan-color-cancelled - Cancelled sessions (default #b3261e).
 * @cssproperty --tiepdan-color-postponed - Postponed sessions, which move rather than end (default #8a5a00).
 * @cssproperty --tiepdan-font-size - Base size (default 18px).
 * @cssproperty --tiepdan-focus-color - Focus ring colour (default #ffbf47).
 */
export class TiepdanSchedule extends TiepdanElement<ScheduleStrings> {
  static override styles = scheduleStyles;
  protected readonly strings = scheduleStrings;

  @property() unit = '';
  @property() view: ScheduleView | undefined;
  @property() month: string | undefined;
  @property({ type: Number }) poll = 60;
  @property() selected = '';
  @property({ type: Boolean }) pick = false;
  @property({ attribute: false }) sessions: ReceptionSession[] | undefined;

  @state() private narrow = false;
  @state() private chosenView: ScheduleView | undefined;
  /** The day with the grid's roving tabindex; its month is the month shown. */
  @state() private focusedDate: LocalDate = todayInHanoi();
  @state() private selectedDate: LocalDate | undefined;
  @state() private loaded: ReceptionSession[] = [];
  @state() private status: 'idle' | 'loading' | 'error' = 'idle';
  @state() private announcement = '';

  #byDate = new Map<LocalDate, ReceptionSession[]>();
  #byDateSource: ReceptionSession[] | undefined;
  #resize: ResizeObserver | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #loadedRange = '';
  #request = 0;

  /** The view in force: the citizen's choice, else the attribute, else by width. */
  get currentView(): ScheduleView {
    return this.chosenView ?? this.view ?? (this.narrow ? 'list' : 'month');
  }

  /** The month shown, "yyyy-mm". */
  get shownMonth(): string {
    return monthKey(this.focusedDate);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.month && /^\d{4}-\d{2}$/u.test(this.month)) this.focusedDate = `${this.month}-01`;
    this.#resize = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const narrow = this.#narrowAt(entry.contentRect.width);
      // Switching views changes the element's size; a change inside the observer's callback would loop.
      if (narrow !== this.narrow) requestAnimationFrame(() => (this.narrow = narrow));
    });
    this.#resize.observe(this);
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.#startPolling();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resize?.disconnect();
    document.removeEventListener('visibilitychange', this.#onVisibility);
    this.#stopPolling();
  }

  /** Narrower than 34em of its own font: the list (a month grid does not fit a phone). */
  #narrowAt(width: number): boolean {
    const em = parseFloat(getComputedStyle(this).fontSize) || 16;
    return width > 0 && width < NARROW_EM * em;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // The first screen in the view its width calls for: a month grid first and the list a frame later (when the
    // ResizeObserver reports) made the page jump by the grid's height on a phone (issue 15, layout shift).
    if (!this.hasUpdated) this.narrow = this.#narrowAt(this.getBoundingClientRect().width);
    if (changed.has('month') && changed.get('month') !== undefined && this.month && /^\d{4}-\d{2}$/u.test(this.month)) {
      this.focusedDate = `${this.month}-01`;
    }
    // Loading starts here rather than in updated() so that its "loading" state is part of this render.
    const range = `${this.server}|${this.unit}|${this.pick ? 'pick' : this.shownMonth}`;
    if (this.sessions === undefined && this.server && this.unit && range !== this.#loadedRange) {
      this.#loadedRange = range;
      void this.refresh();
    }
    const source = this.sessions ?? this.loaded;
    if (source !== this.#byDateSource) {
      this.#byDateSource = source;
      this.#byDate = new Map();
      for (const session of [...source].sort((a, b) => (a.startsAt < b.startsAt ? -1 : 1))) {
        const day = utcToHanoiDate(session.startsAt);
        const list = this.#byDate.get(day);
        if (list) list.push(session);
        else this.#byDate.set(day, [session]);
      }
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('poll')) this.#startPolling();
  }

  /** Asks the server again for the month shown (the poll calls this; places left change as citizens book). */
  async refresh(): Promise<void> {
    if (this.sessions !== undefined || !this.server || !this.unit) return;
    const request = (this.#request += 1);
    const weeks = this.#weeks();
    if (this.loaded.length === 0) this.status = 'loading';
    try {
      // The server marks the public list cacheable for a minute; a poll must see places taken since.
      const api = new ApiClient({ baseUrl: this.server, cache: 'no-cache' });
      // Picking looks ahead (the server's default: the next three months) rather than at one month.
      const list = await api.listSessions(
        this.pick ? { unit: this.unit, state: 'open' } : { unit: this.unit, from: weeks[0]![0]!, to: weeks[weeks.length - 1]![6]! },
      );
      if (request !== this.#request) return;
      this.loaded = list.items;
      this.status = 'idle';
    } catch (error) {
      if (request !== this.#request) return;
      this.status = 'error';
      const s = this.s;
      this.emit('tiepdan-error', { code: (error as { code?: string }).code ?? 'network', message: s.loadError });
    }
  }

  #onVisibility = () => {
    if (document.visibilityState === 'visible') {
      void this.refresh();
      this.#startPolling();
    } else {
      this.#stopPolling();
    }
  };

  #startPolling(): void {
    this.#stopPolling();
    if (!this.isConnected || !(this.poll > 0) || document.visibilityState === 'hidden') return;
    this.#timer = setInterval(() => void this.refresh(), this.poll * 1000);
  }

  #stopPolling(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #weeks(): LocalDate[][] {
    const { year, month } = parseLocalDate(this.focusedDate);
    return monthWeeks(year, month);
  }

  /** Sessions of one Hanoi day, sorted by start; in pick mode only the bookable ones. */
  sessionsOn(date: LocalDate): ReceptionSession[] {
    const all = this.#byDate.get(date) ?? [];
    return this.pick ? all.filter(isBookable) : all;
  }

  /**
   * The screen-reader name of a day cell, e.g. "Thứ Ba, 15/12/2026, 2 buổi tiếp". It is the cell's only text
   * that is not aria-hidden (not an aria-label), so the name contains what is on screen as WCAG 2.5.3 asks.
   */
  dayLabel(date: LocalDate): string {
    const s = this.s;
    const sessions = this.sessionsOn(date);
    const off = sessions.filter(isOff).length;
    let count = sessions.length ? fmt(s.sessionsCount, { count: sessions.length }) : s.noSessions;
    if (off) count += `, ${fmt(s.cancelledCount, { count: off })}`;
    const label = fmt(s.dayLabel, { weekday: s.weekdays[weekdayOf(date) - 1]!, date: isoDateToVi(date), count });
    return date === todayInHanoi() ? `${label}, ${s.todayMark}` : label;
  }

  async #moveTo(date: LocalDate, focus: boolean): Promise<void> {
    this.focusedDate = date;
    if (!focus) return;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`[data-date="${date}"]`)?.focus();
  }

  #onGridKey = (event: KeyboardEvent) => {
    // A Vietnamese IME (Telex/VNI) sends keys while composing; they are not ours.
    if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
    const cell = (event.target as HTMLElement).closest<HTMLElement>('[data-date]');
    if (!cell) return;
    const date = cell.dataset['date']!;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      this.#selectDay(date);
      return;
    }
    const next = moveDate(date, event.key, event.shiftKey);
    if (!next) return;
    event.preventDefault();
    void this.#moveTo(next, true);
  };

  #selectDay(date: LocalDate): void {
    this.focusedDate = date;
    this.selectedDate = date;
    const bookable = this.sessionsOn(date).filter(isBookable);
    if (bookable.length === 1) this.choose(bookable[0]!);
  }

  /** Chooses a session: marks it and fires `tiepdan-session-select`. */
  choose(session: ReceptionSession): void {
    this.selected = session.id;
    const s = this.s;
    this.announcement = fmt(s.selected, { time: formatTime(session.startsAt), date: isoDateToVi(utcToHanoiDate(session.startsAt)) });
    this.emit('tiepdan-session-select', { session });
  }

  #goMonth(months: number): void {
    const { year, month } = parseLocalDate(addMonths(this.focusedDate, months));
    this.focusedDate = `${year}-${String(month).padStart(2, '0')}-01`;
    this.selectedDate = undefined;
  }

  protected override render() {
    const lang = this.speaks;
    const s = this.s;
    if (this.pick) return this.#renderPick(s, lang);
    const { year, month } = parseLocalDate(this.focusedDate);
    const view = this.currentView;
    const ics = this.server && this.unit ? new ApiClient({ baseUrl: this.server }).scheduleIcsUrl(this.unit) : '';
    return html`
      <div class="header" part="header">
        <h2 id="month-title" aria-live="polite">${fmt(s.month, { month: String(month).padStart(2, '0'), year })}</h2>
        <div class="nav">
          <button part="button" type="button" class="secondary" @click=${() => this.#goMonth(-1)}>‹ ${s.prevMonth}</button>
          <button part="button" type="button" class="secondary" @click=${() => this.#goMonth(1)}>${s.nextMonth} ›</button>
        </div>
        <div class="views" role="group" aria-label=${s.viewChoice}>
          <button part="button" type="button" class="link" aria-pressed=${view === 'month' ? 'true' : 'false'}
            @click=${() => (this.chosenView = 'month')}>${s.viewMonth}</button>
          <button part="button" type="button" class="link" aria-pressed=${view === 'list' ? 'true' : 'false'}
            @click=${() => (this.chosenView = 'list')}>${s.viewList}</button>
        </div>
      </div>
      <div class="status" role="status" aria-live="polite">${this.status === 'loading' ? s.loading : this.announcement}</div>
      ${this.status === 'error'
        ? html`<div class="error-summary" role="alert"><p>${s.loadError}</p>
            <button part="button" type="button" class="secondary" @click=${() => void this.refresh()}>${s.retry}</button></div>`
        : nothing}
      ${view === 'month' ? this.#renderGrid(s, lang) : this.#renderList(s, lang, year, month)}
      ${ics ? html`<p><a part="ics" class="ics" href=${ics} download="lich-tiep-cong-dan.ics">${s.addToCalendar}</a></p>` : nothing}
    `;
  }

  /** Choosing a session (inside the registration): every upcoming bookable session as one list, no month paging. */
  #renderPick(s: ScheduleStrings, lang: Lang) {
    const today = todayInHanoi();
    const days = [...this.#byDate.keys()].filter((d) => d >= today && this.sessionsOn(d).length).sort();
    let body;
    if (this.status === 'error') body = html`<div class="error-summary" role="alert"><p>${s.pickError}</p></div>
      <button part="button" type="button" class="secondary" @click=${() => void this.refresh()}>${s.retry}</button>`;
    else if (days.length === 0) body = this.status === 'loading' ? nothing : html`<p class="empty" part="list">${s.pickEmpty}</p>`;
    else body = this.#renderDays(days, s, lang);
    return html`<div class="status" role="status" aria-live="polite">${this.status === 'loading' ? s.loading : this.announcement}</div>${body}`;
  }

  #renderDays(days: LocalDate[], s: ScheduleStrings, lang: Lang) {
    return html`<div part="list" class="list">
      ${days.map(
        (date) => html`<section class="list-day" aria-labelledby="d-${date}">
          <h3 id="d-${date}">${s.weekdays[weekdayOf(date) - 1]}, ${isoDateToVi(date)}</h3>
          <ul class="sessions">${this.sessionsOn(date).map((x) => this.#renderSession(x, s, lang))}</ul>
        </section>`,
      )}
    </div>`;
  }

  #renderGrid(s: ScheduleStrings, lang: Lang) {
    const shown = this.shownMonth;
    const today = todayInHanoi();
    const selectedDay = this.selectedDate;
    return html`
      <p class="hint" id="grid-help">${s.gridHelp}</p>
      <table part="grid" role="grid" aria-labelledby="month-title" aria-describedby="grid-help" @keydown=${this.#onGridKey}>
        <thead>
          <tr>${s.weekdaysShort.map((short, i) => html`<th scope="col" abbr=${s.weekdays[i]!}>${short}</th>`)}</tr>
        </thead>
        <tbody>
          ${this.#weeks().map(
            (week) => html`<tr>
              ${week.map((date) => {
                if (monthKey(date) !== shown) return html`<td class="outside"></td>`;
                const sessions = this.sessionsOn(date);
                const focused = date === this.focusedDate;
                return html`<td part="day" role="gridcell" data-date=${date} tabindex=${focused ? 0 : -1}
                  class="day ${date === today ? 'today' : ''} ${sessions.length ? 'has' : ''}"
                  aria-selected=${date === selectedDay ? 'true' : 'false'}
                  @click=${() => { this.#selectDay(date); void this.#moveTo(date, true); }}>
                  <span class="sr-only label">${this.dayLabel(date)}</span>
                  <span class="num" aria-hidden="true">${parseLocalDate(date).day}</span>
                  ${sessions.length
                    ? html`<span class="chips" aria-hidden="true">${sessions.slice(0, DAY_PREVIEW).map(
                        (x) => html`<span class="chip ${x.state} ${struck(x) ? 'struck' : ''}">${isOff(x) ? html`<span class="mark">${mark(x)}</span>` : nothing}${formatTime(x.startsAt)}${isOff(x) ? html` <span class="chip-state">${say(SESSION_STATE_LABELS[x.state], lang)}</span>` : nothing}</span>`,
                      )}${sessions.length > DAY_PREVIEW ? html`<span class="chip more">${fmt(s.more, { count: sessions.length - DAY_PREVIEW })}</span>` : nothing}</span>`
                    : nothing}
                </td>`;
              })}
            </tr>`,
          )}
        </tbody>
      </table>
      ${selectedDay && monthKey(selectedDay) === shown ? this.#renderDay(selectedDay, s, lang) : nothing}
    `;
  }

  #renderDay(date: LocalDate, s: ScheduleStrings, lang: Lang) {
    const sessions = this.sessionsOn(date);
    return html`<section class="day-detail" aria-labelledby="day-heading">
      <h3 id="day-heading">${fmt(s.dayHeading, { date: `${s.weekdays[weekdayOf(date) - 1]} ${isoDateToVi(date)}` })}</h3>
      ${sessions.length ? html`<ul class="sessions">${sessions.map((x) => this.#renderSession(x, s, lang))}</ul>` : html`<p>${s.noSessions}</p>`}
    </section>`;
  }

  #renderList(s: ScheduleStrings, lang: Lang, year: number, month: number) {
    const prefix = `${year}-${String(month).padStart(2, '0')}`;
    const days = [...this.#byDate.keys()].filter((d) => d.startsWith(prefix) && this.sessionsOn(d).length).sort();
    if (days.length === 0 && this.status !== 'loading') return html`<p class="empty" part="list">${s.empty}</p>`;
    return this.#renderDays(days, s, lang);
  }

  #renderSession(x: ReceptionSession, s: ScheduleStrings, lang: Lang): TemplateResult {
    const time = `${formatTime(x.startsAt)}–${formatTime(x.endsAt)}`;
    const date = isoDateToVi(utcToHanoiDate(x.startsAt));
    const chosen = x.id === this.selected;
    const showPlaces = x.state === 'open' || x.state === 'closed';
    const from = x.postponedFrom ? html`<del>${formatTime(x.postponedFrom.startsAt)}–${formatTime(x.postponedFrom.endsAt)}, ${isoDateToVi(utcToHanoiDate(x.postponedFrom.startsAt))}</del>` : nothing;
    return html`<li part="session" class="session ${x.state} ${struck(x) ? 'struck' : ''} ${chosen ? 'chosen' : ''}" data-session=${x.id}>
      <p class="when"><strong class="time">${time}</strong>
        <span part="state" class="state ${x.state}">${isOff(x) ? html`<span aria-hidden="true">${mark(x)} </span>` : nothing}${say(SESSION_STATE_LABELS[x.state], lang)}</span></p>
      ${x.state === 'postponed'
        ? html`<p class="moved">${x.postponedFrom ? html`${fmt(s.postponedTo, { when: `${time}, ${date}` })} ${from}` : s.postponedOpen}</p>`
        : x.postponedFrom ? html`<p class="meta">${s.movedFrom} ${from}</p>` : nothing}
      <p class="meta">${say(SESSION_KIND_LABELS[x.kind], lang)} · ${s.host}: ${x.host.name}</p>
      <p class="meta">${s.venue}: ${x.venue}${x.remoteAllowed ? html` · ${s.remote}` : nothing}</p>
      ${x.notice ? html`<p class="notice"><strong>${s.notice}:</strong> ${say(x.notice, lang)}</p>` : nothing}
      ${showPlaces ? html`<p class="places">${x.placesLeft > 0 ? fmt(s.placesLeft, { count: x.placesLeft }) : s.full}</p>` : nothing}
      ${isBookable(x)
        ? html`<button part="button" type="button" class=${chosen ? 'secondary' : ''} aria-pressed=${chosen ? 'true' : 'false'}
            aria-label=${fmt(s.chooseLabel, { action: chosen ? s.chosen : s.choose, time, date })} @click=${() => this.choose(x)}>${chosen ? `✓ ${s.chosen}` : s.choose}</button>`
        : nothing}
    </li>`;
  }
}
