/**
 * Reads the configuration from, in increasing precedence: defaults, a JSON file (`--config path` or
 * TIEPDAN_CONFIG), TIEPDAN_* environment variables, and explicit values (tests, the CLI). Fails with a
 * ConfigError whose message names every bad field; the CLI prints it and exits with code 2.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type * as z from 'zod';
import { DEMO_ALLOWED_ORIGINS, DEMO_PRIVACY_NOTICE, DEMO_UNIT } from './demo.js';
import { ConfigSchema, mergeRules, type Config, type ConfigInput } from './schema.js';
import { ConfigError } from './errors.js';
import { loadOrCreateSecrets } from './secrets.js';

export { ConfigError };


export interface LoadConfigOptions {
  /** Path of a JSON config file. */
  file?: string | undefined;
  /** Environment to read TIEPDAN_* from; defaults to process.env. Pass {} in tests to ignore the real one. */
  env?: NodeJS.ProcessEnv;
  /** Dev mode with the demo unit and the loopback origins of the example site. */
  demo?: boolean;
  /** Highest-precedence values. */
  values?: Partial<ConfigInput>;
  /** Where warnings go (generated secrets); stderr by default, because the logger does not exist yet. */
  warn?: (message: string) => void;
}

/** Environment variable → config key, with how to read the string. */
const ENV_KEYS: Record<string, [keyof ConfigInput, (value: string) => unknown]> = {
  TIEPDAN_MODE: ['mode', String],
  TIEPDAN_HOST: ['host', String],
  TIEPDAN_PORT: ['port', Number],
  TIEPDAN_DATA_DIR: ['dataDir', String],
  TIEPDAN_PUBLIC_URL: ['publicUrl', String],
  TIEPDAN_ALLOWED_ORIGINS: ['allowedOrigins', (v) => v.split(',').map((s) => s.trim()).filter(Boolean)],
  TIEPDAN_AUTH_SECRET: ['authSecret', String],
  TIEPDAN_DATA_KEY: ['dataKey', String],
  TIEPDAN_SDK_DIR: ['sdkDir', String],
  TIEPDAN_BODY_LIMIT: ['bodyLimit', Number],
  TIEPDAN_REMOTE_ATTENDANCE: ['remoteAttendanceAllowed', parseBoolean],
  TIEPDAN_LOG_LEVEL: ['logLevel', String],
  TIEPDAN_TRUST_PROXY: ['trustProxy', parseBoolean],
};

