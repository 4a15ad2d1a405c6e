/**
 * The denouncer's identity is confidential (Law on Denunciation; SPEC §3): for a `to_cao` registration the
 * identity, address, contact and the group's representatives (who are denouncers too) are split off, sealed,
 * and replaced in the stored JSON by a redacted copy. Officials who may read the denouncer get them joined back.
 */
import type { Registration } from '@tiepdan/core';

export const REDACTED_NAME = 'Người tố cáo (bảo mật)';
export const REDACTED = '(bảo mật)';

/** What is sealed for a denunciation. */
export interface DenouncerData {
  identity: Registration['identity'];
  address: Registration['address'];
  contact: Registration['contact'];
  representatives?: NonNullable<Registration['group']>['representatives'];
}

export function isConfidential(registration: Pick<Registration, 'kind'>): boolean {
  return registration.kind === 'to_cao';
}

/** Splits a denunciation into the copy that may be stored in clear and the part that must be sealed. */
export function splitDenouncer(registration: Registration): { redacted: Registration; secret: DenouncerData } {
  const secret: DenouncerData = { identity: registration.identity, address: registration.address, contact: registration.contact };
  if (registration.group?.representatives) secret.representatives = registration.group.representatives;
  return { redacted: redact(registration), secret };
}

/** The copy a role without `registrations.readDenouncer` sees, and the one stored in clear. */
export function redact(registration: Registration): Registration {
  const out: Registration = {
    ...registration,
    identity: { fullName: REDACTED_NAME },
    address: {},
    contact: { phone: REDACTED },
  };
  if (registration.group) {
    out.group = { ...registration.group };
    if (registration.group.representatives) out.group.representatives = registration.group.representatives.map(() => ({ fullName: REDACTED }));
  }
  return out;
}

export function joinDenouncer(redacted: Registration, secret: DenouncerData): Registration {
  const out: Registration = { ...redacted, identity: secret.identity, address: secret.address, contact: secret.contact };
  if (secret.representatives && out.group) out.group = { ...out.group, representatives: secret.representatives };
  return out;
}
