/**
 * What the citizen is told through their channel (the schedule's notice outbox, issue 9) when the desk issues
 * the Form 02 receipt and when it decides the outcome (thụ lý, trả lại và hướng dẫn, chuyển đơn) or refuses the
 * reception (Art. 9): Vietnamese and English, the e-mail with the receipt or the written refusal notice attached
 * as PDF (rendered when sending), the SMS short, with the lookup page's link. No name, address or ID number: the
 * outbox is not sealed, and the contact is resolved only when sending (a denouncer's from the sealed data).
 */
import { CASE_OUTCOME_LABELS, REFUSAL_GROUND_LABELS, formatDate, isoDateToVi, type Message, type OfficialSession, type ReceptionCase } from '@tiepdan/core';
import type { CaseNotice } from '../store/case-store.js';
import type { NoticeBody } from '../store/schedule-store.js';

export interface NoticeFacts {
  unitName: string;
  /** The ward site's page with `<tiepdan-lookup>` (config `notices.lookupPage`). */
  lookupPage?: string | undefined;
  at: string;
}

function sessionOf(session: OfficialSession): NoticeBody['session'] {
  return { id: session.id, unit: session.unit, venue: session.venue, startsAt: session.startsAt, endsAt: session.endsAt, state: session.state };
}

function lookup(c: ReceptionCase, facts: NoticeFacts): Message {
  const ref = c.registrationReference!;
  return facts.lookupPage
    ? { vi: `Tra cứu hồ sơ ${ref} tại: ${facts.lookupPage}`, en: `Look up ${ref} at: ${facts.lookupPage}` }
    : { vi: `Mã hồ sơ để tra cứu: ${ref}`, en: `Reference to look it up: ${ref}` };
}

const line = (c: ReceptionCase) => ({ vi: `vụ việc số ${c.registerNumber}/${c.registerYear} trong Sổ tiếp công dân`, en: `case no. ${c.registerNumber}/${c.registerYear} in the reception register` });

/** The Form 02 receipt: what was received, with the receipt attached. */
export function receiptNotice(c: ReceptionCase, session: OfficialSession, facts: NoticeFacts): CaseNotice {
  const r = c.receipt!;
  const day = formatDate(r.at);
  const items = (lang: 'vi' | 'en') =>
    r.items.map((i, n) => `${n + 1}. ${i.name} (${i.pages} ${lang === 'vi' ? 'trang/tờ' : 'page(s)'}, ${lang === 'vi' ? (i.form === 'original' ? 'bản gốc' : 'bản sao') : i.form === 'original' ? 'original' : 'copy'})`).join('\n');
  const more = lookup(c, facts);
  const body: NoticeBody = {
    subject: { vi: `Giấy biên nhận số ${r.code} – ${facts.unitName}`, en: `Receipt no. ${r.code} – ${facts.unitName}` },
    message: {
      vi: ['Kính gửi ông/bà,', `${facts.unitName} đã nhận của ông/bà các thông tin, tài liệu, bằng chứng sau tại buổi tiếp công dân ngày ${day} (${line(c).vi}):`, items('vi'), `Giấy biên nhận số ${r.code} được đính kèm (PDF).`, more.vi].join('\n'),
      en: ['Dear citizen,', `${facts.unitName} received from you, at the citizen reception of ${day} (${line(c).en}):`, items('en'), `Receipt no. ${r.code} is attached (PDF).`, more.en].join('\n'),
    },
    sms: {
      vi: `${facts.unitName} đã nhận ${r.items.length} tài liệu của ông/bà, giấy biên nhận số ${r.code}. ${more.vi}`,
      en: `${facts.unitName} received ${r.items.length} document(s) from you, receipt no. ${r.code}. ${more.en}`,
    },
    session: sessionOf(session),
    paper: { caseId: c.id, kind: 'receipt' },
  };
  return { sessionId: session.id, reference: c.registrationReference!, change: 'receipt', sequence: c.registerNumber, body, at: facts.at };
}

