/**
 * The registration (đăng ký tiếp công dân) as the citizen submits it: one zod/mini schema shared by the form
 * (which validates a step at a time) and the server (which validates the whole). zod/mini keeps the browser
 * bundle small, and `jitless` keeps it working under a Content-Security-Policy without `unsafe-eval`.
 *
 * Checks carry a field code (see i18n/field-messages.ts) as their error, never prose, so the message a citizen
 * reads is chosen from one bilingual table. Objects are strict: an unknown field is an error, not ignored.
 */
import * as z from 'zod/mini';
import { hasHiddenCharacters, hasLetter } from '../text/characters.js';
import { isRealIsoDate } from '../text/time.js';
import { ID_TYPES, SEXES } from './identity.js';
import { TEXT_LIMITS } from './limits.js';
import { ATTACHMENT_PURPOSES, ATTENDANCE_MODES, HELPER_ROLES, MATTER_KINDS } from './choices.js';

// The choice types, for modules that think of them as part of the registration's shape.
export type { AttachmentPurpose, AttendanceMode, HelperRole, MatterKind } from './choices.js';

z.config({ jitless: true });

// Every text field refuses control and invisible characters first (text/characters.ts): a name of only
// zero-width spaces is "hidden characters", not "please fill this in", so the citizen learns what is wrong.
const visible = z.refine<string>((value) => !hasHiddenCharacters(value), { error: 'hidden_characters' });
const text = (max: number, code: 'required' | 'full_name' | 'content' | 'address_detail' | 'reason' = 'required') =>
  z.string({ error: 'invalid_type' }).check(
    visible,
    z.refine((value) => value.trim().length > 0, { error: code }),
    z.maxLength(max, { error: 'too_long' }),
  );
const optionalText = (max: number) => z.optional(z.string({ error: 'invalid_type' }).check(visible, z.maxLength(max, { error: 'too_long' })));
/** A person's name: text with at least one letter. */
const name = (max: number) => text(max, 'full_name').check(z.refine((value) => value.trim() === '' || hasLetter(value), { error: 'name_letters' }));
const isoDate = z.string({ error: 'date' }).check(z.refine(isRealIsoDate, { error: 'date' }));

export const IdentitySchema = z.strictObject({
  fullName: name(TEXT_LIMITS.name),
  idType: z.optional(z.enum(ID_TYPES, { error: 'choose_one' })),
  idNumber: optionalText(TEXT_LIMITS.idNumber),
  /** For idType "other": which paper it is (e.g. "Giấy xác nhận thông tin về cư trú"). */
  idPaperName: optionalText(TEXT_LIMITS.name),
  dateOfBirth: z.optional(isoDate),
  sex: z.optional(z.enum(SEXES, { error: 'sex' })),
});

export const LegacyAddressSchema = z.strictObject({
  province: optionalText(TEXT_LIMITS.name),
  district: optionalText(TEXT_LIMITS.name),
  commune: optionalText(TEXT_LIMITS.name),
});

export const AddressSchema = z.strictObject({
  provinceCode: z.optional(z.string({ error: 'province' }).check(z.regex(/^\d{2}$/u, { error: 'province' }))),
  communeCode: z.optional(z.string({ error: 'commune' }).check(z.regex(/^\d{5}$/u, { error: 'commune' }))),
  detail: optionalText(TEXT_LIMITS.short),
  /** Pre-2025 names (old province, district, commune) as printed on ID cards and old case files. */
  legacy: z.optional(LegacyAddressSchema),
});

export const ContactSchema = z.strictObject({
  phone: z.string({ error: 'phone' }),
  email: z.optional(z.string({ error: 'email' }).check(z.maxLength(TEXT_LIMITS.email, { error: 'too_long' }))),
  /**
   * The channels the citizen agreed to be told through (invitations, changes to a booked session). Absent:
   * every contact given above, which the privacy notice they acknowledged describes.
   */
  notify: z.optional(z.array(z.enum(['sms', 'email'], { error: 'choose_one' })).check(z.maxLength(2, { error: 'too_long' }))),
});

