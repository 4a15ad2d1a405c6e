/**
 * Bilingual text. Every message the product shows or returns exists in Vietnamese (the default) and English,
 * so a server error can be shown as-is by any client in either language.
 */
export interface Message {
  vi: string;
  en: string;
}

export type Lang = 'vi' | 'en';

/** Picks the caller's language, falling back to Vietnamese (the product's first language). */
export function say(message: Message, lang: Lang | string | undefined): string {
  return lang === 'en' ? message.en : message.vi;
}

/** Normalises a `lang` attribute or header value ("en-US", "vi") to one of the two supported languages. */
export function toLang(value: string | null | undefined): Lang {
  return value?.toLowerCase().startsWith('en') ? 'en' : 'vi';
}
