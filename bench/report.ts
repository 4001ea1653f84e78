// The bench's report: the JSON structure, the targets of issue 5 checked against it, the markdown summary
// and a hand-written SVG chart (no dependencies).
import { LABELS, type ContenderId } from './contenders';
import { linearFit, type Spread } from './stats';

export interface ScrapeRecord {
  wallS: number;
  cpuS: number;
  userS: number;
  sysS: number;
  bytes: number;
  series: number;
  procsSeen: number;
  rssMiB?: number;
  /** churn: processes started since this contender's previous scrape */
  newProcs?: number;
}

export interface ContenderResult {
  contender: ContenderId;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  pid?: number;
  startup?: { wallS: number; cpuS: number; primeS?: number; rssMiB?: number } | null;
  scrapes: ScrapeRecord[];
  summary?: {
    wallS: Spread;
    cpuS: Spread;
    userS: Spread;
    sysS: Spread;
    bytes: number;
    series: number;
    procsSeen: number;
    rssMiB: number;
    peakRssMiB: number;
    newProcs?: Spread;
  };
  /** ours: the log line that says which reader runs and with how many threads */
  readerLine?: string;
  /** CPU per scrape by thread name (user/sys seconds, median-scrape equivalent: total / scrapes) */
  threadProfile?: Array<{ thread: string; userS: number; sysS: number }>;
}

export interface WorkloadReport {
  id: string;
  /** host: the host as it is, nothing started by the bench */
  kind: 'host' | 'idle' | 'threads' | 'churn' | 'synthetic';
  description: string;
  /** live processes (or synthetic pid dirs) the workload holds; for churn, the idle base */
  processes: number;
  threadsPerProcess: number;
  /** of those, the processes the bench itself started (or wrote, for the synthetic tree) */
  benchProcesses: number;
  procfs: string;
  /** pid dirs and tasks in /proc when the contenders started (live workloads) */
  host?: { processes: number; tasks: number };
  /** 1-minute load average when the workload started and ended */
  load?: { before: number; after: number };
  /** over the scrape rounds: busy CPU of the whole host, of which the contenders' own; the rest is the
   * bench, the workload itself (churn) and whatever else runs on the host: noise */
  hostCpu?: { elapsedS: number; cores: number; busyS: number; contendersS: number; benchS: number };
  churn?: { perSecond: number; lifeMs: number; started: number };
  scrapesPerContender: number;
  results: ContenderResult[];
  notes: string[];
}

export interface RenderReport {
  targetSeries: number;
  status: 'ok' | 'failed';
  reason?: string;
  groups?: number;
  series?: number;
  bytes?: number;
  renderS?: Spread;
  cycleS?: number;
  scrapeS?: number;
  primeS?: number;
  rssBeforeRenderMiB?: number;
  rssAfterRenderMiB?: number;
  hwmMiB?: number;
  reader?: string;
}

export interface ProfileReport {
  contender: ContenderId;
  workload: string;
  scrapes: number;
  /** main-thread CPU samples by category, seconds per scrape */
  categories: Array<{ category: string; s: number }>;
  top: Array<{ fn: string; where: string; selfS: number }>;
  note?: string;
}

export interface TargetCheck {
  id: string;
  description: string;
  value: number | null;
  threshold: number;
  unit: string;
  met: boolean | null;
  detail: string;
}

export interface BenchReport {
  schema: 1;
  tool: 'namedprocess-exporter bench';
  startedAt: string;
  finishedAt: string;
  durationS: number;
  command: string;
  machine: Record<string, string | number>;
  options: Record<string, unknown>;
  contenders: Array<{ id: ContenderId; label: string; available: boolean; reason: string }>;
  limits: string[];
  workloads: WorkloadReport[];
  growth: Array<{ contender: ContenderId; points: Array<{ processes: number; cpuS: number; wallS: number; usPerProcess: number }>; slopeUsPerProcess: number; r2: number; perProcessRatioLastToTarget: number | null }>;
  render: RenderReport[];
  profiles: ProfileReport[];
  targets: TargetCheck[];
  errors: string[];
  /** every child process the bench started (all gone when it ends) */
  startedPids: Array<{ pid: number; what: string }>;
  /** processes whose comm carries the bench's prefixes, counted after cleanup (0 when clean) */
  leftoverProcesses: number;
}

export const TARGET_SIZE = 10_000;

/** The id of the thread-heavy workload of one shape, e.g. threads-1000x20. */
export function threadsWorkloadId(procs: number, threads: number): string {
  return `threads-${procs}x${threads}`;
}
export const GROWTH_SIZE = 30_000;

