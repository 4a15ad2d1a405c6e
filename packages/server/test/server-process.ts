/**
 * The real `tiepdan-server start` in a child process, for tests that kill it (SIGKILL), restart it or cut its
 * network: a config file in a temp data folder, and a handle that knows the URL it logged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { OfficialRole } from '@tiepdan/core';
import { mintToken, type ConfigInput } from '../src/index.js';
import { UNIT } from './helpers.js';

const CLI = resolve(import.meta.dirname, '../src/cli.ts');
export const CHILD_SECRET = 'child-secret-child-secret-child-secret-01';

/** An official's (or the operator's) bearer token that the child servers accept. */
export const bearer = (role: OfficialRole | 'operator', sub: string) => mintToken(CHILD_SECRET, { sub, role: role as OfficialRole, unit: UNIT, name: `Cán bộ ${role}` });

/** One API call to a child server as `token`: its status and parsed JSON body. */
export async function send(api: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Every line the server logged (JSON). */
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
}

/** Writes the config file (port 0 unless given) and returns its path. */
export function writeConfig(dataDir: string, values: Partial<ConfigInput> = {}): string {
  const file = join(dataDir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      mode: 'development',
      port: 0,
      dataDir,
      logLevel: 'info',
      authSecret: CHILD_SECRET,
      dataKey: Buffer.alloc(32, 7).toString('base64'),
      rateLimits: { enabled: false },
      units: [{ code: UNIT, name: 'UBND phường Sa Đéc', provinceCode: '82', connectionPoints: [{ id: 'sadec-ubnd', name: 'Trụ sở' }] }],
      ...values,
    }),
  );
  return file;
}

/** Starts the CLI server; resolves once it logged that it listens. `wrap` wraps node (e.g. `ip netns exec`); `args` go after `start`. */
export function startServerProcess(configFile: string, options: { wrap?: string[]; env?: NodeJS.ProcessEnv; args?: string[] } = {}): Promise<ServerProcess> {
  const argv = [process.execPath, '--import', 'tsx', CLI, 'start', '--config', configFile, ...(options.args ?? [])];
  const [command, ...args] = [...(options.wrap ?? []), ...argv];
  const child = spawn(command!, args, { cwd: resolve(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...options.env } });
  const logs: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return new Promise((done, fail) => {
    void exited.then((code) => fail(new Error(`server exited with ${code} before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return; // not a log line
      }
      logs.push(entry);
      if (entry.msg === 'tiepdan server listening' && typeof entry.url === 'string') done({ child, url: entry.url, logs, exited });
    });
  });
}
