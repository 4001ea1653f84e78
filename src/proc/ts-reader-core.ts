// The synchronous half of the TypeScript /proc scanner: reads files with openSync/readSync/closeSync
// into one reusable buffer and builds columns for a contiguous slice of pids. It runs inside the
// reader's worker threads (ts-reader-worker.ts), or, when workers are unavailable, on the main thread
// in small chunks with setImmediate yields in between (ts-reader.ts). It never blocks anything but
// the thread it runs on, and it never uses a promise or the libuv thread pool: three syscalls per file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { goErrText } from '../go/errno';
import { ColumnsBuilder, catColumns, emptyRow } from './column-set';
import { DETAIL_COLUMNS, DetailColumns, DetailFlag, DetailRequest, RowOf, STAT_COLUMNS, StatColumns, THREAD_COLUMNS, ThreadFlag } from './columns';
import { ParseError } from './parse/go';
import { parseIo } from './parse/io';
import { parseLimits } from './parse/limits';
import { parseSchedstat } from './parse/schedstat';
import { parseSmaps, parseSmapsRollup } from './parse/smaps';
import { parseStat, ProcStat } from './parse/stat';
import { parseStatus } from './parse/status';

/** procfs's util.ReadFileNoStat reads at most 1 MiB. */
const READ_LIMIT = 1024 * 1024;
export const NO_LIMIT = Number.MAX_SAFE_INTEGER;

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** An error that happened in a syscall, tagged with the operation, for Go-style messages. */
export class OpError extends Error {
  constructor(
    readonly op: 'open' | 'read',
    readonly file: string,
    readonly errno: NodeJS.ErrnoException,
  ) {
    super(`${op} ${file}: ${goErrText(errno)}`);
  }
  get code(): string | undefined {
    return this.errno.code;
  }
}

/** Go strconv.ParseInt(name, 10, 64): a sign is allowed, leading zeros too ("007" is pid 7). */
export function parsePidName(name: string): number | null {
  if (!/^[+-]?[0-9]+$/.test(name)) return null;
  const v = Number(name);
  // Our columns are Int32; Go accepts any int64 but no such pid can exist on Linux.
  if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) return null;
  return v === 0 ? 0 : v; // normalises -0
}

/** Per-thread reader state: one growable read buffer, reused for every file. */
export class SyncReader {
  // A Uint8Array of our own (not a pooled Buffer), wrapped once as a Buffer for the parsers.
  private buf: Buffer = Buffer.from(new ArrayBuffer(16 * 1024));

  /**
   * Reads a whole file (up to `limit` bytes) into the shared buffer; the view is valid until the next read.
   * `oneRecord`: the file is a single seq_file record (stat, status, io, limits, wchan, smaps_rollup),
   * so a short read is the end and the extra read() that would return 0 is skipped.
   */
  read(p: string, limit = READ_LIMIT, oneRecord = false): Buffer {
    let fd: number;
    try {
      fd = fs.openSync(p, fs.constants.O_RDONLY);
    } catch (e) {
      throw new OpError('open', p, e as NodeJS.ErrnoException);
    }
    try {
      let off = 0;
      for (;;) {
        if (off === this.buf.length) {
          if (off >= limit) break;
          const nb = Buffer.from(new ArrayBuffer(Math.min(this.buf.length * 2, limit)));
          this.buf.copy(nb, 0, 0, off);
          this.buf = nb;
        }
        const asked = Math.min(this.buf.length, limit) - off;
        let n: number;
        try {
          n = fs.readSync(fd, this.buf, off, asked, null);
        } catch (e) {
          throw new OpError('read', p, e as NodeJS.ErrnoException);
        }
        if (n === 0) break;
        off += n;
        if (oneRecord && n < asked) break;
      }
      return this.buf.subarray(0, off);
    } finally {
      try {
        fs.closeSync(fd);
      } catch {
        // the whole file has been read by now: an error from close() changes nothing
      }
    }
  }
}

