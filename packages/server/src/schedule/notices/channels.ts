/** The senders named by `notices.channels`, built once at start. */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config/schema.js';
import { LogFileSender, type NoticeSender } from './sender.js';
import { SmsHttpSender } from './sms-http.js';
import { SmtpSender } from './smtp.js';

export function configuredSenders(config: Config, log: FastifyBaseLogger): NoticeSender[] {
  return config.notices.channels.map((channel) =>
    channel.type === 'smtp' ? new SmtpSender(channel) : channel.type === 'sms-http' ? new SmsHttpSender(channel) : new LogFileSender(config.dataDir, log),
  );
}
