/**
 * The papers of a reception read back as a person's tools read them: .docx through mammoth (text) and its XML
 * (A4, Times New Roman, the motto bold and underlined), PDF through poppler's pdftotext (selectable text) and
 * pdffonts (the Vietnamese font embedded). Every string is the right Vietnamese, accented and NFC.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import mammoth from 'mammoth';
import { getJson, removeDir, startServer, token, UNIT, type TestServer } from './helpers.js';
import { BODIES, as, caseAt, citizenToken, openCase } from './desk-helpers.js';

const run = promisify(execFile);
let t: TestServer;
const work = mkdtempSync(join(tmpdir(), 'tiepdan-papers-'));
before(async () => {
  t = await startServer({
    units: [
      {
        code: UNIT,
        name: 'UBND phường Sa Đéc',
        provinceCode: '82',
        communes: [{ code: '29869', name: 'Phường Sa Đéc' }],
        connectionPoints: [{ id: 'sadec-ubnd', name: 'Trụ sở UBND phường Sa Đéc' }],
        papers: { upperBody: 'UBND tỉnh Đồng Tháp', issuer: 'UBND phường Sa Đéc', place: 'Sa Đéc' },
      },
    ],
  });
});
after(async () => {
  await t.close();
  removeDir(t.dataDir);
  removeDir(work);
});

/** "Sa Đéc, ngày 05 tháng 01 năm 2027" for an instant, computed apart from the code under test. */
function dateLine(at: string): string {
  const local = new Date(Date.parse(at) + 7 * 3_600_000);
  const d = local.getUTCDate();
  const m = local.getUTCMonth() + 1;
  return `Sa Đéc, ngày ${d < 10 ? `0${d}` : d} tháng ${m < 3 ? `0${m}` : m} năm ${local.getUTCFullYear()}`;
}

async function download(path: string, bearer: string): Promise<Buffer> {
  const res = await getJson(`${t.api}${path}`, bearer);
  assert.equal(res.status, 200, await res.clone().text());
  return Buffer.from(await res.arrayBuffer());
}

async function docxText(bytes: Buffer): Promise<string> {
  return (await mammoth.extractRawText({ buffer: bytes })).value;
}

