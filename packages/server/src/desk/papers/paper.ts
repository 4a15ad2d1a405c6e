/**
 * One model of an administrative paper (Decree 30/2020/NĐ-CP, SPEC §9), rendered both as .docx (docx.ts) and as
 * PDF (pdf.ts), so the two formats cannot drift apart: issuing body top left (the body above, the unit below in
 * bold), the national motto top right, number and symbol, place and date, the kind of paper in capitals, the
 * body, the signers, the recipients.
 */
import { TIME_ZONE } from '@tiepdan/core';

export const NATIONAL_NAME = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM';
export const NATIONAL_MOTTO = 'Độc lập - Tự do - Hạnh phúc';

export type Block =
  | { kind: 'p'; text: string; bold?: boolean; italic?: boolean }
  /** Label in bold, then the value: "Họ và tên: Nguyễn Thị Hoa". */
  | { kind: 'field'; label: string; value: string }
  /** `pdfSize`: the PDF's point size for a wide table (the register's 12 columns need 8 pt to keep a date or an ID number on one line). */
  | { kind: 'table'; header: string[]; rows: string[][]; widths: number[]; pdfSize?: number };

export interface Signer {
  title: string;
  name: string;
  /** "(Ký, ghi rõ họ tên)" or "(Đã xác nhận trực tuyến lúc …)". */
  note?: string;
}

export interface Paper {
  issuer: { upper?: string | undefined; unit: string };
  /** After "Số:", e.g. "1/GBN-TCD". */
  number: string;
  /** "Sa Đéc, ngày 15 tháng 12 năm 2026". */
  placeDate: string;
  title: string;
  subtitle?: string;
  blocks: Block[];
  signers: Signer[];
  recipients?: string[];
  landscape?: boolean;
}

/**
 * The date line of Decree 30 (Annex I): days below 10 and months below 3 take a leading zero; the date is the
 * one in Vietnam, whatever the server's zone.
 */
export function placeDateLine(place: string, at: string | Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, day: 'numeric', month: 'numeric', year: 'numeric' }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const day = get('day');
  const month = get('month');
  return `${place}, ngày ${String(day).padStart(2, '0')} tháng ${month < 3 ? String(month).padStart(2, '0') : month} năm ${get('year')}`;
}

/** Every string of the paper, NFC, in reading order: what a reader of either format must find. */
export function paperText(paper: Paper): string[] {
  const out = [paper.issuer.upper ?? '', paper.issuer.unit, `Số: ${paper.number}`, NATIONAL_NAME, NATIONAL_MOTTO, paper.placeDate, paper.title, paper.subtitle ?? ''];
  for (const block of paper.blocks) {
    if (block.kind === 'table') out.push(...block.header, ...block.rows.flat());
    else if (block.kind === 'field') out.push(`${block.label}: ${block.value}`);
    else out.push(block.text);
  }
  for (const s of paper.signers) out.push(s.title, s.name);
  return out.filter(Boolean).map((s) => s.normalize('NFC'));
}