export function result(w: WorkloadReport | undefined, c: ContenderId): ContenderResult | undefined {
  const r = w?.results.find((x) => x.contender === c);
  return r?.status === 'ok' ? r : undefined;
}

export function med(r: ContenderResult | undefined, key: 'cpuS' | 'wallS'): number | null {
  return r?.summary ? r.summary[key].median : null;
}

export function check(id: string, description: string, value: number | null, threshold: number, unit: string, detail: (v: number) => string, missing: string): TargetCheck {
  if (value === null || !Number.isFinite(value)) return { id, description, value: null, threshold, unit, met: null, detail: missing };
  return { id, description, value, threshold, unit, met: value <= threshold, detail: detail(value) };
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

/** The targets of issue 5, each with its measured value (null when the run could not measure it). */
export function checkTargets(r: Pick<BenchReport, 'workloads' | 'render' | 'growth' | 'machine'>): TargetCheck[] {
  const idle = (n: number) => r.workloads.find((w) => w.kind === 'idle' && w.processes === n) ?? r.workloads.find((w) => w.id === `idle-${n}`);
  const at = idle(TARGET_SIZE);
  const big = idle(GROWTH_SIZE);
  const native = result(at, 'native');
  const ts = result(at, 'ts');
  const ref = result(at, 'reference');
  const floor = result(at, 'floor');
  const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
  const missing = (what: string) => `not measured: ${what}`;
  const need = (parts: Array<[string, unknown]>) => parts.filter(([, v]) => v === undefined).map(([n]) => n).join(', ') || 'no 10,000-process workload';
  const out: TargetCheck[] = [];
  const nf = ratio(med(native, 'cpuS'), med(floor, 'cpuS'));
  out.push(check('native-cpu-vs-floor', 'native, 10,000 processes: CPU per scrape ≤ the floor’s', nf, 1, '× floor CPU', (v) => `${fmtS(med(native, 'cpuS'))} vs floor ${fmtS(med(floor, 'cpuS'))}: ${v.toFixed(2)}× the floor${v > 1 ? `, ${pct(v - 1)} over` : ''}`, missing(need([['native', native], ['floor', floor]]))));
  const nr = ratio(med(native, 'cpuS'), med(ref, 'cpuS'));
  out.push(check('native-cpu-vs-reference', 'native, 10,000 processes: CPU per scrape ≤ 1/4 of the reference’s', nr, 0.25, '× reference CPU', (v) => `${fmtS(med(native, 'cpuS'))} vs reference ${fmtS(med(ref, 'cpuS'))}: 1/${(1 / v).toFixed(1)}${v > 0.25 ? `, ${(v / 0.25).toFixed(2)}× the target` : ''}`, missing(need([['native', native], ['reference', ref]]))));
  const cores = Number(r.machine.cores);
  const nw = ratio(med(native, 'wallS'), med(floor, 'wallS'));
  out.push(check('native-wall-vs-floor', `native, 10,000 processes: wall per scrape ≤ 1/2 of the floor’s (${cores} cores)`, cores >= 2 ? nw : null, 0.5, '× floor wall', (v) => `${fmtS(med(native, 'wallS'))} vs floor ${fmtS(med(floor, 'wallS'))}: ${v.toFixed(2)}× the floor${v > 0.5 ? `, ${(v / 0.5).toFixed(2)}× the target` : ''}`, cores < 2 ? 'not applicable: fewer than 2 cores' : missing(need([['native', native], ['floor', floor]]))));
  const g = r.growth.find((x) => x.contender === 'native');
  out.push(check('native-growth-linear', 'native: growth linear to 30,000 (CPU per process at 30,000 ≤ 1.25× that at 10,000)', g?.perProcessRatioLastToTarget ?? null, 1.25, '× per-process CPU at 10k', (v) => `${g!.points.map((p) => `${p.processes}: ${p.usPerProcess.toFixed(1)} µs/proc`).join(', ')}; ratio ${v.toFixed(2)}, fit r² ${g!.r2.toFixed(3)}`, missing(big ? 'native at 10,000 and 30,000' : 'no 30,000-process workload (pid_max?)')));
  const tr = ratio(med(ts, 'cpuS'), med(ref, 'cpuS'));
  out.push(check('ts-cpu-vs-reference', 'TS reader, 10,000 processes: CPU per scrape ≤ 1/2 of the reference’s', tr, 0.5, '× reference CPU', (v) => `${fmtS(med(ts, 'cpuS'))} vs reference ${fmtS(med(ref, 'cpuS'))}: 1/${(1 / v).toFixed(1)}${v > 0.5 ? `, ${(v / 0.5).toFixed(2)}× the target` : ''}`, missing(need([['ts', ts], ['reference', ref]]))));
  const million = r.render.find((x) => x.targetSeries >= 1_000_000 && x.status === 'ok');
  out.push(check('render-1m-series', '1,000,000 series rendered in under 1 s', million?.renderS?.median ?? null, 1, 's', (v) => `${(million!.series ?? 0).toLocaleString('en-US')} series, ${fmtMiB((million!.bytes ?? 0) / 1048576)} of text in ${v.toFixed(3)} s (median of ${million!.renderS!.n})`, missing('no 1,000,000-series render')));
  for (const c of ['native', 'ts'] as const) {
    const b = result(big, c);
    out.push(check(`rss-30k-${c}`, `${LABELS[c]}: exporter RSS under 150 MB at 30,000 processes (peak)`, b?.summary ? (b.summary.peakRssMiB * 1048576) / 1e6 : null, 150, 'MB', (v) => `peak ${v.toFixed(0)} MB (${b!.summary!.peakRssMiB.toFixed(0)} MiB), after scrapes ${((b!.summary!.rssMiB * 1048576) / 1e6).toFixed(0)} MB`, missing(big ? `${c} at 30,000` : 'no 30,000-process workload')));
  }
  return out;
}

/** For every missed target: the figures that say where the time or memory goes. */
export function explainMisses(r: Pick<BenchReport, 'workloads' | 'targets' | 'profiles' | 'machine' | 'render'>): string[] {
  const out: string[] = [];
  const w = (n: number) => r.workloads.find((x) => x.id === `idle-${n}`);
  const at = w(TARGET_SIZE);
  const threadsOf = (x: ContenderResult | undefined) =>
    (x?.threadProfile ?? []).filter((t) => t.userS + t.sysS >= 0.0005).map((t) => `${t.thread} ${fmtS(t.userS)} user + ${fmtS(t.sysS)} sys`).join(', ');
  const split = (x: ContenderResult | undefined) => (x?.summary ? `${fmtS(x.summary.userS.median)} user + ${fmtS(x.summary.sysS.median)} sys` : '–');
  const prof = (c: ContenderId) => {
    const p = r.profiles.find((x) => x.contender === c);
    if (!p) return '';
    return ` Its main thread, by V8's sampling profiler (wall-clock samples): ${p.categories.filter((x) => x.category !== 'idle').slice(0, 4).map((x) => `${x.category} ${fmtS(x.s)}`).join(', ')}; top: ${p.top.slice(0, 4).map((t) => `\`${t.fn}\` ${fmtS(t.selfS)}`).join(', ')}.`;
  };
  for (const t of r.targets) {
    if (t.met !== false) continue;
    const native = result(at, 'native');
    const floor = result(at, 'floor');
    const ref = result(at, 'reference');
    const ts = result(at, 'ts');
    if (t.id === 'native-wall-vs-floor' && native?.summary && floor?.summary) {
      const cpu = native.summary.cpuS.median;
      const wall = native.summary.wallS.median;
      out.push(`**${t.description}**: missed by ${((t.value! / t.threshold - 1) * 100).toFixed(0)}%. Over a scrape native kept ${(cpu / wall).toFixed(2)} cores busy on average (CPU ${fmtS(cpu)} / wall ${fmtS(wall)}); `
        + `a scan spread evenly over ${r.machine.cores} cores would take at least ${fmtS(cpu / Number(r.machine.cores))}. ${native.readerLine ? `${native.readerLine}. ` : ''}`
        + `By thread: ${threadsOf(native)}. `
        + (at?.hostCpu ? `Other processes than the contenders and the bench used ${((Math.max(0, at.hostCpu.busyS - at.hostCpu.contendersS - at.hostCpu.benchS) / at.hostCpu.elapsedS) * 100).toFixed(0)}% of a core on average during the rounds; any work competing for the cores stretches the wall time of a parallel scan more than that of the single-threaded floor (wall ${fmtS(floor.summary.wallS.median)} for ${fmtS(floor.summary.cpuS.median)} CPU).` : ''));
    } else if ((t.id === 'native-cpu-vs-floor' || t.id === 'native-cpu-vs-reference') && native?.summary) {
      const over = t.id === 'native-cpu-vs-floor' ? t.value! - 1 : t.value! / t.threshold - 1;
      out.push(`**${t.description}**: missed by ${(over * 100).toFixed(0)}% (p10–p90 of native ${fmtS(native.summary.cpuS.p10)}–${fmtS(native.summary.cpuS.p90)}). Native ${split(native)}, floor ${split(floor)}, reference ${split(ref)}`
        + `${floor?.summary ? `: native's kernel time is ${(native.summary.sysS.median / floor.summary.sysS.median).toFixed(2)}× the floor's, its user time ${fmtS(native.summary.userS.median)} against the floor's ${fmtS(floor.summary.userS.median)}` : ''}. `
        + `By thread: ${threadsOf(native)}.${prof('native')}`);
    } else if (t.id === 'ts-cpu-vs-reference' && ts?.summary) {
      out.push(`**${t.description}**: missed by ${((t.value! / t.threshold - 1) * 100).toFixed(0)}%. TS reader ${split(ts)}, reference ${split(ref)}, floor ${split(floor)}: `
        + `the kernel time alone is ${floor?.summary ? `${(ts.summary.sysS.median / floor.summary.sysS.median).toFixed(1)}× the floor's` : 'more than the floor’s'}. By thread: ${threadsOf(ts)}.${prof('ts')}`);
    } else if (t.id.startsWith('rss-30k-')) {
      const c = t.id.slice('rss-30k-'.length) as ContenderId;
      const x = result(w(GROWTH_SIZE), c);
      if (x?.summary) out.push(`**${t.description}**: peak ${fmtMiB(x.summary.peakRssMiB)} (VmHWM, reached in the priming cycle or a scrape), ${fmtMiB(x.summary.rssMiB)} after the scrapes, ${fmtMiB(x.startup?.rssMiB)} right after start-up.`);
    } else if (t.id === 'native-growth-linear') {
      out.push(`**${t.description}**: ${t.detail}.`);
    } else if (t.id === 'render-1m-series') {
      const m = r.render.find((x) => x.targetSeries >= 1_000_000);
      if (m) out.push(`**${t.description}**: ${fmtS(m.renderS?.median)} for ${n0(m.series)} series; RSS ${fmtMiB(m.rssBeforeRenderMiB)} → ${fmtMiB(m.rssAfterRenderMiB)} while rendering.`);
    }
  }
  return out;
}

/** CPU per scrape against process count, per contender, from the idle workloads. */
export function growthOf(workloads: WorkloadReport[], contenders: ContenderId[]): BenchReport['growth'] {
  const idle = workloads.filter((w) => w.kind === 'idle').sort((a, b) => a.processes - b.processes);
  const out: BenchReport['growth'] = [];
  for (const c of contenders) {
    const points = idle.flatMap((w) => {
      const r = result(w, c);
      if (!r?.summary) return [];
      return [{ processes: w.processes, cpuS: r.summary.cpuS.median, wallS: r.summary.wallS.median, usPerProcess: (r.summary.cpuS.median / w.processes) * 1e6 }];
    });
    if (points.length === 0) continue;
    const fit = points.length >= 2 ? linearFit(points.map((p) => p.processes), points.map((p) => p.cpuS)) : { a: 0, b: 0, r2: NaN };
    // a workload holds what the host had when it ran, a few processes either side of the size asked for
    const near = (n: number) => points.find((p) => Math.abs(p.processes - n) <= n * 0.02);
    const t = near(TARGET_SIZE);
    const last = near(GROWTH_SIZE);
    out.push({ contender: c, points, slopeUsPerProcess: fit.b * 1e6, r2: fit.r2, perProcessRatioLastToTarget: t && last ? last.usPerProcess / t.usPerProcess : null });
  }
  return out;
}

export function fmtS(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v >= 10) return `${v.toFixed(1)} s`;
  if (v >= 1) return `${v.toFixed(2)} s`;
  return `${(v * 1000).toFixed(v >= 0.1 ? 0 : 1)} ms`;
}

export function fmtMiB(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(v >= 100 ? 0 : 1)} MiB`;
}