export const PreviousHandlingSchema = z.strictObject({
  agency: text(TEXT_LIMITS.name),
  documentNumber: optionalText(TEXT_LIMITS.name),
  result: optionalText(TEXT_LIMITS.short),
});

export const ContentSchema = z.strictObject({
  summary: text(TEXT_LIMITS.content, 'content'),
  /** Denunciation: the violation of law being reported. */
  violation: optionalText(TEXT_LIMITS.content),
  /** Denunciation: who is accused (name, position, agency). */
  accused: optionalText(TEXT_LIMITS.short),
  previousHandling: z.optional(z.array(PreviousHandlingSchema).check(z.maxLength(TEXT_LIMITS.listItems, { error: 'too_long' }))),
});

export const RepresentativeSchema = z.strictObject({
  fullName: name(TEXT_LIMITS.name),
  idNumber: optionalText(TEXT_LIMITS.idNumber),
  phone: z.optional(z.string({ error: 'phone' })),
});

export const GroupSchema = z.strictObject({
  size: z.number({ error: 'group_size' }).check(z.int({ error: 'group_size' }), z.gte(1, { error: 'group_size' }), z.lte(10_000, { error: 'group_size' })),
  representatives: z.optional(z.array(RepresentativeSchema).check(z.maxLength(TEXT_LIMITS.listItems, { error: 'representatives_count' }))),
});

export const HelperSchema = z.strictObject({
  role: z.enum(HELPER_ROLES, { error: 'choose_one' }),
  fullName: name(TEXT_LIMITS.name),
  /** The document that proves the role: power of attorney, lawyer's card, legal-aid decision, interpreter's papers. */
  document: z.strictObject({
    kind: text(TEXT_LIMITS.name),
    number: optionalText(TEXT_LIMITS.name),
    attachmentId: optionalText(64),
  }),
});

export const AttachmentMetaSchema = z.strictObject({
  /** Client-chosen id, unique within the registration; the upload part carries the same id. */
  id: z.string({ error: 'invalid' }).check(z.regex(/^[A-Za-z0-9_-]{1,64}$/u, { error: 'invalid' })),
  name: text(TEXT_LIMITS.name),
  type: z.string({ error: 'attachment_type' }),
  size: z.number({ error: 'attachment_size' }).check(z.int({ error: 'attachment_size' }), z.gte(1, { error: 'attachment_size' })),
  purpose: z.enum(ATTACHMENT_PURPOSES, { error: 'choose_one' }),
});

export const PrivacyAckSchema = z.strictObject({
  /** Version of the notice the citizen was shown (the server publishes the current one). */
  version: text(40),
  acknowledged: z.literal(true, { error: 'privacy' }),
  acknowledgedAt: z.string({ error: 'date' }).check(z.iso.datetime({ error: 'date', offset: true })),
});

export const RegistrationSchema = z.strictObject({
  /** Receiving unit (the ward or province whose site the form is on). */
  unit: z.string({ error: 'required' }).check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/u, { error: 'invalid' })),
  kind: z.enum(MATTER_KINDS, { error: 'kind' }),
  identity: IdentitySchema,
  address: AddressSchema,
  contact: ContactSchema,
  content: ContentSchema,
  group: z.optional(GroupSchema),
  helpers: z.optional(z.array(HelperSchema).check(z.maxLength(TEXT_LIMITS.listItems, { error: 'too_long' }))),
  /** Until the schedule exists this is free; later it names a ReceptionSession. */
  preferredSessionId: optionalText(64),
  attendance: z.strictObject({
    mode: z.enum(ATTENDANCE_MODES, { error: 'attendance' }),
    connectionPoint: optionalText(64),
  }),
  privacy: PrivacyAckSchema,
  attachments: z.optional(z.array(AttachmentMetaSchema).check(z.maxLength(50, { error: 'attachments_count' }))),
});

export type Registration = z.infer<typeof RegistrationSchema>;
export type Identity = z.infer<typeof IdentitySchema>;
export type Address = z.infer<typeof AddressSchema>;
export type Helper = z.infer<typeof HelperSchema>;
export type Representative = z.infer<typeof RepresentativeSchema>;
export type AttachmentMeta = z.infer<typeof AttachmentMetaSchema>;
