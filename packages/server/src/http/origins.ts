/**
 * The CORS allowlist: the ward and province sites allowed to embed our elements. Entries are exact origins,
 * or patterns with `*` for a port or a host label in development (`http://127.0.0.1:*`).
 */
import type { FastifyRequest } from 'fastify';

export type OriginCheck = (origin: string) => boolean;

export function originMatcher(patterns: readonly string[]): OriginCheck {
  const exact = new Set<string>();
  const wildcards: RegExp[] = [];
  for (const pattern of patterns) {
    const normalised = pattern.replace(/\/+$/u, '').toLowerCase();
    if (!normalised.includes('*')) exact.add(normalised);
    else wildcards.push(new RegExp(`^${normalised.split('*').map(escape).join('[a-z0-9-]+')}$`, 'u'));
  }
  return (origin) => {
    const o = origin.toLowerCase();
    return exact.has(o) || wildcards.some((w) => w.test(o));
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

/**
 * May this request come from where its Origin header says? No Origin (a server, a script, the headless
 * recorder), the server's own origin (its demo pages), its public URL, or an allowed site. The HTTP API and
 * `/ws` ask the same question: a page outside the allowlist must not open a room socket either.
 */
export function requestOriginCheck(isAllowedOrigin: OriginCheck, publicUrl: string | undefined): (request: FastifyRequest) => boolean {
  const publicOrigin = publicUrl ? new URL(publicUrl).origin : undefined;
  return (request) => {
    const origin = request.headers.origin;
    return !origin || isAllowedOrigin(origin) || origin === `${request.protocol}://${request.host}` || origin === publicOrigin;
  };
}
