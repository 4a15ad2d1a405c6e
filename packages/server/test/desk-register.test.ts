/**
 * The reception register (Form 03) over real HTTP and SQLite: every case one line in the 12 columns, numbered per
 * unit and year; in-person entries by hand; filters; the .xlsx read back with exceljs, the CSV with its BOM, the
 * landscape .docx and the PDF (pdftotext); a denouncer redacted in every view and export for roles without the right; the legal
 * deadlines due and overdue; the National Database JSON and file drop.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import mammoth from 'mammoth';
import { OFFICIAL_ROLES, REGISTER_COLUMN_LABELS, REGISTER_COLUMNS, can } from '@tiepdan/core';
import { denunciation, getJson, removeDir, startServer, token, type TestServer } from './helpers.js';
import { BODIES, as, caseAt, openCase, submitted } from './desk-helpers.js';

const run = promisify(execFile);
let t: TestServer;
let accepted: Awaited<ReturnType<typeof caseAt>>;
let denounced: Awaited<ReturnType<typeof caseAt>>;
let inPerson: any;
const RECEIVED_ON = '2026-11-20';

before(async () => {
  t = await startServer();
  accepted = await caseAt(t, 'done');
  const refused = await openCase(t);
  assert.equal((await as(t, 'chair', `/desk/cases/${refused.id}/refusal-notice`, BODIES.notice)).status, 200);
  denounced = await caseAt(t, 'handling', await submitted(t, denunciation()));
  const res = await as(t, 'clerk', '/register/entries', {
    kind: 'khieu_nai',
    citizen: { fullName: 'Lê Thị Mai', address: 'Khóm 4, phường Sa Đéc', idType: 'cccd', idNumber: '087186009876' },
    summary: '=HYPERLINK("http://x") khiếu nại quyết định thu hồi đất',
    groupSize: 3,
    previousHandling: ['UBND phường Sa Đéc, Quyết định 12/QĐ-UBND'],
    receivedOn: RECEIVED_ON,
    handling: { outcome: 'accepted', answer: { mode: 'later', due: '2026-12-20' } },
    notes: 'Tiếp trực tiếp tại trụ sở',
  });
  assert.equal(res.status, 201, await res.clone().text());
  inPerson = ((await res.json()) as any).entry;
});
after(async () => {
  await t.close();
  removeDir(t.dataDir);
});

const lines = async (query = '', role: Parameters<typeof token>[1] = 'clerk') => {
  const res = await getJson(`${t.api}/register${query}`, await token(t, role));
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { entries: any[] }).entries;
};

describe('the register', () => {
  test('every case is one line in the 12 columns, numbered per unit and year', async () => {
    const all = await lines();
    assert.equal(all.length, 4);
    assert.deepEqual(all.map((e) => Number(e.number)), [...all.map((e) => Number(e.number))].sort((a, b) => a - b));
    const line = all.find((e) => e.caseId === accepted.id)!;
    for (const column of REGISTER_COLUMNS) assert.equal(typeof line[column], 'string', column);
    assert.equal(line.nameAddress, 'Nguyễn Thị Hoa, Số 12 đường Hùng Vương, khóm 3, Phường Sa Đéc');
    assert.equal(line.idPaper, '087185001234');
    assert.equal(line.kindAndCount, 'Kiến nghị; 1 người');
    assert.equal(line.accepted, 'x');
    assert.equal(line.returned, '');
    assert.equal(line.followUp, 'Chờ kết quả khảo sát');
    assert.equal(inPerson.date, '20/11/2026');
    assert.equal(inPerson.previousHandling, 'UBND phường Sa Đéc, Quyết định 12/QĐ-UBND');
    assert.equal(inPerson.kindAndCount, 'Khiếu nại; 3 người');
    const refused = all.find((e) => e.outcome === 'refused')!;
    assert.match(refused.notes, /^Từ chối tiếp \(khoản 3 Điều 9\)/u);
  });

  test('filters: date range, kind, outcome, connection point', async () => {
    assert.deepEqual((await lines(`?from=${RECEIVED_ON}&to=${RECEIVED_ON}`)).map((e) => e.caseId), [inPerson.caseId]);
    assert.deepEqual((await lines('?kind=to_cao')).map((e) => e.caseId), [denounced.id]);
    assert.deepEqual((await lines('?outcome=accepted')).map((e) => e.caseId).sort(), [accepted.id, inPerson.caseId].sort());
    assert.equal((await lines('?pointId=sadec-ubnd')).length, 3, 'the in-person entry has no connection point');
    assert.equal((await getJson(`${t.api}/register?kind=other`, await token(t, 'clerk'))).status, 422);
    assert.equal((await getJson(`${t.api}/register?from=2026-02-30`, await token(t, 'clerk'))).status, 422);
  });

  test('the .xlsx reads back with exceljs: 12 columns and the right values', async () => {
    const res = await getJson(`${t.api}/register/export?format=xlsx`, await token(t, 'chair'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /spreadsheetml/u);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const sheet = workbook.getWorksheet('Sổ tiếp công dân')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    assert.deepEqual(header, REGISTER_COLUMNS.map((c) => REGISTER_COLUMN_LABELS[c].vi));
    assert.equal(sheet.rowCount, 5);
    const row = (sheet.getRow(2).values as unknown[]).slice(1);
    assert.equal(row.length, 12);
    const expected = (await lines('', 'chair'))[0]!;
    assert.deepEqual(row, REGISTER_COLUMNS.map((c) => expected[c]));
    const mai = sheet.getRow(5).values as unknown[];
    assert.equal(mai[5], `'=HYPERLINK("http://x") khiếu nại quyết định thu hồi đất`, 'a formula-looking cell is neutralised');
  });

  test('CSV with a UTF-8 BOM, and the landscape .docx', async () => {
    const csv = Buffer.from(await (await getJson(`${t.api}/register/export?format=csv`, await token(t, 'clerk'))).arrayBuffer());
    assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const text = csv.toString('utf8').slice(1);
    assert.equal(text, text.normalize('NFC'));
    assert.ok(text.startsWith(`"STT","Ngày tiếp","Họ tên, địa chỉ"`));
    assert.equal(text.split('\r\n').filter(Boolean).length, 5);
    assert.ok(text.includes('"Lê Thị Mai, Khóm 4, phường Sa Đéc"'));

    const docx = Buffer.from(await (await getJson(`${t.api}/register/export?format=docx&from=2026-01-01`, await token(t, 'clerk'))).arrayBuffer());
    const xml = await (await JSZip.loadAsync(docx)).file('word/document.xml')!.async('string');
    assert.match(xml, /w:orient="landscape"/u);
    const words = (await mammoth.extractRawText({ buffer: docx })).value;
    for (const s of ['SỔ TIẾP CÔNG DÂN', 'Từ ngày 01/01/2026', 'Theo dõi kết quả giải quyết', 'Lê Thị Mai', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM']) assert.ok(words.includes(s), s);
  });

  test('the printed book as PDF: landscape A4, DejaVu Serif embedded, the 12 column headings and the lines read back with pdftotext', async () => {
    const res = await getJson(`${t.api}/register/export?format=pdf&from=2026-01-01`, await token(t, 'clerk'));
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.match(res.headers.get('content-disposition') ?? '', /filename="so-tiep-cong-dan-dongthap\.sadec\.pdf"/u);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    const file = join(t.dataDir, 'register.pdf');
    writeFileSync(file, bytes);
    const text = (await run('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout;
    assert.equal(text, text.normalize('NFC'));
    const flat = text.replace(/\s+/gu, ' ');
    for (const s of ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'SỔ TIẾP CÔNG DÂN', 'Từ ngày 01/01/2026', 'Lê Thị Mai', 'Nguyễn Thị Hoa', 'Kiến nghị; 1 người', '20/11/2026']) assert.ok(flat.includes(s), `the register PDF has "${s}":\n${text}`);
    // Headings wrap inside their cells: each word of each of the 12 headings is on the page.
    for (const c of REGISTER_COLUMNS) for (const word of REGISTER_COLUMN_LABELS[c].vi.split(/\s+/u)) assert.ok(flat.includes(word), `heading "${REGISTER_COLUMN_LABELS[c].vi}"`);
    const fonts = (await run('pdffonts', [file])).stdout;
    assert.match(fonts, /DejaVuSerif\s+CID TrueType\s+Identity-H\s+yes\s+yes/u, 'the font is embedded (subset)');
    const info = (await run('pdfinfo', [file])).stdout;
    assert.match(info, /Page size:\s+841\.89 x 595\.28 pts \(A4\)/u, 'landscape A4');
  });

  test("a denouncer's identity is redacted in every view and export for roles without the right", async () => {
    const name = 'Trần Văn Bình';
    const mine = (await lines('?kind=to_cao', 'clerk'))[0]!;
    assert.ok(mine.nameAddress.startsWith(name), 'the clerk handling it sees it');
    const theirs = (await lines('?kind=to_cao', 'official'))[0]!;
    assert.equal(theirs.redacted, true);
    assert.ok(!theirs.nameAddress.includes(name));
    const official = await token(t, 'official');
    for (const format of ['xlsx', 'csv', 'docx', 'pdf']) {
      const bytes = Buffer.from(await (await getJson(`${t.api}/register/export?format=${format}`, official)).arrayBuffer());
      const text =
        format === 'xlsx' ? await xlsxText(bytes)
        : format === 'docx' ? (await mammoth.extractRawText({ buffer: bytes })).value
        : format === 'pdf' ? (writeFileSync(join(t.dataDir, 'redacted.pdf'), bytes), (await run('pdftotext', ['-enc', 'UTF-8', join(t.dataDir, 'redacted.pdf'), '-'])).stdout.normalize('NFC').replace(/\s+/gu, ' '))
        : bytes.toString('utf8');
      assert.ok(!text.includes(name) && !text.includes('087090004567'), `${format} redacted`);
      assert.ok(text.includes('Người tố cáo'), `${format} says who is redacted`);
    }
    const json = (await (await getJson(`${t.api}/register/national.json`, official)).json()) as any;
    assert.ok(!JSON.stringify(json).includes(name));
  });

  test('roles: reading the register and entering by hand', async () => {
    for (const role of OFFICIAL_ROLES) {
      assert.equal((await getJson(`${t.api}/register`, await token(t, role))).status, can(role, 'register.read') ? 200 : 403, `${role} reads`);
      const res = await as(t, role, '/register/entries', { kind: 'phan_anh', citizen: { fullName: 'Phạm Văn Đồng' }, summary: 'Phản ánh đèn đường', receivedOn: '2026-11-21' });
      assert.equal(res.status, can(role, 'register.write') ? 201 : 403, `${role} writes`);
    }
  });

  test('an entry by hand names its bad fields and stores nothing', async () => {
    const count = () => t.count('SELECT COUNT(*) FROM reception_cases');
    const before = await count();
    let res = await as(t, 'clerk', '/register/entries', { citizen: { fullName: '' }, summary: 'x' });
    assert.equal(res.status, 422);
    assert.deepEqual(((await res.json()) as any).error.fields.map((f: any) => f.path).sort(), ['citizen.fullName', 'kind', 'receivedOn']);
    res = await as(t, 'clerk', '/register/entries', { kind: 'khieu_nai', citizen: { fullName: 'A' }, summary: 'x', receivedOn: '2026-11-21', handling: { outcome: 'transferred', answer: { mode: 'at_once' } } });
    assert.deepEqual(((await res.json()) as any).error.fields.map((f: any) => f.path).sort(), ['handling.agency', 'handling.documentNumber']);
    assert.equal(await count(), before);
  });
});

async function xlsxText(bytes: Buffer): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as never);
  const out: string[] = [];
  workbook.eachSheet((sheet) => sheet.eachRow((row) => out.push(JSON.stringify(row.values))));
  return out.join('\n');
}

describe('follow-up and deadlines', () => {
  test('a complaint accepted on 20/11 is due to be settled by 20/12: upcoming, due, overdue, then met', async () => {
    const at = async (on: string) => ((await (await getJson(`${t.api}/register/deadlines?on=${on}`, await token(t, 'clerk'))).json()) as any).deadlines.filter((d: any) => d.caseId === inPerson.caseId);
    assert.deepEqual((await at('2026-11-25')).map((d: any) => [d.step, d.due, d.latest, d.status]), [['settle', '2026-12-20', '2027-01-19', 'upcoming']]);
    assert.equal((await at('2026-12-17'))[0].status, 'due');
    assert.equal((await at('2026-12-21'))[0].status, 'overdue');
    const res = await as(t, 'clerk', `/register/entries/${inPerson.caseId}/follow-up`, { followUp: 'Đã ban hành Quyết định giải quyết khiếu nại số 200/QĐ-UBND', settledOn: '2026-12-18' });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(((await res.json()) as any).entry.followUp, 'Đã ban hành Quyết định giải quyết khiếu nại số 200/QĐ-UBND');
    assert.deepEqual(await at('2026-12-21'), [], 'settled: nothing due');
    assert.equal((await as(t, 'official', `/register/entries/${inPerson.caseId}/follow-up`, { followUp: 'x' })).status, 403);
  });

  test('a denunciation accepted has 30 days, extendable twice by 30', async () => {
    const res = await as(t, 'clerk', `/desk/cases/${denounced.id}/handling`, BODIES.handling);
    assert.equal(res.status, 200);
    const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
    const found = ((await (await getJson(`${t.api}/register/deadlines?on=${today}`, await token(t, 'clerk'))).json()) as any).deadlines.find((d: any) => d.caseId === denounced.id);
    const plus = (days: number) => new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    assert.deepEqual([found.step, found.due, found.latest, found.status], ['settle', plus(30), plus(90), 'upcoming']);
  });
});

describe('the National Database', () => {
  test('a documented JSON export and a file drop', async () => {
    const json = (await (await getJson(`${t.api}/register/national.json?kind=khieu_nai`, await token(t, 'chair'))).json()) as any;
    assert.equal(json.format, 'tiepdan-national-export/1');
    assert.equal(json.unit, 'dongthap.sadec');
    assert.deepEqual(json.cases.map((c: any) => c.caseId), [inPerson.caseId]);
    assert.equal(json.cases[0].registerNumber, Number(inPerson.number));
    const res = await as(t, 'chair', '/register/national/drop', {});
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as any).delivered, 6);
    const dir = join(t.dataDir, 'national-db');
    const files = readdirSync(dir);
    assert.equal(files.length, 1);
    assert.ok(files[0]!.endsWith('.json'));
    assert.equal(JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')).cases.length, 6);
  });
});

describe('the .docx export is bounded (the docx package holds the whole book in memory)', () => {
  test('above desk.docxMaxLines the .docx is refused with a 422 naming the remedy, before anything is built; .xlsx still exports', async () => {
    const small = await startServer({ desk: { docxMaxLines: 1 } });
    try {
      await openCase(small);
      const docx = async () => getJson(`${small.api}/register/export?format=docx`, await token(small, 'clerk'));
      assert.equal((await docx()).status, 200, 'one line: at the limit');
      await openCase(small);
      const refused = await docx();
      assert.equal(refused.status, 422);
      const body = (await refused.json()) as { error: { code: string; fields: { path: string; code: string; message: { vi: string; en: string } }[] } };
      assert.equal(body.error.code, 'validation_failed');
      assert.deepEqual(body.error.fields.map((f) => [f.path, f.code]), [['format', 'docx_lines']]);
      assert.match(body.error.fields[0]!.message.vi, /khoảng thời gian ngắn hơn, hoặc tải tệp Excel \(\.xlsx\)/u);
      assert.match(body.error.fields[0]!.message.en, /shorter period, or download the Excel file \(\.xlsx\)/u);
      assert.equal((await getJson(`${small.api}/register/export?format=xlsx`, await token(small, 'clerk'))).status, 200);
    } finally {
      await small.close();
      removeDir(small.dataDir);
    }
  });
});
