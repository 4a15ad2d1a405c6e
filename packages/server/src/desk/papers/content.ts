/**
 * The three papers of a reception (SPEC §9) as Paper models: the Form 02 receipt, the refusal notice (Art. 9
 * cl.3) and the case record. The exact annex wording of Form 02 was not reachable (SPEC §9): the fields are the
 * typical layout, and the heading comes from the unit's configuration (`units[].papers`).
 */
import {
  CASE_OUTCOME_LABELS,
  DOCUMENT_FORM_LABELS,
  HELPER_ROLE_LABELS,
  ID_TYPE_LABELS,
  MATTER_KIND_LABELS,
  REFUSAL_GROUND_LABELS,
  ANSWER_MODE_LABELS,
  formatDateTime,
  isoDateToVi,
  type ReceptionCase,
} from '@tiepdan/core';
import type { UnitConfig } from '../../config/schema.js';
import { evidenceBlocks, type PaperEvidence } from './evidence.js';
import { placeDateLine, type Block, type Paper } from './paper.js';

export const PAPERS = ['receipt', 'refusal-notice', 'record'] as const;
export type PaperKind = (typeof PAPERS)[number];

function heading(unit: UnitConfig | undefined, unitCode: string) {
  const name = unit?.name ?? unitCode;
  return {
    issuer: { upper: unit?.papers.upperBody, unit: unit?.papers.issuer ?? name },
    place: unit?.papers.place ?? name.replace(/^(UBND|Ủy ban nhân dân)\s+(phường|xã|thị trấn|đặc khu|tỉnh|thành phố)\s+/iu, ''),
  };
}

function idPaper(c: ReceptionCase): string {
  const ci = c.citizen;
  if (!ci.idNumber) return 'Không xuất trình';
  const kind = ci.idType === 'other' ? ci.idPaperName ?? ID_TYPE_LABELS.other.vi : ci.idType ? ID_TYPE_LABELS[ci.idType].vi : 'Giấy tờ tùy thân';
  return `${kind} số ${ci.idNumber}`;
}

function citizenFields(c: ReceptionCase): Block[] {
  return [
    { kind: 'field', label: 'Họ và tên', value: c.citizen.fullName },
    { kind: 'field', label: 'Địa chỉ', value: c.citizen.address ?? '' },
    { kind: 'field', label: 'Giấy tờ tùy thân', value: idPaper(c) },
  ];
}

const where = (c: ReceptionCase, points: UnitConfig['connectionPoints']) =>
  c.pointId ? `điểm cầu ${points.find((p) => p.id === c.pointId)?.name ?? c.pointId} (tiếp công dân trực tuyến)` : 'trụ sở tiếp công dân';

export function receiptPaper(c: ReceptionCase, unit: UnitConfig | undefined): Paper {
  const receipt = c.receipt!;
  const h = heading(unit, c.unit);
  const confirmed = c.confirmation ? `Đã xác nhận trực tuyến lúc ${formatDateTime(c.confirmation.at)}` : '(Ký, ghi rõ họ tên)';
  return {
    issuer: h.issuer,
    number: receipt.code,
    placeDate: placeDateLine(h.place, receipt.at),
    title: 'Giấy biên nhận',
    subtitle: 'Thông tin, tài liệu, bằng chứng',
    blocks: [
      { kind: 'p', text: `Vào lúc ${formatDateTime(receipt.at)}, tại ${where(c, unit?.connectionPoints ?? [])}, ${h.issuer.unit} đã nhận của:` },
      ...citizenFields(c),
      { kind: 'p', text: 'các thông tin, tài liệu, bằng chứng sau đây:' },
      {
        kind: 'table',
        header: ['STT', 'Tên thông tin, tài liệu, bằng chứng', 'Số trang / số lượng', 'Bản gốc / bản sao', 'Tình trạng'],
        rows: receipt.items.map((item, i) => [String(i + 1), item.name, String(item.pages), DOCUMENT_FORM_LABELS[item.form].vi, item.condition ?? '']),
        widths: [8, 44, 16, 16, 16],
      },
      { kind: 'p', text: 'Người cung cấp thông tin, tài liệu, bằng chứng chịu trách nhiệm về tính chính xác của thông tin, tài liệu, bằng chứng đã cung cấp.' },
      { kind: 'p', text: `Giấy biên nhận được lập thành 02 bản, công dân giữ 01 bản, ${h.issuer.unit} giữ 01 bản. Vụ việc số ${c.registerNumber}/${c.registerYear} trong Sổ tiếp công dân.` },
    ],
    signers: [
      { title: 'Người cung cấp', name: c.citizen.fullName, note: confirmed },
      { title: 'Người nhận', name: receipt.receivedBy },
    ],
    recipients: ['Công dân', 'Lưu: hồ sơ vụ việc'],
  };
}

export function refusalNoticePaper(c: ReceptionCase, unit: UnitConfig | undefined): Paper {
  const notice = c.refusal!.notice!;
  const h = heading(unit, c.unit);
  return {
    issuer: h.issuer,
    number: notice.code,
    placeDate: placeDateLine(h.place, notice.at),
    title: 'Thông báo',
    subtitle: 'Về việc từ chối tiếp công dân',
    blocks: [
      { kind: 'p', text: `Căn cứ khoản 3 Điều 9 Luật Tiếp công dân năm 2013, ${h.issuer.unit} thông báo đến:` },
      ...citizenFields(c),
      { kind: 'field', label: 'Nội dung vụ việc', value: c.summary },
      {
        kind: 'p',
        text: `Vụ việc đã được ${notice.settled.agency} giải quyết đúng chính sách, pháp luật bằng ${notice.settled.document} số ${notice.settled.number} ngày ${isoDateToVi(notice.settled.date)}; công dân đã được tiếp, giải thích, hướng dẫn và trả lời.`,
      },
      { kind: 'p', text: `Lý do từ chối: ${c.refusal!.reason}.` },
      { kind: 'p', text: `Căn cứ: ${REFUSAL_GROUND_LABELS.art9_cl3.vi}.` },
      { kind: 'p', text: 'Cơ quan không tiếp công dân đối với vụ việc nêu trên. Công dân có trách nhiệm chấp hành quyết định giải quyết đã có hiệu lực pháp luật.' },
    ],
    signers: [{ title: 'Chủ tịch', name: notice.signer, note: '(Ký, ghi rõ họ tên, đóng dấu)' }],
    recipients: ['Công dân', notice.settled.agency, 'Lưu: VT, hồ sơ vụ việc'],
  };
}