function parseBoolean(value: string): unknown {
  if (/^(1|true|yes|on)$/iu.test(value)) return true;
  if (/^(0|false|no|off)$/iu.test(value)) return false;
  return value; // left as a string so validation names the variable
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const warn = options.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  const sources: string[] = [];
  const problems: string[] = [];

  const file = options.file ?? env.TIEPDAN_CONFIG;
  let fromFile: Record<string, unknown> = {};
  if (file) {
    sources.push(file);
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) problems.push(`${file}: must hold a JSON object`);
      else fromFile = parsed as Record<string, unknown>;
    } catch (error) {
      problems.push(`${file}: cannot be read as JSON (${(error as Error).message})`);
    }
  }

  const fromEnv: Record<string, unknown> = {};
  const envNames: Record<string, string> = {};
  for (const [name, [key, read]] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    fromEnv[key] = read(value);
    envNames[key] = name;
  }
  if (env.TIEPDAN_RATE_LIMITS !== undefined) {
    fromEnv.rateLimits = { ...(fromFile.rateLimits as object | undefined), enabled: parseBoolean(env.TIEPDAN_RATE_LIMITS) };
    envNames.rateLimits = 'TIEPDAN_RATE_LIMITS';
  }
  if (Object.keys(envNames).length) sources.push('environment');
  // NODE_ENV=production is how most hosts say "this is live": it must never fall back to generated secrets.
  if (env.TIEPDAN_DATABASE_URL !== undefined) {
    fromEnv.store = { kind: 'postgres', url: env.TIEPDAN_DATABASE_URL };
    envNames.store = 'TIEPDAN_DATABASE_URL';
  }
  if (env.TIEPDAN_REDIS_URL !== undefined) {
    fromEnv.bus = { ...(fromFile.bus as object | undefined), kind: 'redis', url: env.TIEPDAN_REDIS_URL };
    envNames.bus = 'TIEPDAN_REDIS_URL';
  }
  if (env.NODE_ENV === 'production' && fromEnv.mode === undefined) fromEnv.mode = 'production';

  const merged: Record<string, unknown> = { ...fromFile, ...fromEnv, ...options.values };
  if (options.demo) {
    if (merged.mode === 'production') problems.push('mode: --demo cannot be used in production mode (NODE_ENV=production or mode "production")');
    merged.mode = 'demo';
  }
  if (problems.length) throw new ConfigError(problems, sources);

  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, envNames), sources);
  const raw = parsed.data;
  const production = raw.mode === 'production';

  if (production) {
    if (!raw.authSecret) problems.push('authSecret: required in production (TIEPDAN_AUTH_SECRET, at least 32 characters)');
    if (!raw.dataKey) problems.push('dataKey: required in production (TIEPDAN_DATA_KEY, 32 bytes base64: `openssl rand -base64 32`)');
    if (raw.units.length === 0) problems.push('units: at least one unit is required in production');
    if (!raw.privacyNotice) problems.push('privacyNotice: required in production (version and text in vi and en)');
    // "log" writes notices to a file: in production that would tell officials a citizen was notified when nobody was.
    if (!raw.notices.channels.some((c) => c.type !== 'log')) problems.push('notices.channels: production needs a delivering channel ("smtp" or "sms-http"); "log" delivers nothing');
  }
  // Several nodes on one database: a secret generated into one node's data folder would be that node's alone (its
  // tokens refused by the others, its sealed data unreadable to them). Not generated into the database either: the
  // data key protects what the database holds, and the token secret would turn a read of a table into the power
  // to sign in as any official. Every node is given the same two values.
  if (raw.store.kind === 'postgres' && !production) {
    if (!raw.authSecret) problems.push('authSecret: required with store "postgres" (TIEPDAN_AUTH_SECRET, the same on every node: tokens signed by one node are checked by the others)');
    if (!raw.dataKey) problems.push('dataKey: required with store "postgres" (TIEPDAN_DATA_KEY, the same on every node: what one node seals the others open)');
  }
  const codes = raw.units.map((u) => u.code);
  codes.forEach((code, i) => {
    if (codes.indexOf(code) !== i) problems.push(`units.${i}.code: "${code}" appears more than once`);
  });
  const channelTypes = raw.notices.channels.map((c) => c.type);
  channelTypes.forEach((type, i) => {
    if (channelTypes.indexOf(type) !== i) problems.push(`notices.channels.${i}.type: "${type}" appears more than once`);
  });
  const oidc = raw.auth.oidc;
  if (oidc && !oidc.redirectUri && !raw.publicUrl) problems.push('auth.oidc.redirectUri: required when publicUrl is not set (the provider must know where to send officials back)');
  if (oidc && production && !oidc.issuer.startsWith('https://')) problems.push('auth.oidc.issuer: must be https in production');
  const rules = mergeRules(raw.rules);
  if (rules.attachments.maxBytes > rules.attachments.maxTotalBytes) problems.push('rules.attachments.maxBytes: larger than maxTotalBytes');
  if (problems.length) throw new ConfigError(problems, sources);

  const dataDir = resolve(raw.dataDir);
  const secrets =
    raw.authSecret && raw.dataKey
      ? { authSecret: raw.authSecret, dataKey: raw.dataKey }
      : { ...loadOrCreateSecrets(dataDir, warn), ...(raw.authSecret ? { authSecret: raw.authSecret } : {}), ...(raw.dataKey ? { dataKey: raw.dataKey } : {}) };

  const demo = raw.mode === 'demo';
  return {
    ...raw,
    dataDir,
    rules,
    units: raw.units.length ? raw.units : [DEMO_UNIT],
    allowedOrigins: demo ? [...new Set([...raw.allowedOrigins, ...DEMO_ALLOWED_ORIGINS])] : raw.allowedOrigins,
    privacyNotice: raw.privacyNotice ?? DEMO_PRIVACY_NOTICE,
    authSecret: secrets.authSecret,
    dataKey: Buffer.from(secrets.dataKey, 'base64'),
  };
}

function describeIssues(issues: z.core.$ZodIssue[], envNames: Record<string, string>): string[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String);
    const top = String(path[0] ?? '');
    const fromEnv = envNames[top] ? ` (from ${envNames[top]})` : '';
    // One line per unknown key, so a typo ("alowedOrigins") is named where the reader looks for it.
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${[...path, key].join('.')}: unknown field${fromEnv}`);
    return [`${path.join('.') || '(root)'}: ${issue.message}${fromEnv}`];
  });
}
