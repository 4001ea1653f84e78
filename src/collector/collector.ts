// The collector: one scanner, one tracker, one namer; update cycles run one at a time and concurrent
// scrapes share the cycle in flight.
import { reloadedOptions, trackerSettings, type FileSettings, type Options } from '../settings/registry';
import type { Logger } from '../base/log';
import type { Scanner } from '../proc/columns';
import type { CycleSnapshot } from '../expose/snapshot';
import { Tracker, type TrackerOptions } from '../track/tracker';
import type * as ExplainModule from '../track/explain';
import { UsernameCache } from '../track/usernames';
import { pageSize as hostPageSize } from '../proc/pagesize';
import { readConfig, ConfigError } from '../config/load';
import { buildConfigNamer, buildDefaultNamer, ProcnamesNamer, NameMappingError, type Namer } from '../config/matcher';
import { goQuote } from '../go/quote';
import { renderGroupFamilies, type ExpositionFormat } from '../expose/text';
import { SelfMetrics } from '../expose/self-metrics';
import { errorMessage, StartupError } from '../base/errors';

/** The namer the options ask for, with the reference's start-up log line (docs/configuration.md#flags, docs/behaviour.md#differences-from-the-reference). */
export async function buildNamer(options: Options, log: Logger): Promise<Namer> {
  return (await resolveConfig(options, log)).namer;
}

/** What a config (file and options) resolves to: the namer, and the options with the file's settings in. */
export interface ResolvedConfig {
  namer: Namer;
  options: Options;
}

/**
 * Reads the config file once: its rules make the namer, its top-level settings (Alloy's argument names)
 * fill the options that were not given explicitly (`given`: flags on the command line, keys passed to
 * createCollector), so those win.
 */
export async function resolveConfig(options: Options, log: Logger, given: ReadonlyArray<keyof Options> = []): Promise<ResolvedConfig> {
  if (options.configPath !== '') {
    try {
      const file = await readConfig(options.configPath);
      const namer = buildConfigNamer(file.rules, options.configPath, (msg) => log.warn(msg));
      return { namer, options: withSettings(options, file.settings, given) };
    } catch (e) {
      if (e instanceof ConfigError) throw new StartupError(`error reading config file ${goQuote(options.configPath)}: ${e.message}`);
      throw e;
    }
  }
  if (options.procnames.length > 0 || options.namemapping !== '') {
    try {
      return { namer: new ProcnamesNamer(options.procnames, options.namemapping), options };
    } catch (e) {
      if (e instanceof NameMappingError) throw new StartupError(e.message);
      throw e;
    }
  }
  // The built-in default groups by comm, so every short-lived program of a new name would leave a group
  // behind for good: there a group goes once its processes have all gone, unless the flag says otherwise.
  const removeEmptyGroups = given.includes('removeEmptyGroups') ? options.removeEmptyGroups : true;
  const namer = buildDefaultNamer();
  const kept = removeEmptyGroups ? 'a group is removed once its processes have all exited' : 'groups are kept after their processes exit';
  return { namer: { ...namer, description: `${namer.description}; ${kept}` }, options: { ...options, removeEmptyGroups } };
}

function withSettings(options: Options, settings: FileSettings, given: ReadonlyArray<keyof Options>): Options {
  const out: Record<string, unknown> = { ...options };
  for (const [k, v] of Object.entries(settings)) {
    if (v !== undefined && !given.includes(k as keyof Options)) out[k] = v;
  }
  return out as Options;
}

export interface CollectorDeps {
  log: Logger;
  scanner: Scanner;
  namer: Namer;
  version?: string;
  /** the build stamp for process_exporter_build_info (src/base/version.ts); empty when not given */
  revision?: string;
  branch?: string;
  /** injectable for tests */
  now?: () => number;
  pageSize?: number;
  passwdPath?: string;
}

/** Called after every completed cycle (the priming one included) with its snapshot and end time. */
export type CycleListener = (snap: CycleSnapshot, endedAtMs: number) => void;

export class ProcessCollector {
  readonly tracker: Tracker;
  private opts: Options;
  private readonly trackerOpts: TrackerOptions;
  /** a reloaded config waiting for the next cycle */
  private pending: ResolvedConfig | null = null;
  private readonly explainer: ExplainModule.MatchExplainer | null = null;
  private inFlight: Promise<CycleSnapshot> | null = null;
  private primed: Promise<void> | null = null;
  private readonly self: SelfMetrics;
  private readonly listeners: CycleListener[] = [];
  private readonly startHooks: Array<() => void> = [];
  private last: { snap: CycleSnapshot; endedAtMs: number } | null = null;
  /** the last cycle a scrape was answered from (never the priming one) */
  private served: { snap: CycleSnapshot; endedAtMs: number } | null = null;
  /** the last exposition rendered, per format: scrapes that share a cycle share its text */
  private readonly rendered = new Map<ExpositionFormat, { snap: CycleSnapshot; text: string }>();
  private current: Promise<CycleSnapshot> | null = null;
  /** uid -> user name, shared by the namer (.Username) and the page's process rows */
  private readonly users: UsernameCache;

