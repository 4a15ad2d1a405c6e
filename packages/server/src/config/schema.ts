/**
 * The server's configuration, validated once at start. Everything a law or a deployment may change lives here
 * (SPEC: "numbers, thresholds, periods are configuration, not code"), and a bad value stops the server with a
 * message that names the field, instead of surfacing later as a strange 500.
 */
import * as z from 'zod';
import { DEFAULT_DEADLINES, DEFAULT_FREQUENCY_RULES, DEFAULT_RULES, isRealIsoDate, OFFICIAL_ROLES, SECOND_FACTOR_ROLES, SIGNALING_LIMITS, type RegistrationRules } from '@tiepdan/core';
import { RecordingSettingsSchema } from '../recording/settings.js';

export const MODES = ['demo', 'development', 'production'] as const;
export type Mode = (typeof MODES)[number];

const CommuneSchema = z.strictObject({
  code: z.string().regex(/^\d{5}$/u, 'a commune code has 5 digits'),
  name: z.string().min(1),
});

const ConnectionPointSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/u, 'letters, digits, "_", "." or "-" (at most 64)'),
  name: z.string().min(1),
  /** The point above this one in the tree (ward → province → central board); absent at the root. */
  parent: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/u).optional(),
});

export const UnitSchema = z.strictObject({
  code: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/u, 'letters, digits, "_", "." or "-" (at most 64)'),
  name: z.string().min(1),
  provinceCode: z.string().regex(/^\d{2}$/u, 'a province code has 2 digits'),
  communes: z.array(CommuneSchema).default([]),
  connectionPoints: z.array(ConnectionPointSchema).default([]),
  /** The ward site's page that holds `<tiepdan-room>`; invitations link to it (overrides `notices.joinPage`). */
  joinPage: z.url().optional(),
  /** How the unit's papers are headed (Decree 30/2020): the body above, the issuing unit, the place in the date line. */
  papers: z
    .strictObject({
      upperBody: z.string().min(1).optional(),
      issuer: z.string().min(1).optional(),
      place: z.string().min(1).optional(),
    })
    .default({}),
});
export type UnitConfig = z.infer<typeof UnitSchema>;

const BandSchema = z.strictObject({ fromSize: z.int().min(1), min: z.int().min(0), max: z.int().min(0) });

/** Partial rules from the config file; merged over DEFAULT_RULES so a deployment states only what differs. */
const RulesInputSchema = z.strictObject({
  representatives: z.array(BandSchema).min(1).optional(),
  attachments: z
    .strictObject({
      maxCount: z.int().min(0).max(50).optional(),
      maxBytes: z.int().min(1).optional(),
      maxTotalBytes: z.int().min(1).optional(),
      types: z.array(z.enum(['image/jpeg', 'image/png', 'image/webp', 'application/pdf'])).optional(),
    })
    .optional(),
});

/** An allowed origin: `https://phuongsadec.dongthap.gov.vn`, or with `*` for a port or a subdomain in development. */
const OriginSchema = z.string().regex(/^https?:\/\/[^/\s]+$/u, 'an origin is scheme://host[:port], without a path');

