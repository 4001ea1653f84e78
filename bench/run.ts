#!/usr/bin/env node
// `npm run bench`: what a scrape costs on this host, how it grows, against the reference and the floor.
// Creates its workloads, runs the contenders in turn on each, prints a table as it goes, and writes
// report.json, report.md and cpu-per-scrape.svg into bench/out/ (see bench/README.md).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, mkdtempSync, type Dirent } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, USAGE, type BenchOptions } from './args';
import { cleanupAll, installCleanupHandlers, startedPids, trackDir, trackGroup, killGroup, trackSysctl, unmount } from './cleanup';
import { ALL_CONTENDERS, LABELS, spawnBound, startExporter, startFloor, type ContenderId, type ContenderSpec, type Paths, type Running, type Target } from './contenders';
import { hostBusyS, hostTasks, threadDelta, type Cpu, type ThreadCpu } from './procstat';
import { checkTargets, threadsWorkloadId, growthOf, markdown, summaryMarkdown, svgChart, workloadTable, fmtS, TARGET_SIZE, type BenchReport, type ContenderResult, type ProfileReport, type RenderReport, type ScrapeRecord, type WorkloadReport } from './report';
import { spread } from './stats';
import { buildSyntheticTree, synName, tmpfsDir } from './synthetic';
import { Spawner } from './workloads';
import { summariseProfile } from './profile';
import { costTargets, SMALL_SIZE } from './cost-targets';

const ROOT = path.resolve(__dirname, '..', '..');
const BENCH_SRC = path.join(ROOT, 'bench');
const REFERENCE_BIN = '/usr/bin/prometheus-process-exporter';
/** comm prefixes of every process the spawner forks: the leftover check looks for them */
export const PREFIXES = { idle: 'npbidle', threads: 'npbthr', churn: 'npbchurn' };
const SYN_NAMES = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => process.stdout.write(line + '\n');
const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));

function machineInfo(): Record<string, string | number> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown CPU';
  let reference = 'not installed';
  if (existsSync(REFERENCE_BIN)) {
    const v = spawnSync(REFERENCE_BIN, ['-version'], { encoding: 'utf8', timeout: 10_000 });
    reference = /revision: ([^)]+)\)/.exec(`${v.stdout}${v.stderr}`)?.[1] ?? 'unknown version';
  }
  return {
    hostname: os.hostname(),
    cpuModel: model,
    cores: os.availableParallelism(),
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    reference,
    pidMax: Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8')),
    threadsMax: Number(readFileSync('/proc/sys/kernel/threads-max', 'utf8')),
    loadBefore: os.loadavg()[0].toFixed(2),
    revision: gitRevision(),
  };
}

// what was measured: the checkout's commit, "-dirty" when the working tree has changes (read-only git)
function gitRevision(): string {
  const r = spawnSync('git', ['-C', ROOT, 'describe', '--always', '--dirty'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

/** A fingerprint of the code under test (built JS and the addon): names, sizes, mtimes. */
function codeStamp(): string {
  const h = createHash('sha1');
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|node)$/.test(e.name)) {
        const st = statSync(p);
        h.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
      }
    }
  };
  walk(path.join(ROOT, 'dist', 'src'));
  walk(path.join(ROOT, 'build', 'Release'));
  return h.digest('hex');
}

function compile(src: string, out: string, extra: string[]): string | null {
  const r = spawnSync('cc', ['-O2', '-Wall', '-o', out, src, ...extra], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) return `cc: ${r.error.message}`;
  if (r.status !== 0) return `cc failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`;
  return null;
}

function commConfig(file: string): void {
  // the reference's packaged all.yaml, which is also our built-in default: one group per comm
  writeFileSync(file, 'process_names:\n  - name: "{{.Comm}}"\n    cmdline:\n    - \'.+\'\n');
}

