// Writes the namedprocess_* families straight from a CycleSnapshot, byte for byte as the reference
// (client_golang registry + prometheus/common expfmt) prints them. No prom-client: at 10k+ groups
// building metric objects costs far more than formatting the lines.
//
// Ordering rules reproduced here (client_golang Gather + expfmt):
// - families sorted by name (fixed list below, checked by a test);
// - label pairs printed in label-name order;
// - samples sorted by their label values compared byte-wise in that label-name order, so e.g.
//   context_switches is ordered by (ctxswitchtype, groupname) and memory_bytes by (groupname, memtype);
// - a family without samples is not written at all (Gather only creates families for collected metrics).

import type { CycleSnapshot, GroupSnapshot, ProcessSnapshot, ThreadNameSnapshot } from './snapshot';
import { formatOpenMetricsFloat, formatTextFloat } from './gofloat';
import { compareGoStrings } from '../go/strings';

export type ExpositionFormat = 'text' | 'openmetrics';

interface RenderOptions {
  /** -threads: write the namegroup_thread_* families for groups that have thread data */
  threads: boolean;
  format: ExpositionFormat;
}

type MetricType = 'counter' | 'gauge';

interface Family {
  name: string;
  type: MetricType;
  help: string;
}

// HELP texts verbatim from the reference collector (docs/behaviour.md#metrics), quirks included.
const F = {
  ctx: { name: 'namedprocess_namegroup_context_switches_total', type: 'counter', help: 'Context switches' },
  cpu: { name: 'namedprocess_namegroup_cpu_seconds_total', type: 'counter', help: 'Cpu user usage in seconds' },
  majflt: { name: 'namedprocess_namegroup_major_page_faults_total', type: 'counter', help: 'Major page faults' },
  mem: { name: 'namedprocess_namegroup_memory_bytes', type: 'gauge', help: 'number of bytes of memory in use' },
  minflt: { name: 'namedprocess_namegroup_minor_page_faults_total', type: 'counter', help: 'Minor page faults' },
  numProcs: { name: 'namedprocess_namegroup_num_procs', type: 'gauge', help: 'number of processes in this group' },
  numThreads: { name: 'namedprocess_namegroup_num_threads', type: 'gauge', help: 'Number of threads' },
  oldest: {
    name: 'namedprocess_namegroup_oldest_start_time_seconds',
    type: 'gauge',
    help: 'start time in seconds since 1970/01/01 of oldest process in group',
  },
  fds: {
    name: 'namedprocess_namegroup_open_filedesc',
    type: 'gauge',
    help: 'number of open file descriptors for this group',
  },
  read: { name: 'namedprocess_namegroup_read_bytes_total', type: 'counter', help: 'number of bytes read by this group' },
  states: {
    name: 'namedprocess_namegroup_states',
    type: 'gauge',
    help: 'Number of processes in states Running, Sleeping, Waiting, Zombie, or Other',
  },
  thrCtx: {
    name: 'namedprocess_namegroup_thread_context_switches_total',
    type: 'counter',
    help: 'Context switches for these threads',
  },
  thrCount: {
    name: 'namedprocess_namegroup_thread_count',
    type: 'gauge',
    help: 'Number of threads in this group with same threadname',
  },
  thrCpu: {
    name: 'namedprocess_namegroup_thread_cpu_seconds_total',
    type: 'counter',
    help: 'Cpu user/system usage in seconds',
  },
  thrIo: {
    name: 'namedprocess_namegroup_thread_io_bytes_total',
    type: 'counter',
    help: 'number of bytes read/written by these threads',
  },
  thrMajflt: {
    name: 'namedprocess_namegroup_thread_major_page_faults_total',
    type: 'counter',
    help: 'Major page faults for these threads',
  },
  thrMinflt: {
    name: 'namedprocess_namegroup_thread_minor_page_faults_total',
    type: 'counter',
    help: 'Minor page faults for these threads',
  },
  wchan: {
    name: 'namedprocess_namegroup_threads_wchan',
    type: 'gauge',
    help: 'Number of threads in this group waiting on each wchan',
  },
  ratio: {
    name: 'namedprocess_namegroup_worst_fd_ratio',
    type: 'gauge',
    help: 'the worst (closest to 1) ratio between open fds and max fds among all procs in this group',
  },
  write: {
    name: 'namedprocess_namegroup_write_bytes_total',
    type: 'counter',
    help: 'number of bytes written by this group',
  },
  // -top-processes (ours): one process each, its own totals since it started
  pCpu: { name: 'namedprocess_process_cpu_seconds_total', type: 'counter', help: 'CPU seconds used by this process since it started, by mode' },
  pMajflt: { name: 'namedprocess_process_major_page_faults_total', type: 'counter', help: 'Major page faults of this process since it started' },
  pMem: { name: 'namedprocess_process_memory_bytes', type: 'gauge', help: 'number of bytes of memory used by this process, by memtype' },
  pMinflt: { name: 'namedprocess_process_minor_page_faults_total', type: 'counter', help: 'Minor page faults of this process since it started' },
  pThreads: { name: 'namedprocess_process_num_threads', type: 'gauge', help: 'Number of threads of this process' },
  pFds: { name: 'namedprocess_process_open_filedesc', type: 'gauge', help: 'number of open file descriptors of this process' },
  pRead: { name: 'namedprocess_process_read_bytes_total', type: 'counter', help: 'number of bytes read from storage by this process since it started' },
  pStart: { name: 'namedprocess_process_start_time_seconds', type: 'gauge', help: 'start time of this process in seconds since 1970/01/01' },
  pWrite: { name: 'namedprocess_process_write_bytes_total', type: 'counter', help: 'number of bytes written to storage by this process since it started' },
  scrapeErrors: {
    name: 'namedprocess_scrape_errors',
    type: 'counter',
    help: 'general scrape errors: no proc metrics collected during a cycle',
  },
  partialErrors: {
    name: 'namedprocess_scrape_partial_errors',
    type: 'counter',
    help: "incremented each time a tracked proc's metrics collection fails partially, e.g. unreadable I/O stats",
  },
  procreadErrors: {
    name: 'namedprocess_scrape_procread_errors',
    type: 'counter',
    help: "incremented each time a proc's metrics collection fails",
  },
} satisfies Record<string, Family>;

