/**
 * The registration's fixed choices. They live apart from the zod schemas so that a form which only needs the
 * lists (to render radios) does not pull the validators into its first download.
 */
export const MATTER_KINDS = ['khieu_nai', 'to_cao', 'kien_nghi', 'phan_anh'] as const;
export type MatterKind = (typeof MATTER_KINDS)[number];

export const HELPER_ROLES = ['authorised', 'lawyer', 'legal_aid', 'interpreter'] as const;
export type HelperRole = (typeof HELPER_ROLES)[number];

export const ATTENDANCE_MODES = ['connection_point', 'remote'] as const;
export type AttendanceMode = (typeof ATTENDANCE_MODES)[number];

export const ATTACHMENT_PURPOSES = ['evidence', 'id_paper', 'power_of_attorney', 'representative_appointment', 'other'] as const;
export type AttachmentPurpose = (typeof ATTACHMENT_PURPOSES)[number];
