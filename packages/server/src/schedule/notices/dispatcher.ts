/**
 * The notice outbox's dispatcher. Notices are queued in the same transaction as the change that causes them (a
 * session cancelled, postponed or moved; an invitation), unique by session, registration, change and number,
 * so nothing is queued twice. The first time the dispatcher sees a notice it resolves the citizen's contact
 * and consent and plans one delivery per channel that reaches them (none reaching them is recorded as a failed
 * delivery "none", so officials see it). Each queued delivery is attempted when due; a failure waits
 * firstRetryMs, then twice as long each time up to maxRetryMs, and after maxAttempts the delivery is "failed"
 * with its last error. A notice is settled when no delivery of it is queued.
 *
 * It runs after every change, at start (notices queued before a restart), when the next retry is due, and on a
 * slow timer as a safety net. One run at a time per process, and with several nodes on one node at a time (the
 * plugin starts it on the holder of its lease and pauses it when the lease is lost); a change on another node
 * asks that node for a run (`elsewhere`).
 *
 * With several nodes the lease alone is not enough (issue 13): a node paused past its lease still holds a batch in
 * memory when it resumes, and would send what the new holder is sending. So each delivery is claimed before it is
 * sent, and its attempt recorded, under the lease's fence (store/fences.ts), in the same transaction; once a later
 * holder has passed the fence, this node sends nothing more and stops its run.
 */
import type { FastifyBaseLogger } from 'fastify';
import { FenceRefusedError, type Fence } from '../../store/fences.js';
import type { Store } from '../../store/store.js';
import type { PendingNotice } from '../../store/schedule-store.js';
import type { Notice, NoticeAttachment, NoticeSender } from './sender.js';

const BATCH = 100;

export interface Contact {
  phone?: string | undefined;
  email?: string | undefined;
  /** Channels the citizen agreed to (registration `contact.notify`); absent = every contact given. */
  notify?: ('sms' | 'email')[] | undefined;
}

export type ResolveContact = (reference: string) => Promise<Contact>;
/** Opens an invitation's sealed link. */
export type OpenSecret = (notice: PendingNotice) => string | undefined;
/** The files a notice carries, made when sending (a desk notice's paper as PDF, desk/notices.ts). */
export type ResolveAttachments = (notice: PendingNotice) => Promise<NoticeAttachment[]>;

export interface RetryPolicy {
  maxAttempts: number;
  firstRetryMs: number;
  maxRetryMs: number;
}

export const NO_CHANNEL = 'none';

/** A desk notice's sequence is the case's register number, not the session's: the change is part of its id. */
const NAMED = new Set<PendingNotice['change']>(['invited', 'receipt', 'outcome']);

export function noticeId(n: Pick<PendingNotice, 'sessionId' | 'reference' | 'change' | 'sequence'>): string {
  return NAMED.has(n.change) ? `${n.sessionId}.${n.reference}.${n.change}.${n.sequence}` : `${n.sessionId}.${n.reference}.${n.sequence}`;
}

export class NoticeDispatcher {
  private readonly senders: Map<string, NoticeSender>;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private due: NodeJS.Timeout | undefined;
  /** Until start(): with dispatch "off" a change queues its notices and nothing sends them. */
  private stopped = true;
  /** The lease this node dispatches under (start()); undefined on a single node without one. */
  private fence: Fence | undefined;
  /** Called by kick() while dispatch does not run here: another node may run it (cluster). */
  elsewhere: (() => void) | undefined;

  constructor(
    private readonly store: Store,
    senders: NoticeSender[],
    private readonly resolveContact: ResolveContact,
    private readonly openSecret: OpenSecret,
    private readonly retry: RetryPolicy,
    private readonly log: FastifyBaseLogger,
    private readonly attach: ResolveAttachments = async () => [],
  ) {
    this.senders = new Map(senders.map((s) => [s.channel, s]));
  }

  get channels(): NoticeSender[] {
    return [...this.senders.values()];
  }

