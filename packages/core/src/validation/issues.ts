/**
 * The one mapping from a zod issue to the project's field errors (`fields[]` of the error shape), for the form,
 * every server route and the signalling socket alike, so the same mistake gets the same answer everywhere
 * (issue 14). Schemas name a FIELD_MESSAGES code as their `error`; an issue without one gets a code from its
 * kind. The words shown are always ours (FIELD_MESSAGES, vi and en), never zod's English issue text.
 * Works for zod and zod/mini schemas: both raise the same `core.$ZodIssue`.
 */
import type { core } from 'zod/mini';
import type { FieldError } from '../errors.js';
import { FIELD_MESSAGES, fieldError, type FieldCode } from '../i18n/field-messages.js';

/**
 * Options for every parse whose issues come here: zod 4 leaves the input out of its issues unless asked, and
 * without it a missing value (`required`) cannot be told from a value of the wrong type (`invalid_type`).
 */
export const ISSUE_PARSE_OPTIONS = { reportInput: true } as const;

/** Path of a field error when the whole value (a body, a query, a frame) is what is wrong. */
export const WHOLE_VALUE_PATH = '(body)';

/**
 * Codes that already ask for the missing value better than "please fill this in" would; any other code a schema
 * names describes a wrong value, so a missing one reads as `required`.
 */
const ASKS_FOR_VALUE = new Set<string>(['privacy', 'phone']);

function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  return [prefix, ...path.map(String)].filter(Boolean).join('.');
}

/** The code for an issue whose schema named none: from the kind of check that failed. */
function codeOfKind(issue: core.$ZodIssue): FieldCode {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'required' : 'invalid_type';
    case 'too_big':
      return issue.origin === 'string' || issue.origin === 'array' ? 'too_long' : 'invalid';
    case 'too_small':
      if (issue.input === undefined) return 'required';
      return issue.origin === 'string' || issue.origin === 'array' ? 'too_short' : 'invalid';
    case 'invalid_value':
      return 'choose_one';
    default:
      return 'invalid';
  }
}

/** One zod issue as field errors (an unrecognised-keys issue names each unknown key). */
export function issueToFieldErrors(issue: core.$ZodIssue, prefix = ''): FieldError[] {
  const path = joinPath(prefix, issue.path);
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => fieldError(joinPath(path, [key]), 'unknown_field'));
  const at = path || WHOLE_VALUE_PATH;
  if (issue.message in FIELD_MESSAGES) {
    const missing = issue.code === 'invalid_type' && issue.input === undefined && !ASKS_FOR_VALUE.has(issue.message);
    return [fieldError(at, missing ? 'required' : (issue.message as FieldCode))];
  }
  return [fieldError(at, codeOfKind(issue))];
}

/** Every issue of a failed parse as field errors; `prefix` names where the value sits (e.g. `template`). */
export function issuesToFieldErrors(issues: readonly core.$ZodIssue[], prefix = ''): FieldError[] {
  return issues.flatMap((issue) => issueToFieldErrors(issue, prefix));
}
