/**
 * Vietnamese mobile numbers (SPEC §4): 10 digits `0[35789]xxxxxxxx`, or the same with +84 instead of 0.
 * Stored as E.164 (+84…). The prefix no longer tells the operator (number portability), so we do not guess it.
 */
const PHONE = /^(?:0|\+84|84)([35789]\d{8})$/u;

/** Removes spaces, dots, dashes and brackets that people type into phone numbers. */
function compactPhone(value: string): string {
  return value.replace(/[\s().-]/gu, '');
}

export function isVietnamesePhone(value: string): boolean {
  return PHONE.test(compactPhone(value));
}

/** "0912 345 678" → "+84912345678"; undefined when it is not a Vietnamese mobile number. */
export function toE164(value: string): string | undefined {
  const match = PHONE.exec(compactPhone(value));
  return match ? `+84${match[1]}` : undefined;
}

/** "+84912345678" → "0912 345 678", the way Vietnamese people read numbers. */
export function formatPhoneVi(e164: string): string {
  const match = /^\+84(\d{3})(\d{3})(\d{3})$/u.exec(e164);
  return match ? `0${match[1]} ${match[2]} ${match[3]}` : e164;
}
