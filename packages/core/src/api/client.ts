/**
 * Typed client for the tiepdan HTTP API, shared by our elements and by developers who build their own UI.
 * Every failure becomes an `ApiError` carrying the server's error shape (or a synthetic one for network loss
 * and time-outs), so callers handle one kind of error.
 */
import { isErrorBody, type ErrorBody, type ErrorCode } from '../errors.js';
import { transportError } from './transport-errors.js';
import type { Registration } from '../registration/schema.js';
import type {
  LookupRequest,
  LookupResponse,
  MetaResponse,
  RegistrationRecord,
  ScreeningPage,
  SubmitResponse,
  TransitionRequest,
} from './types.js';
import type {
  InvitationPreview,
  InvitationRequest,
  InvitationResponse,
  SessionNotices,
  SeriesCreateResponse,
  SeriesPreview,
  SeriesRequest,
  SessionCancelRequest,
  SessionList,
  SessionMutationResponse,
  SessionPostponeRequest,
} from './schedule-types.js';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** HTTP status; 0 when the server was not reached. */
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.error.message.en);
  }

  get code(): ErrorCode | string {
    return this.body.error.code;
  }

  /** Worth retrying later without changing anything: network loss, time-out, overload, server fault. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export interface ApiClientOptions {
  /** Base URL of the tiepdan server, e.g. "https://tiepdan.dongthap.gov.vn". */
  baseUrl: string;
  /** Officials' bearer token, or a function returning the current one. */
  token?: string | (() => string | undefined);
  /** Per-request time limit; slow rural networks need generous values. */
  timeoutMs?: number;
  /** HTTP cache mode of every request; "no-cache" for polling answers the server marks cacheable. */
  cache?: RequestCache;
  fetch?: typeof fetch;
}

export interface SubmitOptions {
  /** Upload progress in [0, 1]; reported when the browser can (XMLHttpRequest upload events). */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class ApiClient {
  readonly baseUrl: string;
  readonly #options: ApiClientOptions;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/u, '');
    this.#options = options;
  }

  meta(unit: string): Promise<MetaResponse> {
    return this.#json('GET', `/api/v1/meta?unit=${encodeURIComponent(unit)}`);
  }

  lookup(request: LookupRequest): Promise<LookupResponse> {
    return this.#json('POST', '/api/v1/lookup', request);
  }

  /**
   * Submits a registration with its files. `clientId` is the idempotency key: sending the same submission
   * again (after a lost answer, from another tab) returns the first answer instead of storing it twice.
   */
  async submitRegistration(
    clientId: string,
    registration: Registration,
    files: ReadonlyMap<string, Blob> = new Map(),
    options: SubmitOptions = {},
  ): Promise<SubmitResponse> {
    const headers = { 'Idempotency-Key': clientId };
    if (files.size === 0) return this.#json('POST', '/api/v1/registrations', registration, headers, options.signal);
    const form = new FormData();
    // The JSON part comes first so the server can check the list before it reads any file.
    form.append('registration', JSON.stringify(registration));
    for (const [id, blob] of files) form.append(id, blob, (blob as File).name ?? id);
    if (options.onProgress && typeof XMLHttpRequest !== 'undefined') {
      return this.#xhr('/api/v1/registrations', form, headers, options);
    }
    return this.#request('POST', '/api/v1/registrations', form, headers, options.signal);
  }

