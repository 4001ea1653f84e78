// A fake procfs tree builder for tests: real-looking files that both our readers and the reference
// Go binary (procfs v0.8/v0.14) accept (docs/behaviour.md#where-the-values-come-from, docs/behaviour.md#files-read "Fake-procfs requirements").
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type Count = number | bigint;

export interface FakeThread {
  tid: number;
  comm?: string;
  state?: string;
  starttime?: Count;
  utime?: Count;
  stime?: Count;
  minflt?: Count;
  majflt?: Count;
  ctxVol?: Count;
  ctxNonvol?: Count;
  readBytes?: Count;
  writeBytes?: Count;
  wchan?: string;
  /** task/<tid>/schedstat's [ns on a CPU, times switched in]; no file when absent */
  schedstat?: [Count, Count];
}

export interface FakeProc {
  pid: number;
  comm: string;
  /** directory name under the root; default String(pid) (e.g. '007' to test ParseInt naming) */
  dirName?: string;
  ppid?: number;
  state?: string /* 'S' */;
  starttime?: Count /* ticks */;
  utime?: Count;
  stime?: Count;
  minflt?: Count;
  majflt?: Count;
  numThreads?: number /* default: threads.length || 1 */;
  vsize?: Count;
  rss?: Count /* pages */;
  uid?: number /* 1000 */;
  ctxVol?: Count;
  ctxNonvol?: Count;
  vmSwapKb?: Count;
  readBytes?: Count;
  writeBytes?: Count;
  fdCount?: number /* 3 */;
  fdSoftLimit?: Count | 'unlimited' /* 1024 */;
  cmdline?: string[] /* default [comm] */;
  cgroup?: string /* raw file, default "0::/\n" */;
  wchan?: string /* "0" */;
  pssKb?: Count;
  swapPssKb?: Count;
  /** schedstat's [ns on a CPU, times switched in]; no schedstat file when absent (as on a kernel without it) */
  schedstat?: [Count, Count];
  /** when given with >= 2 entries the process is multi-threaded */
  threads?: FakeThread[];
  /** relative paths to leave out, e.g. 'io', 'limits', 'wchan', 'smaps_rollup', 'task', 'fd', 'status', 'task/12/io' */
  omit?: string[];
  /** relative path -> verbatim content, overriding (or adding to) the generated files */
  raw?: Record<string, string | Buffer>;
}

// Page size used for the kB figures derived from rss (the exporter multiplies rss by the host's page size).
const PAGE_KB = 4;

/** Formats a counter exactly: bigints verbatim, numbers as integers without exponent notation. */
export function fmtCount(v: Count): string {
  if (typeof v === 'bigint') return v.toString();
  if (Number.isSafeInteger(v)) return String(v);
  if (!Number.isFinite(v)) throw new Error(`fakeproc: not a finite count: ${v}`);
  return BigInt(Math.trunc(v)).toString();
}

function kb(v: Count): string {
  return fmtCount(v).padStart(8, ' ') + ' kB';
}

function mulPage(v: Count): Count {
  return typeof v === 'bigint' ? v * BigInt(PAGE_KB) : v * PAGE_KB;
}

const STATE_NAMES: Record<string, string> = {
  R: 'R (running)',
  S: 'S (sleeping)',
  D: 'D (disk sleep)',
  T: 'T (stopped)',
  t: 't (tracing stop)',
  X: 'X (dead)',
  Z: 'Z (zombie)',
  P: 'P (parked)',
  I: 'I (idle)',
};

interface StatInput {
  id: number;
  comm: string | Buffer;
  state: string;
  ppid: number;
  minflt: Count;
  majflt: Count;
  utime: Count;
  stime: Count;
  numThreads: number;
  starttime: Count;
  vsize: Count;
  rss: Count;
  pgrp: number;
}