/** The outcome: accepted, returned and guided, transferred; or the refusal with its reason (cl.3: the notice attached). */
export function outcomeNotice(c: ReceptionCase, session: OfficialSession, facts: NoticeFacts): CaseNotice {
  const more = lookup(c, facts);
  const h = c.handling;
  const refusal = c.refusal;
  let said: Message;
  let short: Message;
  let subject: Message;
  if (h) {
    const what =
      h.outcome === 'accepted' ? { vi: 'được thụ lý giải quyết', en: 'is accepted for settlement' }
      : h.outcome === 'returned' ? { vi: `được trả lại và hướng dẫn ông/bà gửi đến ${h.agency} (văn bản hướng dẫn số ${h.documentNumber})`, en: `is returned, and you are guided to ${h.agency} (guidance document no. ${h.documentNumber})` }
      : { vi: `được chuyển đến ${h.agency} (văn bản chuyển đơn số ${h.documentNumber})`, en: `is transferred to ${h.agency} (transfer document no. ${h.documentNumber})` };
    const answer =
      h.answer.mode === 'at_once' ? { vi: `Đã trả lời tại buổi tiếp${h.answer.text ? `: ${h.answer.text}` : '.'}`, en: `You were answered at the reception${h.answer.text ? `: ${h.answer.text}` : '.'}` }
      : h.answer.due ? { vi: `Ông/bà sẽ được trả lời trước ngày ${isoDateToVi(h.answer.due)}.`, en: `You will be answered by ${isoDateToVi(h.answer.due)}.` }
      : { vi: 'Ông/bà sẽ được thông báo kết quả.', en: 'You will be told of the result.' };
    said = { vi: `Nội dung ông/bà trình bày (${line(c).vi}) ${what.vi}. ${answer.vi}`, en: `What you presented (${line(c).en}) ${what.en}. ${answer.en}` };
    short = { vi: `nội dung ông/bà trình bày ${what.vi}.`, en: `what you presented ${what.en}.` };
    subject = { vi: `Kết quả tiếp công dân: ${CASE_OUTCOME_LABELS[h.outcome].vi}`, en: `Citizen reception outcome: ${CASE_OUTCOME_LABELS[h.outcome].en}` };
  } else {
    const r = refusal!;
    const ground = REFUSAL_GROUND_LABELS[r.ground];
    const notice = r.notice ? { vi: ` Thông báo từ chối tiếp số ${r.notice.code} được đính kèm (PDF).`, en: ` Refusal notice no. ${r.notice.code} is attached (PDF).` } : { vi: '', en: '' };
    said = {
      vi: `${facts.unitName} từ chối tiếp công dân đối với ông/bà tại buổi tiếp ngày ${formatDate(r.at)} (${line(c).vi}). Lý do: ${r.reason} Căn cứ: ${ground.vi}.${notice.vi}`,
      en: `${facts.unitName} declined to receive you at the reception of ${formatDate(r.at)} (${line(c).en}). Reason: ${r.reason} Ground: ${ground.en}.${notice.en}`,
    };
    short = { vi: `từ chối tiếp ông/bà ngày ${formatDate(r.at)}. Lý do: ${r.reason}`, en: `declined to receive you on ${formatDate(r.at)}. Reason: ${r.reason}` };
    subject = { vi: r.notice ? `Thông báo từ chối tiếp công dân số ${r.notice.code}` : 'Thông báo từ chối tiếp công dân', en: r.notice ? `Notice of refusal to receive no. ${r.notice.code}` : 'Refusal to receive' };
  }
  const body: NoticeBody = {
    subject: { vi: `${subject.vi} – ${facts.unitName}`, en: `${subject.en} – ${facts.unitName}` },
    message: { vi: ['Kính gửi ông/bà,', said.vi, more.vi].join('\n'), en: ['Dear citizen,', said.en, more.en].join('\n') },
    sms: { vi: `${facts.unitName}: ${short.vi} ${more.vi}`, en: `${facts.unitName}: ${short.en} ${more.en}` },
    session: sessionOf(session),
    ...(refusal?.notice ? { paper: { caseId: c.id, kind: 'refusal-notice' as const } } : {}),
  };
  return { sessionId: session.id, reference: c.registrationReference!, change: 'outcome', sequence: c.registerNumber, body, at: facts.at };
}
