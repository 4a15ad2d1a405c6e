/**
 * The administrators' routes: accounts of a unit, their roles, password and second-factor resets, disabling,
 * and the sign-in audit log. An administrator (role `admin`) acts only within the unit of their token: they
 * assign roles in that unit, and manage an account only when every role it holds is in that unit (so one ward's
 * administrator cannot reset the password of another ward's chair). `admin` opens no case: it is not in any
 * case permission (core/src/auth/roles.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod';
import type { TokenClaims } from '@tiepdan/core';
import type { Config } from '../config/schema.js';
import { ApiError } from '../http/api-error.js';
import { AUDIT_EVENTS, type AccountRow, type Assignment } from './account-store.js';
import { officialOf, type RequirePermission } from './guard.js';
import { createAccount, setSecondFactor, TOTP_ISSUER } from './bootstrap.js';
import { hashPassword } from './passwords.js';
import { factsOf, type AuthService } from './service.js';
import { totpUri } from './totp.js';
import { AccountPatchBody, NewAccountBody, parseBody, PasswordBody, RoleAssignment } from './validation.js';

export interface AccountsOptions {
  config: Config;
  service: AuthService;
  requirePermission: RequirePermission;
}

/**
 * What the accounts routes answer, as their response schemas: replies are serialized by these, so a field added to
 * accountView and not here is dropped from the answer (and shows in the OpenAPI document only once it is here).
 */
const AccountViewSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  assignments: z.array(z.object({ role: z.string(), unit: z.string(), grantedAt: z.string(), grantedBy: z.string() })),
  secondFactor: z.boolean(),
  singleSignOn: z.boolean(),
  disabled: z.boolean(),
  locked: z.boolean(),
  createdAt: z.string(),
});
/** GET /accounts/audit: the sign-in audit log, newest first; `id` pages it (pass the last as `before`). */
const AuditPageSchema = z.object({
  entries: z.array(
    z.object({
      id: z.number(),
      at: z.string(),
      event: z.enum(AUDIT_EVENTS),
      accountId: z.string().optional(),
      username: z.string().optional(),
      actor: z.string(),
      ip: z.string().optional(),
      userAgent: z.string().optional(),
      detail: z.record(z.string(), z.unknown()),
    }),
  ),
});
/** An account and, when a role needs a second factor it lacks, the authenticator secret shown this once. */
const AccountWithSecretSchema = z.object({ account: AccountViewSchema, secondFactorUri: z.string().optional() });

function accountView(account: AccountRow, assignments: Assignment[]) {
  return {
    id: account.id,
    username: account.username,
    displayName: account.displayName,
    assignments: assignments.map(({ role, unit, grantedAt, grantedBy }) => ({ role, unit, grantedAt, grantedBy })),
    secondFactor: Boolean(account.totpSealed),
    singleSignOn: Boolean(account.oidcSubject),
    disabled: Boolean(account.disabledAt),
    locked: account.lockedUntil !== undefined && account.lockedUntil > Date.now(),
    createdAt: account.createdAt,
  };
}

