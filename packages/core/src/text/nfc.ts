/**
 * Vietnamese text is stored NFC-normalised (SPEC §4): an IME or a copy from a PDF may give decomposed (NFD)
 * letters such as "ệ" as e + two combining marks, which would break search, comparison and hashing.
 */
export function nfc<T>(value: T): T {
  if (typeof value === 'string') return nfcString(value) as T;
  if (Array.isArray(value)) return value.map((item) => nfc(item)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) out[nfcString(key)] = nfc(object[key]);
    return out as T;
  }
  return value;
}

/** Any code unit past ASCII; a string without one is already NFC. */
const BEYOND_ASCII = /[^\u0000-\u007f]/u;

/** ASCII text (keys, codes, dates, ids: most of a registration) is NFC as it is; the server walks every submission. */
function nfcString(value: string): string {
  return BEYOND_ASCII.test(value) ? value.normalize('NFC') : value;
}

/** Collapses runs of white space and trims: names typed on a phone often carry double spaces. */
export function tidy(value: string): string {
  return value.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

const collator = /* @__PURE__ */ new Intl.Collator('vi', { sensitivity: 'base' });

/** Vietnamese collation for sorting names and places (SPEC §4). */
export function compareVi(a: string, b: string): number {
  return collator.compare(a, b);
}
