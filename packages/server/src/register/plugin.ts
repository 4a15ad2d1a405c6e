/**
 * The reception register (Sổ tiếp công dân, Form 03) as one fastify plugin under /api/v1: the lines of the
 * cases (filtered by date range, kind, outcome, connection point), entries by hand for in-person receptions,
 * follow-up of results, the legal deadlines due and overdue, the exports (.xlsx, .docx, PDF, CSV) and the National
 * Database JSON and file drop. A denouncer's identity is redacted in every view and export for roles without
 * `registrations.readDenouncer` (desk/privacy.ts), because every line goes through `caseView`.
 */
import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  CASE_OUTCOMES,
  DeadlinesResponseSchema,
  NationalExportSchema,
  RegisterEntryResponseSchema,
  RegisterPageSchema,
  FollowUpSchema,
  MATTER_KINDS,
  RegisterEntryInputSchema,
  deadlinesOf,
  isRealIsoDate,
  fieldError,
  registerEntry,
  registerEntryFieldErrors,
  vnDate,
  type RegisterEntry,
  type TokenClaims,
} from '@tiepdan/core';
import * as z from 'zod/mini';
import { assertUnit, officialOf, unitScope, type RequirePermission } from '../auth/guard.js';
import type { Config } from '../config/schema.js';
import { ApiError } from '../http/api-error.js';
import { deskOf } from '../desk/plugin.js';
import { caseView, fromStored } from '../desk/privacy.js';
import { evidenceNote, recordingIdOf, type PaperEvidence } from '../desk/papers/evidence.js';
import { recordingOf } from '../recording/plugin.js';
import { parseBody } from '../desk/validate.js';
import type { Store } from '../store/store.js';
import { registerCsv, registerDocx, registerPdf, registerXlsx } from './exports.js';
import { FileDropExporter, nationalExport, type NationalDatabaseExporter } from './national.js';

export interface RegisterOptions {
  config: Config;
  store: Store;
  sealKey: Buffer;
  requirePermission: RequirePermission;
  /** Where exports for the National Database go; a file drop in dataDir/national-db by default. */
  national?: NationalDatabaseExporter | undefined;
}

/** A year of a busy province fits; more is a sign the filter was forgotten. */
export const MAX_REGISTER_LINES = 50_000;

const day = z.optional(z.string().check(z.refine(isRealIsoDate, { error: 'date' })));
const FiltersSchema = z.strictObject({
  from: day,
  to: day,
  kind: z.optional(z.enum(MATTER_KINDS, { error: 'kind' })),
  outcome: z.optional(z.enum([...CASE_OUTCOMES, 'refused'], { error: 'choose_one' })),
  pointId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/u, { error: 'invalid' }))),
  /** One unit's book, for a token that reaches every unit (a province's board); any other unit is 403. */
  unit: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/u, { error: 'invalid' }))),
  format: z.optional(z.enum(['xlsx', 'docx', 'pdf', 'csv'], { error: 'choose_one' })),
  on: day,
});
type Filters = z.infer<typeof FiltersSchema>;

const TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
  csv: 'text/csv; charset=utf-8',
} as const;

