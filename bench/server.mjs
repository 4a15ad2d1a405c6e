// What every server benchmark starts the same way: the real tiepdan server on 127.0.0.1:0 with a temporary (or
// given) data folder, fresh secrets, no logs and rate limits off, plus the registration the benches submit.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, loadConfig } from '../packages/server/dist/index.js';

/** Starts a server; `values` add to or override the bench defaults. Returns the server, its URL and data folder. */
export async function startBenchServer(values = {}, dataDir = mkdtempSync(join(tmpdir(), 'tiepdan-bench-'))) {
  const config = loadConfig({
    env: {},
    warn: () => {},
    values: {
      mode: 'development',
      port: 0,
      dataDir,
      logLevel: 'silent',
      rateLimits: { enabled: false },
      // The booking bench books thousands of unscreened registrations with one phone: it measures the write
      // path, so the limits on provisional places (one per phone, half a session) are off here.
      schedule: { provisionalShare: 1, provisionalPerPhone: 0 },
      authSecret: randomBytes(24).toString('hex'),
      dataKey: randomBytes(32).toString('base64'),
      ...values,
    },
  });
  const server = await createServer(config);
  const url = await server.start();
  return { server, config, url, dataDir };
}

/** A valid petition (kiến nghị) as the form would send it. */
export const BENCH_REGISTRATION = {
  unit: 'dongthap.sadec',
  kind: 'kien_nghi',
  identity: { fullName: 'Nguyễn Thị Hoa', idType: 'cccd', idNumber: '087185001234', dateOfBirth: '1985-04-12', sex: 'female' },
  address: { provinceCode: '82', communeCode: '29869', detail: 'Số 12 đường Hùng Vương, khóm 3' },
  contact: { phone: '0912 345 678' },
  content: { summary: 'Kiến nghị sửa chữa đoạn đường trước chợ Sa Đéc bị ngập khi mưa.' },
  attendance: { mode: 'connection_point', connectionPoint: 'sadec-ubnd' },
  privacy: { version: '2025-07-01', acknowledged: true, acknowledgedAt: '2025-08-01T08:00:00+07:00' },
};
