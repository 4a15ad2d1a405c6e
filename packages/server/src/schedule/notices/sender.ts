/**
 * Notice senders: how a citizen is told of an invitation, of a change to a session they booked, or of their
 * case's receipt and outcome at the desk. One sender
 * per configured channel (config `notices.channels`): e-mail over SMTP (smtp.ts), one HTTP SMS gateway
 * (sms-http.ts), and the log-and-file sender below, which delivers nothing: it is the demo's channel, and the
 * delivery state it leaves is "logged", never "sent".
 *
 * A sender must be idempotent for one notice id where it can: the outbox records an attempt once, but a crash
 * between sending and recording would send it again on restart. The file sender creates its file with
 * link(2), which fails if it exists; the SMTP sender gives the message a stable Message-ID; the SMS sender
 * passes the id to the gateway as `{id}` (most providers accept a client request id and drop repeats).
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Message } from '@tiepdan/core';
import type { NoticeBody, NoticeChange } from '../../store/schedule-store.js';

export interface Notice {
  /** Stable: `<sessionId>.<reference>.<sequence>` for a change, `<sessionId>.<reference>.invited.<n>` for an invitation. */
  id: string;
  channel: string;
  reference: string;
  sessionId: string;
  /** The session's sequence after the change, or the invitation's number. */
  sequence: number;
  change: NoticeChange;
  /** The text with `{link}` already filled. */
  message: Message;
  subject?: Message | undefined;
  sms?: Message | undefined;
  session: NoticeBody['session'];
  /** The join link of an invitation (it carries the citizen's token: never log it). */
  link?: string | undefined;
  /** The invitation's calendar file. */
  ics?: string | undefined;
  /** Files the e-mail carries (a desk notice's receipt or refusal notice as PDF). */
  attachments?: NoticeAttachment[] | undefined;
  /** The citizen's contact, resolved when sending (for a denunciation, opened from the sealed data). */
  to: { phone?: string | undefined; email?: string | undefined };
  createdAt: string;
}

export interface NoticeAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface NoticeSender {
  readonly channel: string;
  /** False for the log sender: what it does is not a delivery to the citizen. */
  readonly delivers: boolean;
  /** Whether this channel can reach a citizen with this contact (and their consent). */
  reaches(to: Notice['to'], consent: ReadonlySet<'sms' | 'email'>): boolean;
  /** Resolves once the notice is handed over; throws to have the outbox retry later. */
  send(notice: Notice): Promise<void>;
  close?(): Promise<void>;
}

export const NOTICES_DIR = 'notices';

/** "+84912345678" → "+84******678": enough for the demo to show who, without a phone number on disk. */
export function maskPhone(phone: string | undefined): string | undefined {
  return phone && phone.length > 4 ? `${phone.slice(0, 3)}${'*'.repeat(phone.length - 6)}${phone.slice(-3)}` : undefined;
}

/** "nguyen.van.a@gmail.com" → "n***@gmail.com". */
export function maskEmail(email: string | undefined): string | undefined {
  if (!email) return undefined;
  const at = email.lastIndexOf('@');
  return at > 0 ? `${email[0]}***${email.slice(at)}` : '***';
}

/** The link without its token, for anything written down (logs, the demo's files, previews). */
export function redactLink(link: string | undefined): string | undefined {
  return link?.replace(/token=[^&#]*/u, 'token=…');
}

export class LogFileSender implements NoticeSender {
  readonly channel = 'log';
  readonly delivers = false;
  private readonly dir: string;

  constructor(dataDir: string, private readonly log: FastifyBaseLogger) {
    this.dir = join(dataDir, NOTICES_DIR);
  }

  reaches(): boolean {
    return true;
  }

  async send(notice: Notice): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${notice.id}.json`);
    const temp = join(this.dir, `.${notice.id}.${randomBytes(6).toString('hex')}.tmp`);
    const { to, link: joinLink, ics: _ics, attachments, message, ...rest } = notice;
    const shown = {
      delivered: false,
      note: 'Written by the "log" channel: nothing was sent to the citizen. Configure notices.channels (smtp, sms-http) to deliver.',
      ...rest,
      ...(attachments?.length ? { attachments: attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, bytes: a.content.length })) } : {}),
      message: { vi: message.vi.replaceAll(joinLink ?? '\u0000', redactLink(joinLink)!), en: message.en.replaceAll(joinLink ?? '\u0000', redactLink(joinLink)!) },
      to: { phone: maskPhone(to.phone), email: maskEmail(to.email) },
    };
    await writeFile(temp, `${JSON.stringify(shown, null, 2)}\n`, { flag: 'wx' });
    try {
      await link(temp, file);
      this.log.info({ notice: notice.id, change: notice.change, session: notice.sessionId }, 'notice written to the log only (not delivered)');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      this.log.info({ notice: notice.id }, 'notice already written');
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }
}
