// What the bench reads about the contenders themselves: CPU from /proc/<pid>/stat (utime + stime, which
// include every thread, live or exited), per-thread CPU for the profile, and memory from status.
import { readFileSync, readdirSync } from 'node:fs';

// USER_HZ is 100 on every Linux ABI node supports
export const TICK_S = 0.01;

export interface Cpu {
  userS: number;
  sysS: number;
}

function statFields(text: string): string[] {
  // fields after the comm, which may hold spaces and parentheses
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

export function cpuOf(pid: number): Cpu | null {
  try {
    const f = statFields(readFileSync(`/proc/${pid}/stat`, 'latin1'));
    return { userS: Number(f[11]) * TICK_S, sysS: Number(f[12]) * TICK_S };
  } catch {
    return null;
  }
}

export interface ThreadCpu {
  tid: number;
  name: string;
  userS: number;
  sysS: number;
}

export function threadsOf(pid: number): ThreadCpu[] {
  const out: ThreadCpu[] = [];
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tids) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${t}/stat`, 'latin1');
      const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
      const f = statFields(text);
      out.push({ tid: Number(t), name, userS: Number(f[11]) * TICK_S, sysS: Number(f[12]) * TICK_S });
    } catch {
      // the thread exited meanwhile
    }
  }
  return out;
}

export interface Mem {
  rssMiB: number;
  hwmMiB: number;
}

export function memOf(pid: number): Mem | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'latin1');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** Number of tasks (processes and threads) on the host, from the live /proc. */
export function hostTasks(): { procs: number; threads: number } {
  let procs = 0;
  let threads = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    procs++;
    try {
      const f = statFields(readFileSync(`/proc/${d}/stat`, 'latin1'));
      threads += Number(f[17]);
    } catch {
      // gone
    }
  }
  return { procs, threads };
}

/** Adds per-thread-name CPU between two readings; CPU of threads that exited in between is `exited`. */
export function threadDelta(pid: number, before: ThreadCpu[], after: ThreadCpu[], total: Cpu, into: Map<string, Cpu>): void {
  const prev = new Map(before.map((t) => [t.tid, t]));
  let userSum = 0;
  let sysSum = 0;
  for (const t of after) {
    const p = prev.get(t.tid);
    const du = t.userS - (p?.userS ?? 0);
    const ds = t.sysS - (p?.sysS ?? 0);
    userSum += du;
    sysSum += ds;
    // Node names every thread "node": the main thread (JS and N-API calls) is the one whose tid is the pid
    const name = t.tid === pid ? 'main thread' : `other threads (${normaliseThreadName(t.name)})`;
    const acc = into.get(name) ?? { userS: 0, sysS: 0 };
    acc.userS += du;
    acc.sysS += ds;
    into.set(name, acc);
  }
  const exited = { userS: total.userS - userSum, sysS: total.sysS - sysSum };
  if (exited.userS > 1e-9 || exited.sysS > 1e-9) {
    const acc = into.get('threads that exited') ?? { userS: 0, sysS: 0 };
    acc.userS += Math.max(0, exited.userS);
    acc.sysS += Math.max(0, exited.sysS);
    into.set('threads that exited', acc);
  }
}

// "V8 DefaultWorke" and friends carry no number; scanner workers might: fold digits so they add up
function normaliseThreadName(name: string): string {
  return name.replace(/\d+$/, '#');
}

/** Busy CPU seconds of the whole host since boot (all cores; idle and iowait excluded), from /proc/stat. */
export function hostBusyS(): number {
  const f = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const busy = f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0);
  return busy * TICK_S;
}