export async function register(app: FastifyInstance, opts: RegisterOptions): Promise<void> {
  const { config, store, sealKey, requirePermission } = opts;
  const national = opts.national ?? new FileDropExporter(join(config.dataDir, 'national-db'));
  const desk = () => {
    const service = deskOf(app);
    if (!service) throw new Error('the register needs the desk plugin registered first');
    return service;
  };

  /** The filters, as the route's querystring schema checked them (after the guard: preValidation). */
  const filtersOf = (request: FastifyRequest): Filters => request.query as Filters;
  const read = { preValidation: requirePermission('register.read') };
  const write = { preValidation: requirePermission('register.write') };
  const secured = { tags: ['register'], security: [{ bearer: [] }] };
  const filtered = { ...secured, querystring: FiltersSchema };

  const entries = async (official: TokenClaims, f: Filters): Promise<RegisterEntry[]> => {
    if (f.unit) assertUnit(official, f.unit);
    const rows = await store.cases.list(
      {
        unit: f.unit ?? unitScope(official),
        from: f.from ? new Date(`${f.from}T00:00:00+07:00`).toISOString() : undefined,
        to: f.to ? new Date(`${f.to}T23:59:59.999+07:00`).toISOString() : undefined,
        kind: f.kind,
        pointId: f.pointId,
      },
      MAX_REGISTER_LINES,
    );
    // One look-up per recording (a session's cases share it), not per line.
    const facts = new Map<string, Promise<PaperEvidence | null>>();
    const evidenceOf = (recordingId: string) => {
      if (!facts.has(recordingId)) facts.set(recordingId, (recordingOf(app)?.evidence(recordingId) ?? Promise.resolve(null)).then((e) => (e ? { ...e, recordingId } : null)));
      return facts.get(recordingId)!;
    };
    const lines: RegisterEntry[] = [];
    for (const row of rows) {
      const c = caseView(row, sealKey, official);
      const line = registerEntry(c);
      const recordingId = recordingIdOf(c);
      const e = recordingId ? await evidenceOf(recordingId) : null;
      if (e) {
        line.evidence = { recordingId: e.recordingId, keyId: e.keyId, manifestSha256: e.manifestSha256 };
        line.notes = [line.notes, evidenceNote(e)].filter(Boolean).join('; ');
      }
      lines.push(line);
    }
    return f.outcome ? lines.filter((e) => e.outcome === f.outcome) : lines;
  };

  app.get('/register', { ...read, schema: { ...filtered, summary: 'The register of citizen reception (sổ tiếp công dân): one line per case, filtered', response: { 200: RegisterPageSchema } } }, async (request) => {
    const official = officialOf(request);
    return { entries: await entries(official, filtersOf(request)) };
  });

  app.get('/register/export', { ...read, schema: { ...filtered, summary: 'The register as .xlsx (default), .docx, PDF or CSV' } }, async (request, reply) => {
    const official = officialOf(request);
    const f = filtersOf(request);
    const format = f.format ?? 'xlsx';
    const lines = await entries(official, f);
    // The `docx` package builds the whole document in memory: 10,000 lines took 2.16 GB and 20 s of CPU
    // (`npm run bench:register`). A printed book is a ward's year, not a province's: above `desk.docxMaxLines`
    // (1,000) the .docx is refused before anything is built, naming the remedy (a shorter period, or the .xlsx).
    if (format === 'docx' && lines.length > config.desk.docxMaxLines) throw new ApiError(422, 'validation_failed', [fieldError('format', 'docx_lines')]);
    const unitCode = f.unit ?? (official.unit === '*' ? 'all' : official.unit);
    const period = f.from || f.to ? `Từ ngày ${f.from ? f.from.split('-').reverse().join('/') : '…'} đến ngày ${f.to ? f.to.split('-').reverse().join('/') : '…'}` : 'Toàn bộ';
    const bytes =
      format === 'xlsx' ? await registerXlsx(lines)
      : format === 'csv' ? registerCsv(lines)
      : format === 'pdf' ? await registerPdf(lines, config.units.find((u) => u.code === unitCode), unitCode, period)
      : await registerDocx(lines, config.units.find((u) => u.code === unitCode), unitCode, period);
    return reply
      .type(TYPES[format])
      .header('Content-Disposition', `attachment; filename="so-tiep-cong-dan-${unitCode}.${format}"`)
      .header('Cache-Control', 'private, no-store')
      .send(bytes);
  });

  app.post('/register/entries', {
    ...write,
    // Checked in the handler: the cross-field rules come in the same 422 as the shape.
    schema: { ...secured, summary: 'A line for a citizen received in person, without a registration', checkedByHandler: { body: RegisterEntryInputSchema }, response: { 201: RegisterEntryResponseSchema } },
  }, async (request, reply) => {
    const official = officialOf(request);
    const body = parseBody(RegisterEntryInputSchema, request.body, registerEntryFieldErrors);
    const row = await desk().enterInPerson(official, body);
    return reply.code(201).send({ entry: registerEntry(caseView(row, sealKey, official)) });
  });

  app.post('/register/entries/:id/follow-up', { ...write, schema: { ...secured, summary: 'The follow-up of a line: results, handover, notes', params: z.object({ id: z.string() }), checkedByHandler: { body: FollowUpSchema }, response: { 200: RegisterEntryResponseSchema } } }, async (request) => {
    const official = officialOf(request);
    const body = parseBody(FollowUpSchema, request.body);
    const { id } = request.params as { id: string };
    if (!/^[0-9a-f-]{36}$/u.test(id)) throw new ApiError(404, 'not_found');
    const [row] = await desk().followUp(official, id, body);
    return { entry: registerEntry(caseView(row!, sealKey, official)) };
  });

  app.get('/register/deadlines', { ...read, schema: { ...filtered, summary: 'The legal deadlines not yet met, soonest first, as of a day (today by default)', response: { 200: DeadlinesResponseSchema } } }, async (request) => {
    const official = officialOf(request);
    const f = filtersOf(request);
    const today = f.on ?? vnDate(Date.now());
    const rows = await store.cases.list({ unit: unitScope(official), kind: f.kind, pointId: f.pointId }, MAX_REGISTER_LINES);
    const deadlines = rows
      .flatMap((row) => deadlinesOf(fromStored(row, sealKey), config.desk.deadlines, today))
      .filter((d) => d.status !== 'met')
      .sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : 0));
    return { on: today, deadlines };
  });

  app.get('/register/national.json', { ...read, schema: { ...filtered, summary: 'The register in the National Database exchange format', response: { 200: NationalExportSchema } } }, async (request) => {
    const official = officialOf(request);
    return nationalExport(unitScope(official) ?? null, await entries(official, filtersOf(request)));
  });

  app.post('/register/national/drop', { ...write, schema: { ...filtered, summary: 'Delivers the National Database export to the configured exporter (a file drop by default)', response: { 200: z.object({ exporter: z.string(), delivered: z.number() }) } } }, async (request) => {
    const official = officialOf(request);
    const result = await national.deliver(nationalExport(unitScope(official) ?? null, await entries(official, filtersOf(request))));
    return { exporter: national.name, delivered: result.delivered };
  });
}
