// Push to Prometheus remote_write: with `remote_write` in the config file the exporter runs its own
// cycle every `global.scrape_interval` and hands each one, stamped with the cycle's end time, to every
// endpoint's queue. Scrapes of /metrics go on as before (and a cycle a scrape just ran is reused).
import { hostname } from 'node:os';
import { readBoundedFile } from '../config/bounded-read';
import { readPushConfigFile, type PushConfig, type RemoteWriteConfig } from '../config/remote-write';
import type { ProcessCollector } from '../collector/collector';
import { ConfigError } from '../config/load';
import { goQuote } from '../go/quote';
import type { Logger } from '../base/log';
import { PushMetrics } from './metrics';
import type { Endpoint } from './sender';
import { errorMessage, StartupError } from '../base/errors';

/**
 * The `job` label of every pushed series: Grafana Agent's process_exporter integration pushed its
 * series under `integrations/<integration name>`, which hosted dashboards for it select on.
 * write_relabel_configs can set another.
 */
export const PUSH_JOB = 'integrations/process_exporter';

/** A cycle that ended this recently (a scrape's) is pushed instead of running another. */
const REUSE_MS = 1000;

/** A push that cannot start: TLS files missing or unreadable. One log line, exit 1. */
class PushStartError extends Error {}

export interface PushDeps {
  collector: ProcessCollector;
  log: Logger;
  version: string;
  /** the `instance` label; the host name by default */
  instance?: string;
}

async function readTlsFile(cfg: RemoteWriteConfig, key: string, path: string): Promise<string | undefined> {
  if (path === '') return undefined;
  try {
    // bounded like every file the exporter does not own: a FIFO is refused, a hung mount times out
    return (await readBoundedFile(path, { maxBytes: 4 * 1024 * 1024, timeoutMs: 5_000 })).toString('utf8');
  } catch (e) {
    throw new PushStartError(`remote_write ${cfg.name}: tls_config.${key}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}`);
  }
}

export class Pusher {
  readonly metrics = new PushMetrics();
  private readonly endpoints: Endpoint[] = [];
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private busy = false;
  private first = true;
  private t0 = 0;
  /** the last cycle pushed: never push one twice or one older (a receiver refuses out-of-order samples) */
  private lastTs = 0;
  private k = 0;
  private readonly intervalMs: number;

  private constructor(
    readonly cfg: PushConfig,
    private readonly deps: PushDeps,
  ) {
    this.intervalMs = cfg.global.scrapeIntervalMs;
  }

  static async create(cfg: PushConfig, deps: PushDeps): Promise<Pusher> {
    // the sender (undici, snappy) is loaded only by a config that pushes: about 20 MB of RSS otherwise
    const { Endpoint } = await import('./sender');
    const p = new Pusher(cfg, deps);
    const targetLabels: Array<[string, string]> = [['instance', deps.instance ?? hostname()], ['job', PUSH_JOB]];
    for (const rw of cfg.remoteWrite) {
      const tls = { ca: await readTlsFile(rw, 'ca_file', rw.tls.caFile), cert: await readTlsFile(rw, 'cert_file', rw.tls.certFile), key: await readTlsFile(rw, 'key_file', rw.tls.keyFile) };
      const stats = p.metrics.endpoint({ remote_name: rw.name, url: rw.url });
      p.endpoints.push(new Endpoint(rw, { targetLabels, externalLabels: cfg.global.externalLabels, rules: rw.writeRelabel }, { log: deps.log, stats, userAgent: `namedprocess-exporter/${deps.version}`, tls }));
    }
    deps.collector.addOwnMetrics((format) => p.metrics.render(format));
    return p;
  }

  /** Starts the cycles: the first one now, then every scrape_interval on a fixed schedule. */
  start(): void {
    const names = this.cfg.remoteWrite.map((rw) => `${rw.name} (${rw.url})`).join(', ');
    this.deps.log.info(`Pushing every ${this.intervalMs / 1000}s to remote_write ${names}`);
    this.t0 = Date.now();
    this.k = 0;
    void this.tick();
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = Date.now();
    this.k++;
    // a machine that slept or a cycle slower than the interval: skip the missed steps, keep the phase
    if (this.t0 + this.k * this.intervalMs < now - this.intervalMs) this.k = Math.ceil((now - this.t0) / this.intervalMs);
    this.timer = setTimeout(() => void this.tick(), Math.max(0, this.t0 + this.k * this.intervalMs - now));
  }

  private async tick(): Promise<void> {
    this.schedule();
    if (this.busy) {
      this.deps.log.debug('remote_write: the previous cycle is still running: this step is skipped');
      return;
    }
    this.busy = true;
    try {
      const c = this.deps.collector;
      // the priming cycle's counters are a baseline, never served: the first push runs a cycle of its own
      const snap = this.first ? await c.collect() : await c.collectFresh(Math.min(REUSE_MS, this.intervalMs / 2));
      this.first = false;
      const latest = c.latest;
      const ts = latest !== null && latest.snap === snap ? latest.endedAtMs : Date.now();
      if (ts <= this.lastTs) return;
      this.lastTs = ts;
      const text = await c.renderCycle(snap, 'text');
      if (ts / 1000 > this.metrics.highestSeconds) this.metrics.highestSeconds = ts / 1000;
      for (const e of this.endpoints) e.enqueue(text, ts);
    } catch (e) {
      this.deps.log.error(`remote_write: cycle failed: ${errorMessage(e)}`);
    } finally {
      this.busy = false;
    }
  }

  /** Stops the cycles and gives every queue up to flushMs to empty. */
  async stop(flushMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await Promise.all(this.endpoints.map((e) => e.stop(flushMs)));
  }
}

/** How long shutdown waits for the queues to empty. */
export const SHUTDOWN_FLUSH_MS = 10_000;

/**
 * The push the `-config.path` file asks for, not started; null without a config file or without
 * `remote_write`. Config mistakes and unreadable TLS files are StartupErrors.
 */
export async function pushFromConfig(configPath: string, deps: PushDeps): Promise<Pusher | null> {
  if (configPath === '') return null;
  try {
    const cfg = await readPushConfigFile(configPath);
    return cfg === null ? null : await Pusher.create(cfg, deps);
  } catch (e) {
    if (e instanceof ConfigError) throw new StartupError(`error reading config file ${goQuote(configPath)}: ${e.message}`);
    if (e instanceof PushStartError) throw new StartupError(e.message);
    throw e;
  }
}
