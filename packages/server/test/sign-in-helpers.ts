/**
 * Sign-in helpers for tests: a browser-like cookie jar over fetch, TOTP codes computed from the account's
 * secret (a real authenticator would compute the same), and the first administrator created as the CLI does.
 */
import { generate } from 'otplib';
import type { OfficialRole } from '@tiepdan/core';
import { createAccount } from '../src/index.js';
import type { TestServer } from './helpers.js';

export const ORIGIN = 'https://sadec.dongthap.gov.vn';

/** The secret of an otpauth:// URI. */
export function secretOf(uri: string): string {
  return new URL(uri).searchParams.get('secret')!;
}

/**
 * A code for a time step no earlier than any used before for this secret: the server accepts one step of drift
 * and never the same step twice, so successive sign-ins in one test use the current step, then the next.
 */
const lastStep = new Map<string, number>();
export async function codeFor(secret: string): Promise<string> {
  const now = Math.floor(Date.now() / 30_000);
  const step = Math.max(now, (lastStep.get(secret) ?? now - 1) + 1);
  if (step > now + 1) throw new Error('test used more than two codes of one secret within 30 s');
  lastStep.set(secret, step);
  return generate({ secret, epoch: step * 30 });
}

export class Browser {
  cookie: string | undefined;
  csrf: string | undefined;
  constructor(readonly t: TestServer, readonly origin = ORIGIN) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const response = await fetch(`${this.t.api}${path}`, {
      method,
      headers: {
        origin: this.origin,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = response.headers.get('set-cookie');
    if (set) {
      const [pair] = set.split(';');
      this.cookie = pair!.endsWith('=') ? undefined : pair;
    }
    return response;
  }

  async signIn(username: string, password: string, code?: string): Promise<Response> {
    const response = await this.call('POST', '/auth/sign-in', { username, password, ...(code ? { code } : {}) });
    if (response.ok) this.csrf = ((await response.clone().json()) as { csrfToken: string }).csrfToken;
    return response;
  }

  async token(body: { role?: OfficialRole; unit?: string } = {}): Promise<string> {
    const response = await this.call('POST', '/auth/token', body, this.csrf ? { 'x-csrf-token': this.csrf } : {});
    if (!response.ok) throw new Error(`token: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { token: string }).token;
  }
}

export async function makeAccount(t: TestServer, username: string, roles: { role: OfficialRole; unit: string }[], password = 'mật khẩu đủ dài 2026') {
  const created = await createAccount(t.server.auth!, { username, displayName: username, password, roles }, 'test');
  if (created === 'username_taken') throw new Error('taken');
  return { ...created, password, secret: created.secondFactorSecret };
}
