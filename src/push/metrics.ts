// The push's own metrics, named like Prometheus's prometheus_remote_storage_* under the exporter's
// prefix and labelled like them by `remote_name` and `url`. Kept as plain numbers here and read by
// prom-client at each scrape, so the text and OpenMetrics registries show the same values.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const P = 'namedprocess_exporter_remote_storage_';
const LABELS = ['remote_name', 'url'] as const;
/** Prometheus's buckets for sent_batch_duration_seconds */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 120, 300];

/** The counts of one remote_write endpoint. */
export class EndpointStats {
  sent = 0;
  failed = 0;
  retried = 0;
  dropped = 0;
  pending = 0;
  highestSentSeconds = 0;
  readonly durations: Array<(seconds: number) => void> = [];
  constructor(readonly labels: { remote_name: string; url: string }) {}

  observeBatch(seconds: number): void {
    for (const observe of this.durations) observe(seconds);
  }
}

export class PushMetrics {
  readonly endpoints: EndpointStats[] = [];
  /** the newest cycle timestamp handed to the push, in seconds */
  highestSeconds = 0;

  endpoint(labels: { remote_name: string; url: string }): EndpointStats {
    const e = new EndpointStats(labels);
    this.endpoints.push(e);
    return e;
  }

  /** Adds the families to one registry; call once per registry. */
  register(registry: Registry): void {
    const eps = this.endpoints;
    const counter = (name: string, help: string, get: (e: EndpointStats) => number) =>
      new Counter({
        name: P + name,
        help,
        labelNames: LABELS,
        registers: [registry],
        collect() {
          this.reset();
          for (const e of eps) this.inc(e.labels, get(e));
        },
      });
    counter('samples_total', 'Total number of samples sent to remote storage.', (e) => e.sent);
    counter('samples_failed_total', 'Total number of samples which failed on send to remote storage, non-recoverable errors.', (e) => e.failed);
    counter('samples_retried_total', 'Total number of samples which failed on send to remote storage but were retried because the send error was recoverable.', (e) => e.retried);
    counter('samples_dropped_total', 'Total number of samples dropped from the in-memory queue, oldest first, because it was full.', (e) => e.dropped);
    new Gauge({
      name: P + 'samples_pending',
      help: 'The number of samples pending in the queue waiting to be sent.',
      labelNames: LABELS,
      registers: [registry],
      collect() {
        for (const e of eps) this.set(e.labels, e.pending);
      },
    });
    new Gauge({
      name: P + 'queue_highest_sent_timestamp_seconds',
      help: 'Timestamp of the newest sample successfully sent by this queue, in seconds since epoch.',
      labelNames: LABELS,
      registers: [registry],
      collect() {
        for (const e of eps) this.set(e.labels, e.highestSentSeconds);
      },
    });
    const self = this;
    new Gauge({
      name: P + 'highest_timestamp_in_seconds',
      help: 'Highest timestamp of a cycle handed to remote storage, in seconds since epoch.',
      registers: [registry],
      collect() {
        this.set(self.highestSeconds);
      },
    });
    const hist = new Histogram({
      name: P + 'sent_batch_duration_seconds',
      help: 'Duration of send calls to the remote storage.',
      labelNames: LABELS,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
    for (const e of eps) {
      hist.zero(e.labels);
      e.durations.push((s) => hist.observe(e.labels, s));
    }
  }
}
