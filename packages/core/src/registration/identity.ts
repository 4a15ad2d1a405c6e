/**
 * Identity papers (SPEC §4). A CCCD number is `PPP G YY NNNNNN`: birth-registration province (pre-2025 code),
 * a century-and-sex digit, the last two digits of the birth year, then a serial. There is no checksum, so the
 * only checks possible are structure, province, and agreement with the date of birth and sex the citizen gave.
 */
import type { FieldCode } from '../i18n/field-messages.js';
import { CCCD_PROVINCE_CODES } from './provinces.js';

export const ID_TYPES = ['cccd', 'cmnd', 'passport', 'other'] as const;
export type IdType = (typeof ID_TYPES)[number];

export const SEXES = ['male', 'female'] as const;
export type Sex = (typeof SEXES)[number];

/** Strips the spaces, dots and dashes people type inside long numbers. */
export function compactIdNumber(value: string): string {
  return value.replace(/[\s.-]/gu, '').toUpperCase();
}

/** The century-and-sex digit for a birth year and sex: 0/1 for the 1900s, 2/3 for the 2000s, 4/5 for the 2100s. */
export function cccdGenderDigit(birthYear: number, sex: Sex): number | undefined {
  const century = Math.floor(birthYear / 100);
  const base = { 19: 0, 20: 2, 21: 4 }[century];
  return base === undefined ? undefined : base + (sex === 'female' ? 1 : 0);
}

/**
 * Checks a CCCD number. Returns the first failing rule's field code, or undefined when it is valid. Agreement
 * with birth date and sex is checked only when both are given; the schema requires them alongside a CCCD.
 */
export function checkCccd(idNumber: string, dateOfBirth?: string, sex?: Sex): FieldCode | undefined {
  const digits = compactIdNumber(idNumber);
  if (!/^\d{12}$/u.test(digits)) return 'cccd_format';
  if (!(digits.slice(0, 3) in CCCD_PROVINCE_CODES)) return 'cccd_province';
  const birthYear = dateOfBirth ? Number(dateOfBirth.slice(0, 4)) : undefined;
  if (birthYear !== undefined && sex) {
    const expected = cccdGenderDigit(birthYear, sex);
    if (expected === undefined || Number(digits[3]) !== expected || digits.slice(4, 6) !== String(birthYear % 100).padStart(2, '0')) {
      return 'cccd_birth';
    }
  }
  return undefined;
}

/** Checks an ID number by its declared type. */
export function checkIdNumber(type: IdType, idNumber: string, dateOfBirth?: string, sex?: Sex): FieldCode | undefined {
  const compact = compactIdNumber(idNumber);
  switch (type) {
    case 'cccd':
      return checkCccd(compact, dateOfBirth, sex);
    case 'cmnd':
      // Legacy 9-digit cards; some provinces issued 12-digit CMND before CCCD existed.
      return /^(\d{9}|\d{12})$/u.test(compact) ? undefined : 'cmnd_format';
    case 'passport':
      return /^[A-Z]\d{7,8}$/u.test(compact) ? undefined : 'passport_format';
    case 'other':
      return compact.length >= 3 && compact.length <= 40 ? undefined : 'invalid';
  }
}
