// The HTTP(S) server: telemetry path, landing page, exporter-toolkit web config (TLS, basic auth, headers,
// rate limit) and limits against slow or greedy clients (SPEC §7, §0 #18).
//
// Choices: HTTP/1.1 only (the http2 key is accepted and has no effect); at most maxConnectionsPerClient
// connections per client IP (IPv6: /64) are served, further ones wait paused rather than being refused, so
// Prometheus never sees an error from the limit; a request body is never read (413), nor any method but GET/HEAD.

import { promises as fsp } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as tls from 'node:tls';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import type { Logger } from '../log';
import { goListenError, joinHostPort, resolveListenAddress } from './address';
import { BasicAuth } from './auth';
import { ClientSlots, RateLimiter } from './limits';
import { BuiltTls, buildTls, checkClient } from './tls';
import { readWebConfigFile, WebConfig } from './webconfig';

export { WebConfigError, parseWebConfig } from './webconfig';
export type { WebConfig, TlsServerConfig, ClientAuthType } from './webconfig';

export interface ScrapeResponse {
  body: string | Buffer;
  contentType: string;
}

export interface ServerLimits {
  /** time allowed for a request's headers (and the TLS handshake, and waiting for a slot's first byte) */
  headersTimeoutMs: number;
  /** time allowed to receive a whole request */
  requestTimeoutMs: number;
  /** largest request head; bigger ones get 431 */
  maxHeaderBytes: number;
  /** connections served at once per client IP (IPv6: per /64); further ones wait */
  maxConnectionsPerClient: number;
  /** idle time before a keep-alive connection is closed */
  keepAliveTimeoutMs: number;
}

/** What a route sees of a request (after auth, path cleaning and the method check). */
export interface RouteRequest {
  method: string;
  pathname: string;
  /** the raw query string, with its leading '?', or '' */
  query: string;
  headers: http.IncomingHttpHeaders;
}

export interface RouteResponse {
  status: number;
  body: string | Buffer;
  contentType: string;
  headers?: Record<string, string>;
}

/**
 * A path served beside the telemetry path (health, reload, the page and its data). Routes run under the
 * same web config (TLS, basic auth, headers, rate limit) as /metrics; a request body is never read.
 */
export interface Route {
  /** exact path, or with prefix: every path below it */
  path: string;
  prefix?: boolean;
  /** methods it answers; others get 405 with an Allow header */
  methods: readonly string[];
  handle(req: RouteRequest): Promise<RouteResponse>;
}

export interface ServerDeps {
  listenAddress: string;
  telemetryPath: string;
  webConfigFile: string;
  scrape(req: { accept?: string }): Promise<ScrapeResponse>;
  log: Logger;
  limits?: Partial<ServerLimits>;
  /** extra paths; checked after the telemetry path and before the landing page */
  routes?: readonly Route[];
}

export interface RunningServer {
  readonly port: number;
  readonly address: string;
  close(): Promise<void>;
}

export const DEFAULT_LIMITS: Readonly<ServerLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxHeaderBytes: 16 * 1024,
  maxConnectionsPerClient: 4,
  // Longer than Prometheus's default 15 s scrape interval, so its connection is reused.
  keepAliveTimeoutMs: 20_000,
};

// A socket that neither sends nor receives for this long (e.g. never reads its response) is dropped.
const IDLE_SOCKET_TIMEOUT_MS = 120_000;
const MAX_QUEUED_PER_CLIENT = 16;
const SHUTDOWN_GRACE_MS = 5_000;
const GZIP_LEVEL = 1;

const gzip = promisify(zlib.gzip);

export function landingPage(telemetryPath: string): string {
  return (
    '<html>\n\t\t\t<head><title>Named Process Exporter</title></head>\n\t\t\t<body>\n\t\t\t<h1>Named Process Exporter</h1>\n\t\t\t<p><a href="' +
    telemetryPath +
    '">Metrics</a></p>\n\t\t\t</body>\n\t\t\t</html>'
  );
}

/** Read and strictly check a web config file, including its certificates (for `-web.config.file` at start). */
export async function loadWebConfig(file: string): Promise<WebConfig> {
  const cfg = await readWebConfigFile(file);
  if (cfg.tls) await buildTls(cfg);
  return cfg;
}

