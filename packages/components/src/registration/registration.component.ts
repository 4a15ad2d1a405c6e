/**
 * `<tiepdan-registration>`: the citizen's registration form, one group of questions per step (GOV.UK pattern),
 * saved on the device as the citizen types and sent through the outbox so that a lost network never loses it
 * and a retry never stores it twice. This module only declares the class; `registration.ts` registers it.
 */
import {
  DEFAULT_RULES,
  formatDateTime,
  formatTime,
  formatTimeRange,
  isErrorBody,
  isoDateToVi,
  say,
  type FieldError,
  type Message,
  type MetaResponse,
  type Registration,
  type RegistrationRules,
  type SubmitResponse,
} from '@tiepdan/core';
import {
  Drafts,
  fetchMeta,
  openLocalDatabase,
  type LocalDatabase,
  type OutboxChange,
  type OutboxRecord,
  type RegistrationOutbox,
  type SaveStatus,
} from '@tiepdan/core/browser';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { TiepdanElement } from '../shared/element.js';
import { baseStyles } from '../shared/base.styles.js';
import { compositionAwareSubmit, errorSummary, fieldId } from '../shared/controls.js';
import { fmt } from '../shared/lang.js';
import { strings, type UiStrings } from '../shared/strings.js';
import { loadLater, preloadLater } from './later.js';
import { registrationStyles } from './registration.styles.js';
import { emptyState, setPath, toPayload, type FormState } from './state.js';
import { OUTLINE, ownerOf, type StepOutline } from './steps/outline.js';
import { privacyStep } from './steps/privacy.js';
import type { Step, StepContext } from './steps/step.js';

type View = 'loading' | 'meta-error' | 'resume' | 'form' | 'done';
interface PlacedError {
  path: string;
  message: Message;
  /** The field's label, so the summary says which field ("Họ và tên: Vui lòng nhập…"). */
  label?: string | undefined;
}

/** Key of the server's meta in the device's key-value store, so the form opens offline the next day. */
export const metaCacheKey = (unit: string) => `meta:${unit}`;
const shownKey = (clientId: string) => `shown:${clientId}`;
const CHECK = OUTLINE.length;

/**
 * The citizen's registration for a reception (đăng ký tiếp công dân), drafted offline and sent when possible.
 *
 * @summary Step-by-step registration form with offline drafts and a send queue.
 *
 * @tagname tiepdan-registration
 *
 * @attr server - Base URL of the tiepdan server, e.g. "https://tiepdan.dongthap.gov.vn".
 * @attr unit - Receiving unit code, e.g. "dongthap.sadec"; also names the device storage.
 * @attr lang - "vi" (default) or "en"; falls back to the closest ancestor's lang.
 * @attr draft-id - Names the draft when a page has several forms for one unit (default: the unit).
 *
 * @fires tiepdan-step-change - The citizen moved to another step; detail `{ step, index }`.
 * @fires tiepdan-draft-saved - The draft's save state changed; detail `{ status }`.
 * @fires tiepdan-submit-queued - The registration is in the device's send queue; detail `{ clientId }`.
 * @fires tiepdan-submitted - The server accepted it; detail `{ clientId, response }` with the reference code.
 * @fires tiepdan-error - The form could not load, or the server refused the registration; detail `{ code, message }`.
 *
 * @csspart form - The form wrapping every view.
 * @csspart button - Primary buttons (continue, send).
 * @csspart button-secondary - Secondary buttons (add, remove, start over).
 * @csspart error-summary - The box listing the errors of a step.
 * @csspart step-heading - Each step's heading.
 * @csspart confirmation - The confirmation with the reference code or the queued state.
 * @csspart status - The save and send status line.
 *
 * @cssproperty --tiepdan-color-primary - Buttons, links and the reference box (default #005ea5).
 * @cssproperty --tiepdan-color-error - Error messages and borders (default #b3261e).
 * @cssproperty --tiepdan-font-family - Font stack (default system-ui).
 * @cssproperty --tiepdan-font-size - Base size (default 18px; keep it at least 16px).
 * @cssproperty --tiepdan-radius - Corner radius of fields and buttons (default 4px).
 * @cssproperty --tiepdan-focus-color - Focus ring colour (default #ffbf47).
 */
export class TiepdanRegistration extends TiepdanElement<UiStrings> {
  static override styles = [baseStyles, registrationStyles];
  protected readonly strings = strings;

