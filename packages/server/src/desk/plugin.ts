/**
 * The reception desk as one fastify plugin (mounted under /api/v1 by http/server.ts): a case (vụ việc) per
 * citizen received, taken through the Circular 04 steps by the clerk or the chair, the head's own acts by the
 * chair only, and the citizen's confirmation of the content from their room view with their join token.
 *
 * Order of checks on every route: the role (guard: 401/403), the body (422 naming each field, before anything is
 * read), the case (404), its unit (403), its state (409). docs/desk.md lists the routes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  fieldError,
  CaseContentSchema,
  CaseResponseSchema,
  CloseSchema,
  ConfirmationPendingResponseSchema,
  ConfirmSchema,
  DirectionSchema,
  HandlingSchema,
  HelperCheckSchema,
  IdentityCheckSchema,
  OpenCaseSchema,
  ReceiptSchema,
  RefusalNoticeSchema,
  RefusalSchema,
  SplitSchema,
  handlingFieldErrors,
  refusalFieldErrors,
  splitFieldErrors,
  type ReceptionCase,
  type TokenClaims,
} from '@tiepdan/core';
import * as z from 'zod/mini';
import { officialOf, type RequirePermission } from '../auth/guard.js';
import type { Config } from '../config/schema.js';
import { ApiError } from '../http/api-error.js';
import { recordingOf } from '../recording/plugin.js';
import { roomsOf } from '../rooms/plugin.js';
import { noticesOf } from '../schedule/plugin.js';
import type { JoinClaims, JoinTokenVerifier } from '../rooms/join-tokens.js';
import type { CaseRow } from '../store/case-store.js';
import type { Store } from '../store/store.js';
import { PAPERS, type PaperKind } from './papers/content.js';
import { paperFileName, renderPaper } from './papers/render.js';
import { caseView, fromStored, isConfidentialCase, mayReadDenouncer } from './privacy.js';
import { Desk } from './service.js';
import { parseBody } from './validate.js';
import { invalid } from '../http/validation.js';

export interface DeskOptions {
  config: Config;
  store: Store;
  sealKey: Buffer;
  joinTokens: JoinTokenVerifier;
  requirePermission: RequirePermission;
  now?: () => number;
}

const CASE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;
/** Walk-ins may name the unit when the caller's token reaches every unit. */
const OpenBodySchema = z.extend(OpenCaseSchema, { unit: z.optional(z.string({ error: 'invalid' }).check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/u, { error: 'invalid' }))) });

const desks = new WeakMap<object, Desk>();
/** The desk's service, for the register and the papers (same app). */
export function deskOf(app: FastifyInstance): Desk | undefined {
  return desks.get(app.server);
}

function caseId(request: FastifyRequest): string {
  const { id } = request.params as { id: string };
  if (!CASE_ID.test(id)) throw new ApiError(404, 'not_found');
  return id;
}

/** A citizen's join token from the Authorization header (never from the URL, which gets logged). */
export async function citizenOf(request: FastifyRequest, joinTokens: JoinTokenVerifier): Promise<JoinClaims> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/iu.exec(header.trim()) : null;
  const claims = match ? await joinTokens.verify(match[1]!) : undefined;
  if (!claims) throw new ApiError(401, 'unauthenticated', undefined, undefined, { 'WWW-Authenticate': 'Bearer realm="tiepdan-citizens"' });
  return claims;
}

