/**
 * Renders docs/protocol.md from the protocol's schemas, descriptions, limits, close codes and role table in
 * @tiepdan/core, so the document cannot drift: `npm run docs:protocol` writes it, and a test fails when the
 * committed file differs from what this renders.
 */
import { toJSONSchema } from 'zod';
import {
  CLOSE_CODE_DESCRIPTIONS,
  CLOSE_CODES,
  ClientMessageSchema,
  ERROR_MESSAGES,
  EVENT_DESCRIPTIONS,
  PROTOCOL_VERSION,
  RECORDED_REQUEST_TYPES,
  REQUEST_DESCRIPTIONS,
  REQUEST_PERMISSIONS,
  RESULT_SCHEMAS,
  ROOM_PERMISSIONS,
  ROOM_ROLES,
  RoomEventSchema,
  SIGNALING_ERROR_MESSAGES,
  SIGNALING_LIMITS,
  SIGNALING_PATH,
  type RoomPermission,
} from '@tiepdan/core';
import { ANSWERED_KEPT } from './room-data.js';

type JsonSchema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  $ref?: string;
};

const ENVELOPE = new Set(['v', 'id', 'type', 'resent']);

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return schema.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map(typeOf).join(' \\| ');
  if (schema.type === 'array') return `${schema.items ? typeOf(schema.items) : 'any'}[]`;
  if (schema.type === 'object') return schema.properties && Object.keys(schema.properties).length ? 'object' : '{}';
  const bounds: string[] = [];
  if (schema.minLength !== undefined && schema.minLength > 0) bounds.push(`≥ ${schema.minLength}`);
  if (schema.maxLength !== undefined) bounds.push(`≤ ${schema.maxLength}`);
  if (schema.minimum !== undefined) bounds.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER) bounds.push(`≤ ${schema.maximum}`);
  if (schema.pattern) bounds.push(`\`/${schema.pattern}/\``);
  const type = Array.isArray(schema.type) ? schema.type.join(' \\| ') : schema.type ?? 'any';
  return bounds.length ? `${type} (${bounds.join(', ')})` : type;
}

/** One row per field, nested objects flattened with dotted paths; discriminated unions listed per variant. */
function fieldRows(schema: JsonSchema, prefix = '', skip: Set<string> = new Set()): string[] {
  const rows: string[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    if (!prefix && skip.has(name)) continue;
    const path = `${prefix}${name}`;
    rows.push(`| \`${path}\` | ${typeOf(field)} | ${required.has(name) ? 'yes' : 'no'} |`);
    if (field.type === 'object' && field.properties) rows.push(...fieldRows(field, `${path}.`));
    if (field.type === 'array' && field.items?.type === 'object') rows.push(...fieldRows(field.items, `${path}[].`));
    for (const variant of field.anyOf ?? field.oneOf ?? []) {
      if (variant.type === 'object' && variant.properties) {
        const tag = Object.entries(variant.properties).find(([, p]) => p.const !== undefined);
        rows.push(...fieldRows(variant, `${path}${tag ? `{${tag[0]}=${JSON.stringify(tag[1].const)}}` : ''}.`));
      }
    }
  }
  return rows;
}

function table(rows: string[]): string {
  return rows.length ? ['| field | type | required |', '|---|---|---|', ...rows].join('\n') : '_No fields._';
}

function jsonSchema(schema: unknown): JsonSchema {
  return toJSONSchema(schema as Parameters<typeof toJSONSchema>[0], { unrepresentable: 'any', reused: 'inline' }) as JsonSchema;
}

function variants(union: unknown): JsonSchema[] {
  const root = jsonSchema(union);
  return (root.anyOf ?? root.oneOf ?? []) as JsonSchema[];
}

/** A message variant's `type` literal (every request and event schema has one). */
function messageType(variant: JsonSchema): string {
  const type = variant.properties?.['type']?.const;
  if (typeof type !== 'string') throw new Error(`a protocol message schema without a literal type: ${JSON.stringify(variant).slice(0, 200)}`);
  return type;
}

function rolesFor(permission: RoomPermission | undefined): string {
  if (!permission) return 'any participant';
  return (ROOM_PERMISSIONS[permission] as readonly string[]).join(', ');
}

