// The update cycle's bookkeeping (SPEC §5): which (pid, starttime) is tracked, ignored or new; reading
// details only for tracked and new processes; per-process and per-thread deltas into group accumulators.
import { LabelBound } from './label-bound';
import {
  DetailFlag,
  PARTIAL_ERROR_MASK,
  packedBytes,
  packedString,
  type DetailColumns,
  type DetailRequest,
  type Scanner,
  type StatColumns,
} from '../proc/columns';
import { parseCmdline } from '../proc/parse/cmdline';
import { cgroupPathsOrEmpty } from '../proc/parse/cgroup';
import type { Namer } from '../config/matcher';
import type { Logger } from '../log';
import type { CycleSnapshot } from '../expose/snapshot';
import { GroupAccumulator, zeroCounters, type Counters } from './groups';

export interface TrackerOptions {
  namer: Namer;
  children: boolean;
  recheck: boolean;
  recheckWithTimeLimitMs: number;
  /** -threads: per-thread-name families (and task/<tid>/io reads) */
  threads: boolean;
  gatherSmaps: boolean;
  removeEmptyGroups: boolean;
  pageSize: number;
  /** `<procfs>/stat` btime, seconds */
  bootTimeSec: number;
  username(uid: number): string;
  log: Logger;
  /** wall clock in ms; injectable for tests */
  now?: () => number;
  /** a monotonic clock in ms for the naming budget; injectable for tests */
  monotonicMs?: () => number;
}

/** Raw readings kept between cycles: deltas are taken against them (SPEC §5.3, §0 #1). */
interface ThreadReading {
  startTicks: number;
  utime: number;
  stime: number;
  minflt: number;
  majflt: number;
  readBytes: number;
  writeBytes: number;
  ctxVol: number;
  ctxNonvol: number;
}

interface TrackedProc {
  pid: number;
  startTicks: number;
  startTimeMs: number;
  /** comm at first sight: a change means an exec, re-matched under -recheck (SPEC §0 #8) */
  comm: string;
  group: GroupAccumulator;
  seenCycle: number;
  utime: number;
  stime: number;
  minflt: number;
  majflt: number;
  /** NaN until a readable io file was seen */
  readBytes: number;
  writeBytes: number;
  /** from status; NaN until a readable status was seen */
  ctxVol: number;
  ctxNonvol: number;
  /** last good gauges, kept when status or limits fail for a tracked process (SPEC §0 #16) */
  swapBytes: number;
  fdLimit: number;
  threads: Map<number, ThreadReading> | null;
}

/** Time one cycle may spend naming new processes; the rest are named in the next cycle. */
export const NAMING_BUDGET_MS = 1000;

/** status or limits could not be read (as opposed to read with a value that does not parse) */
function unreadable(flags: number): boolean {
  return (
    (flags & (DetailFlag.STATUS_ERR | DetailFlag.STATUS_UNPARSABLE)) === DetailFlag.STATUS_ERR ||
    (flags & (DetailFlag.LIMITS_ERR | DetailFlag.LIMITS_UNPARSABLE)) === DetailFlag.LIMITS_ERR
  );
}

/** Counter decrease in /proc contributes 0 and counting resumes from the new value (SPEC §0 #1). */
function inc(cur: number, prev: number): number {
  return cur > prev ? cur - prev : 0;
}

// ticks/100 happens per sample before the subtraction, as in the reference (SPEC §4.3)
function cpuInc(curTicks: number, prevTicks: number): number {
  const d = curTicks / 100 - prevTicks / 100;
  return d > 0 ? d : 0;
}

/** A row read at first sight (or again under -recheck): r indexes the details, i the stat columns. */
interface FreshRow {
  r: number;
  i: number;
  /** an exec under -recheck: counts from now, never from birth */
  rematch: boolean;
}

const enum Kind {
  Tracked,
  Fresh,
}

