/**
 * Legal time limits for following up a case (register column 11; SPEC §2 step 6). The numbers are configuration
 * (a law may change them): a complaint is accepted within 10 days and a first complaint settled within 30 (45 if
 * complex; 45/60 in remote areas); a denunciation is settled within 30 days, extendable twice by 30. Days are
 * calendar days counted in Vietnam; a deployment that counts working days sets the numbers accordingly.
 */
import * as z from 'zod/mini';
import { MATTER_KINDS } from '../registration/choices.js';
import { addDays } from '../schedule/calendar.js';
import type { ReceptionCase } from './case.js';

z.config({ jitless: true });

export interface DeadlineRules {
  complaint: { acceptDays: number; settleDays: number; settleComplexDays: number; remoteSettleDays: number; remoteSettleComplexDays: number };
  denunciation: { settleDays: number; extensionDays: number; maxExtensions: number };
  /** A limit this close (days) is shown as due. */
  dueSoonDays: number;
}

export const DEFAULT_DEADLINES: DeadlineRules = {
  complaint: { acceptDays: 10, settleDays: 30, settleComplexDays: 45, remoteSettleDays: 45, remoteSettleComplexDays: 60 },
  denunciation: { settleDays: 30, extensionDays: 30, maxExtensions: 2 },
  dueSoonDays: 5,
};

export const DEADLINE_STATUSES = ['met', 'overdue', 'due', 'upcoming'] as const;
export type DeadlineStatus = (typeof DEADLINE_STATUSES)[number];

/** A legal limit of a case (a zod schema for GET /register/deadlines, issue 14). */
export const DeadlineSchema = z.object({
  caseId: z.string(),
  registerNumber: z.number(),
  registerYear: z.number(),
  kind: z.enum(MATTER_KINDS),
  step: z.enum(['accept', 'settle']),
  /** yyyy-mm-dd (Vietnam) the period runs from. */
  from: z.string(),
  /** The ordinary limit. */
  due: z.string(),
  /** The longest the law allows (complex, remote, or every extension). */
  latest: z.string(),
  status: z.enum(DEADLINE_STATUSES),
});
export type Deadline = z.infer<typeof DeadlineSchema>;

/** GET /register/deadlines: the limits not yet met as of `on`, soonest first. */
export const DeadlinesResponseSchema = z.object({ on: z.string(), deadlines: z.array(DeadlineSchema) });

/** The date in Vietnam of an instant, yyyy-mm-dd. */
export function vnDate(at: string | number | Date): string {
  return new Date(new Date(at).getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
}

function status(due: string, today: string, met: boolean, soon: number): DeadlineStatus {
  if (met) return 'met';
  if (today > due) return 'overdue';
  return addDays(today, soon) >= due ? 'due' : 'upcoming';
}

/** The limits that apply to a case, each with where it stands on `today` (yyyy-mm-dd). */
export function deadlinesOf(c: ReceptionCase, rules: DeadlineRules, today: string): Deadline[] {
  if (c.refusal) return [];
  const base = { caseId: c.id, registerNumber: c.registerNumber, registerYear: c.registerYear, kind: c.kind };
  const out: Deadline[] = [];
  const accepted = c.handling?.outcome === 'accepted' ? vnDate(c.handling.at) : undefined;
  if (c.kind === 'khieu_nai') {
    const from = vnDate(c.openedAt);
    const due = addDays(from, rules.complaint.acceptDays);
    out.push({ ...base, step: 'accept', from, due, latest: due, status: status(due, today, Boolean(c.handling), rules.dueSoonDays) });
    if (accepted) {
      const settleDue = addDays(accepted, rules.complaint.settleDays);
      out.push({ ...base, step: 'settle', from: accepted, due: settleDue, latest: addDays(accepted, rules.complaint.remoteSettleComplexDays), status: status(settleDue, today, Boolean(c.settledAt), rules.dueSoonDays) });
    }
  }
  if (c.kind === 'to_cao' && accepted) {
    const d = rules.denunciation;
    const due = addDays(accepted, d.settleDays);
    out.push({ ...base, step: 'settle', from: accepted, due, latest: addDays(accepted, d.settleDays + d.extensionDays * d.maxExtensions), status: status(due, today, Boolean(c.settledAt), rules.dueSoonDays) });
  }
  return out;
}
