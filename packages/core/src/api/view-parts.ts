/**
 * Pieces the API's view schemas share (api/*-views.ts). Views describe what the server answers, so they check
 * shapes, not the rules an input must meet; a reply is serialized through them (fastify-type-provider-zod), and
 * `z.object` drops any key a view does not name. Kept apart from i18n/message.ts so an element that only calls
 * `say()` does not load zod.
 */
import * as z from 'zod/mini';

z.config({ jitless: true });

export const MessageSchema = z.object({ vi: z.string(), en: z.string() });

/**
 * The same shape as an input schema, without its rules: every key and type kept, no length, pattern or refine
 * check, objects no longer strict. For a view of something that was an input once and may have been changed
 * since, as a registration redacted for a role that may not read the denouncer ("(bảo mật)" is no phone number).
 */
export function shapeOnly<T extends z.ZodMiniType>(schema: T): z.ZodMiniType<z.output<T>> {
  const def = (schema as unknown as { _zod: { def: { type: string; shape?: Record<string, z.ZodMiniType>; innerType?: z.ZodMiniType; element?: z.ZodMiniType } } })._zod.def;
  const copy = (s: z.ZodMiniType): z.ZodMiniType => shapeOnly(s);
  switch (def.type) {
    case 'object':
      return z.object(Object.fromEntries(Object.entries(def.shape!).map(([key, value]) => [key, copy(value)]))) as never;
    case 'optional':
      return z.optional(copy(def.innerType!)) as never;
    case 'nullable':
      return z.nullable(copy(def.innerType!)) as never;
    case 'array':
      return z.array(copy(def.element!)) as never;
    case 'string':
      return z.string() as never;
    case 'number':
      return z.number() as never;
    case 'boolean':
      return z.boolean() as never;
    case 'enum':
    case 'literal':
      return schema as never;
    default:
      throw new Error(`shapeOnly: no copy for a ${def.type} schema`);
  }
}
