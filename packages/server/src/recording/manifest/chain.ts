/**
 * The segments' hash chain: each link is SHA-256 over the previous link and the segment's place, size and
 * SHA-256, starting from 64 zeros. A changed, removed, added or reordered segment changes every link after it.
 */
import { createHash } from 'node:crypto';

export const GENESIS = '0'.repeat(64);

export function chainLink(prevHash: string, segment: { epoch: number; seq: number; bytes: number; sha256: string }): string {
  return createHash('sha256').update(`${prevHash}\n${segment.epoch}\n${segment.seq}\n${segment.bytes}\n${segment.sha256}`).digest('hex');
}
