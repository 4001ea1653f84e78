// The exporter's own metrics through prom-client: process_* and nodejs_* defaults, build info, and
// what the last cycle cost. Two registries, because prom-client renames counters in place for
// OpenMetrics and a metric object shared by both would lose its _total in the text format.
import { Registry, Counter, Gauge, collectDefaultMetrics } from 'prom-client';
import { MAX_LABEL_VALUE_LENGTH } from '../track/label-bound';
import type { ExpositionFormat } from './text';

interface Set {
  registry: Registry;
  duration: Gauge;
  procs: Gauge;
  threads: Gauge;
  tracked: Gauge;
  ignored: Gauge;
  cut: Counter;
  matchErrors: Counter;
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

export class SelfMetrics {
  private readonly sets: Record<ExpositionFormat, Set>;
  /** the totals already added to the counters, per label ('' for match errors) */
  private readonly seen = new Map<string, number>();

  constructor(build: { version: string; reader: string }) {
    const make = (contentType: string): Set => {
      const registry = new Registry();
      registry.setContentType(contentType as typeof Registry.PROMETHEUS_CONTENT_TYPE);
      collectDefaultMetrics({ register: registry });
      // gauges named like counters: promtool flags them; the per-type nodejs_active_* gauges stay
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
      // the reference's family name and labels, so dashboards that read it keep working; plus the reader
      const info = new Gauge({
        name: 'process_exporter_build_info',
        help: "A metric with a constant '1' value labeled by version, revision, branch, goversion from which process_exporter was built, and the goos and goarch for the build.",
        labelNames: ['branch', 'goarch', 'goos', 'goversion', 'reader', 'revision', 'tags', 'version'],
        registers: [registry],
      });
      info.set(
        { branch: '', goarch: GO_ARCH[process.arch] ?? process.arch, goos: process.platform, goversion: `node ${process.version}`, reader: build.reader, revision: '', tags: '', version: build.version },
        1,
      );
      const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [registry] });
      return {
        registry,
        duration: gauge('namedprocess_exporter_cycle_duration_seconds', 'Wall time of the last update cycle (scan, track, group).'),
        procs: gauge('namedprocess_exporter_cycle_procs_read', 'Processes whose stat was read in the last update cycle.'),
        threads: gauge('namedprocess_exporter_cycle_threads_read', 'Threads read in the last update cycle (multi-threaded tracked processes only).'),
        tracked: gauge('namedprocess_exporter_tracked_procs', 'Processes currently tracked in a group.'),
        ignored: gauge('namedprocess_exporter_ignored_procs', 'Processes currently ignored (matched no rule): only their stat is read.'),
        cut: new Counter({
          name: 'namedprocess_exporter_label_values_cut_total',
          help: `Label values longer than ${MAX_LABEL_VALUE_LENGTH} characters cut to a prefix and a hash: group names once per process named, thread names and wchans once per thread and cycle.`,
          labelNames: ['label'],
          registers: [registry],
        }),
        matchErrors: new Counter({
          name: 'namedprocess_exporter_match_errors_total',
          help: 'Processes whose matching or naming failed; each is left unmatched and the cycle goes on.',
          registers: [registry],
        }),
      };
    };
    this.sets = { text: make(Registry.PROMETHEUS_CONTENT_TYPE), openmetrics: make(Registry.OPENMETRICS_CONTENT_TYPE) };
  }

  recordCycle(seconds: number, procs: number, threads: number, tracked: number, ignored: number): void {
    for (const s of Object.values(this.sets)) {
      s.duration.set(seconds);
      s.procs.set(procs);
      s.threads.set(threads);
      s.tracked.set(tracked);
      s.ignored.set(ignored);
    }
  }

  /** Brings the bound counters up to the tracker's totals (they only grow). */
  recordBounds(cuts: Record<string, number>, matchErrors: number): void {
    for (const s of Object.values(this.sets)) {
      for (const [label, total] of Object.entries(cuts)) {
        const seen = this.seen.get(label) ?? 0;
        if (total > seen) s.cut.inc({ label }, total - seen);
        else if (seen === 0) s.cut.inc({ label }, 0);
      }
      const seenErrors = this.seen.get('') ?? 0;
      s.matchErrors.inc(Math.max(0, matchErrors - seenErrors));
    }
    for (const [label, total] of Object.entries(cuts)) this.seen.set(label, total);
    this.seen.set('', matchErrors);
  }

  /** Text ends with a newline; OpenMetrics ends with `# EOF`. Blank lines between families dropped. */
  async render(format: ExpositionFormat): Promise<string> {
    const text = await this.sets[format].registry.metrics();
    return text.replace(/\n\n+/g, '\n');
  }
}
