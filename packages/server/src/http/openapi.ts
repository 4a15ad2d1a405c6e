/**
 * The HTTP API as a contract (issue 14): @fastify/swagger collects every route's `schema` (zod, turned into JSON
 * Schema by fastify-type-provider-zod) into one OpenAPI 3.1 document, served at /api/v1/openapi.json and
 * committed as docs/openapi.json (`npm run docs:openapi`; a test fails when it is stale or a route has no schema).
 * No reference page is served: swagger-ui and its peers need inline scripts or styles, which the server's CSP
 * (default-src 'self', no 'unsafe-inline') refuses; an integrator opens the document in their own tools.
 */
import swagger from '@fastify/swagger';
import type { SwaggerTransformObject } from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { toJSONSchema, type $ZodType } from 'zod/v4/core';
import { ErrorBodySchema } from '@tiepdan/core';

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

/** jsonSchemaTransform, with the handler-checked parts put where the document expects them. */
const transform: typeof jsonSchemaTransform = (input) => {
  const { checkedByHandler, ...schema } = (input.schema ?? {}) as NonNullable<typeof input.schema> & { checkedByHandler?: Record<string, $ZodType> };
  return jsonSchemaTransform(checkedByHandler ? { ...input, schema: { ...schema, ...checkedByHandler } } : input);
};

export const OPENAPI_PATH = '/api/v1/openapi.json';

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
  const doc = ('openapiObject' in input ? input.openapiObject : input.swaggerObject) as {
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
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, Error: errorJsonSchema() } };
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
}

/** The document as committed in docs/openapi.json (stable key order, one trailing newline). */
export function renderOpenApi(app: FastifyInstance): string {
  return `${JSON.stringify(app.swagger(), null, 2)}\n`;
}