export function renderProtocolDoc(): string {
  const out: string[] = [];
  out.push(`<!-- Generated from packages/core/src/signaling by \`npm run docs:protocol\`; do not edit by hand (a test compares). -->`);
  out.push(`# Signaling protocol, version ${PROTOCOL_VERSION}`);
  out.push('');
  out.push(`One WebSocket per client at \`${SIGNALING_PATH}\` on the tiepdan server. Frames are UTF-8 JSON text frames, each an object with \`v: ${PROTOCOL_VERSION}\`.`);
  out.push('');
  out.push('- **Requests** (client → server) carry `id` (1–64 characters, chosen by the client) and `type`, and get exactly one reply: `{ v, type: "result", id, result }` or `{ v, type: "error", id, error: { code, message: { vi, en }, fields? } }` (the project\'s error shape; `id` is null when the frame could not be read far enough to find it).');
  out.push(`- **Sent again**: a client whose socket dropped before a reply may send the request again, with the same \`id\` and \`resent: true\`, after its \`hello\` resumed its place. The room keeps the results of the requests that change it (${RECORDED_REQUEST_TYPES.map((t) => `\`${t}\``).join(', ')}; the last ${ANSWERED_KEPT} per participant), so one it had already carried out is answered from that record, not done twice. Such an \`id\` must be one the client never used for another request.`);
  out.push('- **Events** (server → client) are `{ v, type: "event", seq, at, event }`; `seq` numbers the room\'s events. A client keeps the last `seq` it saw and sends it in `hello.resume` after a reconnect to get what it missed.');
  out.push('- **Authentication** is the first frame, `hello`, never the URL (URLs end up in logs). A socket that does not say hello in time is closed with AUTH_TIMEOUT; anything else first is closed with PROTOCOL_ERROR.');
  out.push('- Officials authenticate with their access token (`auth.kind: "official"`); citizens with the join token of their invitation (`auth.kind: "citizen"`), which names the registration and the session.');
  out.push('');
  out.push('## Limits');
  out.push('');
  out.push('Defaults; a deployment may configure them (`rooms` in the server config), and `hello`\'s result says which apply.');
  out.push('');
  out.push('| limit | default |');
  out.push('|---|---|');
  for (const [name, value] of Object.entries(SIGNALING_LIMITS)) out.push(`| \`${name}\` | ${value} |`);
  out.push('');
  out.push('## Close codes');
  out.push('');
  out.push('A client reconnects (and resumes) after 1001, 1005, 1006, 1011–1013, AUTH_TIMEOUT, RATE_LIMITED, SLOW_CONSUMER, HEARTBEAT_TIMEOUT and SERVER_RESTARTING; the other codes mean "do not come back with the same credentials".');
  out.push('');
  out.push('| code | name | why |');
  out.push('|---|---|---|');
  for (const [name, code] of Object.entries(CLOSE_CODES)) out.push(`| ${code} | ${name} | ${CLOSE_CODE_DESCRIPTIONS[name as keyof typeof CLOSE_CODES]} |`);
  out.push('| 1009 | (ws) | A frame far beyond the limit, refused by the WebSocket layer itself. |');
  out.push('');
  out.push('## Requests');
  for (const variant of variants(ClientMessageSchema)) {
    const type = messageType(variant) as keyof typeof REQUEST_DESCRIPTIONS;
    out.push('');
    out.push(`### \`${type}\``);
    out.push('');
    out.push(REQUEST_DESCRIPTIONS[type]);
    out.push('');
    out.push(`Allowed for: ${rolesFor(REQUEST_PERMISSIONS[type])}.`);
    out.push('');
    out.push(table(fieldRows(variant, '', ENVELOPE)));
    out.push('');
    out.push('Result:');
    out.push('');
    out.push(table(fieldRows(jsonSchema(RESULT_SCHEMAS[type]))));
  }
  out.push('');
  out.push('## Events');
  for (const variant of variants(RoomEventSchema)) {
    const type = messageType(variant) as keyof typeof EVENT_DESCRIPTIONS;
    out.push('');
    out.push(`### \`${type}\` (event)`);
    out.push('');
    out.push(EVENT_DESCRIPTIONS[type]);
    out.push('');
    out.push(table(fieldRows(variant, '', new Set(['type']))));
  }
  out.push('');
  out.push('## Roles and permissions');
  out.push('');
  out.push(`| permission | ${ROOM_ROLES.join(' | ')} |`);
  out.push(`|---|${ROOM_ROLES.map(() => '---').join('|')}|`);
  for (const [permission, roles] of Object.entries(ROOM_PERMISSIONS)) {
    out.push(`| \`${permission}\` | ${ROOM_ROLES.map((role) => ((roles as readonly string[]).includes(role) ? 'yes' : '—')).join(' | ')} |`);
  }
  out.push('');
  out.push('Observers are hidden from citizens unless the deployment sets `rooms.hideObserversFromCitizens` to false. A citizen in the lobby sees only themself and gets only lobby events until admitted. WebRTC `signal` frames pass only between two participants who may see each other, neither of them in the lobby.');
  out.push('');
  out.push('## Error codes');
  out.push('');
  out.push('Besides the shared codes (`validation_failed`, `bad_json`, `unauthenticated`, `forbidden`, `not_found`, `invalid_transition`, `rate_limited`, `payload_too_large`, `internal`), the protocol uses:');
  out.push('');
  out.push('| code | message (en) | message (vi) |');
  out.push('|---|---|---|');
  for (const [code, message] of Object.entries(SIGNALING_ERROR_MESSAGES)) out.push(`| \`${code}\` | ${message.en} | ${message.vi} |`);
  void ERROR_MESSAGES;
  out.push('');
  return out.join('\n');
}
