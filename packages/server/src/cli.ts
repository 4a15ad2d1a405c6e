#!/usr/bin/env node
/**
 * tiepdan-server: `start` runs the server, `token` mints an official's access token (for scripts and tests; people
 * sign in), `account create` makes an account (the first administrator of a unit, who makes the others),
 * `migrate` applies database migrations without starting, `verify` checks a recording bundle (exit 0 VERIFIED,
 * 1 FAILED, 3 intact but UNTRUSTED: no trusted key given), `keys` lists or rotates the recording signing key,
 * `record` runs the headless recorder of a session (exit 0 once the session ended and everything was sent, or
 * on SIGTERM after handing over to a standby; 1 when it fails: a supervisor restarts it and it resends what it kept).
 * A configuration error exits with code 2
 * and a message naming each bad field, so a deployment script can tell it from a crash (1).
 */
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { OFFICIAL_ROLES, type OfficialRole } from '@tiepdan/core';
import { randomBytes } from 'node:crypto';
import { createAccount } from './auth/bootstrap.js';
import { AuthService } from './auth/service.js';
import { mintToken, parseTtl } from './auth/tokens.js';
import { deriveKeys } from './privacy/keys.js';
import { ConfigError } from './config/errors.js';
import { loadConfig } from './config/load.js';
import { createServer } from './http/server.js';
import { supervise } from './deploy/supervisor.js';
import { runWorker } from './deploy/worker.js';
import { MissingCapabilityError, requireCapabilities } from './store/capabilities.js';
import { openStore } from './store/open.js';
import { formatReport, verifyRecording } from './recording/verify/verify.js';
import { parseKeyHistory, SigningKeys } from './recording/signing/keys.js';
import type { TrustAnchors } from './recording/verify/trust.js';
import { findChromium, startHeadlessRecorder } from './recording/headless/headless.js';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The components bundle installed beside the server (dist/bundle), when it is. */
function bundledSdk(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@tiepdan/components')), 'bundle');
  } catch {
    return undefined;
  }
}

const USAGE = `Usage:
  tiepdan-server start [--config file.json] [--demo] [--supervise]   (--supervise: SIGHUP restarts with no gap; docs/deploy.md)
  tiepdan-server token --role clerk --unit dongthap.sadec --sub nguyen.van.a [--name "Nguyễn Văn A"] [--ttl 1h] [--config file.json]
  tiepdan-server account create --username quan.tri --name "Trần Văn Quản" --role admin --unit dongthap.sadec [--config file.json]
  tiepdan-server migrate [--config file.json]
  tiepdan-server verify <recording-folder|manifest.json> (--keys recording-keys.json | --public-key key.pem | --fingerprint HEX) [--tsa-ca ca.pem] [--ffprobe path] [--json]
  tiepdan-server keys list|rotate [--config file.json]
  tiepdan-server record --session ID [--server URL] [--token-file device-token.txt] [--recorder-id ID] [--chromium path] [--profile dir] [--sdk-dir dir] [--config file.json]

Configuration comes from the JSON file and TIEPDAN_* environment variables (see README).`;

