// The push's own metrics, named like Prometheus's prometheus_remote_storage_* under the exporter's
// prefix and labelled like them by `remote_name` and `url`. Kept as plain numbers and written with the
// exporter's own metrics at each scrape, in either exposition format.
import { escapeLabel, familyHeader, num } from '../expose/self-metrics';
import type { ExpositionFormat } from '../expose/text';

const P = 'namedprocess_exporter_remote_storage_';
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
  /** sent_batch_duration_seconds: cumulative bucket counts, sum and count */
  readonly durationBuckets = DURATION_BUCKETS.map(() => 0);
  durationSum = 0;
  durationCount = 0;
  constructor(readonly labels: { remote_name: string; url: string }) {}

  observeBatch(seconds: number): void {
    for (let b = 0; b < DURATION_BUCKETS.length; b++) if (seconds <= DURATION_BUCKETS[b]) this.durationBuckets[b]++;
    this.durationSum += seconds;
    this.durationCount++;
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

  /** The families as exposition text, in either format. */
  render(format: ExpositionFormat): string {
    let out = '';
    const head = (name: string, type: string, help: string) => {
      out += familyHeader(name, type, help, format);
    };
    const labels = (e: EndpointStats, extra = '') => `{remote_name="${escapeLabel(e.labels.remote_name)}",url="${escapeLabel(e.labels.url)}"${extra}}`;
    const perEndpoint = (name: string, type: string, help: string, get: (e: EndpointStats) => number) => {
      head(P + name, type, help);
      for (const e of this.endpoints) out += `${P}${name}${labels(e)} ${num(get(e))}\n`;
    };
    perEndpoint('samples_total', 'counter', 'Total number of samples sent to remote storage.', (e) => e.sent);
    perEndpoint('samples_failed_total', 'counter', 'Total number of samples which failed on send to remote storage, non-recoverable errors.', (e) => e.failed);
    perEndpoint('samples_retried_total', 'counter', 'Total number of samples which failed on send to remote storage but were retried because the send error was recoverable.', (e) => e.retried);
    perEndpoint('samples_dropped_total', 'counter', 'Total number of samples dropped from the in-memory queue, oldest first, because it was full.', (e) => e.dropped);
    perEndpoint('samples_pending', 'gauge', 'The number of samples pending in the queue waiting to be sent.', (e) => e.pending);
    perEndpoint('queue_highest_sent_timestamp_seconds', 'gauge', 'Timestamp of the newest sample successfully sent by this queue, in seconds since epoch.', (e) => e.highestSentSeconds);
    head(P + 'highest_timestamp_in_seconds', 'gauge', 'Highest timestamp of a cycle handed to remote storage, in seconds since epoch.');
    out += `${P}highest_timestamp_in_seconds ${num(this.highestSeconds)}\n`;
    const h = P + 'sent_batch_duration_seconds';
    head(h, 'histogram', 'Duration of send calls to the remote storage.');
    for (const e of this.endpoints) {
      for (let b = 0; b < DURATION_BUCKETS.length; b++) out += `${h}_bucket${labels(e, `,le="${DURATION_BUCKETS[b]}"`)} ${e.durationBuckets[b]}\n`;
      out += `${h}_bucket${labels(e, ',le="+Inf"')} ${e.durationCount}\n`;
      out += `${h}_sum${labels(e)} ${num(e.durationSum)}\n`;
      out += `${h}_count${labels(e)} ${e.durationCount}\n`;
    }
    return out;
  }
}