function fmtSpread(s: Spread | undefined): string {
  if (!s || s.n === 0) return '–';
  return s.n >= 3 ? `${fmtS(s.median)} (${fmtS(s.p10)}–${fmtS(s.p90)})` : `${fmtS(s.median)}`;
}

const n0 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : Math.round(v).toLocaleString('en-US'));

/** One workload as a markdown table (also printed on stdout while the bench runs). */
export function workloadTable(w: WorkloadReport): string {
  const rows: string[] = [];
  const cols = ['contender', 'start-up wall', 'start-up CPU', 'wall / scrape', 'CPU / scrape', 'user', 'sys', 'peak RSS', 'series', 'bytes', 'procs seen'];
  if (w.kind === 'churn') cols.push('new procs / scrape');
  rows.push(`| ${cols.join(' | ')} |`);
  rows.push(`|${cols.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const r of w.results) {
    if (r.status !== 'ok' || !r.summary) {
      rows.push(`| ${LABELS[r.contender]} | ${r.status}: ${(r.reason ?? '').replace(/\|/g, '/').slice(0, 160)} |${' |'.repeat(cols.length - 2)}`);
      continue;
    }
    const s = r.summary;
    const cells = [
      LABELS[r.contender],
      r.startup ? fmtS(r.startup.wallS) : '–',
      r.startup ? fmtS(r.startup.cpuS) : '–',
      fmtSpread(s.wallS),
      fmtSpread(s.cpuS),
      fmtS(s.userS.median),
      fmtS(s.sysS.median),
      fmtMiB(s.peakRssMiB),
      r.contender === 'floor' ? '–' : n0(s.series),
      r.contender === 'floor' ? `${n0(s.bytes)} read` : n0(s.bytes),
      n0(s.procsSeen),
    ];
    if (w.kind === 'churn') cells.push(s.newProcs ? n0(s.newProcs.median) : '–');
    rows.push(`| ${cells.join(' | ')} |`);
  }
  return rows.join('\n');
}

function ratioLine(w: WorkloadReport): string {
  const parts: string[] = [];
  const cpu = (c: ContenderId) => med(result(w, c), 'cpuS');
  const wall = (c: ContenderId) => med(result(w, c), 'wallS');
  const r = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);
  const add = (label: string, v: number | null) => v !== null && parts.push(`${label} ${v.toFixed(2)}`);
  add('native/reference CPU', r(cpu('native'), cpu('reference')));
  add('native/floor CPU', r(cpu('native'), cpu('floor')));
  add('native/floor wall', r(wall('native'), wall('floor')));
  add('TS/reference CPU', r(cpu('ts'), cpu('reference')));
  add('TS/floor CPU', r(cpu('ts'), cpu('floor')));
  add('reference/floor CPU', r(cpu('reference'), cpu('floor')));
  return parts.length ? `Ratios of medians: ${parts.join(' · ')}.` : '';
}

export function markdown(r: BenchReport): string {
  const L: string[] = [];
  const m = r.machine;
  L.push('# namedprocess-exporter: what a scrape costs');
  L.push('');
  L.push(`Measured ${r.finishedAt.slice(0, 10)} on ${m.cpuModel}, ${m.cores} cores, ${m.memGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}; reference ${m.reference}${m.revision ? `; checkout ${m.revision}` : ''}. `
    + `Command: \`${r.command}\` (${(r.durationS / 60).toFixed(1)} min). All figures are per scrape, median (p10–p90) of ${r.options.scrapes} scrapes per contender (${r.options.bigScrapes} beyond 10,000 processes, ${r.options.syntheticScrapes} on the synthetic tree), contenders scraped in turn on the same workload, the order rotating every round; `
    + 'CPU is the exporter process’s utime+stime from /proc/<pid>/stat (10 ms ticks; between one scrape’s start and its next one’s, so work finished after the response counts), wall is the HTTP request, peak RSS is VmHWM. '
    + 'Same config for every exporter: one group per comm (`{{.Comm}}`, cmdline `.+`), default flags (threads and smaps on). The floor is a single-threaded C loop that opens and reads stat, status, io, limits, wchan, smaps_rollup and lists fd/ per process, without parsing (bench/floor.c).');
  L.push('');
  if (r.limits.length) {
    for (const l of r.limits) L.push(`- ${l}`);
    L.push('');
  }
  L.push('## Targets');
  L.push('');
  L.push('| target | measured | met |');
  L.push('|---|---|---|');
  for (const t of r.targets) L.push(`| ${t.description} | ${t.detail} | ${t.met === null ? 'not measured' : t.met ? 'yes' : '**no**'} |`);
  L.push('');
  const misses = explainMisses(r);
  if (misses.length) {
    L.push('Missed targets, and where the time goes:');
    L.push('');
    for (const m of misses) L.push(`- ${m}`);
    L.push('');
  }
  L.push('![CPU per scrape against process count](cpu-per-scrape.svg)');
  L.push('');
  if (r.growth.length) {
    L.push('## Growth (idle processes)');
    L.push('');
    const sizes = [...new Set(r.growth.flatMap((g) => g.points.map((p) => p.processes)))].sort((a, b) => a - b);
    L.push(`| contender | ${sizes.map((s) => `CPU @ ${s.toLocaleString('en-US')}`).join(' | ')} | µs CPU per process (slope) | r² |`);
    L.push(`|---|${sizes.map(() => '---:').join('|')}|---:|---:|`);
    for (const g of r.growth) {
      const cells = sizes.map((s) => {
        const p = g.points.find((x) => x.processes === s);
        return p ? `${fmtS(p.cpuS)} (${p.usPerProcess.toFixed(1)} µs/proc)` : '–';
      });
      L.push(`| ${LABELS[g.contender]} | ${cells.join(' | ')} | ${g.slopeUsPerProcess.toFixed(1)} | ${Number.isFinite(g.r2) ? g.r2.toFixed(3) : '–'} |`);
    }
    L.push('');
  }
  L.push('## Workloads');
  for (const w of r.workloads) {
    L.push('');
    L.push(`### ${w.id}: ${w.description}`);
    L.push('');
    L.push(workloadTable(w));
    if (w.host && w.kind !== 'idle' && w.kind !== 'host' && w.host.processes - w.benchProcesses > Math.max(500, w.benchProcesses * 0.1)) {
      L.push('');
      L.push(`${(w.host.processes - w.benchProcesses).toLocaleString('en-US')} processes on the host were not the bench's (${w.host.processes.toLocaleString('en-US')} in /proc when the contenders started): every contender read them too.`);
    }
    if (w.hostCpu) {
      const h = w.hostCpu;
      L.push('');
      const other = Math.max(0, h.busyS - h.contendersS - h.benchS);
      L.push(`Over the ${fmtS(h.elapsedS)} of scrape rounds the host's ${h.cores} cores were ${((h.busyS / (h.elapsedS * h.cores)) * 100).toFixed(0)}% busy: the contenders ${fmtS(h.contendersS)}, the bench itself ${fmtS(h.benchS)}, everything else (the workload, other work on the host) ${fmtS(other)} of CPU, ${((other / h.elapsedS) * 100).toFixed(0)}% of a core.`);
    }
    const rl = ratioLine(w);
    if (rl) {
      L.push('');
      L.push(rl);
    }
    for (const n of w.notes) {
      L.push('');
      L.push(n);
    }
  }
  if (r.render.length) {
    L.push('');
    L.push('## Exposition at high cardinality');
    L.push('');
    L.push('One group per process (`{{.PID}}`) on the synthetic tree, default flags; the text exposition rendered from one cycle’s snapshot, in a process of its own (`bench/render-worker.ts`).');
    L.push('');
    L.push('| target series | groups | series | text | render (median, p10–p90) | cycle | whole scrape | RSS before render | RSS after render | peak RSS | reader |');
    L.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const x of r.render) {
      if (x.status !== 'ok') {
        L.push(`| ${n0(x.targetSeries)} | failed: ${x.reason ?? ''} |||||||||| |`);
        continue;
      }
      L.push(`| ${n0(x.targetSeries)} | ${n0(x.groups)} | ${n0(x.series)} | ${fmtMiB((x.bytes ?? 0) / 1048576)} | ${fmtSpread(x.renderS)} | ${fmtS(x.cycleS)} | ${fmtS(x.scrapeS)} | ${fmtMiB(x.rssBeforeRenderMiB)} | ${fmtMiB(x.rssAfterRenderMiB)} | ${fmtMiB(x.hwmMiB)} | ${x.reader ?? ''} |`);
    }
  }
  const profiled = r.workloads.filter((w) => w.results.some((x) => x.threadProfile?.length));
  if (profiled.length || r.profiles.length) {
    L.push('');
    L.push('## Where the CPU goes');
    L.push('');
    L.push('Per thread of the exporter process, CPU per scrape split into user and kernel (sys) time, from /proc/<pid>/task/*/stat around the scrapes above. '
      + 'For ours the main thread runs the JS (tracker, grouping, exposition) and the N-API calls; the native scanner’s workers and libuv’s pool do the reading.');
    for (const w of profiled.filter((x) => x.id === `idle-${TARGET_SIZE}` || x.kind !== 'idle' || profiled.length === 1)) {
      L.push('');
      L.push(`**${w.id}**`);
      L.push('');
      L.push('| contender | thread | user / scrape | sys / scrape |');
      L.push('|---|---|---:|---:|');
      for (const x of w.results) {
        if (x.contender === 'floor') continue;
        for (const t of x.threadProfile ?? []) {
          if (t.userS + t.sysS < 0.0005) continue;
          L.push(`| ${LABELS[x.contender]} | ${t.thread} | ${fmtS(t.userS)} | ${fmtS(t.sysS)} |`);
        }
      }
    }
    for (const p of r.profiles) {
      L.push('');
      L.push(`**${LABELS[p.contender]}, ${p.workload}: V8 profile of the main thread** (\`node --cpu-prof\`, a separate run, ${p.scrapes} scrapes after the priming cycle; time per scrape. V8 samples wall-clock time, so a native function's self time includes the time it waited for a core or for the kernel)${p.note ? ` ${p.note}` : ''}`);
      L.push('');
      L.push(p.categories.map((c) => `${c.category} ${fmtS(c.s)}`).join(' · '));
      L.push('');
      L.push('| self time / scrape | function | where |');
      L.push('|---:|---|---|');
      for (const t of p.top) L.push(`| ${fmtS(t.selfS)} | \`${t.fn}\` | ${t.where} |`);
    }
  }
  const skipped = r.contenders.filter((c) => !c.available);
  if (skipped.length || r.errors.length) {
    L.push('');
    L.push('## Skipped and failed');
    L.push('');
    for (const c of skipped) L.push(`- ${LABELS[c.id]}: skipped, ${c.reason}`);
    for (const e of r.errors) L.push(`- ${e}`);
  }
  L.push('');
  return L.join('\n');
}