/** A 52-field stat line as the kernel writes it. */
export function statText(s: StatInput): Buffer {
  const after = [
    s.state, // 3 state
    String(s.ppid), // 4
    String(s.pgrp), // 5 pgrp
    String(s.pgrp), // 6 session
    '0', // 7 tty_nr
    '-1', // 8 tpgid
    '4194304', // 9 flags
    fmtCount(s.minflt), // 10
    '0', // 11 cminflt
    fmtCount(s.majflt), // 12
    '0', // 13 cmajflt
    fmtCount(s.utime), // 14
    fmtCount(s.stime), // 15
    '0', // 16 cutime
    '0', // 17 cstime
    '20', // 18 priority
    '0', // 19 nice
    String(s.numThreads), // 20
    '0', // 21 itrealvalue
    fmtCount(s.starttime), // 22
    fmtCount(s.vsize), // 23
    fmtCount(s.rss), // 24
    '18446744073709551615', // 25 rsslim
    '94015970144256', // 26 startcode
    '94015970164137', // 27 endcode
    '140733740747264', // 28 startstack
    '0', '0', // 29-30 kstkesp, kstkeip
    '0', '0', '0', '0', // 31-34 signal, blocked, sigignore, sigcatch
    '0', // 35 wchan
    '0', '0', // 36-37 nswap, cnswap
    '17', // 38 exit_signal
    '1', // 39 processor
    '0', '0', // 40-41 rt_priority, policy
    '0', // 42 delayacct_blkio_ticks
    '0', '0', // 43-44 guest_time, cguest_time
    '94015970180144', '94015970181760', '94016606982144', // 45-47 start_data, end_data, start_brk
    '140733740755683', '140733740755703', '140733740755703', '140733740756971', // 48-51 arg/env
    '0', // 52 exit_code
  ].join(' ');
  const comm = typeof s.comm === 'string' ? Buffer.from(s.comm, 'utf8') : s.comm;
  return Buffer.concat([Buffer.from(`${s.id} (`), comm, Buffer.from(`) ${after}\n`)]);
}

interface StatusInput {
  name: string;
  state: string;
  tgid: number;
  pid: number;
  ppid: number;
  uid: number;
  threads: number;
  vsizeBytes: Count;
  rssPages: Count;
  vmSwapKb: Count;
  ctxVol: Count;
  ctxNonvol: Count;
}

/** A full status file as a 6.x kernel writes it. */
export function statusText(s: StatusInput): string {
  const vmKb: Count = typeof s.vsizeBytes === 'bigint' ? s.vsizeBytes / 1024n : Math.floor(s.vsizeBytes / 1024);
  const rssKb = mulPage(s.rssPages);
  const u = s.uid;
  return [
    `Name:\t${s.name}`,
    'Umask:\t0022',
    `State:\t${STATE_NAMES[s.state] ?? `${s.state} (unknown)`}`,
    `Tgid:\t${s.tgid}`,
    'Ngid:\t0',
    `Pid:\t${s.pid}`,
    `PPid:\t${s.ppid}`,
    'TracerPid:\t0',
    `Uid:\t${u}\t${u}\t${u}\t${u}`,
    `Gid:\t${u}\t${u}\t${u}\t${u}`,
    'FDSize:\t64',
    'Groups:\t ',
    `NStgid:\t${s.tgid}`,
    `NSpid:\t${s.pid}`,
    `NSpgid:\t${s.tgid}`,
    `NSsid:\t${s.tgid}`,
    'Kthread:\t0',
    `VmPeak:\t${kb(vmKb)}`,
    `VmSize:\t${kb(vmKb)}`,
    `VmLck:\t${kb(0)}`,
    `VmPin:\t${kb(0)}`,
    `VmHWM:\t${kb(rssKb)}`,
    `VmRSS:\t${kb(rssKb)}`,
    `RssAnon:\t${kb(0)}`,
    `RssFile:\t${kb(rssKb)}`,
    `RssShmem:\t${kb(0)}`,
    `VmData:\t${kb(360)}`,
    `VmStk:\t${kb(132)}`,
    `VmExe:\t${kb(20)}`,
    `VmLib:\t${kb(1528)}`,
    `VmPTE:\t${kb(48)}`,
    `VmSwap:\t${kb(s.vmSwapKb)}`,
    `HugetlbPages:\t${kb(0)}`,
    'CoreDumping:\t0',
    'THP_enabled:\t1',
    'untag_mask:\t0xffffffffffffffff',
    `Threads:\t${s.threads}`,
    'SigQ:\t0/96364',
    'SigPnd:\t0000000000000000',
    'ShdPnd:\t0000000000000000',
    'SigBlk:\t0000000000000000',
    'SigIgn:\t0000000000000000',
    'SigCgt:\t0000000000000000',
    'CapInh:\t0000000000000000',
    'CapPrm:\t0000000000000000',
    'CapEff:\t0000000000000000',
    'CapBnd:\t000001ffffffffff',
    'CapAmb:\t0000000000000000',
    'NoNewPrivs:\t0',
    'Seccomp:\t0',
    'Seccomp_filters:\t0',
    'Speculation_Store_Bypass:\tthread vulnerable',
    'SpeculationIndirectBranch:\tconditional enabled',
    'Cpus_allowed:\t3',
    'Cpus_allowed_list:\t0-1',
    'Mems_allowed:\t00000000,00000001',
    'Mems_allowed_list:\t0',
    `voluntary_ctxt_switches:\t${fmtCount(s.ctxVol)}`,
    `nonvoluntary_ctxt_switches:\t${fmtCount(s.ctxNonvol)}`,
    '',
  ].join('\n');
}

