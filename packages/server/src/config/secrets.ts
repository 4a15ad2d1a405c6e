/**
 * Secrets for demo and development: generated once into `dataDir/secrets.json` (mode 0600) so a developer can
 * start the server without setting anything, and tokens minted by `tiepdan-server token` keep working across
 * restarts. Production never comes here: missing secrets there are a startup error (config/load.ts).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './errors.js';

export interface Secrets {
  authSecret: string;
  /** base64 of 32 bytes. */
  dataKey: string;
}

export function loadOrCreateSecrets(dataDir: string, warn: (message: string) => void): Secrets {
  const path = join(dataDir, 'secrets.json');
  try {
    const stored = JSON.parse(readFileSync(path, 'utf8')) as Partial<Secrets>;
    if (typeof stored.authSecret === 'string' && stored.authSecret.length >= 32 && typeof stored.dataKey === 'string' && Buffer.from(stored.dataKey, 'base64').length === 32) {
      return { authSecret: stored.authSecret, dataKey: stored.dataKey };
    }
    throw new ConfigError([`${path}: exists but does not hold valid secrets; restore it or set TIEPDAN_AUTH_SECRET and TIEPDAN_DATA_KEY`], [path]);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    if (error instanceof SyntaxError) throw new ConfigError([`${path}: cannot be read as JSON (${error.message})`], [path]);
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const secrets: Secrets = { authSecret: randomBytes(48).toString('base64url'), dataKey: randomBytes(32).toString('base64') };
  // 'wx' fails if another process created it meanwhile, rather than overwriting the key its data is sealed with.
  writeFileSync(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  warn(`generated authSecret and dataKey into ${path} (development only: set TIEPDAN_AUTH_SECRET and TIEPDAN_DATA_KEY in production, and back the data key up: without it denouncers' data cannot be read)`);
  return secrets;
}
