// Counter deltas, one rule for processes and threads: a reading is a row of RAW counters, the baseline
// is the previous good reading, and what a cycle adds is the increase between them.
import type { Counters } from './groups';

/** Positions of the counters in a reading (and in a baseline). */
export const enum Raw {
  /** clock ticks */
  UTIME,
  STIME,
  MINFLT,
  MAJFLT,
  READ_BYTES,
  WRITE_BYTES,
  CTX_VOL,
  CTX_NONVOL,
  /** number of counters */
  N,
}

/**
 * Adds the increase from the baseline base[at .. at+N) to the reading cur[0 .. N) into `out`, then
 * moves the baseline to the reading.
 * - a decrease adds 0 and counting resumes from the new value;
 * - NaN in the reading (unreadable this cycle) adds 0 and keeps the baseline;
 * - NaN in the baseline (no good reading yet) adds 0 and takes the reading as the baseline.
 * CPU ticks become seconds before the subtraction (ticks/100 - ticks/100), as the reference computes it.
 */
export function advance(base: Float64Array, at: number, cur: Float64Array, out: Counters): void {
  out.cpuUser = step(base, at + Raw.UTIME, cur[Raw.UTIME], true);
  out.cpuSystem = step(base, at + Raw.STIME, cur[Raw.STIME], true);
  out.minorPageFaults = step(base, at + Raw.MINFLT, cur[Raw.MINFLT], false);
  out.majorPageFaults = step(base, at + Raw.MAJFLT, cur[Raw.MAJFLT], false);
  out.readBytes = step(base, at + Raw.READ_BYTES, cur[Raw.READ_BYTES], false);
  out.writeBytes = step(base, at + Raw.WRITE_BYTES, cur[Raw.WRITE_BYTES], false);
  out.ctxVoluntary = step(base, at + Raw.CTX_VOL, cur[Raw.CTX_VOL], false);
  out.ctxNonvoluntary = step(base, at + Raw.CTX_NONVOL, cur[Raw.CTX_NONVOL], false);
}

function step(base: Float64Array, k: number, cur: number, ticks: boolean): number {
  if (cur !== cur) return 0; // unreadable: the baseline stays
  const prev = base[k];
  base[k] = cur;
  if (prev !== prev) return 0;
  const d = ticks ? cur / 100 - prev / 100 : cur - prev;
  return d > 0 ? d : 0;
}
