// One remote_write endpoint: its series builder, its queue and the loop that sends the queue in order
// over one kept-alive connection (undici Pool), retrying what can be retried with exponential backoff.
import { readFile } from 'node:fs/promises';
import { Pool } from 'undici';
import { compress } from 'snappyjs';
import type { RemoteWriteConfig } from '../config/remote-write';
import type { Logger } from '../base/log';
import { encodeWriteRequest } from './proto';
import { SampleQueue } from './queue';
import { SeriesBuilder, type SeriesContext } from './series';
import type { EndpointStats } from './metrics';

/** Why a batch did not go through, and whether it is worth sending again. */
interface Failure {
  retry: boolean;
  /** the kind of failure: each is logged once until a batch goes through again */
  cause: string;
  /** what the log says: never a secret */
  detail: string;
  /** Retry-After of a 429, in ms */
  retryAfterMs?: number;
}

export interface EndpointDeps {
  log: Logger;
  stats: EndpointStats;
  userAgent: string;
  /** TLS material read at start-up */
  tls: { ca?: string; cert?: string; key?: string };
  /** the wait between attempts; tests record it instead of waiting */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Retry-After: delay-seconds or an HTTP date; undefined when absent or unreadable. */
function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - nowMs);
}

export class Endpoint {
  readonly queue: SampleQueue;
  private readonly builder: SeriesBuilder;
  private readonly pool: Pool;
  private readonly path: string;
  private running: Promise<void> | null = null;
  private stopping = false;
  private readonly abort = new AbortController();
  /** causes of refused batches already logged: once each for the life of the exporter */
  private readonly refusals = new Set<string>();
  /** causes of retried attempts (and a full queue) logged in the current outage */
  private readonly outage = new Set<string>();
  /** failed attempts in a row: 0 while the receiver takes what we send */
  private failures = 0;

  constructor(
    readonly cfg: RemoteWriteConfig,
    ctx: SeriesContext,
    private readonly deps: EndpointDeps,
  ) {
    this.queue = new SampleQueue(cfg.queue.capacity);
    this.builder = new SeriesBuilder(ctx);
    const url = new URL(cfg.url);
    this.path = url.pathname + url.search;
    const t = cfg.tls;
    this.pool = new Pool(url.origin, {
      connections: 1,
      pipelining: 1,
      connect: {
        ca: deps.tls.ca,
        cert: deps.tls.cert,
        key: deps.tls.key,
        servername: t.serverName !== '' ? t.serverName : undefined,
        rejectUnauthorized: !t.insecureSkipVerify,
      },
    });
  }

  /** Queues a cycle's exposition text and starts sending. */
  enqueue(text: string, timestampMs: number): void {
    if (this.stopping) return;
    const chunk = this.builder.build(text, timestampMs);
    const dropped = this.queue.push(chunk);
    if (dropped > 0) {
      this.deps.stats.dropped += dropped;
      this.logOnce(this.outage, 'queue full', `remote_write ${this.cfg.name}: the queue is full (capacity ${this.cfg.queue.capacity} samples): dropping the oldest samples`);
    }
    this.deps.stats.pending = this.queue.pending;
    this.kick();
  }

  /** Resolves when the queue is empty or the sender gave up for now (stopped). */
  whenIdle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private kick(): void {
    if (this.running === null) {
      this.running = this.loop().finally(() => {
        this.running = null;
      });
    }
  }

  private async loop(): Promise<void> {
    let backoff = this.cfg.queue.minBackoffMs;
    while (this.queue.pending > 0 && !this.abort.signal.aborted) {
      const head = this.queue.head;
      const batch = this.queue.peek(this.cfg.queue.maxSamplesPerSend);
      const started = process.hrtime.bigint();
      const failure = await this.send(encodeWriteRequest(batch.runs));
      this.deps.stats.observeBatch(Number(process.hrtime.bigint() - started) / 1e9);
      if (failure === null) {
        this.deps.stats.sent += batch.count;
        const newest = batch.runs[batch.runs.length - 1].timestampMs / 1000;
        if (newest > this.deps.stats.highestSentSeconds) this.deps.stats.highestSentSeconds = newest;
        if (this.failures > 0) this.deps.log.info(`remote_write ${this.cfg.name}: sending again after ${this.failures} failed attempts`);
        this.failures = 0;
        this.outage.clear();
        backoff = this.cfg.queue.minBackoffMs;
        this.queue.discardUpTo(head + batch.count);
      } else if (!failure.retry) {
        this.deps.stats.failed += batch.count;
        this.logOnce(this.refusals, failure.cause, `remote_write ${this.cfg.name}: ${failure.detail}: ${batch.count} samples not sent, not retrying`);
        this.queue.discardUpTo(head + batch.count);
      } else {
        if (this.abort.signal.aborted) break;
        this.deps.stats.retried += batch.count;
        this.failures++;
        this.logOnce(this.outage, failure.cause, `remote_write ${this.cfg.name}: ${failure.detail}: retrying with backoff (the queue keeps ${this.queue.pending} samples)`);
        const wait = failure.retryAfterMs ?? backoff;
        backoff = Math.min(backoff * 2, this.cfg.queue.maxBackoffMs);
        await (this.deps.sleep ?? abortableSleep)(wait, this.abort.signal);
      }
      this.deps.stats.pending = this.queue.pending;
    }
  }

