/**
 * UI strings per language; every word an element shows comes from here or from @tiepdan/core's labels.
 * Vietnamese comes with the element; English loads on demand (issue 15: most of a ward's citizens read Vietnamese,
 * and the English table is 1.7 kB of the form's first download). `strings.load('en')` starts the download and
 * returns its promise until the table has come; TiepdanElement holds each update until then (element.ts), so an
 * English page never shows Vietnamese first. Until it has come, or if it cannot be downloaded, `strings('en')` is
 * the Vietnamese table.
 */
import type { Lang } from '@tiepdan/core';
import type { WordsTable } from './element.js';
import { vi, type UiStrings } from './strings/vi.js';

export type { UiStrings };

let en: UiStrings | undefined;
let loading: Promise<unknown> | undefined;

function load(lang: Lang): Promise<unknown> | undefined {
  if (lang !== 'en' || en) return undefined;
  // A failed download is forgotten, so the next update tries again.
  loading ??= import('./strings/en.js').then(
    (module) => (en = module.en),
    () => (loading = undefined),
  );
  return loading;
}

export const strings: WordsTable<UiStrings> = Object.assign((lang: Lang): UiStrings => (lang === 'en' && en) || vi, { load });
