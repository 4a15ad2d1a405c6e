#!/usr/bin/env node
// `npm start`: runs the demo until Ctrl+C. Ports and folder follow TIEPDAN_PORT, TIEPDAN_SITE_PORT, TIEPDAN_DATA_DIR.
import { startDemo } from './demo.mjs';

const demo = await startDemo({
  port: Number(process.env.TIEPDAN_PORT ?? 8787),
  sitePort: Number(process.env.TIEPDAN_SITE_PORT ?? 8080),
  dataDir: process.env.TIEPDAN_DATA_DIR ?? './data',
  logLevel: process.env.TIEPDAN_LOG_LEVEL ?? 'warn',
});

console.log(`
  tiepdan đang chạy / tiepdan is running

  Trang web phường (ví dụ) / Example ward site:   ${demo.siteUrl}
  Máy chủ tiếp công dân / Reception server:       ${demo.apiUrl}
  Danh sách hồ sơ cho cán bộ / Officials' queue:  ${demo.siteUrl}/officials.html#token=…
    (mã truy cập 8 giờ, vai trò clerk / an 8-hour clerk token:)
    ${demo.officialsUrl}
  Lịch tiếp, soạn lịch / Schedule editor:         ${demo.scheduleEditorUrl}
  Sổ tiếp công dân / Reception register:          ${demo.registerUrl}

  Đăng nhập cán bộ / Officials' sign-in:          ${demo.signInUrl}
    (mật khẩu / password: ${demo.demoAccounts[0].password})
${demo.demoAccounts
  .map((a) => `    ${a.username.padEnd(15)} ${a.role.padEnd(9)}${a.secret ? ` mã xác thực / authenticator secret: ${a.secret}` : ''}`)
  .join('\n')}

  Phòng tiếp thử (mở mỗi đường dẫn trong một cửa sổ) / Practice room (one window each):
    Máy ghi hình / Recorder:  ${demo.demoRoom.recorder}
    Chủ trì / Chair:          ${demo.demoRoom.chair}
    Cán bộ tiếp dân / Clerk:  ${demo.demoRoom.clerk}
    Công dân / Citizen:       ${demo.demoRoom.citizen}

  Ctrl+C để dừng / to stop.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await demo.close();
    process.exit(0);
  });
}