/** Directory entry names in the order the OS returns them (fs.readdirSync would sort them). */
function listDirSync(p: string, bufferSize = 256): string[] {
  const dir = fs.opendirSync(p, { bufferSize });
  const names: string[] = [];
  try {
    for (;;) {
      const d = dir.readSync();
      if (d === null) break;
      names.push(d.name);
    }
  } finally {
    dir.closeSync();
  }
  return names;
}

/** Attempts at listing the procfs root before falling back to a listing without entry types. */
const LIST_ATTEMPTS = 3;

/**
 * The procfs root's entries, in listing order, while processes come and go. The kernel reports an entry
 * whose process exited mid-listing with an unknown type, Node's Dir then lstat()s it and throws ENOENT
 * for the whole batch. Such a listing is retried; after LIST_ATTEMPTS, readdir without types (sorted by
 * name, no lstat) gives the names. Only a root that cannot be listed at all throws.
 */
export function listProcfsRootSync(root: string, bufferSize = 1024): string[] {
  for (let attempt = 1; ; attempt++) {
    try {
      return listDirSync(root, bufferSize);
    } catch (e) {
      if (code(e) !== 'ENOENT' || (e as NodeJS.ErrnoException).path === root || !fs.existsSync(root)) throw e;
      if (attempt >= LIST_ATTEMPTS) return fs.readdirSync(root);
    }
  }
}

/** The pids of a listing, in listing order. */
export function pidsOf(names: string[]): Int32Array {
  const out = new Int32Array(names.length);
  let k = 0;
  for (const n of names) {
    const pid = parsePidName(n);
    if (pid !== null) out[k++] = pid;
  }
  return out.slice(0, k);
}

const EMPTY = new Uint8Array(0);

/**
 * `path.join(root, name)` for names that are a pid (digits, perhaps a sign): path.join(root, 'x')
 * without its 'x' is the normalised root with its separator, and a pid never is '.' or '..'.
 */
function pidDirPrefix(root: string): string {
  return path.join(root, 'x').slice(0, -1);
}

/** Reads `<root>/<pid>/stat` for every pid; rows whose stat is unreadable or unparsable are left out. */
export function readStats(r: SyncReader, root: string, pids: Int32Array): StatColumns {
  const prefix = pidDirPrefix(root);
  const out = new ColumnsBuilder(STAT_COLUMNS, pids.length);
  for (const pid of pids) {
    let s: ProcStat;
    try {
      // the comm is a view into the read buffer: the builder copies it before the next read
      s = parseStat(r.read(prefix + String(pid) + '/stat', READ_LIMIT, true), false);
    } catch {
      // Unreadable or unparsable stat: skipped silently (docs/behaviour.md#errors).
      continue;
    }
    out.push({
      pid,
      startTicks: s.starttime,
      ppid: s.ppid,
      state: s.state,
      minflt: s.minflt,
      majflt: s.majflt,
      utime: s.utime,
      stime: s.stime,
      numThreads: s.numThreads,
      vsize: s.vsize,
      rss: s.rss,
      comm: s.comm,
    });
  }
  return out.build();
}

/** What a detail slice asks for (DetailRequest rows [from, to) plus the procfs facts). */
/** A detail request as a reader's worker gets it: the rows of one slice, and where to read them. */
export interface DetailJob extends DetailRequest {
  root: string;
  /** statfs says procfs: st_size of fd/ is the fd count */
  real: boolean;
}

type ThreadRow = RowOf<typeof THREAD_COLUMNS>;

/** Thrown inside a row's read when its pid directory has vanished. */
class Gone extends Error {}

/** A failed read is only "gone" when the pid directory itself has disappeared. */
function vanished(e: unknown, dir: string): void {
  const c = code(e instanceof OpError ? e.errno : e);
  if (c !== 'ENOENT' && c !== 'ESRCH') return;
  let missing = false;
  try {
    fs.statSync(dir);
  } catch (se) {
    missing = code(se) === 'ENOENT';
  }
  if (missing) throw new Gone();
}

function countFds(fdDir: string, real: boolean): number {
  if (real) {
    // Linux >= 6.2 reports the number of open fds as the size of the fd dir.
    const st = fs.statSync(fdDir);
    if (st.size > 0) return st.size;
  }
  return fs.readdirSync(fdDir).length;
}

