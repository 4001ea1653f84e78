// What one update cycle hands to the exposition writer: per-group sums, ready to print.

/** The eight counters kept per process, per thread and per group; they never decrease. */
export interface Counters {
  cpuUser: number;
  cpuSystem: number;
  readBytes: number;
  writeBytes: number;
  majorPageFaults: number;
  minorPageFaults: number;
  ctxVoluntary: number;
  ctxNonvoluntary: number;
}

/** Per thread name inside a group (docs/behaviour.md#metrics, the namegroup_thread_* families). */
export interface ThreadNameSnapshot extends Counters {
  name: string;
  count: number;
}

/** Memory in bytes: what a process adds to its group, and the group's sum. */
export interface MemoryGauges {
  resident: number;
  virtual: number;
  swapped: number;
  proportionalResident: number;
  proportionalSwapped: number;
}

export interface GroupSnapshot extends Counters, MemoryGauges {
  name: string;
  numProcs: number;
  openFds: number;
  worstFdRatio: number;
  /** seconds since the epoch, truncated; -62135596800 (Go zero time) for an empty group */
  oldestStartTime: number;
  numThreads: number;
  /** of numProcs, the processes whose io (read/write bytes), or smaps (proportional memory), could not be
   *  read this cycle: their part of those figures is missing. Absent: all were read. The page shows a
   *  figure no member could give as unknown; /metrics writes the sums as they are. */
  ioUnreadable?: number;
  proportionalUnreadable?: number;
  states: { running: number; sleeping: number; waiting: number; zombie: number; other: number };
  /** wchan -> number of threads waiting on it; empty for an empty group */
  wchans: Map<string, number>;
  /** per thread name; empty when -threads is off or the group has no multi-threaded process */
  threads: ThreadNameSnapshot[];
}

/** One process of the top-processes set (-top-processes, docs/behaviour.md#top-processes): its own
 *  totals as /proc gives them, not deltas. NaN: never read (that sample is not written). */
export interface ProcessSnapshot extends MemoryGauges {
  pid: number;
  /** comm when the process was first seen */
  comm: string;
  group: string;
  /** seconds since the process started (utime, stime ticks / 100) */
  cpuUser: number;
  cpuSystem: number;
  readBytes: number;
  writeBytes: number;
  majorPageFaults: number;
  minorPageFaults: number;
  /** NaN: unreadable in the last cycle, and so left out of the exposition */
  openFds: number;
  numThreads: number;
  /** seconds since the epoch */
  startTime: number;
}

export interface CycleSnapshot {
  /** false when listing the procfs root failed: only the scrape counters are written */
  ok: boolean;
  groups: GroupSnapshot[];
  scrapeErrors: number;
  procReadErrors: number;
  partialErrors: number;
  /** -gather-smaps: whether the proportional* memtypes are written */
  gatherSmaps: boolean;
  /** -top-processes: the processes exported one by one; absent or empty when off */
  processes?: ProcessSnapshot[];
}

/** Go's zero time.Time as Unix seconds: what the reference prints for an empty group's oldest start. */
export const GO_ZERO_TIME_UNIX = -62135596800;
