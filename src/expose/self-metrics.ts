// The exporter's own metrics, written directly: the process_* and nodejs_* families prom-client's default
// metrics export (same names, HELP texts, labels and order, so dashboards built on them keep working),
// the reference's build-info family, and what the last cycle cost. No prom-client: loading it costs
// about 12 MB of RSS and its registry a few hundred microseconds per scrape.
import { readFileSync, readdirSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { MAX_LABEL_VALUE_LENGTH } from './label-bound';
import type { ExpositionFormat } from './text';
import { GcPauses, LoopDelay } from './runtime-probes';
import { goArch, goOs } from '../go/platform';

const GC_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5];

interface GcKind {
  buckets: number[];
  sum: number;
  count: number;
}

// computed once, as prom-client does
const START_SECONDS = Math.round(Date.now() / 1000 - process.uptime());
const VERSION_SEGMENTS = process.version.slice(1).split('.').map(Number);

function maxFds(): number | undefined {
  try {
    for (const line of readFileSync('/proc/self/limits', 'utf8').split('\n')) {
      if (line.startsWith('Max open files')) return Number(line.split(/  +/)[1]);
    }
  } catch {
    // no procfs: the family is left out
  }
  return undefined;
}

/** VmRSS, VmSize, VmData of /proc/self/status in bytes. */
function selfStatus(): { rss: number; size: number; data: number } | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/self/status', 'latin1');
  } catch {
    return undefined;
  }
  const kb = (key: string) => {
    const at = text.indexOf(`\n${key}:`);
    if (at < 0) return NaN;
    return parseInt(text.slice(at + key.length + 2).trimStart(), 10) * 1024;
  };
  return { rss: kb('VmRSS'), size: kb('VmSize'), data: kb('VmData') };
}