/** The threads a request knows of one row (DetailRequest.threadHold), and the schedstat pairs read
 *  before the walk (NaN: not read). */
interface Known {
  job: DetailJob;
  from: number;
  to: number;
  pre: Float64Array;
}

/** The index of tid among the known threads, or -1; listings come in the same order cycle after cycle. */
function findKnown(k: Known, tid: number, hint: { at: number }): number {
  const n = k.to - k.from;
  const tids = k.job.knownTid!;
  for (let step = 0; step < n; step++) {
    const j = hint.at + step < n ? hint.at + step : hint.at + step - n;
    if (tids[k.from + j] === tid) {
      hint.at = j + 1 < n ? j + 1 : 0;
      return j;
    }
  }
  return -1;
}

function readThreads(r: SyncReader, dir: string, threadIo: boolean, known: Known | null): ThreadRow[] {
  const taskDir = dir + '/task';
  const names = listDirSync(taskDir);
  const out: ThreadRow[] = [];
  const hint = { at: 0 };
  for (const name of names) {
    const tid = parsePidName(name);
    if (tid === null) continue;
    const tdir = taskDir + '/' + String(tid);
    let flags = 0;
    let schedRun = 0;
    let schedSlices = 0;
    // schedstat before every other file of the thread: what it ran after this read shows next cycle
    const k = known === null ? -1 : findKnown(known, tid, hint);
    if (known !== null) {
      if (k >= 0 && known.pre[2 * k] === known.pre[2 * k]) {
        schedRun = known.pre[2 * k];
        schedSlices = known.pre[2 * k + 1];
      } else {
        try {
          const ss = parseSchedstat(r.read(tdir + '/schedstat', READ_LIMIT, true));
          schedRun = ss.runNs;
          schedSlices = ss.slices;
        } catch {
          // (a thread that exited since the listing: its stat fails below and it is skipped)
          flags |= ThreadFlag.SCHED_ERR;
        }
      }
    }
    let st: ProcStat;
    try {
      st = parseStat(r.read(tdir + '/stat', READ_LIMIT, true), true);
    } catch {
      // A thread whose stat or status cannot be read is skipped (docs/behaviour.md#threads).
      continue;
    }
    const job = known?.job;
    const held =
      k >= 0 &&
      !(flags & ThreadFlag.SCHED_ERR) &&
      schedRun === job!.knownSched![2 * (known!.from + k)] &&
      schedSlices === job!.knownSched![2 * (known!.from + k) + 1] &&
      st.state === job!.knownState![known!.from + k];
    let ctxVol = 0;
    let ctxNonvol = 0;
    let readBytes = 0;
    let writeBytes = 0;
    let wchan: Uint8Array = EMPTY;
    if (held) flags |= ThreadFlag.HELD;
    else {
      try {
        const s = parseStatus(r.read(tdir + '/status', READ_LIMIT, true));
        ctxVol = s.ctxVol;
        ctxNonvol = s.ctxNonvol;
      } catch {
        continue;
      }
      if (threadIo) {
        try {
          const io = parseIo(r.read(tdir + '/io', READ_LIMIT, true));
          readBytes = io.readBytes;
          writeBytes = io.writeBytes;
        } catch {
          // Unreadable thread io is zero and not an error.
          readBytes = writeBytes = 0;
          flags |= ThreadFlag.IO_ERR;
        }
      }
      try {
        wchan = new Uint8Array(r.read(tdir + '/wchan', NO_LIMIT, true));
      } catch {
        // Unreadable thread wchan is empty.
        flags |= ThreadFlag.WCHAN_ERR;
      }
    }
    out.push({
      tid,
      startTicks: st.starttime,
      comm: st.comm,
      state: st.state,
      minflt: st.minflt,
      majflt: st.majflt,
      utime: st.utime,
      stime: st.stime,
      ctxVol,
      ctxNonvol,
      readBytes,
      writeBytes,
      wchan,
      flags,
      schedRun,
      schedSlices,
    });
  }
  return out;
}

