/**
 * Whole-registration validation: the schema's shape checks, then the rules that look across fields (kind-specific
 * requirements, CCCD against date of birth and sex, representatives for the group size), then normalisation
 * (NFC, E.164 phone, compact ID numbers). The form and the server both call `parseRegistration`, so a citizen
 * never passes the form only to be refused by the server for a rule the form did not know.
 */
import type { FieldError } from '../errors.js';
import { fieldError, type FieldCode } from '../i18n/field-messages.js';
import { nfc, tidy } from '../text/nfc.js';
import { checkIdNumber, compactIdNumber } from './identity.js';
import { DEFAULT_RULES, representativeLimits, type RegistrationRules } from './limits.js';
import { isVietnamesePhone, toE164 } from './phone.js';
import { isProvinceCode } from './provinces.js';
import { RegistrationSchema, type Registration } from './schema.js';
import { ISSUE_PARSE_OPTIONS, issuesToFieldErrors } from '../validation/issues.js';

/** A registration being filled in: every field may still be missing. */
export type RegistrationDraft = DeepPartial<Registration>;
type DeepPartial<T> = T extends (infer U)[] ? DeepPartial<U>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; fields: FieldError[] };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

/** Rules across fields, on a value that already has the right shape. */
function crossFieldErrors(reg: RegistrationDraft, rules: RegistrationRules): FieldError[] {
  const errors: FieldError[] = [];
  const add = (path: string, code: FieldCode) => errors.push(fieldError(path, code));
  const identity = reg.identity ?? {};
  const address = reg.address ?? {};
  const contact = reg.contact ?? {};
  const content = reg.content ?? {};
  const blank = (value: string | undefined) => !value || value.trim() === '';

  // Identity papers: a number needs its type; a CCCD needs the date of birth and sex it encodes.
  if (!blank(identity.idNumber)) {
    if (!identity.idType) add('identity.idType', 'choose_one');
    else {
      if (identity.idType === 'cccd') {
        if (!identity.dateOfBirth) add('identity.dateOfBirth', 'required');
        if (!identity.sex) add('identity.sex', 'sex');
      }
      if (identity.idType === 'other' && blank(identity.idPaperName)) add('identity.idPaperName', 'id_paper_name');
      const problem = checkIdNumber(identity.idType, identity.idNumber!, identity.dateOfBirth, identity.sex);
      if (problem) add('identity.idNumber', problem);
    }
  }
  if (identity.dateOfBirth) {
    const year = Number(identity.dateOfBirth.slice(0, 4));
    if (identity.dateOfBirth > new Date().toISOString().slice(0, 10)) add('identity.dateOfBirth', 'date_future');
    else if (year < 1900) add('identity.dateOfBirth', 'date');
  }

  // What each kind of matter requires (SPEC §3).
  if (reg.kind === 'khieu_nai' && blank(identity.idNumber)) add('identity.idNumber', 'required');
  if (!address.provinceCode) add('address.provinceCode', 'province');
  else if (!isProvinceCode(address.provinceCode)) add('address.provinceCode', 'province');
  if (!address.communeCode) add('address.communeCode', 'commune');
  if ((reg.kind === 'khieu_nai' || reg.kind === 'to_cao') && blank(address.detail)) add('address.detail', 'address_detail');
  if (reg.kind === 'to_cao') {
    if (blank(content.violation)) add('content.violation', 'violation');
    if (blank(content.accused)) add('content.accused', 'accused');
  }

  if (typeof contact.phone === 'string' && !isVietnamesePhone(contact.phone)) add('contact.phone', 'phone');
  if (contact.email && contact.email.trim() !== '' && !EMAIL.test(contact.email.trim())) add('contact.email', 'email');

  // Many people with the same content appoint representatives among themselves (SPEC §3, configurable).
  const size = reg.group?.size ?? 1;
  const count = reg.group?.representatives?.length ?? 0;
  const limits = representativeLimits(size, rules);
  if (count < limits.min || count > limits.max) add('group.representatives', 'representatives_count');
  reg.group?.representatives?.forEach((rep, i) => {
    if (rep?.phone && !isVietnamesePhone(rep.phone)) add(`group.representatives.${i}.phone`, 'phone');
  });

  reg.helpers?.forEach((helper, i) => {
    if (helper?.document?.attachmentId && !reg.attachments?.some((a) => a?.id === helper.document?.attachmentId)) {
      add(`helpers.${i}.document.attachmentId`, 'helper_document');
    }
  });


  const attachments = (reg.attachments ?? []).filter((a): a is NonNullable<typeof a> => Boolean(a));
  if (attachments.length > rules.attachments.maxCount) add('attachments', 'attachments_count');
  const ids = new Set<string>();
  attachments.forEach((attachment, i) => {
    if (attachment.id && ids.has(attachment.id)) add(`attachments.${i}.id`, 'invalid');
    if (attachment.id) ids.add(attachment.id);
    if (attachment.type && !rules.attachments.types.includes(attachment.type)) add(`attachments.${i}.type`, 'attachment_type');
    if ((attachment.size ?? 0) > rules.attachments.maxBytes) add(`attachments.${i}.size`, 'attachment_size');
  });
  if (attachments.reduce((sum, a) => sum + (a.size ?? 0), 0) > rules.attachments.maxTotalBytes) add('attachments', 'attachment_size');
  return errors;
}

