/**
 * A real PostgreSQL server for tests, from Debian's binaries (`postgresql`, which .ci/run installs): initdb into
 * a temp folder, pg_ctl start on a free port on 127.0.0.1, one fresh database per caller, stopped and removed
 * at the end. initdb refuses to run as root, so as root the server runs as the `postgres` user (runuser).
 * `postgresUnavailable` says why it cannot run here (no binaries), which the suites report as their skip reason.
 * fsync is off: these tests check transactions and constraints, not durability across a power cut.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { freePort } from './helpers.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const ROOT = '/usr/lib/postgresql';

function binDir(): string | undefined {
  if (!existsSync(ROOT)) return undefined;
  const versions = readdirSync(ROOT).filter((v) => existsSync(join(ROOT, v, 'bin', 'initdb')) && existsSync(join(ROOT, v, 'bin', 'pg_ctl')));
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest && join(ROOT, newest, 'bin');
}

const BIN = binDir();
const asRoot = process.getuid?.() === 0;
const postgresUser = asRoot ? spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }) : undefined;

export const postgresUnavailable: string | undefined = !BIN
  ? `PostgreSQL binaries not found under ${ROOT} (apt-get install postgresql; .ci/run installs it)`
  : asRoot && postgresUser?.status !== 0
    ? 'running as root and there is no "postgres" user to run initdb as (apt-get install postgresql creates it)'
    : undefined;


function run(tool: string, args: string[]): void {
  const command = asRoot ? '/usr/sbin/runuser' : join(BIN!, tool);
  const argv = asRoot ? ['-u', 'postgres', '--', join(BIN!, tool), ...args] : args;
  execFileSync(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
}

export interface PgServer {
  /** A URL to a new, empty database on this server. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<PgServer> {
  if (postgresUnavailable) throw new Error(postgresUnavailable);
  const dir = mkdtempSync(join(tmpdir(), 'tiepdan-pg-'));
  if (asRoot) {
    const uid = Number(postgresUser!.stdout.trim());
    chownSync(dir, uid, Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()));
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'tiepdan', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, 'start']);
  const base = `postgres://tiepdan@127.0.0.1:${port}`;
  let stopped = false;
  return {
    async createDatabase() {
      const name = `t_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: `${base}/postgres` });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return `${base}/${name}`;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
