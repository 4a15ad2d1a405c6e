/** What every step module gives the form: its id, the validator paths it owns, its heading, body and summary. */
import type { Lang, MetaResponse, RegistrationRules } from '@tiepdan/core';
import type { TemplateResult } from 'lit';
import type { UiStrings } from '../../shared/strings.js';
import type { FormState } from '../state.js';
import type { StepOutline } from './outline.js';

export interface StepContext {
  s: UiStrings;
  lang: Lang;
  state: FormState;
  meta: MetaResponse;
  /** The element's server and unit, for steps that ask the server themselves (the session step's schedule). */
  server: string;
  unit: string;
  rules: RegistrationRules;
  /** The inline error for a field, if any. */
  error(path: string): string | undefined;
  /** Sets a value in the registration draft and autosaves. */
  set(path: string, value: unknown): void;
  /** Changes anything else in the form state and autosaves. */
  change(mutate: (state: FormState) => void): void;
  /**
   * Attachments: add picked files, remove one; `fileNotice` is the last problem with a picked file. Chosen files
   * are kept byte for byte; only a camera capture (`capture`) may be downscaled.
   */
  addFiles(files: FileList | null, options?: { capture?: boolean }): void;
  removeFile(id: string): void;
  fileNotice: string | undefined;
  busy: boolean;
}

export interface SummaryRow {
  label: string;
  value: string | TemplateResult;
}

export interface Step extends StepOutline {
  title(s: UiStrings): string;
  render(ctx: StepContext): TemplateResult;
  summary?(ctx: StepContext): SummaryRow[];
}

/** Picks the citizen's language from a bilingual label. */
export const t = (message: { vi: string; en: string }, lang: Lang) => (lang === 'en' ? message.en : message.vi);