/** Can ours run with this reader? One -once-to-stdout-delay run on a tiny fake tree says. */
function preflightOurs(id: 'native' | 'ts', paths: Paths, config: string, tinyTree: string): ContenderSpec {
  if (!existsSync(paths.ourMain)) return { id, available: false, reason: `${paths.ourMain} is not built (npm run build)` };
  const r = spawnSync(paths.ourLauncher, ['-once-to-stdout-delay', '1ms', '-procfs', tinyTree, '-config.path', config], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NAMEDPROCESS_READER: id, NAMEDPROCESS_NODE: paths.node },
  });
  const lastLog = (r.stderr ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0) return { id, available: false, reason: `the exporter would not start with NAMEDPROCESS_READER=${id}: ${lastLog || r.error?.message || `exit ${r.status}`}` };
  const reader = /process_exporter_build_info\{[^}]*reader="([^"]*)"/.exec(r.stdout)?.[1];
  if (reader !== id) return { id, available: false, reason: `NAMEDPROCESS_READER=${id} ran the ${reader ?? 'unknown'} reader` };
  return { id, available: true, reason: `bin/namedprocess-exporter with NAMEDPROCESS_READER=${id}${process.env.NAMEDPROCESS_V8_TUNING === 'off' ? ' and NAMEDPROCESS_V8_TUNING=off' : ''}` };
}

function leftoverProcesses(): number {
  let n = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const comm = readFileSync(`/proc/${d}/comm`, 'latin1').trim();
      if (Object.values(PREFIXES).some((p) => comm.startsWith(p))) n++;
    } catch {
      // gone
    }
  }
  return n;
}

class Bench {
  readonly report: BenchReport;
  readonly specs: ContenderSpec[] = [];
  paths!: Paths;
  config!: string;
  spawner: Spawner | null = null;
  spawnerReason = '';
  synthetic: { dir: string; mounted: boolean; size: number } | null = null;
  private stamp = '';
  private readonly t0 = performance.now();

