/** UI strings per language; every word an element shows comes from here or from @tiepdan/core's labels. */
import type { Lang } from '@tiepdan/core';
import { en } from './strings/en.js';
import { vi } from './strings/vi.js';

export type UiStrings = { readonly [K in keyof typeof vi]: string };

export function strings(lang: Lang): UiStrings {
  return lang === 'en' ? en : vi;
}