async function pdfText(bytes: Buffer, name: string): Promise<{ text: string; fonts: string }> {
  const file = join(work, name);
  writeFileSync(file, bytes);
  const text = (await run('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout;
  const fonts = (await run('pdffonts', [file])).stdout;
  return { text, fonts };
}

const squash = (s: string) => s.replace(/\s+/gu, ' ');

function assertVietnamese(text: string, expected: string[], what: string): void {
  assert.equal(text, text.normalize('NFC'), `${what} is NFC`);
  const flat = squash(text);
  for (const s of expected) assert.ok(flat.includes(s), `${what} has "${s}"`);
}

describe('Form 02 receipt, case record, refusal notice', () => {
  let done: Awaited<ReturnType<typeof caseAt>>;
  before(async () => {
    done = await caseAt(t, 'done');
  });

  test('the receipt as .docx: Decree 30 heading, items, signers; A4, Times New Roman, motto bold underlined', async () => {
    const clerk = await token(t, 'clerk');
    const bytes = await download(`/desk/cases/${done.id}/papers/receipt?format=docx`, clerk);
    const receipt = done.case.receipt;
    assertVietnamese(await docxText(bytes), [
      'UBND TỈNH ĐỒNG THÁP',
      'UBND PHƯỜNG SA ĐÉC',
      `Số: ${receipt.code}`,
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      dateLine(receipt.at),
      'GIẤY BIÊN NHẬN',
      'Thông tin, tài liệu, bằng chứng',
      'Nguyễn Thị Hoa',
      'Căn cước / CCCD (12 số) số 087185001234',
      'Ảnh chụp đoạn đường ngập',
      'Bản gốc',
      'Bản sao',
      'chịu trách nhiệm về tính chính xác',
      'NGƯỜI NHẬN',
      'Cán bộ clerk',
    ], 'receipt.docx');
    const xml = await (await JSZip.loadAsync(bytes)).file('word/document.xml')!.async('string');
    assert.match(xml, /<w:pgSz w:w="11906" w:h="16838"/u, 'A4 portrait');
    assert.match(xml, /w:ascii="Times New Roman"/u);
    const motto = /<w:r>(?:(?!<\/w:r>).)*Độc lập - Tự do - Hạnh phúc<\/w:t><\/w:r>/su.exec(xml)?.[0] ?? '';
    assert.match(motto, /<w:b\/>/u, 'motto bold');
    assert.match(motto, /<w:u w:val="single"\/>/u, 'motto underlined');
  });

  test('the receipt as PDF: selectable text, the font embedded', async () => {
    const bytes = await download(`/desk/cases/${done.id}/papers/receipt?format=pdf`, await token(t, 'chair'));
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
    const { text, fonts } = await pdfText(bytes, 'receipt.pdf');
    assertVietnamese(text, ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', dateLine(done.case.receipt.at), 'GIẤY BIÊN NHẬN', 'Nguyễn Thị Hoa', 'Ảnh chụp đoạn đường ngập', `Số: ${done.case.receipt.code}`], 'receipt.pdf');
    assert.match(fonts, /DejaVuSerif\s+CID TrueType\s+Identity-H\s+yes\s+yes/u, 'embedded subset');
  });

  test('the case record names the confirmed content, the receipt and the handling', async () => {
    const bytes = await download(`/desk/cases/${done.id}/papers/record?format=docx`, await token(t, 'clerk'));
    assertVietnamese(await docxText(bytes), ['PHIẾU GHI NỘI DUNG TIẾP CÔNG DÂN', 'Bà Nguyễn Thị Hoa trình bày', `Giấy biên nhận số ${done.case.receipt.code}`, 'Thụ lý giải quyết', 'Đã đối chiếu, đúng'], 'record.docx');
    const pdf = await pdfText(await download(`/desk/cases/${done.id}/papers/record?format=pdf`, await token(t, 'clerk')), 'record.pdf');
    assertVietnamese(pdf.text, ['PHIẾU GHI NỘI DUNG TIẾP CÔNG DÂN', 'Thụ lý giải quyết', 'mã SHA-256'], 'record.pdf');
    assert.ok(squash(pdf.text).replace(/\s/gu, '').includes(done.case.confirmation.sha256), 'the hash, perhaps wrapped');
  });

  test('the refusal notice (Art. 9 cl.3) signed by the head', async () => {
    const c = await openCase(t);
    const res = await as(t, 'chair', `/desk/cases/${c.id}/refusal-notice`, BODIES.notice);
    const notice = ((await res.json()) as any).case.refusal.notice;
    const expected = ['THÔNG BÁO', 'Về việc từ chối tiếp công dân', `Số: ${notice.code}`, 'khoản 3 Điều 9 Luật Tiếp công dân', 'Quyết định giải quyết khiếu nại lần hai số 123/QĐ-UBND ngày 10/06/2025', 'CHỦ TỊCH', 'Cán bộ chair', dateLine(notice.at)];
    assertVietnamese(await docxText(await download(`/desk/cases/${c.id}/papers/refusal-notice?format=docx`, await token(t, 'chair'))), expected, 'notice.docx');
    assertVietnamese((await pdfText(await download(`/desk/cases/${c.id}/papers/refusal-notice?format=pdf`, await token(t, 'chair')), 'notice.pdf')).text, expected.slice(0, 3), 'notice.pdf');
  });

  test('the citizen downloads their own receipt with their join token, nobody else\'s', async () => {
    const mine = await citizenToken(t, done.reference);
    const { text } = await pdfText(await download(`/desk/cases/${done.id}/citizen-papers/receipt?format=pdf`, mine), 'mine.pdf');
    assert.ok(squash(text).includes('GIẤY BIÊN NHẬN'));
    const other = await citizenToken(t, (await openCase(t)).reference);
    assert.equal((await getJson(`${t.api}/desk/cases/${done.id}/citizen-papers/receipt`, other)).status, 403);
    assert.equal((await getJson(`${t.api}/desk/cases/${done.id}/citizen-papers/record`, mine)).status, 404, 'the record is the board\'s');
  });

  test('a paper the case does not have yet is 404; a bad format is 400; roles without desk.read are 403', async () => {
    const c = await openCase(t);
    assert.equal((await getJson(`${t.api}/desk/cases/${c.id}/papers/receipt`, await token(t, 'clerk'))).status, 404);
    assert.equal((await getJson(`${t.api}/desk/cases/${done.id}/papers/receipt?format=odt`, await token(t, 'clerk'))).status, 422);
    assert.equal((await getJson(`${t.api}/desk/cases/${done.id}/papers/receipt`, await token(t, 'operator'))).status, 403);
  });
});
