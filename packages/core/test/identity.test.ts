import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CCCD_PROVINCE_CODES, cccdGenderDigit, checkCccd, checkIdNumber } from '../src/index.js';

test('a CCCD agreeing with its province, century/sex digit and birth year passes', () => {
  assert.equal(checkCccd('087085123456', '1985-03-02', 'male'), undefined);
  assert.equal(checkCccd('001301000123', '2001-12-31', 'female'), undefined);
  assert.equal(checkCccd('087 085 123 456', '1985-03-02', 'male'), undefined, 'spaces typed by people are ignored');
});

test('CCCD structure: exactly 12 digits', () => {
  for (const bad of ['08708512345', '0870851234567', '08708512345X', '']) assert.equal(checkCccd(bad), 'cccd_format', bad);
});

test('CCCD province must be one of the 63 pre-2025 codes', () => {
  assert.equal(Object.keys(CCCD_PROVINCE_CODES).length, 63);
  for (const bad of ['000', '003', '099', '100', '999']) assert.equal(checkCccd(`${bad}085123456`), 'cccd_province', bad);
});

test('CCCD century/sex digit and year must agree with the date of birth and sex', () => {
  assert.equal(checkCccd('087085123456', '1985-03-02', 'female'), 'cccd_birth', 'male digit, female given');
  assert.equal(checkCccd('087086123456', '1985-03-02', 'male'), 'cccd_birth', 'year 86 vs 1985');
  assert.equal(checkCccd('087285123456', '1985-03-02', 'male'), 'cccd_birth', '2000s digit for a 1900s birth');
});

test('property: every valid combination builds a CCCD that checks, and any other G digit fails', () => {
  const codes = Object.keys(CCCD_PROVINCE_CODES);
  fc.assert(
    fc.property(
      fc.constantFrom(...codes),
      fc.integer({ min: 1900, max: 2099 }),
      fc.constantFrom('male' as const, 'female' as const),
      fc.integer({ min: 0, max: 999_999 }),
      fc.integer({ min: 0, max: 9 }),
      (province, year, sex, serial, otherDigit) => {
        const g = cccdGenderDigit(year, sex)!;
        const yy = String(year % 100).padStart(2, '0');
        const dob = `${year}-06-15`;
        const number = `${province}${g}${yy}${String(serial).padStart(6, '0')}`;
        assert.equal(checkCccd(number, dob, sex), undefined);
        if (otherDigit !== g) assert.equal(checkCccd(`${province}${otherDigit}${yy}${String(serial).padStart(6, '0')}`, dob, sex), 'cccd_birth');
      },
    ),
  );
});

test('other papers: legacy CMND, passport, other', () => {
  assert.equal(checkIdNumber('cmnd', '341234567'), undefined);
  assert.equal(checkIdNumber('cmnd', '34123456'), 'cmnd_format');
  assert.equal(checkIdNumber('passport', 'c1234567'), undefined);
  assert.equal(checkIdNumber('passport', '12345678'), 'passport_format');
  assert.equal(checkIdNumber('other', 'GXN-123'), undefined);
});
