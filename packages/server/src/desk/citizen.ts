/**
 * What the citizen may see of their own case (core CitizenCaseOutcome): the decision and its reason as the
 * notices carry it, for the room's citizen view and the public lookup. Built from the full case on the server so
 * neither route can hand out more (the officers' names, the audit trail, other people's data) by mistake.
 */
import type { CitizenCaseOutcome, ReceptionCase } from '@tiepdan/core';

export function citizenOutcome(c: ReceptionCase): CitizenCaseOutcome {
  const out: CitizenCaseOutcome = { state: c.state, kind: c.kind, register: `${c.registerNumber}/${c.registerYear}` };
  if (c.receipt) out.receipt = { code: c.receipt.code, items: c.receipt.items, at: c.receipt.at };
  const h = c.handling;
  if (h) {
    out.handling = {
      outcome: h.outcome,
      ...(h.agency ? { agency: h.agency } : {}),
      ...(h.documentNumber ? { documentNumber: h.documentNumber } : {}),
      answer: { mode: h.answer.mode, ...(h.answer.text ? { text: h.answer.text } : {}), ...(h.answer.due ? { due: h.answer.due } : {}) },
      at: h.at,
    };
  }
  const r = c.refusal;
  if (r) out.refusal = { ground: r.ground, reason: r.reason, at: r.at, ...(r.notice ? { notice: { code: r.notice.code, settled: r.notice.settled } } : {}) };
  if (c.closedAt) out.closedAt = c.closedAt;
  return out;
}
