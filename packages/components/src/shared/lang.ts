/** The language an element speaks: its own `lang`, else the closest ancestor's, else Vietnamese. */
import { toLang, type Lang } from '@tiepdan/core';
import { strings, type UiStrings } from './strings.js';

export function resolveLang(element: Element): Lang {
  return toLang(element.closest('[lang]')?.getAttribute('lang'));
}

/** Fills `{name}` placeholders. */
export function fmt(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/gu, (_, key: string) => String(values[key] ?? ''));
}

export function stringsFor(element: Element): { lang: Lang; s: UiStrings } {
  const lang = resolveLang(element);
  return { lang, s: strings(lang) };
}
