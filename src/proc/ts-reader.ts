// The TypeScript /proc scanner: the fallback when the native scanner is not built. It reads with the
// callback fs API through a small pool of workers (bounded concurrency, one reusable buffer per
// worker) so the event loop is never blocked, and parses with the procfs-v0.14-compatible parsers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DetailColumns,
  DetailFlag,
  DetailRequest,
  PackedStrings,
  PackedStringsBuilder,
  ProcfsListError,
  Scanner,
  StatColumns,
  ThreadColumns,
} from './columns';
import { parseIo } from './parse/io';
import { parseLimits } from './parse/limits';
import { parseSmaps, parseSmapsRollup } from './parse/smaps';
import { parseStat, parseSystemStat, ProcStat } from './parse/stat';
import { parseStatus } from './parse/status';

export interface TsScannerOptions {
  procfs: string;
  /** reads in flight at once (default 64) */
  concurrency?: number;
}

/** statfs f_type of a real procfs mount (PROC_SUPER_MAGIC). */
const PROC_SUPER_MAGIC = 0x9fa0;
/** procfs's util.ReadFileNoStat reads at most 1 MiB. */
const READ_LIMIT = 1024 * 1024;
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

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
function goErrText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return (err.code && GO_ERRNO_TEXT[err.code]) || err.message;
}

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

// An error that happened in a syscall, tagged with the operation, for Go-style messages.
class OpError extends Error {
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

function openP(p: string): Promise<number> {
  return new Promise((resolve, reject) => fs.open(p, 'r', (e, fd) => (e ? reject(e) : resolve(fd))));
}

function readP(fd: number, buf: Buffer, off: number, len: number): Promise<number> {
  return new Promise((resolve, reject) =>
    fs.read(fd, buf, off, len, null, (e, n) => (e ? reject(e) : resolve(n))),
  );
}

function closeP(fd: number): Promise<void> {
  return new Promise((resolve) => fs.close(fd, () => resolve()));
}

/** Per-worker state: one growable read buffer, reused for every file. */
class Ctx {
  buf = Buffer.allocUnsafe(16 * 1024);

