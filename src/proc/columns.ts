// The scanner contract: what a /proc reader returns, as columns (one typed array per field).
// The native C++ scanner and the TypeScript fallback both implement `Scanner` and must return
// identical columns for the same tree. Readers read and parse; they never decide (no matching,
// no naming, no deltas).

/** Strings packed back to back: string i is bytes[offsets[i] .. offsets[i+1]). Raw bytes, not decoded. */
export interface PackedStrings {
  bytes: Uint8Array;
  /** length = number of strings + 1 */
  offsets: Uint32Array;
}

/** The element type of one column: a typed array of numbers, or `str` (PackedStrings). */
export type ColumnKind = 'i32' | 'f64' | 'u8' | 'u16' | 'str';

/** A column set's schema: field name -> kind. Allocation, growth, joining and transfer all follow it. */
export type ColumnSchema = Readonly<Record<string, ColumnKind>>;

interface KindArray {
  i32: Int32Array;
  f64: Float64Array;
  u8: Uint8Array;
  u16: Uint16Array;
  str: PackedStrings;
}

/** The columns a schema describes, plus the row count. The field comments of the schema carry over. */
export type ColumnsOf<S extends ColumnSchema> = { count: number } & { -readonly [K in keyof S]: KindArray[S[K]] };

/** One row of a schema's columns: a number per numeric column, raw bytes per string column. */
export type RowOf<S extends ColumnSchema> = { -readonly [K in keyof S]: S[K] extends 'str' ? Uint8Array : number };

/** Phase 1: one row per `<procfs>/<pid>` directory whose `stat` could be read and parsed. */
export const STAT_COLUMNS = {
  pid: 'i32',
  /** stat field 22, clock ticks since boot */
  startTicks: 'f64',
  /** stat field 4 */
  ppid: 'i32',
  /** stat field 3, the state letter as a char code */
  state: 'u8',
  /** stat fields 10, 12 */
  minflt: 'f64',
  majflt: 'f64',
  /** stat fields 14, 15, in clock ticks */
  utime: 'f64',
  stime: 'f64',
  /** stat field 20 */
  numThreads: 'i32',
  /** stat field 23, bytes */
  vsize: 'f64',
  /** stat field 24, pages */
  rss: 'f64',
  /** between the first '(' and the last ')' of stat */
  comm: 'str',
} as const satisfies ColumnSchema;
export type StatColumns = ColumnsOf<typeof STAT_COLUMNS>;

/** Phase 2 asks for the details of tracked and new processes only (docs/behaviour.md#files-read). */
export interface DetailRequest {
  pids: Int32Array;
  /** 1: walk `task/` (the process had num_threads >= 2 in stat) */
  wantThreads: Uint8Array;
  /** 1: first sight of this (pid, starttime): also read cmdline and cgroup */
  wantStatic: Uint8Array;
  /** read smaps_rollup (or summed smaps when smaps_rollup is absent) */
  gatherSmaps: boolean;
  /** with gatherSmaps, 1: read smaps for this row (the tracker's refresh policy); absent: every row.
   *  A row not read gets pss 0 and no SMAPS_ERR. */
  readSmaps?: Uint8Array;
  /** read task/<tid>/io (only needed for the per-thread metrics, i.e. -threads) */
  threadIo: boolean;
  /** per row, 1: read schedstat (schedRun, schedSlices); 2: read it, and when it equals the row's
   *  schedPrev pair the process has not run since: status, io and wchan are left unread (HELD).
   *  Absent: no row reads it. */
  sched?: Uint8Array;
  /** with sched: [run ns, slices] as last read, two per row (NaN never equals) */
  schedPrev?: Float64Array;
  /** per row with wantThreads, threads that ran: 0 walks `task/` and reads every thread in full; 1 also
   *  reads each thread's schedstat (before its other files) and holds a known thread whose schedstat pair
   *  and stat state equal knownSched and knownState (ThreadFlag.HELD: status, io and wchan unread); 2 first
   *  reads the known threads' schedstat only, without listing `task/`, and when none moved holds the whole
   *  process (THREADS_HELD and HELD: no thread rows, status and io unread), else goes on as 1.
   *  Absent: 0 for every row. */
  threadHold?: Uint8Array;
  /** with threadHold: the threads the caller knows of row i are [knownStart[i], knownStart[i+1]) */
  knownStart?: Uint32Array;
  knownTid?: Int32Array;
  /** two per known thread: schedstat run ns and slices as last read (NaN never equals) */
  knownSched?: Float64Array;
  /** per known thread: its stat state as last read */
  knownState?: Uint8Array;
}

