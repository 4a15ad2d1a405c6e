/**
 * The demo unit used by `tiepdan-server start --demo` and as the default when no units are configured in dev
 * mode: phường Sa Đéc, tỉnh Đồng Tháp (SPEC §0: the plan that started the project). Since 01/07/2025 Sa Đéc is a
 * ward of the merged Đồng Tháp province, which kept the statistics code 82.
 *
 * The 5-digit commune codes below are ILLUSTRATIVE: they have the right shape but were not checked against the
 * statistics office's published list. A real deployment loads its own commune list from the config file.
 */
import type { UnitConfig } from './schema.js';

export const DEMO_UNIT: UnitConfig = {
  code: 'dongthap.sadec',
  name: 'UBND phường Sa Đéc',
  provinceCode: '82',
  papers: { upperBody: 'UBND tỉnh Đồng Tháp', issuer: 'UBND phường Sa Đéc', place: 'Sa Đéc' },
  communes: [
    { code: '29869', name: 'Phường Sa Đéc' },
    { code: '29863', name: 'Phường Cao Lãnh' },
    { code: '28249', name: 'Phường Mỹ Tho' },
    { code: '29845', name: 'Phường Hồng Ngự' },
    { code: '28561', name: 'Phường Gò Công' },
    { code: '30001', name: 'Xã Lai Vung' },
    { code: '29989', name: 'Xã Lấp Vò' },
  ],
  connectionPoints: [
    { id: 'sadec-ubnd', name: 'Trụ sở UBND phường Sa Đéc' },
    { id: 'dongthap-tinh', name: 'Trụ sở Tiếp công dân tỉnh Đồng Tháp' },
    { id: 'ttcp-bantw', name: 'Ban Tiếp công dân Trung ương (Thanh tra Chính phủ)' },
  ],
};

export const DEMO_PRIVACY_NOTICE = {
  version: '2025-07-01',
  text: {
    vi:
      'UBND phường Sa Đéc thu thập thông tin trong đơn này để tiếp công dân và giải quyết vụ việc theo Luật Tiếp công dân. ' +
      'Thông tin được lưu giữ theo quy định về lưu trữ hồ sơ và chỉ cán bộ được giao xử lý mới được xem. ' +
      'Danh tính người tố cáo được giữ bí mật (Luật Bảo vệ dữ liệu cá nhân 91/2025).',
    en:
      'The People’s Committee of Sa Đéc ward collects the information in this form to receive you and handle your matter under ' +
      'the Law on Citizen Reception. It is kept as the archival rules require and only the officers handling it may see it. ' +
      'A denouncer’s identity is kept confidential (Personal Data Protection Law 91/2025).',
  },
};

/** Origins the example site runs on during development: any port on the loopback names. */
export const DEMO_ALLOWED_ORIGINS = ['http://127.0.0.1:*', 'http://localhost:*', 'http://[::1]:*'];
