// What the tracker remembers about each (pid, starttime) between cycles, as columns: one typed array per
// field and a slot per process, reused when the process goes. At 30,000 processes an object per process
// costs several times more heap (and GC work) than these rows.
import { Raw } from './deltas';
import type { GroupAccumulator } from './groups';
import { NO_CGROUP_IDENTITY, type CgroupIdentity } from '../proc/parse/cgroup-identity';

export const enum SlotKind {
  FREE,
  /** in a group: every column is in use */
  TRACKED,
  /** matched nothing: only pid, startTicks and seenCycle are in use (only its stat is read) */
  IGNORED,
}

/** Positions after the Raw.N counters in a thread's numbers (ThreadRecord.base). */
export const THREAD_START = Raw.N;
/** schedstat as last read (NaN: not read, or unreadable): equal again means the thread has not run */
export const THREAD_SCHED_RUN = Raw.N + 1;
export const THREAD_SCHED_SLICES = Raw.N + 2;
/** when its status, io and wchan were last read without error (NaN: never; read in full next cycle) */
export const THREAD_FULL_AT = Raw.N + 3;
/** its stat state as last read */
export const THREAD_STATE = Raw.N + 4;
export const THREAD_NUMBERS = Raw.N + 5;

/** What the tracker keeps of one thread: its baselines (the last good readings) and what a held thread reports. */
export interface ThreadRecord {
  base: Float64Array;
  comm: string;
  wchan: string;
}

/** The threads of a multi-threaded process, by tid. */
export type ThreadBaselines = Map<number, ThreadRecord>;

export class ProcTable {
  private cap = 0;
  private readonly freeSlots: number[] = [];
  private used = 0;
  private readonly slotOf = new Map<number, number>();
  trackedCount = 0;
  ignoredCount = 0;

  kind = new Uint8Array(0);
  pid = new Int32Array(0);
  startTicks = new Float64Array(0);
  seenCycle = new Int32Array(0);
  startTimeMs = new Float64Array(0);
  /** Raw.N baselines per slot (the last good readings); NaN where none was good yet */
  base = new Float64Array(0);
  /** last good gauges, kept when status or limits fail for a tracked process */
  swapBytes = new Float64Array(0);
  fdLimit = new Float64Array(0);
  /** CPU seconds the process used in the last cycle (what -top-processes ranks) */
  cpuLast = new Float64Array(0);
  /** open fds as last read (NaN: never read) */
  fds = new Float64Array(0);
  /** the stat gauges of the last cycle: with the baselines, what the smaps refresh policy compares */
  rss = new Float64Array(0);
  vsize = new Float64Array(0);
  numThreads = new Int32Array(0);
  /** proportional memory as last read, and when (NaN: never read well; read again next cycle) */
  pss = new Float64Array(0);
  swapPss = new Float64Array(0);
  smapsAtMs = new Float64Array(0);
  /** stat state of the last cycle, compared with the other stat values by the idle hold */
  state = new Uint8Array(0);
  /** schedstat as last read (NaN: not read, or unreadable): equal again means the process has not run */
  schedRun = new Float64Array(0);
  schedSlices = new Float64Array(0);
  /** when status, io and wchan were last read without error (NaN: never; read in full next cycle) */
  fullReadAtMs = new Float64Array(0);
  /** 1 when io could not be read at the last full read (another user's process, without the capabilities) */
  ioErr = new Uint8Array(0);
  /** entries in fd/ at the last cycle (-1: unreadable) */
  openFds = new Int32Array(0);
  /** effective uid as last read from status (NaN: never read) */
  uid = new Float64Array(0);
  /** wchan as last read: what a held process reports */
  wchan: string[] = [];
  /** comm at first sight: a change means an exec, re-matched under -recheck */
  comm: string[] = [];
  group: (GroupAccumulator | null)[] = [];
  /** unit, container and pod from the cgroup path, read when the process was named (shared objects) */
  cgroup: CgroupIdentity[] = [];
  threads: (ThreadBaselines | null)[] = [];

  /** Slots [0, slotCount) may be in use (see kind). */
  get slotCount(): number {
    return this.used;
  }

  /** The slot of pid, or -1. */
  find(pid: number): number {
    const s = this.slotOf.get(pid);
    return s === undefined ? -1 : s;
  }

  /** The slots in use of one kind. */
  *slotsOf(kind: SlotKind.TRACKED | SlotKind.IGNORED): IterableIterator<number> {
    for (let s = 0; s < this.used; s++) if (this.kind[s] === kind) yield s;
  }

