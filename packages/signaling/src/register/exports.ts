/**
 * The register's exports in the 12 columns of Form 03 (SPEC §5): .xlsx (exceljs) for the board's own sums,
 * .docx as printed books are (a landscape table under the Decree 30 heading), CSV with a UTF-8 BOM so Excel opens
 * the Vietnamese right. Cells that a spreadsheet would run as a formula are prefixed, since a citizen's text
 * reaches them.
 */
import ExcelJS from 'exceljs';
import { REGISTER_COLUMN_LABELS, REGISTER_COLUMNS, type RegisterEntry } from '@tiepdan/core';
import type { UnitConfig } from '../config/schema.js';
import { paperDocx } from '../desk/papers/docx.js';
import { placeDateLine, type Paper } from '../desk/papers/paper.js';

export const SHEET_NAME = 'Sổ tiếp công dân';
/** Relative widths of the 12 columns in the printed book (percent). */
const WIDTHS = [4, 7, 12, 9, 16, 8, 9, 5, 9, 9, 7, 5];

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

export function registerDocx(entries: RegisterEntry[], unit: UnitConfig | undefined, unitCode: string, period: string, now = new Date()): Promise<Buffer> {
  const name = unit?.papers.issuer ?? unit?.name ?? unitCode;
  const paper: Paper = {
    issuer: { upper: unit?.papers.upperBody, unit: name },
    number: `${now.getFullYear()}/STCD`,
    placeDate: placeDateLine(unit?.papers.place ?? name, now),
    title: 'Sổ tiếp công dân',
    subtitle: period,
    blocks: [{ kind: 'table', header: headers(), rows: entries.map(cells), widths: WIDTHS }],
    signers: [],
    landscape: true,
  };
  return paperDocx(paper);
}
