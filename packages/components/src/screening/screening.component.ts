/**
 * The screening queue of the Citizen Reception Board (SPEC §2 step 3): officials list registrations, filter by
 * kind and state, open one, and screen, invite or answer it with a reason. Which roles may do what is decided
 * by the server on every request; this element only shows what the server returns and its refusals.
 */
import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  ANSWER_OUTCOMES,
  ATTENDANCE_LABELS,
  formatDate,
  formatDateTime,
  formatTime,
  formatTimeRange,
  hanoiToUtc,
  ID_TYPE_LABELS,
  isoDateToVi,
  PROVINCES,
  SEX_LABELS,
  utcToHanoiDate,
  MATTER_KIND_LABELS,
  MATTER_KINDS,
  REGISTRATION_STATES,
  say,
  SESSION_STATE_LABELS,
  STATE_LABELS,
  TRANSITIONS,
  type AnswerOutcome,
  type ErrorBody,
  type InvitationPreview,
  type MetaResponse,
  type ReceptionSession,
  type RegistrationRecord,
  type SessionNotices,
  type RegistrationState,
  type RegistrationSummary,
} from '@tiepdan/core';
import { ApiClient, ApiError } from '@tiepdan/core/browser';
import { TiepdanElement } from '../shared/element.js';
import { reportFailure } from '../shared/failure.js';
import { fmt } from '../shared/lang.js';
import { screeningStrings, type ScreeningStrings } from './strings.js';
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
 * @fires tiepdan-invited - An invitation was sent; detail `{ reference, sessionId, slotAt, channels }`.
 *
 * @csspart form - The filter form and the transition form.
 * @csspart button - Primary buttons.
 * @cssproperty --tiepdan-color-primary - Main colour.
 * @cssproperty --tiepdan-font-size - Base font size (default 18px).
 */
