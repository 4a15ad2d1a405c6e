/**
 * A denouncer's identity at the desk (SPEC §3): for a `to_cao` case the citizen block and the identity check are
 * sealed at rest (privacy/seal.ts, bound to the case id) and the stored JSON carries a redacted copy. Only roles
 * with `registrations.readDenouncer` get them joined back, in every view and export.
 */
import { can, type ReceptionCase, type TokenClaims } from '@tiepdan/core';
import { REDACTED, REDACTED_NAME } from '../privacy/denouncer.js';
import { open, seal } from '../privacy/seal.js';
import type { CaseRow } from '../store/case-store.js';

interface SealedParts {
  citizen: ReceptionCase['citizen'];
  identity?: ReceptionCase['identity'];
}

export function isConfidentialCase(c: Pick<ReceptionCase, 'kind'>): boolean {
  return c.kind === 'to_cao';
}

export function mayReadDenouncer(official: Pick<TokenClaims, 'role'> | undefined): boolean {
  return Boolean(official && can(official.role, 'registrations.readDenouncer'));
}

function redacted(c: ReceptionCase): ReceptionCase {
  const out: ReceptionCase = { ...c, citizen: { fullName: REDACTED_NAME, address: REDACTED } };
  if (c.identity) {
    const { idNumber: _n, differences: _d, ...rest } = c.identity;
    out.identity = rest;
  }
  return out;
}

/** The full case → what is stored: in clear, or redacted with the sealed parts beside it. */
export function toStored(c: ReceptionCase, key: Buffer, revision: number): CaseRow {
  const { redacted: _flag, ...full } = c;
  if (!isConfidentialCase(full)) return { case: full, revision };
  const parts: SealedParts = { citizen: full.citizen, ...(full.identity ? { identity: full.identity } : {}) };
  return { case: redacted(full), sealed: seal(key, JSON.stringify(parts), full.id), revision };
}

/** What is stored → the full case, for the desk's own decisions (never sent as is to a role without the right). */
export function fromStored(row: CaseRow, key: Buffer): ReceptionCase {
  if (!row.sealed) return row.case;
  const parts = JSON.parse(open(key, row.sealed, row.case.id)) as SealedParts;
  const out: ReceptionCase = { ...row.case, citizen: parts.citizen };
  if (parts.identity) out.identity = parts.identity;
  return out;
}

/** The case as `viewer` may see it. */
export function caseView(row: CaseRow, key: Buffer, viewer: Pick<TokenClaims, 'role'> | undefined): ReceptionCase {
  if (!row.sealed) return row.case;
  if (mayReadDenouncer(viewer)) return fromStored(row, key);
  return { ...row.case, redacted: true };
}
