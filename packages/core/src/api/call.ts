/**
 * Requests to any API path with an official's token, for the elements whose routes the typed ApiClient does
 * not list (the desk and the register, docs/desk.md). Separate functions, not ApiClient methods, so the
 * citizens' elements that never call them do not carry them.
 */
import { ApiError, readResponse } from './client.js';
import { transportError } from './transport-errors.js';

export interface CallOptions {
  baseUrl: string;
  token?: string | undefined;
  timeoutMs?: number;
}

const base = (o: CallOptions) => o.baseUrl.replace(/\/+$/u, '');
const auth = (o: CallOptions): Record<string, string> => (o.token ? { Authorization: `Bearer ${o.token}` } : {});

async function send(o: CallOptions, path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(`${base(o)}${path}`, { ...init, credentials: 'omit', signal: AbortSignal.timeout(o.timeoutMs ?? 60_000) });
  } catch (error) {
    throw new ApiError(0, transportError(error instanceof DOMException && error.name === 'TimeoutError' ? 'timeout' : 'network'));
  }
}

/** A JSON request; a failure is an ApiError with the server's error shape. */
export async function apiCall<T>(o: CallOptions, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...auth(o), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) };
  const response = await send(o, path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return readResponse<T>(response.status, await response.text());
}

/**
 * A file (a paper, a register export) with the token in the Authorization header, never in the URL, so no
 * address carries a credential; its name comes from Content-Disposition.
 */
export async function apiFile(o: CallOptions, path: string, fallbackName: string): Promise<{ blob: Blob; name: string }> {
  const response = await send(o, path, { headers: { Accept: '*/*', ...auth(o) } });
  if (!response.ok) return readResponse(response.status, await response.text());
  const name = /filename="([^"]+)"/u.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? fallbackName;
  return { blob: await response.blob(), name };
}
