// The collector: one scanner, one tracker, one namer; update cycles run one at a time and concurrent
// scrapes share the cycle in flight (DESIGN.md, "serve").
import type { Options } from './options';
import type { Logger } from './log';
import type { Scanner } from './proc/columns';
import type { CycleSnapshot } from './expose/snapshot';
import { Tracker } from './track/tracker';
import { UsernameCache } from './track/usernames';
import { pageSize as hostPageSize } from './proc/pagesize';
import { readConfigFile, ConfigError } from './config/load';
import { buildConfigNamer, buildDefaultNamer, ProcnamesNamer, NameMappingError, goQuote, type Namer } from './config/matcher';
import { renderGroupFamilies, type ExpositionFormat } from './expose/text';
import { SelfMetrics } from './expose/self-metrics';

/** A start-up problem the user can fix: printed as one log line, exit 1, no stack trace. */
export class StartupError extends Error {}

/** The namer the options ask for, with the reference's start-up log line (SPEC §1.1, §0). */
export async function buildNamer(options: Options, log: Logger): Promise<Namer> {
  if (options.configPath !== '') {
    try {
      const rules = await readConfigFile(options.configPath);
      return buildConfigNamer(rules, options.configPath, (msg) => log.info(msg));
    } catch (e) {
      if (e instanceof ConfigError) throw new StartupError(`error reading config file ${goQuote(options.configPath)}: ${e.message}`);
      throw e;
    }
  }
  if (options.procnames.length > 0 || options.namemapping !== '') {
    try {
      return new ProcnamesNamer(options.procnames, options.namemapping);
    } catch (e) {
      if (e instanceof NameMappingError) throw new StartupError(e.message);
      throw e;
    }
  }
  return buildDefaultNamer();
}

export interface CollectorDeps {
  log: Logger;
  scanner: Scanner;
  namer: Namer;
  version?: string;
  /** injectable for tests */
  now?: () => number;
  pageSize?: number;
  passwdPath?: string;
}

/** Called after every completed cycle (the priming one included) with its snapshot and end time. */
export type CycleListener = (snap: CycleSnapshot, endedAtMs: number) => void;

export class ProcessCollector {
  readonly tracker: Tracker;
  private inFlight: Promise<CycleSnapshot> | null = null;
  private primed: Promise<void> | null = null;
  private readonly self: SelfMetrics;
  private readonly listeners: CycleListener[] = [];
  private last: { snap: CycleSnapshot; endedAtMs: number } | null = null;
  private current: Promise<CycleSnapshot> | null = null;

  private constructor(readonly options: Options, private readonly deps: CollectorDeps, bootTimeSec: number) {
    const users = new UsernameCache(deps.passwdPath);
    this.tracker = new Tracker(deps.scanner, {
      namer: deps.namer,
      children: options.children,
      recheck: options.recheck || options.recheckWithTimeLimitMs !== 0,
      recheckWithTimeLimitMs: options.recheckWithTimeLimitMs,
      threads: options.threads,
      gatherSmaps: options.gatherSmaps,
      removeEmptyGroups: options.removeEmptyGroups,
      pageSize: deps.pageSize ?? hostPageSize(),
      bootTimeSec,
      username: (uid) => users.lookup(uid),
      log: deps.log,
      now: deps.now,
    });
    this.self = new SelfMetrics({ version: deps.version ?? '0.0.0', reader: deps.scanner.kind });
  }

  /** Opens the procfs root (btime); errors here are start-up errors (SPEC §6). */
  static async create(options: Options, deps: CollectorDeps): Promise<ProcessCollector> {
    let btime: number;
    try {
      btime = await deps.scanner.bootTime();
    } catch (e) {
      throw new StartupError(`Error initializing: ${(e as Error).message}`);
    }
    return new ProcessCollector(options, deps, btime);
  }

  get readerKind(): 'native' | 'ts' {
    return this.deps.scanner.kind;
  }

  /** The priming cycle (SPEC §5.2): its result is not served; scrapes that come meanwhile wait for it. */
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

  /** Consumers of the cycle (history, push) subscribe here; a listener that throws is logged, never fatal. */
  onCycle(listener: CycleListener): void {
    this.listeners.push(listener);
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
    let snap: CycleSnapshot;
    try {
      snap = await this.tracker.update();
    } catch (e) {
      // a bug, not a /proc problem: keep serving, count it as a failed cycle; the stack only with -debug
      this.deps.log.debug(`update cycle failed: ${(e as Error).stack ?? e}`);
      snap = this.tracker.failCycle(`update cycle failed: ${(e as Error).message ?? e}`);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.self.recordCycle(seconds, this.tracker.lastProcsRead, this.tracker.lastThreadsRead, this.tracker.trackedCount, this.tracker.ignoredCount);
    this.self.recordBounds(this.tracker.labels.cuts, this.tracker.matchErrors);
    const endedAtMs = Date.now();
    this.last = { snap, endedAtMs };
    for (const listener of this.listeners) {
      try {
        listener(snap, endedAtMs);
      } catch (e) {
        this.deps.log.error(`cycle listener failed: ${(e as Error).message ?? e}`);
      }
    }
    return snap;
  }

  /** A full exposition: the namedprocess_* families, then the exporter's own metrics. */
  async render(format: ExpositionFormat): Promise<string> {
    const snap = await this.collect();
    const groups = renderGroupFamilies(snap, { threads: this.options.threads, format });
    const own = await this.self.render(format);
    return groups + own;
  }

  close(): void {
    this.deps.scanner.close();
  }
}
