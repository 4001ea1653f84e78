// The page's service and container views: the tracked processes summed by systemd unit or by container
// instead of by group, from the tracker's last cycle and the page's own per-process rates. No metric is
// added: /metrics stays by group.
import type { TrackedProcessView } from '../track/tracker';
import type { RowJson, View } from './api';
import type { ProcessRate } from './rates';

/** A row lists at most this many of the groups its processes are in. */
const MAX_GROUP_NAMES = 5;

/** The row a process belongs to in a view other than "group". */
export function rowKey(view: View, p: TrackedProcessView): string {
  if (view === 'service') return p.cgroup.systemdUnit;
  if (view === 'container') return p.cgroup.containerId;
  return p.group;
}

const orNull = (v: number | undefined): number | null => (v === undefined || Number.isNaN(v) ? null : v);

interface Acc {
  row: RowJson;
  groups: Set<string>;
  /** processes with a rate (two readings), with a readable fd count */
  rated: number;
  fdKnown: number;
  oldestMs: number;
}

/** One row per unit (or container), sorted by CPU then resident memory. */
export function viewRows(view: View, procs: readonly TrackedProcessView[], rates: readonly ProcessRate[], gatherSmaps: boolean): RowJson[] {
  const rows = new Map<string, Acc>();
  for (let i = 0; i < procs.length; i++) {
    const p = procs[i];
    const key = rowKey(view, p);
    let a = rows.get(key);
    if (a === undefined) {
      a = {
        row: {
          name: key, cpuPercent: 0, cpuUserPercent: 0, cpuSystemPercent: 0, residentBytes: 0, proportionalResidentBytes: 0, swappedBytes: 0,
          readBytesPerSecond: 0, writeBytesPerSecond: 0, ioUnreadableProcs: 0, proportionalUnreadableProcs: 0, openFds: 0, worstFdRatio: null,
          threads: 0, procs: 0, oldestStartTime: null, spark: [],
        },
        groups: new Set(), rated: 0, fdKnown: 0, oldestMs: Infinity,
      };
      if (view === 'container' && p.cgroup.podUid !== '') a.row.podUid = p.cgroup.podUid;
      rows.set(key, a);
    }
    const r = a.row;
    const rate = rates[i];
    r.procs++;
    a.groups.add(p.group);
    if (rate.cpuUserPercent !== null) {
      a.rated++;
      r.cpuUserPercent! += rate.cpuUserPercent;
      r.cpuSystemPercent! += rate.cpuSystemPercent ?? 0;
    }
    r.residentBytes += p.residentBytes ?? 0;
    const pss = orNull(p.proportionalResidentBytes);
    if (pss === null) r.proportionalUnreadableProcs++;
    else r.proportionalResidentBytes! += pss;
    r.swappedBytes += p.swappedBytes ?? 0;
    if (Number.isNaN(p.readBytes ?? NaN)) r.ioUnreadableProcs++;
    if (rate.readBytesPerSecond !== null) r.readBytesPerSecond! += rate.readBytesPerSecond;
    if (rate.writeBytesPerSecond !== null) r.writeBytesPerSecond! += rate.writeBytesPerSecond;
    if ((p.openFds ?? -1) >= 0) {
      a.fdKnown++;
      r.openFds! += p.openFds!;
    }
    r.threads += p.numThreads ?? 0;
    if (p.startTimeMs < a.oldestMs) a.oldestMs = p.startTimeMs;
  }
  const out: RowJson[] = [];
  for (const a of rows.values()) {
    const r = a.row;
    if (a.rated === 0) r.cpuUserPercent = r.cpuSystemPercent = null;
    r.cpuPercent = r.cpuUserPercent === null ? null : r.cpuUserPercent + r.cpuSystemPercent!;
    // a figure no process could give is unknown, not 0; rates need two readings of some process
    if (!gatherSmaps || r.proportionalUnreadableProcs >= r.procs) r.proportionalResidentBytes = null;
    if (r.ioUnreadableProcs >= r.procs || a.rated === 0) r.readBytesPerSecond = r.writeBytesPerSecond = null;
    if (a.fdKnown === 0) r.openFds = null;
    if (!gatherSmaps) r.proportionalUnreadableProcs = 0;
    r.oldestStartTime = Math.floor(a.oldestMs / 1000);
    const groups = [...a.groups].sort();
    r.groups = groups.length > MAX_GROUP_NAMES ? [...groups.slice(0, MAX_GROUP_NAMES), '…'] : groups;
    out.push(r);
  }
  return out.sort((a, b) => (b.cpuPercent ?? -1) - (a.cpuPercent ?? -1) || b.residentBytes - a.residentBytes || (a.name < b.name ? -1 : 1));
}