// 1-2-5 grid values: "500 ms", "2 s", "100 s"
function tickLabel(y: number): string {
  return y >= 1 ? `${+y.toPrecision(3)} s` : `${+(y * 1000).toPrecision(3)} ms`;
}

const COLORS: Record<ContenderId, string> = { native: '#1f77b4', ts: '#2ca02c', reference: '#d62728', floor: '#7f7f7f' };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** CPU per scrape against process count, log-log, one line per contender with p10–p90 whiskers. */
export function svgChart(r: BenchReport): string {
  const W = 720;
  const H = 440;
  const left = 70;
  const right = 190;
  const top = 40;
  const bottom = 60;
  const series = r.growth
    .map((g) => {
      const w = r.workloads.filter((x) => x.kind === 'idle');
      const pts = g.points.map((p) => {
        const s = result(w.find((x) => x.processes === p.processes), g.contender)?.summary?.cpuS;
        return { x: p.processes, y: Math.max(p.cpuS, 0.001), lo: Math.max(s?.p10 ?? p.cpuS, 0.001), hi: Math.max(s?.p90 ?? p.cpuS, 0.001) };
      });
      return { id: g.contender, pts };
    })
    .filter((s) => s.pts.length > 0);
  const xs = series.flatMap((s) => s.pts.map((p) => p.x));
  const ys = series.flatMap((s) => s.pts.flatMap((p) => [p.lo, p.hi, p.y]));
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${left}" y="22" font-size="15" font-weight="bold">CPU per scrape vs idle processes (log-log, median with p10–p90)</text>`);
  if (xs.length === 0) {
    out.push(`<text x="${left}" y="${H / 2}">no idle workload measured</text></svg>`);
    return out.join('\n') + '\n';
  }
  const decade = (v: number, up: boolean) => 10 ** (up ? Math.ceil(Math.log10(v)) : Math.floor(Math.log10(v)));
  const x0 = decade(Math.min(...xs), false);
  const x1 = decade(Math.max(...xs) * 1.0001, true);
  const y0 = decade(Math.min(...ys), false);
  const y1 = decade(Math.max(...ys) * 1.0001, true);
  const px = (x: number) => left + ((Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0) || 1)) * (W - left - right);
  const py = (y: number) => H - bottom - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0) || 1)) * (H - top - bottom);
  // grid at 1, 2, 5 of every decade
  for (let d = x0; d <= x1; d *= 10) {
    for (const k of [1, 2, 5]) {
      const x = d * k;
      if (x > x1) break;
      out.push(`<line x1="${px(x).toFixed(1)}" y1="${top}" x2="${px(x).toFixed(1)}" y2="${H - bottom}" stroke="${k === 1 ? '#bbb' : '#eee'}"/>`);
      out.push(`<text x="${px(x).toFixed(1)}" y="${H - bottom + 16}" text-anchor="middle">${x >= 1000 ? `${x / 1000}k` : x}</text>`);
    }
  }
  for (let d = y0; d <= y1; d *= 10) {
    for (const k of [1, 2, 5]) {
      const y = d * k;
      if (y > y1) break;
      out.push(`<line x1="${left}" y1="${py(y).toFixed(1)}" x2="${W - right}" y2="${py(y).toFixed(1)}" stroke="${k === 1 ? '#bbb' : '#eee'}"/>`);
      out.push(`<text x="${left - 6}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end">${esc(tickLabel(y))}</text>`);
    }
  }
  out.push(`<text x="${(left + W - right) / 2}" y="${H - 18}" text-anchor="middle">processes</text>`);
  out.push(`<text x="16" y="${(top + H - bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(top + H - bottom) / 2})">CPU per scrape</text>`);
  series.forEach((s, i) => {
    const color = COLORS[s.id];
    const path = s.pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${s.id === 'floor' ? ' stroke-dasharray="6 4"' : ''}/>`);
    for (const p of s.pts) {
      out.push(`<line x1="${px(p.x).toFixed(1)}" y1="${py(p.lo).toFixed(1)}" x2="${px(p.x).toFixed(1)}" y2="${py(p.hi).toFixed(1)}" stroke="${color}"/>`);
      out.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${LABELS[s.id]}: ${p.x} processes, ${fmtS(p.y)} CPU per scrape`)}</title></circle>`);
    }
    const ly = top + 10 + i * 20;
    out.push(`<line x1="${W - right + 14}" y1="${ly}" x2="${W - right + 40}" y2="${ly}" stroke="${color}" stroke-width="2"${s.id === 'floor' ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${W - right + 46}" y="${ly + 4}">${esc(LABELS[s.id])}</text>`);
  });
  out.push(`<text x="${W - right + 14}" y="${top + 20 + series.length * 20}" fill="#555" font-size="11">${esc(String(r.machine.cores))} cores, ${esc(String(r.machine.kernel))}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** The short summary for bench/README.md: machine, targets, the 10,000-process table, growth, chart. */
export function summaryMarkdown(r: BenchReport, chart: string): string {
  const m = r.machine;
  const L: string[] = [];
  L.push(`Measured ${r.finishedAt.slice(0, 10)} on ${m.cpuModel}, ${m.cores} cores, ${m.memGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, reference ${m.reference}${m.revision ? `, checkout ${m.revision}` : ''}; \`${r.command}\` (${(r.durationS / 60).toFixed(1)} min). `
    + 'Per scrape, median (p10–p90); contenders scraped in turn on the same workload. Full report: `bench/out/report.md` of that run.');
  L.push('');
  for (const l of r.limits) L.push(`- ${l}`);
  if (r.limits.length) L.push('');
  L.push('| target | measured | met |');
  L.push('|---|---|---|');
  for (const t of r.targets) L.push(`| ${t.description} | ${t.detail} | ${t.met === null ? 'not measured' : t.met ? 'yes' : '**no**'} |`);
  const at = r.workloads.find((w) => w.id === `idle-${TARGET_SIZE}`);
  if (at && at.results.length) {
    L.push('');
    L.push(`**${at.id}**: ${at.description}`);
    L.push('');
    L.push(workloadTable(at));
  }
  if (r.growth.length) {
    L.push('');
    const sizes = [...new Set(r.growth.flatMap((g) => g.points.map((p) => p.processes)))].sort((a, b) => a - b);
    L.push(`| CPU per scrape | ${sizes.map((s) => s.toLocaleString('en-US')).join(' | ')} | µs per process |`);
    L.push(`|---|${sizes.map(() => '---:').join('|')}|---:|`);
    for (const g of r.growth) {
      L.push(`| ${LABELS[g.contender]} | ${sizes.map((s) => fmtS(g.points.find((p) => p.processes === s)?.cpuS)).join(' | ')} | ${g.slopeUsPerProcess.toFixed(1)} |`);
    }
  }
  const million = r.render.find((x) => x.targetSeries >= 1_000_000 && x.status === 'ok');
  if (million) {
    L.push('');
    L.push(`Exposition: ${n0(million.series)} series (${fmtMiB((million.bytes ?? 0) / 1048576)}) rendered in ${fmtS(million.renderS?.median)}, RSS ${fmtMiB(million.rssBeforeRenderMiB)} before and ${fmtMiB(million.rssAfterRenderMiB)} after.`);
  }
  L.push('');
  L.push(`![CPU per scrape against process count](${chart})`);
  return L.join('\n');
}
