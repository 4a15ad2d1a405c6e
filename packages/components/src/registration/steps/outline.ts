/**
 * The steps' order and the validator paths each one answers for. This small table is all the form needs at first
 * paint (step counter, error routing, resuming a draft); the steps' screens load with the validators, while the
 * citizen reads the privacy notice.
 */
export interface StepOutline {
  id: string;
  /** Validator paths this step answers for: its errors are those whose path starts with one of these. */
  prefixes: readonly string[];
}

export const OUTLINE = [
  { id: 'privacy', prefixes: ['privacy'] },
  { id: 'kind', prefixes: ['kind'] },
  { id: 'identity', prefixes: ['identity'] },
  { id: 'address', prefixes: ['address'] },
  { id: 'contact', prefixes: ['contact'] },
  { id: 'content', prefixes: ['content'] },
  { id: 'group', prefixes: ['group', 'helpers'] },
  { id: 'attachments', prefixes: ['attachments'] },
  { id: 'attendance', prefixes: ['attendance'] },
  { id: 'session', prefixes: ['preferredSessionId'] },
] as const satisfies readonly StepOutline[];

export type StepId = (typeof OUTLINE)[number]['id'];

/** A step's outline entry, for the step module to spread into its definition. */
export function outline(id: StepId): StepOutline {
  return OUTLINE.find((step) => step.id === id)!;
}

/** Index of the step that owns a validator path, or -1. */
export function ownerOf(path: string): number {
  return OUTLINE.findIndex((step) => step.prefixes.some((p) => path === p || path.startsWith(`${p}.`)));
}
