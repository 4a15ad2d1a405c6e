/**
 * Creating an account with its roles (and, when a role needs it, its TOTP secret), in one place for the
 * administrators' route, the CLI's `account create` (the first administrator of a deployment) and the demo.
 */
import { randomUUID } from 'node:crypto';
import type { OfficialRole } from '@tiepdan/core';
import type { AccountRow, Assignment } from './account-store.js';
import { hashPassword } from './passwords.js';
import type { AuthService, RequestFacts } from './service.js';
import { newTotpSecret, totpUri } from './totp.js';

export const TOTP_ISSUER = 'tiepdan';

export interface CreatedAccount {
  account: AccountRow;
  assignments: Assignment[];
  /** otpauth:// URI of the authenticator app's secret, shown once; present when a role needs a second factor. */
  secondFactorUri?: string | undefined;
  /** The base32 secret itself (the demo prints it; tests generate codes from it). */
  secondFactorSecret?: string | undefined;
}

export async function createAccount(
  service: AuthService,
  input: { username: string; displayName: string; password: string; roles: { role: OfficialRole; unit: string }[] },
  by: string,
  facts: RequestFacts = {},
): Promise<CreatedAccount | 'username_taken'> {
  const { store } = service;
  const at = new Date().toISOString();
  const id = randomUUID();
  const created = await store.createAccount({ id, username: input.username, displayName: input.displayName, passwordHash: await hashPassword(input.password), createdAt: at, createdBy: by });
  if (created === 'username_taken') return created;
  for (const r of input.roles) await store.grant(id, r.role, r.unit, by, at);
  await service.audit({ event: 'account_created', accountId: id, username: created.username, actor: by, detail: { roles: input.roles } }, facts);
  for (const r of input.roles) await service.audit({ event: 'role_granted', accountId: id, username: created.username, actor: by, detail: r }, facts);
  const assignments = await store.assignments(id);
  if (!service.needsSecondFactor(assignments)) return { account: created, assignments };
  const secret = await setSecondFactor(service, created, at);
  return { account: (await store.getAccount(id))!, assignments, secondFactorUri: totpUri(secret, created.username, TOTP_ISSUER), secondFactorSecret: secret };
}

/** A new TOTP secret for the account (the old one stops working); returns the base32 secret. */
export async function setSecondFactor(service: AuthService, account: AccountRow, at: string): Promise<string> {
  const secret = newTotpSecret();
  await service.store.updateAccount(account.id, { totpSealed: service.sealTotp(account.id, secret), totpLastStep: null, at });
  return secret;
}
