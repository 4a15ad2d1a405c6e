/**
 * The server's recording signing keys and their public history. The private key (Ed25519, PKCS#8 PEM) lives
 * only in `dataDir/keys/recording-ed25519.pem` (mode 0600, folder 0700) or in the configuration
 * (`recording.signingKey`); it is never served, copied into a bundle or logged. What is published is the key
 * history, `dataDir/keys/recording-keys.json` (GET /api/v1/recordings/keys): every public key that ever signed,
 * with its key id (SHA-256 of its SPKI DER, the fingerprint) and validity period. A rotation adds a line and
 * closes the previous one; it never removes one, so bundles signed years ago still verify against it.
 *
 * The history is written by whoever first sees a key that is not its current entry (the server before it signs,
 * or `tiepdan-server keys rotate`), in that order: new private key first, then its history line. A server that
 * finalizes between the two writes the same line itself, so both orders of events end the same way.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { durableWrite } from '../storage/fs-storage.js';
import { keyIdOf, type SigningKey } from '../manifest/signing.js';

export const KEYS_DIR = 'keys';
export const KEY_FILE = 'recording-ed25519.pem';
export const KEY_HISTORY_FILE = 'recording-keys.json';
export const KEY_HISTORY_FORMAT = 'tiepdan-recording-keys/1';

export interface KeyHistoryEntry {
  keyId: string;
  algorithm: 'Ed25519';
  /** SPKI PEM, as `openssl pkey -pubin` reads it. */
  publicKey: string;
  validFrom: string;
  /** null while the key is the current one. */
  validUntil: string | null;
}

export interface KeyHistory {
  format: typeof KEY_HISTORY_FORMAT;
  keys: KeyHistoryEntry[];
  /** As served (GET /recordings/keys): the time-stamping authority and its CA certificates (PEM), when configured. */
  timestamping?: { authority: string; caCertificates: string | null } | null | undefined;
}

function fromPrivate(privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the recording signing key must be an Ed25519 key');
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKeyPem, keyId: keyIdOf(publicKeyPem) };
}

/** Reads and checks a key history (the server's file, or one a verifier was given). */
export function parseKeyHistory(text: string): KeyHistory {
  const parsed = JSON.parse(text) as KeyHistory;
  if (parsed?.format !== KEY_HISTORY_FORMAT || !Array.isArray(parsed.keys)) throw new Error(`not a ${KEY_HISTORY_FORMAT} document`);
  for (const k of parsed.keys) {
    if (k?.algorithm !== 'Ed25519' || typeof k.publicKey !== 'string' || typeof k.validFrom !== 'string' || (k.validUntil !== null && typeof k.validUntil !== 'string')) {
      throw new Error('a key history entry lacks a field');
    }
    // The id is recomputed, never taken on trust: a history line whose id is not its key's is refused.
    if (keyIdOf(k.publicKey) !== k.keyId) throw new Error(`key history entry ${String(k.keyId)} does not match its public key`);
  }
  const tsa = parsed.timestamping;
  if (tsa !== undefined && tsa !== null && (typeof tsa.authority !== 'string' || (tsa.caCertificates !== null && typeof tsa.caCertificates !== 'string'))) throw new Error('the key history\'s timestamping lacks a field');
  return parsed;
}

export class SigningKeys {
  readonly dir: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    dataDir: string,
    private readonly configured?: string | undefined,
  ) {
    this.dir = join(dataDir, KEYS_DIR);
  }

  /** Whether the key comes from the configuration (then `keys rotate` cannot replace it). */
  get fromConfig(): boolean {
    return this.configured !== undefined;
  }

  /**
   * The key to sign with now, read afresh (a `keys rotate` while the server runs takes effect at the next
   * finalization), created once when there is none, and listed as the current entry of the history.
   */
  current(): Promise<SigningKey> {
    return this.serial(async () => {
      const key = await this.loadPrivate();
      await this.record(key);
      return key;
    });
  }

  async history(): Promise<KeyHistory> {
    try {
      return parseKeyHistory(await readFile(join(this.dir, KEY_HISTORY_FILE), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { format: KEY_HISTORY_FORMAT, keys: [] };
      throw error;
    }
  }

  /** A new private key replaces the current one (which is destroyed: nothing can be signed with it any more). */
  rotate(): Promise<{ previous: string | undefined; current: SigningKey }> {
    if (this.configured !== undefined) throw new Error('the signing key comes from recording.signingKey: put the new key there; the history records it at the next start');
    return this.serial(async () => {
      const previous = (await this.history()).keys.at(-1)?.keyId;
      const { privateKey } = generateKeyPairSync('ed25519');
      await this.ensureDir();
      await durableWrite(this.dir, KEY_FILE, Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), 0o600);
      const key = fromPrivate(privateKey);
      await this.record(key);
      return { previous, current: key };
    });
  }

  private async loadPrivate(): Promise<SigningKey> {
    if (this.configured !== undefined) return fromPrivate(createPrivateKey(this.configured));
    const path = join(this.dir, KEY_FILE);
    try {
      return fromPrivate(createPrivateKey(await readFile(path, 'utf8')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await this.ensureDir();
    const { privateKey } = generateKeyPairSync('ed25519');
    // Written under a temporary name with mode 0600, fsynced, then renamed: never readable by others, never half there.
    await durableWrite(this.dir, KEY_FILE, Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), 0o600);
    return fromPrivate(createPrivateKey(await readFile(path, 'utf8')));
  }

  /** Makes `key` the history's current entry: nothing when it is, a new line (closing the last) when it is new. */
  private async record(key: SigningKey): Promise<void> {
    const history = await this.history();
    const last = history.keys.at(-1);
    if (last?.keyId === key.keyId) return;
    if (history.keys.some((k) => k.keyId === key.keyId)) throw new Error(`the signing key ${key.keyId} was retired: it cannot sign again`);
    const now = new Date().toISOString();
    const keys = history.keys.map((k) => (k.validUntil === null ? { ...k, validUntil: now } : k));
    keys.push({ keyId: key.keyId, algorithm: 'Ed25519', publicKey: key.publicKeyPem, validFrom: now, validUntil: null });
    await this.ensureDir();
    await durableWrite(this.dir, KEY_HISTORY_FILE, Buffer.from(`${JSON.stringify({ format: KEY_HISTORY_FORMAT, keys }, null, 2)}\n`), 0o644);
  }

  private async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
