/**
 * The result of a citizen's case as the citizen reads it (core CitizenCaseOutcome): accepted for settlement,
 * returned and guided, transferred, or refused and why (Law on Citizen Reception Art. 9), with the answer's date
 * and the register line. One renderer for `<tiepdan-confirmation>` (the room's citizen view) and
 * `<tiepdan-lookup>` (the ward site's lookup), so both say the same thing in the same words. Short sentences,
 * Vietnamese first, dates dd/mm/yyyy in Vietnam.
 */
import { html, nothing, type TemplateResult } from 'lit';
import {
  ANSWER_MODE_LABELS,
  CASE_OUTCOME_LABELS,
  MATTER_KIND_LABELS,
  REFUSAL_GROUND_LABELS,
  formatDateTime,
  isoDateToVi,
  say,
  type CitizenCaseOutcome,
  type Lang,
} from '@tiepdan/core';
import { fmt } from './lang.js';
import { byLang } from './lang.js';

const vi = {
  heading: 'Kết quả tiếp công dân',
  line: 'Vụ việc số {register} ({kind})',
  pending: 'Cán bộ đang tiếp nhận vụ việc. Kết quả sẽ hiện ở đây.',
  outcome: 'Kết quả: {outcome}.',
  returnedTo: 'Cơ quan có thẩm quyền giải quyết: {agency}.',
  transferredTo: 'Đơn được chuyển đến: {agency}.',
  guidance: 'Văn bản hướng dẫn số: {number}.',
  transfer: 'Văn bản chuyển đơn số: {number}.',
  answeredAt: 'Trả lời tại buổi tiếp: {text}',
  answered: 'Ông/bà đã được trả lời tại buổi tiếp.',
  answerDue: 'Hẹn trả lời: ngày {due}.',
  refused: 'Từ chối tiếp công dân.',
  ground: 'Căn cứ: {ground}.',
  reason: 'Lý do: {reason}',
  notice: 'Thông báo từ chối tiếp số {code}.',
  settled: 'Vụ việc đã được {agency} giải quyết bằng {document} số {number} ngày {date}.',
  recorded: 'Ghi nhận lúc {time}.',
  filed: 'Vụ việc đã vào sổ tiếp công dân lúc {time}.',
};

const en: typeof vi = {
  heading: 'Result of your reception',
  line: 'Case no. {register} ({kind})',
  pending: 'The officer is receiving your case. The result will show here.',
  outcome: 'Result: {outcome}.',
  returnedTo: 'The competent agency to settle it: {agency}.',
  transferredTo: 'Your petition was transferred to: {agency}.',
  guidance: 'Guidance document no.: {number}.',
  transfer: 'Transfer document no.: {number}.',
  answeredAt: 'Answer given at the session: {text}',
  answered: 'You were answered at the session.',
  answerDue: 'Answer expected by {due}.',
  refused: 'Reception refused.',
  ground: 'Ground: {ground}.',
  reason: 'Reason: {reason}',
  notice: 'Notice of refusal no. {code}.',
  settled: 'The matter was settled by {agency} in {document} no. {number} of {date}.',
  recorded: 'Recorded at {time}.',
  filed: 'Filed in the reception register at {time}.',
};

export type CaseOutcomeStrings = typeof vi;
export const caseOutcomeStrings = byLang<CaseOutcomeStrings>({ vi, en });

/** The result as a small section; `level` is the heading's level in the host's outline. */
export function caseOutcomeView(o: CitizenCaseOutcome, lang: Lang, options: { level?: 3 | 4; id: string; extra?: TemplateResult } = { id: 'case-outcome' }): TemplateResult {
  const s = caseOutcomeStrings(lang);
  const h = o.handling;
  const r = o.refusal;
  const heading = fmt(s.line, { register: o.register, kind: say(MATTER_KIND_LABELS[o.kind], lang) });
  const title = options.level === 4 ? html`<h4 id=${options.id}>${heading}</h4>` : html`<h3 id=${options.id}>${heading}</h3>`;
  let body: TemplateResult;
  if (r) {
    body = html`<p class="verdict refused"><strong>${s.refused}</strong></p>
      <p>${fmt(s.ground, { ground: say(REFUSAL_GROUND_LABELS[r.ground], lang) })}</p>
      <p>${fmt(s.reason, { reason: r.reason })}</p>
      ${r.notice
        ? html`<p>${fmt(s.notice, { code: r.notice.code })}</p>
            <p>${fmt(s.settled, { agency: r.notice.settled.agency, document: r.notice.settled.document, number: r.notice.settled.number, date: isoDateToVi(r.notice.settled.date) })}</p>`
        : nothing}
      <p class="hint">${fmt(s.recorded, { time: formatDateTime(r.at) })}</p>`;
  } else if (h) {
    const answer =
      h.answer.mode === 'later' ? (h.answer.due ? fmt(s.answerDue, { due: isoDateToVi(h.answer.due) }) : say(ANSWER_MODE_LABELS.later, lang))
      : h.answer.text ? fmt(s.answeredAt, { text: h.answer.text })
      : s.answered;
    body = html`<p class="verdict"><strong>${fmt(s.outcome, { outcome: say(CASE_OUTCOME_LABELS[h.outcome], lang) })}</strong></p>
      ${h.agency ? html`<p>${fmt(h.outcome === 'transferred' ? s.transferredTo : s.returnedTo, { agency: h.agency })}</p>` : nothing}
      ${h.documentNumber ? html`<p>${fmt(h.outcome === 'transferred' ? s.transfer : s.guidance, { number: h.documentNumber })}</p>` : nothing}
      <p>${answer}</p>
      <p class="hint">${fmt(s.recorded, { time: formatDateTime(h.at) })}</p>`;
  } else {
    body = html`<p>${s.pending}</p>`;
  }
  return html`<section class="case-outcome" aria-labelledby=${options.id}>
    ${title}${body}${o.state === 'closed' && o.closedAt ? html`<p class="hint">${fmt(s.filed, { time: formatDateTime(o.closedAt) })}</p>` : nothing}${options.extra ?? nothing}
  </section>`;
}
