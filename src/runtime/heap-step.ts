// When to run a full garbage collection: once the old generation has grown by HEAP_STEP_BYTES, or the
// memory JS objects hold outside the heap by EXTERNAL_STEP_BYTES, since the last one. What an update cycle
// leaves behind (its snapshot, the strings of new processes, the TS reader's parsed rows) is promoted to
// the old generation and dies there a cycle later, and each scrape's response body is a buffer outside the
// heap; V8 on its own lets both grow well past what is live before it collects, and the pages grown into
// stay resident (docs/performance.md#the-heap-step). It needs V8's `gc`, which only a process launched with
// --expose-gc has (the launcher, bin/namedprocess-exporter, passes it); without it the heap is left to V8's
// own schedule. The main thread runs the step as a cycle starts, the TS reader's worker after each job.
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

/** Growth of the old generation since the last full collection that makes a step collect. */
export const HEAP_STEP_BYTES = 1024 * 1024;
/** Growth of the memory JS objects hold outside the heap that makes a step collect. */
export const EXTERNAL_STEP_BYTES = 4 * 1024 * 1024;

/** Bytes in use in the old generation: every space but the young one, whose garbage a scavenge takes. */
function oldGenerationUsed(): number {
  let used = 0;
  for (const s of getHeapSpaceStatistics()) if (s.space_name !== 'new_space' && s.space_name !== 'new_large_object_space') used += s.space_used_size;
  return used;
}

export class HeapStep {
  /**
   * The old generation and the external memory after the last full collection, or lower when V8
   * collected on its own since; 0 before the first, so the first step collects.
   */
  private oldBase = 0;
  private externalBase = 0;

  /** `collect` runs a full collection and says whether it could. */
  constructor(private readonly collect: () => boolean) {}

  /** A full collection if the heap grew by a step since the last one. True if it ran. */
  collectIfGrown(): boolean {
    const old = oldGenerationUsed();
    const external = getHeapStatistics().external_memory;
    this.oldBase = Math.min(this.oldBase, old);
    this.externalBase = Math.min(this.externalBase, external);
    if (old - this.oldBase < HEAP_STEP_BYTES && external - this.externalBase < EXTERNAL_STEP_BYTES) return false;
    if (!this.collect()) return false;
    this.oldBase = oldGenerationUsed();
    this.externalBase = getHeapStatistics().external_memory;
    return true;
  }
}

/** A heap step that collects with V8's `gc`, or null when the process was not launched with --expose-gc. */
export function heapStepWithExposedGc(): HeapStep | null {
  const gc = (globalThis as { gc?: unknown }).gc;
  if (typeof gc !== 'function') return null;
  return new HeapStep(() => {
    (gc as () => void)();
    return true;
  });
}
