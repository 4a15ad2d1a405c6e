/**
 * The reception register (Sổ tiếp công dân, Form 03; SPEC §5): every case is one line in these 12 columns,
 * numbered per unit per year. `registerEntry` makes the line from a case as the caller may see it (a denouncer's
 * identity is already redacted by the server for roles without the right), so the view, the exports and the
 * element print exactly the same text. The register's answers are zod schemas with their types inferred (issue 14),
 * the response schemas of the register's routes; shapes only (api/view-parts.ts).
 */
import * as z from 'zod/mini';
import type { Message } from '../i18n/message.js';
import { MATTER_KINDS } from '../registration/choices.js';
import { ID_TYPE_LABELS, MATTER_KIND_LABELS } from '../registration/labels.js';
import { formatDate } from '../text/time.js';
import { CASE_OUTCOMES, CASE_STATES, type CaseOutcome, type ReceptionCase } from './case.js';

z.config({ jitless: true });

export const REGISTER_COLUMNS = [
  'number',
  'date',
  'nameAddress',
  'idPaper',
  'summary',
  'kindAndCount',
  'previousHandling',
  'accepted',
  'returned',
  'transferred',
  'followUp',
  'notes',
] as const;
export type RegisterColumn = (typeof REGISTER_COLUMNS)[number];

export const REGISTER_COLUMN_LABELS: Record<RegisterColumn, Message> = {
  number: { vi: 'STT', en: 'No.' },
  date: { vi: 'Ngày tiếp', en: 'Date' },
  nameAddress: { vi: 'Họ tên, địa chỉ', en: 'Full name and address' },
  idPaper: { vi: 'Số CCCD/Hộ chiếu hoặc giấy tờ tùy thân khác', en: 'ID/passport number or other ID paper' },
  summary: { vi: 'Nội dung vụ việc', en: 'Summary of the case' },
  kindAndCount: { vi: 'Phân loại vụ việc, số người', en: 'Kind, number of people' },
  previousHandling: { vi: 'Cơ quan đã giải quyết', en: 'Agencies that already handled it' },
  accepted: { vi: 'Thụ lý', en: 'Accepted' },
  returned: { vi: 'Trả lại đơn và hướng dẫn', en: 'Returned and guided' },
  transferred: { vi: 'Chuyển đơn đến cơ quan có thẩm quyền', en: 'Transferred to the competent agency' },
  followUp: { vi: 'Theo dõi kết quả giải quyết', en: 'Follow-up of the result' },
  notes: { vi: 'Ghi chú', en: 'Notes' },
};

/** The register's outcome filter: a handling outcome, or refused. */
export type RegisterOutcome = CaseOutcome | 'refused';

export const RegisterEntrySchema = z.object({
  caseId: z.string(),
  unit: z.string(),
  year: z.number(),
  state: z.enum(CASE_STATES),
  kind: z.enum(MATTER_KINDS),
  outcome: z.optional(z.enum([...CASE_OUTCOMES, 'refused'])),
  pointId: z.optional(z.string()),
  openedAt: z.string(),
  redacted: z.optional(z.boolean()),
  /** The finalized recording's signing key fingerprint and manifest hash (issue 16), also in `notes`. */
  evidence: z.optional(z.object({ recordingId: z.string(), keyId: z.string(), manifestSha256: z.string() })),
  // The 12 columns of Form 03 (REGISTER_COLUMNS), as printed.
  number: z.string(),
  date: z.string(),
  nameAddress: z.string(),
  idPaper: z.string(),
  summary: z.string(),
  kindAndCount: z.string(),
  previousHandling: z.string(),
  accepted: z.string(),
  returned: z.string(),
  transferred: z.string(),
  followUp: z.string(),
  notes: z.string(),
});
export type RegisterEntry = z.infer<typeof RegisterEntrySchema>;

/** GET /register */
export const RegisterPageSchema = z.object({ entries: z.array(RegisterEntrySchema) });
/** POST /register/entries (201) and POST /register/entries/:id/follow-up */
export const RegisterEntryResponseSchema = z.object({ entry: RegisterEntrySchema });

export const NATIONAL_FORMAT = 'tiepdan-national-export/1';
/** GET /register/national.json: the National Database exchange format (docs/desk.md). */
export const NationalExportSchema = z.object({
  format: z.literal(NATIONAL_FORMAT),
  unit: z.nullable(z.string()),
  exportedAt: z.string(),
  /** One record per register line, in register order; a denouncer's identity redacted as for the exporting role. */
  cases: z.array(z.object({ ...RegisterEntrySchema.shape, registerNumber: z.number() })),
});
export type NationalExport = z.infer<typeof NationalExportSchema>;

export function outcomeOf(c: Pick<ReceptionCase, 'handling' | 'refusal'>): RegisterOutcome | undefined {
  return c.refusal ? 'refused' : c.handling?.outcome;
}

function idPaper(c: ReceptionCase): string {
  const ci = c.citizen;
  if (!ci.idNumber) return '';
  if (ci.idType === 'cccd' || !ci.idType) return ci.idNumber;
  const name = ci.idType === 'other' ? ci.idPaperName ?? ID_TYPE_LABELS.other.vi : ID_TYPE_LABELS[ci.idType].vi;
  return `${name}: ${ci.idNumber}`;
}

export function registerEntry(c: ReceptionCase): RegisterEntry {
  const h = c.handling;
  const notes = [c.notes, c.refusal ? `Từ chối tiếp (${c.refusal.ground.replace('art9_cl', 'khoản ')} Điều 9): ${c.refusal.reason}` : undefined, c.splitFrom ? 'Tách từ vụ việc khác' : undefined]
    .filter(Boolean)
    .join('; ');
  const entry: RegisterEntry = {
    caseId: c.id,
    unit: c.unit,
    year: c.registerYear,
    state: c.state,
    kind: c.kind,
    openedAt: c.openedAt,
    number: String(c.registerNumber),
    date: formatDate(c.openedAt),
    nameAddress: [c.citizen.fullName, c.citizen.address].filter(Boolean).join(', '),
    idPaper: idPaper(c),
    summary: c.summary,
    kindAndCount: `${MATTER_KIND_LABELS[c.kind].vi}; ${c.groupSize} người`,
    previousHandling: c.previousHandling.join('; '),
    accepted: h?.outcome === 'accepted' ? 'x' : '',
    returned: h?.outcome === 'returned' ? `${h.agency}, số ${h.documentNumber}` : '',
    transferred: h?.outcome === 'transferred' ? `${h.agency}, số ${h.documentNumber}` : '',
    followUp: c.followUp ?? '',
    notes,
  };
  const outcome = outcomeOf(c);
  if (outcome) entry.outcome = outcome;
  if (c.pointId) entry.pointId = c.pointId;
  if (c.redacted) entry.redacted = true;
  return entry;
}
