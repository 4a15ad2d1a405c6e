/**
 * Who may see recordings, and the access log. Every read (list, status, manifest, play, download, copies) and
 * every refusal (a citizen or observer trying to stop, list or download) is written to `recording_access`:
 * who, what, when, from where, allowed or refused. The log is append-only (triggers refuse UPDATE and DELETE).
 * Citizens are recognised by their join token, so a refusal names the registration that tried.
 */
import type { FastifyRequest } from 'fastify';
import { can, type Permission, type TokenClaims } from '@tiepdan/core';
import type { OfficialVerifier } from '../../auth/tokens.js';
import { ApiError } from '../../http/api-error.js';
import type { JoinTokenVerifier } from '../../rooms/join-tokens.js';
import type { AccessLog, RecordingRow } from '../repo.js';

export type Caller =
  | { kind: 'official'; claims: TokenClaims }
  | { kind: 'citizen'; reference: string; sessionId: string }
  | { kind: 'anonymous' };

const BEARER = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/iu;

export class AccessControl {
  constructor(
    private readonly accessLog: AccessLog,
    private readonly verifyOfficial: OfficialVerifier,
    private readonly joinTokens: JoinTokenVerifier,
  ) {}

  async identify(request: FastifyRequest): Promise<Caller> {
    const header = request.headers.authorization;
    const token = typeof header === 'string' ? BEARER.exec(header.trim())?.[1] : undefined;
    if (!token) return { kind: 'anonymous' };
    const claims = await this.verifyOfficial(token);
    if (claims) return { kind: 'official', claims };
    const citizen = await this.joinTokens.verify(token);
    if (citizen) return { kind: 'citizen', reference: citizen.reference, sessionId: citizen.sessionId };
    return { kind: 'anonymous' };
  }

  /**
   * The official behind the request when their role has `permission` (and their unit covers the recording);
   * otherwise the refusal is logged and thrown (401 without a valid token, 403 for anyone else).
   */
  async require(request: FastifyRequest, permission: Permission, action: string, rec?: RecordingRow, options: { logAllowed?: boolean; detail?: Record<string, unknown> } = {}): Promise<TokenClaims> {
    const caller = await this.identify(request);
    const refuse = async (status: 401 | 403, reason: string): Promise<never> => {
      await this.log(request, caller, action, rec?.id ?? null, 'refused', status, { reason, ...options.detail });
      throw status === 401
        ? new ApiError(401, 'unauthenticated', undefined, undefined, { 'WWW-Authenticate': 'Bearer realm="tiepdan"' })
        : new ApiError(403, 'forbidden');
    };
    if (caller.kind === 'anonymous') return await refuse(401, 'no valid token');
    if (caller.kind === 'citizen') return await refuse(403, 'citizens have no access to recordings');
    if (!can(caller.claims.role, permission)) return await refuse(403, `role ${caller.claims.role} lacks ${permission}`);
    if (rec && caller.claims.unit !== '*' && caller.claims.unit !== rec.unit) return await refuse(403, 'another unit');
    request.official = caller.claims;
    if (options.logAllowed !== false) await this.log(request, caller, action, rec?.id ?? null, 'allowed', 200, options.detail);
    return caller.claims;
  }

  /** Resolves once the entry is stored: an access is answered only after it is written down. */
  log(request: FastifyRequest, caller: Caller, action: string, recordingId: string | null, outcome: 'allowed' | 'refused', status: number, detail?: Record<string, unknown>): Promise<void> {
    const [actor, role] =
      caller.kind === 'official' ? [`official:${caller.claims.sub}`, caller.claims.role] : caller.kind === 'citizen' ? [`citizen:${caller.reference}`, 'citizen'] : ['anonymous', 'anonymous'];
    const agent = request.headers['user-agent'];
    return this.accessLog.append({
      at: new Date().toISOString(),
      recording_id: recordingId,
      actor,
      role,
      action,
      outcome,
      status,
      ip: request.ip ?? null,
      user_agent: typeof agent === 'string' ? agent.slice(0, 300) : null,
      detail: detail && Object.keys(detail).length ? JSON.stringify(detail) : null,
    });
  }
}
