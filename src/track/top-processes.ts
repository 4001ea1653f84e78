// -top-processes N (docs/behaviour.md#top-processes): which tracked processes are exported one by one.
// Each cycle the N that used the most CPU during it and the N with the most resident memory qualify. A
// process that stops qualifying stays exported while it qualified within the last RETAIN_MS, so a
// process near the edge of the top does not make its series come and go; at most N such processes are
// kept (those that qualified most recently), so no more than 3N are ever exported.
import { Raw } from './deltas';
import { SlotKind, type ProcTable } from './proc-table';
import type { ProcessSnapshot } from '../expose/snapshot';

/** A process that left the top stays exported this long after it last qualified. */
export const RETAIN_MS = 5 * 60 * 1000;

interface Kept {
  startTicks: number;
  lastQualifiedMs: number;
}

export class TopProcesses {
  /** exported processes by pid (with the start that identifies them) and when they last qualified */
  private readonly kept = new Map<number, Kept>();
  private readonly byCpu: number[] = [];
  private readonly byMemory: number[] = [];

  constructor(public n: number) {}

  /**
   * The processes to export after a cycle: the table holds, per tracked slot, the CPU it used in the
   * cycle (cpuLast) and its resident pages (rss). A process with no CPU in the cycle, or no resident
   * memory, does not qualify by that measure.
   */
  select(t: ProcTable, nowMs: number, pageSize: number): ProcessSnapshot[] {
    const n = this.n;
    if (!(n > 0)) {
      this.kept.clear();
      return [];
    }
    const byCpu = this.byCpu;
    const byMemory = this.byMemory;
    byCpu.length = byMemory.length = 0;
    const slots = t.slotCount;
    for (let s = 0; s < slots; s++) {
      if (t.kind[s] !== SlotKind.TRACKED || t.group[s] === null) continue;
      if (t.cpuLast[s] > 0) offer(byCpu, n, s, t.cpuLast, t.pid);
      if (t.rss[s] > 0) offer(byMemory, n, s, t.rss, t.pid);
    }

    const kept = this.kept;
    const qualified = new Set<number>();
    for (const s of byCpu) qualified.add(s);
    for (const s of byMemory) qualified.add(s);
    for (const s of qualified) kept.set(t.pid[s], { startTicks: t.startTicks[s], lastQualifiedMs: nowMs });

    // the others: still the same process, still tracked, qualified recently; the N most recent stay
    const others: Array<{ slot: number; at: number }> = [];
    for (const [pid, k] of kept) {
      const s = t.find(pid);
      const same = s >= 0 && t.kind[s] === SlotKind.TRACKED && t.group[s] !== null && t.startTicks[s] === k.startTicks;
      if (!same || nowMs - k.lastQualifiedMs > RETAIN_MS) kept.delete(pid);
      else if (!qualified.has(s)) others.push({ slot: s, at: k.lastQualifiedMs });
    }
    others.sort((a, b) => b.at - a.at || t.pid[a.slot] - t.pid[b.slot]);
    for (let i = n; i < others.length; i++) kept.delete(t.pid[others[i].slot]);

    const out: ProcessSnapshot[] = [];
    for (const s of qualified) out.push(snapshotOf(t, s, pageSize));
    for (let i = 0; i < others.length && i < n; i++) out.push(snapshotOf(t, others[i].slot, pageSize));
    return out;
  }
}

/** Keeps `top` the (at most) n slots with the largest value, largest first; equal values by lower pid. */
function offer(top: number[], n: number, s: number, value: Float64Array, pid: Int32Array): void {
  const v = value[s];
  const before = (a: number) => v > value[a] || (v === value[a] && pid[s] < pid[a]);
  if (top.length === n && !before(top[n - 1])) return;
  let i = top.length < n ? top.length : n - 1;
  while (i > 0 && before(top[i - 1])) {
    top[i] = top[i - 1];
    i--;
  }
  top[i] = s;
}

function snapshotOf(t: ProcTable, s: number, pageSize: number): ProcessSnapshot {
  const b = s * Raw.N;
  return {
    pid: t.pid[s],
    comm: t.comm[s],
    group: t.group[s]!.name,
    cpuUser: t.base[b + Raw.UTIME] / 100,
    cpuSystem: t.base[b + Raw.STIME] / 100,
    readBytes: t.base[b + Raw.READ_BYTES],
    writeBytes: t.base[b + Raw.WRITE_BYTES],
    majorPageFaults: t.base[b + Raw.MAJFLT],
    minorPageFaults: t.base[b + Raw.MINFLT],
    resident: t.rss[s] * pageSize,
    virtual: t.vsize[s],
    swapped: t.swapBytes[s],
    proportionalResident: t.pss[s],
    proportionalSwapped: t.swapPss[s],
    openFds: t.openFds[s] >= 0 ? t.openFds[s] : NaN,
    numThreads: t.numThreads[s],
    startTime: t.startTimeMs[s] / 1000,
  };
}