export function recordPaper(c: ReceptionCase, unit: UnitConfig | undefined): Paper {
  const h = heading(unit, c.unit);
  const blocks: Block[] = [
    { kind: 'field', label: 'Thời gian', value: formatDateTime(c.openedAt) },
    { kind: 'field', label: 'Địa điểm', value: where(c, unit?.connectionPoints ?? []) },
    { kind: 'field', label: 'Loại vụ việc', value: `${MATTER_KIND_LABELS[c.kind].vi}; số người cùng nội dung: ${c.groupSize}` },
    ...citizenFields(c),
    {
      kind: 'field',
      label: 'Kiểm tra nhân thân',
      value: c.identity ? (c.identity.verified ? `Đã đối chiếu, đúng (lúc ${formatDateTime(c.identity.at)})` : `Có khác biệt: ${c.identity.differences ?? ''}`) : 'Chưa kiểm tra',
    },
  ];
  for (const helper of c.helpers) {
    const role = helper.role === 'representative' ? 'Người đại diện' : HELPER_ROLE_LABELS[helper.role].vi;
    blocks.push({ kind: 'field', label: role, value: `${helper.fullName}; ${helper.document.kind}${helper.document.number ? ` số ${helper.document.number}` : ''}; ${helper.verified ? 'đã kiểm tra, hợp lệ' : `không hợp lệ: ${helper.differences ?? ''}`}` });
  }
  if (c.previousHandling.length) blocks.push({ kind: 'field', label: 'Cơ quan đã giải quyết', value: c.previousHandling.join('; ') });
  blocks.push({ kind: 'p', text: 'Nội dung công dân trình bày:', bold: true });
  blocks.push({ kind: 'p', text: c.confirmation?.text ?? c.content?.text ?? c.summary });
  if (c.confirmation) {
    blocks.push({ kind: 'p', italic: true, text: `Công dân đã xác nhận nội dung (${c.confirmation.mode === 'screen' ? 'trên màn hình' : 'bằng lời nói, được ghi hình'}) lúc ${formatDateTime(c.confirmation.at)}; mã SHA-256: ${c.confirmation.sha256}.` });
  }
  if (c.receipt) blocks.push({ kind: 'field', label: 'Tài liệu, bằng chứng đã nhận', value: `${c.receipt.items.length} mục, Giấy biên nhận số ${c.receipt.code}` });
  if (c.handling) {
    const hd = c.handling;
    const detail = hd.outcome === 'accepted' ? '' : ` — ${hd.agency}, văn bản số ${hd.documentNumber}`;
    blocks.push({ kind: 'field', label: 'Phân loại, xử lý', value: `${CASE_OUTCOME_LABELS[hd.outcome].vi}${detail}` });
    blocks.push({ kind: 'field', label: 'Trả lời', value: `${ANSWER_MODE_LABELS[hd.answer.mode].vi}${hd.answer.due ? ` (hạn ${isoDateToVi(hd.answer.due)})` : ''}${hd.answer.text ? `: ${hd.answer.text}` : ''}` });
  }
  for (const d of c.directions) blocks.push({ kind: 'field', label: 'Ý kiến chỉ đạo', value: `${d.to}: ${d.what} (hạn ${isoDateToVi(d.deadline)})` });
  if (c.refusal) blocks.push({ kind: 'field', label: 'Từ chối tiếp', value: `${REFUSAL_GROUND_LABELS[c.refusal.ground].vi}. Lý do: ${c.refusal.reason}` });
  return {
    issuer: h.issuer,
    number: `${c.registerNumber}/${c.registerYear}/PGND`,
    placeDate: placeDateLine(h.place, c.closedAt ?? c.updatedAt),
    title: 'Phiếu ghi nội dung tiếp công dân',
    blocks,
    signers: [
      { title: 'Công dân', name: c.citizen.fullName, note: c.confirmation ? `Đã xác nhận lúc ${formatDateTime(c.confirmation.at)}` : '(Ký, ghi rõ họ tên)' },
      { title: 'Người tiếp công dân', name: c.receipt?.receivedBy ?? c.openedBy },
    ],
    recipients: ['Lưu: hồ sơ vụ việc'],
  };
}

/** The paper of a kind, or undefined when the case has none yet (no receipt, no written refusal). */
/** The paper of a case, with the recording's evidence once it is finalized (papers/evidence.ts). */
export function paperOf(kind: PaperKind, c: ReceptionCase, unit: UnitConfig | undefined, evidence?: PaperEvidence | null): Paper | undefined {
  const paper = kind === 'receipt' ? (c.receipt ? receiptPaper(c, unit) : undefined) : kind === 'refusal-notice' ? (c.refusal?.notice ? refusalNoticePaper(c, unit) : undefined) : recordPaper(c, unit);
  if (paper && evidence) paper.blocks.push(...evidenceBlocks(evidence));
  return paper;
}