  @property() unit = '';
  @property({ attribute: 'draft-id' }) draftId: string | undefined;

  @state() private view: View = 'loading';
  @state() private stepIndex = 0;
  @state() private errors: PlacedError[] = [];
  @state() private saveStatus: SaveStatus = 'empty';
  @state() private send: OutboxChange<SubmitResponse> | undefined;
  @state() private meta: MetaResponse | undefined;
  @state() private busy = false;
  @state() private fileNotice: string | undefined;
  @state() private copyNote = '';
  @state() private notice: Message | undefined;
  /** The steps' screens, once the lazily loaded part has arrived. */
  @state() private steps: readonly Step[] | undefined;
  @state() private laterFailed = false;

  #form: FormState = emptyState();
  #savedAt = 0;
  #db: LocalDatabase | undefined;
  #drafts: Drafts<FormState> | undefined;
  #outbox: RegistrationOutbox | undefined;
  #outboxOpening: Promise<RegistrationOutbox | undefined> | undefined;
  #clientId: string | undefined;
  #generation = 0;
  #submitting = false;
  #returnToCheck = false;
  readonly #ime = compositionAwareSubmit(() => {
    if (this.view === 'form') void this.#continue();
  });

  get #draftKey(): string {
    return this.draftId || this.unit;
  }

  get #rules(): RegistrationRules {
    return this.meta?.rules ?? DEFAULT_RULES;
  }

  get #stepId(): string {
    return OUTLINE[this.stepIndex]?.id ?? 'check';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.#onHide);
    window.addEventListener('pagehide', this.#onHide);
    void this.#ensureLater();
    void this.#init();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.#onHide);
    window.removeEventListener('pagehide', this.#onHide);
    void this.#teardown();
  }

  protected override updated(changed: PropertyValues<this>): void {
    // A page script that changes the unit or server after start gets a form for the new one.
    const moved = (['unit', 'server', 'draftId'] as const).some((key) => changed.has(key) && changed.get(key) !== undefined);
    if (moved && this.isConnected) void this.#init();
  }

  async #teardown(): Promise<void> {
    this.#generation += 1;
    const { db, drafts, outbox } = { db: this.#db, drafts: this.#drafts, outbox: this.#outbox };
    this.#db = this.#drafts = this.#outbox = this.#outboxOpening = undefined;
    window.removeEventListener('online', this.#onOnline);
    outbox?.stop();
    outbox?.removeEventListener('change', this.#onOutboxChange);
    if (this.view === 'form') await drafts?.flush();
    db?.close();
  }

  async #init(): Promise<void> {
    await this.#teardown();
    const generation = this.#generation;
    this.view = 'loading';
    this.errors = [];
    const { db } = await openLocalDatabase(`registration:${this.unit}`);
    if (generation !== this.#generation) return db.close();
    this.#db = db;
    this.#drafts = new Drafts<FormState>(db, this.#draftKey, {
      onStatus: (status) => {
        this.saveStatus = status;
        this.emit('tiepdan-draft-saved', { status });
      },
    });
    this.saveStatus = this.#drafts.status;
    const meta = await this.#loadMeta(db);
    if (generation !== this.#generation) return;
    if (!meta) {
      this.view = 'meta-error';
      this.emit('tiepdan-error', { code: 'meta_unavailable', message: this.s.metaError });
      return;
    }
    this.meta = meta;
    const restored = await this.#restoreFromOutbox();
    if (generation !== this.#generation) return;
    void this.#openOutbox();
    if (!restored) await this.#openDraft();
  }

  /**
   * The send queue and the API client come with the form's later part (later-chunk.ts, preloaded on connect):
   * the first screen does not wait for them, and submitting awaits them. Started only once the queue has been read
   * (#restoreFromOutbox), so no change is announced before the form knows its submission's client id. A failed
   * download is tried again when the network comes back, or by the citizen's "send now" or "send".
   */
  #openOutbox(): Promise<RegistrationOutbox | undefined> {
    const generation = this.#generation;
    this.#outboxOpening ??= loadLater().then(
      ({ ApiClient, createRegistrationOutbox }) => {
        if (generation !== this.#generation || !this.#db) return undefined;
        const outbox = createRegistrationOutbox(this.#db, new ApiClient({ baseUrl: this.server }));
        outbox.addEventListener('change', this.#onOutboxChange);
        outbox.start();
        return (this.#outbox = outbox);
      },
      () => {
        if (generation === this.#generation) {
          this.#outboxOpening = undefined;
          window.addEventListener('online', this.#onOnline, { once: true });
        }
        return undefined;
      },
    );
    return this.#outboxOpening;
  }

  readonly #onOnline = (): void => void this.#openOutbox();

  async #sendNow(): Promise<void> {
    await (await this.#openOutbox())?.retryNow();
  }

  /** The cached meta opens the form at once (and offline); a fresh copy replaces it when the server answers. */
  async #loadMeta(db: LocalDatabase): Promise<MetaResponse | undefined> {
    const key = metaCacheKey(this.unit);
    const cached = await db.getValue<MetaResponse>(key).catch(() => undefined);
    const fresh = this.server
      ? fetchMeta(this.server, this.unit).then(async (meta) => {
          await db.putValue(key, meta).catch(() => undefined);
          return meta;
        })
      : undefined;
    if (cached) {
      fresh?.then((meta) => (this.meta = meta)).catch(() => undefined);
      return cached;
    }
    return fresh?.catch(() => undefined);
  }

  async #openDraft(): Promise<void> {
    const saved = await this.#drafts?.load();
    const blank = emptyState(this.meta?.unit.provinceCode);
    if (saved && JSON.stringify(saved.data) !== JSON.stringify(blank)) {
      this.#form = saved.data;
      this.#savedAt = saved.updatedAt;
      this.view = 'resume';
    } else {
      this.#form = blank;
      this.stepIndex = 0;
      this.view = 'form';
    }
  }

  /** A submission already in the queue (waiting, or sent but never shown) takes precedence over the form. */
  async #restoreFromOutbox(): Promise<boolean> {
    const db = this.#db!;
    const entries = (await db.listOutbox<Registration, SubmitResponse>())
      .filter((entry) => entry.draftId === this.#draftKey)
      .sort((a, b) => b.createdAt - a.createdAt);
    for (const entry of entries) {
      if (entry.state === 'pending') {
        this.#clientId = entry.clientId;
        this.send = { clientId: entry.clientId, state: 'waiting', attempts: entry.attempts, nextAttemptAt: entry.nextAttemptAt };
        this.view = 'done';
        return true;
      }
      if (await db.getValue(shownKey(entry.clientId))) continue;
      if (entry.state === 'sent') {
        this.#clientId = entry.clientId;
        this.send = { clientId: entry.clientId, state: 'sent', attempts: entry.attempts, response: entry.response };
        this.view = 'done';
        await db.putValue(shownKey(entry.clientId), true);
        return true;
      }
      await this.#restoreRejected(entry);
      return true;
    }
    return false;
  }

  /** The server refused the registration: it becomes a draft again, with the server's errors on their steps. */
  async #restoreRejected(entry: OutboxRecord<Registration, SubmitResponse>): Promise<void> {
    const drafts = this.#drafts!;
    const reg = structuredClone(entry.payload) as Partial<Registration>;
    delete reg.unit;
    const form: FormState = {
      reg,
      dob: reg.identity?.dateOfBirth ? isoDateToVi(reg.identity.dateOfBirth) : '',
      groupSize: reg.group ? String(reg.group.size) : '',
    };
    await drafts.startOver(form, 'check');
    for (const file of entry.files) await drafts.addFile(file.id, file.blob, file.name).catch(() => undefined);
    await this.#db?.putValue(shownKey(entry.clientId), true);
    this.#form = form;
    this.#clientId = undefined;
    this.send = undefined;
    const body = isErrorBody(entry.lastError) ? entry.lastError : undefined;
    this.notice = body?.error.message;
    this.emit('tiepdan-error', { code: String(body?.error.code ?? 'rejected'), message: this.s.rejected });
    await this.#showErrors(body?.error.fields ?? []);
  }

  readonly #onOutboxChange = (event: Event): void => {
    const change = (event as CustomEvent<OutboxChange<SubmitResponse>>).detail;
    if (change.clientId !== this.#clientId) return;
    this.send = change;
    if (change.state === 'sent' && change.response) {
      void this.#db?.putValue(shownKey(change.clientId), true);
      this.emit('tiepdan-submitted', { clientId: change.clientId, response: change.response });
    } else if (change.state === 'rejected') {
      void this.#outbox?.get(change.clientId).then((entry) => entry && this.#restoreRejected(entry));
    }
  };

  readonly #onHide = (event: Event): void => {
    if (this.view !== 'form') return;
    if (event.type === 'pagehide' || document.visibilityState === 'hidden') void this.#drafts?.flush();
  };

  /** Applies a change to the form and autosaves it. */
  #change(mutate: (form: FormState) => void): void {
    mutate(this.#form);
    this.#drafts?.update(this.#form, this.#stepId);
    this.requestUpdate();
  }

  #set(path: string, value: unknown): void {
    this.#change((form) => setPath(form.reg as Record<string, unknown>, path, value));
  }

  async #goTo(index: number, focusHeading = true): Promise<void> {
    this.stepIndex = index;
    this.errors = [];
    this.fileNotice = undefined;
    this.view = 'form';
    // Remember the step in an existing draft; an untouched form does not create one.
    if (this.#drafts?.record) this.#drafts.update(this.#form, this.#stepId);
    void this.#drafts?.flush();
    this.emit('tiepdan-step-change', { step: this.#stepId, index });
    await this.updateComplete;
    if (focusHeading) this.renderRoot.querySelector<HTMLElement>('h2[tabindex]')?.focus();
  }

  async #stepErrors(step: StepOutline | undefined): Promise<FieldError[]> {
    const later = await loadLater();
    this.steps ??= later.STEPS;
    const { registrationErrors } = later;
    const all = registrationErrors(toPayload(this.#form, this.unit), this.#rules);
    if (!step) return all;
    return all.filter((e) => step.prefixes.some((p) => e.path === p || e.path.startsWith(`${p}.`)));
  }

  /** Goes to the first step with an error and shows that step's errors in the summary and inline. */
  async #showErrors(fields: readonly FieldError[]): Promise<void> {
    const owner = ownerOf;
    const indexes = fields.map((f) => owner(f.path)).filter((i) => i >= 0);
    const index = indexes.length ? Math.min(...indexes) : CHECK;
    if (index !== this.stepIndex || this.view !== 'form') await this.#goTo(index, false);
    this.errors = this.#place(fields.filter((f) => owner(f.path) === index || index === CHECK));
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.error-summary')?.focus();
  }

  /**
   * Attaches each error to the closest rendered field (a rule on `privacy.acknowledgedAt` shows on the checkbox),
   * names the field in the summary, and orders the summary as the fields appear.
   */
  #place(fields: readonly FieldError[]): PlacedError[] {
    const root = this.renderRoot;
    const ids = [...root.querySelectorAll('form [id^="f-"]')].map((node) => node.id);
    const closest = (full: string) => {
      for (let path = full; path; path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '') {
        if (ids.includes(fieldId(path))) return path;
      }
      return undefined;
    };
    const placed = new Map<string, Message>();
    // Errors on a field itself first, so a field's own message wins over one carried over from a hidden part.
    for (const field of fields) if (closest(field.path) === field.path && !placed.has(field.path)) placed.set(field.path, field.message);
    for (const field of fields) {
      const path = closest(field.path) ?? ids[0]?.slice(2).replace(/-/gu, '.') ?? field.path;
      if (!placed.has(path)) placed.set(path, field.message);
    }
    return [...placed]
      .map(([path, message]) => {
        const control = root.querySelector(`#${fieldId(path)}`);
        // A radio group is named by its legend; the first radio's own label ("Khiếu nại") would mislead.
        const legend = control?.closest('fieldset')?.querySelector('legend');
        const label = control?.matches('input[type="radio"]') ? legend : (root.querySelector(`label[for="${fieldId(path)}"]`) ?? legend);
        const text = label && [...label.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => node.textContent).join('').trim();
        return { path, message, label: text || undefined };
      })
      .sort((a, b) => ids.indexOf(fieldId(a.path)) - ids.indexOf(fieldId(b.path)));
  }

  #focusField = (path: string): void => {
    const target = this.renderRoot.querySelector<HTMLElement>(`#${fieldId(path)}`);
    target?.focus();
    target?.scrollIntoView?.({ block: 'center' });
  };

  async #continue(): Promise<void> {
    if (this.stepIndex === CHECK) return this.#submit();
    let errors: FieldError[];
    try {
      errors = await this.#stepErrors(OUTLINE[this.stepIndex]);
    } catch {
      const { s } = this;
      this.notice = { vi: s.loadFailed, en: s.loadFailed };
      return;
    }
    this.notice = undefined;
    if (errors.length) return this.#showErrors(errors);
    const next = this.#returnToCheck ? CHECK : this.stepIndex + 1;
    if (next === CHECK) this.#returnToCheck = false;
    await this.#goTo(next);
  }

  async #submit(): Promise<void> {
    if (this.#submitting || !this.#drafts) return;
    this.notice = undefined;
    let validation: Awaited<ReturnType<typeof loadLater>>;
    try {
      validation = await loadLater();
    } catch {
      const { s } = this;
      this.notice = { vi: s.loadFailed, en: s.loadFailed };
      return;
    }
    const { parseRegistration } = validation;
    const parsed = parseRegistration(toPayload(this.#form, this.unit), this.#rules);
    if (!parsed.ok) return this.#showErrors(parsed.fields);
    const drafts = this.#drafts;
    this.#submitting = true;
    const outbox = await this.#openOutbox();
    if (!outbox || drafts !== this.#drafts) {
      this.#submitting = false;
      if (outbox) return;
      const { s } = this;
      this.notice = { vi: s.loadFailed, en: s.loadFailed };
      return;
    }
    try {
      drafts.update(this.#form, 'check');
      await drafts.flush();
      const clientId = drafts.record!.clientId;
      const files = (await drafts.files()).map((f) => ({ id: f.id, blob: f.blob, name: f.name }));
      this.#clientId = clientId;
      this.send = { clientId, state: 'sending', attempts: 0, progress: 0 };
      this.view = 'done';
      const queued = outbox.enqueue({ clientId, draftId: this.#draftKey, payload: parsed.value, files });
      // The entry is in the queue once the first attempt starts (or the enqueue ends); the draft is gone then.
      let announced = false;
      const announce = () => {
        if (announced) return;
        announced = true;
        outbox.removeEventListener('change', announce);
        this.emit('tiepdan-submit-queued', { clientId });
      };
      outbox.addEventListener('change', announce);
      await queued;
      announce();
      await drafts.discard();
      this.#form = emptyState(this.meta?.unit.provinceCode);
    } catch {
      // The device refused to store the queue entry: nothing was sent, the draft is intact.
      this.view = 'form';
      this.notice = { vi: this.s.fileStorage, en: this.s.fileStorage };
      this.emit('tiepdan-error', { code: 'storage_unavailable', message: this.s.fileStorage });
    } finally {
      this.#submitting = false;
    }
  }

  async #addFiles(list: FileList | null, capture = false): Promise<void> {
    if (!list?.length || !this.#drafts) return;
    const { s } = this;
    const limits = this.#rules.attachments;
    this.busy = true;
    this.fileNotice = undefined;
    try {
      for (const file of Array.from(list)) {
        const current = this.#form.reg.attachments ?? [];
        if (current.length >= limits.maxCount) {
          this.fileNotice = s.tooMany;
          break;
        }
        if (!file.type.startsWith('image/') && file.type !== 'application/pdf') {
          this.fileNotice = fmt(s.fileType, { name: file.name });
          continue;
        }
        // Evidence is kept byte for byte (issue 9 §6): only a camera capture is made smaller for a slow line.
        const { blob, name, downscaled } = capture ? await (await loadLater()).prepareCapture(file) : { blob: file, name: file.name, downscaled: false };
        const type = blob.type || file.type;
        const total = current.reduce((sum, a) => sum + (a?.size ?? 0), 0);
        if (!limits.types.includes(type)) {
          this.fileNotice = fmt(s.fileType, { name: file.name });
          continue;
        }
        if (blob.size > limits.maxBytes || total + blob.size > limits.maxTotalBytes) {
          this.fileNotice = fmt(s.fileTooBig, { name: file.name });
          continue;
        }
        const id = `a${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
        try {
          await this.#drafts.addFile(id, blob, name);
        } catch {
          this.fileNotice = s.fileStorage;
          continue;
        }
        this.#change((form) => {
          (form.reg.attachments ??= []).push({ id, name, type, size: blob.size, purpose: 'evidence' });
          if (downscaled) (form.downscaled ??= []).push(id);
        });
      }
    } finally {
      this.busy = false;
    }
  }

  async #removeFile(id: string): Promise<void> {
    await this.#drafts?.removeFile(id).catch(() => undefined);
    this.#change((form) => {
      form.reg.attachments = (form.reg.attachments ?? []).filter((a) => a?.id !== id);
      form.downscaled = form.downscaled?.filter((d) => d !== id);
    });
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#${fieldId('attachments')}`)?.focus();
  }

  async #resume(): Promise<void> {
    const index = OUTLINE.findIndex((s) => s.id === this.#drafts?.record?.step);
    await this.#goTo(index >= 0 ? index : this.#drafts?.record?.step === 'check' ? CHECK : 0);
  }

  async #startOver(): Promise<void> {
    this.#form = emptyState(this.meta?.unit.provinceCode);
    this.#returnToCheck = false;
    await this.#drafts?.discard();
    await this.#goTo(0);
  }

  async #newAfterConfirmation(): Promise<void> {
    this.send = undefined;
    this.#clientId = undefined;
    this.copyNote = '';
    await this.#openDraft();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('h2[tabindex]')?.focus();
  }

  #copy(reference: string): void {
    const { s } = this;
    const done = (ok: boolean) => {
      this.copyNote = ok ? s.copied : s.copyFailed;
    };
    if (!navigator.clipboard) return done(false);
    navigator.clipboard.writeText(reference).then(() => done(true), () => done(false));
  }

  #context(s: UiStrings, lang: 'vi' | 'en'): StepContext {
    const errors = new Map(this.errors.map((e) => [e.path, say(e.message, lang)]));
    return {
      s,
      lang,
      state: this.#form,
      meta: this.meta!,
      server: this.server,
      unit: this.unit,
      rules: this.#rules,
      error: (path) => errors.get(path),
      set: (path, value) => this.#set(path, value),
      change: (mutate) => this.#change(mutate),
      addFiles: (files, options) => void this.#addFiles(files, options?.capture),
      removeFile: (id) => void this.#removeFile(id),
      fileNotice: this.fileNotice,
      busy: this.busy,
    };
  }

  override render(): TemplateResult {
    const { s, speaks: lang } = this;
    return html`<form part="form" novalidate lang=${lang} aria-label=${s.formTitle} @submit=${this.#ime.submit} @keydown=${this.#ime.keydown}>
      ${this.#renderView(s, lang)}
    </form>`;
  }

  #renderView(s: UiStrings, lang: 'vi' | 'en'): TemplateResult {
    switch (this.view) {
      case 'loading':
        return html`<p role="status">${s.loading}</p>`;
      case 'meta-error':
        return html`<div role="alert"><p>${s.metaError}</p></div>
          <button type="button" part="button" @click=${() => void this.#init()}>${s.retry}</button>`;
      case 'resume':
        return html`<h2 part="step-heading" tabindex="-1">${s.resumeTitle}</h2>
          <p>${fmt(s.resumeText, { time: formatDateTime(this.#savedAt) })}</p>
          <button type="button" part="button" @click=${() => void this.#resume()}>${s.resume}</button>
          <button type="button" class="secondary" part="button-secondary" @click=${() => void this.#startOver()}>${s.startNew}</button>`;
      case 'done':
        return this.#renderConfirmation(s, lang);
      default:
        return this.#renderStep(s, lang);
    }
  }

  #renderStep(s: UiStrings, lang: 'vi' | 'en'): TemplateResult {
    // The first screen is always at hand; the others arrive with the lazily loaded part (see later.ts).
    const step: Step | undefined = this.stepIndex === 0 ? privacyStep : this.steps?.[this.stepIndex];
    if (!step && !this.steps) return this.#renderLoadingSteps(s, lang);
    const ctx = this.#context(s, lang);
    const status = { empty: '', pending: s.saving, saved: s.saved, 'not-kept': s.notKept }[this.saveStatus];
    return html`
      ${this.stepIndex > 0
        ? html`<button type="button" class="link back" @click=${() => void this.#goTo(this.#returnToCheck ? CHECK : this.stepIndex - 1)}>${s.back}</button>`
        : nothing}
      ${this.notice ? html`<div class="error-summary" role="alert"><p>${say(this.notice, lang)}</p></div>` : nothing}
      ${errorSummary(s.errorTitle, this.errors.map((e) => ({ path: e.path, message: e.label ? `${e.label}: ${say(e.message, lang)}` : say(e.message, lang) })), this.#focusField)}
      <p class="step-of">${fmt(s.stepOf, { n: this.stepIndex + 1, total: OUTLINE.length + 1 })}</p>
      <h2 part="step-heading" tabindex="-1">${step ? step.title(s) : s.checkTitle}</h2>
      ${step ? step.render(ctx) : this.#renderCheck(ctx)}
      <button type="submit" part="button" ?disabled=${this.busy}>${step ? s.continue : s.submit}</button>
      <p part="status" class="status" role="status" aria-live="polite">${status}</p>
    `;
  }

  #renderCheck(ctx: StepContext): TemplateResult {
    return html`<dl class="summary">
      ${(this.steps ?? []).map((step, index) =>
        (step.summary?.(ctx) ?? []).map(
          (row) => html`<div class="row">
            <dt>${row.label}</dt>
            <dd>${row.value}</dd>
            <dd class="action"><button type="button" class="link" @click=${() => {
              this.#returnToCheck = true;
              void this.#goTo(index);
            }}>${ctx.s.change}<span class="sr-only"> ${row.label}</span></button></dd>
          </div>`,
        ),
      )}
    </dl>`;
  }

  /** Loads the steps' screens and the validators; on failure the form offers to try again. */
  async #ensureLater(): Promise<void> {
    try {
      this.steps = (await loadLater()).STEPS;
      this.laterFailed = false;
    } catch {
      this.laterFailed = true;
    }
  }

  #renderLoadingSteps(s: UiStrings, lang: 'vi' | 'en'): TemplateResult {
    if (!this.laterFailed) return html`<p role="status">${s.loading}</p>`;
    return html`<div class="error-summary" role="alert"><p>${say({ vi: s.loadFailed, en: s.loadFailed }, lang)}</p></div>
      <button type="button" part="button" @click=${() => void this.#ensureLater()}>${s.retry}</button>`;
  }

  /** Says which session was held, by its Hanoi date and times ("08:00–11:00, 03/12/2026"). */
  #bookingLine(s: UiStrings, booking: NonNullable<SubmitResponse['booking']>): string {
    if (booking.status === 'booked') return fmt(s.bookingBooked, { when: booking.startsAt && booking.endsAt ? formatTimeRange(booking.startsAt, booking.endsAt) : s.bookingChosen });
    return { full: s.bookingFull, not_open: s.bookingNotOpen, limit: s.bookingLimit }[booking.status];
  }

  #renderConfirmation(s: UiStrings, lang: 'vi' | 'en'): TemplateResult {
    const send = this.send;
    const response = send?.state === 'sent' ? send.response : undefined;
    const newForm = html`<button type="button" class="secondary" part="button-secondary" @click=${() => void this.#newAfterConfirmation()}>${s.startNew}</button>`;
    if (response) {
      return html`<div part="confirmation" class="confirmation">
        <h2 part="step-heading" tabindex="-1">${s.doneTitle}</h2>
        <div class="reference-box">
          <p>${s.reference}</p>
          <p class="reference" id="reference">${response.reference}</p>
          <button type="button" @click=${() => this.#copy(response.reference)}>${s.copy}</button>
          <p role="status">${this.copyNote}</p>
        </div>
        <p>${s.keepCode}</p>
        ${response.booking ? html`<p class="booking">${this.#bookingLine(s, response.booking)}</p>` : nothing}
        <h3>${s.next}</h3>
        <p>${say(response.next, lang)}</p>
        ${newForm}
      </div>`;
    }
    const sending = send?.state === 'sending';
    const progress = Math.round((send?.progress ?? 0) * 100);
    const line = sending ? fmt(s.sending, { pct: progress }) : send?.nextAttemptAt ? fmt(s.nextTry, { time: formatTime(send.nextAttemptAt) }) : '';
    return html`<div part="confirmation" class="confirmation queued">
      <h2 part="step-heading" tabindex="-1">${s.queuedTitle}</h2>
      <p>${s.queuedText}</p>
      <p part="status" class="status" role="status" aria-live="polite">${line}</p>
      ${sending ? html`<progress max="100" .value=${progress} aria-label=${line}></progress>` : nothing}
      <button type="button" part="button" ?disabled=${sending} @click=${() => void this.#sendNow()}>${s.sendNow}</button>
      ${newForm}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tiepdan-registration': TiepdanRegistration;
  }
}
