/**
 * The reception schedule as one fastify plugin (mounted under /api/v1 by http/server.ts): sessions and periodic
 * series for officials, the public schedule and its calendar feed, citizens' bookings, invitations, and the
 * notice outbox's dispatcher. The routes and their bodies are listed in core api/schedule-types.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod';
import type { $ZodType } from 'zod/v4/core';
import type { RequirePermission } from '../auth/guard.js';
import { officialVerifier, type OfficialVerifier } from '../auth/tokens.js';
import type { Config } from '../config/schema.js';
import { isConfidential, type DenouncerData } from '../privacy/denouncer.js';
import type { DataKeys } from '../privacy/keys.js';
import { open } from '../privacy/seal.js';
import type { PendingNotice } from '../store/schedule-store.js';
import type { Store } from '../store/store.js';
import type { Cluster, Singleton } from '../cluster/cluster.js';
import { MemoryCluster } from '../cluster/memory.js';
import { BookingViewSchema, InvitationPreviewSchema, InvitationResponseSchema, ReceptionSessionInputSchema, SeriesCreateResponseSchema, SessionBookingsSchema, SessionNoticesSchema, SeriesPreviewSchema, SessionListSchema, SessionMutationResponseSchema, SessionViewSchema, toE164 } from '@tiepdan/core';
import type { GuessBudget } from '../registrations/guesses.js';
import { bookHandler, bookingCalendarHandler, bookingIcsHandler, cancelBookingHandler, feedHandler, sessionBookingsHandler } from './bookings.js';
import type { ScheduleContext } from './context.js';
import { invitationHandler, invitationPreviewHandler, sessionNoticesHandler } from './invitations.js';
import { configuredSenders } from './notices/channels.js';
import { NoticeDispatcher, type Contact, type ResolveAttachments } from './notices/dispatcher.js';
import type { NoticeSender } from './notices/sender.js';
import { BookingKeySchema, BookingSchema, CancelSchema, EmptySchema, IdParams, InvitationSchema, ListQuerySchema, NoticesQuerySchema, PostponeSchema, SeriesSchema, SessionPatchSchema } from './input.js';
import { createSeriesHandler, previewHandler } from './series.js';
import { cancelHandler, closeHandler, createHandler, getHandler, listHandler, patchHandler, postponeHandler, publishHandler } from './sessions.js';

export interface ScheduleOptions {
  config: Config;
  store: Store;
  keys: DataKeys;
  requirePermission: RequirePermission;
  guesses: GuessBudget;
  /** Checks officials' tokens on public routes that show more to an official (drafts); CLI tokens only when absent. */
  verifyOfficial?: OfficialVerifier;
  /** Senders instead of those `notices.channels` names (tests). */
  senders?: NoticeSender[];
  /** Dispatch starts when this resolves: a supervised worker waits for the one before (ServerOptions.takeover). */
  takeover?: Promise<void> | undefined;
  /** The other nodes: dispatch runs on one of them at a time. */
  cluster?: Cluster | undefined;
  /** The files a desk notice carries (its paper as PDF); the desk registers after the schedule. */
  attachments?: ResolveAttachments;
}

/** The fence's name of the notice dispatcher's lease (store/fences.ts). */
export const NOTICES_FENCE = 'job:notices';
const dispatchers = new WeakMap<object, NoticeDispatcher>();
/** The notice dispatcher of this server, for other plugins that queue notices (the desk) to ask for a run. */
export function noticesOf(app: FastifyInstance): NoticeDispatcher | undefined {
  return dispatchers.get(app.server);
}

const ONE_MINUTE = 60_000;
const KICK_TOPIC = 'notices.kick';