/**
 * threadHold 2: reads the schedstat of each known thread of row i (no listing of task/) into pre. True when
 * every one was read and equals its pair of the last cycle: no thread ran or exited, so none was created.
 * Stops at the first that moved (native/details.cc no_thread_ran).
 */
function noThreadRan(r: SyncReader, job: DetailJob, i: number, dir: string, pre: Float64Array): boolean {
  const from = job.knownStart![i];
  const to = job.knownStart![i + 1];
  if (to - from < 2) return false;
  for (let k = from; k < to; k++) {
    let ss;
    try {
      ss = parseSchedstat(r.read(dir + '/task/' + String(job.knownTid![k]) + '/schedstat', READ_LIMIT, true));
    } catch {
      return false;
    }
    pre[2 * (k - from)] = ss.runNs;
    pre[2 * (k - from) + 1] = ss.slices;
    if (ss.runNs !== job.knownSched![2 * k] || ss.slices !== job.knownSched![2 * k + 1]) return false;
  }
  return true;
}

type DetailRow = RowOf<typeof DETAIL_COLUMNS>;

/**
 * Reads one process's files into `row`, in the order and with the flags the native scanner uses
 * (native/details.cc read_row), so both readers agree row by row even when a process exits half way:
 * values read before it vanished stay, GONE ends the row. Returns the row's threads, or null when
 * it counts as single-threaded.
 */
function readRow(r: SyncReader, job: DetailJob, i: number, dir: string, row: DetailRow): ThreadRow[] | null {
  // One file's read: a failure sets `flag` (and `unparsable` when the file was read but a value in it
  // could not be parsed), or ends the row (Gone) when the pid directory has vanished.
  const attempt = (flag: number, read: () => void, unparsable = 0): void => {
    try {
      read();
    } catch (e) {
      vanished(e, dir);
      row.flags |= e instanceof ParseError ? flag | unparsable : flag;
    }
  };
  let threads: ThreadRow[] | null = null;
  // schedstat first: a process that has not been on a CPU since the last read cannot have changed its
  // status, io or wchan (docs/performance.md)
  let held = false;
  const sched = job.sched?.[i] ?? 0;
  if (sched) {
    attempt(DetailFlag.SCHED_ERR, () => {
      const ss = parseSchedstat(r.read(dir + '/schedstat', READ_LIMIT, true));
      row.schedRun = ss.runNs;
      row.schedSlices = ss.slices;
      held = sched === 2 && ss.runNs === job.schedPrev![2 * i] && ss.slices === job.schedPrev![2 * i + 1];
    });
  }
  // a multi-threaded process of which no thread ran: its status and io (and its threads) as last cycle
  const threadHold = job.wantThreads[i] ? (job.threadHold?.[i] ?? 0) : 0;
  let known: Known | null = null;
  if (threadHold) {
    const from = job.knownStart![i];
    const to = job.knownStart![i + 1];
    known = { job, from, to, pre: new Float64Array(2 * (to - from)).fill(NaN) };
    if (threadHold === 2 && noThreadRan(r, job, i, dir, known.pre)) {
      held = true;
      row.flags |= DetailFlag.THREADS_HELD;
    }
  }
  if (held) row.flags |= DetailFlag.HELD;
  if (!held) {
    attempt(DetailFlag.STATUS_ERR, () => {
      const st = parseStatus(r.read(dir + '/status', READ_LIMIT, true));
      row.uid = st.uid;
      row.ctxVol = st.ctxVol;
      row.ctxNonvol = st.ctxNonvol;
      row.swapBytes = st.swapBytes;
    }, DetailFlag.STATUS_UNPARSABLE);
  }
  attempt(DetailFlag.LIMITS_ERR, () => {
    row.fdLimit = parseLimits(r.read(dir + '/limits', NO_LIMIT, true)).openFilesSoft;
  }, DetailFlag.LIMITS_UNPARSABLE);
  if (!held) {
    attempt(DetailFlag.IO_ERR, () => {
      const io = parseIo(r.read(dir + '/io', READ_LIMIT, true));
      row.readBytes = io.readBytes;
      row.writeBytes = io.writeBytes;
    });
  }
  attempt(DetailFlag.FD_ERR, () => {
    row.fdOpen = countFds(dir + '/fd', job.real);
  });
  if (job.gatherSmaps && (job.readSmaps === undefined || job.readSmaps[i])) {
    attempt(DetailFlag.SMAPS_ERR, () => {
      let sm;
      try {
        sm = parseSmapsRollup(r.read(dir + '/smaps_rollup', READ_LIMIT, true));
      } catch (e) {
        // Only a missing smaps_rollup (kernel < 4.15) falls back to summing smaps.
        if (!(e instanceof OpError && e.op === 'open' && e.code === 'ENOENT')) throw e;
        sm = parseSmaps(r.read(dir + '/smaps', NO_LIMIT));
      }
      row.pss = sm.pss;
      row.swapPss = sm.swapPss;
    });
  }
  if (job.wantStatic[i]) {
    attempt(DetailFlag.CMDLINE_ERR, () => {
      row.cmdline = new Uint8Array(r.read(dir + '/cmdline'));
    });
    // A missing cgroup file reads as empty, as the reference does.
    attempt(0, () => {
      row.cgroup = new Uint8Array(r.read(dir + '/cgroup'));
    });
  }
  if (job.wantThreads[i] && !(row.flags & DetailFlag.THREADS_HELD)) {
    attempt(DetailFlag.TASK_ERR, () => {
      const ths = readThreads(r, dir, job.threadIo, known);
      if (ths.length >= 2) threads = ths;
    });
  }
  if (threads === null && !held) {
    // a view into the read buffer: the builder copies it before the next read
    attempt(DetailFlag.WCHAN_ERR, () => {
      row.wchan = r.read(dir + '/wchan', NO_LIMIT, true);
    });
  }
  return threads;
}

