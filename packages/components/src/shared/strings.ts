/** UI strings per language; every word an element shows comes from here or from @tiepdan/core's labels. */
import { en } from './strings/en.js';
import { vi, type UiStrings } from './strings/vi.js';
import { byLang } from './lang.js';

export type { UiStrings };

export const strings = byLang<UiStrings>({ vi, en });