/** The 16-row limits table, padded exactly like fs/proc/base.c proc_pid_limits(). */
export function limitsText(fdSoft: Count | 'unlimited'): string {
  const soft = fdSoft === 'unlimited' ? 'unlimited' : fmtCount(fdSoft);
  const hard = fdSoft === 'unlimited' ? 'unlimited' : BigInt(soft) > 524288n ? soft : '524288';
  const rows: Array<[string, string, string, string]> = [
    ['Max cpu time', 'unlimited', 'unlimited', 'seconds'],
    ['Max file size', 'unlimited', 'unlimited', 'bytes'],
    ['Max data size', 'unlimited', 'unlimited', 'bytes'],
    ['Max stack size', '8388608', 'unlimited', 'bytes'],
    ['Max core file size', '0', 'unlimited', 'bytes'],
    ['Max resident set', 'unlimited', 'unlimited', 'bytes'],
    ['Max processes', '96364', '96364', 'processes'],
    ['Max open files', soft, hard, 'files'],
    ['Max locked memory', '8388608', '8388608', 'bytes'],
    ['Max address space', 'unlimited', 'unlimited', 'bytes'],
    ['Max file locks', 'unlimited', 'unlimited', 'locks'],
    ['Max pending signals', '96364', '96364', 'signals'],
    ['Max msgqueue size', '819200', '819200', 'bytes'],
    ['Max nice priority', '0', '0', ''],
    ['Max realtime priority', '0', '0', ''],
    ['Max realtime timeout', 'unlimited', 'unlimited', 'us'],
  ];
  let out = `${'Limit'.padEnd(25)} ${'Soft Limit'.padEnd(20)} ${'Hard Limit'.padEnd(20)} ${'Units'.padEnd(10)}\n`;
  for (const [name, s, h, unit] of rows) {
    out += `${name.padEnd(25)} ${s.padEnd(20)} ${h.padEnd(20)} ${unit ? unit.padEnd(10) : ''}\n`;
  }
  return out;
}

export function ioText(readBytes: Count, writeBytes: Count): string {
  return (
    `rchar: ${fmtCount(readBytes)}\nwchar: ${fmtCount(writeBytes)}\nsyscr: 10\nsyscw: 0\n` +
    `read_bytes: ${fmtCount(readBytes)}\nwrite_bytes: ${fmtCount(writeBytes)}\ncancelled_write_bytes: 0\n`
  );
}

export function smapsRollupText(rssKb: Count, pssKb: Count, swapPssKb: Count): string {
  const row = (k: string, v: Count) => `${(k + ':').padEnd(16)}${fmtCount(v).padStart(12)} kB\n`;
  return (
    '562be1c5d000-7ffe3a283000 ---p 00000000 00:00 0                          [rollup]\n' +
    row('Rss', rssKb) +
    row('Pss', pssKb) +
    row('Pss_Dirty', 0) +
    row('Pss_Anon', pssKb) +
    row('Pss_File', 0) +
    row('Pss_Shmem', 0) +
    row('Shared_Clean', 0) +
    row('Shared_Dirty', 0) +
    row('Private_Clean', 0) +
    row('Private_Dirty', rssKb) +
    row('Referenced', rssKb) +
    row('Anonymous', rssKb) +
    row('KSM', 0) +
    row('LazyFree', 0) +
    row('AnonHugePages', 0) +
    row('ShmemPmdMapped', 0) +
    row('FilePmdMapped', 0) +
    row('Shared_Hugetlb', 0) +
    row('Private_Hugetlb', 0) +
    row('Swap', swapPssKb) +
    row('SwapPss', swapPssKb) +
    row('Locked', 0)
  );
}

