/**
 * The browser's side of officials' sign-in. The session itself lives in an httpOnly cookie the page cannot read
 * (sent only to the server's /api/v1/auth routes); this client keeps the short-lived access token in memory and
 * gets a new one before it runs out, so an element signed in at 7:30 still works at 11:00 and after a reload
 * (the cookie survives it; the token is simply asked for again). Every failure is an `ApiError`.
 */
import { isErrorBody, type ErrorBody } from '../errors.js';
import { ApiError } from '../api/client.js';
import { transportError } from '../api/transport-errors.js';
import type { Message } from '../i18n/message.js';
import type { OfficialRole } from './roles.js';

/** The session and the access token as answered (api/auth-views.ts: the server's response schemas). */
export type { IssuedToken, SignedInSession } from '../api/auth-views.js';
import type { IssuedToken, SignedInSession } from '../api/auth-views.js';

export interface SignInMethods {
  password: boolean;
  oidc?: { label: Message };
}

/** Ask for a new token this long before the current one expires (a slow network must still make it). */
const REFRESH_MARGIN_MS = 60_000;
const TIMEOUT_MS = 20_000;

export class SessionClient {
  readonly baseUrl: string;
  #session: SignedInSession | undefined;
  #token: IssuedToken | undefined;
  #pending: Promise<IssuedToken> | undefined;

  constructor(baseUrl: string, private readonly fetcher: typeof fetch = (...args) => fetch(...args)) {
    this.baseUrl = baseUrl.replace(/\/+$/u, '');
  }

  get session(): SignedInSession | undefined {
    return this.#session;
  }

  methods(): Promise<SignInMethods> {
    return this.#call('GET', '/auth/methods');
  }

  /** The session the cookie holds, after a reload; undefined when there is none (or it has ended). */
  async restore(): Promise<SignedInSession | undefined> {
    try {
      this.#session = await this.#call<SignedInSession>('GET', '/auth/session');
      return this.#session;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return (this.#session = undefined);
      throw error;
    }
  }

  async signIn(username: string, password: string, code?: string): Promise<SignedInSession> {
    this.#token = undefined;
    this.#session = await this.#call<SignedInSession>('POST', '/auth/sign-in', { username, password, ...(code ? { code } : {}) });
    return this.#session;
  }

  /** A valid access token, from memory or a new one (one request however many callers ask at once). */
  token(wanted: { role?: OfficialRole; unit?: string } = {}): Promise<IssuedToken> {
    const current = this.#token;
    if (current && current.expiresAt - Date.now() > REFRESH_MARGIN_MS && (!wanted.role || wanted.role === current.role) && (!wanted.unit || wanted.unit === current.unit)) return Promise.resolve(current);
    return (this.#pending ??= this.#refresh(wanted).finally(() => (this.#pending = undefined)));
  }

  /** When the current token should be replaced (ms since the epoch), for a timer. */
  get refreshAt(): number | undefined {
    return this.#token && Math.max(Date.now() + 1000, this.#token.expiresAt - REFRESH_MARGIN_MS);
  }

  async #refresh(wanted: { role?: OfficialRole; unit?: string }): Promise<IssuedToken> {
    if (!this.#session) await this.restore();
    const session = this.#session;
    if (!session) throw new ApiError(401, { error: { code: 'session_expired', message: { vi: 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.', en: 'Your session has expired. Please sign in again.' } } });
    try {
      this.#token = await this.#call<IssuedToken>('POST', '/auth/token', wanted, { 'X-CSRF-Token': session.csrfToken });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.#session = undefined;
      throw error;
    }
    return this.#token;
  }

  /** A recorder's device credential for this connection point's machine (role recorder, a working day). */
  async issueDevice(label: string): Promise<IssuedToken> {
    const { token } = await this.token();
    return this.#call<IssuedToken>('POST', '/auth/devices', { label }, { Authorization: `Bearer ${token}` }, 'omit');
  }

  /** Ends the session; resolves to the identity provider's sign-out address when it has one. */
  async signOut(): Promise<string | undefined> {
    const session = this.#session;
    this.#token = undefined;
    this.#session = undefined;
    if (!session) return undefined;
    const result = await this.#call<{ endSessionUrl?: string }>('POST', '/auth/sign-out', {}, { 'X-CSRF-Token': session.csrfToken });
    return result.endSessionUrl;
  }

  /** Where the single sign-on button sends the browser (the server redirects to the identity provider). */
  oidcStartUrl(returnTo: string): string {
    return `${this.baseUrl}/api/v1/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`;
  }

  async #call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, credentials: RequestCredentials = 'include'): Promise<T> {
    let response: Response;
    const timeout = AbortSignal.timeout(TIMEOUT_MS);
    try {
      response = await this.fetcher(`${this.baseUrl}/api/v1${path}`, {
        method,
        // The cookie goes with every /auth request, to this server only (CORS allows credentials for allowlisted sites).
        credentials,
        cache: 'no-store',
        headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: timeout,
      });
    } catch {
      throw new ApiError(0, transportError(timeout.aborted ? 'timeout' : 'network'));
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.ok) return parsed as T;
    throw new ApiError(response.status, isErrorBody(parsed) ? (parsed as ErrorBody) : transportError(response.status >= 500 ? 'internal' : 'bad_request'));
  }
}
