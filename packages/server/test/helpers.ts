/**
 * Test helpers: a real server on 127.0.0.1:0 over a fresh temp data dir, valid registrations to mutate, real
 * small files, and ways to count what was stored (rows in SQLite, files on disk).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OfficialRole } from '@tiepdan/core';
import { createServer, loadConfig, mintToken, SqliteAuditLog, type Config, type ConfigInput, type ServerOptions, type SqliteStore, type TiepdanServer } from '../src/index.js';
import { PostgresAuditReader } from '../src/store/audit-postgres.js';

export const UNIT = 'dongthap.sadec';
export const OTHER_UNIT = 'dongthap.caolanh';

export interface TestServer {
  url: string;
  api: string;
  server: TiepdanServer;
  config: Config;
  dataDir: string;
  /** SQLite's handle, for the suites that run on SQLite only; store-neutral checks use `sql`/`count`. */
  db: SqliteStore['db'];
  /**
   * The rows of a query read directly from the server's database, whichever store it runs on: `?` placeholders
   * (numbered for PostgreSQL), SQL that both engines understand. For what the API does not show (rows that must
   * not exist, a hash instead of a token).
   */
  sql(query: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** The first column of the first row as a number (PostgreSQL returns COUNT(*) as a string). */
  count(query: string, params?: unknown[]): Promise<number>;
  close(): Promise<void>;
}

/** Runs `query` on the server's store, SQLite or PostgreSQL. */
function storeSql(server: TiepdanServer): TestServer['sql'] {
  const store = server.store as unknown as { kind: string; db?: SqliteStore['db']; pool?: { query(q: string, p: unknown[]): Promise<{ rows: Record<string, unknown>[] }> } };
  if (store.kind === 'postgres') {
    return async (query, params = []) => {
      let n = 0;
      return (await store.pool!.query(query.replace(/\?/gu, () => `$${(n += 1)}`), params)).rows;
    };
  }
  return async (query, params = []) => store.db!.prepare<unknown[], Record<string, unknown>>(query).all(...params);
}

/** The rooms' and the desk's hash-chained audit log of the server's store, read the way its engine reads it. */
export function auditChain(t: TestServer): Pick<SqliteAuditLog, 'verify' | 'entries'> {
  const store = t.server.store as unknown as { kind: string; pool?: ConstructorParameters<typeof PostgresAuditReader>[0] };
  return store.kind === 'postgres' ? new PostgresAuditReader(store.pool!) : new SqliteAuditLog(t.db);
}

export function tempDir(prefix = 'tiepdan-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A TCP port free on 127.0.0.1 right now, for a child server (PostgreSQL, Redis, S3, a worker) that needs a fixed one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export const PROVISIONAL_OFF = { provisionalShare: 1, provisionalPerPhone: 0 } as const;

export function testConfig(values: Partial<ConfigInput> = {}, dataDir = tempDir()): Config {
  return loadConfig({
    env: {},
    warn: () => {},
    values: {
      mode: 'development',
      port: 0,
      dataDir,
      logLevel: 'silent',
      authSecret: 'test-secret-test-secret-test-secret-0123',
      dataKey: randomBytes(32).toString('base64'),
      allowedOrigins: ['https://sadec.dongthap.gov.vn', 'http://127.0.0.1:*'],
      rateLimits: { enabled: false },
      units: [
        {
          code: UNIT,
          name: 'UBND phường Sa Đéc',
          provinceCode: '82',
          communes: [{ code: '29869', name: 'Phường Sa Đéc' }],
          connectionPoints: [{ id: 'sadec-ubnd', name: 'Trụ sở UBND phường Sa Đéc' }],
        },
        { code: OTHER_UNIT, name: 'UBND phường Cao Lãnh', provinceCode: '82' },
      ],
      ...values,
      // Fixtures book many unscreened registrations with one phone: the limits on provisional places
      // (bookings-provisional.test.ts tests them at their defaults) are off unless a test sets them.
      schedule: { ...PROVISIONAL_OFF, ...(values.schedule as object | undefined) },
    },
  });
}

export async function startServer(values: Partial<ConfigInput> = {}, config = testConfig(values), options: ServerOptions = {}): Promise<TestServer> {
  const server = await createServer(config, options);
  const url = await server.start();
  const sql = storeSql(server);
  return {
    url,
    api: `${url}/api/v1`,
    server,
    config,
    dataDir: config.dataDir,
    db: (server.store as SqliteStore).db,
    sql,
    async count(query, params) {
      const [row] = await sql(query, params);
      return Number(Object.values(row ?? {})[0]);
    },
    async close() {
      await server.close();
    },
  };
}

/** A server whose log lines (pino JSON) are kept for the test to read. */
export async function startLoggedServer(values: Partial<ConfigInput> = {}, level = 'info'): Promise<TestServer & { logs: () => Record<string, any>[]; logText: () => string }> {
  let text = '';
  const logStream = { write: (line: string) => void (text += line) };
  const t = await startServer(values, testConfig({ logLevel: level as Config['logLevel'], ...values }), { logStream });
  return { ...t, logText: () => text, logs: () => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>) };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A valid petition (kiến nghị) with a CCCD that agrees with the date of birth and sex. */
export function validRegistration(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    unit: UNIT,
    kind: 'kien_nghi',
    identity: { fullName: 'Nguyễn Thị Hoa', idType: 'cccd', idNumber: '087185001234', dateOfBirth: '1985-04-12', sex: 'female' },
    address: { provinceCode: '82', communeCode: '29869', detail: 'Số 12 đường Hùng Vương, khóm 3' },
    contact: { phone: '0912 345 678' },
    content: { summary: 'Kiến nghị sửa chữa đoạn đường trước chợ Sa Đéc bị ngập khi mưa.' },
    attendance: { mode: 'connection_point', connectionPoint: 'sadec-ubnd' },
    privacy: { version: '2025-07-01', acknowledged: true, acknowledgedAt: '2025-08-01T08:00:00+07:00' },
    ...overrides,
  };
}

