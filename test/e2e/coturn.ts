/**
 * A real TURN server for the tests: Debian's coturn (`turnserver`), started on 127.0.0.1 with the shared-secret
 * scheme tiepdan mints credentials for (`use-auth-secret`), listening for TURN over UDP and TCP and for TURN over
 * TLS (`turns:`) with a throw-away certificate made by openssl. Loopback peers are allowed, because every test
 * peer lives on this machine. Nothing here is a stand-in: the browsers' media goes through this relay.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Coturn {
  secret: string;
  realm: string;
  port: number;
  tlsPort: number;
  urls: { udp: string; tcp: string; tls: string };
  /** What coturn wrote, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startCoturn(secret = 'e2e-turn-shared-secret-0123456789'): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), 'tiepdan-coturn-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl could not make the TURN certificate: ${made.stderr}`);
  const port = await freePort();
  const tlsPort = await freePort();
  // A relay port range of our own, away from the ephemeral ports the browsers and servers take.
  const minPort = 40_000 + Math.floor(Math.random() * 200) * 40;
  const realm = 'tiepdan.test';
  let output = '';
  const child: ChildProcess = spawn('turnserver', [
    '-n', '--no-cli', '--log-file=stdout', '--simple-log', '--verbose',
    '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`, `--tls-listening-port=${tlsPort}`,
    `--min-port=${minPort}`, `--max-port=${minPort + 39}`,
    '--use-auth-secret', `--static-auth-secret=${secret}`, `--realm=${realm}`, '--fingerprint',
    '--allow-loopback-peers', '--no-multicast-peers', `--cert=${cert}`, `--pkey=${key}`, '--no-dtls',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Listening once both sockets accept a TCP connection.
  const deadline = Date.now() + 10_000;
  for (const p of [port, tlsPort]) {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`coturn exited: ${output}`);
      if (await accepts(p)) break;
      if (Date.now() > deadline) throw new Error(`coturn did not listen on ${p}: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    secret,
    realm,
    port,
    tlsPort,
    urls: { udp: `turn:127.0.0.1:${port}?transport=udp`, tcp: `turn:127.0.0.1:${port}?transport=tcp`, tls: `turns:127.0.0.1:${tlsPort}?transport=tcp` },
    log: () => output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}
