/**
 * A paper (paper.ts) as .docx with the `docx` package: A4, Times New Roman 14 pt body (13 pt in tables), margins
 * of Decree 30 (top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm), the header as a borderless two-column table.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  Packer,
  PageOrientation,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  UnderlineType,
  WidthType,
  type IParagraphOptions,
} from 'docx';
import { NATIONAL_MOTTO, NATIONAL_NAME, type Block, type Paper } from './paper.js';

const FONT = 'Times New Roman';
/** Half-points. */
const BODY = 28;
const SMALL = 26;
const MM = 56.7; // twips per millimetre
const NONE = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' } as const;
const NO_BORDERS = { top: NONE, bottom: NONE, left: NONE, right: NONE, insideHorizontal: NONE, insideVertical: NONE } as const;

const run = (text: string, options: { bold?: boolean; italic?: boolean; size?: number; underline?: boolean } = {}) =>
  new TextRun({ text, font: FONT, size: options.size ?? BODY, bold: options.bold, italics: options.italic, ...(options.underline ? { underline: { type: UnderlineType.SINGLE } } : {}) });

const para = (children: TextRun[], options: Omit<IParagraphOptions, 'children'> = {}) => new Paragraph({ children, spacing: { after: 60 }, ...options });

const cell = (children: Paragraph[], width: number) => new TableCell({ children, width: { size: width, type: WidthType.PERCENTAGE }, borders: { top: NONE, bottom: NONE, left: NONE, right: NONE } });

function header(paper: Paper): Table {
  const left = [
    ...(paper.issuer.upper ? [para([run(paper.issuer.upper.toUpperCase(), { size: SMALL })], { alignment: AlignmentType.CENTER, spacing: { after: 0 } })] : []),
    para([run(paper.issuer.unit.toUpperCase(), { bold: true, size: SMALL })], { alignment: AlignmentType.CENTER }),
    para([run(`Số: ${paper.number}`, { size: SMALL })], { alignment: AlignmentType.CENTER }),
  ];
  const right = [
    para([run(NATIONAL_NAME, { bold: true, size: SMALL })], { alignment: AlignmentType.CENTER, spacing: { after: 0 } }),
    para([run(NATIONAL_MOTTO, { bold: true, underline: true })], { alignment: AlignmentType.CENTER }),
    para([run(paper.placeDate, { italic: true })], { alignment: AlignmentType.CENTER }),
  ];
  return new Table({ rows: [new TableRow({ children: [cell(left, 40), cell(right, 60)] })], width: { size: 100, type: WidthType.PERCENTAGE }, borders: NO_BORDERS });
}

function block(b: Block): (Paragraph | Table)[] {
  if (b.kind === 'p') return [para([run(b.text, { bold: b.bold, italic: b.italic })], { alignment: AlignmentType.JUSTIFIED, indent: { firstLine: 10 * MM } })];
  if (b.kind === 'field') return [para([run(`${b.label}: `, { bold: true }), run(b.value)])];
  const border = { style: BorderStyle.SINGLE, size: 4, color: '000000' } as const;
  const row = (cells: string[], bold: boolean) =>
    new TableRow({
      tableHeader: bold,
      children: cells.map((text, i) => new TableCell({ width: { size: b.widths[i] ?? 10, type: WidthType.PERCENTAGE }, children: [para([run(text, { bold, size: SMALL })], { alignment: bold ? AlignmentType.CENTER : AlignmentType.LEFT, spacing: { after: 0 } })] })),
    });
  return [
    new Table({ rows: [row(b.header, true), ...b.rows.map((r) => row(r, false))], width: { size: 100, type: WidthType.PERCENTAGE }, borders: { top: border, bottom: border, left: border, right: border, insideHorizontal: border, insideVertical: border } }),
    para([]),
  ];
}

function signers(paper: Paper): Table {
  const width = Math.floor(100 / Math.max(1, paper.signers.length));
  const cells = paper.signers.map((s) =>
    cell(
      [
        para([run(s.title.toUpperCase(), { bold: true })], { alignment: AlignmentType.CENTER, spacing: { after: 0 } }),
        para([run(s.note ?? '(Ký, ghi rõ họ tên)', { italic: true, size: SMALL })], { alignment: AlignmentType.CENTER, spacing: { after: 1200 } }),
        para([run(s.name, { bold: true })], { alignment: AlignmentType.CENTER }),
      ],
      width,
    ),
  );
  return new Table({ rows: [new TableRow({ children: cells })], width: { size: 100, type: WidthType.PERCENTAGE }, borders: NO_BORDERS });
}

export async function paperDocx(paper: Paper): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [
    header(paper),
    para([run(paper.title.toUpperCase(), { bold: true })], { alignment: AlignmentType.CENTER, spacing: { before: 240, after: 0 } }),
    ...(paper.subtitle ? [para([run(paper.subtitle, { bold: true })], { alignment: AlignmentType.CENTER, spacing: { after: 240 } })] : []),
    ...paper.blocks.flatMap(block),
    ...(paper.signers.length ? [signers(paper)] : []),
  ];
  if (paper.recipients?.length) {
    children.push(para([run('Nơi nhận:', { bold: true, italic: true, size: 24 })], { spacing: { before: 240, after: 0 } }));
    for (const r of paper.recipients) children.push(para([run(`- ${r};`, { size: 22 })], { spacing: { after: 0 } }));
  }
  const doc = new Document({
    creator: 'tiepdan',
    title: paper.title,
    styles: { default: { document: { run: { font: FONT, size: BODY } } } },
    sections: [
      {
        properties: {
          page: {
            // A4 in twips; docx swaps the sides itself for landscape.
            size: { width: 11906, height: 16838, orientation: paper.landscape ? PageOrientation.LANDSCAPE : PageOrientation.PORTRAIT },
            margin: { top: 20 * MM, bottom: 20 * MM, left: 30 * MM, right: 15 * MM },
          },
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc);
}