/** A denunciation (tố cáo): the denouncer's identity, address and contact are confidential. */
export function denunciation(overrides: Record<string, unknown> = {}): Record<string, any> {
  return validRegistration({
    kind: 'to_cao',
    identity: { fullName: 'Trần Văn Bình', idType: 'cccd', idNumber: '087090004567', dateOfBirth: '1990-02-03', sex: 'male' },
    address: { provinceCode: '82', communeCode: '29869', detail: 'Ấp Tân Hòa, số 77 Lê Lợi' },
    contact: { phone: '0987 654 321', email: 'binh.tv@example.vn' },
    content: { summary: 'Tố cáo hành vi nhận tiền khi cấp phép xây dựng.', violation: 'Nhận hối lộ khi cấp giấy phép xây dựng', accused: 'Cán bộ địa chính phường' },
    ...overrides,
  });
}

export function uuidv7(): string {
  // Enough of RFC 9562 v7 for tests: 48-bit ms time, version 7, variant 10.
  const bytes = randomBytes(16);
  const now = BigInt(Date.now());
  for (let i = 0; i < 6; i += 1) bytes[i] = Number((now >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export { randomUUID };

/** A real 1×1 PNG. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** A small but real PDF. */
export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);

export function attachmentMeta(id: string, bytes: Buffer, type: string, name = `${id}.${type === 'application/pdf' ? 'pdf' : 'png'}`) {
  return { id, name, type, size: bytes.length, purpose: 'evidence' };
}

export interface Upload {
  field: string;
  bytes: Buffer;
  filename?: string;
  type?: string;
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** `key: null` sends no Idempotency-Key. */
export function submitJson(api: string, registration: unknown, key: string | null = uuidv7(), headers: Record<string, string> = {}): Promise<Response> {
  return postJson(`${api}/registrations`, registration, key === null ? headers : { 'idempotency-key': key, ...headers });
}

export function submitMultipart(api: string, registration: unknown, uploads: Upload[], key: string = uuidv7(), registrationText?: string): Promise<Response> {
  const form = new FormData();
  form.append('registration', registrationText ?? JSON.stringify(registration));
  for (const upload of uploads) {
    form.append(upload.field, new Blob([new Uint8Array(upload.bytes)], { type: upload.type ?? 'application/octet-stream' }), upload.filename ?? `${upload.field}.bin`);
  }
  return fetch(`${api}/registrations`, { method: 'POST', headers: { 'idempotency-key': key }, body: form });
}

/** Rows in a table, on either store. */
export function tableCount(t: TestServer, table = 'registrations'): Promise<number> {
  return t.count(`SELECT COUNT(*) FROM ${table}`);
}

export function countRows(db: TestServer['db'], table = 'registrations'): number {
  return db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
}

/** Every regular file under a directory, recursively (relative paths). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, prefix: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path, `${prefix}${entry}/`);
      else out.push(`${prefix}${entry}`);
    }
  };
  try {
    walk(dir, '');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return out;
}

/** What the store holds as attachment files (as `ab/abcd…` paths) and what is left in the upload temp folder. On
 *  SQLite the files are in the data folder; on PostgreSQL they are rows of `attachment_files`, so a check here reads
 *  the table (an empty folder there would pass every "no file stored" assertion without checking anything). */
export async function storedFiles(t: TestServer): Promise<{ attachments: string[]; tmp: string[] }> {
  const tmp = filesUnder(join(t.dataDir, 'tmp'));
  if (t.config.store.kind !== 'postgres') return { attachments: filesUnder(join(t.dataDir, 'attachments')), tmp };
  const rows = await t.sql('SELECT sha256 FROM attachment_files ORDER BY sha256');
  return { attachments: rows.map((r) => `${String(r.sha256).slice(0, 2)}/${String(r.sha256)}`), tmp };
}

export function token(t: TestServer, role: OfficialRole, unit = UNIT, ttl?: number, sub = `${role}.test`): Promise<string> {
  return mintToken(t.config.authSecret, { sub, role, unit, name: `Cán bộ ${role}` }, ttl);
}

export async function getJson(url: string, bearer?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers } });
}

export async function healthy(t: TestServer): Promise<boolean> {
  const res = await fetch(`${t.url}/healthz`);
  return res.status === 200 && ((await res.json()) as { status: string }).status === 'ok';
}