/** 32 random bytes, base64: the AES-256-GCM key for denouncers' data and the root of the lookup HMAC key. */
const DataKeySchema = z
  .string()
  .refine((value) => /^[A-Za-z0-9+/_-]+={0,2}$/u.test(value) && Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64-encoded');

const LocalDateSchema = z.string().refine(isRealIsoDate, 'a date yyyy-mm-dd');

/** The reception schedule's settings; the legal minimum frequencies are law, so they are configuration. */
const ScheduleSettingsSchema = z.strictObject({
  workingWeekdays: z.array(z.int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
  frequencyRules: z
    .array(z.strictObject({ level: z.enum(['commune', 'province', 'central']), from: LocalDateSchema, per: z.enum(['month', 'week']), min: z.int().min(0) }))
    .default(DEFAULT_FREQUENCY_RULES),
  /** How far ahead a periodic series is expanded into sessions by default. */
  horizonMonths: z.int().min(1).max(24).default(6),
  /** "off" leaves notices in the outbox (an operator, or a test, dispatches them later). */
  noticeDispatch: z.enum(['auto', 'off']).default('auto'),
  /**
   * Share of a session's places that registrations not yet screened may hold (a preferred session on the form,
   * or the citizen's own booking); the rest is kept for the board's invitations. One phone holds at most one
   * such place at a time. 1 turns the limit off; 0 lets only screened registrations take places.
   */
  provisionalShare: z.number().min(0).max(1).default(0.5),
  /** Provisional places one phone number may hold at a time, over all sessions; 0 turns the limit off. */
  provisionalPerPhone: z.int().min(0).max(100).default(1),
  /** How often the outbox is retried for notices whose sender failed. */
  noticeRetrySeconds: z.int().min(1).max(3600).default(60),
});

/** `{to}`, `{text}` and `{id}` in a template are replaced when sending; anything else is sent as written. */
const TemplateSchema = z.record(z.string().min(1), z.string());

/**
 * How citizens are told (schedule/notices). `log` writes each notice to the server log and to
 * dataDir/notices/ and delivers nothing: it is the demo's channel. `smtp` sends e-mail through nodemailer;
 * `sms-http` posts to one HTTP SMS gateway (Vietnamese brand-name SMS providers are HTTP APIs), described by
 * its URL, headers and a body template. docs/notices.md shows a configuration for each.
 */
const NoticeChannelSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('log') }),
  z.strictObject({
    type: z.literal('smtp'),
    host: z.string().min(1),
    port: z.int().min(1).max(65535).default(587),
    /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
    secure: z.boolean().default(false),
    /** Refuse to send when the server does not upgrade to TLS (recommended outside a closed network). */
    requireTLS: z.boolean().default(false),
    user: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** `"UBND phường Sa Đéc" <tiepcongdan@sadec.dongthap.gov.vn>` */
    from: z.string().min(3),
    replyTo: z.string().min(3).optional(),
    timeoutMs: z.int().min(100).max(120_000).default(20_000),
  }),
  z.strictObject({
    type: z.literal('sms-http'),
    url: z.url(),
    method: z.enum(['POST', 'GET']).default('POST'),
    headers: z.record(z.string().min(1), z.string()).default({}),
    /** POST body as JSON or as an HTML form; GET puts the template in the query string. */
    encoding: z.enum(['json', 'form']).default('json'),
    template: TemplateSchema,
    /** How `{to}` is written: "+84912345678", "84912345678" or "0912345678". */
    phoneFormat: z.enum(['e164', '84', 'national']).default('84'),
    /** Strip diacritics (brand-name SMS without Unicode costs a third as much per message). */
    ascii: z.boolean().default(false),
    /** A gateway that answers 200 with an error code: the JSON field that must equal `equals` for success. */
    success: z.strictObject({ field: z.string().min(1), equals: z.union([z.string(), z.number()]) }).optional(),
    timeoutMs: z.int().min(100).max(120_000).default(10_000),
  }),
]);
export type NoticeChannelConfig = z.infer<typeof NoticeChannelSchema>;

const NoticesSettingsSchema = z.strictObject({
  channels: z.array(NoticeChannelSchema).min(1).default([{ type: 'log' }]),
  /** The ward site's page with `<tiepdan-room>`: the join link is `<joinPage>#session=<id>&token=<join token>`. */
  joinPage: z.url().optional(),
  /** The ward site's page with `<tiepdan-lookup>`: the desk's notices (receipt, outcome) link to it. */
  lookupPage: z.url().optional(),
  /** Attempts per channel before a delivery is "failed"; waits double from `firstRetryMs` up to `maxRetryMs`. */
  maxAttempts: z.int().min(1).max(50).default(6),
  firstRetryMs: z.int().min(10).max(3_600_000).default(30_000),
  maxRetryMs: z.int().min(10).max(86_400_000).default(3_600_000),
});

