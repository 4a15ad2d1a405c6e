/**
 * Media credentials handed out by the room: TURN (coturn's shared-secret scheme, RFC 7635-style "REST API"
 * credentials: username = "<expiry>:<userId>", credential = base64(HMAC-SHA1(secret, username))) and a Jitsi
 * JWT for the prosody token plugin (HS256 with the app's shared secret), only for admitted participants.
 */
import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import { hmacKey } from '../auth/hmac-key.js';
import type { JitsiAccess, TurnCredentials } from '@tiepdan/core';

export interface TurnSettings {
  urls: string[];
  secret: string;
  ttl: number;
  relayOnly?: boolean | undefined;
}

export interface JitsiSettings {
  domain: string;
  appId: string;
  secret: string;
}

export function turnCredentials(settings: TurnSettings, userId: string, now = Date.now()): TurnCredentials {
  const expiry = Math.floor(now / 1000) + settings.ttl;
  const username = `${expiry}:${userId}`;
  const credential = createHmac('sha1', settings.secret).update(username).digest('base64');
  return { urls: settings.urls, username, credential, ttl: settings.ttl, ...(settings.relayOnly ? { relayOnly: true } : {}) };
}

/** One Jitsi room per reception session; Jitsi room names are lower-case and safe in a URL path. */
export function jitsiRoomName(sessionId: string): string {
  return `tiepdan-${sessionId.toLowerCase().replace(/[^a-z0-9-]/gu, '-')}`;
}

export async function jitsiAccess(
  settings: JitsiSettings,
  sessionId: string,
  user: { id: string; name: string; moderator: boolean },
  ttlSeconds = 4 * 3600,
): Promise<JitsiAccess> {
  const room = jitsiRoomName(sessionId);
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({ room, context: { user: { id: user.id, name: user.name, moderator: user.moderator } } })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(settings.appId)
    .setAudience('jitsi')
    .setSubject(settings.domain)
    .setIssuedAt(now)
    .setNotBefore(now - 10)
    .setExpirationTime(now + ttlSeconds)
    .sign(await hmacKey(settings.secret));
  return { domain: settings.domain, room, jwt };
}
