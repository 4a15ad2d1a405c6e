/** The language an element speaks: its own `lang`, else the closest ancestor's, else Vietnamese. */
import { toLang, type Lang } from '@tiepdan/core';

export function resolveLang(element: Element): Lang {
  return toLang(element.closest('[lang]')?.getAttribute('lang'));
}

/** Fills `{name}` placeholders. */
export function fmt(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/gu, (_, key: string) => String(values[key] ?? ''));
}

/** A words table's lookup: English for "en", Vietnamese (the default) for anything else. */
export function byLang<S>(table: { vi: S; en: S }): (lang: Lang) => S {
  return (lang) => (lang === 'en' ? table.en : table.vi);
}