const RoomsSettingsSchema = z.strictObject({
  resumeWindowMs: z.int().min(100).max(3_600_000).default(SIGNALING_LIMITS.resumeWindowMs),
  authTimeoutMs: z.int().min(50).max(60_000).default(SIGNALING_LIMITS.authTimeoutMs),
  heartbeatIntervalMs: z.int().min(50).max(300_000).default(SIGNALING_LIMITS.heartbeatIntervalMs),
  /** Silence after which either side takes the link for dead; by default twice the interval and a second. */
  heartbeatTimeoutMs: z.int().min(100).max(900_000).optional(),
  messagesPerSecond: z.number().min(1).max(1_000_000).default(SIGNALING_LIMITS.messagesPerSecond),
  messageBurst: z.int().min(1).max(1_000_000).default(SIGNALING_LIMITS.messageBurst),
  maxFrameBytes: z.int().min(1024).max(16 * 1024 * 1024).default(SIGNALING_LIMITS.maxFrameBytes),
  maxBufferedBytes: z.int().min(16 * 1024).default(SIGNALING_LIMITS.maxBufferedBytes),
  eventLogSize: z.int().min(10).max(100_000).default(SIGNALING_LIMITS.eventLogSize),
  /**
   * Sent with `server.restarting`: clients spread their reconnects over this window. It must end well inside
   * `resumeWindowMs` (a restored room gives everyone that window from the restart), or clients lose their places.
   */
  reconnectAfterMs: z.int().min(0).max(60_000).default(500),
  /** SPEC §1: observers (inspectorate, police) are hidden from citizens where policy says so. */
  hideObserversFromCitizens: z.boolean().default(true),
})
  .refine((s) => s.heartbeatTimeoutMs === undefined || s.heartbeatTimeoutMs > s.heartbeatIntervalMs, {
    path: ['heartbeatTimeoutMs'],
    message: 'must be longer than heartbeatIntervalMs',
  })
  .refine((s) => s.reconnectAfterMs < s.resumeWindowMs, {
    path: ['reconnectAfterMs'],
    message: 'must be shorter than resumeWindowMs: clients that come back after the window lose their places',
  })
  .transform((s) => ({ ...s, heartbeatTimeoutMs: s.heartbeatTimeoutMs ?? s.heartbeatIntervalMs * 2 + 1000 }));

const MessageSchema = z.strictObject({ vi: z.string().min(1), en: z.string().min(1) });

/** Single sign-on (OpenID Connect, authorization code + PKCE) with the province's identity provider. */
const OidcSchema = z.strictObject({
  issuer: z.url(),
  clientId: z.string().min(1),
  /** Absent for a public client (PKCE only). */
  clientSecret: z.string().min(1).optional(),
  /** Where the provider sends the browser back; publicUrl + /api/v1/auth/oidc/callback when absent. */
  redirectUri: z.url().optional(),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/u, 'a scope token')).default(['openid', 'profile']),
  /**
   * Role(s) and unit from the ID token's claims: `roles` names a claim holding a role or a list of roles (mapped
   * through `roleMap` when the provider's names differ), `unit` a claim holding the unit code. Without it, roles
   * come from tiepdan's own assignment table (an administrator assigns them to the single sign-on account).
   */
  claims: z
    .strictObject({
      roles: z.string().min(1),
      unit: z.string().min(1),
      roleMap: z.record(z.string(), z.enum(OFFICIAL_ROLES)).optional(),
    })
    .optional(),
  /** The button's label. */
  label: MessageSchema.default({ vi: 'Đăng nhập một lần (SSO) của tỉnh', en: 'Province single sign-on' }),
  /** How long to wait for the provider before telling the official it is down. */
  timeoutMs: z.int().min(100).max(60_000).default(5000),
});

