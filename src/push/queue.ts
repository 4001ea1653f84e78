// The bounded in-memory queue of one remote_write endpoint: whole cycles in arrival order, sent from
// the oldest; past `capacity` samples the oldest are dropped (and counted by the caller).
import type { Chunk } from './series';
import type { SampleRun } from './proto';

export class SampleQueue {
  private readonly chunks: Chunk[] = [];
  private count = 0;
  private removed = 0;

  constructor(readonly capacity: number) {}

  /** The position of the oldest waiting sample among all samples ever queued. */
  get head(): number {
    return this.removed;
  }

  /** Samples waiting to be sent. */
  get pending(): number {
    return this.count;
  }

  /** Appends a cycle; returns how many of the oldest samples were dropped to stay within capacity. */
  push(chunk: Chunk): number {
    const n = chunk.values.length - chunk.start;
    if (n === 0) return 0;
    this.chunks.push(chunk);
    this.count += n;
    const over = this.count - this.capacity;
    if (over > 0) this.discard(over);
    return over > 0 ? over : 0;
  }

  /** Up to max of the oldest samples, in order, without removing them: runs of whole cycles' arrays. */
  peek(max: number): { runs: SampleRun[]; count: number } {
    const runs: SampleRun[] = [];
    let count = 0;
    for (const c of this.chunks) {
      if (count >= max) break;
      const to = Math.min(c.values.length, c.start + (max - count));
      runs.push({ labels: c.labels, values: c.values, from: c.start, to, timestampMs: c.timestampMs });
      count += to - c.start;
    }
    return { runs, count };
  }

  /**
   * Removes every sample before position `end` (see head): a batch peeked at head h with n samples is
   * done with discardUpTo(h + n), which is right even if the bound dropped some of it meanwhile.
   */
  discardUpTo(end: number): void {
    if (end > this.removed) this.discard(end - this.removed);
  }

  private discard(n: number): void {
    let left = Math.min(n, this.count);
    this.count -= left;
    this.removed += left;
    while (left > 0) {
      const c = this.chunks[0];
      const avail = c.values.length - c.start;
      if (avail <= left) {
        this.chunks.shift();
        left -= avail;
      } else {
        c.start += left;
        left = 0;
      }
    }
  }
}
