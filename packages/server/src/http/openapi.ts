/**
 * The HTTP API as a contract (issue 14): @fastify/swagger collects every route's `schema` (zod, turned into JSON
 * Schema by fastify-type-provider-zod) into one OpenAPI 3.1 document, served at /api/v1/openapi.json and
 * committed as docs/openapi.json (`npm run docs:openapi`; a test fails when it is stale or a route has no schema).
 * The reference page for people is Swagger UI at /api/v1/reference/ (@fastify/swagger-ui, its files served by
 * this server: nothing from a CDN). Its page has no inline script, so it runs under the server's own CSP
 * (script-src 'self'); openapi-reference.test.ts opens it in Chromium and counts CSP violations.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { SwaggerTransformObject } from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { globalRegistry, registry, toJSONSchema, type $ZodType } from 'zod/v4/core';
import { ErrorBodySchema, ManifestSchema, ReceptionCaseSchema, RecorderReplySchema, RecordingCopySchema, RecordingSchema, RegisterEntrySchema, RegistrationRecordSchema, SessionViewSchema } from '@tiepdan/core';

declare module 'fastify' {
  interface FastifySchema {
    /**
     * A body or querystring the handler checks itself with `parseWith` (http/validation.ts), because another
     * answer must come first: the caller's session or CSRF token, the record exists, it is of the caller's unit.
     * The document shows it as the route's own, from the very schema the handler parses with, but fastify does not
     * validate it before the handler, so a 401, 403 or 404 is still said before a 422.
     */
    checkedByHandler?: { body?: $ZodType; querystring?: $ZodType };
  }
}

/**
 * The views many replies share, written once as components and referred to by `$ref`: rendered inline, a case
 * or a session was repeated in every route that answers it, and the document weighed 1.2 MB. Private to the
 * document (not zod's global registry), so no other use of these schemas is changed by their ids.
 */
const schemaRegistry = registry<{ id: string }>();
/**
 * The transform reads a schema's metadata (`.describe()`, `.meta()`) from the registry it is given alone, and zod
 * keeps that metadata in its global one: so this registry's map falls back to the global map, as the transform's
 * default (the global registry) did, less the global ids, which would name components this document lacks.
 */
class WithGlobalMeta extends WeakMap<$ZodType, { id: string }> {
  override get(schema: $ZodType): { id: string } | undefined {
    const own = super.get(schema);
    if (own) return own;
    const { id: _id, ...meta } = (globalRegistry._map.get(schema) ?? {}) as Record<string, unknown>;
    return Object.keys(meta).length ? (meta as { id: string }) : undefined;
  }
}
schemaRegistry._map = new WithGlobalMeta();
schemaRegistry.add(ReceptionCaseSchema, { id: 'ReceptionCase' });
schemaRegistry.add(RegistrationRecordSchema, { id: 'RegistrationRecord' });
schemaRegistry.add(RegisterEntrySchema, { id: 'RegisterEntry' });
schemaRegistry.add(SessionViewSchema, { id: 'SessionView' });
schemaRegistry.add(RecordingSchema, { id: 'Recording' });
schemaRegistry.add(RecorderReplySchema, { id: 'RecorderReply' });
schemaRegistry.add(RecordingCopySchema, { id: 'RecordingCopy' });
schemaRegistry.add(ManifestSchema, { id: 'Manifest' });

const zodTransform = createJsonSchemaTransform({ schemaRegistry });
const zodComponents = createJsonSchemaTransformObject({ schemaRegistry });

/** The zod transform, with the handler-checked parts put where the document expects them. */
const transform: typeof zodTransform = (input) => {
  const { checkedByHandler, ...schema } = (input.schema ?? {}) as NonNullable<typeof input.schema> & { checkedByHandler?: Record<string, $ZodType> };
  return zodTransform(checkedByHandler ? { ...input, schema: { ...schema, ...checkedByHandler } } : input);
};

