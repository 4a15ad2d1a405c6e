import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RULES, parseRegistration, registrationErrors, representativeLimits } from '../src/index.js';
import { validRegistration } from './fixtures.js';

const paths = (input: unknown) => registrationErrors(input).map((e) => `${e.path}:${e.code}`);

test('a valid complaint parses and is normalised (NFC, E.164, tidy names)', () => {
  const input = validRegistration();
  input.identity.fullName = '  Nguyễn   Văn An '.normalize('NFD');
  const result = parseRegistration(input);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.fields));
  assert.equal(result.value.identity.fullName, 'Nguyễn Văn An');
  assert.equal(result.value.identity.fullName, result.value.identity.fullName.normalize('NFC'));
  assert.equal(result.value.contact.phone, '+84912345678');
});

test('every field error carries a Vietnamese and an English message', () => {
  const errors = registrationErrors({ kind: 'x', identity: {}, contact: { phone: '123' } });
  assert.ok(errors.length > 3);
  for (const error of errors) {
    assert.ok(error.message.vi.length > 0 && error.message.en.length > 0, error.path);
    assert.notEqual(error.message.vi, error.message.en);
  }
});

test('unknown fields are refused, at any depth', () => {
  const input = { ...validRegistration(), admin: true } as unknown as Record<string, unknown>;
  (input.identity as Record<string, unknown>).nickname = 'x';
  assert.deepEqual(paths(input).sort(), ['admin:unknown_field', 'identity.nickname:unknown_field']);
});

test('a complaint needs an ID number; a petition does not', () => {
  const complaint = validRegistration();
  delete complaint.identity.idNumber;
  delete complaint.identity.idType;
  assert.deepEqual(paths(complaint), ['identity.idNumber:required']);
  assert.deepEqual(paths({ ...complaint, kind: 'kien_nghi' }), []);
});

test('a denunciation requires name, address, contact, the violation and the accused', () => {
  const denunciation = validRegistration({ kind: 'to_cao' });
  assert.deepEqual(paths(denunciation).sort(), ['content.accused:accused', 'content.violation:violation']);
  denunciation.content = { summary: 's', violation: 'Nhận hối lộ', accused: 'Ông B, cán bộ địa chính' };
  denunciation.address.detail = ' ';
  denunciation.identity.fullName = '';
  assert.deepEqual(paths(denunciation).sort(), ['address.detail:address_detail', 'identity.fullName:full_name']);
});

test('a CCCD requires the date of birth and sex it encodes, and must agree with them', () => {
  const reg = validRegistration();
  reg.identity.sex = 'female';
  assert.deepEqual(paths(reg), ['identity.idNumber:cccd_birth']);
  delete reg.identity.dateOfBirth;
  assert.ok(paths(reg).includes('identity.dateOfBirth:required'));
});

test('wrong phone and e-mail are named', () => {
  const reg = validRegistration({ contact: { phone: '0123456789', email: 'an@' } });
  assert.deepEqual(paths(reg).sort(), ['contact.email:email', 'contact.phone:phone']);
});

test('representatives follow the group-size rule (SPEC §3), and the rule is configuration', () => {
  assert.deepEqual(representativeLimits(1), { min: 0, max: 0 });
  assert.deepEqual(representativeLimits(7), { min: 1, max: 2 });
  assert.deepEqual(representativeLimits(40), { min: 1, max: 5 });
  const rep = (n: number) => Array.from({ length: n }, (_, i) => ({ fullName: `Người ${i + 1}` }));
  assert.deepEqual(paths(validRegistration({ group: { size: 7, representatives: [] } })), ['group.representatives:representatives_count']);
  assert.deepEqual(paths(validRegistration({ group: { size: 7, representatives: rep(2) } })), []);
  assert.deepEqual(paths(validRegistration({ group: { size: 7, representatives: rep(3) } })), ['group.representatives:representatives_count']);
  assert.deepEqual(paths(validRegistration({ group: { size: 12, representatives: rep(5) } })), []);
  const strict = { ...DEFAULT_RULES, representatives: [{ fromSize: 1, min: 0, max: 0 }, { fromSize: 3, min: 1, max: 1 }] };
  assert.equal(registrationErrors(validRegistration({ group: { size: 4, representatives: rep(2) } }), strict)[0]?.code, 'representatives_count');
});

