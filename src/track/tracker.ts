// The update cycle's bookkeeping (docs/behaviour.md#counting), one named step at a time:
//   identity        which (pid, starttime) is tracked, ignored or new (or exec'd, under -recheck)
//   read            details only for tracked and new processes; smaps only where it can have changed, and
//                   status, io and wchan not of a process or thread that has not run since they were last read
//   adopt or match  a new process is named by the rules, or joins its nearest tracked ancestor's group
//   delta           per-process and per-thread counter increases, one rule for both (deltas.ts)
//   account         deltas, gauges, states and wchans into the group accumulators
import {
  DetailFlag,
  ThreadFlag,
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
import { CgroupIdentities, type CgroupIdentity } from '../proc/parse/cgroup-identity';
import type { Namer, ProcAttributes } from '../config/matcher';
import { NamingDeferred } from '../config/regex';
import type { Logger } from '../base/log';
import type { TrackerSettings } from '../settings/registry';
import type { CycleSnapshot } from '../expose/snapshot';
import { GroupAccumulator, zeroCounters, type ProcGauges } from './groups';
import { advance, Raw } from './deltas';
import { LabelBound } from '../expose/label-bound';
import {
  ProcTable,
  SlotKind,
  THREAD_FULL_AT,
  THREAD_NUMBERS,
  THREAD_SCHED_RUN,
  THREAD_SCHED_SLICES,
  THREAD_START,
  THREAD_STATE,
  type ThreadBaselines,
} from './proc-table';
import { errorMessage } from '../base/errors';
import { TopProcesses } from './top-processes';

/** The tracker's settings (src/settings/registry.ts: the rows marked `tracker`) and what the collector gives it. */
export interface TrackerOptions extends TrackerSettings {
  namer: Namer;
  pageSize: number;
  /** `<procfs>/stat` btime, seconds */
  bootTimeSec: number;
  username(uid: number): string;
  log: Logger;
  /** wall clock in ms; injectable for tests */
  now?: () => number;
  /** a monotonic clock in ms for the naming budget; injectable for tests */
  monotonicMs?: () => number;
  /** groups that exist from the first cycle and are never removed as empty (-report-configured-groups) */
  pinnedGroups?: ReadonlySet<string>;
  /** told how each process seen for the first time was classified (the debug log's explanations) */
  onNewProcess?: (e: NewProcessEvent) => void;
}

/** How a process seen for the first time (or again after a reload or an exec) was classified. */
export interface NewProcessEvent {
  pid: number;
  startTicks: number;
  attrs: ProcAttributes;
  /** the group it joined; undefined when nothing matched and no ancestor adopted it */
  group?: string;
  /** set when it joined its parent's group (-children): the parent's pid */
  adoptedBy?: number;
}

/** What the tracker shows of one tracked process: identity and its readings at the last cycle. */
export interface TrackedProcessView {
  pid: number;
  startTimeMs: number;
  comm: string;
  /** the group it is in */
  group: string;
  /** its systemd unit, container id, pod UID and the cgroup path they come from ("" where none), as read
   *  when it was named (first sight, an exec under -recheck, a reload) */
  cgroup: CgroupIdentity;
  /** user + system CPU seconds since the process started, as last read */
  cpuSeconds: number;
  /** the two parts of cpuSeconds; this and the readings below are for the page (optional: a test gives what it needs) */
  cpuUserSeconds?: number;
  cpuSystemSeconds?: number;
  /** effective uid (NaN: not read yet) */
  uid?: number;
  residentBytes?: number;
  /** NaN when its smaps could not be read (or -gather-smaps is off) */
  proportionalResidentBytes?: number;
  swappedBytes?: number;
  /** the process's own io totals as last read; NaN when its io could not be read */
  readBytes?: number;
  writeBytes?: number;
  /** -1 when fd/ could not be read */
  openFds?: number;
  numThreads?: number;
}

/** Time one cycle may spend naming processes; the rest are named in the next cycle. */
const NAMING_BUDGET_MS = 1000;
/** Naming gives the event loop a turn at least this often (health checks, scrapes of the last cycle). */
const NAMING_SLICE_MS = 20;

/** status or limits could not be read (as opposed to read with a value that does not parse) */
function unreadable(flags: number): boolean {
  return (
    (flags & (DetailFlag.STATUS_ERR | DetailFlag.STATUS_UNPARSABLE)) === DetailFlag.STATUS_ERR ||
    (flags & (DetailFlag.LIMITS_ERR | DetailFlag.LIMITS_UNPARSABLE)) === DetailFlag.LIMITS_ERR
  );
}

/** Identity of a stat row: the slot of a tracked process, or one of these for a row to be named. */
const FRESH = -1;
/** an exec under -recheck: named again, and counts from now, never from birth */
const REMATCH = -2;

/** A row to be named: r indexes the details, i the stat columns. */
interface FreshRow {
  r: number;
  i: number;
  rematch: boolean;
  /** in a re-matching cycle (after a reload), the slot of a process tracked before it: its baselines carry over */
  keep?: number;
  /** set once named: its cgroup identity (for adoption by a parent's group) */
  cgroup?: CgroupIdentity;
}

/** The rows of one cycle that get their details read. */
interface Reads {
  /** stat row of each detail row */
  rows: number[];
  /** tracked slot, or FRESH / REMATCH */
  slots: number[];
}

export class Tracker {
  readonly groups = new Map<string, GroupAccumulator>();
  private readonly table = new ProcTable();
  private cycle = 0;
  private firstUpdateAtMs = NaN;
  /** set by rematchAll(): the next cycle starts naming every process again */
  private rematchPending = false;
  /**
   * Processes (pid -> start ticks) still to be named by the namer of the last reload: a tracked one keeps
   * its group, and is counted there, until its turn comes within a cycle's naming budget.
   */
  private readonly toRename = new Map<number, number>();
  /** when the last cycle started: in a re-matching cycle, only processes born since count from birth */
  private lastCycleAtMs = NaN;
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
  /** smaps files read in the last cycle (the refresh policy's effect) */
  lastSmapsRead = 0;
  /** processes whose status, io and wchan were held in the last cycle (they had not run) */
  lastIdleHeld = 0;
  /** threads whose status, io and wchan were held in the last cycle (they had not run) */
  lastThreadsHeld = 0;
  /** the wchan values remembered for held processes, shared */
  private readonly wchans = new Map<string, string>();
  /** cgroup identities by path, shared by the processes of one unit or container */
  private readonly cgroupIds = new CgroupIdentities();
  private readonly top = new TopProcesses(0);
  /** set when a cycle could read no schedstat at all (a kernel without it, a fake tree): not asked again */
  private schedAbsent = false;
  private readonly now: () => number;
  // scratch rows: account() copies what it adds, so one of each serves every process
  private readonly reading = new Float64Array(Raw.N);
  private readonly delta = zeroCounters();
  private readonly threadDelta = zeroCounters();
  private readonly gauges: ProcGauges = { resident: 0, virtual: 0, swapped: 0, proportionalResident: 0, proportionalSwapped: 0, openFds: 0, fdLimit: 0, numThreads: 0, startTimeMs: 0, ioUnreadable: 0, proportionalUnreadable: 0 };
  /** this cycle's per-row smaps decision; undefined when every row reads it (or none does) */
  private smapsAsked: Uint8Array | undefined;
  /** this cycle's per-row schedstat request (DetailRequest.sched); undefined when no row reads it */
  private schedAsked: Uint8Array | undefined;
  /** this cycle's per-row thread hold (DetailRequest.threadHold); undefined when no row has it */
  private threadHoldAsked: Uint8Array | undefined;

  constructor(private readonly scanner: Scanner, private readonly opts: TrackerOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** -recheck, which a non-zero -recheck-with-time-limit also turns on (a config file may set the first) */
  private get rechecks(): boolean {
    return this.opts.recheck || this.opts.recheckWithTimeLimitMs !== 0;
  }

  get trackedCount(): number {
    return this.table.trackedCount;
  }

  get ignoredCount(): number {
    return this.table.ignoredCount;
  }

  /**
   * The next cycle names every process again (under the namer then in the options): after a config
   * reload. Groups keep their counters; a process that stays tracked adds its exact delta since the last
   * cycle to the group it is named into now.
   */
  rematchAll(): void {
    this.rematchPending = true;
  }

  /** Whether a process tracked or ignored in slot s waits to be named by the namer of the last reload. */
  private stale(s: number): boolean {
    const t = this.table;
    return this.toRename.size > 0 && this.toRename.get(t.pid[s]) === t.startTicks[s];
  }

  /** Read-only view of the tracked processes of one group as of the last cycle (the page's per-process rows). */
  *membersOf(group: string): IterableIterator<TrackedProcessView> {
    const t = this.table;
    for (const s of t.slotsOf(SlotKind.TRACKED)) if (t.group[s]?.name === group) yield this.view(s);
  }

  /** Every tracked process as of the last cycle (the page's service and container views); built on request. */
  *trackedProcesses(): IterableIterator<TrackedProcessView> {
    const t = this.table;
    for (const s of t.slotsOf(SlotKind.TRACKED)) if (t.group[s] !== null) yield this.view(s);
  }

  private view(s: number): TrackedProcessView {
    const t = this.table;
    const b = s * Raw.N;
    const user = t.base[b + Raw.UTIME] / 100;
    const system = t.base[b + Raw.STIME] / 100;
    const ioKnown = t.ioErr[s] === 0;
    return {
      pid: t.pid[s],
      startTimeMs: t.startTimeMs[s],
      comm: t.comm[s]!,
      cpuSeconds: user + system,
      group: t.group[s]!.name,
      cgroup: t.cgroup[s],
      cpuUserSeconds: user,
      cpuSystemSeconds: system,
      uid: t.uid[s],
      residentBytes: t.rss[s] * this.opts.pageSize,
      proportionalResidentBytes: this.opts.gatherSmaps && !Number.isNaN(t.smapsAtMs[s]) ? t.pss[s] : NaN,
      swappedBytes: t.swapBytes[s],
      readBytes: ioKnown ? t.base[b + Raw.READ_BYTES] : NaN,
      writeBytes: ioKnown ? t.base[b + Raw.WRITE_BYTES] : NaN,
      openFds: t.openFds[s],
      numThreads: t.numThreads[s],
    };
  }

  /** One update cycle; never throws for per-process problems. A failed listing gives ok=false. */
  async update(): Promise<CycleSnapshot> {
    if (Number.isNaN(this.firstUpdateAtMs)) this.firstUpdateAtMs = this.now();
    let cols: StatColumns;
    try {
      cols = await this.scanner.listProcs();
    } catch (e) {
      return this.failCycle(`error reading procs: Error reading procs: Error reading procs: ${errorMessage(e)}`);
    }
    const cycle = ++this.cycle;
    const now = this.now();
    // a reload asked for this cycle to name every process again; one asked for meanwhile waits for the next
    const rematching = this.rematchPending;
    this.rematchPending = false;
    if (rematching) {
      // every process seen so far is named again, over as many cycles as the naming budget needs
      const t = this.table;
      for (const s of t.slotsOf(SlotKind.TRACKED)) this.toRename.set(t.pid[s], t.startTicks[s]);
      for (const s of t.slotsOf(SlotKind.IGNORED)) this.toRename.set(t.pid[s], t.startTicks[s]);
    }
    for (const g of this.groups.values()) g.beginCycle();

    const reads = this.identify(cols, cycle);
    let det: DetailColumns;
    try {
      det = await this.scanner.readDetails(this.detailRequest(cols, reads, now));
    } catch (e) {
      // the reader itself failed (e.g. its worker thread died): the cycle fails like a failed listing; the
      // processes still to be named again stay so
      return this.failCycle(`error reading process details: ${errorMessage(e)}`);
    }
    this.lastProcsRead = cols.count;
    this.lastThreadsRead = det.threads.count;
    this.noteSchedstat(det);

    const fresh: FreshRow[] = [];
    for (let r = 0; r < reads.rows.length; r++) {
      const i = reads.rows[r];
      const slot = reads.slots[r];
      const flags = det.flags[r];
      const isTracked = slot >= 0;
      if (flags & DetailFlag.GONE || (!isTracked && unreadable(flags))) {
        // vanished, or unreadable before we ever tracked it: a read error, retried next cycle (docs/behaviour.md#errors)
        this.procReadErrors++;
        continue;
      }
      // a tracked process whose status or limits fail stays tracked: a partial error (docs/behaviour.md differences #16)
      if (flags & (PARTIAL_ERROR_MASK | DetailFlag.STATUS_ERR | DetailFlag.LIMITS_ERR)) this.partialErrors++;
      if (isTracked) {
        this.table.seenCycle[slot] = cycle;
        // to be named again after a reload: below, unless its cmdline cannot be read (then it stays where it is)
        if (this.stale(slot)) {
          if (!(flags & DetailFlag.CMDLINE_ERR)) {
            fresh.push({ r, i, rematch: false, keep: slot });
            continue;
          }
          this.toRename.delete(cols.pid[i]);
        }
        this.account(slot, cols, i, det, r, false, now);
      } else if (!(flags & DetailFlag.CMDLINE_ERR)) {
        fresh.push({ r, i, rematch: slot === REMATCH });
      }
    }

    await this.adoptOrMatch(fresh, cols, det, cycle, now, rematching);
    // nothing keeps the columns past this point: a reader may build the next cycle's in their memory
    this.scanner.release?.(det);
    this.scanner.release?.(cols);
    this.table.sweep(cycle);
    if (this.toRename.size > 0) {
      // forget the processes that are gone
      const t = this.table;
      for (const [pid, ticks] of this.toRename) {
        const s2 = t.find(pid);
        if (s2 < 0 || t.startTicks[s2] !== ticks) this.toRename.delete(pid);
      }
    }
    this.smapsAsked = this.schedAsked = this.threadHoldAsked = undefined;
    this.lastCycleAtMs = now;
    return this.snapshot();
  }

  // ------------------------------------------------------------------------------------------- identity

  /** Classifies every stat row: tracked (its slot), ignored (not read further) or to be named. */
  private identify(cols: StatColumns, cycle: number): Reads {
    const t = this.table;
    const rows: number[] = [];
    const slots: number[] = [];
    for (let i = 0; i < cols.count; i++) {
      const pid = cols.pid[i];
      const s = t.find(pid);
      if (s >= 0 && t.startTicks[s] === cols.startTicks[i]) {
        if (t.kind[s] === SlotKind.IGNORED) {
          if (this.stale(s)) {
            t.remove(s); // after a reload: an ignored process may match the new rules; it counts from now
            rows.push(i), slots.push(REMATCH);
            continue;
          }
          t.seenCycle[s] = cycle;
          continue;
        }
        if (this.rechecks && packedString(cols.comm, i) !== t.comm[s]) {
          t.remove(s); // exec under -recheck: name it again
          rows.push(i), slots.push(REMATCH);
        } else {
          rows.push(i), slots.push(s);
        }
        continue;
      }
      if (s >= 0) t.remove(s); // pid reuse
      rows.push(i), slots.push(FRESH);
    }
    return { rows, slots };
  }

  // ----------------------------------------------------------------------------------------------- read

  private detailRequest(cols: StatColumns, reads: Reads, now: number): DetailRequest {
    const o = this.opts;
    const n = reads.rows.length;
    const req: DetailRequest = {
      pids: new Int32Array(n),
      wantThreads: new Uint8Array(n),
      wantStatic: new Uint8Array(n),
      gatherSmaps: o.gatherSmaps,
      threadIo: o.threads,
    };
    const policy = o.gatherSmaps && o.smapsMaxAgeMs > 0;
    const smaps = policy ? new Uint8Array(n) : undefined;
    let smapsRead = 0;
    for (let r = 0; r < n; r++) {
      const i = reads.rows[r];
      const slot = reads.slots[r];
      req.pids[r] = cols.pid[i];
      req.wantThreads[r] = cols.numThreads[i] >= 2 ? 1 : 0;
      // a tracked process to be named again after a reload: its static facts too
      const stale = slot >= 0 && this.stale(slot);
      req.wantStatic[r] = slot < 0 || stale ? 1 : 0;
      if (smaps !== undefined && (slot < 0 || this.smapsStale(slot, cols, i, now))) {
        smaps[r] = 1;
        smapsRead++;
      }
    }
    if (smaps !== undefined) req.readSmaps = smaps;
    this.smapsAsked = smaps;
    this.lastSmapsRead = !o.gatherSmaps ? 0 : smaps !== undefined ? smapsRead : n;
    this.askSchedstat(req, cols, reads, now);
    this.askThreadHold(req, cols, reads, now);
    return req;
  }

  /**
   * Multi-threaded processes: every thread's schedstat is read before its other files, and a thread whose
   * schedstat pair and state are the same as when its status, io and wchan were last read well (less than
   * the maximum age ago) keeps those values: it has not been on a CPU since. A tracked process whose stat
   * stands still (CPU time, faults, sizes, state, thread count) and whose threads are all known and held
   * may skip the listing of task/ too (threadHold 2): when no known thread ran, none was created either
   * (only a thread of the process creates one) and none exited (its schedstat would be gone); its status
   * and io are then held as a single-threaded process's are.
   */
  private askThreadHold(req: DetailRequest, cols: StatColumns, reads: Reads, now: number): void {
    this.lastThreadsHeld = 0;
    const maxAge = this.opts.idleMaxAgeMs;
    if (!(maxAge > 0) || this.schedAbsent) return;
    const t = this.table;
    const n = reads.rows.length;
    const hold = new Uint8Array(n);
    const start = new Uint32Array(n + 1);
    let total = 0;
    let any = false;
    for (let r = 0; r < n; r++) {
      start[r] = total;
      if (!req.wantThreads[r]) continue;
      hold[r] = 1;
      any = true;
      const s = reads.slots[r];
      // a process waiting to be named again is read in full, as one that was never held
      const known = s >= 0 && !this.stale(s) ? t.threads[s] : null;
      if (known) total += known.size;
    }
    start[n] = total;
    if (!any) return;
    const tids = new Int32Array(total);
    const sched = new Float64Array(2 * total);
    const state = new Uint8Array(total);
    for (let r = 0; r < n; r++) {
      if (start[r] === start[r + 1]) continue;
      const s = reads.slots[r];
      const i = reads.rows[r];
      let k = start[r];
      let allHeld = true;
      for (const [tid, th] of t.threads[s]!) {
        const b = th.base;
        tids[k] = tid;
        state[k] = b[THREAD_STATE];
        // NaN: last read incomplete or too old (or no usable schedstat): the thread is read in full
        const young = now - b[THREAD_FULL_AT] < maxAge;
        sched[2 * k] = young ? b[THREAD_SCHED_RUN] : NaN;
        sched[2 * k + 1] = young ? b[THREAD_SCHED_SLICES] : NaN;
        if (!(sched[2 * k] === sched[2 * k])) allHeld = false;
        k++;
      }
      if (
        allHeld &&
        t.numThreads[s] === cols.numThreads[i] &&
        start[r + 1] - start[r] === cols.numThreads[i] &&
        t.state[s] === cols.state[i] &&
        now - t.fullReadAtMs[s] < maxAge &&
        !this.statMoved(s, cols, i)
      )
        hold[r] = 2;
    }
    req.threadHold = hold;
    req.knownStart = start;
    req.knownTid = tids;
    req.knownSched = sched;
    req.knownState = state;
    this.threadHoldAsked = hold;
  }

  /**
   * Single-threaded processes read their schedstat; those whose stat stands still and whose status, io and
   * wchan were read well less than the maximum age ago are held when their schedstat is the same as last
   * time: a process that has not been on a CPU since can have made no system call, done no I/O, switched
   * no context and be asleep at the same place. Its resident size and swap move only together (a page
   * swapped out or in by someone else moves from one counter to the other), so a swap change shows in stat.
   */
  private askSchedstat(req: DetailRequest, cols: StatColumns, reads: Reads, now: number): void {
    this.lastIdleHeld = 0;
    if (!(this.opts.idleMaxAgeMs > 0) || this.schedAbsent) return;
    const t = this.table;
    const n = reads.rows.length;
    const sched = new Uint8Array(n);
    const prev = new Float64Array(2 * n);
    for (let r = 0; r < n; r++) {
      const i = reads.rows[r];
      if (cols.numThreads[i] !== 1) continue;
      const s = reads.slots[r];
      sched[r] = 1;
      if (
        s >= 0 &&
        !this.stale(s) &&
        t.state[s] === cols.state[i] &&
        now - t.fullReadAtMs[s] < this.opts.idleMaxAgeMs && // NaN: the last read was not complete
        t.schedRun[s] === t.schedRun[s] &&
        !this.statMoved(s, cols, i)
      ) {
        sched[r] = 2;
        prev[2 * r] = t.schedRun[s];
        prev[2 * r + 1] = t.schedSlices[s];
      }
    }
    req.sched = sched;
    req.schedPrev = prev;
    this.schedAsked = sched;
  }

  /** A cycle that asked for schedstat and got none (every row that was not gone failed) stops asking. */
  private noteSchedstat(det: DetailColumns): void {
    const asked = this.schedAsked;
    if (asked === undefined) return;
    let read = 0;
    let failed = 0;
    let held = 0;
    for (let r = 0; r < asked.length; r++) {
      const flags = det.flags[r];
      // a multi-threaded process of which no thread ran is held too (its schedstat is not asked for)
      if (flags & DetailFlag.THREADS_HELD && !(flags & DetailFlag.GONE)) held++;
      if (!asked[r] || flags & DetailFlag.GONE) continue;
      if (flags & DetailFlag.SCHED_ERR) failed++;
      else read++;
      if (flags & DetailFlag.HELD) held++;
    }
    this.lastIdleHeld = held;
    if (read === 0 && failed > 0) {
      this.schedAbsent = true;
      this.opts.log.debug('no process has a readable schedstat: every process is read in full every cycle');
    }
  }

  /**
   * Whether a tracked process's proportional memory may differ from what was last read: its last read
   * failed or is older than the maximum age, or something its stat shows moved since the last cycle (CPU
   * time, faults, RSS, virtual size, threads). A process whose stat stands still maps and touches no
   * memory of its own; what the maximum age bounds is the share of pages that other processes map or unmap.
   */
  private smapsStale(s: number, cols: StatColumns, i: number, now: number): boolean {
    if (!(now - this.table.smapsAtMs[s] < this.opts.smapsMaxAgeMs)) return true; // NaN: never read well
    return this.statMoved(s, cols, i);
  }

  /** Whether any of the stat values the refresh policies watch moved since the last cycle. */
  private statMoved(s: number, cols: StatColumns, i: number): boolean {
    const t = this.table;
    const b = s * Raw.N;
    return (
      t.base[b + Raw.UTIME] !== cols.utime[i] ||
      t.base[b + Raw.STIME] !== cols.stime[i] ||
      t.base[b + Raw.MINFLT] !== cols.minflt[i] ||
      t.base[b + Raw.MAJFLT] !== cols.majflt[i] ||
      t.rss[s] !== cols.rss[i] ||
      t.vsize[s] !== cols.vsize[i] ||
      t.numThreads[s] !== cols.numThreads[i]
    );
  }

  // ------------------------------------------------------------------------------------ adopt or match

  /**
   * Names the new rows (and, after a reload, the tracked ones to be named again) by the rules; under
   * -children an unmatched one joins its nearest tracked ancestor.
   *
   * Naming is the one per-process cost a local user controls (a long cmdline against rules with
   * captures), so it is bounded twice: a cycle spends at most NAMING_BUDGET_MS naming, and gives the event
   * loop a turn every NAMING_SLICE_MS; the groups of a long cmdline are found on a worker thread
   * (NamingDeferred until they are in). A row left for later: a new process waits unnamed (and counts from
   * its birth once named, so nothing is lost); a tracked one to be named again stays in its group, counted
   * there, until its turn.
   */
  private async adoptOrMatch(fresh: FreshRow[], cols: StatColumns, det: DetailColumns, cycle: number, now: number, rematching: boolean): Promise<void> {
    const o = this.opts;
    const t = this.table;
    const tell = o.onNewProcess;
    const unmatched = new Map<number, FreshRow>();
    const attrsOf = new Map<number, ProcAttributes>();
    const clock = o.monotonicMs ?? (() => Number(process.hrtime.bigint()) / 1e6);
    // time spent naming (the turns given to the event loop excluded)
    let spent = 0;
    let sliceStart = clock();
    // processes born after the exporter started count from birth (docs/behaviour.md#first-sight); in the
    // cycle of a reload, only those born since the last cycle: one that ran unmatched joins from now
    const countFromMs = rematching ? this.lastCycleAtMs : this.firstUpdateAtMs;
    let deferred = 0;
    /** a row whose turn has not come: see above */
    const later = (f: FreshRow) => {
      deferred++;
      if (f.keep !== undefined) {
        this.account(f.keep, cols, f.i, det, f.r, false, now);
      } else if (f.rematch) {
        // an ignored process to be named again (or an exec under -recheck): it stays known, not counted
        const pid = cols.pid[f.i];
        t.add(pid, cols.startTicks[f.i], SlotKind.IGNORED, cycle);
        this.toRename.set(pid, cols.startTicks[f.i]);
      }
    };
    for (const f of fresh) {
      const elapsed = clock() - sliceStart;
      if (elapsed > NAMING_SLICE_MS) {
        spent += elapsed;
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = clock();
      }
      if (spent + (clock() - sliceStart) > NAMING_BUDGET_MS) {
        later(f);
        continue;
      }
      const { r, i } = f;
      const attrs: ProcAttributes = {
        comm: packedString(cols.comm, i),
        cmdline: parseCmdline(packedBytes(det.cmdline, r)),
        cgroups: cgroupPathsOrEmpty(packedBytes(det.cgroup, r)),
        cgroup: this.cgroupIds.of(packedBytes(det.cgroup, r)),
        // an unparsable status leaves the uid unknown: no user name rather than root's
        username: det.flags[r] & DetailFlag.STATUS_ERR ? '' : o.username(det.uid[r] >>> 0),
        pid: cols.pid[i],
        startTimeMs: this.startTimeMs(cols.startTicks[i]),
      };
      let name: string | undefined;
      try {
        name = o.namer.matchAndName(attrs);
      } catch (e) {
        if (e instanceof NamingDeferred) {
          later(f);
          continue;
        }
        // one process's failure costs that process: it stays unmatched, the cycle goes on
        this.matchErrors++;
        if (!this.matchErrorLogged) {
          this.matchErrorLogged = true;
          o.log.error(`matching pid ${attrs.pid} (${attrs.comm}) failed, leaving it unmatched (logged once; see namedprocess_exporter_match_errors_total): ${errorMessage(e)}`);
        }
        name = undefined;
      }
      if (f.keep !== undefined || f.rematch) this.toRename.delete(attrs.pid);
      if (name !== undefined) name = this.labels.bound('groupname', name);
      if (name !== undefined) {
        this.track(name, f, cols, det, cycle, now, countFromMs, attrs.cgroup!);
        tell?.({ pid: attrs.pid, startTicks: cols.startTicks[i], attrs, group: name });
      } else {
        f.cgroup = attrs.cgroup;
        unmatched.set(cols.pid[i], f);
        if (tell) attrsOf.set(attrs.pid, attrs);
      }
    }
    if (deferred > 0) {
      // a deferred process may be the parent the unmatched ones would join: decide them all next cycle;
      // a tracked one that no rule names now stays in its group until then
      for (const f of unmatched.values()) {
        if (f.keep !== undefined) {
          this.toRename.set(cols.pid[f.i], cols.startTicks[f.i]);
          this.account(f.keep, cols, f.i, det, f.r, false, now);
        } else if (f.rematch) {
          later(f);
        }
      }
      o.log.debug(`naming: ${deferred} processes wait for a later cycle (budget of ${NAMING_BUDGET_MS} ms spent, or their groups are being found off the main thread)`);
      return;
    }
    // named again after a reload and matched by no rule: in no group, so it adopts no child meanwhile
    for (const f of unmatched.values()) if (f.keep !== undefined) t.group[f.keep] = null;
    if (unmatched.size === 0) return;

    const trackedGroup = (pid: number): string | null => {
      const s = t.find(pid);
      return s >= 0 && t.kind[s] === SlotKind.TRACKED ? (t.group[s]?.name ?? null) : null;
    };
    // children pass (docs/behaviour.md#ignoring-recheck-and-children): an unmatched process joins its nearest tracked ancestor's group
    const resolved = new Map<number, string | null>();
    const resolve = (pid: number, depth: number): string | null => {
      const known = resolved.get(pid);
      if (known !== undefined) return known;
      resolved.set(pid, null); // guards against ppid loops
      const ppid = cols.ppid[unmatched.get(pid)!.i];
      let name: string | null = null;
      if (ppid >= 1 && depth < 4096) {
        name = trackedGroup(ppid);
        if (name === null && unmatched.has(ppid)) name = resolve(ppid, depth + 1);
      }
      resolved.set(pid, name);
      return name;
    };
    for (const [pid, f] of unmatched) {
      const name = o.children ? resolve(pid, 0) : null;
      if (name !== null) {
        if (trackedGroup(pid) === null) {
          this.track(name, f, cols, det, cycle, now, countFromMs, f.cgroup!);
          tell?.({ pid, startTicks: cols.startTicks[f.i], attrs: attrsOf.get(pid)!, group: name, adoptedBy: cols.ppid[f.i] });
        }
        continue;
      }
      tell?.({ pid, startTicks: cols.startTicks[f.i], attrs: attrsOf.get(pid)! });
      if (f.keep !== undefined) t.remove(f.keep); // re-matching: it left every group
      const start = this.startTimeMs(cols.startTicks[f.i]);
      // only 0 means no limit: a negative limit, which also forces -recheck, ignores at once (docs/behaviour.md#ignoring-recheck-and-children)
      const pending = this.rechecks && (o.recheckWithTimeLimitMs === 0 || start + o.recheckWithTimeLimitMs > now);
      if (!pending) t.add(pid, cols.startTicks[f.i], SlotKind.IGNORED, cycle);
    }
  }

  private startTimeMs(startTicks: number): number {
    return this.opts.bootTimeSec * 1000 + startTicks * 10;
  }

  /** Starts tracking a named row in its group, then accounts its first readings. */
  private track(name: string, f: FreshRow, cols: StatColumns, det: DetailColumns, cycle: number, now: number, countFromMs: number, cgroup: CgroupIdentity): void {
    let group = this.groups.get(name);
    if (group === undefined) {
      group = new GroupAccumulator(name);
      this.groups.set(name, group);
    }
    const { r, i } = f;
    const t = this.table;
    if (f.keep !== undefined) {
      // named again after a reload: its baselines carry over, so the group gets exactly this cycle's delta
      t.group[f.keep] = group;
      t.cgroup[f.keep] = cgroup;
      this.account(f.keep, cols, i, det, r, false, now);
      return;
    }
    const s = t.add(cols.pid[i], cols.startTicks[i], SlotKind.TRACKED, cycle);
    const startTimeMs = this.startTimeMs(cols.startTicks[i]);
    const fromBirth = !f.rematch && startTimeMs > countFromMs;
    t.startTimeMs[s] = startTimeMs;
    t.comm[s] = packedString(cols.comm, i);
    t.group[s] = group;
    t.cgroup[s] = cgroup;
    t.threads[s] = null;
    // the baseline: zero counts everything since birth; no baseline (NaN) takes this reading as one
    t.base.fill(fromBirth ? 0 : NaN, s * Raw.N, s * Raw.N + Raw.N);
    t.swapBytes[s] = 0;
    t.fdLimit[s] = 0;
    t.smapsAtMs[s] = NaN;
    t.pss[s] = t.swapPss[s] = 0;
    t.fullReadAtMs[s] = NaN;
    t.ioErr[s] = 0;
    t.uid[s] = NaN;
    this.account(s, cols, i, det, r, fromBirth, now);
  }

  // ------------------------------------------------------------------------------------ delta, account

  /** Takes this cycle's readings of one process: deltas into its group, gauges, states, threads.
   *  bornSinceStart: first sight of a process born after start, whose threads' ctx switches all count. */
  private account(s: number, cols: StatColumns, i: number, det: DetailColumns, r: number, bornSinceStart: boolean, now: number): void {
    const t = this.table;
    const flags = det.flags[r];
    const g = t.group[s]!;
    // held: status, io and wchan were not read because the process has not run; its last values stand
    const held = (flags & DetailFlag.HELD) !== 0;
    const statusOk = !held && !(flags & DetailFlag.STATUS_ERR);
    const ioOk = !held && !(flags & DetailFlag.IO_ERR);

    // threads first: for a multi-threaded process they are the source of ctx switches, states, wchans
    const threadsHeld = (flags & DetailFlag.THREADS_HELD) !== 0 && t.threads[s] !== null;
    const multi = threadsHeld || det.threadStart[r + 1] - det.threadStart[r] >= 2;
    let threadCtx: [number, number] | null = null;
    if (threadsHeld) threadCtx = this.accountHeldThreads(s, g);
    else if (multi) threadCtx = this.accountThreads(s, det, r, g, bornSinceStart, now);
    else {
      t.threads[s] = null;
      g.addState(cols.state[i]);
      // bounded on every use, held or read: the cut counter moves as if the file had been read again
      g.addWchan(this.labels.bound('wchan', held ? t.wchan[s] : this.readWchan(s, det, r)));
    }

    // an unreadable value (NaN) adds 0 and keeps the last good reading as the baseline (docs/behaviour.md differences #1)
    const cur = this.reading;
    cur[Raw.UTIME] = cols.utime[i];
    cur[Raw.STIME] = cols.stime[i];
    cur[Raw.MINFLT] = cols.minflt[i];
    cur[Raw.MAJFLT] = cols.majflt[i];
    cur[Raw.READ_BYTES] = ioOk ? det.readBytes[r] : NaN;
    cur[Raw.WRITE_BYTES] = ioOk ? det.writeBytes[r] : NaN;
    // status ctx switches stay the baseline even while threads are the source, for a later switch back
    cur[Raw.CTX_VOL] = statusOk ? det.ctxVol[r] : NaN;
    cur[Raw.CTX_NONVOL] = statusOk ? det.ctxNonvol[r] : NaN;
    const delta = this.delta;
    advance(t.base, s * Raw.N, cur, delta);
    if (threadCtx !== null) [delta.ctxVoluntary, delta.ctxNonvoluntary] = threadCtx;

    if (statusOk) {
      t.swapBytes[s] = det.swapBytes[r];
      t.uid[s] = det.uid[r] >>> 0;
    }
    // a held process keeps its last io reading, which was good (it is held only after a complete read)
    if (!held) t.ioErr[s] = flags & DetailFlag.IO_ERR ? 1 : 0;
    t.openFds[s] = det.fdOpen[r];
    if (!(flags & DetailFlag.LIMITS_ERR)) t.fdLimit[s] = det.fdLimit[r];
    t.cpuLast[s] = delta.cpuUser + delta.cpuSystem;
    this.takeSmaps(s, det, r, now);
    this.takeSchedstat(s, det, r, now);
    t.state[s] = cols.state[i];
    t.rss[s] = cols.rss[i];
    t.vsize[s] = cols.vsize[i];
    t.numThreads[s] = cols.numThreads[i];

    const gauges = this.gauges;
    gauges.resident = cols.rss[i] * this.opts.pageSize;
    gauges.virtual = cols.vsize[i];
    gauges.swapped = t.swapBytes[s];
    gauges.proportionalResident = t.pss[s];
    gauges.proportionalSwapped = t.swapPss[s];
    gauges.openFds = det.fdOpen[r];
    gauges.fdLimit = t.fdLimit[s];
    gauges.numThreads = cols.numThreads[i];
    gauges.startTimeMs = t.startTimeMs[s];
    gauges.ioUnreadable = t.ioErr[s];
    gauges.proportionalUnreadable = this.opts.gatherSmaps && Number.isNaN(t.smapsAtMs[s]) ? 1 : 0;
    g.addProcess(delta, gauges);
  }

  /** Keeps what smaps gave this cycle, or the last values read when it was not asked for. */
  private takeSmaps(s: number, det: DetailColumns, r: number, now: number): void {
    const t = this.table;
    const asked = this.smapsAsked;
    if (asked !== undefined && !asked[r]) return;
    t.pss[s] = det.pss[r];
    t.swapPss[s] = det.swapPss[r];
    t.smapsAtMs[s] = det.flags[r] & DetailFlag.SMAPS_ERR ? NaN : now;
  }

  /** What the idle hold compares next cycle: this cycle's schedstat, and whether the full read was complete. */
  private takeSchedstat(s: number, det: DetailColumns, r: number, now: number): void {
    const t = this.table;
    const flags = det.flags[r];
    // "0 0 0" is what a kernel without scheduler statistics prints for every task: it tells nothing
    const usable = (this.schedAsked?.[r] ?? 0) > 0 && !(flags & DetailFlag.SCHED_ERR) && (det.schedRun[r] > 0 || det.schedSlices[r] > 0);
    t.schedRun[s] = usable ? det.schedRun[r] : NaN;
    t.schedSlices[s] = usable ? det.schedSlices[r] : NaN;
    if (!(flags & DetailFlag.HELD)) {
      t.fullReadAtMs[s] = flags & (DetailFlag.STATUS_ERR | DetailFlag.IO_ERR | DetailFlag.WCHAN_ERR) ? NaN : now;
    }
  }

  /** The wchan read this cycle, remembered as read for the cycles in which the process is held. */
  private readWchan(s: number, det: DetailColumns, r: number): string {
    const w = this.internWchan(packedString(det.wchan, r));
    this.table.wchan[s] = w;
    return w;
  }

  /** A few kernel functions are every process's and thread's wchan: one string each, not one per task. */
  private internWchan(w: string): string {
    const known = this.wchans.get(w);
    if (known !== undefined) return known;
    if (this.wchans.size >= 4096) this.wchans.clear();
    this.wchans.set(w, w);
    return w;
  }

  /** Per-thread deltas, states and wchans of a multi-threaded process; returns its ctx switch increases. */
  private accountThreads(s: number, det: DetailColumns, r: number, g: GroupAccumulator, bornSinceStart: boolean, now: number): [number, number] {
    const th = det.threads;
    const prev = this.table.threads[s];
    const next: ThreadBaselines = new Map();
    const cur = this.reading;
    const td = this.threadDelta;
    const asked = (this.threadHoldAsked?.[r] ?? 0) > 0;
    let ctxVol = 0;
    let ctxNonvol = 0;
    g.hasMultiThreaded = true;
    for (let j = det.threadStart[r]; j < det.threadStart[r + 1]; j++) {
      const tid = th.tid[j];
      const tflags = th.flags[j];
      let rec = prev?.get(tid);
      if (rec === undefined || rec.base[THREAD_START] !== th.startTicks[j]) {
        // a thread seen for the first time starts at zero (docs/behaviour.md#first-sight)
        rec = { base: new Float64Array(THREAD_NUMBERS).fill(NaN), comm: '', wchan: '' };
        rec.base[THREAD_START] = th.startTicks[j];
      }
      // held: status, io and wchan not read because the thread has not run since; its last values stand
      const held = (tflags & ThreadFlag.HELD) !== 0;
      cur[Raw.UTIME] = th.utime[j];
      cur[Raw.STIME] = th.stime[j];
      cur[Raw.MINFLT] = th.minflt[j];
      cur[Raw.MAJFLT] = th.majflt[j];
      cur[Raw.READ_BYTES] = held ? NaN : th.readBytes[j];
      cur[Raw.WRITE_BYTES] = held ? NaN : th.writeBytes[j];
      cur[Raw.CTX_VOL] = held ? NaN : th.ctxVol[j];
      cur[Raw.CTX_NONVOL] = held ? NaN : th.ctxNonvol[j];
      const b = rec.base;
      advance(b, 0, cur, td);
      next.set(tid, rec);
      // per-thread deltas: a thread that exits keeps what it contributed (docs/behaviour.md differences #2)
      ctxVol += bornSinceStart && !held ? cur[Raw.CTX_VOL] : td.ctxVoluntary;
      ctxNonvol += bornSinceStart && !held ? cur[Raw.CTX_NONVOL] : td.ctxNonvoluntary;
      rec.comm = packedString(th.comm, j);
      if (!held) rec.wchan = this.internWchan(packedString(th.wchan, j));
      b[THREAD_STATE] = th.state[j];
      // "0 0 0" is what a kernel without scheduler statistics prints for every task: it tells nothing
      const usable = asked && !(tflags & ThreadFlag.SCHED_ERR) && (th.schedRun[j] > 0 || th.schedSlices[j] > 0);
      b[THREAD_SCHED_RUN] = usable ? th.schedRun[j] : NaN;
      b[THREAD_SCHED_SLICES] = usable ? th.schedSlices[j] : NaN;
      if (held) this.lastThreadsHeld++;
      else b[THREAD_FULL_AT] = tflags & (ThreadFlag.IO_ERR | ThreadFlag.WCHAN_ERR) ? NaN : now;
      if (this.opts.threads) g.addThread(this.labels.bound('threadname', rec.comm), td);
      // every thread counted once, the main thread included (docs/behaviour.md differences #3)
      g.addState(th.state[j]);
      g.addWchan(this.labels.bound('wchan', rec.wchan));
    }
    this.table.threads[s] = next;
    return [ctxVol, ctxNonvol];
  }

  /** The threads of a process of which no thread ran since the last cycle: every value as last read, no delta. */
  private accountHeldThreads(s: number, g: GroupAccumulator): [number, number] {
    const td = this.threadDelta;
    td.cpuUser = td.cpuSystem = td.minorPageFaults = td.majorPageFaults = 0;
    td.readBytes = td.writeBytes = td.ctxVoluntary = td.ctxNonvoluntary = 0;
    g.hasMultiThreaded = true;
    for (const rec of this.table.threads[s]!.values()) {
      if (this.opts.threads) g.addThread(this.labels.bound('threadname', rec.comm), td);
      g.addState(rec.base[THREAD_STATE]);
      g.addWchan(this.labels.bound('wchan', rec.wchan));
    }
    this.lastThreadsHeld += this.table.threads[s]!.size;
    return [0, 0];
  }

  private snapshot(): CycleSnapshot {
    const groups = [];
    const pinned = this.opts.pinnedGroups;
    if (pinned !== undefined) for (const name of pinned) if (!this.groups.has(name)) this.groups.set(name, new GroupAccumulator(name));
    for (const [name, g] of this.groups) {
      if (g.numProcs === 0 && this.opts.removeEmptyGroups && !pinned?.has(name)) {
        this.groups.delete(name); // and its thread history: it restarts from 0 if it comes back
        continue;
      }
      groups.push(g.snapshot(this.opts.threads));
    }
    const snap: CycleSnapshot = { ok: true, groups, scrapeErrors: this.scrapeErrors, procReadErrors: this.procReadErrors, partialErrors: this.partialErrors, gatherSmaps: this.opts.gatherSmaps };
    this.top.n = this.opts.topProcesses;
    const processes = this.top.select(this.table, this.lastCycleAtMs, this.opts.pageSize);
    if (processes.length > 0) snap.processes = processes;
    return snap;
  }

  /** Counts a failed cycle and returns what is served for it: the three scrape counters only (docs/behaviour.md#errors). */
  failCycle(why: string): CycleSnapshot {
    this.scrapeErrors++;
    this.opts.log.error(why);
    return { ok: false, groups: [], scrapeErrors: this.scrapeErrors, procReadErrors: this.procReadErrors, partialErrors: this.partialErrors, gatherSmaps: this.opts.gatherSmaps };
  }
}