export function cmdlineBytes(argv: string[]): string {
  return argv.length === 0 ? '' : argv.join('\0') + '\0';
}

type Entry = { kind: 'file'; data: string | Buffer } | { kind: 'dir' } | { kind: 'link'; target: string };

/** Every path (relative to the pid dir) that the fake process has, with its content. */
export function renderProc(p: FakeProc): Map<string, Entry> {
  const files = new Map<string, Entry>();
  const file = (rel: string, data: string | Buffer) => files.set(rel, { kind: 'file', data });
  const threads = p.threads ?? [];
  const numThreads = p.numThreads ?? (threads.length || 1);
  const state = p.state ?? 'S';
  const ppid = p.ppid ?? 1;
  const starttime = p.starttime ?? 0;
  const rss = p.rss ?? 100;
  const vsize = p.vsize ?? 3133440;
  const uid = p.uid ?? 1000;
  const argv = p.cmdline ?? [p.comm];
  const cgroup = p.cgroup ?? '0::/\n';
  const wchan = p.wchan ?? '0';
  const statIn: StatInput = {
    id: p.pid,
    comm: p.comm,
    state,
    ppid,
    minflt: p.minflt ?? 0,
    majflt: p.majflt ?? 0,
    utime: p.utime ?? 0,
    stime: p.stime ?? 0,
    numThreads,
    starttime,
    vsize,
    rss,
    pgrp: p.pid,
  };
  const statusIn: StatusInput = {
    name: p.comm,
    state,
    tgid: p.pid,
    pid: p.pid,
    ppid,
    uid,
    threads: numThreads,
    vsizeBytes: vsize,
    rssPages: rss,
    vmSwapKb: p.vmSwapKb ?? 0,
    ctxVol: p.ctxVol ?? 0,
    ctxNonvol: p.ctxNonvol ?? 0,
  };
  const rssKb = mulPage(rss);

  file('stat', statText(statIn));
  file('status', statusText(statusIn));
  file('cmdline', cmdlineBytes(argv));
  file('comm', p.comm + '\n');
  file('cgroup', cgroup);
  file('io', ioText(p.readBytes ?? 0, p.writeBytes ?? 0));
  file('limits', limitsText(p.fdSoftLimit ?? 1024));
  file('wchan', wchan);
  file('smaps_rollup', smapsRollupText(rssKb, p.pssKb ?? rssKb, p.swapPssKb ?? 0));
  if (p.schedstat) file('schedstat', `${fmtCount(p.schedstat[0])} 0 ${fmtCount(p.schedstat[1])}\n`);
  files.set('fd', { kind: 'dir' });
  const fdCount = p.fdCount ?? 3;
  for (let i = 0; i < fdCount; i++) files.set(`fd/${i}`, { kind: 'link', target: '/dev/null' });

  // Like a real kernel, task/ always holds the main thread, even for a single-threaded process.
  const list: FakeThread[] =
    threads.length > 0
      ? threads
      : [
          {
            tid: p.pid,
            comm: p.comm,
            state,
            starttime,
            utime: p.utime,
            stime: p.stime,
            minflt: p.minflt,
            majflt: p.majflt,
            ctxVol: p.ctxVol,
            ctxNonvol: p.ctxNonvol,
            readBytes: p.readBytes,
            writeBytes: p.writeBytes,
            wchan,
          },
        ];
  files.set('task', { kind: 'dir' });
  for (const t of list) {
    const d = `task/${t.tid}`;
    const tComm = t.comm ?? p.comm;
    const tState = t.state ?? state;
    files.set(d, { kind: 'dir' });
    file(
      `${d}/stat`,
      statText({
        ...statIn,
        id: t.tid,
        comm: tComm,
        state: tState,
        minflt: t.minflt ?? 0,
        majflt: t.majflt ?? 0,
        utime: t.utime ?? 0,
        stime: t.stime ?? 0,
        starttime: t.starttime ?? starttime,
      }),
    );
    file(
      `${d}/status`,
      statusText({
        ...statusIn,
        name: tComm,
        state: tState,
        pid: t.tid,
        ctxVol: t.ctxVol ?? 0,
        ctxNonvol: t.ctxNonvol ?? 0,
      }),
    );
    file(`${d}/cmdline`, cmdlineBytes(argv));
    file(`${d}/comm`, tComm + '\n');
    file(`${d}/cgroup`, cgroup);
    file(`${d}/io`, ioText(t.readBytes ?? 0, t.writeBytes ?? 0));
    file(`${d}/wchan`, t.wchan ?? '0');
    // a single-threaded process's only task is the process: the same schedstat
    const tSched = threads.length > 0 ? t.schedstat : p.schedstat;
    if (tSched) file(`${d}/schedstat`, `${fmtCount(tSched[0])} 0 ${fmtCount(tSched[1])}\n`);
  }

  const omit = p.omit ?? [];
  if (omit.length > 0) {
    for (const rel of [...files.keys()]) {
      if (omit.some((o) => rel === o || rel.startsWith(o + '/'))) files.delete(rel);
    }
  }
  for (const [rel, data] of Object.entries(p.raw ?? {})) {
    // Parent dirs of a raw file must exist (e.g. raw 'task/9/stat' after omitting 'task').
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!files.has(dir)) files.set(dir, { kind: 'dir' });
    }
    file(rel, data);
  }
  return files;
}