/** Bits of DetailColumns.flags. */
export const DetailFlag = {
  /** status unreadable or unparsable: a read error, the process is skipped this cycle */
  STATUS_ERR: 1 << 0,
  /** limits unreadable or unparsable (a table without a "Max open files" row gives limit 0, as procfs does) */
  LIMITS_ERR: 1 << 1,
  /** the rest are partial errors (at most one counted per process and cycle) */
  IO_ERR: 1 << 2,
  FD_ERR: 1 << 3,
  WCHAN_ERR: 1 << 4,
  SMAPS_ERR: 1 << 5,
  TASK_ERR: 1 << 6,
  /** cmdline unreadable at first sight: skipped silently, retried next cycle */
  CMDLINE_ERR: 1 << 7,
  /** the pid directory vanished during the read */
  GONE: 1 << 8,
  /** with STATUS_ERR / LIMITS_ERR: the file was read but a value in it does not parse. Its values are
   *  unknown for the cycle, the process stays (or is tracked, when new) and a partial error is counted. */
  STATUS_UNPARSABLE: 1 << 9,
  LIMITS_UNPARSABLE: 1 << 10,
  /** schedstat asked for but unreadable or unparsable: nothing is held, and no error is counted */
  SCHED_ERR: 1 << 11,
  /** the process has not run since the last read: status, io and wchan were not read (their columns
   *  are 0 and empty; the caller keeps what it read last) */
  HELD: 1 << 12,
  /** threadHold 2: no thread of the process ran since the last cycle (their schedstat read without listing
   *  `task/`): no thread rows; the caller keeps every thread's values, and HELD is set too */
  THREADS_HELD: 1 << 13,
} as const;

/** Bits of ThreadColumns.flags. */
export const ThreadFlag = {
  /** the thread has not run since the last read (threadHold): status, io and wchan were not read (their
   *  columns are 0 and empty; the caller keeps what it read last) */
  HELD: 1 << 0,
  /** schedstat asked for (threadHold) but unreadable or unparsable: schedRun and schedSlices are 0 */
  SCHED_ERR: 1 << 1,
  /** io asked for (threadIo) but unreadable or unparsable: read as 0, which is no error; never held */
  IO_ERR: 1 << 2,
  /** wchan unreadable: read as empty, which is no error; never held */
  WCHAN_ERR: 1 << 3,
} as const;

export const PARTIAL_ERROR_MASK =
  DetailFlag.IO_ERR | DetailFlag.FD_ERR | DetailFlag.WCHAN_ERR | DetailFlag.SMAPS_ERR | DetailFlag.TASK_ERR;