/** Officials' sign-in: sessions, lockout, second factor, device credentials, single sign-on. */
const AuthSettingsSchema = z.strictObject({
  /** A browser session's absolute life (a working day). */
  sessionSeconds: z.int().min(10).max(86_400).default(12 * 3600),
  /** A browser session unused this long ends (the page refreshes its token while it is open). */
  idleSeconds: z.int().min(5).max(86_400).default(3600),
  /** The access tokens the elements send as Bearer; short, so a removed role or a sign-out bites at once. */
  accessTokenSeconds: z.int().min(5).max(3600).default(600),
  maxFailures: z.int().min(1).max(100).default(5),
  lockSeconds: z.int().min(1).max(86_400).default(900),
  /** Sign-in attempts per minute from one address (on top of the per-account lockout). */
  signInPerMinute: z.int().min(1).max(10_000).default(10),
  /** A recorder's device credential: at most a working day (tokens never live longer than 12 h). */
  deviceSeconds: z.int().min(10).max(12 * 3600).default(12 * 3600),
  secondFactorRoles: z.array(z.enum(OFFICIAL_ROLES)).default([...SECOND_FACTOR_ROLES]),
  oidc: OidcSchema.optional(),
});
export type AuthSettings = z.infer<typeof AuthSettingsSchema>;

/**
 * Where the server keeps its data: SQLite in dataDir (one node), or PostgreSQL (several nodes on one database,
 * docs/deploy.md). The URL carries the database password: it is read from the file or TIEPDAN_DATABASE_URL and
 * never logged.
 */
const StoreSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('sqlite') }),
  z.strictObject({ kind: z.literal('postgres'), url: z.string().regex(/^postgres(ql)?:\/\//u, 'must be a postgres:// or postgresql:// URL'), poolSize: z.number().int().min(1).max(100).default(10) }),
]);

/**
 * How the nodes of one deployment talk: `memory` (one node: the rooms live in this process), or `redis` (several
 * nodes behind a load balancer: a room runs on the node holding its lease in Redis, any node takes its sockets,
 * rate limits and the guess budget are counted in Redis). The URL may carry a password: never logged.
 */
const BusSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('memory') }),
  z.strictObject({
    kind: z.literal('redis'),
    url: z.string().regex(/^rediss?:\/\//u, 'must be a redis:// or rediss:// URL'),
    /** A room's lease not renewed for this long passes to the next node that gets one of its commands. */
    leaseMs: z.int().min(300).max(60_000).default(3000),
    /** Names this node in leases and logs; hostname-pid-random when absent. */
    nodeId: z.string().regex(/^[\w.-]{1,64}$/u, 'letters, digits, dot, dash, underscore').optional(),
  }),
]);

