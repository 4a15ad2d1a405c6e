/**
 * A real SMTP server (`smtp-server`) on 127.0.0.1 for the tests that deliver e-mail: every message it accepts is
 * parsed with `mailparser` and kept, so a test reads back what a citizen's mail app would show (recipient,
 * subject, text, attachments). `refuse` answers that many RCPT commands with a temporary 451 first, for the
 * outbox's retry. `hold()` keeps the next message's transaction open (received, not yet answered) until released,
 * for a sender caught in the middle of a send. One helper for the server tests (notices) and the end-to-end tests (reception day, desk).
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface TestSmtpServer {
  messages: ParsedMail[];
  port: number;
  /** The next message is kept (in `messages`) but not answered until `release()`; `reached` = it has arrived. */
  hold(): { reached: Promise<void>; release(): void };
  close(): Promise<void>;
}

export async function startSmtpServer(options: { refuse?: number } = {}): Promise<TestSmtpServer> {
  const messages: ParsedMail[] = [];
  let refusals = options.refuse ?? 0;
  let held: { arrived: () => void; gate: Promise<void> } | undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (refusals > 0) {
        refusals -= 1;
        return callback(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 451 }));
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        messages.push(mail);
        const hold = held;
        held = undefined;
        if (!hold) return callback();
        hold.arrived();
        void hold.gate.then(() => callback());
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  const hold = () => {
    let arrived!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    held = { arrived, gate: new Promise<void>((resolve) => (release = resolve)) };
    return { reached, release };
  };
  return { messages, port, hold, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
