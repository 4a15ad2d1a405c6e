/** The register element's words (Sổ tiếp công dân, Form 03), Vietnamese first. */
import type { Lang } from '@tiepdan/core';

const vi = {
  heading: 'Sổ tiếp công dân',
  filters: 'Lọc sổ',
  from: 'Từ ngày',
  to: 'Đến ngày',
  unit: 'Đơn vị (mã)',
  unitHint: 'Để trống: đơn vị của tài khoản.',
  kind: 'Loại vụ việc',
  outcome: 'Kết quả',
  point: 'Điểm cầu (mã)',
  all: 'Tất cả',
  refused: 'Từ chối tiếp',
  apply: 'Xem sổ',
  loading: 'Đang tải sổ…',
  count: '{count} vụ việc.',
  empty: 'Không có vụ việc nào trong kỳ đã chọn.',
  line: 'Số {number}/{year}, ngày {date}',
  open: 'Mở vụ việc số {number}',
  closeCase: 'Đóng vụ việc',
  opened: 'Vụ việc đang mở',
  redacted: 'Đã ẩn danh tính người tố cáo',
  download: 'Tải sổ',
  downloadAs: 'Tải sổ ({format})',
  errorTitle: 'Chưa tải được',
};

const en: typeof vi = {
  heading: 'Citizen reception register',
  filters: 'Filter the register',
  from: 'From',
  to: 'To',
  unit: 'Unit (code)',
  unitHint: 'Leave empty for your account’s unit.',
  kind: 'Kind of case',
  outcome: 'Outcome',
  point: 'Connection point (code)',
  all: 'All',
  refused: 'Reception refused',
  apply: 'Show the register',
  loading: 'Loading the register…',
  count: '{count} cases.',
  empty: 'No cases in the chosen period.',
  line: 'No. {number}/{year}, {date}',
  open: 'Open case no. {number}',
  closeCase: 'Close the case',
  opened: 'The case opened',
  redacted: 'Denouncer’s identity withheld',
  download: 'Download the register',
  downloadAs: 'Download the register ({format})',
  errorTitle: 'Could not load',
};

export type RegisterStrings = typeof vi;
export const registerStrings = (lang: Lang): RegisterStrings => (lang === 'en' ? en : vi);
