/**
 * A real RFC 3161 time-stamping authority for the tests: `openssl ts -reply` behind a tiny HTTP server on
 * 127.0.0.1 (POST application/timestamp-query → application/timestamp-reply), with its own CA and a TSA
 * certificate (extended key usage timeStamping, critical) made by openssl at start.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';

export interface TestTsa {
  url: string;
  /** The CA's certificate (PEM): what a verifier trusts. */
  caPem: string;
  caFile: string;
  dir: string;
  /** Requests answered so far. */
  answered: number;
  /** While true the authority answers 503 (an outage); `refused` counts those answers. */
  down: boolean;
  refused: number;
  /**
   * Holds the next request: `arrived` resolves when it has come in, and it is answered only after `release()`
   * (a TSA that is slow for one caller); requests after it are answered as usual.
   */
  hold(): { arrived: Promise<void>; release(): void };
  close(): Promise<void>;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Makes a CA and a TSA certificate under `dir` (another call makes another, untrusted, authority). */
export function makeTsaFiles(dir: string): { caFile: string; config: string } {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=tiepdan test TSA CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], dir);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'tsa.key', '-out', 'tsa.csr', '-subj', '/CN=tiepdan test TSA'], dir);
  writeFileSync(join(dir, 'tsa.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n');
  openssl(['x509', '-req', '-in', 'tsa.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tsa.pem', '-days', '3650', '-extfile', 'tsa.ext'], dir);
  writeFileSync(join(dir, 'serial'), '01\n');
  const config = join(dir, 'tsa.cnf');
  writeFileSync(
    config,
    [
      '[ tsa ]',
      'default_tsa = tsa_config',
      '[ tsa_config ]',
      `dir = ${dir}`,
      'serial = $dir/serial',
      'signer_cert = $dir/tsa.pem',
      'certs = $dir/tsa.pem',
      'signer_key = $dir/tsa.key',
      'signer_digest = sha256',
      'default_policy = 1.3.6.1.4.1.99999.1',
      'digests = sha256',
      'accuracy = secs:1',
      'ordering = no',
      'tsa_name = yes',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
  return { caFile: join(dir, 'ca.pem'), config };
}

export async function startTsa(): Promise<TestTsa> {
  const dir = tempDir('tiepdan-tsa-');
  const { caFile, config } = makeTsaFiles(dir);
  const state = { answered: 0, refused: 0, down: false };
  const holds: Array<{ arrive: () => void; released: Promise<void> }> = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', async () => {
      const held = holds.shift();
      if (held) {
        held.arrive();
        await held.released;
      }
      if (state.down) {
        state.refused += 1;
        return void res.writeHead(503).end('down for maintenance');
      }
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') return void res.writeHead(415).end();
      const id = randomUUID();
      const query = join(dir, `${id}.tsq`);
      const reply = join(dir, `${id}.tsr`);
      void writeFile(query, Buffer.concat(parts)).then(() =>
        execFile('openssl', ['ts', '-reply', '-config', config, '-queryfile', query, '-out', reply], async (error) => {
          if (error) return void res.writeHead(500).end(String(error));
          const body = await readFile(reply);
          await rm(query, { force: true });
          await rm(reply, { force: true });
          state.answered += 1;
          res.writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': body.length }).end(body);
        }),
      );
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/tsa`,
    caPem: readFileSync(caFile, 'utf8'),
    caFile,
    dir,
    get answered() {
      return state.answered;
    },
    get refused() {
      return state.refused;
    },
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    hold() {
      let arrive!: () => void;
      let release!: () => void;
      const arrived = new Promise<void>((done) => (arrive = done));
      holds.push({ arrive, released: new Promise<void>((done) => (release = done)) });
      return { arrived, release };
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