  constructor(readonly opts: BenchOptions) {
    this.report = {
      schema: 1,
      tool: 'namedprocess-exporter bench',
      startedAt: new Date().toISOString(),
      finishedAt: '',
      durationS: 0,
      command: `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
      machine: machineInfo(),
      options: { ...opts },
      contenders: [],
      limits: [],
      workloads: [],
      growth: [],
      render: [],
      profiles: [],
      targets: [],
      errors: [],
      startedPids: [],
      leftoverProcesses: 0,
    };
  }

  elapsed(): string {
    const s = (performance.now() - this.t0) / 1000;
    return `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  }

  async setup(): Promise<void> {
    const o = this.opts;
    mkdirSync(o.out, { recursive: true });
    const bin = path.join(o.out, 'bin');
    mkdirSync(bin, { recursive: true });
    this.config = path.join(o.out, 'all.yaml');
    commConfig(this.config);
    this.paths = { node: process.execPath, ourMain: path.join(ROOT, 'dist', 'src', 'main.js'), ourLauncher: path.join(ROOT, 'bin', 'namedprocess-exporter'), reference: REFERENCE_BIN, floorBin: path.join(bin, 'floor'), deathWrap: null };
    this.stamp = codeStamp();
    const m = this.report.machine;
    say(`namedprocess-exporter bench${o.quick ? ' (--quick)' : ''}: ${m.cpuModel}, ${m.cores} cores, ${m.memGiB} GiB, Linux ${m.kernel}, Node ${m.node}`);

    const floorErr = compile(path.join(BENCH_SRC, 'floor.c'), this.paths.floorBin, []);
    const spawnerBin = path.join(bin, 'spawner');
    const spawnerErr = compile(path.join(BENCH_SRC, 'spawner.c'), spawnerBin, ['-pthread']);
    if (spawnerErr) this.spawnerReason = `the workload helper bench/spawner.c did not build: ${spawnerErr}`;
    else {
      this.spawner = Spawner.start(spawnerBin);
      this.paths.deathWrap = spawnerBin;
    }

    // a tiny fake tree for the readers' preflight
    const tiny = mkdtempSync(path.join(os.tmpdir(), 'npb-preflight-'));
    trackDir(tiny);
    await buildSyntheticTree(tiny, 3, 2, () => {});
    for (const id of ALL_CONTENDERS) {
      let spec: ContenderSpec;
      if (!o.contenders.includes(id)) spec = { id, available: false, reason: 'not selected (--contenders)' };
      else if (id === 'floor') spec = floorErr ? { id, available: false, reason: `bench/floor.c did not build: ${floorErr}` } : { id, available: true, reason: `${this.paths.floorBin} (cc -O2 bench/floor.c)` };
      else if (id === 'reference') spec = existsSync(REFERENCE_BIN) ? { id, available: true, reason: `${REFERENCE_BIN} ${m.reference}` } : { id, available: false, reason: `${REFERENCE_BIN} is not installed (apt-get install prometheus-process-exporter)` };
      else spec = preflightOurs(id, this.paths, this.config, tiny);
      this.specs.push(spec);
      this.report.contenders.push({ ...spec, label: LABELS[id] });
      say(`  ${LABELS[id].padEnd(22)} ${spec.available ? 'yes' : 'SKIPPED'}: ${spec.reason}`);
    }
  }

  available(): ContenderId[] {
    return this.specs.filter((s) => s.available).map((s) => s.id);
  }

  /** How many more live processes the host's pid space allows; raises pid_max as root when needed. */
  ensurePids(wanted: number): number {
    const file = '/proc/sys/kernel/pid_max';
    const pidMax = Number(readFileSync(file, 'utf8'));
    const { threads } = hostTasks();
    // exporters, the bench and the host's own growth need room too
    const reserve = 2048;
    const room = pidMax - threads - reserve;
    if (wanted <= room) return wanted;
    const need = wanted + threads + reserve;
    try {
      writeFileSync(file, String(need));
      trackSysctl(file, `${pidMax}\n`);
      this.report.limits.push(`kernel.pid_max raised from ${pidMax} to ${need} for ${wanted.toLocaleString('en-US')} processes, restored afterwards.`);
      return wanted;
    } catch (e) {
      const note = `${wanted.toLocaleString('en-US')} processes do not fit under pid_max ${pidMax} (${threads} tasks running; raising it failed: ${errMsg(e)}): ran ${room.toLocaleString('en-US')}.`;
      this.report.limits.push(note);
      return Math.max(0, room);
    }
  }

  /** Starts every available contender, scrapes them in turn, stops them; fills w.results. */
  async runWorkload(w: WorkloadReport, target: Target): Promise<void> {
    say('');
    say(`== [${this.elapsed()}] ${w.id}: ${w.description} ==`);
    if (target.procfs === '/proc') {
      const h = hostTasks();
      w.host = { processes: h.procs, tasks: h.threads };
    }
    const loadBefore = os.loadavg()[0];
    // the working tree may be rebuilt while the bench runs: say so, figures before and after differ
    const stamp = codeStamp();
    if (stamp !== this.stamp) {
      this.stamp = stamp;
      const note = `The code under test (dist/src or the native addon) was rebuilt during the run, before ${w.id}: figures from earlier workloads measured other code.`;
      this.report.limits.push(note);
      w.notes.push(note);
      say(`  NOTE: ${note}`);
    }
    const running: Array<{ run: Running; res: ContenderResult; readings: Array<{ cpu: Cpu | null; threads: ThreadCpu[] }> }> = [];
    for (const c of this.available()) {
      const res: ContenderResult = { contender: c, status: 'ok', scrapes: [] };
      w.results.push(res);
      try {
        const t = performance.now();
        const run = c === 'floor' ? await startFloor(this.paths, target) : await startExporter(c, this.paths, target, this.opts.startTimeoutS * 1000);
        res.pid = run.pid;
        res.startup = run.startup;
        if (run.readerLine) res.readerLine = run.readerLine;
        running.push({ run, res, readings: [] });
        say(`  started ${LABELS[c]} (pid ${run.pid}) in ${fmtS((performance.now() - t) / 1000)}${run.startup ? `, CPU ${fmtS(run.startup.cpuS)}` : ''}`);
      } catch (e) {
        res.status = 'failed';
        res.reason = errMsg(e);
        this.report.errors.push(`${w.id}, ${LABELS[c]}: ${res.reason}`);
        say(`  ${LABELS[c]} FAILED to start: ${res.reason}`);
      }
    }
    const busy0 = hostBusyS();
    const t0 = performance.now();
    const cpu0 = running.map((r) => r.run.cpu());
    const self0 = process.cpuUsage();
    try {
      for (let round = 0; round < w.scrapesPerContender; round++) {
        // rotate the order each round: no contender always follows the same one
        const order = running.map((_, i) => running[(i + round) % running.length]);
        const parts: string[] = [];
        for (const r of order) {
          if (r.res.status !== 'ok') continue;
          r.readings.push({ cpu: r.run.cpu(), threads: r.run.threads() });
          // short-lived processes alive now: each is new to the contender, read in full at first sight
          const churnAlive = w.kind === 'churn' && this.spawner ? (await this.spawner.count()).churnAlive : 0;
          try {
            const out = await r.run.scrape();
            if (r.res.contender !== 'floor' && r.res.contender !== 'reference' && out.reader !== r.res.contender) throw new Error(`served by the ${out.reader ?? 'unknown'} reader`);
            const rec: ScrapeRecord = { wallS: out.wallS, cpuS: NaN, userS: NaN, sysS: NaN, bytes: out.bytes, series: out.series, procsSeen: out.procsSeen, rssMiB: r.run.mem()?.rssMiB };
            if (w.kind === 'churn') rec.newProcs = churnAlive;
            r.res.scrapes.push(rec);
            parts.push(`${r.res.contender} ${fmtS(out.wallS)}`);
          } catch (e) {
            r.res.status = 'failed';
            r.res.reason = `scrape ${round + 1}: ${errMsg(e)}`;
            this.report.errors.push(`${w.id}, ${LABELS[r.res.contender]}: ${r.res.reason}`);
            parts.push(`${r.res.contender} FAILED`);
          }
        }
        say(`  [${this.elapsed()}] round ${round + 1}/${w.scrapesPerContender} wall: ${parts.join(' · ')}`);
      }
      // work an exporter finishes after its response (GC, freeing) still belongs to that scrape
      await sleep(300);
      let contendersS = 0;
      running.forEach((r, i) => {
        const a = cpu0[i];
        const b = r.run.cpu();
        if (a && b) contendersS += b.userS + b.sysS - (a.userS + a.sysS);
      });
      const self = process.cpuUsage(self0);
      w.hostCpu = { elapsedS: (performance.now() - t0) / 1000, cores: os.cpus().length, busyS: hostBusyS() - busy0, contendersS, benchS: (self.user + self.system) / 1e6 };
      for (const r of running) {
        if (r.res.status !== 'ok') continue;
        r.readings.push({ cpu: r.run.cpu(), threads: r.run.threads() });
        const perThread = new Map<string, Cpu>();
        for (let i = 0; i < r.res.scrapes.length; i++) {
          const a = r.readings[i].cpu;
          const b = r.readings[i + 1].cpu;
          if (!a || !b) continue;
          const d = { userS: b.userS - a.userS, sysS: b.sysS - a.sysS };
          Object.assign(r.res.scrapes[i], { userS: d.userS, sysS: d.sysS, cpuS: d.userS + d.sysS });
          threadDelta(r.run.pid, r.readings[i].threads, r.readings[i + 1].threads, d, perThread);
        }
        const k = r.res.scrapes.length;
        r.res.threadProfile = [...perThread]
          .map(([thread, c]) => ({ thread, userS: c.userS / k, sysS: c.sysS / k }))
          .sort((x, y) => y.userS + y.sysS - (x.userS + x.sysS));
        const pick = (f: (s: ScrapeRecord) => number) => r.res.scrapes.map(f);
        const mem = r.run.mem();
        r.res.summary = {
          wallS: spread(pick((s) => s.wallS)),
          cpuS: spread(pick((s) => s.cpuS)),
          userS: spread(pick((s) => s.userS)),
          sysS: spread(pick((s) => s.sysS)),
          bytes: spread(pick((s) => s.bytes)).median,
          series: spread(pick((s) => s.series)).median,
          procsSeen: spread(pick((s) => s.procsSeen)).median,
          rssMiB: mem?.rssMiB ?? NaN,
          peakRssMiB: mem?.hwmMiB ?? NaN,
          newProcs: w.kind === 'churn' ? spread(pick((s) => s.newProcs ?? NaN)) : undefined,
        };
      }
    } finally {
      await Promise.all(running.map((r) => r.run.stop()));
    }
    w.load = { before: loadBefore, after: os.loadavg()[0] };
    say('');
    say(workloadTable(w));
  }

  workload(id: string, kind: WorkloadReport['kind'], description: string, processes: number, threads: number, benchProcesses: number, procfs = '/proc'): WorkloadReport {
    const scrapes = kind === 'synthetic' ? this.opts.syntheticScrapes : processes > TARGET_SIZE * 1.05 ? this.opts.bigScrapes : processes <= SMALL_SIZE * 1.05 ? this.opts.smallScrapes : this.opts.scrapes;
    const w: WorkloadReport = { id, kind, description, processes, threadsPerProcess: threads, benchProcesses, procfs, scrapesPerContender: scrapes, results: [], notes: [] };
    this.report.workloads.push(w);
    return w;
  }

  skipped(id: string, kind: WorkloadReport['kind'], reason: string): void {
    const w = this.workload(id, kind, `skipped: ${reason}`, 0, 0, 0);
    w.results = [];
    w.notes.push(`Skipped: ${reason}`);
    say(`\n== ${id}: skipped, ${reason} ==`);
  }

  /** The host as it is, before the bench starts anything: what the exporter takes from a small host. */
  async host(): Promise<void> {
    const { procs } = hostTasks();
    const w = this.workload('idle-host', 'host', `the host as it is: ${procs.toLocaleString('en-US')} processes, none started by the bench`, procs, 1, 0);
    await this.runWorkload(w, { procfs: '/proc', configPath: this.config, floorThreads: true });
  }

  /** Idle workloads: the bench tops the host up to N processes in /proc (what every contender reads). */
  async idle(): Promise<void> {
    const sp = this.spawner!;
    for (const size of this.opts.sizes) {
      const mine = (await sp.count()).idle;
      const background = hostTasks().procs - mine;
      if (background > size * 1.02) {
        this.skipped(`idle-${size}`, 'idle', `the host already runs ${background.toLocaleString('en-US')} processes, more than ${size.toLocaleString('en-US')}`);
        continue;
      }
      const wanted = Math.max(0, size - background - mine);
      const possible = this.ensurePids(wanted);
      const t = performance.now();
      const alive = possible > 0 ? await sp.spawnIdle(possible, this.opts.names, 1, PREFIXES.idle) : mine;
      const total = hostTasks().procs;
      say(`\n  [${this.elapsed()}] ${total.toLocaleString('en-US')} processes on the host, ${alive.toLocaleString('en-US')} of them the bench's (${fmtS((performance.now() - t) / 1000)} to fork ${possible.toLocaleString('en-US')})`);
      const w = this.workload(`idle-${size}`, 'idle', `${total.toLocaleString('en-US')} processes on the host: ${alive.toLocaleString('en-US')} idle single-threaded ones the bench started under ${this.opts.names} names, ${background.toLocaleString('en-US')} already there`, total, 1, alive);
      if (total < size * 0.98) w.notes.push(`Asked for ${size.toLocaleString('en-US')} processes, ${total.toLocaleString('en-US')} were possible.`);
      if (background > Math.max(500, size * 0.1)) w.notes.push(`${background.toLocaleString('en-US')} of these processes were not the bench's (other work on the host).`);
      await this.runWorkload(w, { procfs: '/proc', configPath: this.config, floorThreads: true });
      if (this.opts.profile && size === this.profileSize()) await this.profile(w, { procfs: '/proc', configPath: this.config, floorThreads: true });
    }
    await sp.killAll();
  }

  profileSize(): number {
    const s = this.opts.sizes;
    return s.includes(TARGET_SIZE) ? TARGET_SIZE : s[s.length - 1];
  }

  async threads(): Promise<void> {
    for (const shape of this.opts.threadsShapes) await this.threadsShape(shape);
  }

  private async threadsShape({ procs, threads }: { procs: number; threads: number }): Promise<void> {
    const sp = this.spawner!;
    await sp.killAll();
    const possibleTasks = this.ensurePids(procs * threads);
    const n = Math.min(procs, Math.floor(possibleTasks / threads));
    const alive = await sp.spawnIdle(n, 10, threads, PREFIXES.threads);
    // threads start after fork returns: give them a moment so that every scrape sees them all
    await sleep(500 + (n * threads) / 200);
    const w = this.workload(threadsWorkloadId(procs, threads), 'threads', `${alive.toLocaleString('en-US')} idle processes × ${threads} threads (${(alive * threads).toLocaleString('en-US')} tasks) under 10 names`, alive, threads, alive);
    await this.runWorkload(w, { procfs: '/proc', configPath: this.config, floorThreads: true });
    await sp.killAll();
  }

  async churn(): Promise<void> {
    const sp = this.spawner!;
    await sp.killAll();
    const { base, perSecond, lifeMs } = this.opts.churn;
    // room for the base and the short-lived ones alive at any moment
    const room = this.ensurePids(base + Math.ceil((perSecond * lifeMs) / 1000));
    const alive = await sp.spawnIdle(Math.min(base, room), this.opts.names, 1, PREFIXES.idle);
    const before = (await sp.count()).churnStarted;
    await sp.churn(perSecond, lifeMs, PREFIXES.churn);
    const w = this.workload('churn', 'churn', `${alive.toLocaleString('en-US')} idle processes plus ${perSecond} new processes per second, each living ${lifeMs} ms`, alive, 1, alive);
    await this.runWorkload(w, { procfs: '/proc', configPath: this.config, floorThreads: true });
    const started = (await sp.count()).churnStarted - before;
    await sp.churn(0, lifeMs, PREFIXES.churn);
    w.churn = { perSecond, lifeMs, started };
    w.notes.push(`${started.toLocaleString('en-US')} short-lived processes were started during this workload. "new procs / scrape" is how many of them were alive when a scrape began: each lives ${lifeMs} ms, far less than the time between one contender's scrapes, so every one is new to the contender and read in full at first sight (cmdline, cgroup, status).`);
    await sp.killAll();
  }

  async ensureSyntheticTree(): Promise<{ dir: string; size: number }> {
    if (this.synthetic) return this.synthetic;
    const size = this.opts.syntheticSize;
    const { dir, tmpfs, mounted } = tmpfsDir('npb-synthetic-');
    const t = performance.now();
    let last = 0;
    await buildSyntheticTree(dir, size, SYN_NAMES, (done) => {
      if (done - last >= size / 4 || done === size) {
        last = done;
        // one line rewritten in a terminal, a line per step in a log
        const line = `  [${this.elapsed()}] synthetic tree: ${done.toLocaleString('en-US')}/${size.toLocaleString('en-US')} processes written`;
        process.stdout.write(process.stdout.isTTY ? `\r${line}` : `${line}\n`);
      }
    });
    say(`${process.stdout.isTTY ? '\n' : ''}  synthetic tree of ${size.toLocaleString('en-US')} processes in ${dir} (${mounted ? 'a tmpfs mounted for the bench' : tmpfs ? 'tmpfs' : 'NOT tmpfs'}) built in ${fmtS((performance.now() - t) / 1000)}`);
    this.synthetic = { dir, mounted, size };
    return this.synthetic;
  }

  async syntheticWorkload(): Promise<void> {
    const { dir, size } = await this.ensureSyntheticTree();
    const w = this.workload(`synthetic-${size}`, 'synthetic', `${size.toLocaleString('en-US')} single-threaded processes under ${SYN_NAMES} names in a synthetic tree on tmpfs, read through -procfs`, size, 1, size, dir);
    w.notes.push('A tmpfs tree costs far less kernel time per file than the live /proc (no process to inspect), so this measures the user-space side at a size beyond pid_max; it is not comparable with the live workloads. On a tree that is not a procfs, ours counts fd/ entries and reads limits (no fast paths).');
    await this.runWorkload(w, { procfs: dir, configPath: this.config, floorThreads: false });
  }

  async renderWorker(procfs: string, names: number, renders: number): Promise<Record<string, unknown>> {
    const cfg = path.join(this.opts.out, `render-${names}.yaml`);
    const list = Array.from({ length: names }, (_, i) => `    - ${synName(i, SYN_NAMES)}\n`).join('');
    writeFileSync(cfg, `process_names:\n  - name: "{{.PID}}"\n    comm:\n${list}`);
    const child = spawnBound(this.paths, this.paths.node, [path.join(__dirname, 'render-worker.js'), JSON.stringify({ procfs, config: cfg, renders })], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    trackGroup(child, 'render worker');
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
    const timer = setTimeout(() => killGroup(child.pid!), this.opts.startTimeoutS * 1000);
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    clearTimeout(timer);
    if (code !== 0) throw new Error(`render worker exited ${code}: ${err.trim().split('\n').slice(-2).join(' ')}`);
    return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
  }

  async render(): Promise<void> {
    const { dir, size } = await this.ensureSyntheticTree();
    say('');
    say(`== [${this.elapsed()}] exposition at high cardinality: one group per process ({{.PID}}) ==`);
    const perName = Math.floor(size / SYN_NAMES);
    const renders = this.opts.quick ? 2 : 5;
    let perGroup: number;
    try {
      const cal = await this.renderWorker(dir, 1, 1);
      perGroup = Number(cal.series) / Number(cal.groups);
      say(`  calibration: ${cal.groups} groups give ${cal.series} series (${perGroup.toFixed(1)} per group)`);
    } catch (e) {
      this.report.errors.push(`render calibration: ${errMsg(e)}`);
      for (const t of this.opts.renderSeries) this.report.render.push({ targetSeries: t, status: 'failed', reason: errMsg(e) });
      return;
    }
    for (const target of this.opts.renderSeries) {
      const names = Math.min(SYN_NAMES, Math.ceil(target / perGroup / perName));
      const entry: RenderReport = { targetSeries: target, status: 'ok' };
      try {
        const r = await this.renderWorker(dir, names, renders);
        Object.assign(entry, {
          groups: r.groups,
          series: r.series,
          bytes: r.bytes,
          renderS: spread(r.renderS as number[]),
          cycleS: r.cycleS,
          scrapeS: r.scrapeS,
          primeS: r.primeS,
          rssBeforeRenderMiB: r.rssBeforeRenderMiB,
          rssAfterRenderMiB: r.rssAfterRenderMiB,
          hwmMiB: r.hwmMiB,
          reader: r.reader,
        });
        if ((entry.series ?? 0) < target) entry.reason = `the tree of ${size} processes gives at most ${entry.series} series`;
        say(`  ${Number(r.series).toLocaleString('en-US')} series (${Number(r.groups).toLocaleString('en-US')} groups, ${((r.bytes as number) / 1048576).toFixed(1)} MiB): render ${fmtS(entry.renderS!.median)} (median of ${renders}), cycle ${fmtS(r.cycleS as number)}, RSS ${Number(r.rssBeforeRenderMiB).toFixed(0)} → ${Number(r.rssAfterRenderMiB).toFixed(0)} MiB, peak ${Number(r.hwmMiB).toFixed(0)} MiB (${r.reader})`);
      } catch (e) {
        entry.status = 'failed';
        entry.reason = errMsg(e);
        this.report.errors.push(`render ${target}: ${entry.reason}`);
        say(`  ${target} series: FAILED ${entry.reason}`);
      }
      this.report.render.push(entry);
    }
  }

  /** Ours again under `node --cpu-prof`: where the main thread's time goes, per scrape. */
  async profile(w: WorkloadReport, target: Target): Promise<void> {
    const dir = path.join(this.opts.out, 'prof');
    mkdirSync(dir, { recursive: true });
    const scrapes = 3;
    for (const c of ['native', 'ts'] as const) {
      if (!this.available().includes(c)) continue;
      const sub = mkdtempSync(path.join(dir, `${c}-`));
      let run: Running | null = null;
      try {
        run = await startExporter(c, this.paths, { ...target, cpuProfDir: sub }, this.opts.startTimeoutS * 1000);
        const since = Number(process.hrtime.bigint() / 1000n);
        for (let i = 0; i < scrapes; i++) await run.scrape();
        await run.stop();
        run = null;
        const file = readdirSync(sub).find((f) => f.endsWith('.cpuprofile'));
        if (!file) throw new Error('no .cpuprofile written');
        const s = summariseProfile(path.join(sub, file), since, scrapes);
        const p: ProfileReport = { contender: c, workload: w.id, scrapes, categories: s.categories, top: s.top };
        if (s.counted === 0) p.note = '(no samples after the priming cycle: clocks disagree?)';
        this.report.profiles.push(p);
        say(`  profile of ${LABELS[c]}: ${s.categories.slice(0, 4).map((x) => `${x.category} ${fmtS(x.s)}`).join(', ')} per scrape (${path.join(sub, file)})`);
      } catch (e) {
        this.report.errors.push(`profile ${c}: ${errMsg(e)}`);
      } finally {
        if (run) await run.stop();
      }
    }
  }

  finish(): void {
    const r = this.report;
    r.growth = growthOf(r.workloads, ALL_CONTENDERS);
    r.targets = [...checkTargets(r), ...costTargets(r)];
    r.finishedAt = new Date().toISOString();
    r.durationS = (performance.now() - this.t0) / 1000;
    r.startedPids = startedPids();
  }

  write(): void {
    const o = this.opts.out;
    writeFileSync(path.join(o, 'report.json'), JSON.stringify(this.report, null, 1) + '\n');
    writeFileSync(path.join(o, 'report.md'), markdown(this.report));
    writeFileSync(path.join(o, 'cpu-per-scrape.svg'), svgChart(this.report));
    if (this.opts.updateReadme) {
      // the committed copy: bench/README.md shows the latest summary with its chart next to it
      const readme = path.join(BENCH_SRC, 'README.md');
      const text = readFileSync(readme, 'utf8');
      const start = '<!-- bench:summary:start -->';
      const end = '<!-- bench:summary:end -->';
      const a = text.indexOf(start);
      const b = text.indexOf(end);
      if (a < 0 || b < a) throw new Error(`${readme} has no ${start} ... ${end} section`);
      writeFileSync(readme, text.slice(0, a + start.length) + '\n' + summaryMarkdown(this.report, 'cpu-per-scrape.svg') + '\n' + text.slice(b));
      writeFileSync(path.join(BENCH_SRC, 'cpu-per-scrape.svg'), svgChart(this.report));
      say(`updated ${readme} and ${path.join(BENCH_SRC, 'cpu-per-scrape.svg')}`);
    }
  }
}

async function main(): Promise<number> {
  // what an open page costs is a measurement of its own (bench/page-cost.ts)
  if (process.argv[2] === '--page-cost') return (await import('./page-cost')).pageCostMain(process.argv.slice(3));
  let opts: BenchOptions | 'help';
  // a bench of its own: what the remote_write push adds to the cycles (bench/push-cost.ts)
  if (process.argv[2] === '--push-cost') return (await import('./push-cost')).main(process.argv.slice(3));
  try {
    opts = parseArgs(process.argv.slice(2), path.join(ROOT, 'bench', 'out'));
  } catch (e) {
    process.stderr.write(`bench: ${errMsg(e)}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (opts.renderOnly) {
    // re-render report.md, the chart (and the README summary) from an existing report.json
    const b = new Bench(opts);
    Object.assign(b.report, JSON.parse(readFileSync(path.join(opts.out, 'report.json'), 'utf8')) as BenchReport);
    b.report.growth = growthOf(b.report.workloads, ALL_CONTENDERS);
    b.report.targets = [...checkTargets(b.report), ...costTargets(b.report)];
    b.write();
    say(`re-rendered ${path.join(opts.out, 'report.md')} from report.json`);
    return 0;
  }
  installCleanupHandlers();
  const b = new Bench(opts);
  try {
    await b.setup();
    const live = b.spawner !== null;
    const noLive = b.spawnerReason;
    if (!opts.skipIdle) {
      await b.host();
      if (live) await b.idle();
      else b.skipped('idle', 'idle', noLive);
    }
    if (!opts.skipThreads) {
      if (live) await b.threads();
      else for (const t of opts.threadsShapes) b.skipped(threadsWorkloadId(t.procs, t.threads), 'threads', noLive);
    }
    if (!opts.skipChurn) {
      if (live) await b.churn();
      else b.skipped('churn', 'churn', noLive);
    }
    if (b.spawner) await b.spawner.stop();
    if (!opts.skipSynthetic) await b.syntheticWorkload();
    if (!opts.skipRender) await b.render();
  } catch (e) {
    b.report.errors.push(`bench aborted: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  } finally {
    if (b.spawner) await b.spawner.stop().catch(() => {});
    if (b.synthetic?.mounted) unmount(b.synthetic.dir);
    cleanupAll();
  }
  b.report.leftoverProcesses = leftoverProcesses();
  b.finish();
  b.write();
  say('');
  say(`== [${b.elapsed()}] targets ==`);
  for (const t of b.report.targets) say(`  ${t.met === null ? 'n/a ' : t.met ? 'MET ' : 'MISS'}  ${t.description}: ${t.detail}`);
  say('');
  say(`report: ${path.join(opts.out, 'report.md')}, ${path.join(opts.out, 'report.json')}, ${path.join(opts.out, 'cpu-per-scrape.svg')}`);
  if (b.report.leftoverProcesses > 0) {
    process.stderr.write(`bench: ${b.report.leftoverProcesses} workload processes are still alive\n`);
    return 1;
  }
  return b.report.errors.some((e) => e.startsWith('bench aborted')) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    cleanupAll();
    process.exit(1);
  },
);