/** Reads the details of every row of the job; row i of the result answers job row i. */
export function readDetailsSync(r: SyncReader, job: DetailJob): DetailColumns {
  const n = job.pids.length;
  const rows = new ColumnsBuilder(DETAIL_COLUMNS, n);
  const threads = new ColumnsBuilder(THREAD_COLUMNS);
  const threadStart = new Uint32Array(n + 1);
  const prefix = pidDirPrefix(job.root);
  for (let i = 0; i < n; i++) {
    const dir = prefix + String(job.pids[i]);
    const row = emptyRow(DETAIL_COLUMNS);
    row.fdOpen = -1;
    let rowThreads: ThreadRow[] | null = null;
    try {
      rowThreads = readRow(r, job, i, dir, row);
    } catch (e) {
      if (!(e instanceof Gone)) throw e;
      row.flags |= DetailFlag.GONE;
    }
    rows.push(row);
    threadStart[i] = threads.count;
    if (rowThreads) for (const th of rowThreads) threads.push(th);
  }
  threadStart[n] = threads.count;
  return { ...rows.build(), threadStart, threads: threads.build() };
}

// ---------------------------------------------------------------- joining slices

/** Stat columns of consecutive slices, joined in order. */
export function catStats(parts: StatColumns[]): StatColumns {
  return parts.length === 1 ? parts[0] : catColumns(STAT_COLUMNS, parts);
}

/** Detail columns of consecutive slices of one request, joined in order. */
export function catDetails(parts: DetailColumns[]): DetailColumns {
  if (parts.length === 1) return parts[0];
  let count = 0;
  for (const p of parts) count += p.count;
  const threadStart = new Uint32Array(count + 1);
  let row = 0;
  let base = 0;
  for (const p of parts) {
    for (let k = 0; k < p.count; k++) threadStart[row + k] = p.threadStart[k] + base;
    row += p.count;
    base += p.threads.count;
  }
  threadStart[count] = base;
  return {
    ...catColumns(DETAIL_COLUMNS, parts),
    threadStart,
    threads: catColumns(
      THREAD_COLUMNS,
      parts.map((p) => p.threads),
    ),
  };
}
