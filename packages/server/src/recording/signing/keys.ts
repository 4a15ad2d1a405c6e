/**
 * The server's recording signing keys and their public history, kept in the chosen store's key vault
 * (`Store.keyVault`). The private key (Ed25519, PKCS#8 PEM) comes from the configuration
 * (`recording.signingKey`) or the vault: on SQLite `dataDir/keys/recording-ed25519.pem` (mode 0600, folder 0700),
 * on PostgreSQL a row sealed under the data key (store/key-vault-postgres.ts), so every node signs with the same
 * key; it is never served, copied into a bundle or logged. What is published is the key history (on SQLite
 * `dataDir/keys/recording-keys.json`; GET /api/v1/recordings/keys): every public key that ever signed, with its
 * key id (SHA-256 of its SPKI DER, the fingerprint) and validity period. A rotation adds a line and closes the
 * previous one; it never removes one, so bundles signed years ago still verify against it.
 *
 * The history is written by whoever first sees a key that is not its current entry (the server before it signs,
 * or `tiepdan-server keys rotate`), in that order: new private key first, then its history line. A server that
 * finalizes between the two writes the same line itself, so both orders of events end the same way. Each step
 * runs inside `vault.exclusive`: on PostgreSQL under a lock every node takes, so nodes starting together create
 * one key, not one each.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
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

/** What a key vault holds, read and written inside `exclusive`. */
export interface KeyVaultIo {
  /** The private key, PKCS#8 PEM, or undefined when none was created yet. */
  readPrivate(): Promise<string | undefined>;
  writePrivate(pem: string): Promise<void>;
  /** The key history document (KEY_HISTORY_FORMAT), or undefined when none was written yet. */
  readHistory(): Promise<string | undefined>;
  writeHistory(text: string): Promise<void>;
}

/** Where the recording signing key and its history are kept; built by the chosen store (`Store.keyVault`). */
export interface KeyVault {
  /** Runs `job` with the vault to itself: no other caller (on any node sharing the vault) reads or writes meanwhile. */
  exclusive<T>(job: (io: KeyVaultIo) => Promise<T>): Promise<T>;
}

/** The data folder's vault (the SQLite store's): two files in `dir`; one server process uses them at a time. */
export class FsKeyVault implements KeyVault {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  exclusive<T>(job: (io: KeyVaultIo) => Promise<T>): Promise<T> {
    const io: KeyVaultIo = {
      readPrivate: () => this.read(KEY_FILE),
      // Written under a temporary name with mode 0600, fsynced, then renamed: never readable by others, never half there.
      writePrivate: async (pem) => {
        await this.ensureDir();
        await durableWrite(this.dir, KEY_FILE, Buffer.from(pem), 0o600);
      },
      readHistory: () => this.read(KEY_HISTORY_FILE),
      writeHistory: async (text) => {
        await this.ensureDir();
        await durableWrite(this.dir, KEY_HISTORY_FILE, Buffer.from(text), 0o644);
      },
    };
    const run = this.queue.then(() => job(io), () => job(io));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async read(name: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.dir, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }
}

function historyOf(text: string | undefined): KeyHistory {
  return text === undefined ? { format: KEY_HISTORY_FORMAT, keys: [] } : parseKeyHistory(text);
}

export class SigningKeys {
  constructor(
    private readonly vault: KeyVault,
    private readonly configured?: string | undefined,
  ) {}

  /** Whether the key comes from the configuration (then `keys rotate` cannot replace it). */
  get fromConfig(): boolean {
    return this.configured !== undefined;
  }

  /**
   * The key to sign with now, read afresh (a `keys rotate` while the server runs takes effect at the next
   * finalization), created once when there is none, and listed as the current entry of the history.
   */
  current(): Promise<SigningKey> {
    return this.vault.exclusive(async (io) => {
      const key = await this.loadPrivate(io);
      await this.record(io, key);
      return key;
    });
  }

  history(): Promise<KeyHistory> {
    return this.vault.exclusive(async (io) => historyOf(await io.readHistory()));
  }

  /** A new private key replaces the current one (which is destroyed: nothing can be signed with it any more). */
  rotate(): Promise<{ previous: string | undefined; current: SigningKey }> {
    if (this.configured !== undefined) throw new Error('the signing key comes from recording.signingKey: put the new key there; the history records it at the next start');
    return this.vault.exclusive(async (io) => {
      const previous = historyOf(await io.readHistory()).keys.at(-1)?.keyId;
      const { privateKey } = generateKeyPairSync('ed25519');
      await io.writePrivate(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      const key = fromPrivate(privateKey);
      await this.record(io, key);
      return { previous, current: key };
    });
  }

  private async loadPrivate(io: KeyVaultIo): Promise<SigningKey> {
    if (this.configured !== undefined) return fromPrivate(createPrivateKey(this.configured));
    const stored = await io.readPrivate();
    if (stored !== undefined) return fromPrivate(createPrivateKey(stored));
    const { privateKey } = generateKeyPairSync('ed25519');
    await io.writePrivate(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    // Read back: what is signed with is what was stored.
    return fromPrivate(createPrivateKey((await io.readPrivate())!));
  }

  /** Makes `key` the history's current entry: nothing when it is, a new line (closing the last) when it is new. */
  private async record(io: KeyVaultIo, key: SigningKey): Promise<void> {
    const history = historyOf(await io.readHistory());
    const last = history.keys.at(-1);
    if (last?.keyId === key.keyId) return;
    if (history.keys.some((k) => k.keyId === key.keyId)) throw new Error(`the signing key ${key.keyId} was retired: it cannot sign again`);
    const now = new Date().toISOString();
    const keys = history.keys.map((k) => (k.validUntil === null ? { ...k, validUntil: now } : k));
    keys.push({ keyId: key.keyId, algorithm: 'Ed25519', publicKey: key.publicKeyPem, validFrom: now, validUntil: null });
    await io.writeHistory(`${JSON.stringify({ format: KEY_HISTORY_FORMAT, keys }, null, 2)}\n`);
  }
}
