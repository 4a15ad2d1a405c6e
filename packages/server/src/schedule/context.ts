/**
 * What every schedule route needs, and the small helpers they share: the caller's optional token on public
 * routes, loading a session within the official's unit, and the frequency warnings after a change.
 */
import type { FastifyRequest } from 'fastify';
import { can, utcToHanoiDate, type FrequencyRule, type FrequencyWarning, type LocalDate, type OfficialSession, type ReceptionLevel, type TokenClaims } from '@tiepdan/core';
import { assertUnit, officialOf, type RequirePermission } from '../auth/guard.js';
import type { OfficialVerifier } from '../auth/tokens.js';
import type { Config } from '../config/schema.js';
import { ApiError } from '../http/api-error.js';
import type { DataKeys } from '../privacy/keys.js';
import type { Store } from '../store/store.js';
import type { NoticeDispatcher, ResolveContact } from './notices/dispatcher.js';
import type { GuessBudget } from '../registrations/guesses.js';
import { countedDates, utcBounds, warningRange, warningsFor } from './planning.js';

export interface ScheduleContext {
  config: Config;
  store: Store;
  keys: DataKeys;
  requirePermission: RequirePermission;
  verifyOfficial: OfficialVerifier;
  dispatcher: NoticeDispatcher;
  /** The citizen's contact and consent (opened from the sealed data for a denunciation). */
  resolveContact: ResolveContact;
  /** The reference + phone guess budget shared with /lookup. */
  guesses: GuessBudget;
}

/** On a public route: the official behind a bearer token if one is sent (401 if it is not valid), else undefined. */
export async function optionalOfficial(ctx: ScheduleContext, request: FastifyRequest): Promise<TokenClaims | undefined> {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/iu.exec(header.trim());
  const claims = match ? await ctx.verifyOfficial(match[1]!) : undefined;
  if (!claims) throw new ApiError(401, 'unauthenticated', undefined, undefined, { 'WWW-Authenticate': 'Bearer realm="tiepdan"' });
  return claims;
}

export function mayReadDrafts(official: TokenClaims | undefined, unit: string): boolean {
  return Boolean(official && can(official.role, 'schedule.read') && (official.unit === '*' || official.unit === unit));
}

export async function scopedSession(ctx: ScheduleContext, request: FastifyRequest<{ Params: { id: string } }>): Promise<{ official: TokenClaims; session: OfficialSession }> {
  const official = officialOf(request);
  const session = await ctx.store.schedule.getSession(request.params.id);
  if (!session) throw new ApiError(404, 'not_found');
  assertUnit(official, session.unit);
  return { official, session };
}

export function unitConfig(ctx: Pick<ScheduleContext, 'config'>, code: string) {
  return ctx.config.units.find((u) => u.code === code);
}

/** Warnings for the periods around `dates`, counting the unit's published chair sessions as they are now. */
export async function warningsAround(ctx: ScheduleContext, unit: string, level: ReceptionLevel, dates: LocalDate[], extra: LocalDate[] = []): Promise<FrequencyWarning[]> {
  if (!dates.length) return [];
  const sorted = [...dates].sort();
  const range = warningRange(sorted[0]!, sorted[sorted.length - 1]!);
  const { fromUtc, toUtc } = utcBounds(range.from, range.to);
  const sessions = await ctx.store.schedule.listSessions(unit, fromUtc, toUtc, false);
  return warningsFor(level, [...countedDates(sessions, level), ...extra], sorted[0]!, sorted[sorted.length - 1]!, ctx.config.schedule.frequencyRules as FrequencyRule[]);
}

export function hanoiDates(...instants: (string | undefined)[]): LocalDate[] {
  return [...new Set(instants.filter((i): i is string => Boolean(i)).map((i) => utcToHanoiDate(i)))];
}