const EXIT_USAGE = 64;
const EXIT_CONFIG = 2;
/** verify: every integrity check passed but no trusted key was given, so it is not VERIFIED. */
const EXIT_UNTRUSTED = 3;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      demo: { type: 'boolean', default: false },
      supervise: { type: 'boolean', default: false },
      role: { type: 'string' },
      unit: { type: 'string' },
      sub: { type: 'string' },
      name: { type: 'string' },
      ttl: { type: 'string', default: '1h' },
      username: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      'public-key': { type: 'string', multiple: true },
      fingerprint: { type: 'string', multiple: true },
      keys: { type: 'string' },
      'tsa-ca': { type: 'string' },
      ffprobe: { type: 'string' },
      json: { type: 'boolean', default: false },
      session: { type: 'string' },
      server: { type: 'string' },
      'token-file': { type: 'string' },
      'recorder-id': { type: 'string' },
      chromium: { type: 'string' },
      profile: { type: 'string' },
      'sdk-dir': { type: 'string' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : EXIT_USAGE;
  }
  const configOptions = { file: values.config, demo: values.demo };

  switch (command) {
    case 'start': {
      // The supervisor loads nothing itself: each worker reads the config (and the code) anew, so a restart deploys.
      if (values.supervise && cluster.isPrimary) return supervise();
      const config = loadConfig(configOptions);
      if (cluster.isWorker) {
        await runWorker(config);
        return -1;
      }
      const server = await createServer(config);
      const url = await server.start({ handleSignals: true });
      server.app.log.info({ url, mode: config.mode, dataDir: config.dataDir, units: config.units.map((u) => u.code) }, 'tiepdan server listening');
      return -1; // keep running
    }
    case 'token': {
      const role = values.role as OfficialRole | undefined;
      if (!role || !OFFICIAL_ROLES.includes(role) || !values.unit || !values.sub) {
        process.stderr.write(`token needs --role (${OFFICIAL_ROLES.join('|')}), --unit (a unit code or "*") and --sub\n\n${USAGE}\n`);
        return EXIT_USAGE;
      }
      const config = loadConfig({ ...configOptions, warn: (message) => process.stderr.write(`warning: ${message}\n`) });
      const claims = { sub: values.sub, role, unit: values.unit, ...(values.name ? { name: values.name } : {}) };
      process.stdout.write(`${await mintToken(config.authSecret, claims, parseTtl(values.ttl))}\n`);
      return 0;
    }
    case 'account': {
      const role = values.role as OfficialRole | undefined;
      if (positionals[1] !== 'create' || !values.username || !values.name || !role || !OFFICIAL_ROLES.includes(role) || !values.unit) {
        process.stderr.write(`account create needs --username, --name, --role (${OFFICIAL_ROLES.join('|')}) and --unit\n\n${USAGE}\n`);
        return EXIT_USAGE;
      }
      const config = loadConfig(configOptions);
      const store = await openStore(config);
      try {
        const service = new AuthService(requireCapabilities(store).accounts, config.auth, config.authSecret, deriveKeys(config.dataKey).auth);
        // A generated password, printed once: one typed on the command line would stay in the shell's history.
        const password = randomBytes(15).toString('base64url');
        const created = await createAccount(service, { username: values.username.normalize('NFC').trim().toLowerCase(), displayName: values.name.normalize('NFC'), password, roles: [{ role, unit: values.unit }] }, 'cli');
        if (created === 'username_taken') {
          process.stderr.write(`the user name "${values.username}" is taken\n`);
          return 1;
        }
        process.stdout.write(`account: ${created.account.username}\npassword: ${password}\n${created.secondFactorUri ? `authenticator (scan as a QR code or type the secret): ${created.secondFactorUri}\n` : ''}`);
      } finally {
        await store.close();
      }
      return 0;
    }
    case 'migrate': {
      const config = loadConfig(configOptions);
      const store = await openStore(config);
      const applied = store.appliedMigrations;
      await store.close();
      process.stdout.write(applied.length ? `applied migrations: ${applied.join(', ')}\n` : 'database is up to date\n');
      return 0;
    }
    case 'verify': {
      // Needs no configuration: a third party runs it on a copied folder, years later.
      const target = positionals[1];
      if (!target) {
        process.stderr.write(`verify needs a recording folder or its manifest.json\n\n${USAGE}\n`);
        return EXIT_USAGE;
      }
      const { readFileSync } = await import('node:fs');
      const trust: TrustAnchors = {
        publicKeys: (values['public-key'] ?? []).map((file) => ({ pem: readFileSync(file, 'utf8'), source: file })),
        fingerprints: values.fingerprint ?? [],
        history: values.keys ? { history: parseKeyHistory(readFileSync(values.keys, 'utf8')), source: values.keys } : undefined,
      };
      const tsaCaPem = values['tsa-ca'] ? readFileSync(values['tsa-ca'], 'utf8') : undefined;
      const report = await verifyRecording(target, { trust, tsaCaPem, ffprobe: values.ffprobe });
      process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      return report.verdict === 'VERIFIED' ? 0 : report.verdict === 'UNTRUSTED' ? EXIT_UNTRUSTED : 1;
    }
    case 'keys': {
      const config = loadConfig(configOptions);
      if (positionals[1] !== 'rotate' && positionals[1] !== 'list') {
        process.stderr.write(`keys needs "list" or "rotate"\n\n${USAGE}\n`);
        return EXIT_USAGE;
      }
      // The key is where the servers keep it: the data folder on SQLite, the database on PostgreSQL.
      const store = await openStore(config);
      try {
        const keys = new SigningKeys(store.keyVault(deriveKeys(config.dataKey).vault), config.recording.signingKey);
        if (positionals[1] === 'rotate') {
          const { previous, current } = await keys.rotate();
          process.stdout.write(`new signing key ${current.keyId}${previous ? ` (retired ${previous}; old bundles still verify with the key history)` : ''}\npublish: GET /api/v1/recordings/keys\n`);
          return 0;
        }
        if (!(await keys.history()).keys.length) await keys.current();
        const history = await keys.history();
        for (const k of history.keys) process.stdout.write(`${k.keyId}  ${k.validFrom}  ${k.validUntil ?? 'current'}\n`);
        return 0;
      } finally {
        await store.close();
      }
    }
    case 'record': {
      // The configuration is optional: a recording machine may have none, only the server's URL and a credential.
      const config = values.config || process.env.TIEPDAN_CONFIG ? loadConfig(configOptions) : undefined;
      const server = values.server ?? config?.publicUrl ?? (config ? `http://127.0.0.1:${config.port}` : undefined);
      // The credential never on the command line (ps shows it to every user): a file, or the environment.
      const token = values['token-file'] ? (await readFile(values['token-file'], 'utf8')).trim() : process.env.TIEPDAN_RECORDER_TOKEN;
      const sdkDir = values['sdk-dir'] ?? config?.sdkDir ?? bundledSdk();
      const missing = [!values.session && '--session', !server && '--server (or a configuration with publicUrl)', !token && '--token-file or TIEPDAN_RECORDER_TOKEN', !sdkDir && '--sdk-dir'].filter(Boolean);
      if (missing.length) {
        process.stderr.write(`record needs ${missing.join(', ')}\n\n${USAGE}\n`);
        return EXIT_USAGE;
      }
      const recorderId = values['recorder-id'] ?? `headless-${hostname()}`;
      const report = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
      const running = await startHeadlessRecorder({
        server: server!,
        sessionId: values.session!,
        token: token!,
        recorderId,
        sdkDir: sdkDir!,
        chromium: findChromium(values.chromium ?? config?.recording.chromium),
        profileDir: values.profile ?? join(tmpdir(), 'tiepdan-recorder', recorderId),
        report,
      });
      for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void running.stop());
      return running.done;
    }
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}\n`);
      return EXIT_USAGE;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof MissingCapabilityError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = EXIT_CONFIG;
    } else if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
      process.exitCode = EXIT_USAGE;
    } else {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
