/**
 * A paper (paper.ts) as PDF with pdfkit and the DejaVu Serif TrueType font from the `dejavu-fonts-ttf` package:
 * generated on any machine with npm packages only, every Vietnamese letter in the embedded font (subset), text
 * selectable and extractable (pdftotext reads it back in the tests). Times New Roman itself cannot be shipped;
 * DejaVu Serif is the closest freely licensed serif with full Vietnamese coverage.
 */
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { NATIONAL_MOTTO, NATIONAL_NAME, type Paper } from './paper.js';

const require = createRequire(import.meta.url);
const REGULAR = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSerif.ttf');
const BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSerif-Bold.ttf');
const ITALIC = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSerif-Italic.ttf');
const BOLD_ITALIC = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSerif-BoldItalic.ttf');

const MM = 72 / 25.4;
const BODY = 13;
const SMALL = 12;

export function paperPdf(paper: Paper): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: paper.landscape ? 'landscape' : 'portrait',
    margins: { top: 20 * MM, bottom: 20 * MM, left: 30 * MM, right: 15 * MM },
    info: { Title: paper.title, Creator: 'tiepdan' },
    // PDF/UA-ish basics: a language for screen readers.
    lang: 'vi-VN',
    bufferPages: false,
  });
  doc.registerFont('r', REGULAR).registerFont('b', BOLD).registerFont('i', ITALIC).registerFont('bi', BOLD_ITALIC);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const leftWidth = width * 0.4;
  const rightX = left + leftWidth;
  const rightWidth = width - leftWidth;
  const top = doc.y;

  // Header: two columns drawn from the same top.
  let y = top;
  if (paper.issuer.upper) {
    doc.font('r').fontSize(SMALL).text(paper.issuer.upper.toUpperCase(), left, y, { width: leftWidth, align: 'center' });
    y = doc.y;
  }
  doc.font('b').fontSize(SMALL).text(paper.issuer.unit.toUpperCase(), left, y, { width: leftWidth, align: 'center' });
  doc.font('r').fontSize(SMALL).text(`Số: ${paper.number}`, left, doc.y + 4, { width: leftWidth, align: 'center' });
  const leftBottom = doc.y;
  doc.font('b').fontSize(SMALL).text(NATIONAL_NAME, rightX, top, { width: rightWidth, align: 'center' });
  doc.font('b').fontSize(BODY).text(NATIONAL_MOTTO, rightX, doc.y, { width: rightWidth, align: 'center', underline: true });
  doc.font('i').fontSize(BODY).text(paper.placeDate, rightX, doc.y + 6, { width: rightWidth, align: 'center' });
  doc.y = Math.max(leftBottom, doc.y) + 18;

  doc.font('b').fontSize(BODY + 1).text(paper.title.toUpperCase(), left, doc.y, { width, align: 'center' });
  if (paper.subtitle) doc.font('b').fontSize(BODY).text(paper.subtitle, left, doc.y, { width, align: 'center' });
  doc.moveDown();

  for (const block of paper.blocks) {
    if (block.kind === 'p') {
      doc.font(block.bold ? (block.italic ? 'bi' : 'b') : block.italic ? 'i' : 'r').fontSize(BODY).text(block.text, left, doc.y, { width, align: 'justify', indent: 10 * MM });
    } else if (block.kind === 'field') {
      doc.font('b').fontSize(BODY).text(`${block.label}: `, left, doc.y, { width, continued: true }).font('r').text(block.value);
    } else {
      const widths = block.widths.map((w) => (w / 100) * width);
      const size = block.pdfSize ?? SMALL - 1;
      const drawRow = (cells: string[], bold: boolean) => {
        doc.font(bold ? 'b' : 'r').fontSize(size);
        const heights = cells.map((text, i) => doc.heightOfString(text, { width: widths[i]! - 6 }));
        const h = Math.max(...heights) + 6;
        if (doc.y + h > doc.page.height - doc.page.margins.bottom) {
          doc.addPage();
          // A long table (the register) keeps its column headings on every page, as a printed book does.
          if (!bold) drawRow(block.header, true);
          doc.font(bold ? 'b' : 'r').fontSize(size);
        }
        const rowY = doc.y;
        let x = left;
        cells.forEach((text, i) => {
          doc.rect(x, rowY, widths[i]!, h).stroke();
          doc.text(text, x + 3, rowY + 3, { width: widths[i]! - 6, align: bold ? 'center' : 'left' });
          x += widths[i]!;
        });
        doc.y = rowY + h;
      };
      drawRow(block.header, true);
      for (const row of block.rows) drawRow(row, false);
      doc.x = left;
    }
    doc.moveDown(0.3);
  }

  doc.moveDown();
  if (doc.y + 120 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  const signY = doc.y;
  const signWidth = width / Math.max(1, paper.signers.length);
  paper.signers.forEach((s, i) => {
    const x = left + i * signWidth;
    doc.font('b').fontSize(BODY).text(s.title.toUpperCase(), x, signY, { width: signWidth, align: 'center' });
    doc.font('i').fontSize(SMALL - 1).text(s.note ?? '(Ký, ghi rõ họ tên)', x, doc.y, { width: signWidth, align: 'center' });
    doc.font('b').fontSize(BODY).text(s.name, x, doc.y + 50, { width: signWidth, align: 'center' });
  });
  doc.x = left;
  if (paper.recipients?.length) {
    doc.moveDown();
    doc.font('bi').fontSize(SMALL).text('Nơi nhận:', left, doc.y, { width });
    for (const r of paper.recipients) doc.font('r').fontSize(SMALL - 1).text(`- ${r};`, left, doc.y, { width });
  }
  doc.end();
  return done;
}