  /** A fresh slot for pid (which must not have one). */
  add(pid: number, startTicks: number, kind: SlotKind.TRACKED | SlotKind.IGNORED, cycle: number): number {
    let s = this.freeSlots.pop();
    if (s === undefined) {
      if (this.used === this.cap) this.grow(Math.max(64, this.cap * 2));
      s = this.used++;
    }
    this.slotOf.set(pid, s);
    this.kind[s] = kind;
    this.pid[s] = pid;
    this.startTicks[s] = startTicks;
    this.seenCycle[s] = cycle;
    if (kind === SlotKind.TRACKED) this.trackedCount++;
    else this.ignoredCount++;
    return s;
  }

  remove(s: number): void {
    if (this.kind[s] === SlotKind.TRACKED) this.trackedCount--;
    else this.ignoredCount--;
    this.slotOf.delete(this.pid[s]);
    this.kind[s] = SlotKind.FREE;
    this.comm[s] = '';
    this.wchan[s] = '';
    this.group[s] = null;
    this.cgroup[s] = NO_CGROUP_IDENTITY;
    this.threads[s] = null;
    this.freeSlots.push(s);
  }

  /** Forgets every slot not seen in `cycle`; halves the columns when three quarters are free. */
  sweep(cycle: number): void {
    for (let s = 0; s < this.used; s++) if (this.kind[s] !== SlotKind.FREE && this.seenCycle[s] !== cycle) this.remove(s);
    const live = this.trackedCount + this.ignoredCount;
    if (this.cap > 256 && live * 4 < this.cap) this.compact();
  }

  private grow(cap: number): void {
    const n = Raw.N;
    const f64 = (a: Float64Array, w = 1) => {
      const b = new Float64Array(cap * w);
      b.set(a.subarray(0, this.used * w));
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a.subarray(0, this.used));
      return b;
    };
    const u8 = (a: Uint8Array) => {
      const b = new Uint8Array(cap);
      b.set(a.subarray(0, this.used));
      return b;
    };
    this.kind = u8(this.kind);
    this.ioErr = u8(this.ioErr);
    this.openFds = i32(this.openFds);
    this.uid = f64(this.uid);
    this.state = u8(this.state);
    this.schedRun = f64(this.schedRun);
    this.schedSlices = f64(this.schedSlices);
    this.fullReadAtMs = f64(this.fullReadAtMs);
    this.pid = i32(this.pid);
    this.startTicks = f64(this.startTicks);
    this.seenCycle = i32(this.seenCycle);
    this.startTimeMs = f64(this.startTimeMs);
    this.base = f64(this.base, n);
    this.swapBytes = f64(this.swapBytes);
    this.fdLimit = f64(this.fdLimit);
    this.cpuLast = f64(this.cpuLast);
    this.fds = f64(this.fds);
    this.rss = f64(this.rss);
    this.vsize = f64(this.vsize);
    this.numThreads = i32(this.numThreads);
    this.pss = f64(this.pss);
    this.swapPss = f64(this.swapPss);
    this.smapsAtMs = f64(this.smapsAtMs);
    this.cap = cap;
  }

  /** Moves the live slots to the front and shrinks the columns: a burst of processes does not stay paid for. */
  private compact(): void {
    const n = Raw.N;
    let to = 0;
    for (let s = 0; s < this.used; s++) {
      if (this.kind[s] === SlotKind.FREE) continue;
      if (to !== s) {
        this.kind[to] = this.kind[s];
        this.pid[to] = this.pid[s];
        this.startTicks[to] = this.startTicks[s];
        this.seenCycle[to] = this.seenCycle[s];
        this.startTimeMs[to] = this.startTimeMs[s];
        this.base.copyWithin(to * n, s * n, s * n + n);
        this.swapBytes[to] = this.swapBytes[s];
        this.fdLimit[to] = this.fdLimit[s];
        this.cpuLast[to] = this.cpuLast[s];
        this.fds[to] = this.fds[s];
        this.rss[to] = this.rss[s];
        this.vsize[to] = this.vsize[s];
        this.numThreads[to] = this.numThreads[s];
        this.pss[to] = this.pss[s];
        this.swapPss[to] = this.swapPss[s];
        this.smapsAtMs[to] = this.smapsAtMs[s];
        this.state[to] = this.state[s];
        this.schedRun[to] = this.schedRun[s];
        this.schedSlices[to] = this.schedSlices[s];
        this.fullReadAtMs[to] = this.fullReadAtMs[s];
        this.ioErr[to] = this.ioErr[s];
        this.openFds[to] = this.openFds[s];
        this.uid[to] = this.uid[s];
        this.wchan[to] = this.wchan[s];
        this.comm[to] = this.comm[s];
        this.group[to] = this.group[s];
        this.cgroup[to] = this.cgroup[s];
        this.threads[to] = this.threads[s];
        this.slotOf.set(this.pid[to], to);
      }
      to++;
    }
    this.used = to;
    this.comm.length = this.wchan.length = this.group.length = this.cgroup.length = this.threads.length = to;
    this.freeSlots.length = 0;
    this.grow(Math.max(64, to * 2));
  }
}