test('attachments: declared types and sizes are checked against the rules', () => {
  const reg = validRegistration({
    attachments: [
      { id: 'a1', name: 'don.pdf', type: 'application/pdf', size: 1000, purpose: 'evidence' },
      { id: 'a2', name: 'virus.exe', type: 'application/x-msdownload', size: 1000, purpose: 'evidence' },
      { id: 'a3', name: 'huge.jpg', type: 'image/jpeg', size: DEFAULT_RULES.attachments.maxBytes + 1, purpose: 'evidence' },
    ],
  });
  assert.deepEqual(paths(reg).sort(), ['attachments.1.type:attachment_type', 'attachments.2.size:attachment_size']);
});

test('the privacy notice must be acknowledged', () => {
  const reg = validRegistration();
  (reg.privacy as { acknowledged: boolean }).acknowledged = false;
  assert.deepEqual(paths(reg), ['privacy.acknowledged:privacy']);
});

test('invisible and control characters are refused with a field error; a name must have letters', () => {
  const withName = (fullName: string) => ({ ...validRegistration(), identity: { ...validRegistration().identity, fullName } });
  const withSummary = (summary: string) => ({ ...validRegistration(), content: { summary } });
  const cases: [unknown, string][] = [
    [withName('\u200B\u200B'), 'identity.fullName:hidden_characters'],
    [withName('Nguyễn Văn \u202Ena'), 'identity.fullName:hidden_characters'],
    [withName('Nguyễn\u0000Văn An'), 'identity.fullName:hidden_characters'],
    [withName('Nguyễn Văn An\u0007'), 'identity.fullName:hidden_characters'],
    [withName('Nguyễn\u2066 Văn An'), 'identity.fullName:hidden_characters'],
    [withName('Nguyễn\uFEFFVăn An'), 'identity.fullName:hidden_characters'],
    [withName('12345 - .'), 'identity.fullName:name_letters'],
    [withSummary('\u200B\u200C\u200D\u2060'), 'content.summary:hidden_characters'],
    [withSummary('Khiếu nại \u0085 quyết định'), 'content.summary:hidden_characters'],
    [{ ...validRegistration(), address: { ...validRegistration().address, detail: 'Số 12\u202Dkhóm 3' } }, 'address.detail:hidden_characters'],
    [{ ...validRegistration(), helpers: [{ role: 'lawyer', fullName: '\u200B', document: { kind: 'Thẻ luật sư' } }] }, 'helpers.0.fullName:hidden_characters'],
  ];
  for (const [input, expected] of cases) {
    assert.deepEqual(paths(input), [expected], expected);
    assert.equal(parseRegistration(input).ok, false);
  }
  // Ordinary text stays valid: Vietnamese in NFD (combining marks are not hidden characters), new lines and
  // tabs in a summary, an emoji sequence joined by a zero-width joiner, names with a hyphen or an apostrophe.
  for (const input of [
    withName('Nguyễn Thị Hoa'.normalize('NFD')),
    withName("H'Hen Niê"),
    withSummary('Khiếu nại:\n\t1. thu hồi đất;\r\n2. bồi thường 👨‍👩‍👧'),
  ]) assert.deepEqual(paths(input), [], JSON.stringify(input).slice(0, 80));
});

test('non-objects and junk never throw', () => {
  for (const junk of [null, 42, 'x', [], [1], { kind: 1 }]) {
    const result = parseRegistration(junk);
    assert.equal(result.ok, false);
  }
});
