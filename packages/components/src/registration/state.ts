/**
 * What the form keeps while the citizen fills it in: the registration draft plus the few raw inputs that are
 * not yet schema values (the date of birth as typed, the group size as typed). This object is the draft saved
 * on the device; `toPayload` turns it into what the validator and the server read.
 */
import { viDateToIso, type RegistrationDraft } from '@tiepdan/core';

export interface FormState {
  reg: RegistrationDraft;
  /** dd/mm/yyyy as typed. */
  dob: string;
  /** As typed; empty means one person. */
  groupSize: string;
  /** How the chosen session (`reg.preferredSessionId`) reads on the check page; not sent. */
  sessionLabel?: string;
  /** Ids of attachments the form downscaled (camera captures), so the step can say so; not sent. */
  downscaled?: string[];
}

export function emptyState(provinceCode?: string): FormState {
  return { reg: { address: provinceCode ? { provinceCode } : {} }, dob: '', groupSize: '' };
}

type Bag = Record<string, unknown>;

/** Sets a dotted path, creating objects and arrays on the way; `undefined` deletes the key. */
export function setPath(root: Bag, path: string, value: unknown): void {
  const keys = path.split('.');
  let node: Bag = root;
  keys.slice(0, -1).forEach((key, i) => {
    if (node[key] == null || typeof node[key] !== 'object') node[key] = /^\d+$/u.test(keys[i + 1]!) ? [] : {};
    node = node[key] as Bag;
  });
  const last = keys[keys.length - 1]!;
  if (value === undefined && !Array.isArray(node)) delete node[last];
  else node[last] = value;
}

/** Drops empty strings (an untouched optional field is absent, not blank). */
function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune);
  if (value && typeof value === 'object') {
    const out: Bag = {};
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === 'string' && item.trim() === '') continue;
      out[key] = prune(item);
    }
    return out;
  }
  return value;
}

/** The registration as the validator and the server see it. */
export function toPayload(state: FormState, unit: string): RegistrationDraft {
  const reg = prune(structuredClone(state.reg)) as RegistrationDraft & Bag;
  for (const key of ['identity', 'address', 'contact', 'content', 'attendance', 'privacy']) reg[key] ??= {};
  const dob = state.dob.trim();
  if (dob) reg.identity!.dateOfBirth = viDateToIso(dob) ?? dob;
  else delete reg.identity!.dateOfBirth;
  const size = state.groupSize.trim();
  const reps = reg.group?.representatives ?? [];
  if ((size === '' || size === '1') && reps.length === 0) delete reg.group;
  else reg.group = { size: /^\d+$/u.test(size) ? Number(size) : size === '' ? 1 : Number.NaN, ...(reps.length ? { representatives: reps } : {}) };
  if (reg.helpers?.length === 0) delete reg.helpers;
  if (reg.content?.previousHandling?.length === 0) delete reg.content.previousHandling;
  if (reg.attachments?.length === 0) delete reg.attachments;
  if (reg.kind !== 'to_cao' && reg.content) {
    // Only a denunciation names a violation and an accused; answers left from a changed kind are not sent.
    delete reg.content.violation;
    delete reg.content.accused;
  }
  if (reg.attendance?.mode !== 'connection_point') delete reg.attendance?.connectionPoint;
  reg.unit = unit;
  return reg;
}
