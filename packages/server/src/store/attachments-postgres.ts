/**
 * Attachment files in PostgreSQL (migration 7, `attachment_files`), so every node behind the load balancer serves
 * a file any node received: the sealed bytes (registrations/files.ts encrypts before storing) as bytea, keyed by
 * the plaintext's SHA-256. A file is read whole into memory to be served; the rules cap one file well below what
 * that costs (rules.attachments.maxBytes).
 *
 * Removal differs from the data folder's: two nodes may receive the same submission (a client retrying through
 * the load balancer) and race. The node that stored a file may lose the race for the registration, while the
 * winner's row refers to the same content-addressed file; so a file is removed only when no attachment row refers
 * to it. The loser's insert returns after the winner's commit (it waits on the client id's unique index), so the
 * winner's reference is visible by then.
 */
import { readFile, rm } from 'node:fs/promises';
import type pg from 'pg';
import { blobOfBuffer, type AttachmentBlobs, type StoredBlob } from '../registrations/files.js';
import { one } from './tx-postgres.js';

export class PostgresAttachmentBlobs implements AttachmentBlobs {
  constructor(private readonly pool: pg.Pool) {}

  async put(sha256: string, tmpPath: string): Promise<boolean> {
    try {
      // Content-addressed: a row already there holds the same plaintext (sealed under another IV), kept as it is.
      const exists = await one(this.pool, 'SELECT 1 FROM attachment_files WHERE sha256 = $1', [sha256]);
      if (exists) return false;
      const body = await readFile(tmpPath);
      const inserted = await one(this.pool, 'INSERT INTO attachment_files (sha256, sealed, stored_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING sha256', [sha256, body, new Date().toISOString()]);
      return inserted !== undefined;
    } finally {
      await rm(tmpPath, { force: true });
    }
  }

  async get(sha256: string): Promise<StoredBlob> {
    const row = await one<{ sealed: Buffer }>(this.pool, 'SELECT sealed FROM attachment_files WHERE sha256 = $1', [sha256]);
    if (!row) throw Object.assign(new Error(`attachment file ${sha256}: not stored`), { code: 'ENOENT' });
    return blobOfBuffer(row.sealed);
  }

  async remove(sha256s: readonly string[]): Promise<void> {
    await this.pool.query('DELETE FROM attachment_files f WHERE f.sha256 = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = f.sha256)', [sha256s]);
  }
}
