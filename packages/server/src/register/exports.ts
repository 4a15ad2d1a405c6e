/**
 * The register's exports in the 12 columns of Form 03 (SPEC §5): .xlsx (exceljs) for the board's own sums,
 * .docx as printed books are (a landscape table under the Decree 30 heading), CSV with a UTF-8 BOM so Excel opens
 * the Vietnamese right, and PDF with the papers' embedded font. Cells that a spreadsheet would run as a formula are prefixed, since a citizen's text
 * reaches them.
 */
import ExcelJS from 'exceljs';
import { REGISTER_COLUMN_LABELS, REGISTER_COLUMNS, type RegisterEntry } from '@tiepdan/core';
import type { UnitConfig } from '../config/schema.js';
import { paperDocx } from '../desk/papers/docx.js';
import { paperPdf } from '../desk/papers/pdf.js';
import { placeDateLine, type Paper } from '../desk/papers/paper.js';

export const SHEET_NAME = 'Sổ tiếp công dân';
/** Relative widths of the 12 columns in the printed book (percent). */
const WIDTHS = [4, 8, 12, 10, 16, 8, 9, 4, 9, 9, 7, 4];

const headers = () => REGISTER_COLUMNS.map((c) => REGISTER_COLUMN_LABELS[c].vi);
const cells = (e: RegisterEntry) => REGISTER_COLUMNS.map((c) => e[c]);

/** OWASP's CSV-injection rule: a leading = + - @ tab or CR makes a spreadsheet evaluate the cell. */
export function safeCell(value: string): string {
  return /^[=+\-@\t\r]/u.test(value) ? `'${value}` : value;
}

export async function registerXlsx(entries: RegisterEntry[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'tiepdan';
  const sheet = workbook.addWorksheet(SHEET_NAME, { pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 }, views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = REGISTER_COLUMNS.map((key, i) => ({ key, header: headers()[i]!, width: Math.max(6, WIDTHS[i]! * 2.2) }));
  sheet.getRow(1).font = { bold: true, name: 'Times New Roman', size: 12 };
  sheet.getRow(1).alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
  for (const entry of entries) {
    const row = sheet.addRow(cells(entry).map(safeCell));
    row.alignment = { wrapText: true, vertical: 'top' };
    row.font = { name: 'Times New Roman', size: 12 };
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export function registerCsv(entries: RegisterEntry[]): Buffer {
  const quote = (value: string) => `"${safeCell(value).replaceAll('"', '""')}"`;
  const lines = [headers(), ...entries.map(cells)].map((row) => row.map(quote).join(','));
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

/** The printed book as one paper (Decree 30 heading, a landscape table), for the .docx and the PDF alike. */
export function registerPaper(entries: RegisterEntry[], unit: UnitConfig | undefined, unitCode: string, period: string, now = new Date()): Paper {
  const name = unit?.papers.issuer ?? unit?.name ?? unitCode;
  return {
    issuer: { upper: unit?.papers.upperBody, unit: name },
    number: `${now.getFullYear()}/STCD`,
    placeDate: placeDateLine(unit?.papers.place ?? name, now),
    title: 'Sổ tiếp công dân',
    subtitle: period,
    blocks: [{ kind: 'table', header: headers(), rows: entries.map(cells), widths: WIDTHS, pdfSize: 8 }],
    signers: [],
    landscape: true,
  };
}

export function registerDocx(entries: RegisterEntry[], unit: UnitConfig | undefined, unitCode: string, period: string, now = new Date()): Promise<Buffer> {
  return paperDocx(registerPaper(entries, unit, unitCode, period, now));
}

/** The book as PDF (pdfkit, DejaVu Serif embedded as the other papers): pages stream out, the header row repeats on each. */
export function registerPdf(entries: RegisterEntry[], unit: UnitConfig | undefined, unitCode: string, period: string, now = new Date()): Promise<Buffer> {
  return paperPdf(registerPaper(entries, unit, unitCode, period, now));
}