/** Every family this module writes, by a short key: its name, type and HELP text are written only here. */
export const FAMILIES: Readonly<typeof F> = F;

/** name -> HELP text and type of every family this module can write. */
export const FAMILY_INFO: ReadonlyMap<string, { help: string; type: string }> = new Map(Object.values(F).map((f) => [f.name, { help: f.help, type: f.type }]));

/** Every family this module can write, in output order (exported so a test can check the sort). */
export const FAMILY_ORDER: readonly string[] = [
  F.ctx, F.cpu, F.majflt, F.mem, F.minflt, F.numProcs, F.numThreads, F.oldest, F.fds, F.read, F.states,
  F.thrCtx, F.thrCount, F.thrCpu, F.thrIo, F.thrMajflt, F.thrMinflt, F.wchan, F.ratio, F.write,
  F.pCpu, F.pMajflt, F.pMem, F.pMinflt, F.pThreads, F.pFds, F.pRead, F.pStart, F.pWrite,
  F.scrapeErrors, F.partialErrors, F.procreadErrors,
].map((f) => f.name);

/** `# HELP` and `# TYPE` lines, as expfmt MetricFamilyToText / MetricFamilyToOpenMetrics write them. */
function header(f: Family, format: ExpositionFormat): string {
  if (format === 'text') return `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`;
  // OpenMetrics: a counter's family name drops `_total`; a counter without `_total` cannot be a valid
  // OpenMetrics counter, so expfmt declares it `unknown` and keeps its sample name unchanged.
  let name = f.name;
  let type: string = f.type;
  if (f.type === 'counter') {
    if (name.endsWith('_total')) name = name.slice(0, -6);
    else type = 'unknown';
  }
  return `# HELP ${name} ${f.help}\n# TYPE ${name} ${type}\n`;
}