/**
 * The registry's components that a path, or a component kept, refers to. The transform renders each registered
 * view for input and for output (`ReceptionCaseInput` and `ReceptionCase`); these are views, so the input copies
 * are referred to by nothing and would only weigh the document down.
 */
function referenced(paths: unknown, schemas: Record<string, unknown>): Record<string, unknown> {
  const refersTo = (text: string, id: string) => text.includes(`"#/components/schemas/${id}"`);
  const kept = new Set<string>();
  let text = JSON.stringify(paths);
  for (let grew = true; grew; ) {
    grew = false;
    for (const id of Object.keys(schemas)) {
      if (kept.has(id) || !refersTo(text, id)) continue;
      kept.add(id);
      text += JSON.stringify(schemas[id]);
      grew = true;
    }
  }
  return Object.fromEntries(Object.entries(schemas).filter(([id]) => kept.has(id)));
}

export const OPENAPI_PATH = '/api/v1/openapi.json';
/** Swagger UI over the same document. */
export const REFERENCE_PATH = '/api/v1/reference';

/** Where every 4xx response of the document points: the one error shape. */
export const ERROR_SCHEMA_REF = '#/components/schemas/Error';

/** The `Error` component, rendered from core's ErrorBodySchema (what a client may be sent, hence `input`: open objects). */
export function errorJsonSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = toJSONSchema(ErrorBodySchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
  return schema;
}

function errorReply(description: string) {
  return { description, content: { 'application/json': { schema: { $ref: ERROR_SCHEMA_REF } } } };
}

type Operation = { requestBody?: unknown; parameters?: { in?: string }[]; responses?: Record<string, unknown> };

/**
 * Every route refuses in the one error shape (http/error-handler.ts sends nothing else), so every operation gets
 * the `4XX` range referring to `Error`, and one that checks a body, query or path (a route `schema`, or a part
 * `checkedByHandler`) also its 422 `validation_failed`. A 4xx a route declares itself is left as it is (the test
 * fails when it does not refer to `Error`).
 */
const withErrors: SwaggerTransformObject = (input) => {
  const doc = zodComponents(input) as {
    paths?: Record<string, Record<string, Operation>>;
    components?: { schemas?: Record<string, unknown> };
  };
  for (const ops of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(ops)) {
      const responses = (op.responses ??= {});
      const checksInput = Boolean(op.requestBody) || (op.parameters ?? []).some((p) => p.in === 'query' || p.in === 'path');
      if (checksInput) responses['422'] ??= errorReply('`validation_failed`: the body, query or path breaks the schema; `fields` names each offending field.');
      responses['4XX'] ??= errorReply('Refused (unauthenticated, forbidden, not found, conflict, rate limited…): the one error shape, with `code` and a message in Vietnamese and English.');
    }
  }
  doc.components = { ...doc.components, schemas: { ...referenced(doc.paths, doc.components?.schemas ?? {}), Error: errorJsonSchema() } };
  return doc as ReturnType<SwaggerTransformObject>;
};

/** Registers the collector; must run before any route is added (it hears routes as they are declared). */
export async function openApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'tiepdan API',
        version: '1',
        description:
          'Online citizen reception (tiếp công dân trực tuyến). Every error is `{ error: { code, message: { vi, en }, fields?: [{ path, code, message }] } }`; a request that breaks a schema is 422 `validation_failed` naming each field.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: "An official's access token (POST /api/v1/auth/token) or a device credential." } },
      },
    },
    transform,
    transformObject: withErrors,
  });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async (_request, reply) => reply.header('Cache-Control', 'public, max-age=300').send(app.swagger()));
  await app.register(swaggerUi, {
    routePrefix: REFERENCE_PATH,
    // The document it reads is the one above, not the plugin's own copy at …/json.
    uiConfig: { url: OPENAPI_PATH, deepLinking: true, validatorUrl: null },
    logLevel: 'warn',
  });
}

/** The document as committed in docs/openapi.json (stable key order, one trailing newline). */
export function renderOpenApi(app: FastifyInstance): string {
  return `${JSON.stringify(app.swagger(), null, 2)}\n`;
}
