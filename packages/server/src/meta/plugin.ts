/**
 * GET /api/v1/meta?unit=…: what the citizen's form needs from this deployment (the unit, its communes and
 * connection points, the privacy notice in force, the rules), so the form applies the same numbers as the
 * server without shipping them in the bundle. Public and cacheable for a few minutes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod';
import { MetaResponseSchema, type MetaResponse } from '@tiepdan/core';
import type { Config } from '../config/schema.js';
import { ApiError } from '../http/api-error.js';

export async function meta(app: FastifyInstance, opts: { config: Config }): Promise<void> {
  const { config } = opts;
  app.get('/meta', {
    // The unit is looked up as given: an unknown (or repeated) one is 404, as before.
    schema: { tags: ['meta'], summary: "What the citizen's form needs: the unit, its communes and connection points, the privacy notice, the rules", checkedByHandler: { querystring: z.object({ unit: z.string().optional() }) }, response: { 200: MetaResponseSchema } },
  }, async (request: FastifyRequest<{ Querystring: { unit?: string } }>, reply): Promise<MetaResponse> => {
    const asked = request.query.unit;
    // A single-unit deployment need not be told its own unit.
    const unit = asked ? config.units.find((u) => u.code === asked) : config.units.length === 1 ? config.units[0] : undefined;
    if (!unit) throw new ApiError(404, 'not_found');
    reply.header('Cache-Control', 'public, max-age=300');
    return {
      unit: { code: unit.code, name: unit.name, provinceCode: unit.provinceCode },
      communes: unit.communes,
      privacyNotice: config.privacyNotice,
      rules: config.rules,
      remoteAttendanceAllowed: config.remoteAttendanceAllowed,
      connectionPoints: unit.connectionPoints,
    };
  });
}
