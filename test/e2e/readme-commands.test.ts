/**
 * Every command the README shows, run as printed. The `npx tiepdan-server …` lines run from a folder inside the
 * repository (as a ward's IT staff would, after `npm install`), with the `tiepdan.json` and the recording they
 * name made first. `npm install && npm start` runs through `sh -c` exactly as printed (ports 0 and a temporary
 * data folder through the TIEPDAN_* variables the README names), its printed links are opened in Chromium, and it
 * is stopped with Ctrl+C (SIGINT to its process group). `npm test` and the benches are not run from here (a test
 * that runs the whole suite would run itself; the benches take minutes): their scripts are checked to exist with
 * the names the README uses.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { startRecordingServer, makeWebm, chunks, recordBundle } from '../../packages/server/test/recording-helpers.js';
// @ts-expect-error: plain ESM helpers without types.
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The shell lines of the README's ```sh blocks, without their trailing comments. */
function commands(): string[] {
  const blocks = [...README.matchAll(/```sh\n([\s\S]*?)```/gu)].map((m) => m[1]!);
  return blocks.flatMap((b) => b.split('\n')).map((line) => line.replace(/\s+#.*$/u, '').trim()).filter(Boolean);
}

/** Splits a printed command into words, honouring "double quotes" (no shell involved). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/gu)].map((m) => m[1] ?? m[2]!);
}

/** Resolves when `read()` matches `pattern`, rejects when the child exits first or after `ms`. */
function waitForOutput(child: ReturnType<typeof spawn>, read: () => string, pattern: RegExp, ms: number, what: string): Promise<RegExpExecArray> {
  return new Promise((done, fail) => {
    const finish = (error?: Error, found?: RegExpExecArray) => {
      clearInterval(timer);
      clearTimeout(bound);
      child.off('exit', onExit);
      if (error) fail(error);
      else done(found!);
    };
    const onExit = (code: number | null) => finish(new Error(`${what} exited (${code}) before printing ${pattern}: ${read()}`));
    const timer = setInterval(() => {
      const found = pattern.exec(read());
      if (found) finish(undefined, found);
    }, 100);
    const bound = setTimeout(() => finish(new Error(`${what} printed no ${pattern} within ${ms / 1000} s: ${read()}`)), ms);
    child.on('exit', onExit);
  });
}

test('the README shows the commands this test runs (a new command needs a case here)', () => {
  const known = [/^npm install && npm start$/u, /^npm test$/u, /^npm run bench(:signaling)?$/u, /^npx tiepdan-server /u];
  const unknown = commands().filter((c) => !known.some((k) => k.test(c)));
  assert.deepEqual(unknown, []);
  assert.ok(commands().some((c) => c.startsWith('npx tiepdan-server ')), 'the README shows the CLI');
  assert.ok(commands().includes('npm install && npm start'), 'the README shows the quick start');
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  for (const c of commands().filter((c) => /^npm (test|run )/u.test(c))) assert.ok(scripts[c.replace(/^npm (run )?/u, '')], `package.json has the script of "${c}"`);
});

test('every `npx tiepdan-server …` line works as printed', { timeout: 240_000 }, async () => {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const cwd = mkdtempSync(join(ROOT, '.tmp', 'readme-'));
  try {
    // What the lines refer to: a config file, and a recording in ./data/recordings/<id> signed with the key whose
    // history is ./data/keys/recording-keys.json (what GET /api/v1/recordings/keys publishes).
    writeFileSync(join(cwd, 'tiepdan.json'), JSON.stringify({ port: 0, dataDir: './data', mode: 'development' }));
    const t = await startRecordingServer({}, join(cwd, 'data'));
    let recordingId: string;
    try {
      recordingId = (await recordBundle(t, 'readme-session', chunks(makeWebm(2), 64 * 1024))).id;
    } finally {
      await t.close();
    }
    const env = { ...process.env, TIEPDAN_DATA_DIR: join(cwd, 'data') };
    const lines = commands().filter((c) => c.startsWith('npx tiepdan-server '));
    assert.deepEqual(lines.map((line) => words(line)[2]), ['start', 'token', 'account', 'migrate', 'verify'], 'each CLI line has its check below');
    for (const line of lines) {
      const args = words(line.replace('<id>', recordingId)).slice(1);
      if (args[1] === 'start') {
        // A server: started as printed, healthy, then stopped the way a terminal or a service manager stops it,
        // SIGTERM to its process group (npx → node): the server closes and says so, and then answers no more.
        const child = spawn('npx', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
        let out = '';
        child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
        const closed = new Promise<void>((done) => child.once('close', () => done()));
        let url = '';
        try {
          [url] = await waitForOutput(child, () => out, /http:\/\/(?:127\.0\.0\.1|localhost):\d+/u, 60_000, line);
          assert.equal((await fetch(`${url}/healthz`)).status, 200, line);
        } finally {
          process.kill(-child.pid!, 'SIGTERM');
        }
        // 'close': every process of the group let go of the output pipes, so the server process is gone.
        await closed;
        await assert.rejects(fetch(`${url}/healthz`), `${line}: stopped by SIGTERM`);
        assert.match(out, /"signal":"SIGTERM".*"msg":"shutting down"/u, `${line}: the server itself closed on SIGTERM\n${out}`);
        assert.doesNotMatch(out, /"level":(50|60)|Error:/u, `${line}: no error while starting or stopping\n${out}`);
        continue;
      }
      const run = spawnSync('npx', args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
      const said = `${line}\n${run.stdout}${run.stderr}`;
      assert.equal(run.status, 0, said);
      if (args[1] === 'token') assert.match(run.stdout.trim(), /^[\w-]+\.[\w-]+\.[\w-]+$/u, said);
      if (args[1] === 'account') assert.match(run.stdout, /^account: quan\.tri\npassword: \S{20}\nauthenticator .*otpauth:\/\//mu, said);
      if (args[1] === 'migrate') assert.match(run.stdout, /applied migrations|up to date/u, said);
      if (args[1] === 'verify') {
        assert.match(run.stdout, new RegExp(`^Recording ${recordingId}: VERIFIED$`, 'mu'), said);
        assert.match(run.stdout, /trusted: .*recording-keys\.json/u, said);
      }
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('`npm install && npm start` as printed: prints its links, the pages they open work, Ctrl+C stops it', { timeout: 420_000 }, async (t) => {
  const started = Date.now();
  const mark = (what: string) => t.diagnostic(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dataDir = mkdtempSync(join(ROOT, '.tmp', 'readme-start-'));
  const lockBefore = readFileSync(join(ROOT, 'package-lock.json'), 'utf8');
  // Port 0: the OS picks free ports and the demo prints the ones it got. The README names these variables.
  const env = { ...process.env, TIEPDAN_PORT: '0', TIEPDAN_SITE_PORT: '0', TIEPDAN_DATA_DIR: dataDir, npm_config_audit: 'false', npm_config_fund: 'false' };
  const child = spawn('sh', ['-c', 'npm install && npm start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  const browser = await chromium.launch({ executablePath: chromiumPath() as string, args: chromiumArgs() as string[] });
  let apiUrl = '';
  try {
    // `npm test` has just built everything, so `npm start` only checks the build (tsc -b, bundles newer than their
    // inputs); a tree with changed sources is built first, hence the bound.
    await waitForOutput(child, () => out, /Ctrl\+C/u, 360_000, 'npm install && npm start');
    mark(`links printed (${/bundles are up to date/u.test(out) ? 'bundles were up to date' : 'bundled first'})`);
    assert.equal(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'), lockBefore, '`npm install` on the committed tree changes nothing');
    const link = (label: RegExp): string => {
      const found = new RegExp(`${label.source}\\s+(http://127\\.0\\.0\\.1:\\d+\\S*)`, 'u').exec(out);
      assert.ok(found, `npm start prints the link after ${label}:\n${out}`);
      return found[1]!;
    };
    const site = link(/Example ward site:/u);
    apiUrl = link(/Reception server:/u);
    assert.equal((await fetch(`${apiUrl}/healthz`)).status, 200);
    const officials = /^\s+(http:\/\/\S+\/officials\.html#token=\S+)$/mu.exec(out)?.[1];
    assert.ok(officials, `npm start prints the officials' link with a token:\n${out}`);
    const links = [site, officials, link(/Schedule editor:/u), link(/Officials' sign-in:/u), link(/Recorder:/u), link(/Chair:/u), link(/Clerk:/u), link(/Citizen:/u)];
    for (const url of links) assert.equal((await fetch(url.replace(/#.*$/u, ''))).status, 200, url);

    mark('every link answered');
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // The ward site: the registration form's first screen is drawn (from the server's /sdk/).
    await page.goto(site);
    await page.locator('tiepdan-registration').getByRole('button').first().waitFor({ timeout: 60_000 });
    // The officials' queue with the printed token: the screening element loads the (empty) queue, no sign-in asked.
    const queue = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/registrations' && r.request().method() === 'GET', { timeout: 60_000 });
    await page.goto(officials);
    assert.equal((await queue).status(), 200, 'the printed token opens the queue');
    await page.locator('tiepdan-screening').getByText('Không có hồ sơ nào.').or(page.locator('tiepdan-screening li.item').first()).first().waitFor({ timeout: 60_000 });
    // The schedule editor and the practice room's citizen link: their elements are drawn.
    await page.goto(link(/Schedule editor:/u));
    await page.locator('tiepdan-schedule-editor').getByRole('button').first().waitFor({ timeout: 60_000 });
    await page.goto(link(/Citizen:/u));
    await page.locator('tiepdan-room').getByRole('button').first().waitFor({ timeout: 60_000 });
    assert.deepEqual(errors, []);
    mark('pages drawn');
  } finally {
    await browser.close();
    // The whole process group (sh → npm → node): Ctrl+C in a terminal reaches them all.
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
  // Stopped: the server no longer answers.
  if (apiUrl) await assert.rejects(fetch(`${apiUrl}/healthz`));
});
