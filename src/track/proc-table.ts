// What the tracker remembers about each (pid, starttime) between cycles, as columns: one typed array per
// field and a slot per process, reused when the process goes: on a large host an object per process costs
// several times more heap (and GC work) than these rows.
import { Raw } from './deltas';
import type { GroupAccumulator } from './groups';
import type { ColumnSchema, ColumnsOf } from '../proc/columns';
import { newColumn } from '../proc/column-set';
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

/**
 * The numeric columns, one typed array each, as the readers' columns are described (src/proc/columns.ts).
 * Growth and compaction follow this schema: a new column is a line here.
 */
const SLOT_COLUMNS = {
  kind: 'u8',
  pid: 'i32',
  startTicks: 'f64',
  seenCycle: 'i32',
  startTimeMs: 'f64',
  /** Raw.N baselines per slot (the last good readings); NaN where none was good yet */
  base: 'f64',
  /** last good gauges, kept when status or limits fail for a tracked process */
  swapBytes: 'f64',
  fdLimit: 'f64',
  /** CPU seconds the process used in the last cycle (what -top-processes ranks) */
  cpuLast: 'f64',
  /** the stat gauges of the last cycle: with the baselines, what the smaps refresh policy compares */
  rss: 'f64',
  vsize: 'f64',
  numThreads: 'i32',
  /** proportional memory as last read, and when (NaN: never read well; read again next cycle) */
  pss: 'f64',
  swapPss: 'f64',
  smapsAtMs: 'f64',
  /** stat state of the last cycle, compared with the other stat values by the idle hold */
  state: 'u8',
  /** schedstat as last read (NaN: not read, or unreadable): equal again means the process has not run */
  schedRun: 'f64',
  schedSlices: 'f64',
  /** when status, io and wchan were last read without error (NaN: never; read in full next cycle) */
  fullReadAtMs: 'f64',
  /** 1 when io could not be read at the last full read (another user's process, without the capabilities) */
  ioErr: 'u8',
  /** entries in fd/ at the last cycle (-1: unreadable then; groups, the page and top processes leave it out) */
  openFds: 'i32',
  /** effective uid as last read from status (NaN: never read) */
  uid: 'f64',
} as const satisfies ColumnSchema;

type SlotColumn = keyof typeof SLOT_COLUMNS;

/** Columns with more than one value per slot. */
const WIDTH: Readonly<Partial<Record<SlotColumn, number>>> = { base: Raw.N };

/** The columns of JS values, with the value of a free slot. */
const OBJECT_COLUMNS = {
  /** wchan as last read: what a held process reports */
  wchan: '' as string,
  /** comm at first sight: a change means an exec, re-matched under -recheck */
  comm: '' as string,
  group: null as GroupAccumulator | null,
  /** unit, container and pod from the cgroup path, read when the process was named (shared objects) */
  cgroup: NO_CGROUP_IDENTITY as CgroupIdentity,
  threads: null as ThreadBaselines | null,
};

type ObjectColumn = keyof typeof OBJECT_COLUMNS;

const NUMERIC_KEYS = Object.keys(SLOT_COLUMNS) as SlotColumn[];
const OBJECT_KEYS = Object.keys(OBJECT_COLUMNS) as ObjectColumn[];

type SlotArrays = Omit<ColumnsOf<typeof SLOT_COLUMNS>, 'count'> & { [K in ObjectColumn]: Array<(typeof OBJECT_COLUMNS)[K]> };

// the columns are the table's own fields (t.pid[s], t.comm[s]), declared by the schema above
export interface ProcTable extends SlotArrays {}

export class ProcTable {
  private cap = 0;
  private readonly freeSlots: number[] = [];
  private used = 0;
  private readonly slotOf = new Map<number, number>();
  trackedCount = 0;
  ignoredCount = 0;

  constructor() {
    const cols = this as unknown as Record<string, unknown>;
    for (const k of NUMERIC_KEYS) cols[k] = newColumn(SLOT_COLUMNS[k], 0);
    for (const k of OBJECT_KEYS) cols[k] = [];
  }

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
    const objects = this.objects();
    for (const k of OBJECT_KEYS) objects[k][s] = OBJECT_COLUMNS[k];
    this.freeSlots.push(s);
  }

  /** Forgets every slot not seen in `cycle`; halves the columns when three quarters are free. */
  sweep(cycle: number): void {
    for (let s = 0; s < this.used; s++) if (this.kind[s] !== SlotKind.FREE && this.seenCycle[s] !== cycle) this.remove(s);
    const live = this.trackedCount + this.ignoredCount;
    if (this.cap > 256 && live * 4 < this.cap) this.compact();
  }

  private numerics(): Record<SlotColumn, Float64Array | Int32Array | Uint8Array> {
    return this as unknown as Record<SlotColumn, Float64Array | Int32Array | Uint8Array>;
  }

  private objects(): Record<ObjectColumn, unknown[]> {
    return this as unknown as Record<ObjectColumn, unknown[]>;
  }

  private grow(cap: number): void {
    const cols = this.numerics();
    for (const k of NUMERIC_KEYS) {
      const w = WIDTH[k] ?? 1;
      const b = newColumn(SLOT_COLUMNS[k], cap * w);
      b.set(cols[k].subarray(0, this.used * w));
      cols[k] = b;
    }
    this.cap = cap;
  }

  /** Moves the live slots to the front and shrinks the columns: a burst of processes does not stay paid for. */
  private compact(): void {
    const cols = this.numerics();
    const objects = this.objects();
    let to = 0;
    for (let s = 0; s < this.used; s++) {
      if (this.kind[s] === SlotKind.FREE) continue;
      if (to !== s) {
        for (const k of NUMERIC_KEYS) {
          const w = WIDTH[k] ?? 1;
          cols[k].copyWithin(to * w, s * w, s * w + w);
        }
        for (const k of OBJECT_KEYS) objects[k][to] = objects[k][s];
        this.slotOf.set(this.pid[to], to);
      }
      to++;
    }
    this.used = to;
    for (const k of OBJECT_KEYS) objects[k].length = to;
    this.freeSlots.length = 0;
    this.grow(Math.max(64, to * 2));
  }
}
