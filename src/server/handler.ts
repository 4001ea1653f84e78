// The request handler: routing (telemetry path, extra routes, landing page), the web config's headers,
// rate limit and basic auth, and gzip. It sees requests only; what a connection may cost is decided in
// connection.ts.
//
// A request body is never read (413), nor any method but GET/HEAD or one a route declares.

import type * as http from 'node:http';
import { promisify } from 'node:util';
import type * as Zlib from 'node:zlib';
import type { Logger } from '../base/log';
import type * as AuthModule from './auth';
import type { BasicAuth } from './auth';
import { RateLimiter, ResponseBudget } from './limits';
import { logfmt, type LiveConfig } from './live-config';
import type { RequestHandler, Route, RouteRequest, RouteResponse, ScrapeResponse } from './routes';
import { errorMessage } from '../base/errors';

const GZIP_LEVEL = 1;
/** Route responses smaller than this are sent as they are: gzip would not pay for itself. */
const ROUTE_GZIP_MIN_BYTES = 1024;
/**
 * Response bodies being written, all connections together, of at least BUDGETED_BODY_BYTES each: past
 * the budget a new one waits (scrapes of the same cycle share one body). Small answers (/-/healthy, errors)
 * never wait.
 */
export const RESPONSE_BUDGET_BYTES = 64 * 1024 * 1024;
const BUDGETED_BODY_BYTES = 64 * 1024;

// node:zlib is loaded by the first response a client asks to have gzipped
let gzipAsync: ((buf: Buffer, opts: Zlib.ZlibOptions) => Promise<Buffer>) | undefined;
function gzip(buf: Buffer, opts: Zlib.ZlibOptions): Promise<Buffer> {
  gzipAsync ??= promisify((require('node:zlib') as typeof Zlib).gzip);
  return gzipAsync(buf, opts);
}

export function landingPage(telemetryPath: string): string {
  return (
    '<html>\n\t\t\t<head><title>Named Process Exporter</title></head>\n\t\t\t<body>\n\t\t\t<h1>Named Process Exporter</h1>\n\t\t\t<p><a href="' +
    telemetryPath +
    '">Metrics</a></p>\n\t\t\t</body>\n\t\t\t</html>'
  );
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

export function checkTelemetryPath(p: string): void {
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

function wantsBody(req: http.IncomingMessage): boolean {
  const cl = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (cl !== undefined && cl !== '0');
}

export interface HandlerDeps {
  telemetryPath: string;
  scrape(req: { accept?: string; receivedAtMs: number }): Promise<ScrapeResponse>;
  routes: readonly Route[];
  log: Logger;
  /** the web config in force, or null without -web.config.file */
  live: LiveConfig | null;
  /** true once shutdown began: responses carry Connection: close */
  closing(): boolean;
  /** RESPONSE_BUDGET_BYTES unless given (tests) */
  responseBudgetBytes?: number;
}

/** When each request was parsed (set by the connection layer): a pipelined one may wait before it is answered. */
export const receivedAt = new WeakMap<http.IncomingMessage, number>();

/** The server's 'request' (and 'checkContinue') listener. */
export function createRequestHandler(deps: HandlerDeps): RequestHandler {
  const { telemetryPath, routes, log, live } = deps;
  const landing = Buffer.from(landingPage(telemetryPath), 'utf8');
  const routeMethods = new Set(routes.flatMap((r) => r.methods));
  // basic auth needs users in a web config: its module is loaded with the first check
  let auth: BasicAuth | null = null;
  let limiter: RateLimiter | null = null;
  const budget = new ResponseBudget(deps.responseBudgetBytes ?? RESPONSE_BUDGET_BYTES);
  // the last body sent, as text, bytes and gzipped: scrapes of one cycle send one buffer, compressed once
  let lastBody: { text: string | Buffer; plain: Buffer; gz?: Promise<Buffer> } | null = null;

  function sendText(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    if (deps.closing()) res.setHeader('Connection', 'close');
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      'Content-Length': String(Buffer.byteLength(body)),
      ...headers,
    });
    res.end(body);
  }

  function redirect(res: http.ServerResponse, location: string): void {
    const body = `<a href="${location.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}">Moved Permanently</a>.\n\n`;
    if (deps.closing()) res.setHeader('Connection', 'close');
    res.writeHead(301, { Location: location, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) });
    res.end(body);
  }

  /** Sends a body, gzipped when the client accepts it and it is at least minGzip bytes. */
  async function sendBody(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    status: number,
    body: string | Buffer,
    headers: Record<string, string>,
    minGzip: number,
  ): Promise<void> {
    if (lastBody === null || lastBody.text !== body) lastBody = { text: body, plain: typeof body === 'string' ? Buffer.from(body, 'utf8') : body };
    const shared = lastBody;
    let buf = shared.plain;
    if (buf.length >= minGzip && acceptsGzip(req.headers['accept-encoding'])) {
      shared.gz ??= gzip(buf, { level: GZIP_LEVEL });
      buf = await shared.gz;
      headers['Content-Encoding'] = 'gzip';
    }
    if (res.destroyed) return;
    const send = req.method === 'HEAD' ? undefined : buf;
    if (send !== undefined && send.length >= BUDGETED_BODY_BYTES) {
      await budget.acquire(send);
      if (res.destroyed) return budget.release(send);
      res.once('close', () => budget.release(send));
    }
    headers['Content-Length'] = String(buf.length);
    if (deps.closing()) headers.Connection = 'close';
    res.writeHead(status, headers);
    res.end(send);
  }

  async function serveRoute(route: Route, rreq: RouteRequest, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let out: RouteResponse;
    try {
      out = await route.handle(rreq);
    } catch (err) {
      log.error(`level=error msg="Error serving ${rreq.pathname}" err=${logfmt(errorMessage(err))}`);
      return sendText(res, 500, 'An error has occurred.\n');
    }
    if (res.destroyed) return;
    const headers: Record<string, string> = { 'Content-Type': out.contentType, 'X-Content-Type-Options': 'nosniff', Vary: 'Accept-Encoding', ...out.headers };
    return sendBody(req, res, out.status, out.body, headers, ROUTE_GZIP_MIN_BYTES + 1);
  }

  async function serveMetrics(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let out: ScrapeResponse;
    try {
      out = await deps.scrape({ accept: req.headers.accept, receivedAtMs: receivedAt.get(req) ?? Date.now() });
    } catch (err) {
      log.error(`level=error msg="Error gathering metrics" err=${logfmt(errorMessage(err))}`);
      return sendText(res, 500, 'An error has occurred while serving metrics.\n');
    }
    if (res.destroyed) return;
    return sendBody(req, res, 200, out.body, { 'Content-Type': out.contentType, Vary: 'Accept-Encoding' }, 0);
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
      auth ??= new (require('./auth') as typeof AuthModule).BasicAuth();
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
      if (deps.closing()) res.setHeader('Connection', 'close');
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(landing.length) });
      res.end(landing);
      return;
    }
    return sendText(res, 404, '404 page not found\n');
  }

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error(`level=error msg="Error handling request" err=${logfmt(errorMessage(err))}`);
      if (!res.headersSent) sendText(res, 500, 'Internal Server Error\n');
      else res.destroy();
    });
  };
}
