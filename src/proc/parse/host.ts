// Host-wide totals for the page's header: the aggregate `cpu` line of <procfs>/stat and the memory
// lines of <procfs>/meminfo. Pure functions over the file text; a malformed file is an Error that names it.

/** Jiffies of the aggregate cpu line: busy is everything but idle and iowait (guest time is inside user). */
export interface HostCpuTimes {
  busy: number;
  total: number;
  /** number of `cpuN` lines: the cores the kernel reports */
  cores: number;
}

export interface HostMemory {
  totalBytes: number;
  /** MemTotal - MemAvailable (kernels before 3.14 lack MemAvailable: MemFree + Buffers + Cached instead) */
  usedBytes: number;
}

class HostParseError extends Error {}

/** `<procfs>/stat`: the first line `cpu  user nice system idle iowait irq softirq steal guest guest_nice`. */
export function parseHostCpu(text: string): HostCpuTimes {
  let agg: number[] | null = null;
  let cores = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const parts = line.trim().split(/\s+/);
    if (parts[0] === 'cpu') {
      agg = parts.slice(1).map(Number);
    } else if (/^cpu\d+$/.test(parts[0])) {
      cores++;
    }
  }
  if (agg === null || agg.length < 4 || agg.slice(0, 8).some((v) => !Number.isFinite(v) || v < 0)) {
    throw new HostParseError('stat: no valid aggregate "cpu" line');
  }
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = agg;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait, cores: Math.max(1, cores) };
}

/** `<procfs>/meminfo`: values in kB. */
export function parseHostMemory(text: string): HostMemory {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m) kb.set(m[1], Number(m[2]));
  }
  const total = kb.get('MemTotal');
  if (total === undefined) throw new HostParseError('meminfo: no MemTotal line');
  const available = kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0);
  return { totalBytes: total * 1024, usedBytes: Math.max(0, total - available) * 1024 };
}

/** Busy share of all CPUs between two readings, 0..1; null when no time passed. */
export function busyFraction(prev: HostCpuTimes, cur: HostCpuTimes): number | null {
  const dt = cur.total - prev.total;
  if (dt <= 0) return null;
  return Math.min(1, Math.max(0, (cur.busy - prev.busy) / dt));
}
