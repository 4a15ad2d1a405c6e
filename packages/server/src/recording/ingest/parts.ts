/**
 * What is stored of each epoch's stream, kept in memory (rebuilt from the store on first use): the contiguous
 * watermark and the sequence numbers stored above it. Answers "what is missing" per chunk without a query.
 *
 * With several nodes (`shared`), chunks of one stream may be stored by any node, so nothing is kept between
 * calls: each answer is read from the store.
 */
import type { ResumePoint } from '@tiepdan/core';
import type { RecordingRepo } from '../repo.js';

interface Part {
  next: number;
  above: Set<number>;
}

export class PartTracker {
  private readonly parts = new Map<string, Part>();

  constructor(
    private readonly repo: RecordingRepo,
    private readonly shared = false,
  ) {}

  async stored(recordingId: string, epoch: number, seq: number): Promise<void> {
    // Read first (from the store, which already holds this row), so a part loaded now is not counted twice.
    const part = await this.part(recordingId, epoch);
    storedInto(part, seq);
  }

  async resume(recordingId: string, epoch: number): Promise<ResumePoint> {
    const part = await this.part(recordingId, epoch);
    const above = [...part.above].sort((a, b) => a - b);
    return { epoch, nextSeq: part.next, storedAbove: above, missing: missingOf(part.next, above) };
  }

  forget(recordingId: string): void {
    for (const key of this.parts.keys()) if (key.startsWith(`${recordingId}\u0000`)) this.parts.delete(key);
  }

  private async part(recordingId: string, epoch: number): Promise<Part> {
    const key = `${recordingId}\u0000${epoch}`;
    const known = this.shared ? undefined : this.parts.get(key);
    if (known) return known;
    const seqs = await this.repo.epochSeqs(recordingId, epoch);
    // Another call may have loaded it while this one read: the first one loaded stays (it may have more since).
    const raced = this.shared ? undefined : this.parts.get(key);
    if (raced) return raced;
    const part: Part = { next: 0, above: new Set() };
    for (const seq of seqs) storedInto(part, seq);
    if (!this.shared) this.parts.set(key, part);
    return part;
  }
}

function storedInto(part: Part, seq: number): void {
  if (seq < part.next) return;
  part.above.add(seq);
  while (part.above.delete(part.next)) part.next += 1;
}

/** Sequence numbers from `next` up to the highest stored one that are not stored. */
export function missingOf(next: number, storedAbove: number[]): number[] {
  const highest = storedAbove.at(-1);
  if (highest === undefined) return [];
  const have = new Set(storedAbove);
  const out: number[] = [];
  for (let seq = next; seq < highest; seq += 1) if (!have.has(seq)) out.push(seq);
  return out;
}