const HEADERS: Record<ExpositionFormat, Record<keyof typeof F, string>> = {
  text: mapFamilies((f) => header(f, 'text')),
  openmetrics: mapFamilies((f) => header(f, 'openmetrics')),
};

function mapFamilies(fn: (f: Family) => string): Record<keyof typeof F, string> {
  const out = {} as Record<keyof typeof F, string>;
  for (const k of Object.keys(F) as (keyof typeof F)[]) out[k] = fn(F[k]);
  return out;
}

/**
 * Makes a label value well-formed Unicode: lone surrogates (only possible from JS code; bytes read
 * from /proc are already decoded with U+FFFD) become U+FFFD so the UTF-8 output never mangles them.
 */
function sanitizeLabelValue(s: string): string {
  const w = s as unknown as WellFormed;
  return w.isWellFormed() ? s : w.toWellFormed();
}

// ES2024 String methods (Node 20 has them; the ES2022 lib typings do not).
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** expfmt label-value escaping: `\` -> `\\`, `"` -> `\"`, newline -> `\n`; everything else verbatim. */
function escapeLabelValue(s: string): string {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 || c === 34 || c === 10) break;
  }
  // Nearly every name needs no escaping: return it as is.
  if (i === n) return s;
  let out = s.slice(0, i);
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) out += '\\\\';
    else if (c === 34) out += '\\"';
    else if (c === 10) out += '\\n';
    else out += s[i];
  }
  return out;
}


interface Named<T> {
  /** sanitized value, the sort key */
  key: string;
  /** escaped for use between the quotes of a label */
  esc: string;
  item: T;
}

function named<T>(key: string, item: T): Named<T> {
  const clean = sanitizeLabelValue(key);
  return { key: clean, esc: escapeLabelValue(clean), item };
}

function byKey<T>(a: Named<T>, b: Named<T>): number {
  return compareGoStrings(a.key, b.key);
}

// Flush the accumulated text into a chunk at this size, so no single string gets huge.
const CHUNK = 1 << 16;

class Out {
  parts: string[] = [];
  s = '';
  // Stored so the optimiser cannot drop the flattening read below as dead code.
  private sink = 0;
  flushIfBig(): void {
    if (this.s.length >= CHUNK) {
      const s = this.s;
      // Reading a character flattens the rope now, while its many small pieces are still young
      // garbage; kept as a rope they would be promoted and make the old-generation GC do the work
      // (this halves the render time at 100k groups).
      this.sink ^= s.charCodeAt(0);
      this.parts.push(s);
      this.s = '';
    }
  }
  done(): string[] {
    if (this.s.length > 0) this.parts.push(this.s);
    this.s = '';
    return this.parts;
  }
}

/**
 * The namedprocess_* part of the exposition, ending with the three scrape counters; no `# EOF`: the
 * exporter's own families follow, and prom-client's text ends with it. Built in chunks of about
 * CHUNK characters (see Out), joined at the end.
 */
export function renderGroupFamilies(snap: CycleSnapshot, opts: RenderOptions): string {
  const fmt = opts.format === 'openmetrics' ? formatOpenMetricsFloat : formatTextFloat;
  const H = HEADERS[opts.format];
  const o = new Out();

  if (snap.ok && snap.groups.length > 0) {
    const groups = snap.groups.map((g) => named(g.name, g)).sort(byKey);
    writeGroupFamilies(o, groups, snap.gatherSmaps, opts.threads, H, fmt);
    if (snap.processes !== undefined && snap.processes.length > 0) writeProcessFamilies(o, snap.processes, snap.gatherSmaps, H, fmt);
  }

  o.s +=
    H.scrapeErrors + F.scrapeErrors.name + ' ' + fmt(snap.scrapeErrors) + '\n' +
    H.partialErrors + F.partialErrors.name + ' ' + fmt(snap.partialErrors) + '\n' +
    H.procreadErrors + F.procreadErrors.name + ' ' + fmt(snap.procReadErrors) + '\n';
  return o.done().join('');
}

type Fmt = (v: number) => string;
type G = Named<GroupSnapshot>;
type T = Named<ThreadNameSnapshot>;

