// The synchronous half of the TypeScript /proc scanner: reads files with openSync/readSync/closeSync
// into one reusable buffer and builds columns for a contiguous slice of pids. It runs inside the
// reader's worker threads (ts-reader-worker.ts), or, when workers are unavailable, on the main thread
// in small chunks with setImmediate yields in between (ts-reader.ts). It never blocks anything but
// the thread it runs on, and it never uses a promise or the libuv thread pool: three syscalls per file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DetailColumns,
  DetailFlag,
  PackedStrings,
  PackedStringsBuilder,
  StatColumns,
  ThreadColumns,
} from './columns';
import { ParseError } from './parse/go';
import { parseIo } from './parse/io';
import { parseLimits } from './parse/limits';
import { parseSmaps, parseSmapsRollup } from './parse/smaps';
import { parseStat, ProcStat } from './parse/stat';
import { parseStatus } from './parse/status';

/** procfs's util.ReadFileNoStat reads at most 1 MiB. */
export const READ_LIMIT = 1024 * 1024;
export const NO_LIMIT = Number.MAX_SAFE_INTEGER;

const GO_ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error',
  ESRCH: 'no such process',
  EINVAL: 'invalid argument',
  EMFILE: 'too many open files',
};

/** The text Go's syscall.Errno.Error() gives for a Node fs error. */
export function goErrText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return (err.code && GO_ERRNO_TEXT[err.code]) || err.message;
}

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
        // as the callback close did: errors from close are ignored
      }
    }
  }
}