  /**
   * Reads a whole file (up to `limit` bytes) into the shared buffer; the view is valid until the next read.
   * `oneRecord`: the file is a single seq_file record (stat, status, io, limits, wchan, smaps_rollup),
   * so a short read is the end and the extra read() that would return 0 is skipped.
   */
  async read(p: string, limit = READ_LIMIT, oneRecord = false): Promise<Buffer> {
    let fd: number;
    try {
      fd = await openP(p);
    } catch (e) {
      throw new OpError('open', p, e as NodeJS.ErrnoException);
    }
    try {
      let off = 0;
      for (;;) {
        if (off === this.buf.length) {
          if (off >= limit) break;
          const nb = Buffer.allocUnsafe(Math.min(this.buf.length * 2, limit));
          this.buf.copy(nb, 0, 0, off);
          this.buf = nb;
        }
        let n: number;
        try {
          n = await readP(fd, this.buf, off, Math.min(this.buf.length, limit) - off);
        } catch (e) {
          throw new OpError('read', p, e as NodeJS.ErrnoException);
        }
        if (n === 0) break;
        const asked = Math.min(this.buf.length, limit) - off;
        off += n;
        if (oneRecord && n < asked) break;
      }
      return this.buf.subarray(0, off);
    } finally {
      await closeP(fd);
    }
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

/** Directory entries in the order the OS returns them (fs.readdir would sort them). */
async function listDir(p: string): Promise<string[]> {
  const dir = await fs.promises.opendir(p, { bufferSize: 256 });
  const names: string[] = [];
  for await (const d of dir) names.push(d.name);
  return names;
}

/** Runs fn(i) for i in [0, n) with at most `width` in flight, each worker holding one Ctx. */
async function pool(n: number, width: number, ctxs: Ctx[], fn: (ctx: Ctx, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers: Promise<void>[] = [];
  for (let w = 0; w < Math.min(width, n); w++) {
    const ctx = ctxs.pop() ?? new Ctx();
    workers.push(
      (async () => {
        try {
          while (next < n) await fn(ctx, next++);
        } finally {
          ctxs.push(ctx);
        }
      })(),
    );
  }
  await Promise.all(workers);
}

function copy(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

const EMPTY = new Uint8Array(0);

interface ThreadRow {
  tid: number;
  st: ProcStat;
  ctxVol: number;
  ctxNonvol: number;
  readBytes: number;
  writeBytes: number;
  wchan: Uint8Array;
}

interface DetailRow {
  flags: number;
  uid: number;
  ctxVol: number;
  ctxNonvol: number;
  swapBytes: number;
  fdLimit: number;
  readBytes: number;
  writeBytes: number;
  fdOpen: number;
  pss: number;
  swapPss: number;
  wchan: Uint8Array;
  cmdline: Uint8Array;
  cgroup: Uint8Array;
  threads: ThreadRow[];
}

/** Thrown inside a row's read when its pid directory has vanished. */
class Gone extends Error {}

function packed(items: Uint8Array[]): PackedStrings {
  const b = new PackedStringsBuilder();
  for (const it of items) {
    if (it.length === 0) b.pushEmpty();
    else b.pushBytes(it);
  }
  return b.build();
}

class TsScanner implements Scanner {
  readonly kind = 'ts' as const;
  private readonly root: string;
  private readonly width: number;
  private readonly ctxs: Ctx[] = [];
  private real: Promise<boolean> | null = null;

  constructor(opts: TsScannerOptions) {
    this.root = opts.procfs;
    this.width = Math.max(1, opts.concurrency ?? 64);
  }

  async bootTime(): Promise<number> {
    const root = this.root;
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(root);
    } catch (e) {
      throw new Error(`could not read ${JSON.stringify(root)}: stat ${root}: ${goErrText(e)}`);
    }
    if (!st.isDirectory()) throw new Error(`mount point ${JSON.stringify(root)} is not a directory`);
    const file = path.join(root, 'stat');
    const ctx = this.ctxs.pop() ?? new Ctx();
    try {
      // The message of an OpError is Go's "open <file>: <errno text>".
      const data = await ctx.read(file, NO_LIMIT);
      return parseSystemStat(data).btime;
    } finally {
      this.ctxs.push(ctx);
    }
  }

  private isRealProcfs(): Promise<boolean> {
    if (!this.real) {
      this.real = fs.promises.statfs(this.root).then(
        (s) => s.type === PROC_SUPER_MAGIC,
        () => false,
      );
    }
    return this.real;
  }

  async listProcs(): Promise<StatColumns> {
    let names: string[];
    try {
      names = await listDir(this.root);
    } catch (e) {
      throw new ProcfsListError(`open ${this.root}: ${goErrText(e)}`);
    }
    const pids: number[] = [];
    for (const n of names) {
      const pid = parsePidName(n);
      if (pid !== null) pids.push(pid);
    }
    const n = pids.length;
    const stats: (ProcStat | null)[] = new Array(n).fill(null);
    await pool(n, this.width, this.ctxs, async (ctx, i) => {
      try {
        const data = await ctx.read(path.join(this.root, String(pids[i]), 'stat'), READ_LIMIT, true);
        stats[i] = parseStat(data, true);
      } catch {
        // Unreadable or unparsable stat: skipped silently (SPEC §6).
      }
    });
    let count = 0;
    for (const s of stats) if (s) count++;
    const cols: StatColumns = {
      count,
      pid: new Int32Array(count),
      startTicks: new Float64Array(count),
      ppid: new Int32Array(count),
      state: new Uint8Array(count),
      minflt: new Float64Array(count),
      majflt: new Float64Array(count),
      utime: new Float64Array(count),
      stime: new Float64Array(count),
      numThreads: new Int32Array(count),
      vsize: new Float64Array(count),
      rss: new Float64Array(count),
      comm: { bytes: EMPTY, offsets: new Uint32Array(1) },
    };
    const comm = new PackedStringsBuilder();
    let j = 0;
    for (let i = 0; i < n; i++) {
      const s = stats[i];
      if (!s) continue;
      cols.pid[j] = pids[i];
      cols.startTicks[j] = s.starttime;
      cols.ppid[j] = s.ppid;
      cols.state[j] = s.state;
      cols.minflt[j] = s.minflt;
      cols.majflt[j] = s.majflt;
      cols.utime[j] = s.utime;
      cols.stime[j] = s.stime;
      cols.numThreads[j] = s.numThreads;
      cols.vsize[j] = s.vsize;
      cols.rss[j] = s.rss;
      if (s.comm.length === 0) comm.pushEmpty();
      else comm.pushBytes(s.comm);
      j++;
    }
    cols.comm = comm.build();
    return cols;
  }

  async readDetails(req: DetailRequest): Promise<DetailColumns> {
    const n = req.pids.length;
    const rows: DetailRow[] = new Array(n);
    const real = await this.isRealProcfs();
    await pool(n, this.width, this.ctxs, async (ctx, i) => {
      rows[i] = await this.readOne(ctx, req, i, real);
    });
    return this.buildDetails(rows);
  }

  private async readOne(ctx: Ctx, req: DetailRequest, i: number, real: boolean): Promise<DetailRow> {
    const pid = req.pids[i];
    const dir = path.join(this.root, String(pid));
    const row: DetailRow = {
      flags: 0,
      uid: 0,
      ctxVol: 0,
      ctxNonvol: 0,
      swapBytes: 0,
      fdLimit: 0,
      readBytes: 0,
      writeBytes: 0,
      fdOpen: -1,
      pss: 0,
      swapPss: 0,
      wchan: EMPTY,
      cmdline: EMPTY,
      cgroup: EMPTY,
      threads: [],
    };
    // A failed read is only "gone" when the pid directory itself has disappeared.
    const vanished = async (e: unknown): Promise<void> => {
      const c = code(e);
      if (c !== 'ENOENT' && c !== 'ESRCH') return;
      try {
        await fs.promises.stat(dir);
      } catch (se) {
        if (code(se) === 'ENOENT') throw new Gone();
      }
    };
    try {
      try {
        const st = parseStatus(await ctx.read(path.join(dir, 'status'), READ_LIMIT, true));
        row.uid = st.uid;
        row.ctxVol = st.ctxVol;
        row.ctxNonvol = st.ctxNonvol;
        row.swapBytes = st.swapBytes;
      } catch (e) {
        await vanished(e);
        row.flags |= DetailFlag.STATUS_ERR;
      }
      try {
        row.fdLimit = parseLimits(await ctx.read(path.join(dir, 'limits'), NO_LIMIT, true)).openFilesSoft;
      } catch (e) {
        await vanished(e);
        row.flags |= DetailFlag.LIMITS_ERR;
      }
      try {
        const io = parseIo(await ctx.read(path.join(dir, 'io'), READ_LIMIT, true));
        row.readBytes = io.readBytes;
        row.writeBytes = io.writeBytes;
      } catch (e) {
        await vanished(e);
        row.flags |= DetailFlag.IO_ERR;
      }
      try {
        row.fdOpen = await this.countFds(path.join(dir, 'fd'), real);
      } catch (e) {
        await vanished(e);
        row.flags |= DetailFlag.FD_ERR;
        row.fdOpen = -1;
      }
      if (req.gatherSmaps) {
        try {
          let sm;
          try {
            sm = parseSmapsRollup(await ctx.read(path.join(dir, 'smaps_rollup'), READ_LIMIT, true));
          } catch (e) {
            // Only a missing smaps_rollup (kernel < 4.15) falls back to summing smaps.
            if (!(e instanceof OpError && e.op === 'open' && e.code === 'ENOENT')) throw e;
            sm = parseSmaps(await ctx.read(path.join(dir, 'smaps'), NO_LIMIT));
          }
          row.pss = sm.pss;
          row.swapPss = sm.swapPss;
        } catch (e) {
          await vanished(e);
          row.flags |= DetailFlag.SMAPS_ERR;
        }
      }
      if (req.wantStatic[i]) {
        try {
          row.cmdline = copy(await ctx.read(path.join(dir, 'cmdline')));
        } catch (e) {
          await vanished(e);
          row.flags |= DetailFlag.CMDLINE_ERR;
        }
        try {
          row.cgroup = copy(await ctx.read(path.join(dir, 'cgroup')));
        } catch (e) {
          // A missing cgroup file reads as empty, as the reference does.
          await vanished(e);
        }
      }
      if (req.wantThreads[i]) {
        let threads: ThreadRow[] | null = null;
        try {
          threads = await this.readThreads(ctx, dir, req.threadIo);
        } catch (e) {
          await vanished(e);
          row.flags |= DetailFlag.TASK_ERR;
        }
        if (threads && threads.length >= 2) row.threads = threads;
      }
      if (row.threads.length < 2) {
        try {
          row.wchan = copy(await ctx.read(path.join(dir, 'wchan'), NO_LIMIT, true));
        } catch (e) {
          await vanished(e);
          row.flags |= DetailFlag.WCHAN_ERR;
        }
      }
    } catch (e) {
      if (!(e instanceof Gone)) throw e;
      row.flags |= DetailFlag.GONE;
      row.threads = [];
    }
    return row;
  }

  private async countFds(fdDir: string, real: boolean): Promise<number> {
    if (real) {
      // Linux >= 6.2 reports the number of open fds as the size of the fd dir.
      const st = await fs.promises.stat(fdDir);
      if (st.size > 0) return st.size;
    }
    return (await fs.promises.readdir(fdDir)).length;
  }

  private async readThreads(ctx: Ctx, dir: string, threadIo: boolean): Promise<ThreadRow[]> {
    const taskDir = path.join(dir, 'task');
    const names = await listDir(taskDir);
    const out: ThreadRow[] = [];
    for (const name of names) {
      const tid = parsePidName(name);
      if (tid === null) continue;
      const tdir = path.join(taskDir, String(tid));
      let st: ProcStat;
      let ctxVol: number;
      let ctxNonvol: number;
      try {
        st = parseStat(await ctx.read(path.join(tdir, 'stat'), READ_LIMIT, true), true);
        const s = parseStatus(await ctx.read(path.join(tdir, 'status'), READ_LIMIT, true));
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
          const io = parseIo(await ctx.read(path.join(tdir, 'io'), READ_LIMIT, true));
          readBytes = io.readBytes;
          writeBytes = io.writeBytes;
        } catch {
          // Unreadable thread io is zero and not an error.
        }
      }
      let wchan: Uint8Array = EMPTY;
      try {
        wchan = copy(await ctx.read(path.join(tdir, 'wchan'), NO_LIMIT, true));
      } catch {
        // Unreadable thread wchan is empty.
      }
      out.push({ tid, st, ctxVol, ctxNonvol, readBytes, writeBytes, wchan });
    }
    return out;
  }

  private buildDetails(rows: DetailRow[]): DetailColumns {
    const n = rows.length;
    let tcount = 0;
    for (const r of rows) tcount += r.threads.length;
    const d: DetailColumns = {
      count: n,
      flags: new Uint16Array(n),
      uid: new Int32Array(n),
      ctxVol: new Float64Array(n),
      ctxNonvol: new Float64Array(n),
      swapBytes: new Float64Array(n),
      fdLimit: new Float64Array(n),
      readBytes: new Float64Array(n),
      writeBytes: new Float64Array(n),
      fdOpen: new Float64Array(n),
      pss: new Float64Array(n),
      swapPss: new Float64Array(n),
      wchan: packed(rows.map((r) => r.wchan)),
      cmdline: packed(rows.map((r) => r.cmdline)),
      cgroup: packed(rows.map((r) => r.cgroup)),
      threadStart: new Uint32Array(n + 1),
      threads: emptyThreads(tcount),
    };
    const t = d.threads;
    const tcomm: Uint8Array[] = [];
    const twchan: Uint8Array[] = [];
    let k = 0;
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      d.flags[i] = r.flags;
      d.uid[i] = r.uid;
      d.ctxVol[i] = r.ctxVol;
      d.ctxNonvol[i] = r.ctxNonvol;
      d.swapBytes[i] = r.swapBytes;
      d.fdLimit[i] = r.fdLimit;
      d.readBytes[i] = r.readBytes;
      d.writeBytes[i] = r.writeBytes;
      d.fdOpen[i] = r.fdOpen;
      d.pss[i] = r.pss;
      d.swapPss[i] = r.swapPss;
      d.threadStart[i] = k;
      for (const th of r.threads) {
        t.tid[k] = th.tid;
        t.startTicks[k] = th.st.starttime;
        t.state[k] = th.st.state;
        t.minflt[k] = th.st.minflt;
        t.majflt[k] = th.st.majflt;
        t.utime[k] = th.st.utime;
        t.stime[k] = th.st.stime;
        t.ctxVol[k] = th.ctxVol;
        t.ctxNonvol[k] = th.ctxNonvol;
        t.readBytes[k] = th.readBytes;
        t.writeBytes[k] = th.writeBytes;
        tcomm.push(th.st.comm);
        twchan.push(th.wchan);
        k++;
      }
    }
    d.threadStart[n] = k;
    t.comm = packed(tcomm);
    t.wchan = packed(twchan);
    return d;
  }

  close(): void {
    this.ctxs.length = 0;
  }
}

function emptyThreads(n: number): ThreadColumns {
  const none: PackedStrings = { bytes: EMPTY, offsets: new Uint32Array(1) };
  return {
    count: n,
    tid: new Int32Array(n),
    startTicks: new Float64Array(n),
    comm: none,
    state: new Uint8Array(n),
    minflt: new Float64Array(n),
    majflt: new Float64Array(n),
    utime: new Float64Array(n),
    stime: new Float64Array(n),
    ctxVol: new Float64Array(n),
    ctxNonvol: new Float64Array(n),
    readBytes: new Float64Array(n),
    writeBytes: new Float64Array(n),
    wchan: none,
  };
}

export function createTsScanner(opts: TsScannerOptions): Scanner {
  return new TsScanner(opts);
}