/** Phase 2, one row per requested process: row i answers request row i. */
export const DETAIL_COLUMNS = {
  flags: 'u16',
  /** effective uid, 2nd field of `Uid:` in status; 0 when the line is missing (docs/behaviour.md#differences-from-the-reference, HEAD); read as unsigned (>>> 0) */
  uid: 'i32',
  /** status voluntary_ctxt_switches / nonvoluntary_ctxt_switches (0 when missing) */
  ctxVol: 'f64',
  ctxNonvol: 'f64',
  /** status VmSwap in bytes (kB x 1024; 0 when missing) */
  swapBytes: 'f64',
  /** soft "Max open files"; `unlimited` = 2^64-1 */
  fdLimit: 'f64',
  /** io read_bytes / write_bytes; 0 with IO_ERR */
  readBytes: 'f64',
  writeBytes: 'f64',
  /** entries in fd/ (or st_size of fd/ on a real procfs); -1 with FD_ERR */
  fdOpen: 'f64',
  /** Pss and SwapPss in bytes; 0 with SMAPS_ERR or without gatherSmaps */
  pss: 'f64',
  swapPss: 'f64',
  /** schedstat fields 1 and 3: nanoseconds on a CPU, times switched in; 0 when not asked or with SCHED_ERR */
  schedRun: 'f64',
  schedSlices: 'f64',
  /** `<pid>/wchan` verbatim; empty with WCHAN_ERR. Read only for rows that end up with < 2 threads. */
  wchan: 'str',
  /** raw cmdline bytes (NUL separated) for wantStatic rows, empty otherwise */
  cmdline: 'str',
  /** raw cgroup file for wantStatic rows, empty otherwise (missing file: empty) */
  cgroup: 'str',
} as const satisfies ColumnSchema;

/** One row per thread of the processes whose `task/` was walked. */
export const THREAD_COLUMNS = {
  tid: 'i32',
  startTicks: 'f64',
  comm: 'str',
  state: 'u8',
  minflt: 'f64',
  majflt: 'f64',
  utime: 'f64',
  stime: 'f64',
  ctxVol: 'f64',
  ctxNonvol: 'f64',
  /** 0 when io is unreadable or not requested (threadIo false) */
  readBytes: 'f64',
  writeBytes: 'f64',
  /** verbatim, empty when unreadable */
  wchan: 'str',
  /** ThreadFlag bits */
  flags: 'u8',
  /** task/<tid>/schedstat fields 1 and 3 with threadHold; 0 otherwise */
  schedRun: 'f64',
  schedSlices: 'f64',
} as const satisfies ColumnSchema;
export type ThreadColumns = ColumnsOf<typeof THREAD_COLUMNS>;

/** Phase 2 result: the DETAIL_COLUMNS of each requested row, and the threads of the rows that asked for them. */
export type DetailColumns = ColumnsOf<typeof DETAIL_COLUMNS> & {
  /** Threads of the rows that asked for them; rows [threadStart[i], threadStart[i+1]) belong to row i.
   *  A row whose walk found fewer than 2 readable threads gets none (it counts as single-threaded). */
  threadStart: Uint32Array;
  threads: ThreadColumns;
};

/** Thrown by listProcs when the procfs root cannot be listed: the cycle fails (docs/behaviour.md#errors). */
export class ProcfsListError extends Error {}

export interface Scanner {
  /** which implementation: shown in the log and the build-info metric */
  readonly kind: 'native' | 'ts';
  /** `<procfs>/stat` btime, seconds since the epoch (0 when the line is absent). Throws on a bad root. */
  bootTime(): Promise<number>;
  /** List `<procfs>` and read every pid's stat. Throws ProcfsListError when the listing fails. */
  listProcs(): Promise<StatColumns>;
  readDetails(req: DetailRequest): Promise<DetailColumns>;
  /** Optional: the caller is done with columns this scanner returned; the reader may reuse their memory
   *  (they must not be read afterwards). */
  release?(cols: StatColumns | DetailColumns): void;
  close(): void;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Decode string i; invalid UTF-8 becomes U+FFFD (docs/behaviour.md differences #13). */
export function packedString(p: PackedStrings, i: number): string {
  const start = p.offsets[i];
  const end = p.offsets[i + 1];
  if (start === end) return '';
  return utf8.decode(p.bytes.subarray(start, end));
}

/** Raw bytes of string i (a view, not a copy). */
export function packedBytes(p: PackedStrings, i: number): Uint8Array {
  return p.bytes.subarray(p.offsets[i], p.offsets[i + 1]);
}