  /** Starts the safety-net timer and a first run (notices left from before a restart); `fence` = the job's lease. */
  start(safetyMs: number, fence?: Fence): void {
    // Before the check: a lease taken again without a stop in between carries a new epoch all the same.
    this.fence = fence;
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), safetyMs);
    this.timer.unref();
    this.kick();
  }

  /** Asks for a run; coalesces with one in progress. */
  kick(): void {
    if (this.stopped) return this.elsewhere?.();
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves when the current run (if any) is over; for tests and shutdown. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops dispatching here (another node takes over) and waits for the run in progress; start() resumes. */
  async pause(): Promise<void> {
    this.halt();
    await this.idle();
  }

  private halt(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.due) clearTimeout(this.due);
    this.timer = this.due = undefined;
  }

  async stop(): Promise<void> {
    await this.pause();
    await Promise.all(this.channels.map((s) => s.close?.().catch(() => undefined)));
  }

  /** The channels that would carry a notice to this contact (the invitation preview shows them). */
  choose(contact: Contact): NoticeSender[] {
    const consent = new Set<'sms' | 'email'>(contact.notify ?? ['sms', 'email']);
    return this.channels.filter((s) => s.reaches(contact, consent));
  }

  private async loop(): Promise<void> {
    try {
      let after = 0;
      for (;;) {
        const batch = await this.store.schedule.pendingNotices(BATCH, after);
        if (!batch.length || this.stopped) break;
        for (const pending of batch) {
          after = pending.id;
          if (this.stopped) break;
          await this.dispatch(pending);
        }
      }
      await this.scheduleNext();
    } catch (error) {
      if (!(error instanceof FenceRefusedError)) return this.log.error({ err: error }, 'notice dispatch failed');
      // Another node took the lease over while this one was paused or cut off: it sends from now on. Stop here
      // rather than wait for the lease's renewal to notice; a new start() (the lease taken again) resumes.
      this.log.warn({ fence: error.fence.name, epoch: error.fence.epoch }, 'notice dispatch stopped: another node took its lease over (a later holder passed the fence); nothing more is sent from this node');
      this.halt();
    }
  }

  private async dispatch(pending: PendingNotice): Promise<void> {
    const id = noticeId(pending);
    const to = await this.resolveContact(pending.reference);
    let deliveries = pending.deliveries;
    if (!deliveries.length) {
      const chosen = this.choose(to).map((s) => s.channel);
      const now = new Date().toISOString();
      if (chosen.length) await this.store.schedule.planDeliveries(pending.id, chosen, now);
      else await this.store.schedule.planDeliveries(pending.id, [NO_CHANNEL], now, 'no configured channel reaches this citizen (no e-mail given, or no SMS channel, or no consent)');
      deliveries = (await this.store.schedule.pendingNotices(1, pending.id - 1))[0]?.deliveries ?? [];
    }
    const link = pending.sealed ? this.openSecret(pending) : undefined;
    const fill = (text: string) => (link ? text.replaceAll('{link}', link) : text);
    let attachments: NoticeAttachment[] | undefined;
    for (const delivery of deliveries) {
      if (delivery.state !== 'queued' || Date.parse(delivery.nextAt) > Date.now()) continue;
      // Outside the try: a refusal is not a failed attempt of this delivery; it ends the run (loop()).
      if (!(await this.store.schedule.claimDelivery(delivery.id, this.fence))) continue;
      const sender = this.senders.get(delivery.channel);
      const at = new Date().toISOString();
      try {
        if (!sender) throw new Error(`channel "${delivery.channel}" is no longer configured`);
        // Made once per run of this notice, when a delivery is due (a failure here is retried like a send); SMS ignores them.
        if (pending.body.paper) attachments ??= await this.attach(pending);
        const notice: Notice = {
          id,
          channel: delivery.channel,
          reference: pending.reference,
          sessionId: pending.sessionId,
          sequence: pending.sequence,
          change: pending.change,
          message: { vi: fill(pending.body.message.vi), en: fill(pending.body.message.en) },
          subject: pending.body.subject,
          sms: pending.body.sms && { vi: fill(pending.body.sms.vi), en: fill(pending.body.sms.en) },
          session: pending.body.session,
          link,
          ics: pending.body.invitation?.ics,
          attachments,
          to,
          createdAt: pending.createdAt,
        };
        await sender.send(notice);
        await this.store.schedule.recordAttempt(delivery.id, { state: sender.delivers ? 'sent' : 'logged', at }, this.fence);
      } catch (error) {
        if (error instanceof FenceRefusedError) throw error;
        const attempts = delivery.attempts + 1;
        const reason = (error as Error).message || String(error);
        const final = attempts >= this.retry.maxAttempts;
        const wait = Math.min(this.retry.maxRetryMs, this.retry.firstRetryMs * 2 ** (attempts - 1));
        this.log.warn({ notice: id, channel: delivery.channel, attempts, err: reason }, final ? 'notice not delivered; giving up' : 'notice not delivered; will retry');
        await this.store.schedule.recordAttempt(delivery.id, { state: final ? 'failed' : 'queued', at, nextAt: new Date(Date.now() + wait).toISOString(), error: reason }, this.fence);
      }
    }
    await this.store.schedule.settleNotice(pending.id, new Date().toISOString());
  }

  /** Wakes up when the earliest retry is due (the safety-net interval covers anything missed). */
  private async scheduleNext(): Promise<void> {
    if (this.due) clearTimeout(this.due);
    this.due = undefined;
    const next = await this.store.schedule.nextAttemptAt();
    if (!next || this.stopped) return;
    this.due = setTimeout(() => this.kick(), Math.max(0, Date.parse(next) - Date.now()) + 5);
    this.due.unref();
  }
}
