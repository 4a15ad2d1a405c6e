/**
 * The denouncer's identity is confidential (Law on Denunciation; SPEC §3): for a `to_cao` registration the
 * identity, address, contact, the group's representatives (who are denouncers too), the helpers (a lawyer or an
 * authorised person, whose name and papers lead straight to the client) and the attachments' file names (a scan
 * is often called "CCCD Tran Van Binh.jpg") are split off, sealed, and replaced in the stored JSON by a redacted
 * copy. Officials who may read the denouncer get them joined back.
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
  helpers?: Registration['helpers'];
  /** Attachment id → the file name the citizen gave. */
  attachmentNames?: Record<string, string>;
}

export function isConfidential(registration: Pick<Registration, 'kind'>): boolean {
  return registration.kind === 'to_cao';
}

/** Splits a denunciation into the copy that may be stored in clear and the part that must be sealed. */
export function splitDenouncer(registration: Registration): { redacted: Registration; secret: DenouncerData } {
  const secret: DenouncerData = { identity: registration.identity, address: registration.address, contact: registration.contact };
  if (registration.group?.representatives) secret.representatives = registration.group.representatives;
  if (registration.helpers?.length) secret.helpers = registration.helpers;
  if (registration.attachments?.length) secret.attachmentNames = Object.fromEntries(registration.attachments.map((a) => [a.id, a.name]));
  return { redacted: redact(registration), secret };
}

/** The name a denouncer's attachment is stored and shown under: its place in the list and its type, nothing more. */
export function redactedAttachmentName(position: number, type: string): string {
  const ext = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'application/pdf': 'pdf' }[type] ?? 'bin';
  return `Tệp đính kèm ${position + 1}.${ext}`;
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
  // The role (lawyer, interpreter) says how the case is run, not who is behind it; the attachment link stays
  // so the file it points to can still be found by those who may open it.
  if (registration.helpers) {
    out.helpers = registration.helpers.map((helper) => ({
      role: helper.role,
      fullName: REDACTED,
      document: { kind: REDACTED, ...(helper.document.attachmentId ? { attachmentId: helper.document.attachmentId } : {}) },
    }));
  }
  if (registration.attachments) out.attachments = registration.attachments.map((a, i) => ({ ...a, name: redactedAttachmentName(i, a.type) }));
  return out;
}

export function joinDenouncer(redacted: Registration, secret: DenouncerData): Registration {
  const out: Registration = { ...redacted, identity: secret.identity, address: secret.address, contact: secret.contact };
  if (secret.representatives && out.group) out.group = { ...out.group, representatives: secret.representatives };
  if (secret.helpers) out.helpers = secret.helpers;
  if (secret.attachmentNames && out.attachments) out.attachments = out.attachments.map((a) => ({ ...a, name: secret.attachmentNames![a.id] ?? a.name }));
  return out;
}

/** A stored attachment list with the citizen's own file names, for those who may read the denouncer. */
export function withAttachmentNames<T extends { id: string; name: string }>(attachments: T[], secret: DenouncerData): T[] {
  const names = secret.attachmentNames;
  return names ? attachments.map((a) => ({ ...a, name: names[a.id] ?? a.name })) : attachments;
}
