/**
 * The recording signing key and its history in PostgreSQL (migration 7, `server_keys`), so every node signs with
 * one key and publishes one history. Each step runs in one transaction under an advisory lock, so nodes starting
 * together (each asking for the current key before it serves) create one key: the first creates it, the others
 * wait on the lock and then read it. The private key is stored sealed under a key derived from the data key
 * (privacy/keys.ts `vault`): whoever reads the table without the data key cannot sign.
 */
import type pg from 'pg';
import { open, seal } from '../privacy/seal.js';
import type { KeyVault, KeyVaultIo } from '../recording/signing/keys.js';
import { inTransaction, one } from './tx-postgres.js';

/** Any constant, distinct from the migrations' (migrations-postgres.ts): the key of the vault's advisory lock. */
const VAULT_LOCK = 7_310_417;
const PRIVATE = 'recording-signing-key';
const HISTORY = 'recording-key-history';
/** Binds the sealed value to its use: a blob sealed for something else does not open as the signing key. */
const ASSOCIATED_DATA = 'tiepdan/recording-signing-key/v1';

export class PostgresKeyVault implements KeyVault {
  constructor(
    private readonly pool: pg.Pool,
    private readonly sealKey: Buffer,
  ) {}

  exclusive<T>(job: (io: KeyVaultIo) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [VAULT_LOCK]);
      const read = async (name: string) => (await one<{ value: Buffer }>(tx, 'SELECT value FROM server_keys WHERE name = $1', [name]))?.value;
      const write = async (name: string, value: Buffer) =>
        void (await tx.query('INSERT INTO server_keys (name, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at', [name, value, new Date().toISOString()]));
      return job({
        readPrivate: async () => {
          const sealed = await read(PRIVATE);
          return sealed && open(this.sealKey, sealed, ASSOCIATED_DATA);
        },
        writePrivate: (pem) => write(PRIVATE, seal(this.sealKey, pem, ASSOCIATED_DATA)),
        readHistory: async () => (await read(HISTORY))?.toString('utf8'),
        writeHistory: (text) => write(HISTORY, Buffer.from(text, 'utf8')),
      });
    });
  }
}
