/**
 * SMS through one HTTP gateway. Vietnamese brand-name SMS providers (Viettel, VNPT, eSMS, SpeedSMS, …) each
 * take an HTTP request with the number, the text, a brand name and a key; one adapter covers them, described
 * in configuration: the URL, the method, headers (the key), JSON or form encoding, and a template whose values
 * may hold `{to}`, `{text}` and `{id}`. A gateway that answers 200 with its own error code is checked with
 * `success: { field, equals }`. docs/notices.md gives an example.
 */
import type { NoticeChannelConfig } from '../../config/schema.js';
import type { Notice, NoticeSender } from './sender.js';

type SmsConfig = Extract<NoticeChannelConfig, { type: 'sms-http' }>;

/** Vietnamese without diacritics ("Đà Nẵng" → "Da Nang"): the GSM alphabet, one third of a Unicode SMS's price. */
export function withoutDiacritics(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/gu, 'd').replace(/Đ/gu, 'D');
}

export function formatPhone(e164: string, format: SmsConfig['phoneFormat']): string {
  const digits = e164.replace(/^\+/u, '');
  return format === 'e164' ? `+${digits}` : format === '84' ? digits : digits.replace(/^84/u, '0');
}

export class SmsHttpSender implements NoticeSender {
  readonly channel = 'sms-http';
  readonly delivers = true;

  constructor(private readonly config: SmsConfig) {}

  reaches(to: Notice['to'], consent: ReadonlySet<'sms' | 'email'>): boolean {
    return Boolean(to.phone) && consent.has('sms');
  }

  async send(notice: Notice): Promise<void> {
    if (!notice.to.phone) throw new Error('no phone number');
    const raw = (notice.sms ?? notice.message).vi;
    const text = this.config.ascii ? withoutDiacritics(raw) : raw;
    const values: Record<string, string> = { to: formatPhone(notice.to.phone, this.config.phoneFormat), text, id: notice.id };
    const fill = (template: string) => template.replace(/\{(to|text|id)\}/gu, (_, key: string) => values[key]!);
    const params = Object.fromEntries(Object.entries(this.config.template).map(([k, v]) => [k, fill(v)]));
    const url = new URL(this.config.url);
    const init: RequestInit = { method: this.config.method, headers: { ...this.config.headers }, signal: AbortSignal.timeout(this.config.timeoutMs) };
    if (this.config.method === 'GET') {
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    } else if (this.config.encoding === 'form') {
      init.body = new URLSearchParams(params).toString();
      (init.headers as Record<string, string>)['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      init.body = JSON.stringify(params);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const response = await fetch(url, init);
    const body = await response.text();
    // The gateway's answer may echo the text: only the status and a short, number-free excerpt go in the error.
    const excerpt = body.slice(0, 120).replace(/\d{6,}/gu, '…');
    if (!response.ok) throw new Error(`SMS gateway answered HTTP ${response.status}: ${excerpt}`);
    if (this.config.success) {
      let value: unknown;
      try {
        value = (JSON.parse(body) as Record<string, unknown>)[this.config.success.field];
      } catch {
        throw new Error(`SMS gateway answer is not JSON: ${excerpt}`);
      }
      if (String(value) !== String(this.config.success.equals)) throw new Error(`SMS gateway refused (${this.config.success.field}=${String(value)})`);
    }
  }
}