// One sample per group: `<name>{groupname="<g>"} <v>`.
function perGroup(o: Out, header: string, name: string, groups: G[], fmt: Fmt, get: (g: GroupSnapshot) => number): void {
  o.s += header;
  const pre = name + '{groupname="';
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    o.s += pre + g.esc + '"} ' + fmt(get(g.item)) + '\n';
    o.flushIfBig();
  }
}

function writeGroupFamilies(
  o: Out,
  groups: G[],
  smaps: boolean,
  threads: boolean,
  H: Record<keyof typeof F, string>,
  fmt: Fmt,
): void {
  const n = groups.length;

  // context_switches: labels (ctxswitchtype, groupname), so all nonvoluntary rows come first.
  o.s += H.ctx;
  {
    const pn = F.ctx.name + '{ctxswitchtype="nonvoluntary",groupname="';
    for (let i = 0; i < n; i++) {
      o.s += pn + groups[i].esc + '"} ' + fmt(groups[i].item.ctxNonvoluntary) + '\n';
      o.flushIfBig();
    }
    const pv = F.ctx.name + '{ctxswitchtype="voluntary",groupname="';
    for (let i = 0; i < n; i++) {
      o.s += pv + groups[i].esc + '"} ' + fmt(groups[i].item.ctxVoluntary) + '\n';
      o.flushIfBig();
    }
  }

  // cpu_seconds_total: (groupname, mode); "system" < "user".
  o.s += H.cpu;
  {
    const p = F.cpu.name + '{groupname="';
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      o.s +=
        p + g.esc + '",mode="system"} ' + fmt(g.item.cpuSystem) + '\n' +
        p + g.esc + '",mode="user"} ' + fmt(g.item.cpuUser) + '\n';
      o.flushIfBig();
    }
  }

  perGroup(o, H.majflt, F.majflt.name, groups, fmt, (g) => g.majorPageFaults);

  // memory_bytes: (groupname, memtype); proportional* sort before resident < swapped < virtual.
  o.s += H.mem;
  {
    const p = F.mem.name + '{groupname="';
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      const q = p + g.esc;
      if (smaps) {
        o.s +=
          q + '",memtype="proportionalResident"} ' + fmt(g.item.proportionalResident) + '\n' +
          q + '",memtype="proportionalSwapped"} ' + fmt(g.item.proportionalSwapped) + '\n';
      }
      o.s +=
        q + '",memtype="resident"} ' + fmt(g.item.resident) + '\n' +
        q + '",memtype="swapped"} ' + fmt(g.item.swapped) + '\n' +
        q + '",memtype="virtual"} ' + fmt(g.item.virtual) + '\n';
      o.flushIfBig();
    }
  }

  perGroup(o, H.minflt, F.minflt.name, groups, fmt, (g) => g.minorPageFaults);
  perGroup(o, H.numProcs, F.numProcs.name, groups, fmt, (g) => g.numProcs);
  perGroup(o, H.numThreads, F.numThreads.name, groups, fmt, (g) => g.numThreads);
  perGroup(o, H.oldest, F.oldest.name, groups, fmt, (g) => g.oldestStartTime);
  perGroup(o, H.fds, F.fds.name, groups, fmt, (g) => g.openFds);
  perGroup(o, H.read, F.read.name, groups, fmt, (g) => g.readBytes);

  // states: (groupname, state); Other < Running < Sleeping < Waiting < Zombie.
  o.s += H.states;
  {
    const p = F.states.name + '{groupname="';
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      const q = p + g.esc;
      const st = g.item.states;
      o.s +=
        q + '",state="Other"} ' + fmt(st.other) + '\n' +
        q + '",state="Running"} ' + fmt(st.running) + '\n' +
        q + '",state="Sleeping"} ' + fmt(st.sleeping) + '\n' +
        q + '",state="Waiting"} ' + fmt(st.waiting) + '\n' +
        q + '",state="Zombie"} ' + fmt(st.zombie) + '\n';
      o.flushIfBig();
    }
  }

  if (threads) writeThreadFamilies(o, groups, H, fmt);

  // threads_wchan: (groupname, wchan); written only if some group has a wchan sample.
  {
    let any = false;
    const p = F.wchan.name + '{groupname="';
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      if (g.item.wchans.size === 0) continue;
      if (!any) {
        o.s += H.wchan;
        any = true;
      }
      const ws: Named<number>[] = [];
      for (const [w, c] of g.item.wchans) ws.push(named(w, c));
      ws.sort(byKey);
      const q = p + g.esc + '",wchan="';
      for (let j = 0; j < ws.length; j++) o.s += q + ws[j].esc + '"} ' + fmt(ws[j].item) + '\n';
      o.flushIfBig();
    }
  }

  perGroup(o, H.ratio, F.ratio.name, groups, fmt, (g) => g.worstFdRatio);
  perGroup(o, H.write, F.write.name, groups, fmt, (g) => g.writeBytes);
}

