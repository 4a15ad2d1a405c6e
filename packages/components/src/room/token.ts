/** What the element may read from a token without verifying it: who to say hello as, and the name to show. */

/** Officials' tokens are our JWTs; a citizen's join token has the citizens' audience (or is not a JWT at all). */
export function tokenInfo(token: string): { kind: 'official' | 'citizen'; name?: string | undefined } {
  try {
    const binary = atob(token.split('.')[1]!.replace(/-/gu, '+').replace(/_/gu, '/'));
    const text = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const payload = JSON.parse(text) as { aud?: string | string[]; name?: string };
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    return { kind: aud.includes('tiepdan-citizens') ? 'citizen' : 'official', name: payload.name };
  } catch {
    return { kind: 'citizen' };
  }
}