export async function accountsRoutes(app: FastifyInstance, opts: AccountsOptions): Promise<void> {
  const { config, service } = opts;
  const { store } = service;
  const manage = { preHandler: opts.requirePermission('accounts.manage') };
  const knownUnit = (unit: string) => unit === '*' || config.units.some((u) => u.code === unit);
  const mayAssign = (admin: TokenClaims, unit: string) => admin.unit === '*' || (admin.unit === unit && unit !== '*');
  const actor = (admin: TokenClaims) => `official:${admin.sub}`;

  /** The account, when the administrator may manage it; 404 for one outside their unit (no probing of names). */
  const managed = async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const admin = officialOf(request);
    const account = await store.getAccount(request.params.id);
    if (!account) throw new ApiError(404, 'not_found');
    const assignments = await store.assignments(account.id);
    if (admin.unit !== '*' && (assignments.length === 0 || assignments.some((a) => a.unit !== admin.unit))) throw new ApiError(404, 'not_found');
    return { admin, account, assignments };
  };
  const withNewSecret = async (account: AccountRow, at: string) => totpUri(await setSecondFactor(service, account, at), account.username, TOTP_ISSUER);
  const noStore = { 'Cache-Control': 'no-store' };
  // Bodies are checked in the handler (checkedByHandler, http/openapi.ts): the guard and "is this account yours
  // to manage" (404) answer first.
  const secured = { tags: ['accounts'], security: [{ bearer: [] }] };
  const idParams = z.strictObject({ id: z.string() });

  app.get('/accounts', { ...manage, schema: { ...secured, summary: "The accounts the administrator manages, with their roles", response: { 200: z.object({ accounts: z.array(AccountViewSchema) }) } }, handler: async (request, reply) => {
    const admin = officialOf(request);
    const accounts = await store.listAccounts(admin.unit === '*' ? undefined : admin.unit);
    const views = [];
    for (const account of accounts) {
      const assignments = await store.assignments(account.id);
      if (admin.unit !== '*' && assignments.some((a) => a.unit !== admin.unit)) continue;
      views.push(accountView(account, assignments));
    }
    return reply.headers(noStore).send({ accounts: views });
  } });

  app.post('/accounts', { ...manage, schema: { ...secured, summary: 'A new account with its roles; the authenticator secret is shown once when a role needs it', checkedByHandler: { body: NewAccountBody }, response: { 201: AccountWithSecretSchema } }, handler: async (request, reply) => {
    const admin = officialOf(request);
    const body = parseBody(NewAccountBody, request.body);
    body.roles.forEach((r, i) => {
      if (!knownUnit(r.unit) || !mayAssign(admin, r.unit)) throw new ApiError(422, 'validation_failed', [{ path: `roles.${i}.unit`, code: 'invalid', message: { vi: 'Đơn vị không thuộc quyền quản trị của bạn.', en: 'This unit is not one you administer.' } }]);
    });
    const created = await createAccount(service, body, actor(admin), factsOf(request));
    if (created === 'username_taken') throw new ApiError(409, 'username_taken', [{ path: 'username', code: 'invalid', message: { vi: 'Tên đăng nhập này đã có người dùng.', en: 'This user name is already taken.' } }]);
    // The authenticator app's secret is shown once, to the administrator who hands it over (a QR code).
    const { account, assignments, secondFactorUri } = created;
    return reply.code(201).headers(noStore).send({ account: accountView(account, assignments), ...(secondFactorUri ? { secondFactorUri } : {}) });
  } });

  app.patch<{ Params: { id: string } }>('/accounts/:id', { ...manage, schema: { ...secured, summary: "Changes an account's display name, or disables or enables it", params: idParams, checkedByHandler: { body: AccountPatchBody }, response: { 200: AccountViewSchema } }, handler: async (request, reply) => {
    const { admin, account } = await managed(request);
    const body = parseBody(AccountPatchBody, request.body);
    const at = new Date().toISOString();
    if (body.displayName !== undefined) await store.updateAccount(account.id, { displayName: body.displayName, at });
    if (body.disabled !== undefined && body.disabled !== Boolean(account.disabledAt)) {
      await store.updateAccount(account.id, { disabledAt: body.disabled ? at : null, at });
      if (body.disabled) await store.endSessionsOf(account.id, Date.now(), 'account disabled');
      await service.audit({ event: body.disabled ? 'account_disabled' : 'account_enabled', accountId: account.id, username: account.username, actor: actor(admin) }, factsOf(request));
    }
    return reply.headers(noStore).send(accountView((await store.getAccount(account.id))!, await store.assignments(account.id)));
  } });

  app.post<{ Params: { id: string } }>('/accounts/:id/password', { ...manage, schema: { ...secured, summary: "Sets a new password and ends the account's sessions", params: idParams, checkedByHandler: { body: PasswordBody }, response: { 204: z.null().describe('The password is set; no body.') } }, handler: async (request, reply) => {
    const { admin, account } = await managed(request);
    const body = parseBody(PasswordBody, request.body);
    const at = new Date().toISOString();
    await store.updateAccount(account.id, { passwordHash: await hashPassword(body.password), at });
    await store.clearFailures(account.id, at);
    const ended = await store.endSessionsOf(account.id, Date.now(), 'password reset');
    await service.audit({ event: 'password_reset', accountId: account.id, username: account.username, actor: actor(admin), detail: { sessionsEnded: ended } }, factsOf(request));
    return reply.code(204).send();
  } });

  app.post<{ Params: { id: string } }>('/accounts/:id/second-factor', { ...manage, schema: { ...secured, summary: 'A new authenticator secret (shown once); ends the account\'s sessions', params: idParams, response: { 200: z.object({ secondFactorUri: z.string() }) } }, handler: async (request, reply) => {
    const { admin, account } = await managed(request);
    const at = new Date().toISOString();
    const secondFactorUri = await withNewSecret(account, at);
    const ended = await store.endSessionsOf(account.id, Date.now(), 'second factor reset');
    await service.audit({ event: 'second_factor_reset', accountId: account.id, username: account.username, actor: actor(admin), detail: { sessionsEnded: ended } }, factsOf(request));
    return reply.headers(noStore).send({ secondFactorUri });
  } });

  app.post<{ Params: { id: string } }>('/accounts/:id/roles', { ...manage, schema: { ...secured, summary: 'Grants a role in a unit the administrator manages', params: idParams, checkedByHandler: { body: RoleAssignment }, response: { 200: AccountWithSecretSchema } }, handler: async (request, reply) => {
    const { admin, account } = await managed(request);
    const role = parseBody(RoleAssignment, request.body);
    if (!knownUnit(role.unit) || !mayAssign(admin, role.unit)) throw new ApiError(403, 'forbidden');
    const at = new Date().toISOString();
    if (await store.grant(account.id, role.role, role.unit, actor(admin), at)) {
      await service.audit({ event: 'role_granted', accountId: account.id, username: account.username, actor: actor(admin), detail: role }, factsOf(request));
    }
    const assignments = await store.assignments(account.id);
    const secondFactorUri = service.needsSecondFactor(assignments) && !account.totpSealed && !account.oidcSubject ? await withNewSecret(account, at) : undefined;
    return reply.headers(noStore).send({ account: accountView((await store.getAccount(account.id))!, assignments), ...(secondFactorUri ? { secondFactorUri } : {}) });
  } });

  app.delete<{ Params: { id: string; role: string; unit: string } }>('/accounts/:id/roles/:role/:unit', { ...manage, schema: { ...secured, summary: 'Removes one role of an account', params: z.strictObject({ id: z.string(), role: z.string(), unit: z.string() }), response: { 200: AccountViewSchema } }, handler: async (request, reply) => {
    const { admin, account } = await managed(request);
    const role = parseBody(RoleAssignment, { role: request.params.role, unit: request.params.unit });
    if (!mayAssign(admin, role.unit)) throw new ApiError(403, 'forbidden');
    if (!(await store.revoke(account.id, role.role, role.unit))) throw new ApiError(404, 'not_found');
    await service.audit({ event: 'role_removed', accountId: account.id, username: account.username, actor: actor(admin), detail: role }, factsOf(request));
    return reply.headers(noStore).send(accountView(account, await store.assignments(account.id)));
  } });

  app.get<{ Querystring: { before?: string; limit?: string } }>('/accounts/audit', {
    ...manage,
    // Read leniently by the handler: a limit out of 1..500 or not a number falls back, as before.
    schema: { ...secured, summary: 'The sign-in audit log of the accounts the administrator manages, newest first', checkedByHandler: { querystring: z.object({ before: z.string().optional(), limit: z.string().optional() }) }, response: { 200: AuditPageSchema } },
    handler: async (request, reply) => {
    const admin = officialOf(request);
    const limit = Math.min(500, Math.max(1, Number(request.query.limit ?? 100) || 100));
    const before = request.query.before ? Number(request.query.before) || undefined : undefined;
    let accountIds: string[] | undefined;
    if (admin.unit !== '*') accountIds = (await store.listAccounts(admin.unit)).map((a) => a.id);
    return reply.headers(noStore).send({ entries: await store.listAudit({ accountIds, limit, before }) });
  } });
}