function writeThreadFamilies(o: Out, groups: G[], H: Record<keyof typeof F, string>, fmt: Fmt): void {
  // Only groups with thread data take part; each one's thread names sorted once for all six families.
  const tg: { g: G; ts: T[] }[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (g.item.threads.length === 0) continue;
    const ts = g.item.threads.map((t) => named(t.name, t)).sort(byKey);
    tg.push({ g, ts });
  }
  if (tg.length === 0) return;

  // thread_context_switches_total: (ctxswitchtype, groupname, threadname).
  o.s += H.thrCtx;
  for (const ct of ['nonvoluntary', 'voluntary'] as const) {
    const p = F.thrCtx.name + '{ctxswitchtype="' + ct + '",groupname="';
    for (const { g, ts } of tg) {
      const q = p + g.esc + '",threadname="';
      for (const t of ts) {
        o.s += q + t.esc + '"} ' + fmt(ct === 'voluntary' ? t.item.ctxVoluntary : t.item.ctxNonvoluntary) + '\n';
      }
      o.flushIfBig();
    }
  }

  // thread_count: (groupname, threadname).
  threadFamily(o, H.thrCount, F.thrCount.name, tg, fmt, (t) => t.count);

  // thread_cpu_seconds_total: (groupname, mode, threadname): every system row of a group, then user.
  o.s += H.thrCpu;
  for (const { g, ts } of tg) {
    const p = F.thrCpu.name + '{groupname="' + g.esc;
    const qs = p + '",mode="system",threadname="';
    for (const t of ts) o.s += qs + t.esc + '"} ' + fmt(t.item.cpuSystem) + '\n';
    const qu = p + '",mode="user",threadname="';
    for (const t of ts) o.s += qu + t.esc + '"} ' + fmt(t.item.cpuUser) + '\n';
    o.flushIfBig();
  }

  // thread_io_bytes_total: (groupname, iomode, threadname): read rows, then write rows.
  o.s += H.thrIo;
  for (const { g, ts } of tg) {
    const p = F.thrIo.name + '{groupname="' + g.esc;
    const qr = p + '",iomode="read",threadname="';
    for (const t of ts) o.s += qr + t.esc + '"} ' + fmt(t.item.readBytes) + '\n';
    const qw = p + '",iomode="write",threadname="';
    for (const t of ts) o.s += qw + t.esc + '"} ' + fmt(t.item.writeBytes) + '\n';
    o.flushIfBig();
  }

  threadFamily(o, H.thrMajflt, F.thrMajflt.name, tg, fmt, (t) => t.majorPageFaults);
  threadFamily(o, H.thrMinflt, F.thrMinflt.name, tg, fmt, (t) => t.minorPageFaults);
}

// `<name>{groupname="<g>",threadname="<t>"} <v>` for every thread name of every group.
function threadFamily(
  o: Out,
  header: string,
  name: string,
  tg: { g: G; ts: T[] }[],
  fmt: Fmt,
  get: (t: ThreadNameSnapshot) => number,
): void {
  o.s += header;
  for (const { g, ts } of tg) {
    const q = name + '{groupname="' + g.esc + '",threadname="';
    for (const t of ts) o.s += q + t.esc + '"} ' + fmt(get(t.item)) + '\n';
    o.flushIfBig();
  }
}

