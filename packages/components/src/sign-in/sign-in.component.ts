/**
 * `<tiepdan-sign-in>`: officials sign in with a local account (password, and the authenticator app's code when
 * their role needs one) or the province's single sign-on, and stay signed in across reloads and long sessions.
 * The session is an httpOnly cookie the page never sees; the element hands the page short-lived access tokens
 * (event `tiepdan-token`) and renews them before they run out. The class only; `sign-in.ts` registers it.
 */
import { formatDateTime, say, type OfficialRole } from '@tiepdan/core';
import { ApiError, SessionClient, type IssuedToken, type SignedInSession, type SignInMethods } from '@tiepdan/core/browser';
import { html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { TiepdanElement } from '../shared/element.js';
import { baseStyles } from '../shared/base.styles.js';
import { compositionAwareSubmit, errorSummary, fieldId } from '../shared/controls.js';
import { fmt } from '../shared/lang.js';
import { signInStrings, type SignInStrings } from './strings.js';
import { signInStyles } from './sign-in.styles.js';

/** Set by the server's single sign-on callback when it could not finish (the provider was down, a bad state). */
const ERROR_PARAM = 'tiepdan-sign-in-error';

/**
 * Officials' sign-in (đăng nhập cán bộ): local account with a second factor, or single sign-on.
 *
 * @summary Sign-in for officials; hands the page short-lived access tokens and renews them.
 *
 * @tagname tiepdan-sign-in
 *
 * @attr server - Base URL of the tiepdan server.
 * @attr official-role - The role to ask tokens for when the account has several (e.g. "clerk"); the first case role otherwise.
 * @attr device-label - Recorder mode: after the official signs in, the machine gets a recording-only device credential with this label, and the official's own session ends.
 * @attr lang - "vi" (default) or "en"; falls back to the closest ancestor's lang.
 *
 * @fires tiepdan-token - A new access token; detail `{ token, role, unit, expiresAt }`. Set it on the officials' elements.
 * @fires tiepdan-signed-in - Signed in (or a session found after a reload); detail `{ username, displayName, method }`.
 * @fires tiepdan-signed-out - Signed out or the session ended; detail `{ reason }`.
 * @fires tiepdan-error - Sign-in failed; detail `{ code, message }`.
 *
 * @csspart form - The sign-in form.
 * @csspart button - Buttons.
 * @csspart error-summary - The box that says why sign-in failed.
 * @csspart signed-in - The bar shown while signed in.
 *
 * @cssproperty --tiepdan-color-primary - Buttons and links (default #005ea5).
 * @cssproperty --tiepdan-color-error - Errors (default #b3261e).
 * @cssproperty --tiepdan-font-family - Font stack.
 * @cssproperty --tiepdan-font-size - Base size (default 18px).
 * @cssproperty --tiepdan-radius - Corner radius.
 * @cssproperty --tiepdan-focus-color - Focus ring colour.
 */
export class TiepdanSignIn extends TiepdanElement<SignInStrings> {
  static override styles = [baseStyles, signInStyles];
  protected readonly strings = signInStrings;

  @property({ attribute: 'official-role' }) officialRole: OfficialRole | '' = '';
  @property({ attribute: 'device-label' }) deviceLabel = '';

  @state() private phase: 'checking' | 'form' | 'signed-in' | 'device' = 'checking';
  @state() private username = '';
  @state() private password = '';
  @state() private code = '';
  @state() private needsCode = false;
  @state() private busy = false;
  @state() private errors: { path: string; message: string }[] = [];
  @state() private notice: string | undefined;
  @state() private methods: SignInMethods | undefined;
  @state() private current: IssuedToken | undefined;
  @state() private signedIn: SignedInSession | undefined;

  #client: SessionClient | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #ime = compositionAwareSubmit(() => void this.#submit());

  /** The current access token ('' when signed out), for pages that read it instead of listening. */
  get token(): string {
    return this.current?.token ?? '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.#onVisible);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.#onVisible);
    clearTimeout(this.#timer);
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('server') && this.server) void this.#start();
  }

  /** A tab that slept (a laptop lid closed over lunch) renews its token as soon as it is looked at again. */
  #onVisible = (): void => {
    if (document.visibilityState === 'visible' && this.phase === 'signed-in' && this.current && this.current.expiresAt - Date.now() < 60_000) void this.#renew();
  };

  async #start(): Promise<void> {
    this.#client = new SessionClient(this.server);
    this.phase = 'checking';
    this.#readCallbackError();
    if (this.deviceLabel && this.#restoreDevice()) return;
    this.#client.methods().then((m) => (this.methods = m), () => undefined);
    try {
      const session = await this.#client.restore();
      if (session) return void (await this.#signedIn(session));
    } catch (error) {
      this.#fail(error);
    }
    this.phase = 'form';
  }

  #readCallbackError(): void {
    const params = new URLSearchParams(location.hash.slice(1));
    const code = params.get(ERROR_PARAM);
    if (!code) return;
    params.delete(ERROR_PARAM);
    history.replaceState(null, '', `${location.pathname}${location.search}${params.size ? `#${params}` : ''}`);
    const lang = this.speaks;
    const messages: Record<string, { vi: string; en: string }> = {
      idp_unavailable: {
        vi: 'Hệ thống đăng nhập một lần (SSO) của tỉnh đang không phản hồi. Vui lòng thử lại sau ít phút hoặc dùng tài khoản nội bộ nếu được cấp.',
        en: 'The province’s single sign-on is not answering. Try again in a few minutes, or use a local account if you have one.',
      },
      forbidden: { vi: 'Tài khoản chưa được giao vai trò trong hệ thống tiếp công dân.', en: 'The account has no role in the reception system.' },
    };
    this.errors = [{ path: 'username', message: messages[code] ? say(messages[code], lang) : this.s.ssoFailed }];
  }

  async #signedIn(session: SignedInSession): Promise<void> {
    this.signedIn = session;
    this.password = '';
    this.code = '';
    this.needsCode = false;
    if (this.deviceLabel) return this.#becomeDevice();
    await this.#renew();
    if (!this.current) return;
    this.phase = 'signed-in';
    this.emit('tiepdan-signed-in', { username: session.account.username, displayName: session.account.displayName, method: session.method });
  }

  async #renew(role: OfficialRole | '' = this.current?.role ?? this.officialRole): Promise<void> {
    clearTimeout(this.#timer);
    try {
      const wanted = role && this.signedIn?.assignments.some((a) => a.role === role) ? { role } : {};
      this.current = await this.#client!.token(wanted);
      this.emit('tiepdan-token', { token: this.current.token, role: this.current.role, unit: this.current.unit, expiresAt: this.current.expiresAt });
      const at = this.#client!.refreshAt;
      if (at) this.#timer = setTimeout(() => void this.#renew(), Math.min(at - Date.now(), 2 ** 31 - 1));
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return this.#ended('expired');
      // A network loss keeps the session: try again in a while (the token still works until it expires).
      this.#timer = setTimeout(() => void this.#renew(), 15_000);
    }
  }

  #ended(reason: 'expired' | 'user'): void {
    clearTimeout(this.#timer);
    this.current = undefined;
    this.signedIn = undefined;
    this.phase = 'form';
    this.notice = reason === 'expired' ? this.s.expired : this.s.signedOut;
    this.emit('tiepdan-token', { token: '', role: undefined, unit: undefined, expiresAt: 0 });
    this.emit('tiepdan-signed-out', { reason });
  }

  get #deviceKey(): string {
    return `tiepdan-device:${this.server}`;
  }

  /**
   * A recorder's device credential is kept in sessionStorage: it survives a reload of the recorder's tab but not
   * the tab itself, and it can record and nothing else, for one working day at most.
   */
  #restoreDevice(): boolean {
    try {
      const stored = JSON.parse(sessionStorage.getItem(this.#deviceKey) ?? 'null') as IssuedToken | null;
      if (!stored || stored.expiresAt <= Date.now()) return false;
      this.#useDevice(stored);
      return true;
    } catch {
      return false;
    }
  }

  async #becomeDevice(): Promise<void> {
    try {
      const device = await this.#client!.issueDevice(this.deviceLabel);
      try {
        sessionStorage.setItem(this.#deviceKey, JSON.stringify(device));
      } catch {
        // Storage refused (private mode): the credential still works until the tab closes.
      }
      // The official's own session is not left open on a machine that stays at the point all day.
      await this.#client!.signOut().catch(() => undefined);
      this.#useDevice(device);
    } catch (error) {
      this.phase = 'form';
      this.#fail(error);
    }
  }

  #useDevice(device: IssuedToken): void {
    this.current = device;
    this.phase = 'device';
    this.emit('tiepdan-token', { token: device.token, role: device.role, unit: device.unit, expiresAt: device.expiresAt });
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#endDevice(), Math.min(device.expiresAt - Date.now(), 2 ** 31 - 1));
  }

  #endDevice = (): void => {
    try {
      sessionStorage.removeItem(this.#deviceKey);
    } catch {
      // nothing stored
    }
    this.#ended('user');
  };

  async #submit(): Promise<void> {
    if (this.busy || !this.#client) return;
    const s = this.s;
    const errors: { path: string; message: string }[] = [];
    if (!this.username.trim()) errors.push({ path: 'username', message: fmt(s.required, { field: s.username.toLowerCase() }) });
    if (!this.password) errors.push({ path: 'password', message: fmt(s.required, { field: s.password.toLowerCase() }) });
    if (this.needsCode && !/^\d{6}$/u.test(this.code.replace(/\s+/gu, ''))) errors.push({ path: 'code', message: s.codeHint });
    this.errors = errors;
    this.notice = undefined;
    if (errors.length) return this.#focusSummary();
    this.busy = true;
    try {
      const session = await this.#client.signIn(this.username, this.password, this.needsCode ? this.code.replace(/\s+/gu, '') : undefined);
      await this.#signedIn(session);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'second_factor_required') {
        this.needsCode = true;
        this.errors = [];
        await this.updateComplete;
        this.renderRoot.querySelector<HTMLInputElement>(`#${fieldId('code')}`)?.focus();
        return;
      }
      if (error instanceof ApiError && error.code === 'sign_in_failed') this.code = '';
      this.#fail(error);
    } finally {
      this.busy = false;
    }
  }

  #fail(error: unknown): void {
    const s = this.s;
    const lang = this.speaks;
    const api = error instanceof ApiError ? error : undefined;
    const message =
      !api || api.status === 0 ? s.network
      : api.status === 429 ? fmt(s.rateLimited, { s: api.body.error.retryAfter ?? 60 })
      : say(api.body.error.message, lang);
    this.errors = [{ path: this.needsCode ? 'code' : 'password', message }];
    this.emit('tiepdan-error', { code: String(api?.code ?? 'network'), message });
    void this.#focusSummary();
  }

  async #focusSummary(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.error-summary')?.focus();
  }

  async #signOut(): Promise<void> {
    const endSessionUrl = await this.#client?.signOut().catch(() => undefined);
    this.#ended('user');
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>(`#${fieldId('username')}`)?.focus();
    // A single sign-on session also ends at the provider, so the next person at this desk is asked again.
    if (endSessionUrl) location.assign(endSessionUrl);
  }

  #sso = (): void => {
    const back = new URL(location.href);
    back.hash = '';
    location.assign(this.#client!.oidcStartUrl(back.toString()));
  };

  #input(path: 'username' | 'password' | 'code', label: string, options: { type: string; autocomplete: string; hint?: string; inputmode?: string }): TemplateResult {
    const error = this.errors.find((e) => e.path === path)?.message;
    const describedBy = [options.hint ? `${fieldId(path)}-hint` : '', error ? `${fieldId(path)}-error` : ''].filter(Boolean).join(' ');
    return html`<div class="field ${error ? 'invalid' : ''}">
      <label for=${fieldId(path)}>${label}</label>
      ${options.hint ? html`<span class="hint" id="${fieldId(path)}-hint">${options.hint}</span>` : nothing}
      ${error ? html`<span class="error-message" id="${fieldId(path)}-error">${error}</span>` : nothing}
      <input id=${fieldId(path)} type=${options.type} autocomplete=${options.autocomplete} inputmode=${options.inputmode ?? 'text'}
        aria-invalid=${error ? 'true' : 'false'} aria-describedby=${describedBy || nothing} .value=${live(this[path])}
        @input=${(e: Event) => (this[path] = (e.target as HTMLInputElement).value)} />
    </div>`;
  }

  override render(): TemplateResult {
    const s = this.s;
    const lang = this.speaks;
    if (this.phase === 'checking') return html`<p role="status" lang=${lang}>${s.checking}</p>`;
    if (this.phase === 'device' && this.current) {
      return html`<div part="signed-in" class="signed-in" lang=${lang} role="status">
        <p class="who">${fmt(s.device, { time: formatDateTime(new Date(this.current.expiresAt).toISOString()) })}</p>
        <button type="button" part="button" class="secondary" @click=${this.#endDevice}>${s.deviceEnd}</button>
      </div>`;
    }
    if (this.phase === 'signed-in' && this.signedIn && this.current) {
      const roles = this.signedIn.assignments;
      return html`<div part="signed-in" class="signed-in" lang=${lang}>
        <p class="who" role="status">${fmt(s.signedInAs, { name: this.signedIn.account.displayName })}</p>
        ${roles.length > 1
          ? html`<div class="field"><label for="role">${s.chooseRole}</label>
              <select id="role" @change=${(e: Event) => void this.#renew((e.target as HTMLSelectElement).value as OfficialRole)}>
                ${roles.map((a) => html`<option value=${a.role} ?selected=${a.role === this.current?.role}>${s.roles[a.role]} · ${a.unit}</option>`)}
              </select></div>`
          : html`<p>${fmt(s.roleIn, { role: s.roles[this.current.role], unit: this.current.unit })}</p>`}
        <button type="button" part="button" class="secondary" @click=${() => void this.#signOut()}>${s.signOut}</button>
      </div>`;
    }
    return html`<form part="form" novalidate lang=${lang} aria-labelledby="heading" @submit=${this.#ime.submit} @keydown=${this.#ime.keydown}>
      <h2 id="heading">${s.heading}</h2>
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
      ${errorSummary(s.errorTitle, this.errors, (path) => this.renderRoot.querySelector<HTMLElement>(`#${fieldId(path)}`)?.focus())}
      ${this.deviceLabel ? html`<p class="hint">${s.deviceHint}</p>` : nothing}
      ${this.#input('username', s.username, { type: 'text', autocomplete: 'username' })}
      ${this.#input('password', s.password, { type: 'password', autocomplete: 'current-password' })}
      ${this.needsCode ? this.#input('code', s.code, { type: 'text', autocomplete: 'one-time-code', inputmode: 'numeric', hint: s.codeHint }) : nothing}
      <button type="submit" part="button" ?disabled=${this.busy}>${this.busy ? s.signingIn : s.submit}</button>
      ${this.methods?.oidc
        ? html`<p class="or">${s.or}</p><button type="button" part="button" class="secondary" @click=${this.#sso}>${say(this.methods.oidc.label, lang)}</button>`
        : nothing}
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tiepdan-sign-in': TiepdanSignIn;
  }
}
