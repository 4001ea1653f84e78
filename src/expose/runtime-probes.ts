// What the nodejs_eventloop_lag_* and nodejs_gc_duration_seconds families are made of, measured without
// node:perf_hooks: that module, its event-loop histogram and its GC performance entries cost about
// 0.5 MiB of resident memory, a tenth of what the exporter adds to a bare Node process on a small host.
//
// - Event-loop delay: while a cycle runs, a timer every LOOP_RESOLUTION_MS records the time since its
//   last firing (what monitorEventLoopDelay records: the resolution plus the lag). Recording starts afresh
//   with each cycle, so the idle time between two cycles is not counted as a delay.
// - GC durations: V8's GC profiler (node:v8's GCProfiler), drained at each scrape and each cycle end into
//   counts per kind; its `cost` is the pause from V8's GC prologue to its epilogue, as a GC performance
//   entry's duration is.
import { GCProfiler } from 'node:v8';

/** The timer's resolution for the delay samples, in ms (prom-client's default). */
export const LOOP_RESOLUTION_MS = 10;
/** Samples kept for the percentiles between two renders; beyond it the oldest are overwritten. */
const KEPT_SAMPLES = 4096;

export interface DelaySummary {
  count: number;
  /** all in seconds; 0 when nothing was recorded */
  min: number;
  max: number;
  mean: number;
  stddev: number;
  p50: number;
  p90: number;
  p99: number;
}

/** Event-loop delays recorded while cycles run, summarised and reset by each render. */
export class LoopDelay {
  private timer: NodeJS.Timeout | null = null;
  private last = 0n;
  private count = 0;
  private sum = 0;
  private sumSquares = 0;
  private min = Infinity;
  private max = 0;
  /** the last KEPT_SAMPLES delays, in ns (a ring) */
  private samples = new Float64Array(0);

  start(): void {
    if (this.timer !== null) return;
    this.last = process.hrtime.bigint();
    this.timer = setInterval(() => this.tick(), LOOP_RESOLUTION_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer === null) return;
    clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const now = process.hrtime.bigint();
    this.record(Number(now - this.last));
    this.last = now;
  }

  /** Records one delay in ns (public for the tests). */
  record(ns: number): void {
    if (this.samples.length === 0) this.samples = new Float64Array(KEPT_SAMPLES);
    this.samples[this.count % KEPT_SAMPLES] = ns;
    this.count++;
    this.sum += ns;
    this.sumSquares += ns * ns;
    if (ns < this.min) this.min = ns;
    if (ns > this.max) this.max = ns;
  }

  /** The delays since the last call, in seconds, then forgets them. */
  takeSummary(): DelaySummary {
    const n = this.count;
    if (n === 0) return { count: 0, min: 0, max: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p99: 0 };
    const kept = this.samples.slice(0, Math.min(n, KEPT_SAMPLES)).sort();
    // the smallest recorded value with at least p% of the values at or below it
    const at = (p: number) => kept[Math.max(0, Math.ceil((p / 100) * kept.length) - 1)] / 1e9;
    const mean = this.sum / n;
    const out = {
      count: n,
      min: this.min / 1e9,
      max: this.max / 1e9,
      mean: mean / 1e9,
      stddev: Math.sqrt(Math.max(0, this.sumSquares / n - mean * mean)) / 1e9,
      p50: at(50),
      p90: at(90),
      p99: at(99),
    };
    this.count = 0;
    this.sum = 0;
    this.sumSquares = 0;
    this.min = Infinity;
    this.max = 0;
    return out;
  }
}

/** prom-client's kinds, by the GC profiler's names of V8's GC types. */
const GC_KINDS: Record<string, string> = {
  Scavenge: 'minor',
  MinorMarkCompact: 'minor',
  MinorMarkSweep: 'minor',
  MarkSweepCompact: 'major',
  IncrementalMarking: 'incremental',
  ProcessWeakCallbacks: 'weakcb',
};

/** Garbage collections since the last drain, as (kind, seconds). */
export class GcPauses {
  private profiler: GCProfiler | null;

  constructor() {
    this.profiler = new GCProfiler();
    this.profiler.start();
  }

  /** Hands each collection since the last call to `observe`, and goes on recording. */
  drain(observe: (kind: string, seconds: number) => void): void {
    if (this.profiler === null) return;
    const report = this.profiler.stop();
    this.profiler.start();
    for (const s of report.statistics) {
      const kind = GC_KINDS[s.gcType];
      if (kind !== undefined) observe(kind, s.cost / 1e6);
    }
  }

  close(): void {
    this.profiler?.stop();
    this.profiler = null;
  }
}
