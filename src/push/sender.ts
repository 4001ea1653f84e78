// One remote_write endpoint: its series builder, its queue and the loop that sends the queue in order
// over one kept-alive connection (undici Pool), retrying what can be retried with exponential backoff.
import { Agent, Pool, type Dispatcher } from 'undici';
import { readBoundedFile } from '../config/bounded-read';
import { compress } from 'snappyjs';
import type { RemoteWriteConfig } from '../config/remote-write';
import type { Logger } from '../base/log';
import { encodeWriteRequest } from './proto';
import { SampleQueue } from './queue';
import { SeriesBuilder, type SeriesContext } from './series';
import type { EndpointStats } from './metrics';

/** Bytes of a receiver's answer that are read: the first line of its explanation, for the log. Prometheus keeps 1 KiB too. */
const ANSWER_PREFIX_BYTES = 1024;
/** Redirects followed per request with follow_redirects, as Go's HTTP client. */
const MAX_REDIRECTS = 10;
/** A password_file or credentials_file is a secret, not a document. */
const SECRET_FILE_MAX_BYTES = 64 * 1024;
/** How long a send waits for a secret file (never longer than remote_timeout); past it the last value read serves. */
const SECRET_READ_TIMEOUT_MS = 2000;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** At most `max` bytes of an answer's body; the rest is never read (the connection is dropped instead). */
async function bodyPrefix(body: Dispatcher.ResponseData['body'], max: number): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      parts.push(chunk);
      n += chunk.length;
      if (n >= max) break;
    }
  } finally {
    if (!body.destroyed) body.destroy();
  }
  return Buffer.concat(parts).subarray(0, max).toString('utf8');
}

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
  /** set while the queue drops samples: "the queue is full" is logged once until it has emptied again */
  private full = false;
  /** secret files: the last value read, and the read in progress (one per file, even if it hangs) */
  private readonly secrets = new Map<string, { value?: string; reading?: Promise<void>; trouble?: string }>();
  /** connections to other origins a redirect led to (created on the first one) */
  private elsewhere: Agent | null = null;
  private readonly origin: string;
  private readonly connect: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };

  constructor(
    readonly cfg: RemoteWriteConfig,
    ctx: SeriesContext,
    private readonly deps: EndpointDeps,
  ) {
    this.queue = new SampleQueue(cfg.queue.capacity);
    this.builder = new SeriesBuilder(ctx);
    const url = new URL(cfg.url);
    this.path = url.pathname + url.search;
    this.origin = url.origin;
    const t = cfg.tls;
    this.connect = { ca: deps.tls.ca, cert: deps.tls.cert, key: deps.tls.key, rejectUnauthorized: !t.insecureSkipVerify };
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
      // once per episode: the queue stays full, and keeps dropping, while a backlog drains after an outage
      const message = `remote_write ${this.cfg.name}: the queue is full (capacity ${this.cfg.queue.capacity} samples): dropping the oldest samples`;
      if (this.full) this.deps.log.debug(message);
      else this.deps.log.error(message);
      this.full = true;
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
        if (this.full && this.queue.pending === 0) {
          this.full = false;
          this.deps.log.info(`remote_write ${this.cfg.name}: the queue has caught up (see namedprocess_exporter_remote_storage_samples_dropped_total for what was dropped)`);
        }
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
  // The read is bounded (size, time, no FIFO: src/config/bounded-read.ts) and one at a time per file: a
  // file that cannot be read keeps the last value read (logged once per cause), and a read that hangs
  // holds up neither sends nor shutdown.
  private async secret(inline: string, file: string, field: string): Promise<string | Failure> {
    if (file === '') return inline;
    let s = this.secrets.get(file);
    if (s === undefined) this.secrets.set(file, (s = {}));
    const entry = s;
    entry.reading ??= readBoundedFile(file, { maxBytes: SECRET_FILE_MAX_BYTES, timeoutMs: 24 * 3600_000 })
      .then(
        (buf) => {
          entry.value = buf.toString('utf8').replace(/\r?\n$/, '');
          entry.trouble = undefined;
        },
        (e: unknown) => this.secretTrouble(entry, field, file, (e as NodeJS.ErrnoException).code ?? 'error'),
      )
      .finally(() => (entry.reading = undefined));
    const wait = Math.min(SECRET_READ_TIMEOUT_MS, this.cfg.remoteTimeoutMs);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const settled = await Promise.race([
      entry.reading.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), wait);
        onAbort = () => resolve(false);
        this.abort.signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
    clearTimeout(timer);
    if (onAbort) this.abort.signal.removeEventListener('abort', onAbort);
    if (!settled && !this.abort.signal.aborted) this.secretTrouble(entry, field, file, `no answer within ${wait} ms`);
    if (entry.value !== undefined) return entry.value;
    const detail = `cannot read ${field} ${file}: ${entry.trouble ?? 'error'}`;
    return { retry: true, cause: detail, detail };
  }

  private secretTrouble(entry: { value?: string; trouble?: string }, field: string, file: string, why: string): void {
    if (entry.trouble === why) return;
    entry.trouble = why;
    // with no value yet the send fails, and that failure is logged
    if (entry.value !== undefined) this.deps.log.error(`remote_write ${this.cfg.name}: cannot read ${field} ${file}: ${why}: using the value read before`);
  }

  /** The dispatcher for an origin: the endpoint's own connection, or one for where a redirect led. */
  private dispatcher(origin: string): Dispatcher {
    if (origin === this.origin) return this.pool;
    this.elsewhere ??= new Agent({ connections: 1, pipelining: 1, connect: this.connect });
    return this.elsewhere;
  }

  /** One POST of one batch (following redirects when allowed); null when the receiver took it. */
  private async send(raw: Buffer): Promise<Failure | null> {
    const h = await this.headers();
    if ('failure' in h) return h.failure;
    const headers = h.headers;
    const packed = compress(raw);
    const body = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
    const timeout = AbortSignal.timeout(this.cfg.remoteTimeoutMs);
    const signal = AbortSignal.any([timeout, this.abort.signal]);
    let url = new URL(this.cfg.url);
    /** the status of the answer being read, once one came */
    let status = 0;
    try {
      for (let hops = 0; ; hops++) {
        status = 0;
        const res = await this.dispatcher(url.origin).request({ origin: url.origin, path: url.pathname + url.search, method: 'POST', headers, body, signal });
        status = res.statusCode;
        const location = res.headers.location;
        if (this.cfg.followRedirects && REDIRECT_STATUSES.has(status) && typeof location === 'string') {
          await bodyPrefix(res.body, 0).catch(() => {});
          // the method and body are kept, whatever the code: a GET cannot deliver samples
          let next: URL | null = null;
          try {
            next = new URL(location, url);
          } catch {
            // not a URL: refused below
          }
          if (next === null || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
            const cause = `server returned HTTP status ${status} with a Location that is not an http(s) URL`;
            return { retry: false, cause, detail: cause };
          }
          if (hops + 1 > MAX_REDIRECTS) {
            const cause = `stopped after ${MAX_REDIRECTS} redirects`;
            return { retry: true, cause, detail: cause };
          }
          url = next;
          continue;
        }
        // the receiver's explanation: its first line, from at most the first KiB; the rest is never read
        const text = (await bodyPrefix(res.body, ANSWER_PREFIX_BYTES)).split('\n')[0].slice(0, 256);
        if (status >= 200 && status < 300) return null;
        const cause = `server returned HTTP status ${status}`;
        const detail = cause + (text !== '' ? `: ${text}` : '');
        if (status >= 500 || (status === 429 && this.cfg.queue.retryOnHttp429)) return { retry: true, cause, detail, retryAfterMs: parseRetryAfter(res.headers['retry-after'], Date.now()) };
        return { retry: false, cause, detail };
      }
    } catch (e) {
      if (timeout.aborted) {
        // an answer came, but its body did not within the time: the status is what counts
        if (status >= 200 && status < 300) return null;
        if (status !== 0) {
          const cause = `server returned HTTP status ${status}`;
          const retry = status >= 500 || (status === 429 && this.cfg.queue.retryOnHttp429);
          return { retry, cause, detail: `${cause} (its body did not come within remote_timeout)` };
        }
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
    await this.elsewhere?.close().catch(() => {});
  }
}