  private logOnce(logged: Set<string>, cause: string, message: string): void {
    if (logged.has(cause)) {
      this.deps.log.debug(message);
      return;
    }
    logged.add(cause);
    this.deps.log.error(message);
  }

  private async headers(): Promise<{ headers: Record<string, string> } | { failure: Failure }> {
    const h: Record<string, string> = {
      'content-encoding': 'snappy',
      'content-type': 'application/x-protobuf',
      'user-agent': this.deps.userAgent,
      'x-prometheus-remote-write-version': '0.1.0',
    };
    for (const [name, value] of this.cfg.headers) h[name.toLowerCase()] = value;
    const b = this.cfg.basicAuth;
    if (b !== null) {
      const password = await this.secret(b.password, b.passwordFile, 'basic_auth.password_file');
      if (typeof password !== 'string') return { failure: password };
      h.authorization = 'Basic ' + Buffer.from(`${b.username}:${password}`).toString('base64');
    }
    const a = this.cfg.authorization;
    if (a !== null) {
      const credentials = await this.secret(a.credentials, a.credentialsFile, 'authorization.credentials_file');
      if (typeof credentials !== 'string') return { failure: credentials };
      h.authorization = `${a.type} ${credentials}`;
    }
    return { headers: h };
  }

  // A file is read at every send, so a rotated secret is picked up; a trailing newline is not part of it.
  private async secret(inline: string, file: string, field: string): Promise<string | Failure> {
    if (file === '') return inline;
    try {
      return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
    } catch (e) {
      const detail = `cannot read ${field} ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`;
      return { retry: true, cause: detail, detail };
    }
  }

  /** One POST of one batch; null when the receiver took it. */
  private async send(raw: Buffer): Promise<Failure | null> {
    const h = await this.headers();
    if ('failure' in h) return h.failure;
    const headers = h.headers;
    const packed = compress(raw);
    const body = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
    const timeout = AbortSignal.timeout(this.cfg.remoteTimeoutMs);
    try {
      const res = await this.pool.request({ path: this.path, method: 'POST', headers, body, signal: AbortSignal.any([timeout, this.abort.signal]) });
      // the receiver's explanation, first line, bounded: it names what was wrong with the data
      const text = (await res.body.text()).split('\n')[0].slice(0, 256);
      const status = res.statusCode;
      if (status >= 200 && status < 300) return null;
      const cause = `server returned HTTP status ${status}`;
      const detail = cause + (text !== '' ? `: ${text}` : '');
      if (status >= 500 || (status === 429 && this.cfg.queue.retryOnHttp429)) return { retry: true, cause, detail, retryAfterMs: parseRetryAfter(res.headers['retry-after'], Date.now()) };
      return { retry: false, cause, detail };
    } catch (e) {
      if (timeout.aborted) {
        const cause = `no answer within remote_timeout (${this.cfg.remoteTimeoutMs} ms)`;
        return { retry: true, cause, detail: cause };
      }
      const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
      const cause = `send failed: ${err.code ?? err.cause?.code ?? err.message}`;
      return { retry: true, cause, detail: cause };
    }
  }

  /**
   * Stops taking cycles and gives the queue up to `flushMs` to drain; what is left is counted as dropped
   * and logged. Closes the connection.
   */
  async stop(flushMs: number): Promise<void> {
    this.stopping = true;
    if (this.running !== null) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.running, new Promise<void>((r) => (timer = setTimeout(r, flushMs)))]);
      clearTimeout(timer);
    }
    this.abort.abort();
    if (this.running !== null) await this.running;
    const left = this.queue.pending;
    if (left > 0) {
      this.deps.stats.dropped += left;
      this.queue.discardUpTo(this.queue.head + left);
      this.deps.stats.pending = 0;
      this.deps.log.error(`remote_write ${this.cfg.name}: ${left} samples not sent at shutdown`);
    }
    await this.pool.close().catch(() => {});
  }
}