export class Tracker {
  readonly groups = new Map<string, GroupAccumulator>();
  private readonly tracked = new Map<number, TrackedProc>();
  /** pid -> starttime of processes that matched nothing: only their stat is read (SPEC §5.5) */
  private readonly ignored = new Map<number, { startTicks: number; seenCycle: number }>();
  private cycle = 0;
  private firstUpdateAtMs = NaN;
  scrapeErrors = 0;
  procReadErrors = 0;
  partialErrors = 0;
  /** processes whose naming threw (a bug or an exhausted resource): left unmatched, logged once */
  matchErrors = 0;
  private matchErrorLogged = false;
  /** over-long label values, cut (and counted) before they become group, thread or wchan labels */
  readonly labels = new LabelBound();
  /** processes and threads read in the last cycle (self metrics) */
  lastProcsRead = 0;
  lastThreadsRead = 0;
  private readonly now: () => number;

  constructor(private readonly scanner: Scanner, private readonly opts: TrackerOptions) {
    this.now = opts.now ?? Date.now;
  }

  get trackedCount(): number {
    return this.tracked.size;
  }

  get ignoredCount(): number {
    return this.ignored.size;
  }

  /** One update cycle; never throws for per-process problems. A failed listing gives ok=false. */
  async update(): Promise<CycleSnapshot> {
    const o = this.opts;
    if (Number.isNaN(this.firstUpdateAtMs)) this.firstUpdateAtMs = this.now();
    let cols: StatColumns;
    try {
      cols = await this.scanner.listProcs();
    } catch (e) {
      return this.failCycle(`error reading procs: Error reading procs: Error reading procs: ${(e as Error).message}`);
    }
    const cycle = ++this.cycle;
    const now = this.now();
    for (const g of this.groups.values()) g.beginCycle();

    // classify every (pid, starttime): tracked, ignored or fresh (first sight, or unmatched under recheck)
    const rows: number[] = [];
    const kinds: Kind[] = [];
    const rematch: boolean[] = [];
    for (let i = 0; i < cols.count; i++) {
      const pid = cols.pid[i];
      const st = cols.startTicks[i];
      const t = this.tracked.get(pid);
      if (t !== undefined && t.startTicks === st) {
        if (o.recheck && packedString(cols.comm, i) !== t.comm) {
          this.tracked.delete(pid); // exec under -recheck: name it again
          rows.push(i), kinds.push(Kind.Fresh), rematch.push(true);
        } else {
          rows.push(i), kinds.push(Kind.Tracked), rematch.push(false);
        }
        continue;
      }
      if (t !== undefined) this.tracked.delete(pid); // pid reuse
      const ig = this.ignored.get(pid);
      if (ig !== undefined && ig.startTicks === st) {
        ig.seenCycle = cycle;
        continue;
      }
      if (ig !== undefined) this.ignored.delete(pid);
      rows.push(i), kinds.push(Kind.Fresh), rematch.push(false);
    }

    const req: DetailRequest = {
      pids: new Int32Array(rows.length),
      wantThreads: new Uint8Array(rows.length),
      wantStatic: new Uint8Array(rows.length),
      gatherSmaps: o.gatherSmaps,
      threadIo: o.threads,
    };
    rows.forEach((i, r) => {
      req.pids[r] = cols.pid[i];
      req.wantThreads[r] = cols.numThreads[i] >= 2 ? 1 : 0;
      req.wantStatic[r] = kinds[r] === Kind.Fresh ? 1 : 0;
    });
    let det: DetailColumns;
    try {
      det = await this.scanner.readDetails(req);
    } catch (e) {
      // the reader itself failed (e.g. its worker thread died): the cycle fails like a failed listing
      return this.failCycle(`error reading process details: ${(e as Error).message}`);
    }
    this.lastProcsRead = cols.count;
    this.lastThreadsRead = det.threads.count;

    const fresh: FreshRow[] = [];
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r];
      const flags = det.flags[r];
      const isTracked = kinds[r] === Kind.Tracked;
      if (flags & DetailFlag.GONE || (!isTracked && unreadable(flags))) {
        // vanished, or unreadable before we ever tracked it: a read error, retried next cycle (SPEC §6)
        this.procReadErrors++;
        continue;
      }
      // a tracked process whose status or limits fail stays tracked: a partial error (SPEC §0 #16)
      if (flags & (PARTIAL_ERROR_MASK | DetailFlag.STATUS_ERR | DetailFlag.LIMITS_ERR)) this.partialErrors++;
      if (isTracked) {
        const t = this.tracked.get(cols.pid[i])!;
        t.seenCycle = cycle;
        this.account(t, cols, i, det, r, false);
      } else if (!(flags & DetailFlag.CMDLINE_ERR)) {
        fresh.push({ r, i, rematch: rematch[r] });
      }
    }

    this.nameFresh(fresh, cols, det, cycle, now);

    for (const [pid, t] of this.tracked) if (t.seenCycle !== cycle) this.tracked.delete(pid);
    for (const [pid, ig] of this.ignored) if (ig.seenCycle !== cycle) this.ignored.delete(pid);
    return this.snapshot();
  }

  private nameFresh(fresh: FreshRow[], cols: StatColumns, det: DetailColumns, cycle: number, now: number): void {
    const o = this.opts;
    const unmatched = new Map<number, FreshRow>();
    // Naming is the one per-process cost a local user controls (a long cmdline against rules with
    // captures): past the budget, the remaining new processes wait for the next cycle.
    const clock = o.monotonicMs ?? (() => performance.now());
    const deadline = clock() + NAMING_BUDGET_MS;
    let deferred = 0;
    for (const f of fresh) {
      if (!f.rematch && clock() > deadline) {
        deferred++;
        continue;
      }
      const { r, i } = f;
      const comm = packedString(cols.comm, i);
      let name: string | undefined;
      try {
        name = o.namer.matchAndName({
          comm,
          cmdline: parseCmdline(packedBytes(det.cmdline, r)),
          cgroups: cgroupPathsOrEmpty(packedBytes(det.cgroup, r)),
          // an unparsable status leaves the uid unknown: no user name rather than root's
          username: det.flags[r] & DetailFlag.STATUS_ERR ? '' : o.username(det.uid[r] >>> 0),
          pid: cols.pid[i],
          startTimeMs: this.startTimeMs(cols.startTicks[i]),
        });
      } catch (e) {
        // one process's failure costs that process: it stays unmatched, the cycle goes on
        this.matchErrors++;
        if (!this.matchErrorLogged) {
          this.matchErrorLogged = true;
          o.log.error(`matching pid ${cols.pid[i]} (${comm}) failed, leaving it unmatched (logged once; see namedprocess_exporter_match_errors_total): ${(e as Error)?.message ?? e}`);
        }
        name = undefined;
      }
      if (name !== undefined) this.track(this.labels.bound('groupname', name), f, cols, det, cycle);
      else unmatched.set(cols.pid[i], f);
    }
    if (deferred > 0) {
      // a deferred process may be the parent the unmatched ones would join: decide them all next cycle
      o.log.debug(`naming budget of ${NAMING_BUDGET_MS} ms spent: ${deferred} new processes wait for the next cycle`);
      return;
    }
    if (unmatched.size === 0) return;

    // children pass (SPEC §5.5): an unmatched process joins its nearest tracked ancestor's group
    const resolved = new Map<number, string | null>();
    const resolve = (pid: number, depth: number): string | null => {
      const known = resolved.get(pid);
      if (known !== undefined) return known;
      resolved.set(pid, null); // guards against ppid loops
      const f = unmatched.get(pid)!;
      const ppid = cols.ppid[f.i];
      let name: string | null = null;
      if (ppid >= 1 && depth < 4096) {
        const parent = this.tracked.get(ppid);
        if (parent !== undefined) name = parent.group.name;
        else if (unmatched.has(ppid)) name = resolve(ppid, depth + 1);
      }
      resolved.set(pid, name);
      return name;
    };
    for (const [pid, f] of unmatched) {
      const name = o.children ? resolve(pid, 0) : null;
      if (name !== null) {
        if (!this.tracked.has(pid)) this.track(name, f, cols, det, cycle);
        continue;
      }
      const start = this.startTimeMs(cols.startTicks[f.i]);
      // only 0 means no limit: a negative limit, which also forces -recheck, ignores at once (SPEC §5.5)
      const pending = o.recheck && (o.recheckWithTimeLimitMs === 0 || start + o.recheckWithTimeLimitMs > now);
      if (!pending) this.ignored.set(pid, { startTicks: cols.startTicks[f.i], seenCycle: cycle });
    }
  }

  private startTimeMs(startTicks: number): number {
    return this.opts.bootTimeSec * 1000 + startTicks * 10;
  }

  private track(name: string, f: FreshRow, cols: StatColumns, det: DetailColumns, cycle: number): void {
    let group = this.groups.get(name);
    if (group === undefined) {
      group = new GroupAccumulator(name);
      this.groups.set(name, group);
    }
    const { r, i } = f;
    const startTimeMs = this.startTimeMs(cols.startTicks[i]);
    // processes born after the exporter started count from birth, the others from now (SPEC §5.2)
    const fromBirth = !f.rematch && startTimeMs > this.firstUpdateAtMs;
    const flags = det.flags[r];
    const t: TrackedProc = {
      pid: cols.pid[i],
      startTicks: cols.startTicks[i],
      startTimeMs,
      comm: packedString(cols.comm, i),
      group,
      seenCycle: cycle,
      // the baseline: zero counts everything since birth, the current reading counts from now
      utime: fromBirth ? 0 : cols.utime[i],
      stime: fromBirth ? 0 : cols.stime[i],
      minflt: fromBirth ? 0 : cols.minflt[i],
      majflt: fromBirth ? 0 : cols.majflt[i],
      readBytes: fromBirth ? 0 : flags & DetailFlag.IO_ERR ? NaN : det.readBytes[r],
      writeBytes: fromBirth ? 0 : flags & DetailFlag.IO_ERR ? NaN : det.writeBytes[r],
      ctxVol: fromBirth ? 0 : flags & DetailFlag.STATUS_ERR ? NaN : det.ctxVol[r],
      ctxNonvol: fromBirth ? 0 : flags & DetailFlag.STATUS_ERR ? NaN : det.ctxNonvol[r],
      swapBytes: 0,
      fdLimit: 0,
      threads: null,
    };
    this.tracked.set(t.pid, t);
    this.account(t, cols, i, det, r, fromBirth);
  }

  /** Take this cycle's readings of one process: deltas into its group, gauges, states, threads.
   *  bornSinceStart: first sight of a process born after start, whose threads' ctx switches all count. */
  private account(t: TrackedProc, cols: StatColumns, i: number, det: DetailColumns, r: number, bornSinceStart: boolean): void {
    const o = this.opts;
    const flags = det.flags[r];
    const g = t.group;
    const delta: Counters = zeroCounters();
    const utime = cols.utime[i];
    const stime = cols.stime[i];
    const minflt = cols.minflt[i];
    const majflt = cols.majflt[i];
    const ioOk = !(flags & DetailFlag.IO_ERR);
    const statusOk = !(flags & DetailFlag.STATUS_ERR);
    const readBytes = det.readBytes[r];
    const writeBytes = det.writeBytes[r];

    // threads first: for a multi-threaded process they are the source of ctx switches, states, wchans
    const tStart = det.threadStart[r];
    const tEnd = det.threadStart[r + 1];
    const multi = tEnd - tStart >= 2;
    let threadCtxVol = 0;
    let threadCtxNonvol = 0;
    if (multi) {
      const th = det.threads;
      const prevThreads = t.threads;
      const nextThreads = new Map<number, ThreadReading>();
      g.hasMultiThreaded = true;
      for (let j = tStart; j < tEnd; j++) {
        const cur: ThreadReading = {
          startTicks: th.startTicks[j],
          utime: th.utime[j],
          stime: th.stime[j],
          minflt: th.minflt[j],
          majflt: th.majflt[j],
          readBytes: th.readBytes[j],
          writeBytes: th.writeBytes[j],
          ctxVol: th.ctxVol[j],
          ctxNonvol: th.ctxNonvol[j],
        };
        const tid = th.tid[j];
        const prev = prevThreads?.get(tid);
        // a thread seen for the first time starts at zero (SPEC §5.2)
        const td = zeroCounters();
        if (prev !== undefined && prev.startTicks === cur.startTicks) {
          td.cpuUser = cpuInc(cur.utime, prev.utime);
          td.cpuSystem = cpuInc(cur.stime, prev.stime);
          td.minorPageFaults = inc(cur.minflt, prev.minflt);
          td.majorPageFaults = inc(cur.majflt, prev.majflt);
          td.readBytes = inc(cur.readBytes, prev.readBytes);
          td.writeBytes = inc(cur.writeBytes, prev.writeBytes);
          td.ctxVoluntary = inc(cur.ctxVol, prev.ctxVol);
          td.ctxNonvoluntary = inc(cur.ctxNonvol, prev.ctxNonvol);
        }
        nextThreads.set(tid, cur);
        // per-thread deltas: a thread that exits keeps what it contributed (SPEC §0 #2)
        threadCtxVol += bornSinceStart ? cur.ctxVol : td.ctxVoluntary;
        threadCtxNonvol += bornSinceStart ? cur.ctxNonvol : td.ctxNonvoluntary;
        if (o.threads) g.addThread(this.labels.bound('threadname', packedString(th.comm, j)), td);
        // every thread counted once, the main thread included (SPEC §0 #3)
        g.addState(th.state[j]);
        g.addWchan(this.labels.bound('wchan', packedString(th.wchan, j)));
      }
      t.threads = nextThreads;
    } else {
      t.threads = null;
      g.addState(cols.state[i]);
      g.addWchan(this.labels.bound('wchan', packedString(det.wchan, r)));
    }

    delta.cpuUser = cpuInc(utime, t.utime);
    delta.cpuSystem = cpuInc(stime, t.stime);
    delta.minorPageFaults = inc(minflt, t.minflt);
    delta.majorPageFaults = inc(majflt, t.majflt);
    // an unreadable value adds 0 and keeps the last good reading as the baseline (SPEC §0 #1)
    if (ioOk && !Number.isNaN(t.readBytes)) {
      delta.readBytes = inc(readBytes, t.readBytes);
      delta.writeBytes = inc(writeBytes, t.writeBytes);
    }
    if (multi) {
      delta.ctxVoluntary = threadCtxVol;
      delta.ctxNonvoluntary = threadCtxNonvol;
    } else if (statusOk && !Number.isNaN(t.ctxVol)) {
      delta.ctxVoluntary = inc(det.ctxVol[r], t.ctxVol);
      delta.ctxNonvoluntary = inc(det.ctxNonvol[r], t.ctxNonvol);
    }

    t.utime = utime;
    t.stime = stime;
    t.minflt = minflt;
    t.majflt = majflt;
    if (ioOk) {
      t.readBytes = readBytes;
      t.writeBytes = writeBytes;
    }
    if (statusOk) {
      // status ctx switches stay current even while threads are the source, for a later switch back
      t.ctxVol = det.ctxVol[r];
      t.ctxNonvol = det.ctxNonvol[r];
      t.swapBytes = det.swapBytes[r];
    }
    if (!(flags & DetailFlag.LIMITS_ERR)) t.fdLimit = det.fdLimit[r];

    g.addProcess(delta, {
      resident: cols.rss[i] * o.pageSize,
      virtual: cols.vsize[i],
      swapped: t.swapBytes,
      proportionalResident: det.pss[r],
      proportionalSwapped: det.swapPss[r],
      openFds: det.fdOpen[r],
      fdLimit: t.fdLimit,
      numThreads: cols.numThreads[i],
      startTimeMs: t.startTimeMs,
    });
  }

  private snapshot(): CycleSnapshot {
    const groups = [];
    for (const [name, g] of this.groups) {
      if (g.numProcs === 0 && this.opts.removeEmptyGroups) {
        this.groups.delete(name); // and its thread history: it restarts from 0 if it comes back
        continue;
      }
      groups.push(g.snapshot(this.opts.threads));
    }
    return { ok: true, groups, scrapeErrors: this.scrapeErrors, procReadErrors: this.procReadErrors, partialErrors: this.partialErrors, gatherSmaps: this.opts.gatherSmaps };
  }

  /** Counts a failed cycle and returns what is served for it: the three scrape counters only (SPEC §6). */
  failCycle(why: string): CycleSnapshot {
    this.scrapeErrors++;
    this.opts.log.error(why);
    return { ok: false, groups: [], scrapeErrors: this.scrapeErrors, procReadErrors: this.procReadErrors, partialErrors: this.partialErrors, gatherSmaps: this.opts.gatherSmaps };
  }
}
