/**
 * Trusted time for a manifest: an RFC 3161 timestamp token from a time-stamping authority (TSA), over the
 * SHA-256 of manifest.json, so a court can tell the manifest existed at that time (and so was signed while its
 * key was valid) without trusting the server's clock. RFC 3161 over HTTP: POST the DER TimeStampReq as
 * `application/timestamp-query`, get a DER TimeStampResp back (`application/timestamp-reply`).
 *
 * The DER is written and read here by hand, on purpose: the request is five fixed fields, and of the reply we
 * need four values (status, message imprint, nonce, genTime) at known places. An ASN.1 library
 * (@peculiar/asn1-tsp with its schema, cms and x509 packages, or pkijs with its five) would be more code to
 * carry than this file. The token's CMS signature and its certificate chain are checked by `openssl ts -verify`
 * (verify/verify.ts runs it, and the bundle recipe in docs/recording-bundle.md is the same command), the tool a
 * court's expert will have.
 */
import { randomBytes } from 'node:crypto';

const SHA256_OID = Buffer.from([0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]);
/** id-ct-TSTInfo, 1.2.840.113549.1.9.16.1.4 */
const TSTINFO_OID = Buffer.from([0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x04]);

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : n < 0x10000 ? Buffer.from([0x82, n >> 8, n & 0xff]) : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

/** TimeStampReq { version 1, messageImprint { sha256, digest }, nonce, certReq TRUE }. */
export function timeStampRequest(sha256Digest: Buffer, nonce: Buffer = newNonce()): { der: Buffer; nonce: Buffer } {
  if (sha256Digest.length !== 32) throw new Error('a SHA-256 digest is 32 bytes');
  const imprint = tlv(0x30, Buffer.concat([tlv(0x30, Buffer.concat([SHA256_OID, Buffer.from([0x05, 0x00])])), tlv(0x04, sha256Digest)]));
  const der = tlv(0x30, Buffer.concat([Buffer.from([0x02, 0x01, 0x01]), imprint, tlv(0x02, nonce), Buffer.from([0x01, 0x01, 0xff])]));
  return { der, nonce };
}

/** 8 random bytes as a minimal positive DER INTEGER (first byte non-zero, high bit clear). */
function newNonce(): Buffer {
  const nonce = randomBytes(8);
  nonce[0] = (nonce[0]! & 0x7f) | 0x01;
  return nonce;
}

interface Node {
  tag: number;
  /** The content's bytes. */
  body: Buffer;
  /** The whole TLV. */
  raw: Buffer;
}

function readNode(buf: Buffer, offset: number): Node & { next: number } {
  if (offset + 2 > buf.length) throw new Error('DER: truncated');
  const tag = buf[offset]!;
  let length = buf[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new Error('DER: unsupported length');
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + buf[start + i]!;
    start += count;
  }
  const end = start + length;
  if (end > buf.length) throw new Error('DER: truncated');
  return { tag, body: buf.subarray(start, end), raw: buf.subarray(offset, end), next: end };
}

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (let offset = 0; offset < node.body.length; ) {
    const child = readNode(node.body, offset);
    out.push(child);
    offset = child.next;
  }
  return out;
}

function one(buf: Buffer): Node {
  const node = readNode(buf, 0);
  if (node.next !== buf.length) throw new Error('DER: trailing bytes');
  return node;
}

export interface TimestampFacts {
  /** PKIStatus: 0 granted, 1 granted with modifications, 2+ refused. */
  status: number;
  genTime: string;
  hashAlgorithm: 'sha256' | 'other';
  digest: Buffer;
  nonce: Buffer | undefined;
}

/** The facts of a DER TimeStampResp (not its signature: `openssl ts -verify` checks that). */
export function readTimestampResponse(der: Buffer): TimestampFacts {
  const resp = children(one(der));
  const statusInfo = resp[0];
  if (!statusInfo || statusInfo.tag !== 0x30) throw new Error('not a TimeStampResp');
  const status = children(statusInfo)[0];
  if (!status || status.tag !== 0x02) throw new Error('TimeStampResp without a status');
  const code = status.body.readUIntBE(0, Math.min(status.body.length, 4));
  const token = resp[1];
  if (code > 1 || !token) return { status: code, genTime: '', hashAlgorithm: 'other', digest: Buffer.alloc(0), nonce: undefined };
  // ContentInfo { signedData OID, [0] SignedData { version, digestAlgorithms, encapContentInfo { TSTInfo OID, [0] OCTET STRING } … } }
  const contentInfo = children(token);
  const signedData = children(children(contentInfo[1]!)[0]!);
  const encap = children(signedData[2]!);
  if (!encap[0]?.raw.equals(TSTINFO_OID)) throw new Error('the token does not hold a TSTInfo');
  const octets = children(encap[1]!)[0]!;
  const tst = children(one(octets.body));
  // TSTInfo { version, policy, messageImprint, serialNumber, genTime, accuracy?, ordering?, nonce?, … }
  const imprint = children(tst[2]!);
  const algorithm = children(imprint[0]!)[0]!;
  const genTime = tst[4]!;
  if (genTime.tag !== 0x18) throw new Error('TSTInfo without genTime');
  const nonce = tst.slice(5).find((n) => n.tag === 0x02);
  return {
    status: code,
    genTime: generalizedTime(genTime.body.toString('latin1')),
    hashAlgorithm: algorithm.raw.equals(SHA256_OID) ? 'sha256' : 'other',
    digest: Buffer.from(imprint[1]!.body),
    nonce: nonce ? Buffer.from(nonce.body) : undefined,
  };
}

/**
 * YYYYMMDDHHMMSS[.f+]Z → ISO 8601, keeping the precision the TSA wrote: a genTime to the second stays one (no
 * invented ".000"), so the key-period check can read it as the whole second it stands for.
 */
function generalizedTime(text: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?Z$/u.exec(text);
  if (!m) throw new Error(`genTime "${text}" is not a UTC GeneralizedTime`);
  const fraction = m[7] === undefined ? '' : `.${m[7].padEnd(3, '0').slice(0, 3)}`;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${fraction}Z`;
}

/**
 * Asks the TSA for a token over `digest` and checks what can be checked without its certificate: granted,
 * the imprint is ours, the nonce is ours. Returns the TimeStampResp's DER as received (that is the file kept).
 */
export async function requestTimestamp(url: string, digest: Buffer, timeoutMs: number): Promise<{ der: Buffer; facts: TimestampFacts }> {
  const { der: query, nonce } = timeStampRequest(digest);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: new Uint8Array(query), signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200) throw new Error(`the time-stamping authority answered HTTP ${res.status}`);
  const der = Buffer.from(await res.arrayBuffer());
  const facts = readTimestampResponse(der);
  if (facts.status > 1) throw new Error(`the time-stamping authority refused (status ${facts.status})`);
  if (facts.hashAlgorithm !== 'sha256' || !facts.digest.equals(digest)) throw new Error('the timestamp token is not over this manifest');
  if (!facts.nonce?.equals(nonce)) throw new Error('the timestamp token does not carry our nonce (a replayed reply?)');
  return { der, facts };
}
