/** The recorder's words, for officials at a connection point; Vietnamese first. */
import type { Lang, RoomRole } from '@tiepdan/core';
import { byLang } from '../shared/lang.js';

const vi = {
  heading: 'Máy ghi hình của điểm cầu',
  starting: 'Đang kết nối máy ghi…',
  waiting: 'Máy ghi dự phòng: đã sẵn sàng, chờ chủ trì mở phòng để bắt đầu ghi hình.',
  active: 'Đang ghi hình: máy ghi chính',
  activeDraining: 'Máy ghi chính: đang gửi nốt các đoạn còn giữ',
  standby: 'Máy ghi dự phòng: sẵn sàng thay thế nếu máy ghi chính dừng',
  stopped: 'Đã dừng ghi',
  finished: 'Bản ghi đã kết thúc',
  uploading: 'Đang tải lên {count} đoạn',
  upToDate: 'Máy chủ đã nhận đủ các đoạn ghi',
  behind: 'Chậm {count} đoạn chưa được máy chủ xác nhận',
  epoch: 'Lượt ghi',
  acked: 'Đoạn đã xác nhận',
  pending: 'Đoạn chờ gửi',
  orphaned: 'Đoạn không còn gửi được (đã ghi nhận khoảng trống)',
  storage: 'Lưu tạm',
  storageOk: 'Trên máy này (IndexedDB)',
  storageMemory: 'Chỉ trong bộ nhớ: tải lại trang sẽ mất các đoạn chưa gửi',
  preview: 'Hình ảnh đang ghi: các điểm cầu, tên, vai trò và đồng hồ giờ Việt Nam',
  alarmOffline: 'Mất kết nối tới máy chủ. Các đoạn ghi được giữ trên máy này và sẽ tự gửi khi có mạng.',
  alarmLeaseLost: 'Máy ghi này đã mất quyền ghi; một máy ghi khác đang ghi phiên.',
  alarmStorage: 'Không lưu được đoạn ghi vào bộ nhớ máy; hãy giữ trang mở cho đến khi gửi xong.',
  alarmUnauthorized: 'Tài khoản không có quyền ghi hình phiên này.',
  alarmRejected: 'Máy chủ từ chối một đoạn ghi ({detail}).',
  alarmMedia: 'Không ghi được hình ảnh, âm thanh trên trình duyệt này.',
  alarmFailed: 'Không khởi động được máy ghi: {detail}',
  audioBlocked: 'Trình duyệt đang tạm dừng âm thanh của bản ghi.',
  audioResume: 'Bật âm thanh cho bản ghi',
};

const en: typeof vi = {
  heading: "Connection point's recorder",
  starting: 'Connecting the recorder…',
  waiting: 'Standby recorder: ready, waiting for the chair to open the room to start recording.',
  active: 'Recording: active recorder',
  activeDraining: 'Active recorder: sending the chunks it kept',
  standby: 'Standby recorder: ready to take over if the active one stops',
  stopped: 'Recording stopped',
  finished: 'The recording has ended',
  uploading: 'Uploading {count} chunks',
  upToDate: 'The server has every chunk',
  behind: 'Behind by {count} chunks not yet acknowledged',
  epoch: 'Lease',
  acked: 'Chunks acknowledged',
  pending: 'Chunks waiting',
  orphaned: 'Chunks that can no longer be sent (gap recorded)',
  storage: 'Kept in',
  storageOk: 'This device (IndexedDB)',
  storageMemory: 'Memory only: reloading the page loses unsent chunks',
  preview: 'What is being recorded: the connection points, names, roles and a clock in Vietnam time',
  alarmOffline: 'The server cannot be reached. Chunks are kept on this device and sent when the network is back.',
  alarmLeaseLost: 'This recorder lost its lease; another recorder is recording the session.',
  alarmStorage: "Chunks cannot be stored on this device; keep this page open until they are sent.",
  alarmUnauthorized: 'This account may not record this session.',
  alarmRejected: 'The server refused a chunk ({detail}).',
  alarmMedia: 'This browser cannot record the picture and sound.',
  alarmFailed: 'The recorder could not start: {detail}',
  audioBlocked: "The browser has paused the recording's sound.",
  audioResume: 'Turn the recording sound on',
};

export type RecorderStrings = typeof vi;
export const recorderStrings = byLang<RecorderStrings>({ vi, en });

/** Roles as printed on a recorded tile (the same words as the room's tiles). */
const roleLabels = {
  vi: { chair: 'Chủ trì', official: 'Đại biểu', clerk: 'Cán bộ tiếp dân', operator: 'Kỹ thuật điểm cầu', observer: 'Giám sát', citizen: 'Công dân', admin: 'Quản trị viên', recorder: 'Máy ghi hình' },
  en: { chair: 'Chair', official: 'Official', clerk: 'Reception officer', operator: 'Point operator', observer: 'Observer', citizen: 'Citizen', admin: 'Administrator', recorder: 'Recorder' },
} as const satisfies Record<Lang, Record<RoomRole, string>>;
export function roomLabels(lang: Lang): Record<RoomRole, string> {
  return roleLabels[lang];
}
