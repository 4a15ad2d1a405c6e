/**
 * Pieces the API's view schemas share (api/*-views.ts). Views describe what the server answers, so they check
 * shapes, not the rules an input must meet; a reply is serialized through them (fastify-type-provider-zod), and
 * `z.object` drops any key a view does not name. Kept apart from i18n/message.ts so an element that only calls
 * `say()` does not load zod.
 */
import * as z from 'zod/mini';

z.config({ jitless: true });

export const MessageSchema = z.object({ vi: z.string(), en: z.string() });
