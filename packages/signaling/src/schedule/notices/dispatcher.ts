/**
 * The notice outbox's dispatcher. Notices are queued in the same transaction as the session change (unique by
 * session, registration and change sequence, so a change is never queued twice); the dispatcher hands each
 * pending one to the sender of its channel and marks it sent. It runs after every change, at start (notices
 * queued before a restart), and on a timer for senders that failed. One run at a time per process.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../../store/store.js';
import type { Notice, NoticeSender } from './sender.js';

const BATCH = 100;

export type ResolveContact = (reference: string) => Promise<Notice['to']>;

export class NoticeDispatcher {
  private readonly senders: Map<string, NoticeSender>;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  /** Until start(): with dispatch "off" a change queues its notices and nothing sends them. */
  private stopped = true;

  constructor(
    private readonly store: Store,
    senders: NoticeSender[],
    private readonly resolveContact: ResolveContact,
    private readonly log: FastifyBaseLogger,
  ) {
    this.senders = new Map(senders.map((s) => [s.channel, s]));
  }

  /** Starts the retry timer and a first run (notices left from before a restart). */
  start(retryMs: number): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), retryMs);
    this.timer.unref();
    this.kick();
  }

  /** Asks for a run; coalesces with one in progress. */
  kick(): void {
    if (this.stopped) return;
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

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }

  private async loop(): Promise<void> {
    try {
      // A notice that failed stays pending until the timer's next run, not in a tight loop.
      const failed = new Set<number>();
      for (;;) {
        const batch = (await this.store.schedule.pendingNotices(BATCH + failed.size)).filter((n) => !failed.has(n.id));
        if (!batch.length || this.stopped) return;
        for (const pending of batch) {
          const sender = this.senders.get(pending.channel);
          const id = `${pending.sessionId}.${pending.reference}.${pending.sequence}`;
          try {
            if (!sender) throw new Error(`no sender for channel "${pending.channel}"`);
            const to = await this.resolveContact(pending.reference);
            await sender.send({ id, channel: pending.channel, reference: pending.reference, sessionId: pending.sessionId, sequence: pending.sequence, change: pending.change, message: pending.body.message, session: pending.body.session, to, createdAt: pending.createdAt });
            await this.store.schedule.markNoticeSent(pending.id, new Date().toISOString());
          } catch (error) {
            failed.add(pending.id);
            this.log.warn({ notice: id, err: (error as Error).message }, 'notice not sent; will retry');
            await this.store.schedule.markNoticeFailed(pending.id, (error as Error).message).catch(() => undefined);
          }
        }
      }
    } catch (error) {
      this.log.error({ err: error }, 'notice dispatch failed');
    }
  }
}
