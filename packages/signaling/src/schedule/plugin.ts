/**
 * The reception schedule as one fastify plugin (mounted under /api/v1 by http/server.ts): sessions and periodic
 * series for officials, the public schedule and its calendar feed, citizens' bookings, invitations, and the
 * notice outbox's dispatcher. The routes and their bodies are listed in core api/schedule-types.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { RequirePermission } from '../auth/guard.js';
import { officialVerifier, type OfficialVerifier } from '../auth/tokens.js';
import type { Config } from '../config/schema.js';
import { isConfidential, type DenouncerData } from '../privacy/denouncer.js';
import type { DataKeys } from '../privacy/keys.js';
import { open } from '../privacy/seal.js';
import type { Store } from '../store/store.js';
import {
  bookHandler,
  bookingCalendarHandler,
  bookingIcsHandler,
  cancelBookingHandler,
  feedHandler,
  invitationHandler,
  sessionBookingsHandler,
} from './bookings.js';
import type { ScheduleContext } from './context.js';
import { NoticeDispatcher } from './notices/dispatcher.js';
import { LogFileSender, type NoticeSender } from './notices/sender.js';
import { createSeriesHandler, previewHandler } from './series.js';
import { cancelHandler, closeHandler, createHandler, getHandler, listHandler, patchHandler, postponeHandler, publishHandler } from './sessions.js';

export interface ScheduleOptions {
  config: Config;
  store: Store;
  keys: DataKeys;
  requirePermission: RequirePermission;
  /** Checks officials' tokens on public routes that show more to an official (drafts); CLI tokens only when absent. */
  verifyOfficial?: OfficialVerifier;
  /** More channels (SMTP, SMS gateway, Zalo); the log-and-file sender is always there. */
  senders?: NoticeSender[];
}

const ONE_MINUTE = 60_000;

export async function schedule(app: FastifyInstance, opts: ScheduleOptions): Promise<void> {
  const { config, store, keys, requirePermission } = opts;
  const resolveContact = async (reference: string) => {
    const row = await store.findByReference(reference);
    if (!row) return {};
    const contact = row.sealed && isConfidential(row) ? (JSON.parse(open(keys.seal, row.sealed, row.clientId)) as DenouncerData).contact : row.registration.contact;
    return { phone: contact.phone, email: contact.email };
  };
  const dispatcher = new NoticeDispatcher(store, [new LogFileSender(config.dataDir, app.log), ...(opts.senders ?? [])], resolveContact, app.log);
  if (config.schedule.noticeDispatch === 'auto') dispatcher.start(config.schedule.noticeRetrySeconds * 1000);
  app.addHook('onClose', async () => dispatcher.stop());

  const ctx: ScheduleContext = { config, store, keys, requirePermission, verifyOfficial: opts.verifyOfficial ?? officialVerifier(config.authSecret), dispatcher };
  // Citizens' booking routes take a reference and a phone: limited like the lookup, against guessing.
  const limited = config.rateLimits.enabled ? { rateLimit: { max: config.rateLimits.lookupPerMinute, timeWindow: ONE_MINUTE } } : {};
  const manage = { preHandler: requirePermission('schedule.manage') };
  const invite = { preHandler: requirePermission('bookings.invite') };

  app.get('/sessions', listHandler(ctx));
  app.get('/sessions/:id', getHandler(ctx));
  app.get('/units/:unit/schedule.ics', feedHandler(ctx));

  app.post('/sessions', { ...manage, handler: createHandler(ctx) });
  app.patch('/sessions/:id', { ...manage, handler: patchHandler(ctx) });
  app.post('/sessions/:id/publish', { ...manage, handler: publishHandler(ctx) });
  app.post('/sessions/:id/close', { ...manage, handler: closeHandler(ctx) });
  app.post('/sessions/:id/cancel', { ...manage, handler: cancelHandler(ctx) });
  app.post('/sessions/:id/postpone', { ...manage, handler: postponeHandler(ctx) });
  app.post('/series/preview', { ...manage, handler: previewHandler(ctx) });
  app.post('/series', { ...manage, handler: createSeriesHandler(ctx) });
  app.get('/sessions/:id/bookings', { ...invite, handler: sessionBookingsHandler(ctx) });
  app.post('/sessions/:id/invitations', { ...invite, handler: invitationHandler(ctx) });

  app.post('/bookings', { config: limited, handler: bookHandler(ctx, false) });
  app.post('/bookings/move', { config: limited, handler: bookHandler(ctx, true) });
  app.post('/bookings/cancel', { config: limited, handler: cancelBookingHandler(ctx) });
  app.post('/bookings/calendar', { config: limited, handler: bookingCalendarHandler(ctx) });
  app.get('/bookings/:reference.ics', { config: limited, handler: bookingIcsHandler(ctx) });
}
