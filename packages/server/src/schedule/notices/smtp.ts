/**
 * E-mail over SMTP with nodemailer: the Vietnamese text first and the English below, the invitation's `.ics`
 * attached (and offered as a calendar invitation part, which mail apps show as "add to calendar"), a desk
 * notice's paper attached as PDF. The
 * Message-ID is derived from the notice id, so a resend after a crash is recognisable as the same message.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { NoticeChannelConfig } from '../../config/schema.js';
import type { Notice, NoticeSender } from './sender.js';

type SmtpConfig = Extract<NoticeChannelConfig, { type: 'smtp' }>;

export class SmtpSender implements NoticeSender {
  readonly channel = 'smtp';
  readonly delivers = true;
  private readonly transport: Transporter;

  constructor(private readonly config: SmtpConfig) {
    this.transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      requireTLS: config.requireTLS,
      ...(config.user ? { auth: { user: config.user, pass: config.password ?? '' } } : {}),
      connectionTimeout: config.timeoutMs,
      greetingTimeout: config.timeoutMs,
      socketTimeout: config.timeoutMs,
    });
  }

  reaches(to: Notice['to'], consent: ReadonlySet<'sms' | 'email'>): boolean {
    return Boolean(to.email) && consent.has('email');
  }

  async send(notice: Notice): Promise<void> {
    if (!notice.to.email) throw new Error('no e-mail address');
    const subject = notice.subject ?? { vi: 'Thông báo về buổi tiếp công dân', en: 'About your citizen reception session' };
    await this.transport.sendMail({
      from: this.config.from,
      ...(this.config.replyTo ? { replyTo: this.config.replyTo } : {}),
      to: notice.to.email,
      subject: subject.vi,
      messageId: `<${notice.id}@tiepdan>`,
      text: `${notice.message.vi}\n\n-- English --\n${subject.en}\n\n${notice.message.en}\n`,
      ...(notice.ics ? { icalEvent: { method: 'PUBLISH', content: notice.ics } } : {}),
      attachments: [
        ...(notice.ics ? [{ filename: `${notice.reference}.ics`, content: notice.ics, contentType: 'text/calendar; charset=utf-8; method=PUBLISH' }] : []),
        ...(notice.attachments ?? []).map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
      ],
    });
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