  private constructor(options: Options, private readonly deps: CollectorDeps, bootTimeSec: number) {
    this.opts = options;
    const users = (this.users = new UsernameCache(deps.passwdPath));
    this.trackerOpts = {
      ...forTracker(options, deps.namer),
      pageSize: deps.pageSize ?? hostPageSize(),
      bootTimeSec,
      username: (uid) => users.lookup(uid),
      log: deps.log,
      now: deps.now,
    };
    // the explainer (and its module) only at debug level
    if (deps.log.debugEnabled) {
      const explainer = new (require('../track/explain') as typeof ExplainModule).MatchExplainer(deps.log, () => this.trackerOpts.namer);
      this.explainer = explainer;
      this.trackerOpts.onNewProcess = explainer.onNewProcess;
    }
    this.tracker = new Tracker(deps.scanner, this.trackerOpts);
    this.self = new SelfMetrics({ version: deps.version ?? '0.0.0', reader: deps.scanner.kind, revision: deps.revision, branch: deps.branch });
  }

  /** The options in force (a reload may have changed the ones the config file sets). */
  get options(): Options {
    return this.opts;
  }

  /**
   * Applies a reloaded config from the next cycle: the new namer names every process again, groups keep
   * their counters, and the file's settings take effect (-procfs / procfs_path excepted: the scanner
   * stays on the tree it opened).
   */
  reconfigure(next: ResolvedConfig): void {
    this.pending = next;
  }

  /** The reload gauges: the outcome of the last attempt, and when one last succeeded. */
  recordReload(ok: boolean, atMs: number = Date.now()): void {
    this.self.recordReload(ok, atMs / 1000);
  }

  private applyPending(): void {
    const next = this.pending;
    if (next === null) return;
    this.pending = null;
    this.opts = reloadedOptions(this.opts, next.options);
    Object.assign(this.trackerOpts, forTracker(this.opts, next.namer));
    this.tracker.rematchAll();
    this.explainer?.reset();
  }

  /** Opens the procfs root (btime); errors here are start-up errors (docs/behaviour.md#errors). */
  static async create(options: Options, deps: CollectorDeps): Promise<ProcessCollector> {
    let btime: number;
    try {
      btime = await deps.scanner.bootTime();
    } catch (e) {
      throw new StartupError(`Error initializing: ${errorMessage(e)}`);
    }
    return new ProcessCollector(options, deps, btime);
  }

  get readerKind(): 'native' | 'ts' {
    return this.deps.scanner.kind;
  }

  /** The priming cycle (docs/behaviour.md#first-sight): its result is not served; scrapes that come meanwhile wait for it. */
  prime(): Promise<void> {
    if (this.primed === null) {
      const started = Date.now();
      this.primed = this.runCycle().then((snap) => {
        const t = this.tracker;
        this.deps.log.info(`First update cycle done in ${((Date.now() - started) / 1000).toFixed(3)}s: ${t.lastProcsRead} processes read, ${t.trackedCount} tracked in ${snap.groups.length} groups`);
      });
    }
    return this.primed;
  }

  /** Processes listed (stat read) by the last completed cycle. */
  get processesRead(): number {
    return this.tracker.lastProcsRead;
  }

  /** The user name of a uid, from the same cache the rules' .Username uses. */
  username(uid: number): string {
    return this.users.lookup(uid);
  }

  /** Consumers of the cycle (history, push) subscribe here; a listener that throws is logged, never fatal. */
  onCycle(listener: CycleListener): void {
    this.listeners.push(listener);
  }

  /** Called as every cycle starts (the priming one too), before it reads /proc; one that throws is logged. */
  onCycleStart(hook: () => void): void {
    this.startHooks.push(hook);
  }

  /** The most recent completed cycle, or null before the first one ends. */
  get latest(): { snap: CycleSnapshot; endedAtMs: number } | null {
    return this.last;
  }

  /**
   * A snapshot no older than maxAgeMs: the last cycle's when it is fresh enough, else a new cycle (shared
   * with any in flight). Lets a page or a push interval ride on scrapes instead of adding scans.
   */
  async collectFresh(maxAgeMs: number): Promise<CycleSnapshot> {
    await this.prime();
    const now = Date.now();
    if (this.inFlight === null && this.last !== null && now - this.last.endedAtMs <= maxAgeMs) return this.last.snap;
    return this.collect();
  }