export async function schedule(app: FastifyInstance, opts: ScheduleOptions): Promise<void> {
  const { config, store, keys, requirePermission, guesses } = opts;
  const resolveContact = async (reference: string): Promise<Contact> => {
    const row = await store.findByReference(reference);
    if (!row) return {};
    const contact = row.sealed && isConfidential(row) ? (JSON.parse(open(keys.seal, row.sealed, row.clientId)) as DenouncerData).contact : row.registration.contact;
    const phone = toE164(contact.phone) ?? contact.phone;
    return { phone, email: contact.email || undefined, notify: (contact as { notify?: Contact['notify'] }).notify };
  };
  const openSecret = (notice: PendingNotice) => {
    const link = notice.sealed ? open(keys.seal, notice.sealed.blob, notice.sealed.associatedData) : '';
    return link || undefined;
  };
  const senders = opts.senders ?? configuredSenders(config, app.log);
  const dispatcher = new NoticeDispatcher(store, senders, resolveContact, openSecret, config.notices, app.log, opts.attachments);
  dispatchers.set(app.server, dispatcher);
  // One node sends the notices at a time (with several nodes, the holder of the job's lease in Redis): two
  // dispatchers reading one outbox would each send the same SMS.
  const cluster = opts.cluster ?? new MemoryCluster();
  let job: Singleton | undefined;
  let stopHearing = () => undefined as unknown;
  if (config.schedule.noticeDispatch === 'auto') {
    const run = () => {
      job = cluster.singleton(
        'notices',
        {
          // The lease's epoch fences every delivery's claim and attempt (issue 13), where the store keeps fences.
          start: (lease) => {
            dispatcher.start(config.schedule.noticeRetrySeconds * 1000, store.fences ? { name: NOTICES_FENCE, epoch: lease.epoch } : undefined);
            if (cluster.shared) app.log.info({ node: cluster.nodeId }, 'notice dispatch runs on this node');
          },
          stop: () => dispatcher.pause(),
        },
        (error) => app.log.error({ err: error }, 'notice dispatch: lease'),
      );
    };
    // A change on a node that does not dispatch asks the one that does for a run, instead of its safety timer.
    dispatcher.elsewhere = () => cluster.broadcast(KICK_TOPIC, null);
    stopHearing = cluster.listen(KICK_TOPIC, () => dispatcher.kick());
    if (opts.takeover) void opts.takeover.then(run);
    else run();
  }
  app.addHook('onClose', async () => {
    stopHearing();
    await job?.stop();
    await dispatcher.stop();
  });
  if (!senders.some((s) => s.delivers)) app.log.warn('notices go to the "log" channel only: citizens are not told (configure notices.channels: smtp, sms-http)');

  const ctx: ScheduleContext = { config, store, keys, requirePermission, verifyOfficial: opts.verifyOfficial ?? officialVerifier(config.authSecret), dispatcher, resolveContact, guesses };
  // The calendar link carries a join token, not a reference + phone: its own limit, against guessing tokens.
  const limited = config.rateLimits.enabled ? { rateLimit: { max: config.rateLimits.lookupPerMinute, timeWindow: ONE_MINUTE } } : {};
  const manage = { preHandler: requirePermission('schedule.manage') };
  const invite = { preHandler: requirePermission('bookings.invite') };
  const publicTags = { tags: ['schedule'] };
  const officialTags = { tags: ['schedule'], security: [{ bearer: [] }] };
  const sessionParams = { params: IdParams };
  // The guard (preHandler) and the session's unit answer before the body's shape: those bodies are checked in the
  // handler, with the schema the document shows (checkedByHandler, http/openapi.ts).
  const checked = (body: $ZodType) => ({ checkedByHandler: { body } });

  app.get('/sessions', { schema: { ...publicTags, summary: "A unit's sessions between two dates (drafts too, for an official of the unit)", querystring: ListQuerySchema, response: { 200: SessionListSchema } }, handler: listHandler(ctx) });
  app.get('/sessions/:id', { schema: { ...publicTags, summary: 'One session (a draft only for an official of its unit)', ...sessionParams, response: { 200: SessionViewSchema } }, handler: getHandler(ctx) });
  app.get('/units/:unit/schedule.ics', { schema: { ...publicTags, summary: "The unit's published sessions as an iCalendar feed", params: z.strictObject({ unit: z.string() }) }, handler: feedHandler(ctx) });

  app.post('/sessions', { ...manage, schema: { ...officialTags, summary: 'A new session, planned (not yet public)', ...checked(ReceptionSessionInputSchema), response: { 201: SessionMutationResponseSchema } }, handler: createHandler(ctx) });
  app.patch('/sessions/:id', { ...manage, schema: { ...officialTags, summary: "A change to a session's facts; a new time tells its booked citizens", ...sessionParams, ...checked(SessionPatchSchema), response: { 200: SessionMutationResponseSchema } }, handler: patchHandler(ctx) });
  app.post('/sessions/:id/publish', { ...manage, schema: { ...officialTags, summary: 'Publishes a session: citizens see it and may book', ...sessionParams, ...checked(EmptySchema), response: { 200: SessionMutationResponseSchema } }, handler: publishHandler(ctx) });
  app.post('/sessions/:id/close', { ...manage, schema: { ...officialTags, summary: 'Closes a session to new bookings', ...sessionParams, ...checked(EmptySchema), response: { 200: SessionMutationResponseSchema } }, handler: closeHandler(ctx) });
  app.post('/sessions/:id/cancel', { ...manage, schema: { ...officialTags, summary: 'Cancels a session, with the reason and the notice its booked citizens get', ...sessionParams, ...checked(CancelSchema), response: { 200: SessionMutationResponseSchema } }, handler: cancelHandler(ctx) });
  app.post('/sessions/:id/postpone', { ...manage, schema: { ...officialTags, summary: 'Postpones a session, to new times or none yet, with a notice', ...sessionParams, ...checked(PostponeSchema), response: { 200: SessionMutationResponseSchema } }, handler: postponeHandler(ctx) });
  app.post('/series/preview', { ...manage, schema: { ...officialTags, summary: "A periodic series' dates after holiday shifts, and its warnings; nothing is stored", ...checked(SeriesSchema), response: { 200: SeriesPreviewSchema } }, handler: previewHandler(ctx) });
  app.post('/series', { ...manage, schema: { ...officialTags, summary: 'A periodic series: its sessions over the horizon, in one transaction', ...checked(SeriesSchema), response: { 201: SeriesCreateResponseSchema } }, handler: createSeriesHandler(ctx) });
  app.get('/sessions/:id/bookings', { ...invite, schema: { ...officialTags, summary: "A session's booked citizens", ...sessionParams, response: { 200: SessionBookingsSchema } }, handler: sessionBookingsHandler(ctx) });
  app.post('/sessions/:id/invitations', { ...invite, schema: { ...officialTags, summary: 'Invites a booked citizen to a time slot, and queues the notice', ...sessionParams, ...checked(InvitationSchema), response: { 201: InvitationResponseSchema } }, handler: invitationHandler(ctx) });
  app.post('/sessions/:id/invitations/preview', { ...invite, schema: { ...officialTags, summary: 'The invitation notice as it would be sent, and to which channels; nothing is stored', ...sessionParams, ...checked(InvitationSchema), response: { 200: InvitationPreviewSchema } }, handler: invitationPreviewHandler(ctx) });
  app.get('/sessions/:id/notices', { ...invite, schema: { ...officialTags, summary: "A session's notices and their deliveries", ...sessionParams, checkedByHandler: { querystring: NoticesQuerySchema }, response: { 200: SessionNoticesSchema } }, handler: sessionNoticesHandler(ctx) });

  // Reference + phone routes: one guess budget with /lookup (registrations/guesses.ts), not one each. A spent
  // budget is refused before the body is even checked (preValidation), as on /lookup.
  const guarded = { preValidation: async (request: FastifyRequest) => guesses.refuseWhenSpent(request.ip) };
  const citizen = { tags: ['bookings'] };
  app.post('/bookings', { ...guarded, schema: { ...citizen, summary: "A citizen books a place in an open session, by reference code and phone", body: BookingSchema, response: { 201: BookingViewSchema } }, handler: bookHandler(ctx, false) });
  app.post('/bookings/move', { ...guarded, schema: { ...citizen, summary: "A citizen moves their booking to another session", body: BookingSchema, response: { 200: BookingViewSchema } }, handler: bookHandler(ctx, true) });
  app.post('/bookings/cancel', { ...guarded, schema: { ...citizen, summary: "A citizen cancels their booking", body: BookingKeySchema, response: { 200: BookingViewSchema } }, handler: cancelBookingHandler(ctx) });
  app.post('/bookings/calendar', { ...guarded, schema: { ...citizen, summary: "The citizen's booking as an iCalendar file", body: BookingKeySchema }, handler: bookingCalendarHandler(ctx) });
  app.get('/bookings/:reference.ics', {
    config: limited,
    // The token is checked by the handler: any token that is not a booking's (or absent) is 404, as before.
    schema: { ...citizen, summary: "The booking's iCalendar file, by the join token its calendar link carries", params: z.strictObject({ reference: z.string() }), checkedByHandler: { querystring: z.strictObject({ token: z.string().min(20).max(100) }) } },
    handler: bookingIcsHandler(ctx),
  });
}