/**
 * Canonical form for storage and comparison: NFC, tidy names, E.164 phones, compact ID numbers. Changes `out` in
 * place: it is the schema's output for a copy `nfc` made, so nothing the caller holds is touched.
 */
function normalize(out: Registration): Registration {
  out.identity.fullName = tidy(out.identity.fullName);
  if (out.identity.idNumber !== undefined) {
    if (out.identity.idNumber.trim() === '') delete out.identity.idNumber;
    else out.identity.idNumber = compactIdNumber(out.identity.idNumber);
  }
  out.contact.phone = toE164(out.contact.phone) ?? out.contact.phone;
  if (out.contact.email !== undefined) {
    const email = out.contact.email.trim().toLowerCase();
    if (email === '') delete out.contact.email;
    else out.contact.email = email;
  }
  for (const rep of out.group?.representatives ?? []) {
    rep.fullName = tidy(rep.fullName);
    if (rep.phone) rep.phone = toE164(rep.phone) ?? rep.phone;
    if (rep.idNumber) rep.idNumber = compactIdNumber(rep.idNumber);
  }
  for (const helper of out.helpers ?? []) helper.fullName = tidy(helper.fullName);
  return out;
}

/**
 * Every problem with a registration or an unfinished draft: shape errors and cross-field rules together, so
 * the form can show the errors of one step while later steps are still empty (filter by path prefix).
 */
export function registrationErrors(input: unknown, rules: RegistrationRules = DEFAULT_RULES): FieldError[] {
  return check(input, rules).fields;
}

/** Validates and normalises a whole registration. `input` is untrusted (parsed JSON from anywhere). */
export function parseRegistration(input: unknown, rules: RegistrationRules = DEFAULT_RULES): ParseResult<Registration> {
  const { fields, value } = check(input, rules);
  if (fields.length || !value) return { ok: false, fields };
  return { ok: true, value: normalize(value) };
}

/** One NFC pass and one schema pass serve both the errors and the value (the server's intake runs this per request). */
function check(input: unknown, rules: RegistrationRules): { fields: FieldError[]; value?: Registration } {
  const value = nfc(input);
  const parsed = RegistrationSchema.safeParse(value, ISSUE_PARSE_OPTIONS);
  const shape = parsed.success ? [] : issuesToFieldErrors(parsed.error.issues);
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  const cross = isObject ? crossFieldErrors(value as RegistrationDraft, rules) : [];
  const fields = dedupe([...shape, ...cross]);
  return parsed.success ? { fields, value: parsed.data } : { fields };
}

/** One error per path: the first rule that failed is the one worth telling. */
function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((error) => (seen.has(error.path) ? false : (seen.add(error.path), true)));
}