export class TiepdanScreening extends TiepdanElement<ScreeningStrings> {
  static override styles = screeningStyles;
  protected readonly strings = screeningStrings;

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
  @state() private meta: MetaResponse | undefined;
  @state() private sessions: ReceptionSession[] = [];
  @state() private invite = { sessionId: '', slot: '', attendance: '', note: '' };
  @state() private preview: InvitationPreview | undefined;
  @state() private delivery: SessionNotices | undefined;
  @state() private attachment: { id: string; name: string; type: string; url: string } | undefined;
  @state() private busy = false;
  #deliveryTimer: ReturnType<typeof setTimeout> | undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#deliveryTimer);
    this.#closeAttachment();
  }

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
      const record = await this.#api().getRegistration(reference);
      this.record = record;
      this.to = '';
      this.reason = '';
      this.outcome = '';
      this.publicNote = '';
      this.preview = undefined;
      this.delivery = undefined;
      clearTimeout(this.#deliveryTimer);
      this.#closeAttachment();
      this.invite = { sessionId: record.booking?.status === 'booked' ? record.booking.sessionId : '', slot: '', attendance: '', note: '' };
      await this.#loadForInvitation(record);
      if (record.booking?.status === 'booked' && record.booking.slotAt) void this.#watchDelivery(record.booking.sessionId, record.reference);
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#detail-heading')?.focus();
    } catch (error) {
      this.#fail(error);
    }
  }

  /** The unit's names (communes, connection points) and the published sessions ahead, for the detail and the invitation. */
  async #loadForInvitation(record: RegistrationRecord): Promise<void> {
    const api = this.#api();
    const unit = record.registration.unit;
    try {
      if (this.meta?.unit.code !== unit) this.meta = await api.meta(unit);
      if (record.state === 'screened' || record.state === 'invited') {
        const now = new Date().toISOString();
        // The public list spans at most a year: invitations look that far ahead.
        const from = utcToHanoiDate(now);
        const list = await api.listSessions({ unit, from, to: utcToHanoiDate(new Date(Date.now() + 365 * 86_400_000)) });
        // Published and not started: a past or running session is no place to invite anyone to.
        this.sessions = list.items.filter((x) => ['open', 'closed', 'postponed'].includes(x.state) && x.startsAt > now);
        const chosen = this.sessions.find((x) => x.id === this.invite.sessionId) ?? this.sessions[0];
        if (chosen) this.#chooseSession(chosen.id, record);
      }
    } catch (error) {
      this.#fail(error);
    }
  }

  #chooseSession(sessionId: string, record = this.record): void {
    const session = this.sessions.find((x) => x.id === sessionId);
    this.preview = undefined;
    if (!session || !record) {
      this.invite = { ...this.invite, sessionId };
      return;
    }
    const wanted = record.registration.attendance;
    const attendance =
      wanted.mode === 'remote' && session.remoteAllowed
        ? 'remote'
        : `point:${wanted.connectionPoint && session.connectionPoints.includes(wanted.connectionPoint) ? wanted.connectionPoint : (session.connectionPoints[0] ?? '')}`;
    const slot = record.booking?.sessionId === sessionId && record.booking.slotAt ? formatTime(record.booking.slotAt) : formatTime(session.startsAt);
    this.invite = { ...this.invite, sessionId, slot, attendance };
  }

  #invitationRequest() {
    const session = this.sessions.find((x) => x.id === this.invite.sessionId);
    const record = this.record;
    if (!session || !record) return undefined;
    const slotAt = /^([01]\d|2[0-3]):[0-5]\d$/u.test(this.invite.slot) ? hanoiToUtc(utcToHanoiDate(session.startsAt), this.invite.slot) : undefined;
    const attendance = this.invite.attendance === 'remote' ? { mode: 'remote' as const } : { mode: 'connection_point' as const, connectionPoint: this.invite.attendance.replace(/^point:/u, '') };
    return {
      session,
      slotAt,
      request: { reference: record.reference, slotAt: slotAt ?? '', attendance, ...(this.invite.note.trim() ? { publicNote: this.invite.note.trim() } : {}) },
    };
  }

  async #previewInvitation(): Promise<void> {
    const built = this.#invitationRequest();
    if (!built) return;
    const lang = this.speaks;
    if (!built.slotAt) {
      this.error = { code: 'validation_failed', message: { vi: screeningStrings('vi').inviteSlotInvalid, en: screeningStrings('en').inviteSlotInvalid }, fields: [{ path: 'slotAt', code: 'slot', message: { vi: screeningStrings('vi').inviteSlotInvalid, en: screeningStrings('en').inviteSlotInvalid } }] };
      return;
    }
    this.busy = true;
    this.error = undefined;
    try {
      this.preview = await this.#api().previewInvitation(built.session.id, built.request);
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#preview-heading')?.focus();
    } catch (error) {
      this.#fail(error);
    } finally {
      this.busy = false;
    }
    void lang;
  }

  async #sendInvitation(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const built = this.#invitationRequest();
    if (!built?.slotAt || !this.preview) return void this.#previewInvitation();
    this.busy = true;
    this.error = undefined;
    const s = this.s;
    try {
      const sent = await this.#api().invite(built.session.id, built.request);
      this.preview = undefined;
      this.announcement = fmt(s.invited, { reference: sent.reference, when: formatTimeRange(built.session.startsAt, built.session.endsAt) });
      this.items = this.items.map((item) => (item.reference === sent.reference ? { ...item, state: 'invited' } : item));
      this.record = await this.#api().getRegistration(sent.reference);
      this.emit('tiepdan-invited', { reference: sent.reference, sessionId: sent.sessionId, slotAt: sent.slotAt, channels: sent.channels });
      void this.#watchDelivery(sent.sessionId, sent.reference);
    } catch (error) {
      this.#fail(error);
    } finally {
      this.busy = false;
    }
  }

  /** Follows the invitation's delivery state until nothing is queued (at most ~2 minutes). */
  async #watchDelivery(sessionId: string, reference: string, round = 0): Promise<void> {
    clearTimeout(this.#deliveryTimer);
    try {
      const notices = await this.#api().sessionNotices(sessionId, reference);
      if (this.record?.reference !== reference) return;
      this.delivery = notices;
      if (notices.summary.queued > 0 && round < 60) this.#deliveryTimer = setTimeout(() => void this.#watchDelivery(sessionId, reference, round + 1), 2000);
    } catch {
      // The delivery line is informative; the invitation itself succeeded.
    }
  }

  async #openAttachment(reference: string, id: string, name: string, type: string): Promise<void> {
    try {
      const response = await fetch(`${this.server.replace(/\/+$/u, '')}/api/v1/registrations/${encodeURIComponent(reference)}/attachments/${encodeURIComponent(id)}`, {
        headers: { Authorization: `Bearer ${this.token}` },
      });
      if (!response.ok) throw new ApiError(response.status, (await response.json()) as ErrorBody);
      this.#closeAttachment();
      const url = URL.createObjectURL(await response.blob());
      if (type.startsWith('image/')) {
        this.attachment = { id, name, type, url };
        await this.updateComplete;
        this.renderRoot.querySelector<HTMLElement>('#attachment-heading')?.focus();
      } else {
        // A PDF opens in the browser's own viewer: the embedding page's CSP (object-src 'none') forbids it inline.
        window.open(url, '_blank', 'noopener');
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
      }
    } catch (error) {
      this.#fail(error);
    }
  }

  #closeAttachment(): void {
    if (this.attachment) URL.revokeObjectURL(this.attachment.url);
    this.attachment = undefined;
  }

  #fail(error: unknown) {
    this.error = reportFailure(this, error);
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
      const s = this.s;
      this.announcement = fmt(s.done, { reference: updated.reference, state: say(STATE_LABELS[updated.state], this.speaks) });
      this.items = this.items.map((item) => (item.reference === updated.reference ? { ...item, state: updated.state, updatedAt: updated.updatedAt } : item));
      this.to = '';
      this.reason = '';
      this.publicNote = '';
      this.emit('tiepdan-transitioned', { reference: updated.reference, state: updated.state });
      // Screened here and now: the invitation form needs the sessions ahead, as when a screened one is opened.
      await this.#loadForInvitation(updated);
    } catch (error) {
      this.#fail(error);
    }
  }

  protected override render() {
    const lang = this.speaks;
    const s = this.s;
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

  /** "Phường Sa Đéc, Đồng Tháp": names from the unit's commune list and core's provinces, never bare codes. */
  #addressText(record: RegistrationRecord): string {
    const address = record.registration.address;
    const commune = address.communeCode ? (this.meta?.communes.find((c) => c.code === address.communeCode)?.name ?? address.communeCode) : undefined;
    const province = address.provinceCode ? (PROVINCES.find((p) => p.code === address.provinceCode)?.name ?? address.provinceCode) : undefined;
    const legacy = address.legacy ? [address.legacy.commune, address.legacy.district, address.legacy.province].filter(Boolean).join(', ') : '';
    return [address.detail, commune, province].filter(Boolean).join(', ') + (legacy ? ` (${legacy})` : '');
  }

  #pointName(id: string | undefined): string {
    return (id && this.meta?.connectionPoints.find((p) => p.id === id)?.name) || id || '';
  }

  #renderDetail(record: RegistrationRecord) {
    const lang = this.speaks;
    const s = this.s;
    const reg = record.registration;
    // An invitation goes through the invitation form (session, slot, attendance, note), never a bare state change.
    const next = TRANSITIONS[record.state].filter((st) => st !== 'invited');
    const booking = record.booking?.status === 'booked' ? record.booking : undefined;
    const bookedText = booking
      ? booking.slotAt
        ? fmt(s.invitedFor, { when: formatTimeRange(booking.session.startsAt, booking.session.endsAt), slot: formatTime(booking.slotAt) }) +
          (booking.attendance ? ` – ${booking.attendance.mode === 'remote' ? s.inviteRemote : fmt(s.inviteAtPoint, { name: booking.attendance.pointName ?? this.#pointName(booking.attendance.connectionPoint) })}` : '')
        : booking.provisional
          ? fmt(s.bookedProvisional, { when: formatTimeRange(booking.session.startsAt, booking.session.endsAt) })
          : formatTimeRange(booking.session.startsAt, booking.session.endsAt)
      : s.notBooked;
    const handled = reg.content.previousHandling ?? [];
    return html`<section class="detail" aria-labelledby="detail-heading">
      <h2 id="detail-heading" tabindex="-1">${fmt(s.detailHeading, { reference: record.reference })}</h2>
      ${record.redacted ? html`<p class="notice">${s.redacted}</p>` : nothing}
      <dl>
        <dt>${s.colKind}</dt><dd>${say(MATTER_KIND_LABELS[reg.kind], lang)}</dd>
        <dt>${s.colState}</dt><dd>${say(STATE_LABELS[record.state], lang)}</dd>
        <dt>${s.identity}</dt><dd>${reg.identity.fullName}</dd>
        ${reg.identity.dateOfBirth ? html`<dt>${s.dateOfBirth}</dt><dd>${isoDateToVi(reg.identity.dateOfBirth)}</dd>` : nothing}
        ${reg.identity.sex ? html`<dt>${s.sex}</dt><dd>${say(SEX_LABELS[reg.identity.sex], lang)}</dd>` : nothing}
        ${reg.identity.idNumber ? html`<dt>${s.idPaper}</dt><dd>${reg.identity.idType ? say(ID_TYPE_LABELS[reg.identity.idType], lang) : ''} ${reg.identity.idNumber}</dd>` : nothing}
        <dt>${s.address}</dt><dd class="address">${this.#addressText(record)}</dd>
        <dt>${s.phone}</dt><dd>${reg.contact.phone}</dd>
        ${reg.contact.email ? html`<dt>${s.email}</dt><dd>${reg.contact.email}</dd>` : nothing}
        <dt>${s.content}</dt><dd>${reg.content.summary}</dd>
        ${reg.content.violation ? html`<dt>${s.violation}</dt><dd>${reg.content.violation}</dd>` : nothing}
        ${reg.content.accused ? html`<dt>${s.accused}</dt><dd>${reg.content.accused}</dd>` : nothing}
        ${handled.length
          ? html`<dt>${s.handledBy}</dt><dd class="handled">${handled.map((h) => [h.agency, h.documentNumber, h.result].filter(Boolean).join(' – ')).join('\n')}</dd>`
          : nothing}
        <dt>${s.groupSize}</dt><dd>${reg.group?.size ?? 1}</dd>
        <dt>${s.attendance}</dt><dd>${say(ATTENDANCE_LABELS[reg.attendance.mode], lang)}${reg.attendance.connectionPoint ? ` – ${this.#pointName(reg.attendance.connectionPoint)}` : ''}</dd>
        <dt>${s.booked}</dt><dd class="booked">${bookedText}</dd>
      </dl>
      ${this.delivery ? this.#renderDelivery(this.delivery, s) : nothing}
      ${record.attachments.length
        ? html`<h3>${s.attachments}</h3><ul class="attachments">${record.attachments.map(
            (a) => html`<li><button type="button" class="link" @click=${() => void this.#openAttachment(record.reference, a.id, a.name, a.type)}>${fmt(s.openAttachment, { name: a.name })}</button>
              (${Math.ceil(a.size / 1024)} kB, ${s.sha256} <code class="sha">${a.sha256}</code>)</li>`,
          )}</ul>`
        : nothing}
      ${this.attachment
        ? html`<figure class="attachment" aria-labelledby="attachment-heading">
            <h3 id="attachment-heading" tabindex="-1">${fmt(s.openedAttachment, { name: this.attachment.name })}</h3>
            <img src=${this.attachment.url} alt=${this.attachment.name} />
            <button type="button" class="secondary" @click=${() => this.#closeAttachment()}>${s.closeAttachment}</button>
          </figure>`
        : nothing}
      <h3>${s.history}</h3>
      <ol class="history">${record.history.map((h) => html`<li>${formatDateTime(h.at)}: ${say(STATE_LABELS[h.state], lang)}${h.reason ? ` (${h.reason})` : ''}</li>`)}</ol>
      ${record.state === 'screened' || record.state === 'invited' ? this.#renderInvite(s, lang) : nothing}
      ${next.length
        ? html`<form part="form" class="transition" @submit=${(e: SubmitEvent) => void this.#transition(e)}>
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

  #renderDelivery(delivery: SessionNotices, s: ReturnType<typeof screeningStrings>) {
    const { queued, sent, failed, logged } = delivery.summary;
    const failures = delivery.items.flatMap((i) => i.deliveries.filter((d) => d.state === 'failed' || (d.state === 'queued' && d.lastError)));
    return html`<div class="delivery" role="status">
      <p>${fmt(s.delivery, { queued, sent, failed })}${logged ? ` ${fmt(s.deliveryLogged, { logged })}` : ''}</p>
      ${failures.length ? html`<ul>${failures.map((d) => html`<li>${fmt(s.deliveryFailure, { channel: d.channel, reason: d.lastError ?? '' })}</li>`)}</ul>` : nothing}
    </div>`;
  }

  #renderInvite(s: ReturnType<typeof screeningStrings>, lang: 'vi' | 'en') {
    const session = this.sessions.find((x) => x.id === this.invite.sessionId);
    const fieldError = (path: string) => this.error?.fields?.find((f) => f.path === path || f.path.startsWith(`${path}.`));
    const invalid = (path: string) => (fieldError(path) ? 'true' : 'false');
    const describe = (path: string) => (fieldError(path) ? `${path.replace(/\W/gu, '-')}-error` : nothing);
    const errorText = (path: string) => {
      const f = fieldError(path);
      return f ? html`<p class="field-error" id=${`${path.replace(/\W/gu, '-')}-error`}>${say(f.message, lang)}</p>` : nothing;
    };
    const preview = this.preview;
    return html`<form part="form" class="invite" novalidate @submit=${(e: SubmitEvent) => void this.#sendInvitation(e)}>
      <fieldset>
        <legend>${s.inviteHeading}</legend>
        ${this.sessions.length === 0
          ? html`<p>${s.inviteNoSessions}</p>`
          : html`<div class="field">
                <label for="invite-session">${s.inviteSession}</label>
                ${errorText('sessionId')}
                <select id="invite-session" aria-invalid=${invalid('sessionId')} aria-describedby=${describe('sessionId')} .value=${this.invite.sessionId}
                  @change=${(e: Event) => this.#chooseSession((e.target as HTMLSelectElement).value)}>
                  ${this.sessions.map(
                    (x) => html`<option value=${x.id} ?selected=${x.id === this.invite.sessionId}>${fmt(s.inviteSessionOption, { when: formatTimeRange(x.startsAt, x.endsAt), venue: x.venue, left: x.placesLeft })}${x.state === 'postponed' ? ` – ${say(SESSION_STATE_LABELS.postponed, lang)}` : ''}</option>`,
                  )}
                </select>
              </div>
              <div class="field">
                <label for="invite-slot">${s.inviteSlot}</label>
                ${errorText('slotAt')}
                <input id="invite-slot" inputmode="numeric" autocomplete="off" aria-invalid=${invalid('slotAt')} aria-describedby=${describe('slotAt')} .value=${this.invite.slot}
                  @input=${(e: Event) => {
                    this.invite = { ...this.invite, slot: (e.target as HTMLInputElement).value.trim() };
                    this.preview = undefined;
                  }} />
              </div>
              ${session
                ? html`<fieldset class="attendance" aria-invalid=${invalid('attendance')}>
                    <legend>${s.inviteAttendance}</legend>
                    ${errorText('attendance')}
                    ${session.connectionPoints.map(
                      (id) => html`<div class="choice"><input type="radio" name="invite-attendance" id=${`invite-point-${id}`} value=${`point:${id}`} .checked=${this.invite.attendance === `point:${id}`}
                          @change=${() => ((this.invite = { ...this.invite, attendance: `point:${id}` }), (this.preview = undefined))} />
                        <label for=${`invite-point-${id}`}>${fmt(s.inviteAtPoint, { name: this.#pointName(id) })}</label></div>`,
                    )}
                    ${session.remoteAllowed
                      ? html`<div class="choice"><input type="radio" name="invite-attendance" id="invite-remote" value="remote" .checked=${this.invite.attendance === 'remote'}
                            @change=${() => ((this.invite = { ...this.invite, attendance: 'remote' }), (this.preview = undefined))} />
                          <label for="invite-remote">${s.inviteRemote}</label></div>`
                      : nothing}
                  </fieldset>`
                : nothing}
              <div class="field">
                <label for="invite-note">${s.inviteNote}</label>
                ${errorText('publicNote')}
                <textarea id="invite-note" .value=${this.invite.note} @input=${(e: Event) => ((this.invite = { ...this.invite, note: (e.target as HTMLTextAreaElement).value }), (this.preview = undefined))}></textarea>
              </div>
              <button part="button" type="button" class="secondary" ?disabled=${this.busy} @click=${() => void this.#previewInvitation()}>${s.invitePreview}</button>
              ${preview
                ? html`<section class="preview" aria-labelledby="preview-heading">
                    <h3 id="preview-heading" tabindex="-1">${s.invitePreviewHeading}</h3>
                    <p><strong>${say(preview.subject, lang)}</strong></p>
                    <pre class="message">${say(preview.message, lang)}</pre>
                    <p>${s.inviteChannels}:</p>
                    ${preview.channels.some((c) => c.delivers)
                      ? nothing
                      : html`<p class="notice warning">${s.inviteNoChannel}</p>`}
                    <ul class="channels">${preview.channels.map(
                      (c) => html`<li>${c.channel === 'smtp' ? fmt(s.channelSmtp, { to: c.to ?? '' }) : c.channel === 'sms-http' ? fmt(s.channelSms, { to: c.to ?? '' }) : s.inviteLogOnly}</li>`,
                    )}</ul>
                    <button part="button" type="submit" ?disabled=${this.busy}>${s.inviteSend}</button>
                  </section>`
                : nothing}`}
      </fieldset>
    </form>`;
  }
}
