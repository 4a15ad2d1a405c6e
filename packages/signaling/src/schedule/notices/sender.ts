/**
 * Notice senders: how a citizen is told that a session they booked was cancelled, postponed or moved. One
 * interface per channel (e-mail over SMTP, an SMS gateway, Zalo later); the default writes each notice to the
 * log and to `dataDir/notices/<session>.<reference>.<sequence>.json`, so the demo shows what would be sent.
 *
 * A sender must be idempotent for one notice id: the outbox guarantees a notice is marked sent once, but a
 * crash between sending and marking would send it again on restart. The file sender creates its file with
 * link(2), which fails if it exists, so even that case writes nothing twice.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Message } from '@tiepdan/core';
import type { NoticeBody, NoticeChange } from '../../store/schedule-store.js';

export interface Notice {
  /** Stable: `<sessionId>.<reference>.<sequence>`, the outbox's unique key. */
  id: string;
  channel: string;
  reference: string;
  sessionId: string;
  /** The session's sequence after the change. */
  sequence: number;
  change: NoticeChange;
  message: Message;
  session: NoticeBody['session'];
  /** The citizen's contact, resolved when sending (for a denunciation, opened from the sealed data). */
  to: { phone?: string | undefined; email?: string | undefined };
  createdAt: string;
}

export interface NoticeSender {
  readonly channel: string;
  /** Resolves once the notice is handed over; throws to have the outbox retry later. */
  send(notice: Notice): Promise<void>;
}

export const NOTICES_DIR = 'notices';

/** "+84912345678" → "+84*******678": enough for the demo to show who, without a phone number on disk. */
export function maskPhone(phone: string | undefined): string | undefined {
  return phone && phone.length > 4 ? `${phone.slice(0, 3)}${'*'.repeat(phone.length - 6)}${phone.slice(-3)}` : undefined;
}

export class LogFileSender implements NoticeSender {
  readonly channel = 'log';
  private readonly dir: string;

  constructor(dataDir: string, private readonly log: FastifyBaseLogger) {
    this.dir = join(dataDir, NOTICES_DIR);
  }

  async send(notice: Notice): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${notice.id}.json`);
    const temp = join(this.dir, `.${notice.id}.${randomBytes(6).toString('hex')}.tmp`);
    const { to, ...rest } = notice;
    const shown = { ...rest, to: { phone: maskPhone(to.phone), email: to.email ? '(e-mail on file)' : undefined } };
    await writeFile(temp, `${JSON.stringify(shown, null, 2)}\n`, { flag: 'wx' });
    try {
      await link(temp, file);
      this.log.info({ notice: notice.id, change: notice.change, session: notice.sessionId }, 'notice written');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      this.log.info({ notice: notice.id }, 'notice already written');
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }
}
