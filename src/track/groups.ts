// Per-group accumulators (docs/behaviour.md#groups): counters that only grow, gauges summed afresh each cycle, and
// per-thread-name counters that live as long as the group (docs/behaviour.md differences #7).
import { GO_ZERO_TIME_UNIX, type Counters, type GroupSnapshot, type MemoryGauges, type ThreadNameSnapshot } from '../expose/snapshot';

export type { Counters } from '../expose/snapshot';

export function zeroCounters(): Counters {
  return { cpuUser: 0, cpuSystem: 0, readBytes: 0, writeBytes: 0, majorPageFaults: 0, minorPageFaults: 0, ctxVoluntary: 0, ctxNonvoluntary: 0 };
}

function addCounters(into: Counters, d: Counters): void {
  into.cpuUser += d.cpuUser;
  into.cpuSystem += d.cpuSystem;
  into.readBytes += d.readBytes;
  into.writeBytes += d.writeBytes;
  into.majorPageFaults += d.majorPageFaults;
  into.minorPageFaults += d.minorPageFaults;
  into.ctxVoluntary += d.ctxVoluntary;
  into.ctxNonvoluntary += d.ctxNonvoluntary;
}

/** What one process adds to its group's gauges this cycle. */
export interface ProcGauges extends MemoryGauges {
  /** -1 when fd/ was unreadable */
  openFds: number;
  fdLimit: number;
  numThreads: number;
  startTimeMs: number;
  /** 1 when this process's io could not be read this cycle (its read/write bytes are unknown), else 0 */
  ioUnreadable: number;
  /** 1 when its smaps could not be read (its proportional memory is unknown), else 0 */
  proportionalUnreadable: number;
}

interface ThreadNameAcc {
  counters: Counters;
  /** threads with this name in the current cycle */
  count: number;
}

export class GroupAccumulator {
  readonly counters = zeroCounters();
  // gauges of the current cycle
  numProcs = 0;
  resident = 0;
  virtual = 0;
  swapped = 0;
  proportionalResident = 0;
  proportionalSwapped = 0;
  openFds = 0;
  worstFdRatio = 0;
  oldestStartMs = Infinity;
  numThreads = 0;
  /** processes of this cycle whose io, or smaps, could not be read */
  ioUnreadable = 0;
  proportionalUnreadable = 0;
  readonly states = { running: 0, sleeping: 0, waiting: 0, zombie: 0, other: 0 };
  readonly wchans = new Map<string, number>();
  /** thread names seen in this group, with their all-time counters */
  readonly threadNames = new Map<string, ThreadNameAcc>();
  /** whether a multi-threaded process is in the group this cycle (gates the thread families) */
  hasMultiThreaded = false;

  constructor(readonly name: string) {}

  beginCycle(): void {
    this.numProcs = 0;
    this.resident = this.virtual = this.swapped = this.proportionalResident = this.proportionalSwapped = 0;
    this.openFds = 0;
    this.worstFdRatio = 0;
    this.oldestStartMs = Infinity;
    this.numThreads = 0;
    this.ioUnreadable = this.proportionalUnreadable = 0;
    const s = this.states;
    s.running = s.sleeping = s.waiting = s.zombie = s.other = 0;
    this.wchans.clear();
    this.hasMultiThreaded = false;
    for (const t of this.threadNames.values()) t.count = 0;
  }

  addProcess(delta: Counters, g: ProcGauges): void {
    addCounters(this.counters, delta);
    this.numProcs++;
    this.resident += g.resident;
    this.virtual += g.virtual;
    this.swapped += g.swapped;
    this.proportionalResident += g.proportionalResident;
    this.proportionalSwapped += g.proportionalSwapped;
    if (g.openFds >= 0) this.openFds += g.openFds;
    // docs/behaviour.md#fd-ratio: -1/x is ignored, x/0 is +Inf, 0/0 (NaN) is ignored
    const ratio = g.openFds / g.fdLimit;
    if (ratio > this.worstFdRatio) this.worstFdRatio = ratio;
    if (g.startTimeMs < this.oldestStartMs) this.oldestStartMs = g.startTimeMs;
    this.numThreads += g.numThreads;
    this.ioUnreadable += g.ioUnreadable;
    this.proportionalUnreadable += g.proportionalUnreadable;
  }

  /** One state letter: a single-threaded process's, or one thread's of a multi-threaded one (docs/behaviour.md#states). */
  addState(letter: number): void {
    const s = this.states;
    if (letter === 82 /* R */) s.running++;
    else if (letter === 83 /* S */) s.sleeping++;
    else if (letter === 68 /* D */) s.waiting++;
    else if (letter === 90 /* Z */) s.zombie++;
    else s.other++;
  }

  addWchan(wchan: string): void {
    if (wchan === '' || wchan === '0') return;
    this.wchans.set(wchan, (this.wchans.get(wchan) ?? 0) + 1);
  }

  addThread(name: string, delta: Counters): void {
    let t = this.threadNames.get(name);
    if (t === undefined) {
      t = { counters: zeroCounters(), count: 0 };
      this.threadNames.set(name, t);
    }
    t.count++;
    addCounters(t.counters, delta);
  }

  snapshot(withThreads: boolean): GroupSnapshot {
    const empty = this.numProcs === 0;
    const threads: ThreadNameSnapshot[] = [];
    if (withThreads && !empty && this.hasMultiThreaded) {
      for (const [name, t] of this.threadNames) {
        if (t.count > 0) threads.push({ name, count: t.count, ...t.counters });
      }
    }
    return {
      name: this.name,
      numProcs: this.numProcs,
      ...this.counters,
      resident: this.resident,
      virtual: this.virtual,
      swapped: this.swapped,
      proportionalResident: this.proportionalResident,
      proportionalSwapped: this.proportionalSwapped,
      openFds: this.openFds,
      worstFdRatio: this.worstFdRatio,
      // truncated to whole seconds like Go's Time.Unix()
      oldestStartTime: empty ? GO_ZERO_TIME_UNIX : Math.floor(this.oldestStartMs / 1000),
      numThreads: this.numThreads,
      ioUnreadable: this.ioUnreadable,
      proportionalUnreadable: this.proportionalUnreadable,
      states: { ...this.states },
      wchans: empty ? new Map() : new Map(this.wchans),
      threads,
    };
  }
}