/** prom-client's number format (JavaScript's, with Go's names for the infinities). */
export function num(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** A family's HELP and TYPE lines; OpenMetrics names a counter family without its _total suffix. */
export function familyHeader(name: string, type: string, help: string, format: ExpositionFormat): string {
  const fam = format === 'openmetrics' && type === 'counter' ? name.replace(/_total$/, '') : name;
  return `# HELP ${fam} ${help}\n# TYPE ${fam} ${type}\n`;
}

export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function countBy(items: readonly unknown[], key: (x: unknown) => string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const x of items) {
    const k = key(x);
    if (k !== undefined) out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

const constructorName = (x: unknown): string | undefined => {
  if (x === null || x === undefined) return undefined;
  const c = (x as { constructor?: { name: string } }).constructor;
  return c === undefined ? undefined : c.name;
};

/** What one update cycle read and tracked (the cycle gauges). */
export interface CycleCounts {
  procsRead: number;
  threadsRead: number;
  smapsRead: number;
  idleHeld: number;
  threadsHeld: number;
  tracked: number;
  ignored: number;
}

export class SelfMetrics {
  private seconds = 0;
  private cycle: CycleCounts = { procsRead: 0, threadsRead: 0, smapsRead: 0, idleHeld: 0, threadsHeld: 0, tracked: 0, ignored: 0 };
  private readonly buildInfo: string;
  private readonly maxFds = maxFds();
  private lastLagSeconds = 0;
  private readonly loop = new LoopDelay();
  private readonly gc = new Map<string, GcKind>();
  private readonly gcPauses = new GcPauses();
  private reloadOk = 1;
  private reloadAtSeconds = 0;
  /** label values cut to a prefix and a hash, per label; processes whose naming failed */
  private cuts: Record<string, number> = {};
  private matchErrors = 0;
  private readonly more: Array<(format: ExpositionFormat) => string> = [];

  constructor(build: { version: string; reader: string; revision?: string; branch?: string }) {
    const labels = { branch: build.branch ?? '', goarch: goArch(), goos: goOs(), goversion: `node ${process.version}`, reader: build.reader, revision: build.revision ?? '', tags: '', version: build.version };
    this.buildInfo = `process_exporter_build_info{${Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}} 1\n`;
    // the config loaded at start counts as the first successful load, as in Prometheus
    this.recordReload(true, Date.now() / 1000);
  }

  /** The tracker's totals of cut label values and failed namings (they only grow). */
  recordBounds(cuts: Record<string, number>, matchErrors: number): void {
    this.cuts = { ...cuts };
    this.matchErrors = matchErrors;
  }

  recordReload(ok: boolean, atSeconds: number): void {
    this.reloadOk = ok ? 1 : 0;
    if (ok) this.reloadAtSeconds = atSeconds;
  }

  /** More of the exporter's own families (e.g. the push's), written after these, before OpenMetrics' # EOF. */
  extend(render: (format: ExpositionFormat) => string): void {
    this.more.push(render);
  }

  recordCycle(seconds: number, c: CycleCounts): void {
    this.seconds = seconds;
    this.cycle = c;
  }

  /**
   * Records event-loop delays while a cycle runs (true at its start, false at its end): a 10 ms timer
   * running all the time would cost an idle exporter about 4 ms of CPU every second. The end of a cycle
   * also takes in the collections so far, so that they never pile up when nothing renders.
   */
  watchLoop(on: boolean): void {
    if (on) this.loop.start();
    else {
      this.loop.stop();
      this.takeGcPauses();
    }
  }

  private takeGcPauses(): void {
    this.gcPauses.drain((kind, seconds) => this.observeGc(kind, seconds));
  }

  private observeGc(kind: string, seconds: number): void {
    let k = this.gc.get(kind);
    if (k === undefined) {
      k = { buckets: GC_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.gc.set(kind, k);
    }
    for (let b = 0; b < GC_BUCKETS.length; b++) if (seconds <= GC_BUCKETS[b]) k.buckets[b]++;
    k.sum += seconds;
    k.count++;
  }

  /** Text ends with a newline; OpenMetrics ends with `# EOF`. */
  render(format: ExpositionFormat): string {
    const om = format === 'openmetrics';
    let out = '';
    const head = (name: string, type: string, help: string) => {
      out += familyHeader(name, type, help, format);
    };
    const one = (name: string, type: string, help: string, v: number | undefined) => {
      head(name, type, help);
      if (v !== undefined && !Number.isNaN(v)) out += `${name} ${num(v)}\n`;
    };
    const byLabel = (name: string, help: string, label: string, values: Map<string, number> | [string, number][]) => {
      head(name, 'gauge', help);
      for (const [k, v] of values) out += `${name}{${label}="${escapeLabel(k)}"} ${num(v)}\n`;
    };

    const cpu = process.cpuUsage();
    one('process_cpu_user_seconds_total', 'counter', 'Total user CPU time spent in seconds.', cpu.user / 1e6);
    one('process_cpu_system_seconds_total', 'counter', 'Total system CPU time spent in seconds.', cpu.system / 1e6);
    one('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.', (cpu.user + cpu.system) / 1e6);
    one('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.', START_SECONDS);
    const st = selfStatus();
    one('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', st?.rss);
    one('process_virtual_memory_bytes', 'gauge', 'Virtual memory size in bytes.', st?.size);
    one('process_heap_bytes', 'gauge', 'Process heap size in bytes.', st?.data);
    let fds: number | undefined;
    try {
      fds = readdirSync('/proc/self/fd').length - 1; // less the one readdir used
    } catch {
      fds = undefined;
    }
    one('process_open_fds', 'gauge', 'Number of open file descriptors.', fds);
    if (this.maxFds !== undefined) one('process_max_fds', 'gauge', 'Maximum number of open file descriptors.', this.maxFds);

    // the lag measured by the previous scrape's probe, as prom-client reports it
    one('nodejs_eventloop_lag_seconds', 'gauge', 'Lag of event loop in seconds.', this.lastLagSeconds);
    const start = process.hrtime.bigint();
    setImmediate(() => {
      this.lastLagSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    });
    const d = this.loop.takeSummary();
    one('nodejs_eventloop_lag_min_seconds', 'gauge', 'The minimum recorded event loop delay.', d.min);
    one('nodejs_eventloop_lag_max_seconds', 'gauge', 'The maximum recorded event loop delay.', d.max);
    one('nodejs_eventloop_lag_mean_seconds', 'gauge', 'The mean of the recorded event loop delays.', d.mean);
    one('nodejs_eventloop_lag_stddev_seconds', 'gauge', 'The standard deviation of the recorded event loop delays.', d.stddev);
    one('nodejs_eventloop_lag_p50_seconds', 'gauge', 'The 50th percentile of the recorded event loop delays.', d.p50);
    one('nodejs_eventloop_lag_p90_seconds', 'gauge', 'The 90th percentile of the recorded event loop delays.', d.p90);
    one('nodejs_eventloop_lag_p99_seconds', 'gauge', 'The 99th percentile of the recorded event loop delays.', d.p99);

    byLabel('nodejs_active_resources', 'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.', 'type', countBy(process.getActiveResourcesInfo(), (x) => x as string));
    const p = process as unknown as { _getActiveHandles(): unknown[]; _getActiveRequests(): unknown[] };
    byLabel('nodejs_active_handles', 'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.', 'type', countBy(p._getActiveHandles(), constructorName));
    byLabel('nodejs_active_requests', 'Number of active libuv requests grouped by request type. Every request type is C++ class name.', 'type', countBy(p._getActiveRequests(), constructorName));

    const mem = process.memoryUsage();
    one('nodejs_heap_size_total_bytes', 'gauge', 'Process heap size from Node.js in bytes.', mem.heapTotal);
    one('nodejs_heap_size_used_bytes', 'gauge', 'Process heap size used from Node.js in bytes.', mem.heapUsed);
    one('nodejs_external_memory_bytes', 'gauge', 'Node.js external memory size in bytes.', mem.external);
    const spaces = getHeapSpaceStatistics().map((s) => ({ ...s, name: s.space_name.substring(0, s.space_name.indexOf('_space')) }));
    byLabel('nodejs_heap_space_size_total_bytes', 'Process heap space size total from Node.js in bytes.', 'space', spaces.map((s) => [s.name, s.space_size]));
    byLabel('nodejs_heap_space_size_used_bytes', 'Process heap space size used from Node.js in bytes.', 'space', spaces.map((s) => [s.name, s.space_used_size]));
    byLabel('nodejs_heap_space_size_available_bytes', 'Process heap space size available from Node.js in bytes.', 'space', spaces.map((s) => [s.name, s.space_available_size]));
    head('nodejs_version_info', 'gauge', 'Node.js version info.');
    out += `nodejs_version_info{version="${process.version}",major="${VERSION_SEGMENTS[0]}",minor="${VERSION_SEGMENTS[1]}",patch="${VERSION_SEGMENTS[2]}"} 1\n`;

    this.takeGcPauses();
    head('nodejs_gc_duration_seconds', 'histogram', 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.');
    for (const [kind, k] of this.gc) {
      for (let b = 0; b < GC_BUCKETS.length; b++) out += `nodejs_gc_duration_seconds_bucket{le="${GC_BUCKETS[b]}",kind="${kind}"} ${k.buckets[b]}\n`;
      out += `nodejs_gc_duration_seconds_bucket{le="+Inf",kind="${kind}"} ${k.count}\n`;
      out += `nodejs_gc_duration_seconds_sum{kind="${kind}"} ${num(k.sum)}\n`;
      out += `nodejs_gc_duration_seconds_count{kind="${kind}"} ${k.count}\n`;
    }

    // the reference's family name and labels, so dashboards that read it keep working; plus the reader
    head('process_exporter_build_info', 'gauge', "A metric with a constant '1' value labeled by version, revision, branch, goversion from which process_exporter was built, and the goos and goarch for the build.");
    out += this.buildInfo;
    const c = this.cycle;
    one('namedprocess_exporter_cycle_duration_seconds', 'gauge', 'Wall time of the last update cycle (scan, track, group).', this.seconds);
    one('namedprocess_exporter_cycle_procs_read', 'gauge', 'Processes whose stat was read in the last update cycle.', c.procsRead);
    one('namedprocess_exporter_cycle_threads_read', 'gauge', 'Threads read in the last update cycle (multi-threaded tracked processes only).', c.threadsRead);
    one('namedprocess_exporter_cycle_smaps_read', 'gauge', 'Processes whose smaps was read in the last update cycle (the others report their last values read).', c.smapsRead);
    one('namedprocess_exporter_cycle_idle_held', 'gauge', 'Processes that had not run since their last read, whose status, io and wchan were not read in the last update cycle (their last values are reported).', c.idleHeld);
    one('namedprocess_exporter_cycle_threads_held', 'gauge', 'Threads that had not run since their last read, whose status, io and wchan were not read in the last update cycle (their last values are reported).', c.threadsHeld);
    one('namedprocess_exporter_tracked_procs', 'gauge', 'Processes currently tracked in a group.', c.tracked);
    one('namedprocess_exporter_ignored_procs', 'gauge', 'Processes currently ignored (matched no rule): only their stat is read.', c.ignored);
    head('namedprocess_exporter_label_values_cut_total', 'counter', `Label values longer than ${MAX_LABEL_VALUE_LENGTH} characters cut to a prefix and a hash: group names once per process named, thread names and wchans once per thread and cycle.`);
    for (const [label, n] of Object.entries(this.cuts)) out += `namedprocess_exporter_label_values_cut_total{label="${escapeLabel(label)}"} ${num(n)}\n`;
    one('namedprocess_exporter_match_errors_total', 'counter', 'Processes whose matching or naming failed; each is left unmatched and the cycle goes on.', this.matchErrors);
    one('namedprocess_exporter_config_last_reload_successful', 'gauge', 'Whether the last configuration reload attempt was successful.', this.reloadOk);
    one('namedprocess_exporter_config_last_reload_success_timestamp_seconds', 'gauge', 'Timestamp of the last successful configuration reload.', this.reloadAtSeconds);
    for (const render of this.more) out += render(format);
    if (om) out += '# EOF\n';
    return out;
  }

  close(): void {
    this.loop.stop();
    this.gcPauses.close();
  }
}
