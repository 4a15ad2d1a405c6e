/**
 * The headless recorder as a connection point runs it: the built `tiepdan-server record` in its own process
 * (Debian's Chromium through playwright-core), with the device credential the point's operator is issued at
 * sign-in (docs/sign-in.md) in a 0600 file. Its JSON status lines are collected, and a test awaits one.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
// @ts-expect-error: plain ESM helpers without types.
import { chromiumPath } from '../../scripts/chromium.mjs';

export const CLI = resolve(import.meta.dirname, '../../packages/server/dist/cli.js');

/** One status line of `tiepdan-server record` (RecorderReport in recording/headless/headless.ts). */
export interface Report {
  phase: string;
  role?: string;
  epoch?: number;
  acked?: number;
  pending?: number;
  state?: string;
  tiles?: number;
  pictured?: number;
  text: string;
}

export interface RunningRecorder {
  child: ChildProcess;
  lines: Report[];
  exited: Promise<number | null>;
  until(what: string, ok: (r: Report) => boolean, timeoutMs?: number): Promise<Report>;
}

interface DemoAccounts {
  apiUrl: string;
  siteUrl: string;
  demoAccounts: { username: string; role: string; password: string }[];
}

/**
 * The device credential, as `<tiepdan-sign-in device-label=…>` gets it (sign in as the demo operator, an access
 * token, POST /auth/devices), written to a 0600 file in `dir`; returns the file's path.
 */
export async function deviceCredentialFile(demo: DemoAccounts, dir: string): Promise<string> {
  const operator = demo.demoAccounts.find((a) => a.role === 'operator')!;
  const headers = { origin: demo.siteUrl, 'content-type': 'application/json' };
  const signIn = await fetch(`${demo.apiUrl}/api/v1/auth/sign-in`, { method: 'POST', headers, body: JSON.stringify({ username: operator.username, password: operator.password }) });
  assert.equal(signIn.status, 200, await signIn.clone().text());
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  const access = await fetch(`${demo.apiUrl}/api/v1/auth/token`, { method: 'POST', headers: { ...headers, cookie, 'x-csrf-token': csrfToken }, body: '{}' });
  assert.equal(access.status, 200, await access.clone().text());
  const { token } = (await access.json()) as { token: string };
  const device = await fetch(`${demo.apiUrl}/api/v1/auth/devices`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${token}` }, body: JSON.stringify({ label: 'Máy ghi không giao diện' }) });
  assert.equal(device.status, 201, await device.clone().text());
  const issued = (await device.json()) as { token: string; role: string };
  assert.equal(issued.role, 'recorder');
  const file = join(dir, 'device-token.txt');
  writeFileSync(file, `${issued.token}\n`, { mode: 0o600 });
  return file;
}

/** Starts `tiepdan-server record` for `session`; the caller kills `child` if the test ends before it exits. */
export function runHeadlessRecorder(o: { apiUrl: string; session: string; tokenFile: string; recorderId: string; profileDir: string }): RunningRecorder {
  const child = spawn(process.execPath, [CLI, 'record', '--session', o.session, '--server', o.apiUrl, '--token-file', o.tokenFile, '--recorder-id', o.recorderId, '--profile', o.profileDir], {
    env: { ...process.env, CHROMIUM_PATH: chromiumPath() as string },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Report[] = [];
  let stderr = '';
  const waiters: { ok: (r: Report) => boolean; done: (r: Report) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const report = JSON.parse(line) as Report;
    lines.push(report);
    for (const w of [...waiters]) if (w.ok(report)) (waiters.splice(waiters.indexOf(w), 1), w.done(report));
  });
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  // For a failure message: every change of lease (epoch, role) with the time and the chunks acknowledged by then.
  const leases = () => lines.filter((r, i) => r.phase === 'running' && i > 0 && (r.epoch !== lines[i - 1]!.epoch || r.role !== lines[i - 1]!.role)).map((r) => `${(r as { at?: string }).at?.slice(11, 19)} ${r.role} e${r.epoch} acked ${r.acked}`);
  const why = () => `leases: ${leases().join(', ')}; last reports: ${JSON.stringify(lines.slice(-5))}; stderr: ${stderr.slice(-2000)}`;
  return {
    child,
    lines,
    exited,
    until(what, ok, timeoutMs = 60_000) {
      const seen = lines.find(ok);
      if (seen) return Promise.resolve(seen);
      return new Promise((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`timed out waiting for ${what}; ${why()}`)), timeoutMs);
        waiters.push({ ok, done: (r) => (clearTimeout(timer), done(r)) });
        void exited.then((code) => (clearTimeout(timer), fail(new Error(`the recorder exited (${code}) before ${what}; ${why()}`))));
      });
    },
  };
}