/** Directory entry names in the order the OS returns them (fs.readdirSync would sort them). */
export function listDirSync(p: string, bufferSize = 256): string[] {
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

function nonePacked(): PackedStrings {
  return { bytes: EMPTY, offsets: new Uint32Array(1) };
}

function push(b: PackedStringsBuilder, it: Uint8Array): void {
  if (it.length === 0) b.pushEmpty();
  else b.pushBytes(it);
}

/**
 * `path.join(root, name)` for names that are a pid (digits, perhaps a sign): path.join(root, 'x')
 * without its 'x' is the normalised root with its separator, and a pid never is '.' or '..'.
 */
export function pidDirPrefix(root: string): string {
  return path.join(root, 'x').slice(0, -1);
}

/** Reads `<root>/<pid>/stat` for every pid; rows whose stat is unreadable or unparsable are left out. */
export function readStats(r: SyncReader, root: string, pids: Int32Array): StatColumns {
  const prefix = pidDirPrefix(root);
  const n = pids.length;
  const pid = new Int32Array(n);
  const startTicks = new Float64Array(n);
  const ppid = new Int32Array(n);
  const state = new Uint8Array(n);
  const minflt = new Float64Array(n);
  const majflt = new Float64Array(n);
  const utime = new Float64Array(n);
  const stime = new Float64Array(n);
  const numThreads = new Int32Array(n);
  const vsize = new Float64Array(n);
  const rss = new Float64Array(n);
  const comm = new PackedStringsBuilder();
  let j = 0;
  for (let i = 0; i < n; i++) {
    let s: ProcStat;
    try {
      // the comm is a view into the read buffer: the builder copies it before the next read
      s = parseStat(r.read(prefix + String(pids[i]) + '/stat', READ_LIMIT, true), false);
    } catch {
      // Unreadable or unparsable stat: skipped silently (SPEC §6).
      continue;
    }
    pid[j] = pids[i];
    startTicks[j] = s.starttime;
    ppid[j] = s.ppid;
    state[j] = s.state;
    minflt[j] = s.minflt;
    majflt[j] = s.majflt;
    utime[j] = s.utime;
    stime[j] = s.stime;
    numThreads[j] = s.numThreads;
    vsize[j] = s.vsize;
    rss[j] = s.rss;
    push(comm, s.comm);
    j++;
  }
  const fit = <T extends { slice(a: number, b: number): T }>(a: T): T => (j === n ? a : a.slice(0, j));
  return {
    count: j,
    pid: fit(pid),
    startTicks: fit(startTicks),
    ppid: fit(ppid),
    state: fit(state),
    minflt: fit(minflt),
    majflt: fit(majflt),
    utime: fit(utime),
    stime: fit(stime),
    numThreads: fit(numThreads),
    vsize: fit(vsize),
    rss: fit(rss),
    comm: j === 0 ? nonePacked() : comm.build(),
  };
}

/** What a detail slice asks for (DetailRequest rows [from, to) plus the procfs facts). */
export interface DetailJob {
  root: string;
  /** statfs says procfs: st_size of fd/ is the fd count */
  real: boolean;
  pids: Int32Array;
  wantThreads: Uint8Array;
  wantStatic: Uint8Array;
  gatherSmaps: boolean;
  threadIo: boolean;
}

interface ThreadRow {
  tid: number;
  st: ProcStat;
  ctxVol: number;
  ctxNonvol: number;
  readBytes: number;
  writeBytes: number;
  wchan: Uint8Array;
}

/** Thread columns, grown as rows with threads are read. */
class ThreadSink {
  tid: number[] = [];
  startTicks: number[] = [];
  state: number[] = [];
  minflt: number[] = [];
  majflt: number[] = [];
  utime: number[] = [];
  stime: number[] = [];
  ctxVol: number[] = [];
  ctxNonvol: number[] = [];
  readBytes: number[] = [];
  writeBytes: number[] = [];
  comm = new PackedStringsBuilder();
  wchan = new PackedStringsBuilder();

  get count(): number {
    return this.tid.length;
  }

  add(th: ThreadRow): void {
    this.tid.push(th.tid);
    this.startTicks.push(th.st.starttime);
    this.state.push(th.st.state);
    this.minflt.push(th.st.minflt);
    this.majflt.push(th.st.majflt);
    this.utime.push(th.st.utime);
    this.stime.push(th.st.stime);
    this.ctxVol.push(th.ctxVol);
    this.ctxNonvol.push(th.ctxNonvol);
    this.readBytes.push(th.readBytes);
    this.writeBytes.push(th.writeBytes);
    push(this.comm, th.st.comm);
    push(this.wchan, th.wchan);
  }

  build(): ThreadColumns {
    const n = this.count;
    return {
      count: n,
      tid: Int32Array.from(this.tid),
      startTicks: Float64Array.from(this.startTicks),
      comm: n === 0 ? nonePacked() : this.comm.build(),
      state: Uint8Array.from(this.state),
      minflt: Float64Array.from(this.minflt),
      majflt: Float64Array.from(this.majflt),
      utime: Float64Array.from(this.utime),
      stime: Float64Array.from(this.stime),
      ctxVol: Float64Array.from(this.ctxVol),
      ctxNonvol: Float64Array.from(this.ctxNonvol),
      readBytes: Float64Array.from(this.readBytes),
      writeBytes: Float64Array.from(this.writeBytes),
      wchan: n === 0 ? nonePacked() : this.wchan.build(),
    };
  }
}

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

function readThreads(r: SyncReader, dir: string, threadIo: boolean): ThreadRow[] {
  const taskDir = dir + '/task';
  const names = listDirSync(taskDir);
  const out: ThreadRow[] = [];
  for (const name of names) {
    const tid = parsePidName(name);
    if (tid === null) continue;
    const tdir = taskDir + '/' + String(tid);
    let st: ProcStat;
    let ctxVol: number;
    let ctxNonvol: number;
    try {
      st = parseStat(r.read(tdir + '/stat', READ_LIMIT, true), true);
      const s = parseStatus(r.read(tdir + '/status', READ_LIMIT, true));
      ctxVol = s.ctxVol;
      ctxNonvol = s.ctxNonvol;
    } catch {
      // A thread whose stat or status cannot be read is skipped (SPEC §5.7).
      continue;
    }
    let readBytes = 0;
    let writeBytes = 0;
    if (threadIo) {
      try {
        const io = parseIo(r.read(tdir + '/io', READ_LIMIT, true));
        readBytes = io.readBytes;
        writeBytes = io.writeBytes;
      } catch {
        // Unreadable thread io is zero and not an error.
      }
    }
    let wchan: Uint8Array = EMPTY;
    try {
      wchan = new Uint8Array(r.read(tdir + '/wchan', NO_LIMIT, true));
    } catch {
      // Unreadable thread wchan is empty.
    }
    out.push({ tid, st, ctxVol, ctxNonvol, readBytes, writeBytes, wchan });
  }
  return out;
}

/** Reads the details of every row of the job; row i of the result answers job row i. */
export function readDetailsSync(r: SyncReader, job: DetailJob): DetailColumns {
  const n = job.pids.length;
  const flags = new Uint16Array(n);
  const uid = new Int32Array(n);
  const ctxVol = new Float64Array(n);
  const ctxNonvol = new Float64Array(n);
  const swapBytes = new Float64Array(n);
  const fdLimit = new Float64Array(n);
  const readBytes = new Float64Array(n);
  const writeBytes = new Float64Array(n);
  const fdOpen = new Float64Array(n);
  const pss = new Float64Array(n);
  const swapPss = new Float64Array(n);
  const wchanB = new PackedStringsBuilder();
  const cmdlineB = new PackedStringsBuilder();
  const cgroupB = new PackedStringsBuilder();
  const threadStart = new Uint32Array(n + 1);
  const threads = new ThreadSink();
  const { real, gatherSmaps, threadIo } = job;
  const prefix = pidDirPrefix(job.root);

  for (let i = 0; i < n; i++) {
    const dir = prefix + String(job.pids[i]);
    let f = 0;
    fdOpen[i] = -1;
    // wchan is a view into the read buffer (nothing is read after it); cmdline and cgroup are copies
    let wchan: Uint8Array = EMPTY;
    let cmdline: Uint8Array = EMPTY;
    let cgroup: Uint8Array = EMPTY;
    let rowThreads: ThreadRow[] | null = null;
    try {
      try {
        const st = parseStatus(r.read(dir + '/status', READ_LIMIT, true));
        uid[i] = st.uid;
        ctxVol[i] = st.ctxVol;
        ctxNonvol[i] = st.ctxNonvol;
        swapBytes[i] = st.swapBytes;
      } catch (e) {
        vanished(e, dir);
        f |= e instanceof ParseError ? DetailFlag.STATUS_ERR | DetailFlag.STATUS_UNPARSABLE : DetailFlag.STATUS_ERR;
      }
      try {
        fdLimit[i] = parseLimits(r.read(dir + '/limits', NO_LIMIT, true)).openFilesSoft;
      } catch (e) {
        vanished(e, dir);
        f |= e instanceof ParseError ? DetailFlag.LIMITS_ERR | DetailFlag.LIMITS_UNPARSABLE : DetailFlag.LIMITS_ERR;
      }
      try {
        const io = parseIo(r.read(dir + '/io', READ_LIMIT, true));
        readBytes[i] = io.readBytes;
        writeBytes[i] = io.writeBytes;
      } catch (e) {
        vanished(e, dir);
        f |= DetailFlag.IO_ERR;
      }
      try {
        fdOpen[i] = countFds(dir + '/fd', real);
      } catch (e) {
        vanished(e, dir);
        f |= DetailFlag.FD_ERR;
        fdOpen[i] = -1;
      }
      if (gatherSmaps) {
        try {
          let sm;
          try {
            sm = parseSmapsRollup(r.read(dir + '/smaps_rollup', READ_LIMIT, true));
          } catch (e) {
            // Only a missing smaps_rollup (kernel < 4.15) falls back to summing smaps.
            if (!(e instanceof OpError && e.op === 'open' && e.code === 'ENOENT')) throw e;
            sm = parseSmaps(r.read(dir + '/smaps', NO_LIMIT));
          }
          pss[i] = sm.pss;
          swapPss[i] = sm.swapPss;
        } catch (e) {
          vanished(e, dir);
          f |= DetailFlag.SMAPS_ERR;
        }
      }
      if (job.wantStatic[i]) {
        try {
          cmdline = new Uint8Array(r.read(dir + '/cmdline'));
        } catch (e) {
          vanished(e, dir);
          f |= DetailFlag.CMDLINE_ERR;
        }
        try {
          cgroup = new Uint8Array(r.read(dir + '/cgroup'));
        } catch (e) {
          // A missing cgroup file reads as empty, as the reference does.
          vanished(e, dir);
        }
      }
      if (job.wantThreads[i]) {
        let ths: ThreadRow[] | null = null;
        try {
          ths = readThreads(r, dir, threadIo);
        } catch (e) {
          vanished(e, dir);
          f |= DetailFlag.TASK_ERR;
        }
        if (ths && ths.length >= 2) rowThreads = ths;
      }
      if (rowThreads === null) {
        try {
          wchan = r.read(dir + '/wchan', NO_LIMIT, true);
        } catch (e) {
          vanished(e, dir);
          f |= DetailFlag.WCHAN_ERR;
        }
      }
    } catch (e) {
      if (!(e instanceof Gone)) throw e;
      f |= DetailFlag.GONE;
      rowThreads = null;
    }
    flags[i] = f;
    push(wchanB, wchan);
    push(cmdlineB, cmdline);
    push(cgroupB, cgroup);
    threadStart[i] = threads.count;
    if (rowThreads) for (const th of rowThreads) threads.add(th);
  }
  threadStart[n] = threads.count;
  return {
    count: n,
    flags,
    uid,
    ctxVol,
    ctxNonvol,
    swapBytes,
    fdLimit,
    readBytes,
    writeBytes,
    fdOpen,
    pss,
    swapPss,
    wchan: packedOrNone(wchanB, n),
    cmdline: packedOrNone(cmdlineB, n),
    cgroup: packedOrNone(cgroupB, n),
    threadStart,
    threads: threads.build(),
  };
}

function packedOrNone(b: PackedStringsBuilder, n: number): PackedStrings {
  return n === 0 ? nonePacked() : b.build();
}

// ---------------------------------------------------------------- joining slices

function catNum<T extends Int32Array | Float64Array | Uint8Array | Uint16Array>(
  parts: T[],
  make: (n: number) => T,
): T {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = make(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function catPacked(parts: PackedStrings[]): PackedStrings {
  let nb = 0;
  let ns = 0;
  for (const p of parts) {
    nb += p.bytes.length;
    ns += p.offsets.length - 1;
  }
  const bytes = new Uint8Array(nb);
  const offsets = new Uint32Array(ns + 1);
  let bo = 0;
  let so = 0;
  for (const p of parts) {
    bytes.set(p.bytes, bo);
    const m = p.offsets.length - 1;
    for (let k = 1; k <= m; k++) offsets[so + k] = p.offsets[k] + bo;
    bo += p.bytes.length;
    so += m;
  }
  return nb === 0 ? { bytes: EMPTY, offsets } : { bytes, offsets };
}

const i32 = (n: number) => new Int32Array(n);
const f64 = (n: number) => new Float64Array(n);
const u8 = (n: number) => new Uint8Array(n);
const u16 = (n: number) => new Uint16Array(n);

/** Stat columns of consecutive slices, joined in order. */
export function catStats(parts: StatColumns[]): StatColumns {
  if (parts.length === 1) return parts[0];
  const pick = <K extends keyof StatColumns>(k: K) => parts.map((p) => p[k]);
  let count = 0;
  for (const p of parts) count += p.count;
  return {
    count,
    pid: catNum(pick('pid') as Int32Array[], i32),
    startTicks: catNum(pick('startTicks') as Float64Array[], f64),
    ppid: catNum(pick('ppid') as Int32Array[], i32),
    state: catNum(pick('state') as Uint8Array[], u8),
    minflt: catNum(pick('minflt') as Float64Array[], f64),
    majflt: catNum(pick('majflt') as Float64Array[], f64),
    utime: catNum(pick('utime') as Float64Array[], f64),
    stime: catNum(pick('stime') as Float64Array[], f64),
    numThreads: catNum(pick('numThreads') as Int32Array[], i32),
    vsize: catNum(pick('vsize') as Float64Array[], f64),
    rss: catNum(pick('rss') as Float64Array[], f64),
    comm: catPacked(pick('comm') as PackedStrings[]),
  };
}

function catThreads(parts: ThreadColumns[]): ThreadColumns {
  const pick = <K extends keyof ThreadColumns>(k: K) => parts.map((p) => p[k]);
  let count = 0;
  for (const p of parts) count += p.count;
  return {
    count,
    tid: catNum(pick('tid') as Int32Array[], i32),
    startTicks: catNum(pick('startTicks') as Float64Array[], f64),
    comm: catPacked(pick('comm') as PackedStrings[]),
    state: catNum(pick('state') as Uint8Array[], u8),
    minflt: catNum(pick('minflt') as Float64Array[], f64),
    majflt: catNum(pick('majflt') as Float64Array[], f64),
    utime: catNum(pick('utime') as Float64Array[], f64),
    stime: catNum(pick('stime') as Float64Array[], f64),
    ctxVol: catNum(pick('ctxVol') as Float64Array[], f64),
    ctxNonvol: catNum(pick('ctxNonvol') as Float64Array[], f64),
    readBytes: catNum(pick('readBytes') as Float64Array[], f64),
    writeBytes: catNum(pick('writeBytes') as Float64Array[], f64),
    wchan: catPacked(pick('wchan') as PackedStrings[]),
  };
}

/** Detail columns of consecutive slices of one request, joined in order. */
export function catDetails(parts: DetailColumns[]): DetailColumns {
  if (parts.length === 1) return parts[0];
  const pick = <K extends keyof DetailColumns>(k: K) => parts.map((p) => p[k]);
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
    count,
    flags: catNum(pick('flags') as Uint16Array[], u16),
    uid: catNum(pick('uid') as Int32Array[], i32),
    ctxVol: catNum(pick('ctxVol') as Float64Array[], f64),
    ctxNonvol: catNum(pick('ctxNonvol') as Float64Array[], f64),
    swapBytes: catNum(pick('swapBytes') as Float64Array[], f64),
    fdLimit: catNum(pick('fdLimit') as Float64Array[], f64),
    readBytes: catNum(pick('readBytes') as Float64Array[], f64),
    writeBytes: catNum(pick('writeBytes') as Float64Array[], f64),
    fdOpen: catNum(pick('fdOpen') as Float64Array[], f64),
    pss: catNum(pick('pss') as Float64Array[], f64),
    swapPss: catNum(pick('swapPss') as Float64Array[], f64),
    wchan: catPacked(pick('wchan') as PackedStrings[]),
    cmdline: catPacked(pick('cmdline') as PackedStrings[]),
    cgroup: catPacked(pick('cgroup') as PackedStrings[]),
    threadStart,
    threads: catThreads(parts.map((p) => p.threads)),
  };
}

/** Every typed array's buffer in a column set, for a postMessage transfer list (each once). */
export function transferables(x: unknown, out: Set<ArrayBuffer> = new Set()): ArrayBuffer[] {
  const walk = (v: unknown): void => {
    if (ArrayBuffer.isView(v)) {
      const b = v.buffer;
      // only buffers the view owns entirely (a shared EMPTY or a pooled buffer must not move)
      if (b instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === b.byteLength && b.byteLength > 0) out.add(b);
      return;
    }
    if (v && typeof v === 'object') for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k]);
  };
  walk(x);
  return [...out];
}
