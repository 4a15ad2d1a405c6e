/**
 * Stand-in for a brand-name SMS provider's HTTP API (one cannot run here): an HTTP server on 127.0.0.1 that
 * records each request and answers `status` (200 with the provider's success code). `noticeChannels` configures
 * the real SMTP server (smtp-server.ts) and this gateway as a server's notice channels, as docs/notices.md shows.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';

export interface TestSmsGateway {
  requests: { headers: IncomingMessage['headers']; body: Record<string, string> }[];
  url: string;
  close(): Promise<void>;
}

/** Stand-in for an SMS provider's HTTP API: records each request; `status` is what it answers. */
export async function smsGateway(status = 200): Promise<TestSmsGateway> {
  const requests: TestSmsGateway['requests'] = [];
  const server: Server = createHttpServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: JSON.parse(raw) as Record<string, string> });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status === 200 ? { CodeResult: '100' } : { error: 'gateway down' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/MainService.svc/json/SendMultipleMessage_V4_post_json/`;
  return { requests, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Both test channels as `notices.channels`: e-mail first, then SMS (ASCII, the provider's success code checked). */
export function noticeChannels(smtpPort: number, smsUrl: string) {
  return [
    { type: 'smtp' as const, host: '127.0.0.1', port: smtpPort, from: '"UBND phường Sa Đéc" <tiepcongdan@sadec.dongthap.gov.vn>', timeoutMs: 5000 },
    {
      type: 'sms-http' as const,
      url: smsUrl,
      headers: { 'x-api-key': 'test-key' },
      template: { Phone: '{to}', Content: '{text}', Brandname: 'UBND SADEC', SmsType: '2', RequestId: '{id}' },
      success: { field: 'CodeResult', equals: '100' },
      ascii: true,
    },
  ];
}