interface ProcRow {
  /** `comm="<c>",groupname="<g>"` escaped: the labels before the family's own */
  pre: string;
  /** `pid="<p>"` */
  pid: string;
  /** the sort key's first part, (comm, groupname) */
  comm: string;
  group: string;
  pidText: string;
  item: ProcessSnapshot;
}

/**
 * The namedprocess_process_* families of -top-processes. Labels in name order (comm, groupname, then
 * memtype or mode, then pid) and samples sorted by their values in that order, as for the group
 * families; pid compares as text. A value never read (NaN) is left out.
 */
function writeProcessFamilies(o: Out, processes: ProcessSnapshot[], smaps: boolean, H: Record<keyof typeof F, string>, fmt: Fmt): void {
  const rows: ProcRow[] = processes.map((p) => {
    const c = named(p.comm, null);
    const g = named(p.group, null);
    const pidText = String(p.pid);
    return { pre: 'comm="' + c.esc + '",groupname="' + g.esc + '"', pid: 'pid="' + pidText + '"', comm: c.key, group: g.key, pidText, item: p };
  });
  rows.sort((a, b) => compareGoStrings(a.comm, b.comm) || compareGoStrings(a.group, b.group) || compareGoStrings(a.pidText, b.pidText));
  // runs of rows with the same (comm, groupname): a family with a label between groupname and pid
  // writes all of a run's rows for one value of that label, then the next value
  const runs: Array<[number, number]> = [];
  for (let i = 0; i < rows.length; ) {
    let j = i + 1;
    while (j < rows.length && rows[j].comm === rows[i].comm && rows[j].group === rows[i].group) j++;
    runs.push([i, j]);
    i = j;
  }
  const plain = (header: string, name: string, get: (p: ProcessSnapshot) => number) => {
    let text = '';
    for (const r of rows) {
      const v = get(r.item);
      if (v === v) text += name + '{' + r.pre + ',' + r.pid + '} ' + fmt(v) + '\n';
    }
    if (text !== '') o.s += header + text;
  };
  const split = (header: string, name: string, label: string, parts: ReadonlyArray<readonly [string, (p: ProcessSnapshot) => number]>) => {
    let text = '';
    for (const [from, to] of runs) {
      for (const [value, get] of parts) {
        for (let i = from; i < to; i++) {
          const v = get(rows[i].item);
          if (v === v) text += name + '{' + rows[i].pre + ',' + label + '="' + value + '",' + rows[i].pid + '} ' + fmt(v) + '\n';
        }
      }
    }
    if (text !== '') o.s += header + text;
  };
  split(H.pCpu, 'namedprocess_process_cpu_seconds_total', 'mode', [['system', (p) => p.cpuSystem], ['user', (p) => p.cpuUser]]);
  plain(H.pMajflt, 'namedprocess_process_major_page_faults_total', (p) => p.majorPageFaults);
  const mem: Array<readonly [string, (p: ProcessSnapshot) => number]> = [];
  if (smaps) mem.push(['proportionalResident', (p) => p.proportionalResident], ['proportionalSwapped', (p) => p.proportionalSwapped]);
  mem.push(['resident', (p) => p.resident], ['swapped', (p) => p.swapped], ['virtual', (p) => p.virtual]);
  split(H.pMem, 'namedprocess_process_memory_bytes', 'memtype', mem);
  plain(H.pMinflt, 'namedprocess_process_minor_page_faults_total', (p) => p.minorPageFaults);
  plain(H.pThreads, 'namedprocess_process_num_threads', (p) => p.numThreads);
  plain(H.pFds, 'namedprocess_process_open_filedesc', (p) => p.openFds);
  plain(H.pRead, 'namedprocess_process_read_bytes_total', (p) => p.readBytes);
  plain(H.pStart, 'namedprocess_process_start_time_seconds', (p) => p.startTime);
  plain(H.pWrite, 'namedprocess_process_write_bytes_total', (p) => p.writeBytes);
  o.flushIfBig();
}
