/**
 * The CORS allowlist: the ward and province sites allowed to embed our elements. Entries are exact origins,
 * or patterns with `*` for a port or a host label in development (`http://127.0.0.1:*`).
 */
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