export async function desk(app: FastifyInstance, opts: DeskOptions): Promise<void> {
  const { config, store, sealKey, joinTokens, requirePermission } = opts;
  // Each committed step reaches the session's room as `case.updated` (rooms/room.ts), so the desk panel and the
  // citizen's view read the case again on their own. A room that cannot be told loses only that nudge.
  const onChanged = (c: ReceptionCase, step: string) => {
    if (!c.sessionId) return;
    roomsOf(app)?.caseUpdated(c.sessionId, c.id, c.state, step).catch((error: unknown) => app.log.warn({ err: error, caseId: c.id }, 'desk: the room could not be told of a case step'));
  };
  const service = new Desk({ store, sealKey, units: config.units, recording: () => recordingOf(app), notices: () => noticesOf(app), lookupPage: config.notices.lookupPage, onChanged, now: opts.now });
  desks.set(app.server, service);

  const answer = (rows: CaseRow[], official: TokenClaims) => {
    const views = rows.map((row) => caseView(row, sealKey, official));
    return rows.length > 1 ? { case: views[0]!, cases: views } : { case: views[0]! };
  };
  const act = 'desk.act' as const;
  // Bodies are checked in the handler, after the guard (checkedByHandler, http/openapi.ts), with the cross-field
  // rules in the same answer. A case id that is not a UUID is 404, as an unknown one.
  const secured = { tags: ['desk'], security: [{ bearer: [] }] };
  const citizenSide = { tags: ['desk'], security: [{ bearer: [] }], description: "With the citizen's join token (their invitation's), not an official's." };
  const idParams = z.object({ id: z.string() });
  const paperParams = z.object({ id: z.string(), paper: z.string() });
  const paperQuery = z.object({ format: z.optional(z.enum(['pdf', 'docx'])) });

  app.post('/desk/cases', { preHandler: requirePermission(act), schema: { ...secured, summary: 'Opens the case of a citizen received (from a registration, or a walk-in); the same registration gives the same case', checkedByHandler: { body: OpenBodySchema }, response: { 200: CaseResponseSchema, 201: CaseResponseSchema } } }, async (request, reply: FastifyReply) => {
    const official = officialOf(request);
    const body = parseBody(OpenBodySchema, request.body);
    const { row, created } = await service.open(official, body);
    return reply.code(created ? 201 : 200).send({ case: caseView(row, sealKey, official) });
  });

  app.get('/desk/cases/:id', { preHandler: requirePermission('desk.read'), schema: { ...secured, summary: 'One case as the caller may see it', params: idParams, response: { 200: CaseResponseSchema } } }, async (request) => {
    const official = officialOf(request);
    return { case: caseView(await service.get(official, caseId(request)), sealKey, official) } satisfies { case: ReceptionCase };
  });

  /** One route per step: the schema, its cross-field rules, and the service's action. */
  const step = <S extends z.ZodMiniType>(
    path: string,
    summary: string,
    permission: 'desk.act' | 'desk.head',
    schema: S,
    run: (official: TokenClaims, id: string, body: z.infer<S>) => Promise<CaseRow[]>,
    rules?: (value: z.infer<S>) => ReturnType<typeof handlingFieldErrors>,
  ) =>
    app.post(`/desk/cases/:id/${path}`, { preHandler: requirePermission(permission), schema: { ...secured, summary, params: idParams, checkedByHandler: { body: schema }, response: { 200: CaseResponseSchema } } }, async (request) => {
      const official = officialOf(request);
      const body = parseBody(schema, request.body, rules);
      return answer(await run(official, caseId(request), body), official);
    });

  step('identity', 'The identity papers checked (step 1)', act, IdentityCheckSchema, (o, id, b) => service.identity(o, id, b));
  step('helpers', "A helper's or representative's papers checked", act, HelperCheckSchema, (o, id, b) => service.helper(o, id, b));
  step('content', 'What the citizen says, as written down (the content to confirm)', act, CaseContentSchema, (o, id, b) => service.content(o, id, b));
  step('confirmations/aloud', 'The citizen confirmed the content read aloud to them', act, ConfirmSchema, (o, id, b) => service.confirmAloud(o, id, b));
  step('receipt', 'The papers and evidence received from the citizen', act, ReceiptSchema, (o, id, b) => service.receipt(o, id, b));
  step('handling', 'How the case is handled: accepted, directed, guided or refused per matter', act, HandlingSchema, (o, id, b) => service.handling(o, id, b), handlingFieldErrors);
  step('directions', "The head's direction on the case (chair only)", 'desk.head', DirectionSchema, (o, id, b) => service.direction(o, id, b));
  step('split', 'Splits the matters of one case into several cases', act, SplitSchema, (o, id, b) => service.split(o, id, b), splitFieldErrors);
  step('refusal', 'Refuses to receive, with the legal ground', act, RefusalSchema, (o, id, b) => service.refuse(o, id, b), refusalFieldErrors);
  step('refusal-notice', 'The written refusal notice (chair only)', 'desk.head', RefusalNoticeSchema, (o, id, b) => service.refusalNotice(o, id, b));
  step('close', 'Closes the case', act, CloseSchema, (o, id, b) => service.close(o, id, b));

  // The citizen's side, with the join token of their invitation: what to confirm, and the confirmation itself.
  app.get('/desk/confirmation', { schema: { ...citizenSide, summary: 'What the citizen is asked to confirm, if anything', response: { 200: ConfirmationPendingResponseSchema } } }, async (request, reply) => {
    const claims = await citizenOf(request, joinTokens);
    const pending = await service.pendingFor(claims);
    reply.header('Cache-Control', 'no-store');
    return { pending: pending ?? null };
  });

  app.post('/desk/cases/:id/confirmation', { schema: { ...citizenSide, summary: 'The citizen confirms the content, by its version and hash', params: idParams, checkedByHandler: { body: ConfirmSchema }, response: { 200: z.object({ confirmation: z.object({ caseId: z.string(), version: z.number(), sha256: z.string(), at: z.string() }) }) } } }, async (request) => {
    const claims = await citizenOf(request, joinTokens);
    const body = parseBody(ConfirmSchema, request.body);
    const id = caseId(request);
    const [row] = await service.confirmByCitizen(claims, id, body);
    const c = row!.case;
    return { confirmation: { caseId: c.id, version: c.confirmation!.version, sha256: c.confirmation!.sha256, at: c.confirmation!.at } };
  });

  // The papers (SPEC §9) as .docx or PDF: officials who may read the case, and the citizen their own receipt and notice.
  const FORMATS = { docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', pdf: 'application/pdf' } as const;
  const sendPaper = async (request: FastifyRequest, reply: FastifyReply, row: CaseRow, allowed: readonly PaperKind[]) => {
    const { paper: kind } = request.params as { paper: string };
    const format = ((request.query as { format?: string }).format ?? 'pdf') as keyof typeof FORMATS;
    if (!(allowed as readonly string[]).includes(kind)) throw new ApiError(404, 'not_found');
    if (!(format in FORMATS)) throw invalid([fieldError('format', 'choose_one')]);
    const c = fromStored(row, sealKey);
    const bytes = await renderPaper(kind as PaperKind, c, config.units, recordingOf(app), format);
    if (!bytes) throw new ApiError(404, 'not_found');
    const name = paperFileName(kind as PaperKind, c, format);
    return reply
      .type(FORMATS[format])
      .header('Content-Disposition', `attachment; filename="${name}"`)
      .header('Cache-Control', 'private, no-store')
      .send(bytes);
  };

  app.get('/desk/cases/:id/papers/:paper', { preHandler: requirePermission('desk.read'), schema: { ...secured, summary: 'One of the papers of a case, as PDF (default) or .docx', params: paperParams, checkedByHandler: { querystring: paperQuery } } }, async (request, reply) => {
    const official = officialOf(request);
    const row = await service.get(official, caseId(request));
    // A paper names the citizen: a denouncer's papers only for the officers handling the case.
    if (isConfidentialCase(row.case) && !mayReadDenouncer(official)) throw new ApiError(403, 'forbidden');
    return sendPaper(request, reply, row, PAPERS);
  });

  app.get('/desk/cases/:id/citizen-papers/:paper', { schema: { ...citizenSide, summary: "The citizen's own receipt or refusal notice, as PDF (default) or .docx", params: paperParams, checkedByHandler: { querystring: paperQuery } } }, async (request, reply) => {
    const claims = await citizenOf(request, joinTokens);
    const row = await service.load(caseId(request));
    if (row.case.registrationReference !== claims.reference || row.case.sessionId !== claims.sessionId) throw new ApiError(403, 'forbidden');
    return sendPaper(request, reply, row, ['receipt', 'refusal-notice']);
  });
}
