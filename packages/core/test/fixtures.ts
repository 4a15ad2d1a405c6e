/** A valid registration to vary in tests: each test changes one thing and expects one reaction. */
import type { Registration } from '../src/index.js';

export function validRegistration(overrides: Partial<Registration> = {}): Registration {
  return {
    unit: 'dongthap.sadec',
    kind: 'khieu_nai',
    identity: { fullName: 'Nguyễn Văn An', idType: 'cccd', idNumber: '087085123456', dateOfBirth: '1985-03-02', sex: 'male' },
    address: { provinceCode: '82', communeCode: '30010', detail: 'Số 12, khóm 3' },
    contact: { phone: '0912 345 678' },
    content: { summary: 'Khiếu nại quyết định thu hồi đất số 123/QĐ-UBND.' },
    attendance: { mode: 'connection_point' },
    privacy: { version: '2026-01', acknowledged: true, acknowledgedAt: '2026-11-20T03:00:00.000Z' },
    ...overrides,
  };
}