  /** One update cycle, shared by every caller that asks while it runs. */
  async collect(): Promise<CycleSnapshot> {
    await this.prime();
    if (this.inFlight === null) {
      this.inFlight = this.runCycle().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  /**
   * For a scrape received at receivedAtMs: the last served cycle when it ended at or after that time
   * (requests pipelined behind another scrape, answered one after the other, share its cycle as
   * concurrent ones share the cycle in flight), else collect().
   */
  async collectSince(receivedAtMs: number): Promise<CycleSnapshot> {
    await this.prime();
    const s = this.served;
    if (this.inFlight === null && s !== null && s.endedAtMs >= receivedAtMs) return s.snap;
    const snap = await this.collect();
    if (this.last !== null && this.last.snap === snap) this.served = this.last;
    return snap;
  }

  /** The cycle running now (the priming one included), or null: shutdown waits a little for it. */
  get running(): Promise<unknown> | null {
    return this.current;
  }

  private runCycle(): Promise<CycleSnapshot> {
    const cycle = this.cycleBody().finally(() => {
      if (this.current === cycle) this.current = null;
    });
    this.current = cycle;
    return cycle;
  }

  private async cycleBody(): Promise<CycleSnapshot> {
    const started = process.hrtime.bigint();
    this.applyPending();
    for (const hook of this.startHooks) {
      try {
        hook();
      } catch (e) {
        this.deps.log.error(`cycle start hook failed: ${errorMessage(e)}`);
      }
    }
    this.self.watchLoop(true);
    let snap: CycleSnapshot;
    try {
      snap = await this.tracker.update();
    } catch (e) {
      // a bug, not a /proc problem: keep serving, count it as a failed cycle; the stack only with -debug
      this.deps.log.debug(`update cycle failed: ${(e as Error).stack ?? e}`);
      snap = this.tracker.failCycle(`update cycle failed: ${errorMessage(e)}`);
    }
    this.self.watchLoop(false);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.explainer?.endCycle();
    const t = this.tracker;
    this.self.recordCycle(seconds, { procsRead: t.lastProcsRead, threadsRead: t.lastThreadsRead, smapsRead: t.lastSmapsRead, idleHeld: t.lastIdleHeld, threadsHeld: t.lastThreadsHeld, tracked: t.trackedCount, ignored: t.ignoredCount });
    this.self.recordBounds(t.labels.cuts, t.matchErrors);
    const endedAtMs = Date.now();
    this.last = { snap, endedAtMs };
    for (const listener of this.listeners) {
      try {
        listener(snap, endedAtMs);
      } catch (e) {
        this.deps.log.error(`cycle listener failed: ${errorMessage(e)}`);
      }
    }
    return snap;
  }

  /**
   * A full exposition: the namedprocess_* families, then the exporter's own metrics. With receivedAtMs
   * (a scrape's arrival), a cycle that ended after it serves (collectSince); without, a new cycle.
   */
  async render(format: ExpositionFormat, receivedAtMs?: number): Promise<string> {
    return this.renderCycle(receivedAtMs === undefined ? await this.collect() : await this.collectSince(receivedAtMs), format);
  }

  /**
   * The exposition of a given cycle, as render() writes it: the push sends the cycle it ran. A cycle is
   * rendered once per format; every scrape of it (and its push) gets the same text, the exporter's own
   * metrics as of that first rendering.
   */
  renderCycle(snap: CycleSnapshot, format: ExpositionFormat): string {
    const memo = this.rendered.get(format);
    if (memo !== undefined && memo.snap === snap) return memo.text;
    const text = renderGroupFamilies(snap, { threads: this.options.threads, format }) + this.self.render(format);
    this.rendered.set(format, { snap, text });
    return text;
  }

  /** More of the exporter's own families (the push's), written with them in either format. */
  addOwnMetrics(render: (format: ExpositionFormat) => string): void {
    this.self.extend(render);
  }

  close(): void {
    this.self.close();
    this.deps.scanner.close();
  }
}

/** What the tracker takes from the options and the namer: the same at start and on every reload. */
function forTracker(options: Options, namer: Namer): Pick<TrackerOptions, 'namer' | 'pinnedGroups'> & ReturnType<typeof trackerSettings> {
  return {
    ...trackerSettings(options),
    namer,
    // -report-configured-groups: the names the namer knows before any process is seen
    pinnedGroups: options.reportConfiguredGroups ? new Set(namer.fixedNames?.() ?? []) : undefined,
  };
}