export function systemStatText(btime: number): string {
  return (
    'cpu  2891 0 1528 54067 204 0 75 10 0 0\n' +
    'cpu0 1096 0 603 27649 12 0 28 6 0 0\n' +
    'cpu1 1794 0 924 26418 192 0 46 3 0 0\n' +
    'intr 140671 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 1 10 0 0 0 0 58 33 0 17 1\n' +
    'ctxt 312861\n' +
    `btime ${btime}\n` +
    'processes 5097\n' +
    'procs_running 1\n' +
    'procs_blocked 0\n' +
    'softirq 79893 0 7267 4 3513 33131 0 3 19827 0 16148\n'
  );
}

async function writeTree(dir: string, files: Map<string, Entry>): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  // Map insertion order puts every dir before its contents: dirs first, then all files at once.
  const rest: Promise<void>[] = [];
  for (const [rel, e] of files) {
    if (e.kind === 'dir') await fsp.mkdir(path.join(dir, rel), { recursive: true });
  }
  for (const [rel, e] of files) {
    const abs = path.join(dir, rel);
    if (e.kind === 'link') rest.push(fsp.symlink(e.target, abs));
    else if (e.kind === 'file') rest.push(fsp.writeFile(abs, e.data));
  }
  await Promise.all(rest);
}

export class FakeProcfs {
  private readonly dirs = new Set<string>();

  private constructor(
    readonly root: string,
    readonly btime: number,
  ) {}

  static async create(opts?: { btime?: number }): Promise<FakeProcfs> {
    const btime = opts?.btime ?? 1700000000;
    const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'fakeproc-'));
    await fsp.writeFile(path.join(root, 'stat'), systemStatText(btime));
    return new FakeProcfs(root, btime);
  }

  /** Make the tree hold exactly these procs: pid dirs not listed are removed, the others rewritten. */
  async set(procs: FakeProc[]): Promise<void> {
    const want = new Map<string, FakeProc>();
    for (const p of procs) {
      const name = p.dirName ?? String(p.pid);
      if (want.has(name)) throw new Error(`fakeproc: duplicate pid dir ${name}`);
      want.set(name, p);
    }
    for (const name of [...this.dirs]) {
      if (!want.has(name)) {
        await fsp.rm(path.join(this.root, name), { recursive: true, force: true });
        this.dirs.delete(name);
      }
    }
    const items = [...want.entries()];
    let next = 0;
    // Bounded parallelism: large trees (benchmarks) build much faster, small ones do not care.
    const worker = async () => {
      while (next < items.length) {
        const [name, p] = items[next++];
        const dir = path.join(this.root, name);
        await fsp.rm(dir, { recursive: true, force: true });
        await writeTree(dir, renderProc(p));
        this.dirs.add(name);
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, items.length) }, worker));
  }

  async remove(): Promise<void> {
    await fsp.rm(this.root, { recursive: true, force: true });
  }
}
