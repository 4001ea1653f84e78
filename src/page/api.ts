// The JSON the page's endpoints answer with: one typed contract for routes.ts, the tests and
// src/ui/page.js, whose JSDoc imports these types and which tsc checks against them (tsconfig.page.json).
// A figure that no process of a row could give is null, never 0.

/** How /api/groups and /api/processes cut the tracked processes into rows. */
export const VIEWS = ['group', 'service', 'container'] as const;
export type View = (typeof VIEWS)[number];

/** At most this many processes are listed for one row. */
export const MAX_PROCESS_ROWS = 200;

export interface HostTotalsJson {
  /** share of all CPUs busy, 0..100; null until two readings a second apart exist */
  cpuBusyPercent: number | null;
  cores: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
}

/** One row of the table: a group, a systemd unit or a container. */
export interface RowJson {
  /** the group name, the unit name, or the container id; "" for the processes in no unit / no container */
  name: string;
  /** percent of one core; null until the row has two readings (service and container views) */
  cpuPercent: number | null;
  cpuUserPercent: number | null;
  cpuSystemPercent: number | null;
  residentBytes: number;
  /** null without -gather-smaps or when no process's smaps could be read */
  proportionalResidentBytes: number | null;
  swappedBytes: number;
  /** null when no process's io could be read (or, in the service and container views, before two readings) */
  readBytesPerSecond: number | null;
  writeBytesPerSecond: number | null;
  /** of procs, those whose io (read/write) or smaps (proportional memory) could not be read this cycle */
  ioUnreadableProcs: number;
  proportionalUnreadableProcs: number;
  /** null in the service and container views when no process's fd/ could be read */
  openFds: number | null;
  /** 0..1, the group view only (null in the others) */
  worstFdRatio: number | null;
  threads: number;
  procs: number;
  /** Unix seconds; null for an empty row */
  oldestStartTime: number | null;
  /** CPU percent over the last history points (group view only; empty otherwise) */
  spark: number[];
  /** service and container views: the groups its processes are in (at most 5, then "…") */
  groups?: string[];
  /** container view: the pod's UID when the container belongs to a Kubernetes pod */
  podUid?: string;
}

export interface GroupsJson {
  view: View;
  updatedAt: number;
  cycleOk: boolean;
  intervalSeconds: number;
  historySeconds: number;
  telemetryPath: string;
  gatherSmaps: boolean;
  /** whether /api/processes includes command lines (-web.page-expose-cmdlines) */
  cmdlines: boolean;
  /** kept for older pages: true (a row's processes are always listed) */
  processRows: boolean;
  host: HostTotalsJson | null;
  queries: Readonly<Record<string, string>>;
  /** rows with at least one process, of all rows (groups without processes stay listed in `groups`) */
  liveRows: number;
  totalRows: number;
  groups: RowJson[];
}

export interface ProcessJson {
  pid: number;
  comm: string;
  user: string;
  group: string;
  /** the process's systemd unit, container id and pod UID ("" when none) */
  service: string;
  containerId: string;
  podUid: string;
  /** percent of one core between the last two readings; null until there are two */
  cpuPercent: number | null;
  residentBytes: number;
  proportionalResidentBytes: number | null;
  /** null when its io cannot be read, or before two readings */
  readBytesPerSecond: number | null;
  writeBytesPerSecond: number | null;
  /** Unix seconds */
  startTime: number;
  /** only with -web.page-expose-cmdlines */
  cmdline?: string;
}

export interface ProcessesJson {
  view: View;
  group: string;
  /** the row's processes; at most MAX_PROCESS_ROWS are listed, busiest first */
  total: number;
  cmdlines: boolean;
  processes: ProcessJson[];
}

/** /api/history?group=: a group's figures over the kept history, one value per time in `t`. */
export interface HistoryJson {
  group: string;
  /** Unix milliseconds of each point */
  t: number[];
  cpuUserPercent: number[];
  cpuSystemPercent: number[];
  residentBytes: number[];
  proportionalResidentBytes: number[];
  swappedBytes: number[];
  readBytesPerSecond: number[];
  writeBytesPerSecond: number[];
  openFds: number[];
  threads: number[];
  procs: number[];
}
