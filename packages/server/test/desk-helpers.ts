/**
 * Helpers for the desk tests: a registration submitted and a case opened for it, requests as each role, and a
 * case advanced to the step a test needs (each step done by the clerk, as at a real desk).
 */
import assert from 'node:assert/strict';
import type { OfficialRole } from '@tiepdan/core';
import { mintJoinToken } from '../src/index.js';
import { postJson, submitJson, token, validRegistration, type TestServer } from './helpers.js';

export const SESSION = 'session-desk-1';

export async function as(t: TestServer, role: OfficialRole, path: string, body: unknown, unit?: string): Promise<Response> {
  return postJson(`${t.api}${path}`, body, { authorization: `Bearer ${await token(t, role, unit)}` });
}

export async function submitted(t: TestServer, registration: Record<string, unknown> = validRegistration()): Promise<string> {
  const res = await submitJson(t.api, registration);
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { reference: string }).reference;
}

export async function citizenToken(t: TestServer, reference: string, sessionId = SESSION): Promise<string> {
  return mintJoinToken(t.config.authSecret, { reference, sessionId });
}

export const CONTENT = 'Bà Nguyễn Thị Hoa trình bày: đoạn đường trước chợ Sa Đéc ngập sâu mỗi khi mưa, đề nghị UBND phường sửa chữa hệ thống thoát nước.';

/** The steps in Circular order; `upTo` names the first step NOT done. */
export const STEPS = ['identity', 'content', 'confirm', 'receipt', 'handling', 'close'] as const;

export const BODIES = {
  identity: { verified: true, idType: 'cccd', idNumber: '087185001234' },
  helper: { role: 'authorised', fullName: 'Lê Văn Tâm', document: { kind: 'Giấy ủy quyền', number: '12/UQ' }, verified: true },
  content: { text: CONTENT },
  receipt: { items: [{ name: 'Đơn kiến nghị', pages: 2, form: 'original' }, { name: 'Ảnh chụp đoạn đường ngập', pages: 3, form: 'copy', condition: 'rõ nét' }] },
  handling: { outcome: 'accepted', answer: { mode: 'later', due: '2027-01-15' } },
  returned: { outcome: 'returned', agency: 'UBND tỉnh Đồng Tháp', documentNumber: '45/HD-UBND', answer: { mode: 'at_once', text: 'Đã hướng dẫn' } },
  direction: { to: 'Phòng Kinh tế, Hạ tầng và Đô thị', what: 'Khảo sát, sửa cống thoát nước trước chợ', deadline: '2027-01-10' },
  split: { parts: [{ kind: 'kien_nghi', summary: 'Kiến nghị sửa đường' }, { kind: 'khieu_nai', summary: 'Khiếu nại quyết định xử phạt' }] },
  refusal: { ground: 'art9_cl2', reason: 'Công dân có lời lẽ xúc phạm cán bộ tiếp dân sau khi đã được nhắc nhở.' },
  notice: { reason: 'Vụ việc đã được giải quyết đúng pháp luật', settled: { agency: 'UBND tỉnh Đồng Tháp', document: 'Quyết định giải quyết khiếu nại lần hai', number: '123/QĐ-UBND', date: '2025-06-10' } },
  close: { followUp: 'Chờ kết quả khảo sát' },
} as const;

export interface OpenedCase {
  id: string;
  reference: string;
  case: any;
}

export async function openCase(t: TestServer, reference?: string, sessionId = SESSION): Promise<OpenedCase> {
  const ref = reference ?? (await submitted(t));
  const res = await as(t, 'clerk', '/desk/cases', { registration: ref, sessionId, pointId: 'sadec-ubnd' });
  assert.equal(res.status, 201, await res.clone().text());
  const body = (await res.json()) as { case: any };
  return { id: body.case.id, reference: ref, case: body.case };
}

/** A case with every step before `upTo` done by the clerk. */
export async function caseAt(t: TestServer, upTo: (typeof STEPS)[number] | 'done', reference?: string, sessionId = SESSION): Promise<OpenedCase> {
  const opened = await openCase(t, reference, sessionId);
  let current = opened.case;
  for (const step of STEPS) {
    if (step === upTo) break;
    let res: Response;
    if (step === 'confirm') res = await as(t, 'clerk', `/desk/cases/${opened.id}/confirmations/aloud`, { version: current.content.version, sha256: current.content.sha256 });
    else res = await as(t, 'clerk', `/desk/cases/${opened.id}/${step}`, BODIES[step]);
    assert.equal(res.status, 200, `${step}: ${await res.clone().text()}`);
    current = ((await res.json()) as { case: any }).case;
  }
  return { ...opened, case: current };
}