/** Go's path.Clean plus the ServeMux rule that keeps a trailing slash. */
export function cleanPath(p: string): string {
  if (p === '') return '/';
  if (!p.startsWith('/')) p = '/' + p;
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  let np = '/' + out.join('/');
  if (p.endsWith('/') && np !== '/') np += '/';
  return np;
}

function checkTelemetryPath(p: string): void {
  if (!p.startsWith('/')) throw new Error(`-web.telemetry-path ${JSON.stringify(p)} must start with "/"`);
  if (p === '/') throw new Error('-web.telemetry-path "/" clashes with the landing page at "/"; use a path such as /metrics');
  if (/[?#\s]/.test(p) || cleanPath(p) !== p) {
    throw new Error(`-web.telemetry-path ${JSON.stringify(p)} is not a clean URL path (try ${JSON.stringify(cleanPath(p.replace(/[?#\s].*$/, '')))})`);
  }
}

/** Whether Accept-Encoding allows gzip (q > 0 for gzip, or for * when gzip is not named). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let star: boolean | undefined;
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().split(';');
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    const n = name.trim().toLowerCase();
    if (n === 'gzip' || n === 'x-gzip') return q > 0;
    if (n === '*') star = q > 0;
  }
  return star === true;
}

function logfmt(value: string): string {
  return /^[^\s"=\\]+$/.test(value) ? value : JSON.stringify(value);
}

function formatAddress(a: AddressInfo): string {
  return joinHostPort(a.address, a.port);
}

async function fileStamp(file: string): Promise<string> {
  try {
    const s = await fsp.stat(file, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (err) {
    return `error:${(err as NodeJS.ErrnoException).code ?? String(err)}`;
  }
}

interface TlsRuntime {
  built: BuiltTls;
  server: tls.Server;
}

/**
 * The web config as it is now: re-read when the file changes (checked with a stat per request), with the
 * TLS material re-read when one of its files changes (checked per connection). A file that turns bad is
 * logged once and the last good config stays in force.
 */
class LiveConfig {
  private seen: string;
  private generation = 0;
  private checking: Promise<WebConfig> | null = null;
  private tls: TlsRuntime | null = null;
  private tlsKey = '';
  private tlsBuilding: Promise<TlsRuntime> | null = null;

  constructor(
    private current: WebConfig,
    stamp: string,
    private readonly log: Logger,
    private readonly makeTlsServer: (b: BuiltTls) => tls.Server,
  ) {
    this.seen = stamp;
  }

  get(): Promise<WebConfig> {
    this.checking ??= this.check().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async check(): Promise<WebConfig> {
    const stamp = await fileStamp(this.current.path);
    if (stamp === this.seen) return this.current;
    this.seen = stamp;
    try {
      const next = await readWebConfigFile(this.current.path);
      if (!!next.tls !== !!this.current.tls) {
        throw new Error(`TLS cannot be switched ${next.tls ? 'on' : 'off'} while running; restart the exporter to apply this change`);
      }
      this.current = next;
      this.generation++;
      this.log.info(`level=info msg="Reloaded web config" file=${logfmt(next.path)}`);
    } catch (err) {
      this.log.error(
        `level=error msg="Unable to load the changed web config file, keeping the last good one" file=${logfmt(this.current.path)} err=${logfmt((err as Error).message)}`,
      );
    }
    return this.current;
  }

  /** The TLS server for a new connection: rebuilt when the config or a certificate file changed. */
  async tlsRuntime(): Promise<TlsRuntime> {
    const cfg = await this.get();
    const files = cfg.tls ? [cfg.tls.certFile, cfg.tls.keyFile, cfg.tls.clientCaFile].filter((f) => f !== '') : [];
    const key = `${this.generation}|${(await Promise.all(files.map(fileStamp))).join('|')}`;
    if (key === this.tlsKey && this.tls) return this.tls;
    this.tlsBuilding ??= (async () => {
      try {
        const built = await buildTls(cfg);
        this.tls = { built, server: this.makeTlsServer(built) };
        if (this.tlsKey !== '') this.log.info(`level=info msg="Loaded new TLS certificate" file=${logfmt(cfg.path)}`);
      } catch (err) {
        if (!this.tls) throw err;
        this.log.error(`level=error msg="Unable to load TLS material, keeping the last good one" err=${logfmt((err as Error).message)}`);
      }
      // Remember the failed state too, so a bad file is not re-read on every connection.
      this.tlsKey = key;
      return this.tls;
    })().finally(() => {
      this.tlsBuilding = null;
    });
    return this.tlsBuilding;
  }
}

function wantsBody(req: http.IncomingMessage): boolean {
  const cl = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (cl !== undefined && cl !== '0');
}

/** Start listening; rejects with a clear Error (bad web config, bad telemetry path, listen error). */
export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const log = deps.log;
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  limits.requestTimeoutMs = Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs);
  const telemetryPath = deps.telemetryPath;
  checkTelemetryPath(telemetryPath);
  const target = await resolveListenAddress(deps.listenAddress);
  const landing = Buffer.from(landingPage(telemetryPath), 'utf8');
  const routes = deps.routes ?? [];
  const routeMethods = new Set(routes.flatMap((r) => r.methods));
  const auth = new BasicAuth();

  let live: LiveConfig | null = null;
  let limiter: RateLimiter | null = null;
  let closing = false;

  // Raw sockets in the TLS handshake or before their first byte: the HTTP server does not see them yet.
  const pending = new Set<Socket>();
  const allSockets = new Set<Socket>();

  const server = http.createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  });
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.timeout = IDLE_SOCKET_TIMEOUT_MS;

  // The HTTP server's own connection handler runs only once a socket has a slot (and, with TLS, a handshake).
  const httpConnection = server.listeners('connection') as ((s: Socket) => void)[];
  server.removeAllListeners('connection');
  const serveHttp = (s: Socket) => {
    for (const l of httpConnection) l.call(server, s);
  };

  const makeTlsServer = (built: BuiltTls): tls.Server => {
    const t = tls.createServer({ ...built.options, handshakeTimeout: limits.headersTimeoutMs });
    t.on('secureConnection', (sock: tls.TLSSocket) => {
      const why = checkClient(sock, built);
      if (why) {
        log.debug(`level=debug msg="TLS client refused" remote=${logfmt(String(sock.remoteAddress))} reason=${logfmt(why)}`);
        sock.destroy();
        return;
      }
      serveHttp(sock);
    });
    t.on('tlsClientError', (err: Error, sock: tls.TLSSocket) => {
      log.debug(`level=debug msg="TLS handshake error" remote=${logfmt(String(sock.remoteAddress ?? '-'))} err=${logfmt(err.message)}`);
      sock.destroy();
    });
    return t;
  };

  let initial: WebConfig | null = null;
  if (deps.webConfigFile !== '') {
    const stamp = await fileStamp(deps.webConfigFile);
    initial = await readWebConfigFile(deps.webConfigFile);
    live = new LiveConfig(initial, stamp, log, makeTlsServer);
    if (initial.tls) await live.tlsRuntime();
  }
  const useTls = !!initial?.tls;

  const slots = new ClientSlots(limits.maxConnectionsPerClient, MAX_QUEUED_PER_CLIENT, limits.requestTimeoutMs);

  const startTls = async (raw: Socket) => {
    pending.add(raw);
    raw.once('close', () => pending.delete(raw));
    const first = await firstChunk(raw, limits.headersTimeoutMs);
    if (!first || raw.destroyed || closing) {
      raw.destroy();
      return;
    }
    if (first[0] !== 0x16) {
      // Go's answer to plain HTTP on a TLS port; anything else is not worth a reply.
      if (first[0] >= 0x41 && first[0] <= 0x5a) {
        // Drain what the client sends and close on its FIN, but never wait for it long.
        raw.allowHalfOpen = false;
        raw.resume();
        raw.end('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
        setTimeout(() => raw.destroy(), 1000).unref();
      } else {
        raw.destroy();
      }
      return;
    }
    let rt: TlsRuntime;
    try {
      rt = await (live as LiveConfig).tlsRuntime();
    } catch (err) {
      log.error(`level=error msg="TLS is not available" err=${logfmt((err as Error).message)}`);
      raw.destroy();
      return;
    }
    if (raw.destroyed || closing) {
      raw.destroy();
      return;
    }
    // The TLS server takes over: its handshake timeout applies, then the HTTP server tracks the connection.
    // The TLS socket inherits allowHalfOpen (true on the HTTP server's sockets): without this, a client
    // that leaves mid-handshake would hold its slot until the handshake timeout.
    raw.allowHalfOpen = false;
    pending.delete(raw);
    rt.server.emit('connection', raw);
  };

  server.on('connection', (raw: Socket) => {
    raw.on('error', () => {}); // resets by clients are routine; the owning layer reports what matters
    allSockets.add(raw);
    raw.once('close', () => allSockets.delete(raw));
    if (closing) {
      raw.destroy();
      return;
    }
    slots.admit(raw, () => {
      if (useTls) {
        void startTls(raw);
      } else {
        serveHttp(raw);
        if (raw.isPaused()) raw.resume();
      }
    });
  });

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      log.error(`level=error msg="Error handling request" err=${logfmt((err as Error)?.message ?? String(err))}`);
      if (!res.headersSent) sendText(res, 500, 'Internal Server Error\n');
      else res.destroy();
    });
  };
  server.on('request', handler);
  // Answer 100-continue ourselves: no body is ever accepted, so the client must not send one.
  server.on('checkContinue', handler);

  function sendText(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    if (closing) res.setHeader('Connection', 'close');
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      'Content-Length': String(Buffer.byteLength(body)),
      ...headers,
    });
    res.end(body);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const cfg = live ? await live.get() : null;
    if (cfg) for (const [k, v] of Object.entries(cfg.headers)) res.setHeader(k, v);

    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && !routeMethods.has(method)) {
      // Closing the connection means the body, if any, is never read.
      return sendText(res, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD', Connection: 'close' });
    }
    if (wantsBody(req)) return sendText(res, 413, 'Request Entity Too Large\n', { Connection: 'close' });

    let pathname: string;
    let query = '';
    try {
      const raw = req.url ?? '/';
      const u = raw.startsWith('/') ? null : new URL(raw);
      const p = u ? u.pathname : raw.split('?')[0];
      query = u ? u.search : raw.includes('?') ? raw.slice(raw.indexOf('?')) : '';
      pathname = decodeURIComponent(p);
    } catch {
      return sendText(res, 400, 'Bad Request\n', { Connection: 'close' });
    }

    if (cfg?.rateLimit) {
      if (!limiter || limiter.intervalMs !== cfg.rateLimit.intervalMs || limiter.burst !== cfg.rateLimit.burst) {
        limiter = new RateLimiter(cfg.rateLimit.intervalMs, cfg.rateLimit.burst);
      }
      if (!limiter.allow()) return sendText(res, 429, 'Too Many Requests\n');
    }

    if (cfg && cfg.users.size > 0 && !cfg.basicAuthExcludedPaths.includes(pathname)) {
      const r = await auth.check(req.headers.authorization, cfg.users);
      if (r === 'busy') return sendText(res, 429, 'Too Many Requests\n');
      if (r !== 'ok') return sendText(res, 401, 'Unauthorized\n', { 'WWW-Authenticate': 'Basic' });
    }

    const clean = cleanPath(pathname);
    if (clean !== pathname) return redirect(res, encodeURI(clean).replace(/[?#]/g, encodeURIComponent) + query);

    const subtree = telemetryPath.endsWith('/');
    const isTelemetry = pathname === telemetryPath || (subtree && pathname.startsWith(telemetryPath));
    const route = isTelemetry ? undefined : routes.find((r) => (r.prefix ? pathname.startsWith(r.path) : pathname === r.path));
    if (method !== 'GET' && method !== 'HEAD' && !route?.methods.includes(method)) {
      return sendText(res, 405, 'Method Not Allowed\n', { Allow: (route?.methods ?? ['GET', 'HEAD']).join(', '), Connection: 'close' });
    }
    if (isTelemetry) return serveMetrics(req, res);
    if (route) {
      if (!route.methods.includes(method)) return sendText(res, 405, 'Method Not Allowed\n', { Allow: route.methods.join(', ') });
      return serveRoute(route, { method, pathname, query, headers: req.headers }, req, res);
    }
    if (subtree && pathname === telemetryPath.slice(0, -1)) return redirect(res, telemetryPath + query);
    if (pathname === '/') {
      if (closing) res.setHeader('Connection', 'close');
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(landing.length) });
      res.end(landing);
      return;
    }
    return sendText(res, 404, '404 page not found\n');
  }

  function redirect(res: http.ServerResponse, location: string): void {
    const body = `<a href="${location.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}">Moved Permanently</a>.\n\n`;
    if (closing) res.setHeader('Connection', 'close');
    res.writeHead(301, { Location: location, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) });
    res.end(body);
  }

  async function serveRoute(route: Route, rreq: RouteRequest, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let out: RouteResponse;
    try {
      out = await route.handle(rreq);
    } catch (err) {
      log.error(`level=error msg="Error serving ${rreq.pathname}" err=${logfmt((err as Error)?.message ?? String(err))}`);
      return sendText(res, 500, 'An error has occurred.\n');
    }
    if (res.destroyed) return;
    let body = typeof out.body === 'string' ? Buffer.from(out.body, 'utf8') : out.body;
    const headers: Record<string, string> = { 'Content-Type': out.contentType, 'X-Content-Type-Options': 'nosniff', Vary: 'Accept-Encoding', ...out.headers };
    if (body.length > 1024 && acceptsGzip(req.headers['accept-encoding'])) {
      body = await gzip(body, { level: GZIP_LEVEL });
      headers['Content-Encoding'] = 'gzip';
    }
    if (res.destroyed) return;
    headers['Content-Length'] = String(body.length);
    if (closing) headers.Connection = 'close';
    res.writeHead(out.status, headers);
    res.end(rreq.method === 'HEAD' ? undefined : body);
  }

  async function serveMetrics(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let out: ScrapeResponse;
    try {
      out = await deps.scrape({ accept: req.headers.accept });
    } catch (err) {
      log.error(`level=error msg="Error gathering metrics" err=${logfmt((err as Error)?.message ?? String(err))}`);
      return sendText(res, 500, 'An error has occurred while serving metrics.\n');
    }
    if (res.destroyed) return;
    let body = typeof out.body === 'string' ? Buffer.from(out.body, 'utf8') : out.body;
    const headers: Record<string, string> = { 'Content-Type': out.contentType, Vary: 'Accept-Encoding' };
    if (acceptsGzip(req.headers['accept-encoding'])) {
      body = await gzip(body, { level: GZIP_LEVEL });
      headers['Content-Encoding'] = 'gzip';
    }
    if (res.destroyed) return;
    headers['Content-Length'] = String(body.length);
    if (closing) headers.Connection = 'close';
    res.writeHead(200, headers);
    res.end(body);
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(goListenError(target, err));
    server.once('error', onError);
    server.listen({ host: target.host, port: target.port }, () => {
      server.removeListener('error', onError);
      resolve();
    });
  });
  server.on('error', (err: Error) => log.error(`level=error msg="Server error" err=${logfmt(err.message)}`));

  const addr = server.address() as AddressInfo;
  const address = formatAddress(addr);
  log.info(`level=info msg="Listening on" address=${address}`);
  if (useTls) {
    // HTTP/2 is not offered: the http2 key is accepted for compatibility, and clients fall back to HTTP/1.1.
    log.info(`level=info msg="TLS is enabled." http2=false address=${address}`);
  } else {
    log.info(`level=info msg="TLS is disabled." http2=false address=${address}`);
  }
  if (initial && initial.users.size > 0) log.info(`level=info msg="Basic authentication is enabled." users=${initial.users.size} file=${logfmt(initial.path)}`);

  let closed: Promise<void> | null = null;
  return {
    port: addr.port,
    address,
    close(): Promise<void> {
      closed ??= (async () => {
        closing = true;
        slots.dropQueued();
        for (const s of pending) s.destroy();
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS)))]);
        clearTimeout(timer);
        server.closeAllConnections();
        for (const s of allSockets) s.destroy();
        await done;
      })();
      return closed;
    },
  };
}

/** Wait for a socket's first bytes and put them back, or null on timeout or close. */
function firstChunk(sock: Socket, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const cleanup = () => {
      clearTimeout(timer);
      sock.removeListener('data', onData);
      sock.removeListener('close', onEnd);
      sock.removeListener('end', onEnd);
    };
    const onData = (chunk: Buffer) => {
      cleanup();
      sock.pause();
      sock.unshift(chunk);
      resolve(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const timer = setTimeout(onEnd, timeoutMs);
    sock.on('data', onData);
    sock.once('close', onEnd);
    sock.once('end', onEnd);
    // A connection that waited for a slot was paused, and a new 'data' listener does not undo that.
    sock.resume();
  });
}