export const ConfigSchema = z.strictObject({
  mode: z.enum(MODES).default('development'),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8787),
  dataDir: z.string().min(1).default('./data'),
  store: StoreSchema.default({ kind: 'sqlite' }),
  bus: BusSchema.default({ kind: 'memory' }),
  publicUrl: z.url().optional(),
  allowedOrigins: z.array(OriginSchema).default([]),
  authSecret: z.string().min(32, 'must be at least 32 characters').optional(),
  dataKey: DataKeySchema.optional(),
  units: z.array(UnitSchema).default([]),
  privacyNotice: z
    .strictObject({
      version: z.string().min(1).max(40),
      text: z.strictObject({ vi: z.string().min(1), en: z.string().min(1) }),
    })
    .optional(),
  rules: RulesInputSchema.default({}),
  rateLimits: z
    .strictObject({
      enabled: z.boolean().default(true),
      lookupPerMinute: z.int().min(1).default(10),
      submitPerMinute: z.int().min(1).default(30),
    })
    .default({ enabled: true, lookupPerMinute: 10, submitPerMinute: 30 }),
  /** Largest JSON body in bytes (multipart uploads are bounded by the attachment rules instead). */
  bodyLimit: z.int().min(1024).default(256 * 1024),
  remoteAttendanceAllowed: z.boolean().default(false),
  sdkDir: z.string().min(1).optional(),
  staticDirs: z.array(z.strictObject({ prefix: z.string().startsWith('/'), dir: z.string().min(1) })).default([]),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Days without reception, per year ("2026": ["2026-01-01", "2026-02-16", …]); Tết converted to solar dates. */
  holidays: z.record(z.string().regex(/^\d{4}$/u, 'a year'), z.array(LocalDateSchema)).default({}),
  /** Extra working days per year (a Saturday worked to make up for a bridge holiday). */
  workingDays: z.record(z.string().regex(/^\d{4}$/u, 'a year'), z.array(LocalDateSchema)).default({}),
  schedule: ScheduleSettingsSchema.default(ScheduleSettingsSchema.parse({})),
  /** TURN relay for the peer-to-peer transport (coturn `use-auth-secret`): credentials are minted per join, time-limited. */
  turn: z
    .strictObject({
      urls: z.array(z.string().regex(/^turns?:[^\s]+$/u, 'a turn: or turns: URL')).min(1),
      secret: z.string().min(16, 'must be at least 16 characters'),
      ttl: z.int().min(60).max(86_400).default(3600),
      /**
       * Every peer sends media through the relay only (`iceTransportPolicy: 'relay'`): no participant learns
       * another's address (a citizen's home IP stays hidden from the officials' points), and a deployment can
       * prove its relay path works before a firewall forces it.
       */
      relayOnly: z.boolean().default(false),
    })
    .optional(),
  /** Jitsi transport: the room name and a JWT (the prosody token plugin's shared secret) go only to admitted participants. */
  jitsi: z.strictObject({ domain: z.string().min(1), appId: z.string().min(1), secret: z.string().min(32, 'must be at least 32 characters') }).optional(),
  /** Notices to citizens: channels (log, smtp, sms-http), the join page of invitations, retries. */
  notices: NoticesSettingsSchema.prefault({}),
  /** Rooms (signaling): windows and limits; tests shorten them, benches loosen them. */
  rooms: RoomsSettingsSchema.prefault({}),
  /** Recording: lease and heartbeat, drain after the end, segment size, ffmpeg/ffprobe, manifest signing key. */
  recording: RecordingSettingsSchema.prefault({}),
  /** Officials' sign-in: local accounts (password + TOTP), sessions, device credentials, single sign-on. */
  auth: AuthSettingsSchema.prefault({}),
  /** The reception desk and register: legal time limits for follow-up (core's desk/deadlines.ts), defaults from the law. */
  desk: z
    .strictObject({
      deadlines: z
        .strictObject({
          complaint: z.strictObject({ acceptDays: z.int().min(1).max(3650), settleDays: z.int().min(1).max(3650), settleComplexDays: z.int().min(1).max(3650), remoteSettleDays: z.int().min(1).max(3650), remoteSettleComplexDays: z.int().min(1).max(3650) }).default(DEFAULT_DEADLINES.complaint),
          denunciation: z.strictObject({ settleDays: z.int().min(1).max(3650), extensionDays: z.int().min(1).max(3650), maxExtensions: z.int().min(0).max(10) }).default(DEFAULT_DEADLINES.denunciation),
          dueSoonDays: z.int().min(0).max(365).default(DEFAULT_DEADLINES.dueSoonDays),
        })
        .prefault({}),
      /** Most lines a .docx register export takes (the docx package holds the whole document in memory; register/plugin.ts). */
      docxMaxLines: z.int().min(1).max(100_000).default(1000),
    })
    .prefault({}),
  /** Trust X-Forwarded-For (behind the ward's reverse proxy), so rate limits count citizens, not the proxy. */
  trustProxy: z.boolean().default(false),
});
export type ConfigInput = z.input<typeof ConfigSchema>;
type ParsedConfig = z.infer<typeof ConfigSchema>;

/** The resolved configuration: secrets present, rules complete, a privacy notice always there. */
export interface Config extends Omit<ParsedConfig, 'rules' | 'authSecret' | 'dataKey' | 'privacyNotice'> {
  rules: RegistrationRules;
  authSecret: string;
  /** 32 raw bytes. */
  dataKey: Buffer;
  privacyNotice: { version: string; text: { vi: string; en: string } };
}

export function mergeRules(input: ParsedConfig['rules']): RegistrationRules {
  return {
    representatives: input.representatives ?? DEFAULT_RULES.representatives,
    attachments: { ...DEFAULT_RULES.attachments, ...stripUndefined(input.attachments ?? {}) },
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
