/**
 * The session cookie. httpOnly (no script reads it), SameSite=Strict (no other site's page makes the browser send
 * it), Path limited to the sign-in routes (every other route authenticates with a Bearer access token only, so
 * no other route can be forged with it), and Secure except on the plain-http loopback of the demo and tests,
 * where a browser would drop a Secure cookie. Parsing one cookie by name needs no library (the `cookie` package's
 * current major requires Node 22).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'tiepdan_session';
export const COOKIE_PATH = '/api/v1/auth';

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,200}$/u.test(value) ? value : undefined;
    }
  }
  return undefined;
}

function secure(request: FastifyRequest, production: boolean): boolean {
  if (production || request.protocol === 'https') return true;
  return !/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/u.test(request.host);
}

export interface CookieOptions {
  production: boolean;
  sameSite?: 'Strict' | 'Lax';
  path?: string;
}

export function setCookie(request: FastifyRequest, reply: FastifyReply, name: string, value: string, maxAgeSeconds: number, options: CookieOptions): void {
  const attributes = [`${name}=${value}`, `Path=${options.path ?? COOKIE_PATH}`, `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`, 'HttpOnly', `SameSite=${options.sameSite ?? 'Strict'}`];
  if (secure(request, options.production)) attributes.push('Secure');
  reply.header('Set-Cookie', attributes.join('; '));
}

export function clearCookie(request: FastifyRequest, reply: FastifyReply, name: string, options: CookieOptions): void {
  setCookie(request, reply, name, '', 0, options);
}
