/**
 * The unit's meta (GET /api/v1/meta) with a bare fetch: it is all the registration's first screen asks of the
 * server, so the form does not carry the typed ApiClient (client.ts) to its first screen (issue 15). The form keeps
 * the device's cached copy when this fails, so a failure is a plain rejection, not an ApiError.
 */
import type { MetaResponse } from './types.js';

export async function fetchMeta(baseUrl: string, unit: string, timeoutMs = 30_000): Promise<MetaResponse> {
  const response = await fetch(`${baseUrl.replace(/\/+$/u, '')}/api/v1/meta?unit=${encodeURIComponent(unit)}`, {
    headers: { Accept: 'application/json' },
    credentials: 'omit',
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`meta: HTTP ${response.status}`);
  return (await response.json()) as MetaResponse;
}