  listRegistrations(query: { kind?: string; state?: string; limit?: number; before?: string } = {}): Promise<ScreeningPage> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const search = params.toString();
    return this.#json('GET', `/api/v1/registrations${search ? `?${search}` : ''}`);
  }

  getRegistration(reference: string): Promise<RegistrationRecord> {
    return this.#json('GET', `/api/v1/registrations/${encodeURIComponent(reference)}`);
  }

  transition(reference: string, request: TransitionRequest): Promise<RegistrationRecord> {
    return this.#json('POST', `/api/v1/registrations/${encodeURIComponent(reference)}/transitions`, request);
  }

  /** The unit's sessions between two Hanoi dates (inclusive); drafts too when the token may read them. */
  listSessions(query: { unit: string; from?: string; to?: string; state?: string }): Promise<SessionList> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, value);
    return this.#json('GET', `/api/v1/sessions?${params.toString()}`);
  }

  /** The dates a periodic series would give after holiday shifts, and the legal-frequency warnings; stores nothing. */
  previewSeries(request: SeriesRequest): Promise<SeriesPreview> {
    return this.#json('POST', '/api/v1/series/preview', request);
  }

  createSeries(request: SeriesRequest): Promise<SeriesCreateResponse> {
    return this.#json('POST', '/api/v1/series', request);
  }

  cancelSession(id: string, request: SessionCancelRequest): Promise<SessionMutationResponse> {
    return this.#json('POST', `/api/v1/sessions/${encodeURIComponent(id)}/cancel`, request);
  }

  postponeSession(id: string, request: SessionPostponeRequest): Promise<SessionMutationResponse> {
    return this.#json('POST', `/api/v1/sessions/${encodeURIComponent(id)}/postpone`, request);
  }

  /** Invites a screened registration to a session (takes a place if needed, queues the e-mail/SMS). */
  invite(sessionId: string, request: InvitationRequest): Promise<InvitationResponse> {
    return this.#json('POST', `/api/v1/sessions/${encodeURIComponent(sessionId)}/invitations`, request);
  }

  /** What an invitation would say and through which channels; stores nothing. */
  previewInvitation(sessionId: string, request: InvitationRequest): Promise<InvitationPreview> {
    return this.#json('POST', `/api/v1/sessions/${encodeURIComponent(sessionId)}/invitations/preview`, request);
  }

  /** The delivery state of a session's notices (one registration's when given). */
  sessionNotices(sessionId: string, reference?: string): Promise<SessionNotices> {
    return this.#json('GET', `/api/v1/sessions/${encodeURIComponent(sessionId)}/notices${reference ? `?reference=${encodeURIComponent(reference)}` : ''}`);
  }

  /** The booking's calendar file (reference + phone in the body, never in a URL). */
  async bookingCalendar(request: LookupRequest): Promise<Blob> {
    const response = await fetch(`${this.baseUrl}/api/v1/bookings/calendar`, { method: 'POST', headers: this.#headers({ 'Content-Type': 'application/json', Accept: 'text/calendar' }), body: JSON.stringify(request) });
    if (!response.ok) {
      const body: unknown = await response.json().catch(() => undefined);
      throw new ApiError(response.status, isErrorBody(body) ? body : { error: { code: 'internal', message: { vi: 'Lỗi máy chủ.', en: 'Server error.' } } });
    }
    return response.blob();
  }

  /** The unit's public calendar feed (text/calendar), for an "add to calendar" link. */
  scheduleIcsUrl(unit: string): string {
    return `${this.baseUrl}/api/v1/units/${encodeURIComponent(unit)}/schedule.ics`;
  }

  #headers(extra: Record<string, string>): Record<string, string> {
    const token = typeof this.#options.token === 'function' ? this.#options.token() : this.#options.token;
    return { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}), ...extra };
  }

  #json<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<T> {
    const init = body === undefined ? undefined : JSON.stringify(body);
    return this.#request(method, path, init, body === undefined ? headers : { 'Content-Type': 'application/json', ...headers }, signal);
  }

  async #request<T>(method: string, path: string, body: BodyInit | undefined, headers: Record<string, string>, signal?: AbortSignal): Promise<T> {
    const timeout = AbortSignal.timeout(this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await (this.#options.fetch ?? fetch)(`${this.baseUrl}${path}`, {
        method,
        headers: this.#headers(headers),
        ...(body === undefined ? {} : { body }),
        signal: combined,
        credentials: 'omit',
        ...(this.#options.cache ? { cache: this.#options.cache } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError(0, transportError(timeout.aborted ? 'timeout' : 'network'));
    }
    return readResponse<T>(response.status, await response.text());
  }

  #xhr<T>(path: string, body: FormData, headers: Record<string, string>, options: SubmitOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${this.baseUrl}${path}`);
      for (const [key, value] of Object.entries(this.#headers(headers))) xhr.setRequestHeader(key, value);
      xhr.timeout = this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS * 4;
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) options.onProgress?.(event.loaded / event.total);
      };
      xhr.onload = () => {
        try {
          resolve(readResponse<T>(xhr.status, xhr.responseText));
        } catch (error) {
          reject(error);
        }
      };
      xhr.onerror = () => reject(new ApiError(0, transportError('network')));
      xhr.ontimeout = () => reject(new ApiError(0, transportError('timeout')));
      xhr.onabort = () => reject(new DOMException('Aborted', 'AbortError'));
      options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(body);
    });
  }
}

/** A response's body, or its error as an ApiError (the error shape kept even for a proxy's HTML page). */
export function readResponse<T>(status: number, text: string): T {
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (status >= 200 && status < 300) return parsed as T;
  // A proxy or captive portal may answer with HTML; keep the error shape for callers all the same.
  throw new ApiError(status, isErrorBody(parsed) ? parsed : transportError(status >= 500 ? 'internal' : 'bad_request'));
}
