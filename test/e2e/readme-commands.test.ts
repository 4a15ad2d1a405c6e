/**
 * Every command the README shows, run as printed. The `npx tiepdan-server …` lines run from a folder inside the
 * repository (as a ward's IT staff would, after `npm install`), with the `tiepdan.json` and the recording they
 * name made first. `npm install && npm start` is checked by starting `npm start` and waiting for the links it
 * prints, then stopping it with Ctrl+C (SIGINT). `npm test` and the benches are not run from here (a test that
 * runs the whole suite would run itself); their scripts are checked to exist with the names the README uses.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { startRecordingServer, makeWebm, chunks, recordBundle } from '../../packages/signaling/test/recording-helpers.js';

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

test('the README shows the commands this test runs (a new command needs a case here)', () => {
  const known = [/^npm install && npm start$/u, /^npm test$/u, /^npm run bench(:signaling)?$/u, /^npx tiepdan-server /u];
  const unknown = commands().filter((c) => !known.some((k) => k.test(c)));
  assert.deepEqual(unknown, []);
  assert.ok(commands().some((c) => c.startsWith('npx tiepdan-server ')), 'the README shows the CLI');
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  for (const c of commands().filter((c) => /^npm (test|run )/u.test(c))) assert.ok(scripts[c.replace(/^npm (run )?/u, '')], `package.json has the script of "${c}"`);
});

test('every `npx tiepdan-server …` line works as printed', async () => {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const cwd = mkdtempSync(join(ROOT, '.tmp', 'readme-'));
  try {
    // What the lines refer to: a config file, and a recording in ./data/recordings/<id>.
    writeFileSync(join(cwd, 'tiepdan.json'), JSON.stringify({ port: 0, dataDir: './data', logLevel: 'warn', mode: 'development' }));
    const t = await startRecordingServer({}, join(cwd, 'data'));
    let recordingId: string;
    try {
      recordingId = (await recordBundle(t, 'readme-session', chunks(makeWebm(2), 64 * 1024))).id;
    } finally {
      await t.close();
    }
    const env = { ...process.env, TIEPDAN_DATA_DIR: join(cwd, 'data') };
    for (const line of commands().filter((c) => c.startsWith('npx tiepdan-server '))) {
      const args = words(line.replace('<id>', recordingId)).slice(1);
      if (args[1] === 'start') {
        // A server: started as printed, healthy, then stopped with SIGTERM (exit 0).
        const child = spawn('npx', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const url = await new Promise<string>((done, fail) => {
          const timer = setInterval(() => {
            const found = /http:\/\/(?:127\.0\.0\.1|localhost):\d+/u.exec(out);
            if (found) {
              clearInterval(timer);
              done(found[0]);
            }
          }, 50);
          child.once('exit', (code) => {
            clearInterval(timer);
            fail(new Error(`"${line}" exited ${code}: ${out}`));
          });
        });
        assert.equal((await fetch(`${url}/healthz`)).status, 200, line);
        const exited = new Promise<number | null>((done) => child.once('exit', done));
        child.kill('SIGTERM');
        assert.equal(await exited, 0, `${line}: SIGTERM ends it cleanly`);
        continue;
      }
      const run = spawnSync('npx', args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
      const said = `${line}\n${run.stdout}${run.stderr}`;
      if (args[1] === 'token') assert.match(run.stdout.trim(), /^[\w-]+\.[\w-]+\.[\w-]+$/u, said);
      else if (args[1] === 'verify') assert.match(run.stdout, /hash chain|chuỗi băm/iu, said);
      else assert.equal(run.status, 0, said);
      if (args[1] !== 'verify') assert.equal(run.status, 0, said);
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('`npm install && npm start`: `npm start` prints its links, answers on them, and stops on Ctrl+C', async () => {
  const dataDir = mkdtempSync(join(ROOT, '.tmp', 'readme-start-'));
  // Free ports chosen by the OS would be better, but the demo prints fixed ones: pick unlikely ones.
  const port = 18_000 + Math.floor(Math.random() * 2000);
  const env = { ...process.env, TIEPDAN_PORT: String(port), TIEPDAN_SITE_PORT: String(port + 1), TIEPDAN_DATA_DIR: dataDir };
  // `npm install` already ran (this test runs from the installed tree); `npm start` builds, then starts.
  const child = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await new Promise<void>((done, fail) => {
      const timer = setInterval(() => {
        if (out.includes('Ctrl+C')) {
          clearInterval(timer);
          done();
        }
      }, 100);
      child.once('exit', (code) => {
        clearInterval(timer);
        fail(new Error(`npm start exited ${code}: ${out}`));
      });
    });
    const site = `http://127.0.0.1:${port + 1}`;
    assert.match(out, new RegExp(`${site}/officials\\.html#token=`, 'u'));
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    assert.equal((await fetch(site)).status, 200);
  } finally {
    const exited = new Promise((done) => child.once('exit', done));
    // The whole process group (npm → node): Ctrl+C in a terminal reaches them all.
    process.kill(-child.pid!, 'SIGINT');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
